package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"socketville/examples"
	"socketville/native/hub"
	"socketville/native/turnrelay"
	"socketville/native/watch"
	"socketville/native/web"
	p2psignal "socketville/shared/p2p/signal"
	"socketville/shared/sock"
)

const serveUsage = `socketville serve [--addr HOST:PORT] [--scenarios DIR]
       [--os [--hosts MODE] [--max-run D]]
       [--watch [--port N] [--pid N] [--netns NAME] [--every D]]
       [--forward SPEC ... [--forward-mode M] SCENARIO]
       [--ice URL ...] [--turn [--turn-addr HOST:PORT]] [--hub-* ...]

Serves the town's browser build, embedded in this binary, and prints its
address; open it in a browser. Stop with Ctrl-C.

  --addr HOST:PORT  where to listen (default 127.0.0.1:8080; port 0 picks one)
  --scenarios DIR   a teacher's folder: its scenarios (NAME.sv) and lessons
                    (NN-name.lesson) at its top are offered in the Class
                    folder list of the page's Share menu, read afresh on
                    every visit; files in subfolders, links out of DIR and
                    files over 256 KiB are left out, and the page says why

On Linux, the page can play scenarios on this machine's real sockets:

  --os              open the page with ?kernel=os&scenario=NAME: this program
                    runs the example NAME on the operating system's sockets
                    (as root each host a network namespace, sv-PID-HOST) and
                    streams its events, lines and snapshots to the page over
                    a WebSocket; the town draws them. Only a page of this
                    server opened on a loopback address may start a run; one
                    run at a time, and its namespaces are removed when the
                    page closes and when the server stops.
  --hosts MODE      how --os builds hosts: auto (default), namespaces, loopback
  --max-run D       with --os, cap every "run D" line at D

and show this machine's own sockets, as socketville watch does:

  --watch           the printed address opens the town of this machine
                    (?kernel=watch): its processes, their sockets and the
                    kernel's connections, looked at again every D and
                    streamed to the page over a WebSocket. Only a page of
                    this server opened on a loopback address may watch,
                    unless --addr listens beyond loopback.
  --port N          only sockets whose local or remote port is N
  --pid N           only the sockets of process N
  --netns NAME      watch the network namespace NAME (see ip netns list)
  --every D         look again every D (default 500ms)

and let real programs talk to a simulated town the page shows:

  --forward SPEC    the printed address opens SCENARIO (a file, or an
                    example's name), run by this program in real time with
                    the forwards (each SPEC as for desktop --forward, e.g.
                    127.0.0.1:9080=b:80) and streamed to the page as --os
                    runs are; the forwards open when the page starts the
                    run and close with it. One run at a time.
  --forward-mode M  splice (default) or tun, as for desktop --forward-mode

It also hosts the signaling hub that lets pages share a town peer to peer
(a WebSocket at /signal; counters at /signal/stats):

  --ice URL             an ICE server handed to the peers: stun:HOST:PORT
                        or turn:USER:PASSWORD@HOST:PORT (repeat for more;
                        none by default, enough on one machine or a LAN)
  --hub-origins L       other origins whose pages may use the hub, comma-
                        separated (https://class.example, *.example:8080,
                        or *); by default only pages this server serves
  --hub-max-conns N     the most connections the hub holds (2000)
  --hub-max-rooms N     the most rooms it holds (500)
  --hub-max-peers N     the most peers in one room (32)
  --hub-room-idle D     how long an empty room lasts (10m)
  --hub-join-timeout D  how long a connection may stay in no room (2m)
  --hub-msg-rate R      messages a second one connection may send (200)
  --hub-msg-burst N     and at once (400)
  --hub-conn-rate R     new connections a second from one address (2)
  --hub-conn-burst N    and at once (40, a class behind one NAT)

and a TURN relay (RFC 5766) for networks that keep peers apart:

  --turn                 relay the roads of pages that cannot reach each
                         other directly: school or guest Wi-Fi that
                         isolates its clients, a firewall between two
                         networks. Without it their roads say "relayed"
                         after 10 s and go through the hub's WebSocket (at
                         most 150 packets a second); with it they are
                         WebRTC channels again, through this machine. On
                         one machine, or a LAN whose machines reach each
                         other, it is not needed. Each page joining a room
                         gets a credential of its own (no password in the
                         page); counters at /turn/stats, refusals on stderr
  --turn-addr HOST:PORT  where it listens and relays, UDP (default: port
                         3478 on the host of --addr; for 0.0.0.0 every
                         address, relaying at the first beyond loopback:
                         give the one the pupils reach if there are more).
                         Their machines must reach UDP HOST:PORT and this
                         machine's UDP ports above 32767
  --turn-max-allocs N    the most allocations it holds (1000; a room of 32
                         needs 992)
  --turn-max-per-peer N  the most of one page's credential (64)
  --turn-ttl D           how long a credential lasts (1h); a page open
                         longer loses its relayed roads, a reload mends it

and a star for a classroom:

  --star                 every room is a star: this server joins each room
                         as a peer of its own (pion, in this process) and
                         every page makes one WebRTC road, to it, instead of
                         one to every other page; the server passes each
                         frame on to the page it is for, dropping (counted)
                         what a slow page's road cannot take. For a class:
                         30 pages make 30 roads, not 435, and a laptop or
                         phone holds one instead of 29. A page whose road
                         to the server fails relays through the hub, and
                         its roads' signs say "via the server"; the
                         server's counters are at /signal/star`

func serveCmd(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, serveUsage) }
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	scenarios := fs.String("scenarios", "", "a folder of scenarios and lessons to offer")
	onOS := fs.Bool("os", false, "let the page play scenarios on this machine's sockets")
	hosts := fs.String("hosts", "auto", "auto, namespaces or loopback")
	maxRun := fs.Duration("max-run", 0, "with --os, cap every run line at this")
	onWatch := fs.Bool("watch", false, "show this machine's sockets")
	port := fs.Int("port", 0, "with --watch, only this port")
	pid := fs.Int("pid", 0, "with --watch, only this process")
	ns := fs.String("netns", "", "with --watch, this network namespace")
	every := fs.Duration("every", watchInterval, "with --watch, look again this often")
	var forwards forwardFlags
	fs.Var(&forwards, "forward", "run SCENARIO here with real programs forwarded into it")
	var forwardMode forwardModeFlag
	fs.Var(&forwardMode, "forward-mode", "splice or tun")
	var hubCfg hub.Config
	hubCfg.Flags(fs)
	onTurn := fs.Bool("turn", false, "run a TURN relay for networks that keep peers apart")
	var turnCfg turnrelay.Config
	turnCfg.Flags(fs)
	onStar := fs.Bool("star", false, "every room a star: pages make one road each, to this server, which passes the frames on")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(forwards) == 0 && len(pos) != 0 {
		fmt.Fprintln(stderr, "socketville serve: takes no arguments besides its flags (a SCENARIO goes with --forward)")
		return exitUsage
	}
	if len(forwards) > 0 && (len(pos) != 1 || *onOS || *onWatch) {
		fmt.Fprintln(stderr, "socketville serve: --forward wants one SCENARIO (a file or an example's name) and goes without --os and --watch")
		return exitUsage
	}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	if !*onOS && (set["hosts"] || set["max-run"]) {
		fmt.Fprintln(stderr, "socketville serve: --hosts and --max-run go with --os")
		return exitUsage
	}
	if !*onWatch && (set["port"] || set["pid"] || set["netns"] || set["every"]) {
		fmt.Fprintln(stderr, "socketville serve: --port, --pid, --netns and --every go with --watch")
		return exitUsage
	}
	if !*onTurn && (set["turn-addr"] || set["turn-max-allocs"] || set["turn-max-per-peer"] || set["turn-ttl"]) {
		fmt.Fprintln(stderr, "socketville serve: --turn-addr, --turn-max-allocs, --turn-max-per-peer and --turn-ttl go with --turn")
		return exitUsage
	}
	if *onTurn && len(hubCfg.ICE) >= p2psignal.MaxICEServers {
		fmt.Fprintf(stderr, "socketville serve: with --turn, at most %d --ice servers (a welcome hands out %d, the relay's among them)\n", p2psignal.MaxICEServers-1, p2psignal.MaxICEServers)
		return exitUsage
	}
	var newLook func() (web.Looker, error) // nil without --watch
	noPackets := ""                        // why a watch shows no packets
	if *onWatch {
		if err := checkWatchFlags(*port, *pid, *every); err != nil {
			fmt.Fprintf(stderr, "socketville serve: %v\n", err)
			return exitUsage
		}
		opts := watch.Options{Netns: *ns, Port: *port, PID: *pid, Packets: true}
		probe, err := watch.New(opts) // a bad namespace is said now, not on the page
		if err != nil {
			fmt.Fprintf(stderr, "socketville serve: %v\n", err)
			return exitFail
		}
		_, noPackets = probe.Packets()
		probe.Close()
		newLook = func() (web.Looker, error) {
			w, err := watch.New(opts)
			if err != nil {
				return nil, err
			}
			return townLook{w: w}, nil
		}
	}
	if *onOS {
		if err := checkOSMode(*hosts); err != nil {
			fmt.Fprintf(stderr, "socketville serve: %v\n", err)
			return exitUsage
		}
	}
	var served examples.Scenario // the scenario of --forward
	if len(forwards) > 0 {
		if served, err = forwardScenario(pos[0], forwards, *addr); err != nil {
			fmt.Fprintf(stderr, "socketville serve: %v\n", err)
			return exitFail
		}
	}
	h := web.New()
	if newLook != nil {
		h.Start = "kernel=watch" // the printed address opens the machine
	}
	if served.Name != "" {
		h.Start = "kernel=os&play=1&scenario=" + url.QueryEscape(served.Name) // its server must listen for the real clients to come
	}
	gz, raw, err := h.Built()
	if err != nil {
		fmt.Fprintf(stderr, "socketville serve: %v\n", err)
		return exitFail
	}
	var folder http.Handler = http.HandlerFunc(web.NoFolder)
	if *scenarios != "" {
		f, err := web.OpenFolder(*scenarios)
		if err != nil {
			fmt.Fprintf(stderr, "socketville serve: %v\n", err)
			return exitFail
		}
		defer f.Close()
		folder = f
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "socketville serve: %v\n", err)
		return exitFail
	}
	var relay *turnrelay.Server // nil without --turn
	if *onTurn {
		if turnCfg.Addr == "" {
			turnCfg.Addr = turnAddr(ln.Addr())
		}
		turnCfg.Log = stderr
		if relay, err = turnrelay.Listen(turnCfg); err != nil {
			ln.Close()
			fmt.Fprintf(stderr, "socketville serve: %v (--turn-addr picks another address)\n", err)
			return exitFail
		}
		defer relay.Close() // after the hub's, below: every allocation ends
		hubCfg.PeerICE = func(host, conn string) []p2psignal.ICEServer {
			return []p2psignal.ICEServer{relay.ICEServer(host, conn)}
		}
	}
	fmt.Fprintf(stdout, "Socketville is at http://%s/ (web build %.1f MB, %.1f MB compressed); Ctrl-C stops it\n",
		ln.Addr(), float64(raw)/1e6, float64(gz)/1e6)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var newKernel func(io.Writer) (sock.Kernel, error)
	if *onOS {
		mode := *hosts
		newKernel = func(notes io.Writer) (sock.Kernel, error) {
			k, err := newOSKernel(mode, notes)
			if err != nil {
				return nil, err
			}
			return labeled{k, osLabel(k)}, nil
		}
		fmt.Fprintf(stdout, "The page may play scenarios on this machine's sockets: open http://%s/?kernel=os&scenario=hello-tcp\n", ln.Addr())
	}
	if f, ok := folder.(*web.Folder); ok {
		sayFolder(stdout, *scenarios, f)
	}
	if relay != nil {
		fmt.Fprintf(stdout, "The TURN relay is at udp %s, relaying at %s: each page joining a room gets a credential for %s; counters at http://%s/turn/stats\n",
			relay.Addr(), relay.RelayIP(), plainDuration(turnCfg.TTL), ln.Addr())
	}
	if served.Name != "" {
		newKernel = forwardKernel(forwards, forwardMode.m, 0)
		fmt.Fprintf(stdout, "The page plays %s with real programs forwarded (%s): open http://%s/; the forwards open when the page starts the run\n",
			served.Name, forwards.arrows(), ln.Addr())
	}
	runs := web.NewOSRuns(ctx, newKernel, *maxRun)
	if served.Name != "" {
		runs.Scenarios = []examples.Scenario{served}
	}
	defer runs.Wait() // every run's namespaces are gone before the program ends
	mux := http.NewServeMux()
	mux.Handle("/os/", runs)
	mux.Handle("/scenarios/", folder)
	looks := serveWatch(ctx, newLook, *ns, *every, noPackets, ln.Addr(), stdout)
	defer looks.Wait() // every page's watch is closed before the program ends
	mux.Handle("/watch/", looks)
	if *onStar {
		rt := starRouter(ln.Addr(), stdout)
		defer rt.Close() // after the hub's, below: no offer comes any more
		hubCfg.Router = rt
		mux.Handle("/signal/star", starStats(rt))
	}
	signals := hub.New(hubCfg)
	defer signals.Close() // every peer is told the hub is going away
	mux.Handle("/signal", signals)
	mux.Handle("/signal/stats", signals)
	if relay != nil {
		mux.Handle("/turn/stats", relay)
	}
	mux.Handle("/", h)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "socketville serve: %v\n", err)
		return exitFail
	}
	return exitOK
}

// serveWatch makes the /watch/ endpoints of a server on addr, whose
// pages watch what newLook makes (nil without --watch), and says where the
// machine is shown.
func serveWatch(ctx context.Context, newLook func() (web.Looker, error), netns string, every time.Duration, noPackets string, addr net.Addr, stdout io.Writer) *web.Watches {
	w := web.NewWatches(ctx)
	if newLook == nil {
		return w
	}
	w.New, w.Every, w.Kernel = newLook, every, "Linux"
	w.Name, w.Label = watchNames(netns, every, noPackets)
	if a, ok := addr.(*net.TCPAddr); ok && !a.IP.IsLoopback() {
		w.Open = true
		fmt.Fprintf(stdout, "--addr %s listens beyond loopback: anyone who reaches it sees this machine's sockets and their programs\n", addr)
	}
	fmt.Fprintf(stdout, "The page shows %s: open http://%s/ (or http://%s/?kernel=watch)\n", strings.TrimPrefix(w.Label, "watching "), addr, addr)
	return w
}

// turnAddr is where --turn listens by default: UDP port 3478 on the host
// the server listens on (every IPv4 address, for a server on every
// address; 127.0.0.1 for ::1, as the relay is IPv4 only).
func turnAddr(a net.Addr) string {
	host := "0.0.0.0"
	if t, ok := a.(*net.TCPAddr); ok && !t.IP.IsUnspecified() {
		switch {
		case t.IP.To4() != nil:
			host = t.IP.String()
		case t.IP.IsLoopback():
			host = "127.0.0.1"
		}
	}
	return net.JoinHostPort(host, strconv.Itoa(turnrelay.DefaultPort))
}

// plainDuration prints d without its zero tails: "1h", "90m", "1h30m".
func plainDuration(d time.Duration) string {
	p := d.String()
	if strings.HasSuffix(p, "m0s") {
		p = strings.TrimSuffix(p, "0s")
	}
	if strings.HasSuffix(p, "h0m") {
		p = strings.TrimSuffix(p, "0m")
	}
	return p
}

// count says n things: "1 scenario", "2 scenarios".
func count(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// sayFolder tells the teacher what the page offers of their folder, and
// what it leaves out and why.
func sayFolder(stdout io.Writer, dir string, f *web.Folder) {
	l, err := f.List()
	if err != nil {
		fmt.Fprintf(stdout, "The scenarios folder %s: %v\n", dir, err)
		return
	}
	fmt.Fprintf(stdout, "The page's Class folder offers %s and %s of %s\n", count(len(l.Scenarios), "scenario"), count(len(l.Lessons), "lesson"), dir)
	for _, p := range l.Problems {
		fmt.Fprintf(stdout, "  %s\n", p)
	}
}
