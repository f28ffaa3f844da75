package wire_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"net/netip"
	"testing"

	"socketville/shared/wire"
)

// Fixtures computed outside Go (Python's struct module and a hand-written
// RFC 1071 sum) so the tests do not check the code against itself.
const (
	// 10.0.0.1:49152 -> 10.0.0.2:7007, UDP "hello, town", ID 1, DF, TTL 64.
	udpPacketHex = "4500002700014000401126c30a0000010a000002" + "c0001b5f0013ce7b" + "68656c6c6f2c20746f776e"
	// Echo request, identifier 0x1234, sequence 1, data "ping".
	echoHex = "080006fa1234000170696e67"
	// The header from RFC 1071's companion example on Wikipedia: checksum 0xb861.
	classicIPv4Hex = "45000073000040004011b861c0a80001c0a800c7"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var (
	addrA = netip.MustParseAddr("10.0.0.1")
	addrB = netip.MustParseAddr("10.0.0.2")
)

func TestParseIPv4Fixture(t *testing.T) {
	p, err := wire.ParseIPv4(mustHex(t, udpPacketHex))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{name: "header len", got: p.HeaderLen(), want: 20},
		{name: "total len", got: p.TotalLen(), want: 39},
		{name: "id", got: p.ID(), want: uint16(1)},
		{name: "flags", got: p.Flags().String(), want: "DF"},
		{name: "frag offset", got: p.FragOffset(), want: 0},
		{name: "is fragment", got: p.IsFragment(), want: false},
		{name: "ttl", got: p.TTL(), want: uint8(64)},
		{name: "protocol", got: p.Protocol().String(), want: "UDP"},
		{name: "checksum", got: p.Checksum(), want: uint16(0x26c3)},
		{name: "checksum valid", got: p.ChecksumValid(), want: true},
		{name: "src", got: p.Src(), want: addrA},
		{name: "dst", got: p.Dst(), want: addrB},
		{name: "options", got: len(p.Options()), want: 0},
		{name: "payload len", got: len(p.Payload()), want: 19},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestIPv4ChecksumClassic(t *testing.T) {
	p, err := wire.ParseIPv4Quote(mustHex(t, classicIPv4Hex))
	if err != nil {
		t.Fatal(err)
	}
	if !p.ChecksumValid() || p.Checksum() != 0xb861 {
		t.Fatalf("checksum %#04x valid=%v, want 0xb861 valid", p.Checksum(), p.ChecksumValid())
	}
}

func TestEncodeIPv4UDPMatchesFixture(t *testing.T) {
	want := mustHex(t, udpPacketHex)
	payload := []byte("hello, town")
	buf := bytes.Repeat([]byte{0xa5}, len(want)) // unwritten fields would show as a5
	ip := wire.IPv4Header{
		ID: 1, Flags: wire.IPv4DontFragment, TTL: 64, Protocol: wire.ProtocolUDP,
		Src: addrA, Dst: addrB, PayloadLen: wire.UDPHeaderLen + len(payload),
	}
	if err := ip.Encode(buf); err != nil {
		t.Fatal(err)
	}
	copy(buf[ip.Len()+wire.UDPHeaderLen:], payload)
	udp := wire.UDPHeader{SrcPort: 49152, DstPort: 7007}
	if err := udp.Encode(buf[ip.Len():], addrA, addrB); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf, want) {
		t.Fatalf("encoded\n%x\nwant\n%x", buf, want)
	}
}

func TestParseUDPFixture(t *testing.T) {
	p, err := wire.ParseIPv4(mustHex(t, udpPacketHex))
	if err != nil {
		t.Fatal(err)
	}
	u, err := wire.ParseUDP(p.Payload())
	if err != nil {
		t.Fatal(err)
	}
	if u.SrcPort() != 49152 || u.DstPort() != 7007 || u.Length() != 19 || string(u.Payload()) != "hello, town" {
		t.Fatalf("got %d > %d len %d %q", u.SrcPort(), u.DstPort(), u.Length(), u.Payload())
	}
	if !u.ChecksumValid(addrA, addrB) {
		t.Fatal("checksum should be valid")
	}
	if u.ChecksumValid(addrB, addrA.Next().Next()) {
		t.Fatal("checksum must cover the pseudo-header addresses")
	}
	u[len(u)-1] ^= 1
	if u.ChecksumValid(addrA, addrB) {
		t.Fatal("a flipped payload bit must fail the checksum")
	}
}

func TestUDPZeroChecksumMeansNone(t *testing.T) {
	d := []byte{0, 1, 0, 2, 0, 9, 0, 0, 'x'}
	u, err := wire.ParseUDP(d)
	if err != nil {
		t.Fatal(err)
	}
	if !u.ChecksumValid(addrA, addrB) {
		t.Fatal("a zero checksum means none was computed (RFC 768)")
	}
}

func TestICMPv4EchoBothWays(t *testing.T) {
	want := mustHex(t, echoHex)
	m, err := wire.ParseICMPv4(want)
	if err != nil {
		t.Fatal(err)
	}
	if m.Type() != wire.ICMPv4EchoRequest || m.Code() != 0 || m.Ident() != 0x1234 || m.Seq() != 1 ||
		string(m.Body()) != "ping" || !m.ChecksumValid() || m.IsError() {
		t.Fatalf("decoded %v code %d id %#x seq %d body %q valid %v", m.Type(), m.Code(), m.Ident(), m.Seq(), m.Body(), m.ChecksumValid())
	}
	buf := bytes.Repeat([]byte{0xa5}, len(want))
	copy(buf[wire.ICMPv4HeaderLen:], "ping")
	h := wire.ICMPv4Header{Type: wire.ICMPv4EchoRequest, Rest: wire.EchoRest(0x1234, 1)}
	if err := h.Encode(buf); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf, want) {
		t.Fatalf("encoded %x, want %x", buf, want)
	}
}

// patched is a copy of good with v written at offset i, for bad-input
// tables.
func patched(good []byte, i int, v ...byte) []byte {
	b := bytes.Clone(good)
	copy(b[i:], v)
	return b
}

func TestBadInput(t *testing.T) {
	good := mustHex(t, udpPacketHex)
	with := func(i int, v byte) []byte { return patched(good, i, v) }
	cases := []struct {
		name  string
		parse func([]byte) error
		in    []byte
		want  error
	}{
		{name: "ipv4 empty", parse: parseIPv4, in: nil, want: wire.ErrTruncated},
		{name: "ipv4 19 bytes", parse: parseIPv4, in: good[:19], want: wire.ErrTruncated},
		{name: "ipv4 version 6", parse: parseIPv4, in: with(0, 0x65), want: wire.ErrMalformed},
		{name: "ipv4 ihl 4", parse: parseIPv4, in: with(0, 0x44), want: wire.ErrMalformed},
		{name: "ipv4 ihl 15 past end", parse: parseIPv4, in: good[:30], want: wire.ErrTruncated},
		{name: "ipv4 total below header", parse: parseIPv4, in: with(3, 10), want: wire.ErrMalformed},
		{name: "ipv4 total past end", parse: parseIPv4, in: good[:30], want: wire.ErrTruncated},
		{name: "ipv4 total 0xffff", parse: parseIPv4, in: with(2, 0xff), want: wire.ErrTruncated},
		{name: "udp 7 bytes", parse: parseUDP, in: good[20:27], want: wire.ErrTruncated},
		{name: "udp length 7", parse: parseUDP, in: []byte{0, 1, 0, 2, 0, 7, 0, 0}, want: wire.ErrMalformed},
		{name: "udp length past end", parse: parseUDP, in: []byte{0, 1, 0, 2, 0, 9, 0, 0}, want: wire.ErrTruncated},
		{name: "icmp 7 bytes", parse: parseICMP, in: []byte{8, 0, 0, 0, 0, 0, 0}, want: wire.ErrTruncated},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.parse(c.in); !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
}

func TestIPv4TrimsLinkPadding(t *testing.T) {
	padded := append(mustHex(t, udpPacketHex), 0, 0, 0, 0)
	p, err := wire.ParseIPv4(padded)
	if err != nil {
		t.Fatal(err)
	}
	if len(p) != 39 || len(p.Payload()) != 19 {
		t.Fatalf("len %d payload %d, want 39 and 19", len(p), len(p.Payload()))
	}
}

func TestEncodeRejects(t *testing.T) {
	cases := []struct {
		name string
		h    wire.IPv4Header
		buf  int
	}{
		{name: "odd options", h: wire.IPv4Header{Src: addrA, Dst: addrB, Options: []byte{1, 1, 1}}, buf: 60},
		{name: "44 option bytes", h: wire.IPv4Header{Src: addrA, Dst: addrB, Options: make([]byte, 44)}, buf: 80},
		{name: "too long", h: wire.IPv4Header{Src: addrA, Dst: addrB, PayloadLen: 65516}, buf: 20},
		{name: "ipv6 address", h: wire.IPv4Header{Src: netip.IPv6Loopback(), Dst: addrB}, buf: 20},
		{name: "short buffer", h: wire.IPv4Header{Src: addrA, Dst: addrB}, buf: 19},
		{name: "odd fragment offset", h: wire.IPv4Header{Src: addrA, Dst: addrB, FragOffset: 3}, buf: 20},
	}
	for _, c := range cases {
		buf := bytes.Repeat([]byte{0xa5}, c.buf)
		if err := c.h.Encode(buf); err == nil {
			t.Errorf("%s: encoded without error", c.name)
		} else if !bytes.Equal(buf, bytes.Repeat([]byte{0xa5}, c.buf)) {
			t.Errorf("%s: a failed encode wrote to the buffer", c.name)
		}
	}
}

func TestSetTTLKeepsChecksumValid(t *testing.T) {
	p, err := wire.ParseIPv4(mustHex(t, udpPacketHex))
	if err != nil {
		t.Fatal(err)
	}
	p.SetTTL(p.TTL() - 1)
	if p.TTL() != 63 || !p.ChecksumValid() {
		t.Fatalf("ttl %d valid %v", p.TTL(), p.ChecksumValid())
	}
}

func TestFlagsString(t *testing.T) {
	cases := []struct {
		f    wire.IPv4Flags
		want string
	}{
		{f: 0, want: ""},
		{f: wire.IPv4DontFragment, want: "DF"},
		{f: wire.IPv4DontFragment | wire.IPv4MoreFragments, want: "DF|MF"},
	}
	for _, c := range cases {
		if got := c.f.String(); got != c.want {
			t.Errorf("%d: %q, want %q", c.f, got, c.want)
		}
	}
}

func parseIPv4(b []byte) error { _, err := wire.ParseIPv4(b); return err }
func parseUDP(b []byte) error  { _, err := wire.ParseUDP(b); return err }
func parseICMP(b []byte) error { _, err := wire.ParseICMPv4(b); return err }
