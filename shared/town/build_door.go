package town

import (
	"fmt"
	"image/color"
	"net/netip"
	"regexp"
	"slices"
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
	// why, when set, greys the call out: the socket's state refuses it,
	// and why is what the kernel would answer ("listen: EINVAL: ...").
	// line and form stay, so a test can make the call and compare.
	why string
}

// colGreyed is a refused call's label: dimmer than colDim, so it reads
// as not on offer beside the calls that are.
var colGreyed = color.RGBA{0x78, 0x7c, 0x78, 0xff}

// The call buttons keep one slot each whatever the socket's state, so
// the button under the pointer does not move when the state does: a call
// the state refuses is greyed, not taken away.
var (
	tcpSlots   = []string{"bind", "listen", "accept", "connect", "send", "recv", "shutdown", "poll", "setsockopt", "close"}
	udpSlots   = []string{"bind", "connect", "sendto", "send", "recvfrom", "poll", "setsockopt", "close"}
	otherSlots = []string{"poll", "setsockopt", "close"}
)

// slotsFor are the calls a socket of type t has buttons for, in the
// order a learner meets them.
func slotsFor(t sock.SockType) []string {
	switch t {
	case sock.SockTCP:
		return tcpSlots
	case sock.SockUDP:
		return udpSlots
	}
	return otherSlots
}

// doorCalls are a door's call buttons: one a slot, greyed where the
// socket's state refuses the call, and on a listening door after them the
// client that could connect to it.
func doorCalls(d layout.Door, snap sock.Snapshot) []doorCall {
	if d.Proc == "" || d.FD == 0 {
		return nil // the kernel's: no process can call on it
	}
	who := d.Key.Host + "/" + d.Proc + ": "
	var out []doorCall
	for _, call := range slotsFor(d.Socket.Type) {
		c := slotCall(call, who, d, snap)
		c.why = refusal(call, d.Socket, d.FD)
		out = append(out, c)
	}
	if d.Socket.Type == sock.SockTCP && d.Socket.State == sock.StateListen {
		out = append(out, clientCalls(d, snap)...)
	}
	return out
}

// slotCall is the button of call on door d: its form, or its line.
func slotCall(call, who string, d layout.Door, snap sock.Snapshot) doorCall {
	fd := d.FD
	var f form
	switch call {
	case "accept":
		return doorCall{label: call, line: fmt.Sprintf("%saccept %d &", who, fd)}
	case "close":
		return doorCall{label: call, line: fmt.Sprintf("%sclose %d", who, fd)}
	case "bind":
		f = bindForm(who, d, snap)
	case "listen":
		f = listenForm(who, fd)
	case "connect":
		f = connectForm(who, d, snap)
	case "sendto":
		f = sendtoForm(who, d, snap)
	case "send":
		f = sendForm(who, fd)
	case "recv", "recvfrom":
		f = recvForm(who, fd, call)
	case "shutdown":
		f = shutdownForm(who, fd)
	case "poll":
		f = pollForm(who, d, snap)
	default:
		f = setsockoptForm(who, fd)
	}
	return doorCall{label: call, form: &f}
}

// clientCalls are a listening door's "connect from" buttons: two lines
// (socket, connect) on another process, the one button the panel has
// that is not one line; or, said and not offered, that no process can.
func clientCalls(d layout.Door, snap sock.Snapshot) []doorCall {
	var out []doorCall
	for _, a := range doorActions(d, snap) {
		if strings.HasPrefix(a.label, "connect from") || strings.HasPrefix(a.label, "no process") {
			out = append(out, doorCall{label: a.label, off: len(a.lines) == 0, line: strings.Join(a.lines, "\n")})
		}
	}
	return out
}

// refusal is what the kernel answers when call is made on socket s in
// its state, in the shell's words ("listen: EINVAL: invalid argument (fd
// 3 is ESTABLISHED; only a fresh socket can listen)"); "" when the state
// allows the call (it may still fail for its arguments, or wait). Only
// what the state alone decides is said here: the notes are netsim's.
func refusal(call string, s sock.SocketState, fd int) string {
	var e *sock.CallError
	switch s.Type {
	case sock.SockTCP:
		e = tcpRefusal(call, s, fd)
	case sock.SockUDP:
		e = udpRefusal(call, s, fd)
	}
	if e == nil {
		return ""
	}
	e.Op = call
	return e.Error()
}

// tcpRefusal follows netsim's tcp_api.go, which follows Linux.
func tcpRefusal(call string, s sock.SocketState, fd int) *sock.CallError {
	st := s.State
	fresh := st == sock.StateClosed && !s.Remote.IsValid()
	// A connection that is over (CLOSED, with a peer) may have been
	// refused, which leaves it free to listen or connect again, or reset,
	// which does not: the snapshot cannot tell, so the kernel answers.
	over := st == sock.StateClosed && s.Remote.IsValid()
	refuse := func(errno *sock.Errno, format string, args ...any) *sock.CallError {
		return &sock.CallError{Errno: errno, Note: fmt.Sprintf(format, args...)}
	}
	switch {
	case call == "bind" && s.Local.Port() != 0:
		return refuse(sock.ErrInval, "fd %d is already bound to %v", fd, s.Local)
	case call == "listen" && !fresh && !over && st != sock.StateListen:
		return refuse(sock.ErrInval, "fd %d is %v; only a fresh socket can listen", fd, st)
	case call == "accept" && st != sock.StateListen:
		return refuse(sock.ErrInval, "fd %d is not listening", fd)
	case call == "connect" && st == sock.StateSynSent:
		return refuse(sock.ErrAlready, "the connection is still being set up")
	case call == "connect" && !fresh && !over:
		return refuse(sock.ErrIsConn, "fd %d is %v", fd, st)
	case call == "send":
		return sendRefusal(s, fd)
	case call == "recv" && st == sock.StateListen:
		return refuse(sock.ErrNotConn, "a listening socket has no data; accept a connection")
	case call == "recv" && fresh:
		return refuse(sock.ErrNotConn, "the socket is not connected")
	case call == "shutdown" && (st == sock.StateClosed || st == sock.StateListen):
		return refuse(sock.ErrNotConn, "fd %d is %v", fd, st)
	}
	return nil
}

// sendRefusal is send's on a TCP socket: it goes once connected (or
// waits for the handshake), and past our FIN (FIN-WAIT, CLOSING,
// LAST-ACK, TIME-WAIT with the fd still held: shutdown wr) the sending
// side is shut. A pending error would come first, so a socket that
// was connected and is over is left for the kernel to answer.
func sendRefusal(s sock.SocketState, fd int) *sock.CallError {
	switch s.State {
	case sock.StateEstablished, sock.StateCloseWait, sock.StateSynSent, sock.StateSynReceived:
		return nil
	case sock.StateFinWait1, sock.StateFinWait2, sock.StateClosing, sock.StateLastAck, sock.StateTimeWait:
		return &sock.CallError{Errno: sock.ErrPipe, Note: "the socket's sending side is shut down"}
	}
	if s.State == sock.StateClosed && s.Remote.IsValid() {
		return nil // over: refused or reset, the kernel's to say which
	}
	return &sock.CallError{Errno: sock.ErrPipe, Note: fmt.Sprintf("fd %d is %v, not connected", fd, s.State)}
}

// udpRefusal follows netsim's api.go: a datagram socket binds once, and
// send needs the peer that connect sets.
func udpRefusal(call string, s sock.SocketState, fd int) *sock.CallError {
	switch {
	case call == "bind" && s.Local.Port() != 0:
		return &sock.CallError{Errno: sock.ErrInval, Note: fmt.Sprintf("fd %d is already bound to %v", fd, s.Local)}
	case call == "send" && !s.Remote.IsValid():
		return &sock.CallError{Errno: sock.ErrDestAddrReq, Note: "the socket is not connected; use sendto with an address"}
	}
	return nil
}

// buildDoorCalls puts a door's call buttons into actions, four a row (two
// in a phone's drawer), and the open form, if any, under them. Why a
// greyed call is refused is drawn over the door's page (doorpanel.go).
func (g *Game) buildDoorCalls(p doorPanel, d layout.Door, actions *widget.Container) {
	box := g.column()
	cols := 4
	if g.panelWidth() < 440 {
		cols = 2 // a phone's drawer: "connect from a/browser" takes room
	}
	grid := g.slotGrid(cols)
	clients := g.callGrid(1) // a listener's "connect from": under the slots
	g.w.why = callWhy{of: map[*widget.Button]string{}}
	var shown *form
	for _, c := range doorCalls(d, g.player.Snapshot()) {
		into := grid
		if c.label != "" && !slices.Contains(slotsFor(d.Socket.Type), c.label) {
			into = clients
		}
		if c.why != "" {
			grid.AddChild(g.greyedButton(c.label, c.why))
			continue
		}
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
		into.AddChild(b)
	}
	box.AddChild(grid)
	if len(clients.Children()) > 0 {
		box.AddChild(clients)
	}
	if shown != nil {
		g.buildForm(box, fmt.Sprintf("door %s %d", d.Key.Host, d.Key.ID), *shown)
	}
	actions.AddChild(box)
}

// slotGrid lays the call slots out in cols columns of one width, that of
// the panel: a label that changes ("[bind]" while its form is open) or a
// wide one does not move the buttons beside it.
func (g *Game) slotGrid(cols int) *widget.Container {
	stretch := make([]bool, cols)
	for i := range stretch {
		stretch[i] = true
	}
	return widget.NewContainer(
		widget.ContainerOpts.Layout(widget.NewGridLayout(
			widget.GridLayoutOpts.Columns(cols),
			widget.GridLayoutOpts.Spacing(g.px(4), g.px(4)),
			widget.GridLayoutOpts.Stretch(stretch, nil),
		)),
		widget.ContainerOpts.WidgetOpts(widget.WidgetOpts.LayoutData(widget.RowLayoutData{Stretch: true})),
	)
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
	case sock.OptUserTimeout:
		return "5000" // milliseconds: give up after 5 s without an ACK ("on" would be 1 ms)
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
