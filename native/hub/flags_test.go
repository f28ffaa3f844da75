package hub_test

import (
	"flag"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"socketville/native/hub"
	"socketville/shared/p2p/signal"
)

func TestFlags(t *testing.T) {
	var cfg hub.Config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfg.Flags(fs)
	err := fs.Parse([]string{
		"--ice", "stun:10.0.0.1:3478", "--ice", "turn:class:secret@10.0.0.1:3478?transport=udp",
		"--hub-origins", "https://class.example, *.school.example", "--hub-max-peers", "40",
		"--hub-room-idle", "1m", "--hub-msg-rate", "50", "--hub-conn-burst", "100",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := hub.Defaults()
	want.ICE = []signal.ICEServer{
		{URLs: []string{"stun:10.0.0.1:3478"}},
		{URLs: []string{"turn:10.0.0.1:3478?transport=udp"}, Username: "class", Credential: "secret"},
	}
	want.Origins = []string{"https://class.example", "*.school.example"}
	want.SendQueue, want.WriteTimeout = 0, 0 // no flags: New gives them their defaults
	want.MaxPeers, want.RoomIdle, want.MsgRate, want.ConnBurst = 40, time.Minute, rate.Limit(50), 100
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("flags gave\n%+v\nwant\n%+v", cfg, want)
	}
	for _, bad := range []struct{ arg, says string }{
		{"http:x", "none of stun, stuns, turn, turns"},
		{"ftp://x", "not scheme:host[:port]"},
		{"stun", "not stun:HOST:PORT"},
		{"turn:user@host:3478", "credentials are USER:PASSWORD@"},
		{"stun:a b", "not printable ASCII"},
	} {
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		var c hub.Config
		c.Flags(fs)
		if err := fs.Parse([]string{"--ice", bad.arg}); err == nil || !strings.Contains(err.Error(), bad.says) {
			t.Errorf("--ice %s: %v, want it to say %q", bad.arg, err, bad.says)
		}
	}
}
