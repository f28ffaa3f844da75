package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"socketville/native/watch"
	"socketville/shared/script"
	"socketville/shared/sock"
	"socketville/shared/town"
	"socketville/shared/town/play"
	"socketville/shared/wire"
)

const watchUsage = `socketville watch [--every D] [--size WxH] [FILTERS] [--pcap FILE]
       socketville watch --print [--every D] [FILTERS] [--pcap FILE]
       socketville watch --once [FILTERS]

FILTERS are --port N, --pid N and --netns NAME.

Shows this machine's own TCP and UDP sockets as the town sees them: every
process that owns sockets (pid, command, user) with its sockets (fd, proto,
state, local and remote address, queues), and the connections the kernel
holds for no process (TIME-WAIT, SYN-RECEIVED). Owners come from /proc;
without root, other users' sockets show with owner ?. Linux only.

With neither --once nor --print it opens the town of this machine in a
window: a house for each process ("command (pid) user"), a door for each
of its sockets, the kernel's yard for connections no process holds, looked
at again every D. There is no scenario: Space freezes the picture and goes
live again; closing the window or Ctrl-C ends it.

Where this program may capture (CAP_NET_RAW, as root), the IPv4 packets on
the loopback device (of --netns NAME when given) are letters between the
doors, and --print prints them; each is kept once, as it leaves (loopback
carries it out and in again). Without the privilege the town shows doors
and states only, and its badge says so.

  --once        print the sockets once, as a table, and exit
  --print       look every D (--every) and print each change as an event,
                in run's trace format, until Ctrl-C
  --port N      only sockets whose local or remote port is N
  --pid N       only the sockets of process N
  --netns NAME  watch the network namespace NAME (see ip netns list)
  --every D     look again every D: the town and --print (default 500ms)
  --pcap FILE   also write the captured packets to FILE (pcap, raw IPv4,
                the capture's own times), for tshark or Wireshark
  --size WxH    the window's size in logical pixels (default 1280x800)`

// watchInterval is how often watch --print and the town look again.
const watchInterval = 500 * time.Millisecond

// watchCmd prints the machine's sockets once, or their changes as events.
func watchCmd(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("watch", flag.ContinueOnError)
	fs.SetOutput(stderr)
	once := fs.Bool("once", false, "print the sockets once")
	printEvents := fs.Bool("print", false, "print changes as events")
	port := fs.Int("port", 0, "only this port")
	pid := fs.Int("pid", 0, "only this process")
	ns := fs.String("netns", "", "network namespace")
	every := fs.Duration("every", watchInterval, "look again this often")
	size := fs.String("size", "1280x800", "window size")
	pcapPath := fs.String("pcap", "", "write the captured packets to this pcap file")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "socketville watch: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	if *once && *printEvents {
		fmt.Fprintln(stderr, "socketville watch: --once or --print, not both")
		return exitUsage
	}
	if *once && *pcapPath != "" {
		fmt.Fprintln(stderr, "socketville watch: --once takes one look and captures nothing: --pcap goes with --print or the town")
		return exitUsage
	}
	var winW, winH int
	if _, err := fmt.Sscanf(*size, "%dx%d", &winW, &winH); err != nil || winW < 1 || winH < 1 {
		fmt.Fprintf(stderr, "socketville watch: --size %q: want WIDTHxHEIGHT, such as 1280x800\n", *size)
		return exitUsage
	}
	if err := checkWatchFlags(*port, *pid, *every); err != nil {
		fmt.Fprintf(stderr, "socketville watch: %v\n", err)
		return exitUsage
	}
	wt, err := watch.New(watch.Options{Netns: *ns, Port: *port, PID: *pid, Packets: !*once})
	if err != nil {
		fmt.Fprintf(stderr, "socketville %v\n", err)
		return exitFail
	}
	look := townLook{w: wt}
	if *pcapPath != "" {
		if look.pcap, err = newWatchPcap(*pcapPath, wt.Started()); err != nil {
			wt.Close()
			fmt.Fprintf(stderr, "socketville watch: %v\n", err)
			return exitFail
		}
	}
	if !*once && !*printEvents {
		return watchTown(look, *ns, *every, winW, winH, stderr)
	}
	defer func() {
		if err := look.Close(); err != nil {
			fmt.Fprintf(stderr, "socketville watch: %v\n", err)
		}
	}()
	w := look
	if *once {
		snap, _, err := wt.Refresh()
		if err != nil {
			fmt.Fprintf(stderr, "socketville %v\n", err)
			return exitFail
		}
		printSocketTable(stdout, snap)
		return exitOK
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(stop)
	if on, why := wt.Packets(); !on {
		fmt.Fprintf(stderr, "watching (%s); Ctrl-C stops\n", why)
	} else {
		fmt.Fprintln(stderr, "watching, with the packets on loopback; Ctrl-C stops")
	}
	p := script.NewTextPrinter(stdout)
	tick := time.NewTicker(*every)
	defer tick.Stop()
	failing := false
	for {
		select {
		case <-stop:
			return exitOK
		case <-tick.C:
		}
		_, events, err := w.Refresh()
		if err != nil {
			// Say it once, and keep looking: the next dump may work.
			if !failing {
				fmt.Fprintf(stderr, "socketville %v (still watching)\n", err)
			}
			failing = true
			continue
		}
		failing = false
		for _, e := range events {
			p.Event(e)
		}
		if p.Err() != nil {
			return exitFail
		}
	}
}

// watchTown opens the town of what w watches and runs it until the window
// closes or a signal comes; it closes w.
func watchTown(w townLook, netns string, every time.Duration, width, height int, stderr io.Writer) int {
	_, noPk := w.w.Packets()
	name, label := watchNames(netns, every, noPk)
	src := play.NewRefreshing(play.RefreshOptions{
		Refresh: w.Refresh,
		Every:   every,
		Kernel:  "Linux",
		Label:   label,
		Close:   w.Close,
	})
	// SOCKETVILLE_STATE names a file for the town's state as JSON, which
	// the desktop tests read.
	g, err := town.New(town.Options{Scenario: name, Feed: src, Play: true, StateFile: os.Getenv("SOCKETVILLE_STATE")})
	if err != nil {
		src.Close()
		fmt.Fprintf(stderr, "socketville watch: %v\n", err)
		return exitFail
	}
	defer g.Player().Close() // stops the refreshes and closes the watch
	ebiten.SetWindowTitle("Socketville: watching " + name)
	ebiten.SetWindowSize(width, height)
	ebiten.SetWindowResizingMode(ebiten.WindowResizingModeEnabled)
	ebiten.SetTPS(town.TPS)
	defer stopOnInterrupt(g)()
	if err := ebiten.RunGame(g); err != nil {
		fmt.Fprintf(stderr, "socketville watch: %v\n", err)
		return exitFail
	}
	return exitOK
}

// checkWatchFlags checks the filters and the interval a watch is given
// (watch, serve --watch).
func checkWatchFlags(port, pid int, every time.Duration) error {
	if every < 10*time.Millisecond {
		return fmt.Errorf("--every %v: want at least 10ms", every)
	}
	if port < 0 || port > 65535 || pid < 0 {
		return errors.New("--port wants 1 to 65535 and --pid a process id")
	}
	return nil
}

// watchNames says what a watch of netns ("" for this machine's own) is
// called: the town's name, and its badge, which ends with why there are
// no packets (noPackets) when there are none.
func watchNames(netns string, every time.Duration, noPackets string) (name, label string) {
	name, what := "this machine", "this machine"
	if netns != "" {
		name, what = netns, "netns "+netns
	}
	label = fmt.Sprintf("watching %s · sockets refreshed every %s", what, everyWords(every))
	if noPackets != "" {
		label += " · " + noPackets
	}
	return name, label
}

// townLook is a watch whose snapshots are as the town draws them (see
// forTown), and whose packets go to a pcap file too when pcap is set.
type townLook struct {
	w    *watch.Watch
	pcap *watchPcap
}

// Refresh looks again.
func (t townLook) Refresh() (sock.Snapshot, []sock.Event, error) {
	snap, events, err := t.w.Refresh()
	if t.pcap != nil {
		t.pcap.record(events)
	}
	return forTown(snap), events, err
}

// Close closes the watch, then the pcap file.
func (t townLook) Close() error {
	err := t.w.Close()
	if t.pcap != nil {
		err = errors.Join(err, t.pcap.Close())
	}
	return err
}

// watchPcap writes a watch's captured packets to a pcap file, each at the
// time the capture read it.
type watchPcap struct {
	f     *os.File
	buf   *bufio.Writer
	w     *wire.PcapWriter
	start time.Duration // the watch's start, since the Unix epoch
	err   error
}

func newWatchPcap(path string, start time.Time) (*watchPcap, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--pcap: %w", err)
	}
	p := &watchPcap{f: f, buf: bufio.NewWriter(f), start: time.Duration(start.UnixNano())}
	if p.w, err = wire.NewPcapWriter(p.buf, wire.LinkTypeRaw); err != nil {
		f.Close()
		return nil, fmt.Errorf("--pcap %s: %w", path, err)
	}
	return p, nil
}

// record writes each packet sent (each is also delivered: one copy).
func (p *watchPcap) record(events []sock.Event) {
	for _, e := range events {
		if e.Kind == sock.KindSent && p.err == nil {
			p.err = p.w.WritePacket(p.start+e.Time, e.Packet)
		}
	}
	if p.err == nil {
		p.err = p.buf.Flush() // what was seen is in the file even if the program is killed
	}
}

// Close flushes and closes the file, saying the first error.
func (p *watchPcap) Close() error {
	err := errors.Join(p.err, p.buf.Flush(), p.f.Close())
	if err != nil {
		return fmt.Errorf("--pcap %s: %w", p.f.Name(), err)
	}
	return nil
}

// everyWords says a refresh interval as people do: "500 ms", "2 s".
func everyWords(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return strings.TrimSuffix(d.String(), "s") + " s"
}

// forTown names each process of a watch's snapshot as its house says it:
// "command (pid) user", or "? (owner unknown) user" when its owner could
// not be found (its sockets' Proc, which the kernel's connections keep,
// stays the command); and a socket with no peer (the kernel says 0.0.0.0:0) has
// none under its door, as in a scenario's town.
func forTown(snap sock.Snapshot) sock.Snapshot {
	noPeer := func(list []sock.SocketState) {
		for k := range list {
			if r := list[k].Remote; r.Port() == 0 && (!r.IsValid() || r.Addr().IsUnspecified()) {
				list[k].Remote = netip.AddrPort{}
			}
		}
	}
	for i := range snap.Hosts {
		noPeer(snap.Hosts[i].Orphans)
		ps := snap.Hosts[i].Processes
		for j := range ps {
			p := &ps[j]
			noPeer(p.Sockets)
			switch {
			case p.PID > 0 && p.User != "":
				p.Name = fmt.Sprintf("%s (%d) %s", p.Name, p.PID, p.User)
			case p.PID > 0:
				p.Name = fmt.Sprintf("%s (%d)", p.Name, p.PID)
			case p.User != "":
				p.Name = p.Name + " (owner unknown) " + p.User
			}
		}
	}
	return snap
}

// printSocketTable prints a snapshot from a watch: each host, then each
// process with a row per socket, then the connections no process holds.
func printSocketTable(w io.Writer, snap sock.Snapshot) {
	for _, h := range snap.Hosts {
		addrs := make([]string, len(h.Addrs))
		for i, a := range h.Addrs {
			addrs[i] = a.String()
		}
		n := len(h.Orphans)
		for _, p := range h.Processes {
			n += len(p.Sockets)
		}
		fmt.Fprintf(w, "host %s  %s\n%d sockets, %d processes, %d held by the kernel\n",
			h.Name, strings.Join(addrs, " "), n, len(h.Processes), len(h.Orphans))
		lw, rw := len("LOCAL"), len("REMOTE")
		all := append([]sock.SocketState(nil), h.Orphans...)
		for _, p := range h.Processes {
			all = append(all, p.Sockets...)
		}
		for _, s := range all {
			lw, rw = max(lw, len(endpoint(s.Local))), max(rw, len(endpoint(s.Remote)))
		}
		row := func(fd, proto, state, local, remote, queues string) {
			fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf("  %4s  %-5s  %-12s  %-*s  %-*s  %s", fd, proto, state, lw, local, rw, remote, queues), " "))
		}
		sockets := func(list []sock.SocketState, noFD string) {
			row("FD", "PROTO", "STATE", "LOCAL", "REMOTE", "QUEUES")
			for _, s := range list {
				fd := noFD
				if s.FD > 0 {
					fd = fmt.Sprint(s.FD)
				}
				row(fd, s.Type.String(), s.State.String(), endpoint(s.Local), endpoint(s.Remote), queues(s))
			}
		}
		for _, p := range h.Processes {
			if p.PID == 0 {
				fmt.Fprintf(w, "\nowner unknown (user %s: not ours to look into, exited, or not in this /proc)\n", p.User)
			} else {
				fmt.Fprintf(w, "\npid %d  %s  user %s\n", p.PID, p.Name, p.User)
			}
			sockets(p.Sockets, "?")
		}
		if len(h.Orphans) > 0 {
			fmt.Fprintln(w, "\nthe kernel's (no process holds them)")
			sockets(h.Orphans, "-")
		}
	}
}

// endpoint spells an address and port, "*" for what is not set.
func endpoint(a netip.AddrPort) string {
	if !a.IsValid() || (a.Addr().IsUnspecified() && a.Port() == 0) {
		return "*"
	}
	return a.String()
}

// queues says what a socket's door shows: a listener's accept queue
// against its backlog, a connection's queues, cwnd and RTT.
func queues(s sock.SocketState) string {
	t := s.TCP
	if t == nil {
		return ""
	}
	switch s.State {
	case sock.StateListen:
		q := fmt.Sprintf("accept %d/%d", t.AcceptQueue, t.Backlog)
		if t.SynQueue > 0 {
			q += fmt.Sprintf(" syn %d", t.SynQueue)
		}
		return q
	case sock.StateTimeWait:
		return fmt.Sprintf("%.1fs left", t.TimeWaitLeft.Seconds())
	}
	q := fmt.Sprintf("send %d recv %d", t.SndQueued, t.RcvQueued)
	if t.Cwnd > 0 {
		q += fmt.Sprintf(" cwnd %d rtt %v", t.Cwnd, t.SRTT)
	}
	return q
}
