package town

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"github.com/ebitenui/ebitenui/widget"

	"socketville/shared/sock"
	"socketville/shared/town/layout"
)

// doorCall is one of a door's call buttons: a call that runs as it is
// (accept, close), or one whose form opens under the buttons (bind,
// send, setsockopt, ...).
type doorCall struct {
	label string
	line  string // run at once when set
	form  *form  // else opened
	off   bool   // said, not offered: no process can make it
}

// doorCalls are the calls that make sense on a door in its state, in the
// order a learner meets them.
func doorCalls(d layout.Door, snap sock.Snapshot) []doorCall {
	if d.Proc == "" || d.FD == 0 {
		return nil // the kernel's: no process can call on it
	}
	s := d.Socket
	who := d.Key.Host + "/" + d.Proc + ": "
	fd := d.FD
	var out []doorCall
	run := func(label, format string, args ...any) {
		out = append(out, doorCall{label: label, line: who + fmt.Sprintf(format, args...)})
	}
	open := func(f form) { out = append(out, doorCall{label: f.id, form: &f}) }
	unbound := s.Local.Port() == 0
	switch {
	case s.Type == sock.SockTCP && s.State == sock.StateListen:
		run("accept", "accept %d &", fd)
		for _, a := range doorActions(d, snap) {
			if strings.HasPrefix(a.label, "connect from") || strings.HasPrefix(a.label, "no process") {
				c := doorCall{label: a.label, off: len(a.lines) == 0}
				if len(a.lines) > 0 {
					// Two lines (socket, connect) on another process:
					// the one button the panel has that is not one line.
					c.line = strings.Join(a.lines, "\n")
				}
				out = append(out, c)
			}
		}
	case s.Type == sock.SockTCP && s.State == sock.StateClosed && !s.Remote.IsValid():
		if unbound {
			open(bindForm(who, d, snap))
		}
		open(listenForm(who, fd))
		open(connectForm(who, d, snap))
	case s.Type == sock.SockTCP && connecting(s) && s.State != sock.StateTimeWait:
		open(sendForm(who, fd))
		open(recvForm(who, fd, "recv"))
		open(shutdownForm(who, fd))
	case s.Type == sock.SockUDP:
		if unbound {
			open(bindForm(who, d, snap))
		}
		if !s.Remote.IsValid() {
			open(connectForm(who, d, snap))
			open(sendtoForm(who, d, snap))
		} else {
			open(sendForm(who, fd))
		}
		open(recvForm(who, fd, "recvfrom"))
	}
	if s.Type == sock.SockUDP || s.State != sock.StateTimeWait {
		open(pollForm(who, d, snap))
		open(setsockoptForm(who, fd))
	}
	run("close", "close %d", fd)
	return out
}

// buildDoorCalls puts a door's call buttons into actions, four a row (two
// in a phone's drawer), and
// the open form, if any, under them.
func (g *Game) buildDoorCalls(p doorPanel, d layout.Door, actions *widget.Container) {
	box := g.column()
	cols := 4
	if g.panelWidth() < 440 {
		cols = 2 // a phone's drawer: "connect from a/browser" takes room
	}
	grid := g.callGrid(cols)
	var shown *form
	for _, c := range doorCalls(d, g.player.Snapshot()) {
		label := c.label
		if c.form != nil && c.form.id == p.form {
			label, shown = "["+label+"]", c.form
		}
		var b *widget.Button
		switch {
		case c.form != nil:
			to := p
			to.form = c.form.id
			if shown == c.form {
				to.form = "" // pressed again: the form folds away
			}
			b = g.button(label, func() { g.open(to) })
		default:
			lines := strings.Split(c.line, "\n")
			b = g.button(label, func() {
				for _, l := range lines {
					g.exec(l)
				}
			})
		}
		b.GetWidget().Disabled = c.off
		grid.AddChild(b)
	}
	box.AddChild(grid)
	if shown != nil {
		g.buildForm(box, fmt.Sprintf("door %s %d", d.Key.Host, d.Key.ID), *shown)
	}
	actions.AddChild(box)
}

func bindForm(who string, d layout.Door, snap sock.Snapshot) form {
	return form{id: "bind", fields: []field{{key: "addr", label: "address", def: "0.0.0.0:" + strconv.Itoa(freePort(d, snap))}},
		line: func(v formValues) string { return fmt.Sprintf("%sbind %d %s", who, d.FD, strings.TrimSpace(v["addr"])) }}
}

func listenForm(who string, fd int) form {
	return form{id: "listen", fields: []field{{key: "backlog", label: "backlog", def: "8"}},
		line: func(v formValues) string {
			return fmt.Sprintf("%slisten %d %s", who, fd, strings.TrimSpace(v["backlog"]))
		}}
}

// connectForm is the chooser of the listeners the socket can reach.
func connectForm(who string, d layout.Door, snap sock.Snapshot) form {
	to := reachableTargets(d, snap)
	f := form{id: "connect", fields: []field{{key: "to", label: "to", choices: to}}}
	if len(to) == 0 {
		f.fields[0].choices = []string{noTarget(d.Socket.Type)}
	} else {
		f.fields[0].def = to[0]
	}
	bg := " &" // a TCP connect waits for the handshake
	if d.Socket.Type == sock.SockUDP {
		bg = "" // a datagram socket's only sets its peer
	}
	f.line = func(v formValues) string {
		addr, ok := targetAddr(v["to"])
		if !ok {
			return ""
		}
		return fmt.Sprintf("%sconnect %d %s%s", who, d.FD, addr, bg)
	}
	return f
}

func sendtoForm(who string, d layout.Door, snap sock.Snapshot) form {
	f := connectForm(who, d, snap)
	f.id = "sendto"
	f.fields = append(f.fields, field{key: "data", label: "text or size=N", def: "hello"})
	f.line = func(v formValues) string {
		addr, ok := targetAddr(v["to"])
		if !ok {
			return ""
		}
		return fmt.Sprintf("%ssendto %d %s %s", who, d.FD, addr, payloadArg(v["data"]))
	}
	return f
}

func sendForm(who string, fd int) form {
	return form{id: "send", fields: []field{{key: "data", label: "text or size=N", def: "hello"}},
		line: func(v formValues) string { return fmt.Sprintf("%ssend %d %s", who, fd, payloadArg(v["data"])) }}
}

// recvForm reads in the background, so the town goes on while it waits.
func recvForm(who string, fd int, call string) form {
	return form{id: call, fields: []field{{key: "n", label: "bytes (or all)", def: "100"}},
		line: func(v formValues) string {
			return fmt.Sprintf("%s%s %d %s &", who, call, fd, strings.TrimSpace(v["n"]))
		}}
}

func shutdownForm(who string, fd int) form {
	return form{id: "shutdown", fields: []field{{key: "how", label: "direction", def: "wr", choices: []string{"rd", "wr", "rdwr"}}},
		line: func(v formValues) string { return fmt.Sprintf("%sshutdown %d %s", who, fd, v["how"]) }}
}

// pollForm asks after every fd the process holds by default.
func pollForm(who string, d layout.Door, snap sock.Snapshot) form {
	fds := strconv.Itoa(d.FD)
	if p, ok := procOf(snap, d.Key.Host, d.Proc); ok {
		var all []string
		for _, s := range p.Sockets {
			all = append(all, strconv.Itoa(s.FD))
		}
		if len(all) > 0 {
			fds = strings.Join(all, ",")
		}
	}
	return form{id: "poll", fields: []field{
		{key: "fds", label: "fds", def: fds},
		{key: "events", label: "events", def: "in", choices: []string{"in", "out"}},
		{key: "timeout", label: "timeout", def: "1s"},
	}, line: func(v formValues) string {
		fds := strings.ReplaceAll(strings.TrimSpace(v["fds"]), " ", "")
		return strings.TrimSpace(fmt.Sprintf("%spoll %s %s %s", who, fds, v["events"], strings.TrimSpace(v["timeout"]))) + " &"
	}}
}

// readOnly are the options getsockopt reads and setsockopt refuses.
var readOnly = map[sock.SockOpt]bool{sock.OptError: true, sock.OptMTU: true}

// setsockoptForm chooses among the options the shell knows, with a value
// that makes sense for each as the default.
func setsockoptForm(who string, fd int) form {
	var names []string
	for _, o := range sock.SockOpts() {
		if !readOnly[o] {
			names = append(names, o.String())
		}
	}
	return form{id: "setsockopt", fields: []field{
		{key: "opt", label: "option", def: names[0], choices: names},
		{key: "value", label: "value (blank: usual)"},
	}, line: func(v formValues) string {
		val := strings.TrimSpace(v["value"])
		if val == "" {
			val = optDefault(v["opt"])
		}
		return fmt.Sprintf("%ssetsockopt %d %s %s", who, fd, v["opt"], val)
	}}
}

// optDefault is the value a learner most likely means for an option.
func optDefault(name string) string {
	o, err := sock.ParseSockOpt(name)
	if err != nil {
		return "1"
	}
	switch o {
	case sock.OptRcvBuf, sock.OptSndBuf:
		return "4096"
	case sock.OptRcvTimeo:
		return "1s"
	case sock.OptTTL:
		return "1"
	case sock.OptLinger:
		return "0"
	case sock.OptMTUDiscover:
		return "do"
	}
	return "on"
}

var sizeArg = regexp.MustCompile(`^size=[0-9]+$`)

// payloadArg is what send carries: size=N as it is, anything else as text.
func payloadArg(s string) string {
	if t := strings.TrimSpace(s); sizeArg.MatchString(t) {
		return t
	}
	return quoted(s)
}

// targetAddr is the address:port a chooser's entry ("10.0.0.2:80 b/web
// fd 3") names.
func targetAddr(entry string) (netip.AddrPort, bool) {
	f := strings.Fields(entry)
	if len(f) == 0 {
		return netip.AddrPort{}, false
	}
	a, err := netip.ParseAddrPort(f[0])
	return a, err == nil
}

func noTarget(t sock.SockType) string {
	if t == sock.SockUDP {
		return "(no bound datagram socket this one can reach)"
	}
	return "(no listening socket this one can reach)"
}

// reachableTargets are the sockets a door's socket could connect (or
// send) to, as "ADDR:PORT HOST/PROC fd N": for TCP the listening sockets,
// for UDP the bound datagram sockets, on hosts whose packets would get
// there and back (reach.go); a socket bound to 0.0.0.0 once for each of
// its host's addresses, and over loopback on the door's own host.
func reachableTargets(d layout.Door, snap sock.Snapshot) []string {
	r := newRouting(snap)
	var out []string
	for _, h := range snap.Hosts {
		for _, p := range h.Processes {
			for _, s := range p.Sockets {
				if s.ID == d.Key.ID || s.Type != d.Socket.Type || s.Local.Port() == 0 {
					continue
				}
				if s.Type == sock.SockTCP && s.State != sock.StateListen {
					continue
				}
				if s.Type == sock.SockUDP && s.Remote.IsValid() {
					continue // a connected datagram socket hears its peer alone
				}
				for _, a := range targetAddrs(h, s, h.Name == d.Key.Host) {
					if h.Name == d.Key.Host && a.IsLoopback() || r.talks(d.Key.Host, h.Name, a) {
						out = append(out, fmt.Sprintf("%v %s/%s fd %d", netip.AddrPortFrom(a, s.Local.Port()), h.Name, p.Name, s.FD))
					}
				}
			}
		}
	}
	return out
}

// targetAddrs are the addresses a bound socket answers on: its own, or
// every address of its host for 0.0.0.0 (and 127.0.0.1 from the host).
func targetAddrs(h sock.HostState, s sock.SocketState, local bool) []netip.Addr {
	if !s.Local.Addr().IsUnspecified() {
		return []netip.Addr{s.Local.Addr()}
	}
	var out []netip.Addr
	for _, p := range h.Addrs {
		if !p.Addr().IsLoopback() {
			out = append(out, p.Addr())
		}
	}
	if local {
		out = append(out, netip.MustParseAddr("127.0.0.1"))
	}
	return out
}

// freePort is a port to offer bind: 80 for a root process's TCP socket
// (a web server), 8080 for another's, 9000 for a datagram socket; the
// next one up while the host has it taken.
func freePort(d layout.Door, snap sock.Snapshot) int {
	port := 8080
	if d.Socket.Type == sock.SockUDP {
		port = 9000
	} else if p, ok := procOf(snap, d.Key.Host, d.Proc); ok && p.Root {
		port = 80
	}
	taken := map[uint16]bool{}
	for _, h := range snap.Hosts {
		if h.Name != d.Key.Host {
			continue
		}
		for _, p := range h.Processes {
			for _, s := range p.Sockets {
				if s.Type == d.Socket.Type {
					taken[s.Local.Port()] = true
				}
			}
		}
	}
	for taken[uint16(port)] {
		port++
	}
	return port
}

// procOf finds a process in the snapshot.
func procOf(snap sock.Snapshot, host, proc string) (sock.ProcessState, bool) {
	for _, h := range snap.Hosts {
		if h.Name != host {
			continue
		}
		for _, p := range h.Processes {
			if p.Name == proc {
				return p, true
			}
		}
	}
	return sock.ProcessState{}, false
}
