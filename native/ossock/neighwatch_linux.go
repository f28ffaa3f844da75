//go:build linux

package ossock

import (
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"socketville/shared/sock"
)

// NeighReport is one change a namespace's kernel announced in its caches:
// a host's ARP entry (Neigh) or a switch's FDB entry (FDB, with Reason
// "learned", "moved" or "aged out", the simulator's words).
type NeighReport struct {
	Time   time.Time
	Host   string // the host or switch
	Neigh  *sock.NeighState
	FDB    *sock.FDBEntry
	Reason string
}

// OnNeigh sets the function that hears of every change to the hosts' ARP
// caches and the switches' FDBs, as netlink announces them (RTNLGRP_NEIGH in
// each namespace). fn is called from the watchers' goroutines, several at
// once: it must be quick and safe for concurrent use. nil stops the
// reports.
func (t *Town) OnNeigh(fn func(NeighReport)) {
	if fn == nil {
		t.onNeigh.Store(nil)
		return
	}
	t.onNeigh.Store(&fn)
}

// neighWatch follows one namespace's neighbour announcements until stop.
// It reads only what it owns and devs, so that it never waits for the
// town's lock (Close holds it while it waits for the watcher to end).
type neighWatch struct {
	done  chan struct{}
	ended chan struct{}
	mu    sync.Mutex
	devs  map[int]string    // ifindex -> device name (a host)
	ports map[int]int       // ifindex -> 1-based port (a switch)
	last  map[string]string // what was last reported per entry, to report changes only
}

// watchNeigh starts h's watcher; a namespace whose announcements cannot be
// had is simply not watched (the snapshot still reads its caches).
func (t *Town) watchNeigh(h *host) {
	w := &neighWatch{done: make(chan struct{}), ended: make(chan struct{}), devs: map[int]string{}, ports: map[int]int{}, last: map[string]string{}}
	ch := make(chan netlink.NeighUpdate, 64)
	ns := h.fd
	if err := netlink.NeighSubscribeWithOptions(ch, w.done, netlink.NeighSubscribeOptions{Namespace: &ns}); err != nil {
		return
	}
	h.watch = w
	name, isSwitch := h.name, h.isSwitch
	go func() {
		defer close(w.ended)
		for u := range ch {
			if r, ok := w.report(name, isSwitch, u); ok {
				if fn := t.onNeigh.Load(); fn != nil {
					(*fn)(r)
				}
			}
		}
	}()
}

// plug tells the watcher of a new device: a host's interface, or a
// switch's port number port.
func (w *neighWatch) plug(idx int, name string, port int) {
	if w == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.devs[idx], w.ports[idx] = name, port
}

// stop ends the watcher and waits for its goroutine.
func (w *neighWatch) stop() {
	if w == nil {
		return
	}
	close(w.done)
	<-w.ended
}

// report turns an announcement into a report, if it is a change a town
// shows: an ARP entry of one of a host's interfaces that changed state or
// address, or a MAC a switch's bridge learned on a port, moved or forgot.
func (w *neighWatch) report(host string, isSwitch bool, u netlink.NeighUpdate) (NeighReport, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	r := NeighReport{Time: time.Now(), Host: host}
	if isSwitch {
		port, ok := w.ports[u.LinkIndex]
		m := u.HardwareAddr
		if u.Family != unix.AF_BRIDGE || !ok || len(m) != 6 || m[0]&1 != 0 || u.State&(netlink.NUD_PERMANENT|netlink.NUD_NOARP) != 0 {
			return r, false
		}
		key, was := m.String(), w.last[m.String()]
		switch {
		case u.Type == unix.RTM_DELNEIGH:
			if was == "" {
				return r, false
			}
			delete(w.last, key)
			r.Reason = "aged out"
		case was == "":
			r.Reason = "learned"
		case was != w.devs[u.LinkIndex]:
			r.Reason = "moved"
		default:
			return r, false
		}
		if r.Reason != "aged out" {
			w.last[key] = w.devs[u.LinkIndex]
		}
		r.FDB = &sock.FDBEntry{MAC: slices.Clone(m), Port: port}
		return r, true
	}
	dev, ok := w.devs[u.LinkIndex]
	a, okA := netip.AddrFromSlice(u.IP.To4())
	st := neighStatus(u.State)
	if u.Family != unix.AF_INET || !ok || !okA || st == 0 || u.Type != unix.RTM_NEWNEIGH {
		return r, false
	}
	n := sock.NeighState{Addr: a, Dev: dev, State: st}
	if len(u.HardwareAddr) == 6 && st != sock.NeighIncomplete && st != sock.NeighFailed {
		n.MAC = slices.Clone(u.HardwareAddr)
	}
	key := dev + " " + a.String()
	if w.last[key] == n.String() {
		return r, false
	}
	w.last[key] = n.String()
	r.Neigh = &n
	return r, true
}
