package netsim

import (
	"fmt"
	"net/netip"
	"time"

	"socketville/shared/sock"
)

// The simulator is one of the town's kernels: a World is a sock.Kernel
// through Kernel, and a Process is a sock.Proc as it stands.
var (
	_ sock.Proc   = (*Process)(nil)
	_ sock.Kernel = kernel{}
)

// Kernel is the world seen through the socket vocabulary, for the shell and
// the town: the same world, not a copy.
func (w *World) Kernel() sock.Kernel { return kernel{w} }

// KernelWorld is the world behind a kernel that Kernel made, or nil for
// another kernel, for callers that need the simulator's own knobs.
func KernelWorld(k sock.Kernel) *World {
	if k, ok := k.(kernel); ok {
		return k.w
	}
	return nil
}

type kernel struct{ w *World }

func (k kernel) Name() string                     { return "simulator" }
func (k kernel) Now() time.Duration               { return k.w.Now() }
func (k kernel) NextEvent() (time.Duration, bool) { return k.w.NextEvent() }
func (k kernel) Step() bool                       { return k.w.Step() }
func (k kernel) RunUntil(t time.Duration)         { k.w.RunUntil(t) }
func (k kernel) Observe(fn func(sock.Event))      { k.w.Observe(fn) }
func (k kernel) Snapshot() sock.Snapshot          { return k.w.Snapshot() }
func (k kernel) SetSeed(seed uint64) error        { return k.w.SetSeed(seed) }
func (k kernel) AddLink(a, b string, cfg sock.LinkConfig) error {
	_, err := k.w.AddLink(a, b, cfg)
	return err
}

func (k kernel) AddSwitch(name string, ports int) error {
	_, err := k.w.AddSwitch(name, ports)
	return err
}

func (k kernel) AddHost(name string, addrs []netip.Prefix, opts sock.HostOptions) error {
	_, err := k.w.AddHost(name, addrs, HostOptions{Forward: opts.Forward})
	return err
}

func (k kernel) Link(a, b string) (sock.LinkState, bool) {
	l := k.w.Link(a, b)
	if l == nil {
		return sock.LinkState{}, false
	}
	return l.state(), true
}

func (k kernel) SetLink(a, b string, cfg sock.LinkConfig) error {
	l := k.w.Link(a, b)
	if l == nil {
		return fmt.Errorf("link %s %s: no such link: %w", a, b, sock.ErrInval)
	}
	return l.SetConfig(cfg)
}

func (k kernel) AddRoute(host string, dst netip.Prefix, gateway netip.Addr) error {
	h := k.w.Host(host)
	if h == nil {
		return fmt.Errorf("route: no host called %s: %w", host, sock.ErrInval)
	}
	return h.AddRoute(dst, gateway)
}

func (k kernel) AddProcess(host, name string, root bool) (sock.Proc, error) {
	h := k.w.Host(host)
	if h == nil {
		return nil, fmt.Errorf("process: no host called %s: %w", host, sock.ErrInval)
	}
	p, err := h.AddProcess(name, root)
	if err != nil {
		return nil, err
	}
	return p, nil
}

func (k kernel) Hosts() []string {
	var names []string
	for _, h := range k.w.hosts {
		names = append(names, h.name)
	}
	return names
}

func (k kernel) Processes(host string) ([]string, bool) {
	h := k.w.Host(host)
	if h == nil {
		return nil, false
	}
	var names []string
	for _, p := range h.procs {
		names = append(names, p.name)
	}
	return names, true
}

func (k kernel) Process(host, name string) sock.Proc {
	if h := k.w.Host(host); h != nil {
		if p := h.Process(name); p != nil {
			return p
		}
	}
	return nil
}
