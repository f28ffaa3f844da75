package wire_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"socketville/shared/wire"
)

// Ethernet fixtures, with FCS values from Python's zlib.crc32 (the same
// CRC-32), so the tests do not check the code against itself.
const (
	// 02:00:00:00:00:01 -> 02:00:00:00:00:02 carrying udpPacketHex (39
	// bytes), zero padded to 60.
	udpFrameHex = "020000000002" + "020000000001" + "0800" + udpPacketHex + "00000000000000"
	udpFrameFCS = 0x946bba07
	// The ARP request broadcast, padded to 60.
	arpRequestFrameHex = "ffffffffffff" + "020000000001" + "0806" + arpRequestHex + "000000000000000000000000000000000000"
	arpRequestFrameFCS = 0xf84d6fe8
	// The ARP reply, sent to the asker alone.
	arpReplyFrameHex = "020000000001" + "020000000002" + "0806" + arpReplyHex + "000000000000000000000000000000000000"
)

func TestEthernetFixtureBothWays(t *testing.T) {
	want := mustHex(t, udpFrameHex)
	e, err := wire.ParseEthernet(want)
	if err != nil {
		t.Fatal(err)
	}
	if e.Dst() != macB || e.Src() != macA || e.Type() != wire.EtherTypeIPv4 || len(e.Payload()) != 46 {
		t.Fatalf("decoded %v > %v %v payload %d", e.Src(), e.Dst(), e.Type(), len(e.Payload()))
	}
	ip, err := wire.ParseIPv4(e.Payload())
	if err != nil || !bytes.Equal(ip, mustHex(t, udpPacketHex)) {
		t.Fatalf("the payload is not the UDP fixture with its padding cut (%v):\n%x", err, ip)
	}
	h := wire.EthernetHeader{Dst: macB, Src: macA, Type: wire.EtherTypeIPv4}
	buf := bytes.Repeat([]byte{0xa5}, wire.EthernetHeaderLen+1) // unwritten fields would show as a5
	if err := h.Encode(buf); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf[:wire.EthernetHeaderLen], want[:wire.EthernetHeaderLen]) || buf[wire.EthernetHeaderLen] != 0xa5 {
		t.Fatalf("encoded %x, want %x", buf, want[:wire.EthernetHeaderLen])
	}
	if got := wire.NewFrame(h, mustHex(t, udpPacketHex)); !bytes.Equal(got, want) {
		t.Fatalf("NewFrame\n%x\nwant\n%x", got, want)
	}
}

func TestEthernetBadInput(t *testing.T) {
	good := mustHex(t, udpFrameHex)
	with := func(i int, v ...byte) []byte { return patched(good, i, v...) }
	cases := []struct {
		name string
		in   []byte
		want error
	}{
		{name: "empty", in: nil, want: wire.ErrTruncated},
		{name: "13 bytes", in: good[:13], want: wire.ErrTruncated},
		{name: "802.3 length 46", in: with(12, 0x00, 0x2e), want: wire.ErrMalformed},
		{name: "802.3 length 1500", in: with(12, 0x05, 0xdc), want: wire.ErrMalformed},
		{name: "undefined 0x05ff", in: with(12, 0x05, 0xff), want: wire.ErrMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := wire.ParseEthernet(c.in); !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
	_, err := wire.ParseEthernet(with(12, 0x00, 0x2e))
	if err == nil || !strings.Contains(err.Error(), "802.3 length") {
		t.Errorf("error %v should say the type is an 802.3 length", err)
	}
	for _, ok := range [][]byte{good[:14], with(12, 0x06, 0x00), append(bytes.Clone(good), make([]byte, 9000)...)} {
		if _, err := wire.ParseEthernet(ok); err != nil {
			t.Errorf("%d bytes type %x: %v", len(ok), ok[12:14], err)
		}
	}
}

func TestEthernetEncodeRejects(t *testing.T) {
	cases := []struct {
		name string
		h    wire.EthernetHeader
		buf  int
	}{
		{name: "802.3 length", h: wire.EthernetHeader{Type: 46}, buf: 14},
		{name: "short buffer", h: wire.EthernetHeader{Type: wire.EtherTypeARP}, buf: 13},
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

func TestNewFramePads(t *testing.T) {
	h := wire.EthernetHeader{Dst: wire.BroadcastMAC, Src: macA, Type: wire.EtherTypeARP}
	for _, n := range []int{0, 1, 28, 45, 46, 47, 1500} {
		payload := bytes.Repeat([]byte{0x5a}, n)
		f := wire.NewFrame(h, payload)
		want := max(wire.EthernetHeaderLen+n, wire.EthernetMinFrame)
		if len(f) != want {
			t.Errorf("payload %d: frame of %d bytes, want %d", n, len(f), want)
			continue
		}
		if !bytes.Equal(f[wire.EthernetHeaderLen:wire.EthernetHeaderLen+n], payload) ||
			!bytes.Equal(f[wire.EthernetHeaderLen+n:], make([]byte, want-wire.EthernetHeaderLen-n)) {
			t.Errorf("payload %d: %x is not the payload and zeros", n, f[wire.EthernetHeaderLen:])
		}
		f[len(f)-1] ^= 0xff
		if n > 0 && payload[n-1] != 0x5a {
			t.Fatal("NewFrame must copy the payload, not share it")
		}
	}
	if got := wire.NewFrame(h, mustHex(t, arpRequestHex)); !bytes.Equal(got, mustHex(t, arpRequestFrameHex)) {
		t.Fatalf("ARP request frame\n%x\nwant\n%x", got, mustHex(t, arpRequestFrameHex))
	}
}

func TestFCS(t *testing.T) {
	// 0xcbf43926 is the published check value of CRC-32 (the one Ethernet
	// uses) over the ASCII digits 1 to 9.
	if got := wire.FCS([]byte("123456789")); got != 0xcbf43926 {
		t.Fatalf("FCS(123456789) = %#08x, want 0xcbf43926", got)
	}
	cases := []struct {
		name string
		hex  string
		fcs  uint32
	}{
		{name: "udp", hex: udpFrameHex, fcs: udpFrameFCS},
		{name: "arp request", hex: arpRequestFrameHex, fcs: arpRequestFrameFCS},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := mustHex(t, c.hex)
			if got := wire.FCS(f); got != c.fcs {
				t.Fatalf("FCS %#08x, want %#08x", got, c.fcs)
			}
			withFCS := wire.AppendFCS(bytes.Clone(f))
			if len(withFCS) != len(f)+wire.EthernetFCSLen || !bytes.Equal(withFCS[:len(f)], f) {
				t.Fatalf("AppendFCS changed the frame or added %d bytes", len(withFCS)-len(f))
			}
			// Least significant byte first on the wire.
			if wireOrder := withFCS[len(f):]; !bytes.Equal(wireOrder, binary.LittleEndian.AppendUint32(nil, c.fcs)) {
				t.Fatalf("FCS bytes %x, want %#08x least significant first", wireOrder, c.fcs)
			}
			// The CRC-32 over a frame and its FCS is always the same
			// residue; receivers check frames this way.
			if r := crc32.ChecksumIEEE(withFCS); r != 0x2144df1c {
				t.Fatalf("residue %#08x, want 0x2144df1c", r)
			}
			if !wire.FCSValid(withFCS) {
				t.Fatal("FCSValid is false for a good frame")
			}
			for i := range withFCS {
				bad := bytes.Clone(withFCS)
				bad[i] ^= 0x10
				if wire.FCSValid(bad) {
					t.Fatalf("FCSValid is true with byte %d flipped", i)
				}
			}
		})
	}
	for _, n := range []int{0, 3} {
		if wire.FCSValid(make([]byte, n)) {
			t.Errorf("FCSValid is true for %d bytes, too short to hold an FCS", n)
		}
	}
}

func TestEthernetWireLen(t *testing.T) {
	for _, c := range []struct{ n, want int }{{n: 0, want: 84}, {n: 60, want: 84}, {n: 1514, want: 1538}} {
		if got := wire.EthernetWireLen(c.n); got != c.want {
			t.Errorf("EthernetWireLen(%d) = %d, want %d", c.n, got, c.want)
		}
	}
	if wire.EthernetPreamble != [8]byte{0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0xd5} {
		t.Errorf("preamble %x", wire.EthernetPreamble)
	}
}

func TestMAC(t *testing.T) {
	cases := []struct {
		name               string
		m                  wire.MAC
		s                  string
		broad, multi, zero bool
	}{
		{name: "local 1", m: wire.LocalMAC(1), s: "02:00:00:00:00:01"},
		{name: "local 0x010203", m: wire.LocalMAC(0x010203), s: "02:00:00:01:02:03"},
		{name: "local max", m: wire.LocalMAC(0xffffffff), s: "02:00:ff:ff:ff:ff"},
		{name: "broadcast", m: wire.BroadcastMAC, s: "ff:ff:ff:ff:ff:ff", broad: true, multi: true},
		{name: "ipv4 multicast", m: wire.MAC{0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb}, s: "01:00:5e:00:00:fb", multi: true},
		{name: "zero", m: wire.MAC{}, s: "00:00:00:00:00:00", zero: true},
		{name: "vendor", m: wire.MAC{0xa4, 0x5e, 0x60, 0xc2, 0x1b, 0x0d}, s: "a4:5e:60:c2:1b:0d"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.m.String(); got != c.s {
				t.Fatalf("String %q, want %q", got, c.s)
			}
			for _, s := range []string{c.s, strings.ToUpper(c.s)} {
				if back, err := wire.ParseMAC(s); err != nil || back != c.m {
					t.Fatalf("ParseMAC(%q) = %v, %v", s, back, err)
				}
			}
			if c.m.IsBroadcast() != c.broad || c.m.IsMulticast() != c.multi || c.m.IsZero() != c.zero {
				t.Fatalf("broadcast %v multicast %v zero %v", c.m.IsBroadcast(), c.m.IsMulticast(), c.m.IsZero())
			}
		})
	}
	if m := wire.LocalMAC(7); m[0]&0x02 == 0 || m.IsMulticast() {
		t.Error("LocalMAC must be locally administered unicast")
	}
	for _, bad := range []string{"", "02:00:00:00:00", "02:00:00:00:00:01:", "02:00:00:00:00:0g", "02-00-00-00-00-01",
		"0200.0000.0001", "2:0:0:0:0:1", " 02:00:00:00:00:01", "02:00:00:00:00:001", "02:00:00:00:00:01:00:00"} {
		if _, err := wire.ParseMAC(bad); !errors.Is(err, wire.ErrMalformed) {
			t.Errorf("ParseMAC(%q): %v, want ErrMalformed", bad, err)
		}
	}
}

func TestEtherTypeString(t *testing.T) {
	cases := []struct {
		t    wire.EtherType
		want string
	}{
		{t: wire.EtherTypeIPv4, want: "IPv4"},
		{t: wire.EtherTypeARP, want: "ARP"},
		{t: 0x86dd, want: "0x86dd"},
		{t: 0x0600, want: "0x0600"},
	}
	for _, c := range cases {
		if got := c.t.String(); got != c.want {
			t.Errorf("%#04x: %q, want %q", uint16(c.t), got, c.want)
		}
	}
}

func TestFrameSummary(t *testing.T) {
	ipv6 := wire.NewFrame(wire.EthernetHeader{Dst: macB, Src: macA, Type: 0x86dd}, make([]byte, 40))
	dot3 := wire.NewFrame(wire.EthernetHeader{Dst: macB, Src: macA, Type: 46}, make([]byte, 46))
	cases := []struct {
		name  string
		frame []byte
		want  string
	}{
		{name: "udp", frame: mustHex(t, udpFrameHex), want: wire.Summary(mustHex(t, udpPacketHex))},
		{name: "arp request", frame: mustHex(t, arpRequestFrameHex), want: "ARP who-has 10.0.0.2 tell 10.0.0.1"},
		{name: "arp reply", frame: mustHex(t, arpReplyFrameHex), want: "ARP 10.0.0.2 is-at 02:00:00:00:00:02"},
		{name: "arp cut short", frame: mustHex(t, arpRequestFrameHex)[:30], want: "ARP malformed (16 bytes)"},
		{name: "ipv6", frame: ipv6, want: "60 bytes, EtherType 0x86dd"},
		{name: "802.3", frame: dot3, want: "60 bytes, not an Ethernet II frame (802.3 length 46)"},
		{name: "short", frame: make([]byte, 12), want: "12 bytes, not an Ethernet frame"},
		{name: "ipv4 garbage", frame: wire.NewFrame(wire.EthernetHeader{Type: wire.EtherTypeIPv4}, []byte{1, 2, 3}), want: "46 bytes, not IPv4"},
	}
	for _, c := range cases {
		if got := wire.FrameSummary(c.frame); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
	if got := wire.FrameSummary(mustHex(t, udpFrameHex)); got != "UDP 10.0.0.1:49152 > 10.0.0.2:7007 len=11" {
		t.Errorf("udp frame: %s", got)
	}
}

func TestDissectFrameIPv4IsDissectShifted(t *testing.T) {
	for _, tc := range []struct {
		name string
		pkt  []byte
	}{
		{name: "udp, padded", pkt: mustHex(t, udpPacketHex)},
		{name: "tcp", pkt: tcpPacket(t, "GET / HTTP/1.0\r\n\r\n")},
		{name: "ipv4 cut short", pkt: tcpPacket(t, "hi")[:30]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			frame := wire.NewFrame(wire.EthernetHeader{Dst: macB, Src: macA, Type: wire.EtherTypeIPv4}, tc.pkt)
			for _, withFCS := range []bool{false, true} {
				b := frame
				if withFCS {
					b = wire.AppendFCS(bytes.Clone(frame))
				}
				fields := wire.DissectFrame(b, withFCS)
				checkCover(t, b, fields)
				if len(fields) < 3 || fields[0].Name != "destination" || fields[1].Name != "source" || fields[2].Name != "type" {
					t.Fatalf("does not start with the Ethernet header: %+v", fields)
				}
				for _, f := range fields[:3] {
					if f.Header != "Ethernet" || f.Layer != wire.LayerLink {
						t.Fatalf("%s is %s/%v, want Ethernet/link", f.Name, f.Header, f.Layer)
					}
				}
				var inner []wire.Field
				for _, f := range fields[3:] {
					if f.Header == "Ethernet" {
						break
					}
					f.Off -= wire.EthernetHeaderLen
					inner = append(inner, f)
				}
				pkt := tc.pkt
				if ip, err := wire.ParseIPv4(pkt); err != nil {
					pkt = frame[wire.EthernetHeaderLen:] // undecodable: Dissect sees the whole payload
				} else {
					pkt = ip
				}
				if want := wire.Dissect(pkt); !reflect.DeepEqual(inner, want) {
					t.Fatalf("fields inside the frame\n%+v\nwant Dissect's\n%+v", inner, want)
				}
			}
		})
	}
}

func TestDissectFrameFields(t *testing.T) {
	badFCS := wire.AppendFCS(mustHex(t, arpReplyFrameHex))
	badFCS[len(badFCS)-1] ^= 0xff
	dot3 := wire.NewFrame(wire.EthernetHeader{Dst: macB, Src: macA, Type: 46}, make([]byte, 46))
	leaky := mustHex(t, udpFrameHex)
	leaky[len(leaky)-1] = 0xa5
	cases := []struct {
		name    string
		b       []byte
		withFCS bool
		want    []string // "Header/Name@Off+Len=value-substring", in order, a subsequence of the fields
	}{
		{name: "arp request", b: mustHex(t, arpRequestFrameHex), want: []string{
			"Ethernet/destination@0+6=ff:ff:ff:ff:ff:ff (broadcast)",
			"Ethernet/source@6+6=02:00:00:00:00:01",
			"Ethernet/type@12+2=0x0806 (ARP)",
			"ARP/hardware type@14+2=1 (Ethernet)",
			"ARP/protocol type@16+2=0x0800 (IPv4)",
			"ARP/hardware size@18+1=6",
			"ARP/protocol size@19+1=4",
			"ARP/opcode@20+2=1 (request)",
			"ARP/sender MAC@22+6=02:00:00:00:00:01",
			"ARP/sender IP@28+4=10.0.0.1",
			"ARP/target MAC@32+6=00:00:00:00:00:00",
			"ARP/target IP@38+4=10.0.0.2",
			"Ethernet/padding@42+18=18 bytes",
		}},
		{name: "arp reply with FCS", b: wire.AppendFCS(mustHex(t, arpReplyFrameHex)), withFCS: true, want: []string{
			"ARP/opcode@20+2=2 (reply)",
			"Ethernet/padding@42+18=18 bytes",
			"Ethernet/FCS@60+4=(correct)",
		}},
		{name: "wrong FCS", b: badFCS, withFCS: true, want: []string{"Ethernet/FCS@60+4=0x01fd1971 (WRONG, should be 0x01fd198e)"}},
		{name: "udp frame with FCS", b: wire.AppendFCS(mustHex(t, udpFrameHex)), withFCS: true, want: []string{
			"Ethernet/FCS@60+4=0x07ba6b94 (correct)", // as Wireshark prints it: udpFrameFCS in wire order
		}},
		{name: "udp frame", b: mustHex(t, udpFrameHex), want: []string{
			"Ethernet/type@12+2=0x0800 (IPv4)",
			"IPv4/source@26+4=10.0.0.1",
			"UDP/checksum@40+2=(correct)",
			`payload/data@42+11=11 bytes "hello, town"`,
			"Ethernet/padding@53+7=7 bytes",
		}},
		{name: "non-zero padding", b: leaky, want: []string{"Ethernet/padding@53+7=7 bytes, not all zero"}},
		{name: "ipv6", b: wire.NewFrame(wire.EthernetHeader{Type: 0x86dd}, make([]byte, 46)), want: []string{
			"Ethernet/type@12+2=0x86dd",
			"payload/data@14+46=46 bytes",
		}},
		{name: "arp cut short", b: mustHex(t, arpRequestFrameHex)[:30], want: []string{"?/undecodable@14+16=arp: 16 bytes"}},
		{name: "802.3", b: dot3, want: []string{"?/undecodable@0+60=802.3 length"}},
		{name: "802.3 with FCS", b: wire.AppendFCS(dot3), withFCS: true, want: []string{"?/undecodable@0+60=802.3", "Ethernet/FCS@60+4=(correct)"}},
		{name: "short", b: make([]byte, 10), want: []string{"?/undecodable@0+10=truncated"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fields := wire.DissectFrame(c.b, c.withFCS)
			checkCover(t, c.b, fields)
			var got []string
			for _, f := range fields {
				got = append(got, f.Header+"/"+f.Name+"@"+strconv.Itoa(f.Off)+"+"+strconv.Itoa(f.Len)+"="+f.Value)
			}
			i := 0
			for _, g := range got {
				if i < len(c.want) {
					if k := strings.Index(c.want[i], "="); g[:strings.Index(g, "=")] == c.want[i][:k] && strings.Contains(g[k:], c.want[i][k+1:]) {
						i++
					}
				}
			}
			if i < len(c.want) {
				t.Fatalf("no field like %q in order in:\n%s", c.want[i], strings.Join(got, "\n"))
			}
		})
	}
}

func TestLayerString(t *testing.T) {
	cases := []struct {
		l    wire.Layer
		n    int
		want string
	}{
		{l: wire.LayerNetwork, n: 0, want: "network"},
		{l: wire.LayerTransport, n: 1, want: "transport"},
		{l: wire.LayerApplication, n: 2, want: "application"},
		{l: wire.LayerLink, n: 3, want: "link"},
		{l: wire.LayerPhysical, n: 4, want: "physical"},
	}
	for _, c := range cases {
		if int(c.l) != c.n || c.l.String() != c.want {
			t.Errorf("layer %d %q, want %d %q", int(c.l), c.l.String(), c.n, c.want)
		}
	}
}

// TestTsharkReadsFrames is the cross-check against a decoder nobody here
// wrote: Wireshark must read our Ethernet, ARP and IPv4-in-Ethernet frames
// as what they are and find nothing wrong in them.
func TestTsharkReadsFrames(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark is not installed (./build.sh deps installs it)")
	}
	var buf bytes.Buffer
	w, err := wire.NewPcapWriter(&buf, wire.LinkTypeEthernet)
	if err != nil {
		t.Fatal(err)
	}
	for i, hex := range []string{arpRequestFrameHex, arpReplyFrameHex, udpFrameHex} {
		if err := w.WritePacket(time.Duration(i)*time.Millisecond, mustHex(t, hex)); err != nil {
			t.Fatal(err)
		}
	}
	pcap := filepath.Join(t.TempDir(), "frames.pcap")
	if err := os.WriteFile(pcap, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	// Output, not CombinedOutput: tshark warns on stderr when run as root.
	out, err := exec.Command(tshark, "-r", pcap, "-T", "fields", "-e", "frame.protocols").Output()
	if err != nil {
		t.Fatalf("tshark: %v\n%s", err, out)
	}
	got := strings.Fields(string(out))
	want := []string{"eth:ethertype:arp", "eth:ethertype:arp", "eth:ethertype:ip:udp"}
	for i := range want {
		// tshark may name the UDP payload too (":data").
		if len(got) != len(want) || got[i] != want[i] && !strings.HasPrefix(got[i], want[i]+":") {
			t.Fatalf("tshark read protocols %q, want %q", got, want)
		}
	}
	out, err = exec.Command(tshark, "-r", pcap, "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
		"-z", "expert,error", "-q").CombinedOutput()
	if err != nil {
		t.Fatalf("tshark: %v\n%s", err, out)
	}
	if text := string(out); strings.Contains(text, "Errors (") || strings.Contains(strings.ToLower(text), "malformed") {
		t.Fatalf("tshark found errors:\n%s", text)
	}
	out, err = exec.Command(tshark, "-r", pcap, "-T", "fields", "-e", "arp.src.proto_ipv4", "-e", "arp.dst.proto_ipv4",
		"-e", "arp.opcode", "-e", "eth.src", "-e", "eth.dst", "-Y", "arp").Output()
	if err != nil {
		t.Fatalf("tshark: %v\n%s", err, out)
	}
	wantARP := "10.0.0.1\t10.0.0.2\t1\t02:00:00:00:00:01\tff:ff:ff:ff:ff:ff\n" +
		"10.0.0.2\t10.0.0.1\t2\t02:00:00:00:00:02\t02:00:00:00:00:01\n"
	if string(out) != wantARP {
		t.Fatalf("tshark read the ARP frames as\n%s\nwant\n%s", out, wantARP)
	}

	// The same frames with their FCS: tshark must find each one good and
	// print it as DissectFrame does.
	buf.Reset()
	if w, err = wire.NewPcapWriter(&buf, wire.LinkTypeEthernet); err != nil {
		t.Fatal(err)
	}
	var wantFCS strings.Builder
	for i, hex := range []string{arpRequestFrameHex, arpReplyFrameHex, udpFrameHex} {
		f := wire.AppendFCS(mustHex(t, hex))
		if err := w.WritePacket(time.Duration(i)*time.Millisecond, f); err != nil {
			t.Fatal(err)
		}
		fields := wire.DissectFrame(f, true)
		last := fields[len(fields)-1]
		wantFCS.WriteString(strings.TrimSuffix(last.Value, " (correct)") + "\t" + "1\n") // 1: tshark's "Good"
	}
	if err := os.WriteFile(pcap, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = exec.Command(tshark, "-r", pcap, "-o", "eth.fcs:TRUE", "-o", "eth.check_fcs:TRUE",
		"-T", "fields", "-e", "eth.fcs", "-e", "eth.fcs.status").Output()
	if err != nil {
		t.Fatalf("tshark: %v\n%s", err, out)
	}
	if string(out) != wantFCS.String() {
		t.Fatalf("tshark read the FCSs as\n%s\nwant\n%s", out, wantFCS.String())
	}
}
