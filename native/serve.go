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
)

const serveUsage = `socketville serve [--addr HOST:PORT]

Serves the town's browser build, embedded in this binary, and prints its
address; open it in a browser. Stop with Ctrl-C.

  --addr HOST:PORT  where to listen (default 127.0.0.1:8080; port 0 picks one)`

func serveCmd(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, serveUsage) }
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(pos) != 0 {
		fmt.Fprintln(stderr, "socketville serve: takes no arguments besides --addr")
		return exitUsage
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
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
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
