package main

import (
	"fmt"
	"io"
	"net"

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
	fmt.Fprintf(stdout, "Every room is a star (--star): each page makes one WebRTC road, to this server, which passes the frames on (peer %s of every room)\n", rt.ID())
	return rt
}
