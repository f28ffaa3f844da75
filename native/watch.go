package main

import (
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"socketville/native/watch"
	"socketville/shared/script"
	"socketville/shared/sock"
)

const watchUsage = `socketville watch --once|--print [--port N] [--pid N] [--netns NAME]

Shows this machine's own TCP and UDP sockets as the town sees them: every
process that owns sockets (pid, command, user) with its sockets (fd, proto,
state, local and remote address, queues), and the connections the kernel
holds for no process (TIME-WAIT, SYN-RECEIVED). Owners come from /proc;
without root, other users' sockets show with owner ?. Linux only.

  --once        print the sockets once, as a table, and exit
  --print       look twice a second and print each change as an event, in
                run's trace format, until Ctrl-C
  --port N      only sockets whose local or remote port is N
  --pid N       only the sockets of process N
  --netns NAME  watch the network namespace NAME (see ip netns list)`

// watchInterval is how often watch --print looks again.
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
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "socketville watch: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	if *once == *printEvents {
		fmt.Fprintln(stderr, "socketville watch: want one of --once or --print (the town for watch is still to come)")
		return exitUsage
	}
	if *port < 0 || *port > 65535 || *pid < 0 {
		fmt.Fprintln(stderr, "socketville watch: --port wants 1 to 65535 and --pid a process id")
		return exitUsage
	}
	w, err := watch.New(watch.Options{Netns: *ns, Port: *port, PID: *pid})
	if err != nil {
		fmt.Fprintf(stderr, "socketville %v\n", err)
		return exitFail
	}
	defer w.Close()
	if *once {
		snap, _, err := w.Refresh()
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
	fmt.Fprintln(stderr, "watching; Ctrl-C stops")
	p := script.NewTextPrinter(stdout)
	tick := time.NewTicker(watchInterval)
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
