package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"socketville/native/web"
	"socketville/shared/sock"
)

const serveUsage = `socketville serve [--addr HOST:PORT] [--os [--hosts MODE] [--max-run D]]

Serves the town's browser build, embedded in this binary, and prints its
address; open it in a browser. Stop with Ctrl-C.

  --addr HOST:PORT  where to listen (default 127.0.0.1:8080; port 0 picks one)

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
  --max-run D       with --os, cap every "run D" line at D`

func serveCmd(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, serveUsage) }
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	onOS := fs.Bool("os", false, "let the page play scenarios on this machine's sockets")
	hosts := fs.String("hosts", "auto", "auto, namespaces or loopback")
	maxRun := fs.Duration("max-run", 0, "with --os, cap every run line at this")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(pos) != 0 {
		fmt.Fprintln(stderr, "socketville serve: takes no arguments besides its flags")
		return exitUsage
	}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	if !*onOS && (set["hosts"] || set["max-run"]) {
		fmt.Fprintln(stderr, "socketville serve: --hosts and --max-run go with --os")
		return exitUsage
	}
	if *onOS {
		if err := checkOSMode(*hosts); err != nil {
			fmt.Fprintf(stderr, "socketville serve: %v\n", err)
			return exitUsage
		}
	}
	h := web.New()
	gz, raw, err := h.Built()
	if err != nil {
		fmt.Fprintf(stderr, "socketville serve: %v\n", err)
		return exitFail
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "socketville serve: %v\n", err)
		return exitFail
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
	runs := web.NewOSRuns(ctx, newKernel, *maxRun)
	defer runs.Wait() // every run's namespaces are gone before the program ends
	mux := http.NewServeMux()
	mux.Handle("/os/", runs)
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
