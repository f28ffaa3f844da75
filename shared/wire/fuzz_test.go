package wire_test

import (
	"bytes"
	"net/netip"
	"testing"

	"socketville/shared/wire"
)

// The fuzz targets check the parsers' promise: any bytes give a view or an
// error, and every accessor on a view is safe.

func FuzzParseIPv4(f *testing.F) {
	f.Add(mustHex(f, udpPacketHex))
	f.Add(mustHex(f, classicIPv4Hex))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, parse := range []func([]byte) (wire.IPv4, error){wire.ParseIPv4, wire.ParseIPv4Quote} {
			p, err := parse(b)
			if err != nil {
				continue
			}
			_ = p.Flags().String()
			_, _, _, _ = p.TOS(), p.ID(), p.FragOffset(), p.IsFragment()
			_, _, _ = p.TTL(), p.Protocol().String(), p.ChecksumValid()
			_, _ = p.Src(), p.Dst()
			if len(p.Options())+len(p.Payload())+wire.IPv4MinHeaderLen > len(b) {
				t.Fatal("view reaches past the input")
			}
		}
	})
}

func FuzzParseUDP(f *testing.F) {
	f.Add(mustHex(f, udpPacketHex)[20:])
	f.Add([]byte{0, 1, 0, 2, 0, 8, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		u, err := wire.ParseUDP(b)
		if err != nil {
			return
		}
		if u.Length() != len(u) || len(u.Payload()) != len(u)-wire.UDPHeaderLen {
			t.Fatalf("length %d view %d", u.Length(), len(u))
		}
		_, _, _ = u.SrcPort(), u.DstPort(), u.Checksum()
		_ = u.ChecksumValid(netip.IPv4Unspecified(), netip.IPv4Unspecified())
	})
}

func FuzzParseICMPv4(f *testing.F) {
	f.Add(mustHex(f, echoHex))
	f.Add(append([]byte{3, 3, 0, 0, 0, 0, 0, 0}, mustHex(f, udpPacketHex)[:28]...))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := wire.ParseICMPv4(b)
		if err != nil {
			return
		}
		_, _, _, _ = m.Type().String(), m.Code(), m.Ident(), m.Seq()
		_, _, _ = m.NextHopMTU(), m.ChecksumValid(), m.Body()
		if m.IsError() {
			if q, err := wire.ParseIPv4Quote(m.Body()); err == nil {
				_ = q.Payload()
			}
		}
	})
}

func FuzzParseEthernet(f *testing.F) {
	f.Add(mustHex(f, udpFrameHex))
	f.Add(mustHex(f, arpRequestFrameHex))
	f.Add(mustHex(f, udpFrameHex)[:14])
	f.Add(append(mustHex(f, "020000000002020000000001002e"), make([]byte, 46)...)) // 802.3
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = wire.FrameSummary(b)
		e, err := wire.ParseEthernet(b)
		if err != nil {
			return
		}
		h := wire.EthernetHeader{Dst: e.Dst(), Src: e.Src(), Type: e.Type()}
		_, _, _ = h.Dst.String(), h.Type.String(), h.Src.IsMulticast()
		buf := make([]byte, wire.EthernetHeaderLen)
		if err := h.Encode(buf); err != nil {
			t.Fatalf("a parsed header does not encode: %v", err)
		}
		if !bytes.Equal(buf, b[:wire.EthernetHeaderLen]) {
			t.Fatalf("re-encoded %x, parsed from %x", buf, b[:wire.EthernetHeaderLen])
		}
		// A frame at least the minimum size is exactly header and payload;
		// a shorter one is the same bytes padded with zeros.
		rebuilt := wire.NewFrame(h, e.Payload())
		if !bytes.Equal(rebuilt[:len(b)], b) || !bytes.Equal(rebuilt[len(b):], make([]byte, len(rebuilt)-len(b))) {
			t.Fatalf("NewFrame gave %x for %x", rebuilt, b)
		}
		if !wire.FCSValid(wire.AppendFCS(bytes.Clone(b))) {
			t.Fatal("a frame with its FCS appended fails FCSValid")
		}
	})
}

func FuzzParseARP(f *testing.F) {
	f.Add(mustHex(f, arpRequestHex))
	f.Add(mustHex(f, arpReplyHex))
	f.Add(mustHex(f, arpRequestFrameHex)[wire.EthernetHeaderLen:])
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = wire.ARPSummary(b)
		a, err := wire.ParseARP(b)
		if err != nil {
			return
		}
		if len(a) != wire.ARPLen {
			t.Fatalf("view of %d bytes", len(a))
		}
		h := wire.ARPHeader{Op: a.Op(), SenderMAC: a.SenderMAC(), SenderIP: a.SenderIP(), TargetMAC: a.TargetMAC(), TargetIP: a.TargetIP()}
		_, _ = h.Op.String(), a.IsAnnouncement()
		buf := make([]byte, wire.ARPLen)
		if err := h.Encode(buf); err != nil {
			t.Fatalf("a parsed message does not encode: %v", err)
		}
		if !bytes.Equal(buf, b[:wire.ARPLen]) {
			t.Fatalf("re-encoded %x, parsed from %x", buf, b[:wire.ARPLen])
		}
	})
}

func FuzzDissectFrame(f *testing.F) {
	f.Add(mustHex(f, udpFrameHex), false)
	f.Add(wire.AppendFCS(mustHex(f, udpFrameHex)), true)
	f.Add(mustHex(f, arpReplyFrameHex), false)
	f.Add(wire.AppendFCS(mustHex(f, arpRequestFrameHex)), true)
	f.Add(wire.NewFrame(wire.EthernetHeader{Type: wire.EtherTypeIPv4}, tcpPacket(f, "hello")), false)
	f.Add([]byte{0x02, 0, 0}, true)
	f.Fuzz(func(t *testing.T, b []byte, withFCS bool) {
		fields := wire.DissectFrame(b, withFCS)
		if len(b) > 0 {
			checkCover(t, b, fields)
		}
	})
}
