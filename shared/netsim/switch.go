package netsim

import (
	"fmt"
	"net"
	"slices"
	"time"

	"socketville/shared/sock"
	"socketville/shared/wire"
)

// The learning switch's defaults: 8 ports, Linux's bridge ageing time, and
// a MAC table that stops learning when full (so a flood of made-up source
// addresses cannot grow it without bound; the frames are still passed on).
const (
	DefaultSwitchPorts = 8
	MaxSwitchPorts     = 64
	fdbAgeing          = 300 * time.Second
	fdbMax             = 1024
)

// Switch is a learning switch (IEEE 802.1D without the spanning tree): it
// learns behind which port each source MAC address is, sends a frame for a
// known address out of that port only, and floods broadcasts and unknown
// addresses out of every other port.
type Switch struct {
	w     *World
	name  string
	ports []*switchPort // index 0 is port 1
	fdb   []fdbEntry    // in the order addresses were learned
	drops map[string]int
	ids   uint64 // entries made, for their wake-ups' names
}

// switchPort is one port of a switch, and the endpoint of the cable
// plugged into it.
type switchPort struct {
	sw   *Switch
	n    int      // 1-based
	med  *linkDir // the cable's direction away from the switch; nil while no cable is plugged in
	link *Link
}

type fdbEntry struct {
	mac  wire.MAC
	port int
	seen time.Duration
	id   uint64 // names the entry's ageing wake-up
}

func (p *switchPort) nodeName() string        { return p.sw.name }
func (p *switchPort) countDrop(reason string) { p.sw.drops[reason]++ }
func (p *switchPort) arrive(f frame, _ *linkDir) {
	p.sw.receive(p, f)
}

// AddSwitch makes a learning switch with ports ports (DefaultSwitchPorts
// when 0). Switches and hosts share one namespace of names.
func (w *World) AddSwitch(name string, ports int) (*Switch, error) {
	if err := checkName("switch", name); err != nil {
		return nil, err
	}
	if w.Host(name) != nil || w.Switch(name) != nil {
		return nil, fmt.Errorf("switch %s: the name is taken: %w", name, sock.ErrInval)
	}
	if ports == 0 {
		ports = DefaultSwitchPorts
	}
	if ports < 2 || ports > MaxSwitchPorts {
		return nil, fmt.Errorf("switch %s: %d ports: want 2 to %d: %w", name, ports, MaxSwitchPorts, sock.ErrInval)
	}
	sw := &Switch{w: w, name: name, drops: map[string]int{}}
	for i := range ports {
		sw.ports = append(sw.ports, &switchPort{sw: sw, n: i + 1})
	}
	w.switches = append(w.switches, sw)
	return sw, nil
}

// Switch returns the switch called name, or nil.
func (w *World) Switch(name string) *Switch {
	for _, s := range w.switches {
		if s.name == name {
			return s
		}
	}
	return nil
}

// Name is the switch's name.
func (s *Switch) Name() string { return s.name }

// freePort is the lowest port with no cable, or nil.
func (s *Switch) freePort() *switchPort {
	for _, p := range s.ports {
		if p.med == nil {
			return p
		}
	}
	return nil
}

// receive switches a frame that came in on port in.
func (s *Switch) receive(in *switchPort, f frame) {
	if f.bad {
		s.drop(f, "bad FCS: the frame was damaged on the way")
		return
	}
	eth, err := wire.ParseEthernet(f.b)
	if err != nil {
		s.drop(f, "malformed Ethernet frame: "+err.Error())
		return
	}
	now := s.w.sched.Now()
	if src := eth.Src(); src.IsMulticast() || src.IsZero() {
		s.dropAs(f, "source is not a station's address", fmt.Sprintf("source %v is not a station's address", src))
		return
	}
	s.learn(eth.Src(), in.n, now)
	dst := eth.Dst()
	if !dst.IsMulticast() {
		if e := s.lookup(dst, now); e != nil {
			if e.port == in.n {
				s.dropAs(f, "filtered: the destination is behind the port the frame came in on", fmt.Sprintf("%v is behind the port the frame came in on (%d)", dst, in.n))
				return
			}
			s.forward(s.ports[e.port-1], f, "")
			return
		}
	}
	why := "flooded: broadcast"
	if !dst.IsMulticast() {
		why = fmt.Sprintf("flooded: where %v is, is not known", dst)
	}
	for _, p := range s.ports {
		if p != in && p.med != nil {
			s.forward(p, f, why)
		}
	}
}

// forward sends a frame out of port out.
func (s *Switch) forward(out *switchPort, f frame, why string) {
	if out.med == nil {
		s.dropAs(f, "the port where the destination was learned has no cable", fmt.Sprintf("port %d, where %v was learned, has no cable", out.n, wire.Ethernet(f.b).Dst()))
		return
	}
	s.w.emit(sock.Event{Kind: sock.KindForwarded, Host: s.name, Link: out.med.way, Packet: f.l3, Frame: f.b, Reason: why})
	out.med.send(f, nil, "")
}

// learn notes that mac is behind port, now.
func (s *Switch) learn(mac wire.MAC, port int, now time.Duration) {
	for i := range s.fdb {
		e := &s.fdb[i]
		if e.mac != mac {
			continue
		}
		if now-e.seen >= fdbAgeing {
			s.lookup(mac, now) // forgets it, and says so; learned anew below
			break
		}
		moved := e.port != port
		e.port, e.seen = port, now
		if moved {
			s.publish(*e, "moved")
		}
		return
	}
	if len(s.fdb) >= fdbMax {
		s.drops[fmt.Sprintf("MAC table full (%d addresses): not learned", fdbMax)]++
		return
	}
	s.ids++
	e := fdbEntry{mac: mac, port: port, seen: now, id: s.ids}
	s.fdb = append(s.fdb, e)
	s.publish(e, "learned")
	s.w.sched.Schedule(now+fdbAgeing, s, e.id)
}

// Fire ages entry id: forgotten once fdbAgeing has passed since a frame
// from its address last came in, else looked at again then, as Linux's
// br_fdb_cleanup sweeps the table.
func (s *Switch) Fire(id uint64) {
	now := s.w.sched.Now()
	for i, e := range s.fdb {
		if e.id != id {
			continue
		}
		if left := e.seen + fdbAgeing - now; left > 0 {
			s.w.sched.Schedule(now+left, s, id)
			return
		}
		s.fdb = slices.Delete(s.fdb, i, i+1)
		s.publish(e, "aged out")
		return
	}
}

// lookup finds where mac is, forgetting it first if it was last seen
// longer ago than the ageing time. Linux's bridge looks at the age on
// lookup too, besides sweeping on a timer; the simulator only looks, so
// ageing wakes nothing.
func (s *Switch) lookup(mac wire.MAC, now time.Duration) *fdbEntry {
	for i := range s.fdb {
		e := &s.fdb[i]
		if e.mac != mac {
			continue
		}
		if now-e.seen >= fdbAgeing {
			old := *e
			s.fdb = slices.Delete(s.fdb, i, i+1)
			s.publish(old, "aged out")
			return nil
		}
		return e
	}
	return nil
}

func (s *Switch) publish(e fdbEntry, why string) {
	st := s.entryState(e)
	s.w.emit(sock.Event{Kind: sock.KindFDB, Host: s.name, FDB: &st, Reason: why})
}

func (s *Switch) entryState(e fdbEntry) sock.FDBEntry {
	return sock.FDBEntry{MAC: net.HardwareAddr(e.mac[:]), Port: e.port, Age: s.w.sched.Now() - e.seen}
}

func (s *Switch) drop(f frame, reason string) { s.dropAs(f, reason, reason) }

// dropAs counts a dropped frame under kind and reports it with reason,
// which may name addresses.
func (s *Switch) dropAs(f frame, kind, reason string) {
	s.drops[kind]++
	s.w.emit(sock.Event{Kind: sock.KindDropped, Host: s.name, Packet: f.l3, Frame: f.b, Reason: reason})
}

// state copies the switch for a snapshot; entries past the ageing time
// are left out, as a lookup would forget them.
func (s *Switch) state() sock.SwitchState {
	st := sock.SwitchState{Name: s.name, Ports: len(s.ports), Drops: make(map[string]int, len(s.drops))}
	for _, p := range s.ports {
		var id sock.LinkID
		if p.link != nil {
			id = p.link.id
		}
		st.Used = append(st.Used, id)
	}
	now := s.w.sched.Now()
	for _, e := range s.fdb {
		if now-e.seen < fdbAgeing {
			st.FDB = append(st.FDB, s.entryState(e))
		}
	}
	for k, v := range s.drops {
		st.Drops[k] = v
	}
	return st
}

// segment is every host interface reachable from switch s through
// switches, and the switches on the way (s included).
func (w *World) segment(s *Switch) ([]*nic, []*Switch) {
	seen := []*Switch{s}
	var nics []*nic
	for i := 0; i < len(seen); i++ {
		for _, p := range seen[i].ports {
			if p.link == nil {
				continue
			}
			switch far := p.med.to.(type) {
			case *nic:
				nics = append(nics, far)
			case *switchPort:
				if !slices.Contains(seen, far.sw) {
					seen = append(seen, far.sw)
				}
			}
		}
	}
	return nics, seen
}
