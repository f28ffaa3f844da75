package wire_test

import (
	"testing"

	"socketville/shared/wire"
)

func TestSummary(t *testing.T) {
	ipFor := func(proto wire.Protocol, payload []byte) []byte {
		h := wire.IPv4Header{TTL: 64, Protocol: proto, Src: addrA, Dst: addrB, PayloadLen: len(payload)}
		b := make([]byte, h.Len()+len(payload))
		if err := h.Encode(b); err != nil {
			t.Fatal(err)
		}
		copy(b[h.Len():], payload)
		return b
	}
	cases := []struct {
		name string
		pkt  []byte
		want string
	}{
		{name: "udp", pkt: mustHex(t, udpPacketHex), want: "UDP 10.0.0.1:49152 > 10.0.0.2:7007 len=11"},
		{name: "tcp syn", pkt: ipFor(wire.ProtocolTCP, mustHex(t, synHex)),
			want: "TCP 10.0.0.1:49152 > 10.0.0.2:80 SYN seq=4294967280 win=64240 len=0 <mss 1460,sack-ok,ts 16909060/0,wscale 7>"},
		{name: "tcp data", pkt: ipFor(wire.ProtocolTCP, mustHex(t, tcpDataHex)),
			want: "TCP 10.0.0.1:80 > 10.0.0.2:49152 PSH|ACK seq=1000 ack=2000 win=502 len=5"},
		{name: "echo", pkt: ipFor(wire.ProtocolICMP, mustHex(t, echoHex)), want: "ICMP 10.0.0.1 > 10.0.0.2 echo request id=4660 seq=1 len=4"},
		{name: "port unreachable", pkt: ipFor(wire.ProtocolICMP, append(mustHex(t, "0303fcfc00000000"), mustHex(t, udpPacketHex)[:28]...)),
			want: "ICMP 10.0.0.1 > 10.0.0.2 destination unreachable (port unreachable) for UDP 10.0.0.1:49152 > 10.0.0.2:7007"},
		{name: "garbage", pkt: []byte{1, 2, 3}, want: "3 bytes, not IPv4"},
		{name: "truncated tcp", pkt: ipFor(wire.ProtocolTCP, []byte{1, 2, 3}), want: "TCP 10.0.0.1 > 10.0.0.2 malformed"},
	}
	for _, c := range cases {
		if got := wire.Summary(c.pkt); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
}
