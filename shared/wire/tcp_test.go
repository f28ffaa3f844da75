package wire_test

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"socketville/shared/wire"
)

// Computed with Python's struct module, outside Go.
const (
	// 10.0.0.1:49152 -> 10.0.0.2:80 SYN, seq 0xfffffff0, window 64240, with
	// Linux's SYN options: MSS 1460, SACK permitted, timestamps 0x01020304/0,
	// NOP, window scale 7.
	synHex = "c0000050fffffff000000000a002faf074c50000020405b40402080a010203040000000001030307"
	// 10.0.0.2:80 -> 10.0.0.1:49152 PSH|ACK seq 1000 ack 2000 window 502, "hello".
	tcpDataHex = "0050c000000003e8000007d0501801f689f4000068656c6c6f"
)

func TestParseTCPSyn(t *testing.T) {
	seg, err := wire.ParseTCP(mustHex(t, synHex))
	if err != nil {
		t.Fatal(err)
	}
	if seg.SrcPort() != 49152 || seg.DstPort() != 80 || seg.Seq() != 0xfffffff0 || seg.Ack() != 0 ||
		seg.Flags() != wire.TCPSyn || seg.Window() != 64240 || seg.HeaderLen() != 40 || seg.SegLen() != 1 {
		t.Fatalf("decoded %d>%d seq %d ack %d %v win %d hl %d", seg.SrcPort(), seg.DstPort(), seg.Seq(), seg.Ack(), seg.Flags(), seg.Window(), seg.HeaderLen())
	}
	if !seg.ChecksumValid(addrA, addrB) {
		t.Fatal("checksum should be valid")
	}
	opts, err := wire.ParseTCPOptions(seg.Options())
	if err != nil {
		t.Fatal(err)
	}
	want := wire.TCPOptions{MSS: 1460, HasMSS: true, WindowScale: 7, HasWindowScale: true, SACKPermitted: true,
		TSVal: 0x01020304, HasTimestamps: true}
	if !reflect.DeepEqual(opts, want) {
		t.Fatalf("options %+v, want %+v", opts, want)
	}
}

func TestEncodeTCPMatchesFixtures(t *testing.T) {
	want := mustHex(t, synHex)
	opts := wire.TCPOptions{MSS: 1460, HasMSS: true, WindowScale: 7, HasWindowScale: true, SACKPermitted: true,
		TSVal: 0x01020304, HasTimestamps: true}.Encode()
	h := wire.TCPHeader{SrcPort: 49152, DstPort: 80, Seq: 0xfffffff0, Flags: wire.TCPSyn, Window: 64240, Options: opts}
	buf := bytes.Repeat([]byte{0xa5}, len(want))
	if err := h.Encode(buf, addrA, addrB); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf, want) {
		t.Fatalf("SYN encoded\n%x\nwant\n%x", buf, want)
	}

	want = mustHex(t, tcpDataHex)
	buf = bytes.Repeat([]byte{0xa5}, len(want))
	copy(buf[wire.TCPMinHeaderLen:], "hello")
	h = wire.TCPHeader{SrcPort: 80, DstPort: 49152, Seq: 1000, Ack: 2000, Flags: wire.TCPPsh | wire.TCPAck, Window: 502}
	if err := h.Encode(buf, addrB, addrA); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf, want) {
		t.Fatalf("data encoded\n%x\nwant\n%x", buf, want)
	}
	seg, _ := wire.ParseTCP(buf)
	if string(seg.Payload()) != "hello" || seg.SegLen() != 5 || seg.Flags().String() != "PSH|ACK" {
		t.Fatalf("payload %q seglen %d flags %v", seg.Payload(), seg.SegLen(), seg.Flags())
	}
	buf[len(buf)-1] ^= 0x20
	if seg.ChecksumValid(addrB, addrA) {
		t.Fatal("a flipped bit must fail the checksum")
	}
}

func TestParseTCPBad(t *testing.T) {
	syn := mustHex(t, synHex)
	cases := []struct {
		name string
		in   []byte
		want error
	}{
		{name: "19 bytes", in: syn[:19], want: wire.ErrTruncated},
		{name: "offset 4", in: append([]byte{}, append(syn[:12:12], append([]byte{0x40}, syn[13:]...)...)...), want: wire.ErrMalformed},
		{name: "offset past end", in: syn[:30], want: wire.ErrTruncated},
	}
	for _, c := range cases {
		if _, err := wire.ParseTCP(c.in); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}

func TestTCPOptionsThatLie(t *testing.T) {
	cases := []struct {
		name string
		in   []byte
	}{
		{name: "length past end", in: []byte{2, 8, 5, 0xb4}},
		{name: "length below 2", in: []byte{2, 1, 5, 0xb4}},
		{name: "kind without length", in: []byte{1, 1, 1, 2}},
		{name: "mss of 3 bytes", in: []byte{2, 5, 5, 0xb4, 0}},
		{name: "timestamps of 6 bytes", in: []byte{8, 8, 0, 0, 0, 0, 0, 0}},
		{name: "half a sack block", in: []byte{5, 6, 0, 0, 0, 0}},
	}
	for _, c := range cases {
		if _, err := wire.ParseTCPOptions(c.in); err == nil {
			t.Errorf("%s: %x accepted", c.name, c.in)
		}
	}
	o, err := wire.ParseTCPOptions([]byte{1, 1, 30, 4, 9, 9, 3, 3, 20, 0, 2, 4})
	if err != nil || o.WindowScale != wire.MaxWindowScale || o.HasMSS {
		t.Fatalf("unknown option skipped, scale clamped to 14, parsing stops at End: %+v %v", o, err)
	}
}

func TestTCPOptionsRoundTrip(t *testing.T) {
	cases := []wire.TCPOptions{
		{},
		{MSS: 536, HasMSS: true},
		{SACKPermitted: true},
		{TSVal: 7, TSEcr: 9, HasTimestamps: true, SACK: []wire.SACKBlock{{Left: 1, Right: 2}, {Left: 5, Right: 9}}},
		{SACK: []wire.SACKBlock{{1, 2}, {3, 4}, {5, 6}, {7, 8}}},
		{MSS: 1460, HasMSS: true, WindowScale: 14, HasWindowScale: true, SACKPermitted: true, TSVal: 1, HasTimestamps: true},
	}
	for _, c := range cases {
		b := c.Encode()
		if len(b)%4 != 0 || len(b) > 40 {
			t.Fatalf("%+v encodes to %d bytes", c, len(b))
		}
		got, err := wire.ParseTCPOptions(b)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.SACK) == 0 {
			c.SACK = nil
		}
		if len(got.SACK) == 0 {
			got.SACK = nil
		}
		if !reflect.DeepEqual(got, c) {
			t.Fatalf("%x decodes to %+v, want %+v", b, got, c)
		}
	}
}

func TestSeqNumWraps(t *testing.T) {
	var hi wire.SeqNum = 0xfffffff0
	lo := hi.Add(0x20) // wrapped past zero
	if lo != 0x10 || !hi.LessThan(lo) || lo.LessThan(hi) || lo.Sub(hi) != 0x20 || hi.Sub(lo) != -0x20 {
		t.Fatalf("wraparound: %d %v %v %d", lo, hi.LessThan(lo), lo.LessThan(hi), lo.Sub(hi))
	}
	if !lo.InWindow(hi, 0x21) || lo.InWindow(hi, 0x20) || !hi.LessEq(hi) {
		t.Fatal("window test across the wrap")
	}
}

func TestTCPFlagsString(t *testing.T) {
	cases := map[wire.TCPFlags]string{0: "-", wire.TCPSyn: "SYN", wire.TCPSyn | wire.TCPAck: "SYN|ACK",
		wire.TCPFin | wire.TCPAck: "FIN|ACK", wire.TCPRst: "RST", wire.TCPPsh | wire.TCPAck: "PSH|ACK"}
	for f, want := range cases {
		if f.String() != want {
			t.Errorf("%d prints %q, want %q", f, f, want)
		}
	}
}

func FuzzParseTCP(f *testing.F) {
	f.Add(mustHex(f, synHex))
	f.Add(mustHex(f, tcpDataHex))
	f.Fuzz(func(t *testing.T, b []byte) {
		seg, err := wire.ParseTCP(b)
		if err != nil {
			return
		}
		_, _, _, _ = seg.SrcPort(), seg.DstPort(), seg.Seq(), seg.Ack()
		_, _, _, _ = seg.Flags().String(), seg.Window(), seg.Urgent(), seg.SegLen()
		_ = seg.ChecksumValid(addrA, addrB)
		if len(seg.Options())+len(seg.Payload())+wire.TCPMinHeaderLen != len(b) {
			t.Fatal("options and payload do not add up")
		}
		if o, err := wire.ParseTCPOptions(seg.Options()); err == nil {
			if again, err := wire.ParseTCPOptions(o.Encode()); err != nil || again.MSS != o.MSS || again.WindowScale != o.WindowScale {
				t.Fatalf("options %+v do not survive a round trip: %+v %v", o, again, err)
			}
		}
		_ = wire.Summary(append(mustHex(t, "450000280001400040060000"+"0a0000010a000002"), b...))
	})
}
