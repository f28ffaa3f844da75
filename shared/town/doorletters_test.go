package town

import (
	"net/netip"
	"testing"
	"time"

	"socketville/shared/sock"
	"socketville/shared/town/layout"
	"socketville/shared/town/play"
	"socketville/shared/wire"
)

// TestLettersBetweenDoors: a watched machine's packet to itself (a
// loopback link "h->h", no road) is a letter from the sending door to the
// receiving one on the same plot, found by the packet's addresses: the
// client's connection, and the listener for a SYN to its port.
func TestLettersBetweenDoors(t *testing.T) {
	f := play.NewFed("Linux", "watching ns", nil)
	p, err := play.New(play.Options{Name: "ns", Feed: f})
	if err != nil {
		t.Fatal(err)
	}
	server := netip.MustParseAddrPort("127.0.0.1:8000")
	client := netip.MustParseAddrPort("127.0.0.1:41000")
	snap := sock.Snapshot{Now: time.Second, Hosts: []sock.HostState{{Name: "ns", Processes: []sock.ProcessState{
		{Name: "python3 (42) root", PID: 42, Sockets: []sock.SocketState{{ID: 1, FD: 3, Type: sock.SockTCP,
			State: sock.StateListen, Local: server, TCP: &sock.TCPState{}}}},
		{Name: "curl (43) root", PID: 43, Sockets: []sock.SocketState{{ID: 2, FD: 5, Type: sock.SockTCP,
			State: sock.StateSynSent, Local: client, Remote: server, TCP: &sock.TCPState{}}}},
	}}}}
	syn := make([]byte, 40)
	if err := (wire.IPv4Header{Src: client.Addr(), Dst: server.Addr(), Protocol: wire.ProtocolTCP, TTL: 64, PayloadLen: 20}).Encode(syn); err != nil {
		t.Fatal(err)
	}
	if err := (wire.TCPHeader{SrcPort: client.Port(), DstPort: server.Port(), Flags: wire.TCPSyn}).Encode(syn[20:], client.Addr(), server.Addr()); err != nil {
		t.Fatal(err)
	}
	f.Feed(play.Message{Type: "event", Event: play.ToWire(sock.Event{Time: time.Second, Kind: sock.KindSent, Host: "ns",
		Link: sock.Hop{From: "ns", To: "ns"}, Local: client, Remote: server, Packet: syn})})
	f.Feed(play.Message{Type: "snapshot", Snapshot: &snap})
	p.Tick(time.Second / 60)
	p.Tick(time.Second / 60)
	letters := p.Animation().Letters
	if len(letters) != 1 || letters[0].Label != "SYN" {
		t.Fatalf("letters %+v, want one SYN", letters)
	}
	g := &Game{player: p}
	g.lay, g.layGen = layout.Of(p.Snapshot()), p.SnapshotGen()
	var from, to layout.Door
	for _, pl := range g.lay.Plots {
		for _, h := range pl.Houses {
			for _, d := range h.Doors {
				switch d.Socket.ID {
				case 1:
					to = d
				case 2:
					from = d
				}
			}
		}
	}
	pt, ok := g.letterPoint(letters[0])
	if !ok {
		t.Fatal("the letter is nowhere")
	}
	lo := min(from.Rect.Min.X, to.Rect.Min.X)
	hi := max(from.Rect.Max.X, to.Rect.Max.X)
	top := min(from.Rect.Min.Y, to.Rect.Min.Y) - doorArc
	bottom := max(from.Rect.Max.Y, to.Rect.Max.Y)
	if pt.X < lo || pt.X > hi || pt.Y < top || pt.Y > bottom {
		t.Errorf("the letter is at %+v, not between curl's door %+v and the listener %+v", pt, from.Rect, to.Rect)
	}
}
