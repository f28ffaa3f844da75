// Package wire holds the byte formats that cross Socketville's links:
// Ethernet II frames and their FCS, ARP for IPv4 over Ethernet, IPv4, UDP,
// TCP and ICMPv4 headers, the Internet checksum, and a pcap writer.
//
// Each header is a typed view over bytes (Ethernet, ARP, IPv4, UDP, TCP,
// ICMPv4) with one validating constructor (ParseEthernet, ParseARP,
// ParseIPv4, ...). Untrusted bytes go through that constructor once; after
// it succeeds no accessor can panic. Each header also has a plain struct of
// fields (EthernetHeader, ARPHeader, IPv4Header, ...) whose Encode writes the
// header into a buffer; NewFrame wraps a packet in an Ethernet frame padded
// to the minimum size.
//
// A frame here is what a pcap holds: header, payload and padding, without
// the preamble and FCS. AppendFCS and FCSValid deal with the FCS for links
// that carry it; EthernetPreamble and EthernetInterFrameGap are there for
// drawing and timing the bytes no capture shows.
//
// Summary and Dissect describe an IPv4 packet; FrameSummary and DissectFrame
// describe an Ethernet frame, and read an IPv4 frame exactly as the packet
// inside it.
//
// The package is pure: no I/O except the io.Writer handed to the pcap writer,
// no clock, no randomness.
package wire
