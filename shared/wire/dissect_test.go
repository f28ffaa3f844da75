package wire_test

import (
	"net/netip"
	"strings"
	"testing"

	"socketville/shared/wire"
)

func tcpPacket(t testing.TB, payload string) []byte {
	t.Helper()
	src, dst := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	opts := []byte{2, 4, 0x05, 0xb4, 1, 3, 3, 7} // mss 1460, nop, wscale 7
	th := wire.TCPHeader{SrcPort: 49152, DstPort: 80, Seq: 1000, Ack: 2000, Flags: wire.TCPSyn | wire.TCPAck, Window: 65535, Options: opts}
	seg := make([]byte, th.Len()+len(payload))
	copy(seg[th.Len():], payload)
	if err := th.Encode(seg, src, dst); err != nil {
		t.Fatal(err)
	}
	ih := wire.IPv4Header{TTL: 64, Protocol: wire.ProtocolTCP, Src: src, Dst: dst, ID: 7, PayloadLen: len(seg)}
	pkt := make([]byte, ih.Len()+len(seg))
	copy(pkt[ih.Len():], seg)
	if err := ih.Encode(pkt); err != nil {
		t.Fatal(err)
	}
	return pkt
}

func TestDissectTCP(t *testing.T) {
	pkt := tcpPacket(t, "GET / HTTP/1.0\r\n\r\n")
	fields := wire.Dissect(pkt)
	want := map[string]string{
		"IPv4 source":               "10.0.0.1",
		"IPv4 destination":          "10.0.0.2",
		"IPv4 TTL":                  "64",
		"IPv4 protocol":             "6 (TCP)",
		"IPv4 header checksum":      "(correct)",
		"TCP source port":           "49152",
		"TCP destination port":      "80",
		"TCP sequence number":       "1000",
		"TCP acknowledgment number": "2000",
		"TCP flags":                 "SYN|ACK",
		"TCP options":               "mss 1460,nop,wscale 7",
		"TCP checksum":              "(correct)",
		"payload data":              `18 bytes "GET / HTTP/1.0\r\n\r\n"`,
		"IPv4 total length":         "66 bytes",
		"TCP data offset":           "28 bytes",
		"IPv4 header length":        "20 bytes",
		"TCP window":                "65535",
		"IPv4 flags":                "",
		"TCP urgent pointer":        "0",
		"IPv4 identification":       "0x0007",
		"IPv4 version":              "4",
		"IPv4 TOS":                  "0x00",
		"IPv4 fragment offset":      "0",
	}
	got := map[string]wire.Field{}
	for _, f := range fields {
		got[f.Header+" "+f.Name] = f
	}
	for k, v := range want {
		f, ok := got[k]
		if !ok {
			t.Errorf("no field %q", k)
			continue
		}
		if !strings.Contains(f.Value, v) {
			t.Errorf("%s = %q, want it to contain %q", k, f.Value, v)
		}
	}
	checkCover(t, pkt, fields)
	if f := got["TCP source port"]; f.Off != 20 || f.Len != 2 || f.Layer != wire.LayerTransport {
		t.Errorf("TCP source port at %d+%d layer %v, want 20+2 transport", f.Off, f.Len, f.Layer)
	}
}

// checkCover checks that the fields lie in the packet, in order, and leave
// no byte undescribed.
func checkCover(t *testing.T, pkt []byte, fields []wire.Field) {
	t.Helper()
	end := 0
	for _, f := range fields {
		if f.Off < 0 || f.Len <= 0 || f.Off+f.Len > len(pkt) {
			t.Fatalf("field %s %s at %d+%d is outside the %d-byte packet", f.Header, f.Name, f.Off, f.Len, len(pkt))
		}
		if f.Off > end {
			t.Fatalf("bytes %d..%d are in no field (next: %s %s)", end, f.Off, f.Header, f.Name)
		}
		end = max(end, f.Off+f.Len)
	}
	if end != len(pkt) {
		t.Fatalf("fields end at %d of %d bytes", end, len(pkt))
	}
}

func TestDissectBrokenPackets(t *testing.T) {
	good := tcpPacket(t, "hi")
	bad := append([]byte(nil), good...)
	bad[20+16] ^= 0xff // the TCP checksum
	cut := good[:30]   // IPv4 says 50 bytes
	for _, tc := range []struct {
		name string
		pkt  []byte
		want string
	}{
		{name: "bad checksum", pkt: bad, want: "WRONG"},
		{name: "cut short", pkt: cut, want: "undecodable"},
		{name: "garbage", pkt: []byte{0x45, 1, 2}, want: "undecodable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fields := wire.Dissect(tc.pkt)
			var all strings.Builder
			for _, f := range fields {
				all.WriteString(f.Name + "=" + f.Value + "\n")
			}
			if !strings.Contains(all.String(), tc.want) {
				t.Fatalf("want %q in:\n%s", tc.want, all.String())
			}
			checkCover(t, tc.pkt, fields)
		})
	}
}

func FuzzDissect(f *testing.F) {
	f.Add(tcpPacket(f, "hello"))
	f.Add([]byte{0x45})
	f.Fuzz(func(t *testing.T, pkt []byte) {
		fields := wire.Dissect(pkt)
		if len(pkt) > 0 {
			checkCover(t, pkt, fields)
		}
	})
}
