package wire_test

import (
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
