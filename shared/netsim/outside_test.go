package netsim_test

import (
	"fmt"
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

// TestRoadsToTwoPeers: ann's host has one point-to-point port for each of
// two peers' hosts on the same subnet, as a shared town's roads are; a
// ping reaches each over its own port, and once a road is down what is
// sent on it is dropped with the words given.
func TestRoadsToTwoPeers(t *testing.T) {
	worlds := map[string]*netsim.World{}
	for i, name := range []string{"ann", "bob", "cy"} {
		w := netsim.New(netsim.Options{Seed: uint64(i)})
		must(w.AddHost(name, []netip.Prefix{mustPrefix(fmt.Sprintf("10.99.0.%d/24", i+1))}, netsim.HostOptions{}))
		worlds[name] = w
	}
	// A road is two ports, each handing its frames to the other's queue.
	type road struct {
		a, b     *netsim.OutsidePort
		toA, toB [][]byte
	}
	var roads []*road
	join := func(x, xAddr, y, yAddr string) *road {
		r := &road{}
		mac := byte(len(roads)*2 + 1)
		r.a = must(worlds[x].AddOutside(x, netsim.PortOptions{Far: []netip.Addr{netipAddr(yAddr)}, PointToPoint: true, To: y,
			MAC: [6]byte{0x02, 0x50, 0, 0, 0, mac}, MTU: 1160}, func(f []byte) { r.toB = append(r.toB, f) }))
		r.b = must(worlds[y].AddOutside(y, netsim.PortOptions{Far: []netip.Addr{netipAddr(xAddr)}, PointToPoint: true, To: x,
			MAC: [6]byte{0x02, 0x50, 0, 0, 0, mac + 1}, MTU: 1160}, func(f []byte) { r.toA = append(r.toA, f) }))
		roads = append(roads, r)
		return r
	}
	toBob := join("ann", "10.99.0.1", "bob", "10.99.0.2")
	join("ann", "10.99.0.1", "cy", "10.99.0.3")
	carry := func() {
		for range 50 {
			for _, r := range roads {
				toA, toB := r.toA, r.toB
				r.toA, r.toB = nil, nil
				for _, f := range toB {
					r.b.Deliver(f)
				}
				for _, f := range toA {
					r.a.Deliver(f)
				}
			}
			for _, w := range worlds {
				w.RunFor(time.Millisecond)
			}
		}
	}
	var events []sock.Event
	worlds["ann"].Observe(func(e sock.Event) { events = append(events, e) })
	p := must(worlds["ann"].Host("ann").AddProcess("p", false))
	fd := must(p.Socket(sock.SockICMP))
	for _, far := range []string{"10.99.0.2", "10.99.0.3"} {
		must(p.SendTo(fd, []byte("hi"), ap(far+":0")))
		carry()
		if dg, err := p.RecvFrom(fd, 100); err != nil || dg.From.Addr() != netipAddr(far) {
			t.Fatalf("ping %s: %v %+v", far, err, dg)
		}
	}
	hops := map[string]int{}
	for _, e := range events {
		if e.Kind == sock.KindSent {
			hops[e.Link.To]++
		}
	}
	if hops["bob"] == 0 || hops["cy"] == 0 || len(hops) != 2 {
		t.Fatalf("ann's frames left on the roads %v; want some to bob and some to cy, and none elsewhere", hops)
	}
	toBob.a.SetDown("bob left the room")
	events = nil
	must(p.SendTo(fd, []byte("gone?"), ap("10.99.0.2:0")))
	carry()
	dropped := false
	for _, e := range events {
		dropped = dropped || e.Kind == sock.KindDropped && e.Reason == "bob left the room" && e.Link.To == "bob"
	}
	if !dropped || len(toBob.toB) != 0 {
		t.Fatalf("a ping on the road that is gone: dropped with its words %v, frames that still left %d", dropped, len(toBob.toB))
	}
	if _, err := worlds["ann"].AddOutside("ann", netsim.PortOptions{MAC: toBob.a.MAC()}, func([]byte) {}); err == nil {
		t.Fatal("a second port with a MAC already taken was made")
	}
}
