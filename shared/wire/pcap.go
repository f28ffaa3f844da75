package wire

import (
	"encoding/binary"
	"fmt"
	"io"
	"time"
)

// LinkType is the pcap link-layer header type of every packet in a file.
type LinkType uint32

// Link types the writer supports (from the tcpdump.org link-type registry).
const (
	// LinkTypeRaw: each packet starts with its IPv4 or IPv6 header.
	LinkTypeRaw LinkType = 101
	// LinkTypeIPv4: each packet is an IPv4 packet.
	LinkTypeIPv4 LinkType = 228
	// LinkTypeEthernet: each packet is an Ethernet II frame, header first
	// and without its FCS.
	LinkTypeEthernet LinkType = 1
)

const (
	pcapMagicNanos   = 0xa1b23c4d // nanosecond timestamps
	pcapVersionMajor = 2
	pcapVersionMinor = 4
	pcapSnapLen      = 262144
)

// PcapWriter writes packets to a pcap file with nanosecond timestamps. The
// timestamps are offsets from the Unix epoch, so virtual time 0 reads as
// 1970-01-01 00:00:00 in Wireshark, and the same input makes the same file.
type PcapWriter struct {
	w   io.Writer
	buf [16]byte
}

// NewPcapWriter writes the file header to w and returns a writer for packets.
func NewPcapWriter(w io.Writer, link LinkType) (*PcapWriter, error) {
	var h [24]byte
	binary.LittleEndian.PutUint32(h[0:], pcapMagicNanos)
	binary.LittleEndian.PutUint16(h[4:], pcapVersionMajor)
	binary.LittleEndian.PutUint16(h[6:], pcapVersionMinor)
	binary.LittleEndian.PutUint32(h[16:], pcapSnapLen)
	binary.LittleEndian.PutUint32(h[20:], uint32(link))
	if _, err := w.Write(h[:]); err != nil {
		return nil, fmt.Errorf("pcap: write file header: %w", err)
	}
	return &PcapWriter{w: w}, nil
}

// WritePacket appends one packet captured at ts (an offset from time zero).
func (p *PcapWriter) WritePacket(ts time.Duration, pkt []byte) error {
	if ts < 0 {
		return fmt.Errorf("pcap: negative timestamp %v: %w", ts, ErrMalformed)
	}
	captured := min(len(pkt), pcapSnapLen)
	binary.LittleEndian.PutUint32(p.buf[0:], uint32(ts/time.Second))
	binary.LittleEndian.PutUint32(p.buf[4:], uint32(ts%time.Second))
	binary.LittleEndian.PutUint32(p.buf[8:], uint32(captured))
	binary.LittleEndian.PutUint32(p.buf[12:], uint32(len(pkt)))
	if _, err := p.w.Write(p.buf[:]); err != nil {
		return fmt.Errorf("pcap: write record header: %w", err)
	}
	if _, err := p.w.Write(pkt[:captured]); err != nil {
		return fmt.Errorf("pcap: write packet: %w", err)
	}
	return nil
}
