package hub_test

import (
	"net"
	"net/http"
)

// newServer serves h on ln, as serve mounts it at /signal.
func newServer(h http.Handler, ln net.Listener) *http.Server {
	mux := http.NewServeMux()
	mux.Handle("/signal", h)
	mux.Handle("/signal/stats", h)
	srv := &http.Server{Handler: mux}
	go func() { _ = srv.Serve(ln) }()
	return srv
}
