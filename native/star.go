package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"

	"socketville/shared/p2p/road"
	"socketville/shared/p2p/star"
)

// starRouter is the router of serve --star for a server listening on
// addr: a pion peer in this process that every page of a room makes its
// one road to. When the server listens on loopback only, so do the
// router's roads (pion leaves loopback out unless told); otherwise they
// take the machine's other interfaces, where a classroom's browsers are.
func starRouter(addr net.Addr, stdout io.Writer) *star.Router {
	loopback := false
	if a, ok := addr.(*net.TCPAddr); ok {
		loopback = a.IP.IsLoopback()
	}
	rt := star.New(star.Options{Road: road.Options{Loopback: loopback}})
	fmt.Fprintf(stdout, "Every room is a star (--star): each page makes one WebRTC road, to this server, which passes the frames on (peer %s of every room; counters at /signal/star)\n", rt.ID())
	return rt
}

// starStats answers GET /signal/star with rt's counters as JSON: the
// roads it holds and what it passed on and dropped, for a teacher to see
// that a slow page's losses are its own.
func starStats(rt *star.Router) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-cache")
		_ = json.NewEncoder(w).Encode(rt.Stats())
	})
}
