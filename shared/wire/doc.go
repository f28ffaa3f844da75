// Package wire holds the byte formats that cross Socketville's links: IPv4,
// UDP and ICMPv4 headers, the Internet checksum, and a pcap writer.
//
// Each header is a typed view over bytes (IPv4, UDP, ICMPv4) with one
// validating constructor (ParseIPv4, ParseUDP, ParseICMPv4). Untrusted bytes
// go through that constructor once; after it succeeds no accessor can panic.
// Each header also has a plain struct of fields (IPv4Header, UDPHeader,
// ICMPv4Header) whose Encode writes the header into a buffer.
//
// The package is pure: no I/O except the io.Writer handed to the pcap writer,
// no clock, no randomness.
package wire
