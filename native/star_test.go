package main

import (
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"socketville/native/hub"
	"socketville/shared/p2p/star"
)

// TestServeStarSharedTown: three towns in one room of a hub whose rooms
// are stars, with serve --star's router: each town holds one road, the
// peer lines are typed for both friends, 64 KiB cross by TCP from ann to
// cy through the server with the right sha256, and the roads' signs say
// they go via the server.
func TestServeStarSharedTown(t *testing.T) {
	// Last of all, once the towns, the hub, the router and the server
	// are closed (cleanups run in reverse), no goroutine of theirs is left.
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, before) })
	srv := httptest.NewUnstartedServer(nil)
	rt := starRouter(srv.Listener.Addr(), io.Discard)
	h := hub.New(hub.Config{Router: rt})
	srv.Config.Handler = h
	srv.Start()
	t.Cleanup(srv.Close)
	t.Cleanup(func() { _ = rt.Close() })
	t.Cleanup(func() { _ = h.Close() })
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/signal"
	ann := joinShared(t, url, "", "")
	bob := joinShared(t, url, "", string(ann.t.Room()))
	cy := joinShared(t, url, "", string(ann.t.Room()))
	towns := []*sharedTown{ann, bob, cy}
	if !runShared(towns, 20*time.Second, func() bool {
		return consoleSays(ann.p, "$ peer ann bob 10.99.0.2") && consoleSays(ann.p, "$ peer ann cy 10.99.0.3") &&
			consoleSays(cy.p, "$ peer cy ann 10.99.0.1") && consoleSays(cy.p, "$ peer cy bob 10.99.0.2")
	}) {
		t.Fatalf("the peer lines were not typed; ann's console: %v", ann.p.Console().Lines)
	}
	if !consoleSays(ann.p, "the road to bob is open: via the server") {
		t.Errorf("ann's console does not say the road to bob goes via the server: %v", ann.p.Console().Lines)
	}
	rec := httptest.NewRecorder()
	starStats(rt).ServeHTTP(rec, httptest.NewRequest("GET", "/signal/star", nil))
	var s star.Stats
	if err := json.Unmarshal(rec.Body.Bytes(), &s); err != nil || s.Roads != 3 || s.Rooms != 1 {
		t.Errorf("/signal/star says %s (%v): want 3 roads, one for each town, in 1 room", rec.Body, err)
	}
	for _, l := range []string{"cy/app: socket tcp", "cy/app: bind 3 0.0.0.0:7000", "cy/app: listen 3 5", "cy/app: accept 3"} {
		if err := cy.p.Exec(l); err != nil {
			t.Fatal(err)
		}
	}
	for _, l := range []string{"ann/app: socket tcp", "ann/app: connect 3 10.99.0.3:7000", "ann/app: send 3 size=65536", "ann/app: close 3"} {
		if err := ann.p.Exec(l); err != nil {
			t.Fatal(err)
		}
	}
	if err := cy.p.Exec("cy/app: recv 4 all"); err != nil {
		t.Fatal(err)
	}
	if !runShared(towns, 40*time.Second, func() bool { return consoleSays(cy.p, "sha256") }) {
		t.Fatalf("cy's recv all did not return; cy's console: %v", cy.p.Console().Lines)
	}
	if want := sha256Of(65536); !consoleSays(cy.p, want) {
		t.Fatalf("cy did not read 65536 bytes with sha256 %s: %v", want, cy.p.Console().Lines)
	}
	roads, _ := ann.p.PeerSigns()
	t.Logf("ann's road signs %v; router %+v", roads, rt.Stats())
	if len(roads) != 2 {
		t.Errorf("ann's town shows %d roads, want 2: %v", len(roads), roads)
	}
	for _, sign := range roads {
		if !strings.HasPrefix(sign, "via the server · RTT") {
			t.Errorf("the road's sign %q does not say it goes via the server, with its RTT", sign)
		}
	}
}
