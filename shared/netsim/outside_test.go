package netsim_test

import (
	"net/netip"
	"testing"
	"time"

	"socketville/shared/netsim"
	"socketville/shared/sock"
)

// TestOutsidePortsJoinTwoWorlds: two worlds, each with a host whose
// outside port hands its frames to the other world, ARP and ping across
// as if one cable joined them: the medium a peer's data channel will be.
func TestOutsidePortsJoinTwoWorlds(t *testing.T) {
	var toA, toB [][]byte
	wa, wb := netsim.New(netsim.Options{Seed: 1}), netsim.New(netsim.Options{Seed: 2, FirstMAC: 1 << 16})
	a := must(wa.AddHost("a", []netip.Prefix{mustPrefix("10.0.0.1/24")}, netsim.HostOptions{}))
	must(wb.AddHost("b", []netip.Prefix{mustPrefix("10.0.0.2/24")}, netsim.HostOptions{}))
	pa := must(wa.AddOutsidePort("a", []netip.Addr{netipAddr("10.0.0.2")}, 1160, func(f []byte) { toB = append(toB, f) }))
	pb := must(wb.AddOutsidePort("b", []netip.Addr{netipAddr("10.0.0.1")}, 1160, func(f []byte) { toA = append(toA, f) }))
	if pa.MAC() == pb.MAC() {
		t.Fatalf("both ends have %v", pa.MAC())
	}
	p := must(a.AddProcess("p", false))
	fd := must(p.Socket(sock.SockICMP))
	must(p.SendTo(fd, []byte("across"), ap("10.0.0.2:0")))
	carry := func() {
		for range 50 {
			forB, forA := toB, toA
			toA, toB = nil, nil
			for _, f := range forB {
				pb.Deliver(f)
			}
			for _, f := range forA {
				pa.Deliver(f)
			}
			wa.RunFor(time.Millisecond)
			wb.RunFor(time.Millisecond)
		}
	}
	carry()
	dg, err := p.RecvFrom(fd, 100)
	if err != nil || dg.From.Addr() != netipAddr("10.0.0.2") {
		t.Fatalf("no echo reply across the two worlds: %v %+v", err, dg)
	}
	if _, err := p.SendTo(fd, make([]byte, 1200), ap("10.0.0.2:0")); err != nil {
		t.Fatalf("a 1228-byte ping over a 1160-byte port should leave in fragments: %v", err)
	}
	carry()
	if dg, err := p.RecvFrom(fd, 2000); err != nil || dg.Len != 1208 {
		t.Fatalf("the big ping's reply: %v, %d bytes; want 1208 (8 of ICMP header and the 1200 sent), reassembled", err, dg.Len)
	}
}
