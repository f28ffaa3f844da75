//go:build js && wasm

// Command wasm is Socketville's browser build: the town in a web page.
// The page may pick a scenario with ?scenario=NAME, a seed with ?seed=N,
// a pace with ?speed=X (0.1 to 100), ?play=1 to start playing at once
// (the page opens paused) and a generated crowded town with
// ?crowd=PAIRSxSOCKETS. ?name=NAME names the page's host in a shared town
// and ?webrtc=0 relays its roads through the hub, ?webrtc=relay sends them
// through the TURN relay of serve --turn only (peers.go). With ?kernel=os, a server started with serve --os
// runs the scenario on its machine's real sockets and the town draws that
// run; another server says it does not, and the town plays on its own.
// With ?kernel=watch, a server started with serve --watch shows its
// machine's own sockets (the page it prints opens so). A link made with
// the page's Copy link carries a whole town in its fragment (#s=, see
// wasm/share), which the page replays on opening and on a hashchange; the
// page's Share toolbar (sharing.go) saves, opens and downloads.
package main

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"syscall/js"

	"github.com/hajimehoshi/ebiten/v2"

	"socketville/shared/p2p/signal"
	"socketville/shared/town"
	"socketville/shared/town/play"
	"socketville/wasm/share"
)

// maxLinkSource is the longest scenario a link may carry (?src=): more
// than any example, less than what would make a link unwieldy.
const maxLinkSource = 16 << 10

func main() {
	js.Global().Get("performance").Call("mark", "sv-main")
	opts := town.Options{}
	search := js.Global().Get("location").Get("search").String()
	if len(search) > 0 && search[0] == '?' {
		search = search[1:]
	}
	if q, err := url.ParseQuery(search); err == nil {
		opts.Scenario = q.Get("scenario")
		lessonOptions(&opts, q) // ?lesson=N, progress, the lesson's page text (lessons_js.go)
		// ?src=...: a scenario's own lines, a link that carries its
		// town (a test's, a learner's shared one); ?scenario= names it.
		if src := q.Get("src"); src != "" && len(src) <= maxLinkSource {
			opts.Source = src
			if opts.Scenario == "" {
				opts.Scenario = "shared"
			}
		}
		if c := q.Get("crowd"); c != "" {
			// ?crowd=50x10: a generated crowded town (benchmarks, the curious).
			_, _ = fmt.Sscanf(c, "%dx%d", &opts.Crowd.Pairs, &opts.Crowd.PerHost)
		}
		if s, err := strconv.ParseUint(q.Get("seed"), 10, 64); err == nil {
			opts.Seed = s
		}
		// ?play=1 starts the story at once (a kiosk, a benchmark); by
		// default the page opens paused at its start.
		opts.Play = q.Has("play") && q.Get("play") != "0"
		if s, err := strconv.ParseFloat(q.Get("speed"), 64); err == nil {
			opts.Speed = s // ?speed=2: a link that plays at twice the pace
		}
	}
	note := ""
	// #s=...: a shared town. A bad link is said, and the page opens the
	// town it would have without it.
	var linked *play.Session
	var linkErr error
	if v, ok := share.FromFragment(js.Global().Get("location").Get("hash").String()); ok {
		if s, err := sessionOf(v); err != nil {
			linkErr = err
		} else {
			linked = &s
			opts.Scenario, opts.Source, opts.Seed = s.Name, s.Source, s.Seed
		}
	}
	if q, _ := url.ParseQuery(search); q.Get("kernel") == "os" {
		if remote, ex, why := osRemote(opts.Scenario, !opts.Play); remote != nil {
			opts.Remote, opts.Scenario, opts.Source = remote, ex.Name, ex.Source
		} else {
			note = why
			pageNote(why)
		}
	}
	if q, _ := url.ParseQuery(search); q.Get("kernel") == "watch" {
		if feed, name, why := watchFeed(); feed != nil {
			opts.Feed, opts.Scenario, opts.Play = feed, name, true
		} else {
			note = why
			pageNote(why)
		}
	}
	g, err := town.New(opts)
	if err != nil && linked != nil {
		// The link's scenario does not start: say so and open the
		// usual town instead of none.
		linkErr, linked = err, nil
		opts.Scenario, opts.Source, opts.Seed = "", "", 0
		g, err = town.New(opts)
	}
	if err != nil {
		stopped(err)
		return
	}
	if note != "" {
		g.Player().Console().Add(play.LineError, "?kernel="+kernelParam(search)+": "+note)
	}
	if linked != nil {
		if err := g.Player().LoadSession(*linked); err != nil {
			linkErr = err
		}
	}
	if linkErr != nil {
		_ = linkError(g.Player(), linkErr)
	}
	js.Global().Get("performance").Call("mark", "sv-town")
	pg := newPage(g)
	shareAPI(pg)
	joinFromLink(pg)
	ebiten.SetTPS(town.TPS)
	if err := ebiten.RunGame(pg); err != nil {
		stopped(err)
	}
}

// joinFromLink joins the room of an invite link (#room=ID) the page was
// opened at; what goes wrong is said over the page and in the console.
func joinFromLink(pg *page) {
	_, id, err := signal.ParseInvite(js.Global().Get("location").Get("href").String())
	if err != nil {
		if strings.Contains(js.Global().Get("location").Get("hash").String(), "room=") {
			pageNote("This invite link does not read: " + err.Error())
		}
		return
	}
	pg.room.join(id, pageName(), func(_ any, err error) {
		if err != nil {
			pg.Player().Console().Add(play.LineError, err.Error())
			pageNote(err.Error())
			return
		}
		if f := js.Global().Get("socketvilleJoined"); f.Type() == js.TypeFunction {
			f.Invoke(pg.room.t.Host())
		}
	})
}

// pageName is the page's ?name=, the name its host asks for in a shared
// town ("" lets the room name it).
func pageName() string {
	search := strings.TrimPrefix(js.Global().Get("location").Get("search").String(), "?")
	q, _ := url.ParseQuery(search)
	return q.Get("name")
}

// kernelParam is the page's ?kernel=, for the console's words.
func kernelParam(search string) string {
	q, _ := url.ParseQuery(search)
	return q.Get("kernel")
}

// pageNote shows a note over the page (index.html's socketvilleNote).
func pageNote(msg string) {
	if f := js.Global().Get("socketvilleNote"); f.Type() == js.TypeFunction {
		f.Invoke(msg)
	}
}

// stopped tells the page that the town ended with an error: the page says
// it in words (index.html's socketvilleStopped) instead of going black.
func stopped(err error) {
	js.Global().Get("console").Call("error", err.Error())
	if f := js.Global().Get("socketvilleStopped"); f.Type() == js.TypeFunction {
		f.Invoke(err.Error())
	}
}
