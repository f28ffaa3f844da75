//go:build js && wasm

package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"syscall/js"
	"time"

	"socketville/shared/p2p/mesh"
	"socketville/shared/p2p/road"
	"socketville/shared/p2p/signal"
	"socketville/shared/town/peertown"
)

// A shared town (issue "Peer to peer"): the Share menu's Invite makes a
// room on the hub that served the page and gives its link; a page opened
// at a link with #room=ID joins that room. Each page then runs its own
// host, and the roads between them are WebRTC data channels
// (shared/town/peertown). The page's calls, as window.socketvilleShare.NAME:
//
//	invite()   {link, host}: a new room and its link, once the hub said yes
//	leave()    the room left; the town stays, and can go back again
//	peers()    [{host, name, label, gone}]: the room's other pages

// joinTimeout bounds dialing the hub and its welcome.
const joinTimeout = 15 * time.Second

// room is the page's place in a shared town, nil until it has one.
type room struct {
	pg      *page
	t       *peertown.Town
	joining bool
}

// join joins the room (or makes one, when id is empty) off the frame
// loop, then shares the town at the next frame. It says what went wrong
// in the console and over the page.
func (r *room) join(id signal.RoomID, name string, done func(any, error)) {
	if r.t != nil || r.joining {
		done(nil, errors.New("this page is in a room already: Leave it first"))
		return
	}
	loc := js.Global().Get("location")
	// The page's address without its fragment: a #s= town or the
	// room's own id stay out of the link made from it; and without
	// ?lesson=: a friend joins the town, not the learner's lesson.
	base := loc.Get("origin").String() + loc.Get("pathname").String() + withoutLesson(loc.Get("search").String())
	hub, err := signal.SignalURL(base)
	if err != nil {
		done(nil, err)
		return
	}
	r.joining = true
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), joinTimeout)
		defer cancel()
		t, err := peertown.Join(ctx, peertown.Options{Mesh: mesh.Options{URL: hub, Name: name, Room: id, NoWebRTC: noWebRTC(), Road: road.Options{RelayOnly: relayOnly()}}})
		r.pg.later(func() {
			r.joining = false
			if err != nil {
				err = fmt.Errorf("could not join the room: %w", err)
				done(nil, err)
				return
			}
			why := fmt.Sprintf("shared town: you are %s at %v in room %s; friends who open its link join with hosts of their own. The town runs in real time while they are here.", t.Host(), t.Addr(), shortRoom(t.Room()))
			if err := r.pg.Share("shared", t.Scenario(), t, why); err != nil {
				t.Close()
				done(nil, err)
				return
			}
			r.t = t
			link, _ := signal.FormatInvite(base, t.Room())
			done(obj(map[string]any{"link": link, "host": t.Host()}), nil)
		})
	}()
}

// withoutLesson is a page's query without its lesson= (see lessonOptions).
func withoutLesson(search string) string {
	q, err := url.ParseQuery(strings.TrimPrefix(search, "?"))
	if err != nil || !q.Has("lesson") {
		return search
	}
	q.Del("lesson")
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// noWebRTC reports whether this page is to relay every road through the
// hub: its browser has no WebRTC, or ?webrtc=0 asks it to behave as if
// (a network that blocks peer-to-peer UDP, shown on purpose).
func noWebRTC() bool {
	if js.Global().Get("RTCPeerConnection").IsUndefined() {
		return true
	}
	q, _ := url.ParseQuery(strings.TrimPrefix(js.Global().Get("location").Get("search").String(), "?"))
	return q.Get("webrtc") == "0"
}

// relayOnly reports whether ?webrtc=relay asks this page to use TURN
// relay candidates only (the relay of serve --turn): to show, or check,
// that roads go through it.
func relayOnly() bool {
	q, _ := url.ParseQuery(strings.TrimPrefix(js.Global().Get("location").Get("search").String(), "?"))
	return q.Get("webrtc") == "relay"
}

// shortRoom is the start of a room's id, enough for people to tell two
// apart; the whole id is in the link only.
func shortRoom(id signal.RoomID) string {
	if len(id) > 6 {
		return string(id[:6]) + "…"
	}
	return string(id)
}

// leave leaves the room: its roads go down, the town goes on alone.
func (r *room) leave(done func(any, error)) {
	t := r.t
	if t == nil {
		done(nil, errors.New("this page is in no room"))
		return
	}
	r.t = nil
	go func() {
		err := t.Close()
		r.pg.later(func() {
			r.pg.Unshare("you left the room: the town is yours alone again, and Back goes over all of it")
			done(nil, err)
		})
	}()
}

// drive is the room's part of every frame.
func (r *room) drive() {
	if r.t != nil {
		r.t.Drive(r.pg.Player(), time.Now())
	}
}

// peers lists the room's other pages for the page.
func (r *room) peers() any {
	out := js.Global().Get("Array").New()
	if r.t == nil {
		return out
	}
	for _, p := range r.t.Peers() {
		out.Call("push", obj(map[string]any{"host": p.Host, "name": p.Name, "label": p.Label, "gone": p.Gone}))
	}
	return out
}
