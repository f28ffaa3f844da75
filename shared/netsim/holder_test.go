package netsim

import (
	"net/netip"
	"testing"
	"time"

	"socketville/shared/sock"
)

// TestHolder: what holds a port is named by its fd while it has one, and
// otherwise as the kernel's connection of its process, never "fd 0".
func TestHolder(t *testing.T) {
	w := New(Options{Seed: 1})
	for _, h := range []struct{ name, addr string }{{"a", "10.0.0.1/24"}, {"b", "10.0.0.2/24"}} {
		if _, err := w.AddHost(h.name, []netip.Prefix{netip.MustParsePrefix(h.addr)}, HostOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.AddLink("a", "b", sock.LinkConfig{}); err != nil {
		t.Fatal(err)
	}
	client, _ := w.Host("a").AddProcess("client", false)
	server, _ := w.Host("b").AddProcess("web", true)
	lfd, _ := server.Socket(sock.SockTCP)
	if err := server.Bind(lfd, netip.MustParseAddrPort("0.0.0.0:80")); err != nil {
		t.Fatal(err)
	}
	if err := server.Listen(lfd, 4); err != nil {
		t.Fatal(err)
	}
	cfd, _ := client.Socket(sock.SockTCP)
	_ = client.Connect(cfd, netip.MustParseAddrPort("10.0.0.2:80"))
	w.RunFor(time.Second)
	l := server.fds[lfd]
	if len(l.tcp.acceptQ) != 1 {
		t.Fatalf("%d connections queued, want 1", len(l.tcp.acceptQ))
	}
	child := l.tcp.acceptQ[0]
	for _, c := range []struct {
		name string
		s    *Socket
		want string
	}{
		{name: "listener", s: l, want: "b/web fd 3"},
		{name: "not accepted", s: child, want: "an ESTABLISHED connection of b/web not yet accepted"},
	} {
		if got := c.s.holder(); got != c.want {
			t.Errorf("%s: holder %q, want %q", c.name, got, c.want)
		}
	}
	sfd, _, err := server.Accept(lfd)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := child.holder(), "b/web fd 4"; got != want {
		t.Errorf("accepted: holder %q, want %q", got, want)
	}
	_ = server.Close(sfd) // the server closes first: FIN-WAIT-1, then on to TIME-WAIT
	if got, want := child.holder(), "a FIN-WAIT-1 connection of b/web"; got != want {
		t.Errorf("closed: holder %q, want %q", got, want)
	}
	_ = client.Close(cfd)
	w.RunFor(time.Second)
	if got, want := child.holder(), "a TIME-WAIT connection of b/web"; got != want {
		t.Errorf("in TIME-WAIT: holder %q, want %q", got, want)
	}
}
