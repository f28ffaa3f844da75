package wire_test

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"

	"socketville/shared/wire"
)

// ARP fixtures laid out by hand from RFC 826's packet format: hardware type
// 1, protocol type 0x0800, lengths 6 and 4, op, then sender MAC and IP,
// target MAC and IP.
const (
	// 10.0.0.1 (02:00:00:00:00:01) asks who has 10.0.0.2.
	arpRequestHex = "0001" + "0800" + "06" + "04" + "0001" + "020000000001" + "0a000001" + "000000000000" + "0a000002"
	// 10.0.0.2 answers 10.0.0.1: 10.0.0.2 is at 02:00:00:00:00:02.
	arpReplyHex = "0001" + "0800" + "06" + "04" + "0002" + "020000000002" + "0a000002" + "020000000001" + "0a000001"
)

var (
	macA = wire.LocalMAC(1)
	macB = wire.LocalMAC(2)
)

func TestARPFixturesBothWays(t *testing.T) {
	cases := []struct {
		name string
		hex  string
		h    wire.ARPHeader
	}{
		{name: "request", hex: arpRequestHex, h: wire.ARPHeader{Op: wire.ARPRequest, SenderMAC: macA, SenderIP: addrA, TargetIP: addrB}},
		{name: "reply", hex: arpReplyHex, h: wire.ARPHeader{Op: wire.ARPReply, SenderMAC: macB, SenderIP: addrB, TargetMAC: macA, TargetIP: addrA}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := mustHex(t, c.hex)
			a, err := wire.ParseARP(append(bytes.Clone(want), make([]byte, 18)...)) // as it comes in a padded frame
			if err != nil {
				t.Fatal(err)
			}
			got := wire.ARPHeader{Op: a.Op(), SenderMAC: a.SenderMAC(), SenderIP: a.SenderIP(), TargetMAC: a.TargetMAC(), TargetIP: a.TargetIP()}
			if got != c.h {
				t.Fatalf("decoded %+v, want %+v", got, c.h)
			}
			if len(a) != wire.ARPLen {
				t.Fatalf("view of %d bytes, want the padding cut off at %d", len(a), wire.ARPLen)
			}
			buf := bytes.Repeat([]byte{0xa5}, wire.ARPLen+2) // unwritten fields would show as a5
			if err := c.h.Encode(buf); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf[:wire.ARPLen], want) || !bytes.Equal(buf[wire.ARPLen:], []byte{0xa5, 0xa5}) {
				t.Fatalf("encoded\n%x\nwant\n%x", buf, want)
			}
		})
	}
}

func TestARPBadInput(t *testing.T) {
	good := mustHex(t, arpRequestHex)
	with := func(i int, v ...byte) []byte { return patched(good, i, v...) }
	cases := []struct {
		name string
		in   []byte
		want error
	}{
		{name: "empty", in: nil, want: wire.ErrTruncated},
		{name: "27 bytes", in: good[:27], want: wire.ErrTruncated},
		{name: "header only", in: good[:8], want: wire.ErrTruncated},
		{name: "hardware type 6 (IEEE 802)", in: with(0, 0, 6), want: wire.ErrMalformed},
		{name: "protocol type IPv6", in: with(2, 0x86, 0xdd), want: wire.ErrMalformed},
		{name: "hardware length 8", in: with(4, 8), want: wire.ErrMalformed},
		{name: "protocol length 16", in: with(5, 16), want: wire.ErrMalformed},
		{name: "op 0", in: with(6, 0, 0), want: wire.ErrMalformed},
		{name: "op 3 (RARP)", in: with(6, 0, 3), want: wire.ErrMalformed},
		{name: "op 0x0101", in: with(6, 1, 1), want: wire.ErrMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := wire.ParseARP(c.in); !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
}

func TestARPErrorsSayWhichField(t *testing.T) {
	good := mustHex(t, arpRequestHex)
	cases := []struct {
		at   int
		v    byte
		want string
	}{
		{at: 1, v: 6, want: "hardware type 6"},
		{at: 3, v: 0xdd, want: "protocol type 0x08dd"},
		{at: 4, v: 8, want: "hardware address length 8"},
		{at: 5, v: 16, want: "protocol address length 16"},
		{at: 7, v: 3, want: "op 3"},
	}
	for _, c := range cases {
		b := bytes.Clone(good)
		b[c.at] = c.v
		_, err := wire.ParseARP(b)
		if err == nil || !bytes.Contains([]byte(err.Error()), []byte(c.want)) {
			t.Errorf("byte %d = %d: error %v, want it to say %q", c.at, c.v, err, c.want)
		}
	}
}

func TestARPEncodeRejects(t *testing.T) {
	ok := wire.ARPHeader{Op: wire.ARPRequest, SenderMAC: macA, SenderIP: addrA, TargetIP: addrB}
	cases := []struct {
		name string
		h    wire.ARPHeader
		buf  int
	}{
		{name: "op 0", h: wire.ARPHeader{SenderIP: addrA, TargetIP: addrB}, buf: 28},
		{name: "op 3", h: wire.ARPHeader{Op: 3, SenderIP: addrA, TargetIP: addrB}, buf: 28},
		{name: "ipv6 sender", h: wire.ARPHeader{Op: wire.ARPReply, SenderIP: netip.IPv6Loopback(), TargetIP: addrB}, buf: 28},
		{name: "mapped target", h: wire.ARPHeader{Op: wire.ARPReply, SenderIP: addrA, TargetIP: netip.AddrFrom16(addrB.As16())}, buf: 28},
		{name: "zero target", h: wire.ARPHeader{Op: wire.ARPReply, SenderIP: addrA}, buf: 28},
		{name: "short buffer", h: ok, buf: 27},
	}
	for _, c := range cases {
		buf := bytes.Repeat([]byte{0xa5}, c.buf)
		if err := c.h.Encode(buf); err == nil {
			t.Errorf("%s: encoded without error", c.name)
		} else if !bytes.Equal(buf, bytes.Repeat([]byte{0xa5}, c.buf)) {
			t.Errorf("%s: a failed encode wrote to the buffer", c.name)
		}
	}
	if err := ok.Encode(make([]byte, 28)); err != nil {
		t.Fatalf("the good header: %v", err)
	}
}

func TestARPOpString(t *testing.T) {
	cases := []struct {
		op   wire.ARPOp
		want string
	}{
		{op: wire.ARPRequest, want: "request"},
		{op: wire.ARPReply, want: "reply"},
		{op: 3, want: "op 3"},
	}
	for _, c := range cases {
		if got := c.op.String(); got != c.want {
			t.Errorf("%d: %q, want %q", uint16(c.op), got, c.want)
		}
	}
}

func TestARPSummary(t *testing.T) {
	announce := wire.ARPHeader{Op: wire.ARPRequest, SenderMAC: macA, SenderIP: addrA, TargetIP: addrA}
	probe := wire.ARPHeader{Op: wire.ARPRequest, SenderMAC: macA, SenderIP: netip.IPv4Unspecified(), TargetIP: addrA}
	cases := []struct {
		name string
		in   []byte
		want string
	}{
		{name: "request", in: mustHex(t, arpRequestHex), want: "ARP who-has 10.0.0.2 tell 10.0.0.1"},
		{name: "reply", in: mustHex(t, arpReplyHex), want: "ARP 10.0.0.2 is-at 02:00:00:00:00:02"},
		{name: "announce", in: encodeARP(t, announce), want: "ARP announce 10.0.0.1"},
		{name: "probe", in: encodeARP(t, probe), want: "ARP who-has 10.0.0.1 tell 0.0.0.0"},
		{name: "short", in: mustHex(t, arpReplyHex)[:20], want: "ARP malformed (20 bytes)"},
	}
	for _, c := range cases {
		if got := wire.ARPSummary(c.in); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
}

func encodeARP(t testing.TB, h wire.ARPHeader) []byte {
	t.Helper()
	b := make([]byte, wire.ARPLen)
	if err := h.Encode(b); err != nil {
		t.Fatal(err)
	}
	return b
}
