package share_test

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"socketville/examples"
	"socketville/shared/sock"
	"socketville/shared/town/play"
	"socketville/wasm/share"
)

// played plays an example in a town's player at speed for wall of
// frames, pauses, types a line, steps a few times, plays on a little and
// goes back back events, as a learner might before pressing Download.
func played(t *testing.T, name string, speed float64, wall time.Duration, typed string, back int) *play.Player {
	t.Helper()
	ex, ok := examples.Find(name)
	if !ok {
		t.Fatalf("no example %s", name)
	}
	p, err := play.New(play.Options{Name: ex.Name, Source: ex.Source})
	if err != nil {
		t.Fatal(err)
	}
	p.SetSpeed(speed)
	p.SetPaused(false)
	tick := func(d time.Duration) {
		for range d / (time.Second / 60) {
			p.Tick(time.Second / 60)
		}
	}
	tick(wall)
	p.SetPaused(true)
	if err := p.Exec(typed); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		p.Step()
	}
	p.SetPaused(false)
	tick(wall / 4)
	p.SetPaused(true)
	for range back {
		if err := p.Back(); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// sentTimes are the virtual times of the frames the town's timeline
// shows sent up to the moment shown.
func sentTimes(p *play.Player) []time.Duration {
	f := play.AllEvents()
	f.Kinds = []sock.Kind{sock.KindSent}
	entries, _ := p.Timeline(f, 0, 1<<30)
	var out []time.Duration
	for _, e := range entries {
		if e.Index < p.EventIndex() {
			out = append(out, e.At)
		}
	}
	return out
}

// pcapTimes are the times of a nanosecond pcap's records.
func pcapTimes(t *testing.T, b []byte) []time.Duration {
	t.Helper()
	if magic := binary.LittleEndian.Uint32(b); magic != 0xa1b23c4d {
		t.Fatalf("magic %#x, want a nanosecond pcap", magic)
	}
	var out []time.Duration
	for b = b[24:]; len(b) >= 16; {
		sec, ns, n := binary.LittleEndian.Uint32(b), binary.LittleEndian.Uint32(b[4:]), binary.LittleEndian.Uint32(b[8:])
		out = append(out, time.Duration(sec)*time.Second+time.Duration(ns))
		b = b[16+n:]
	}
	if len(b) != 0 {
		t.Fatalf("%d bytes after the last whole record", len(b))
	}
	return out
}

// TestPcapIsWhatTheTownShowed: the pcap of a town's session holds a
// frame for every letter the town's timeline shows sent up to the moment
// shown, at the same virtual times, whether the learner typed a line,
// stepped, or went back; and tshark reads it without a malformed frame.
func TestPcapIsWhatTheTownShowed(t *testing.T) {
	for _, tt := range []struct {
		name, typed string
		speed       float64
		wall        time.Duration
		back        int
	}{
		{name: "hello-tcp", typed: `b/web: socket udp`, speed: 2, wall: 10 * time.Second},
		{name: "hello-tcp", typed: `a/client: socket tcp`, speed: 8, wall: 5 * time.Second, back: 5},
		{name: "lossy-bulk", typed: `a/client: socket udp`, speed: play.MaxSpeed, wall: 2 * time.Second, back: 40},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := played(t, tt.name, tt.speed, tt.wall, tt.typed, tt.back)
			want := sentTimes(p)
			b, n, err := share.Pcap(p.Session())
			if err != nil {
				t.Fatal(err)
			}
			got := pcapTimes(t, b)
			if n != len(got) || len(got) != len(want) || len(want) < 3 {
				t.Fatalf("the pcap has %d frames (said %d); the town showed %d sent", len(got), n, len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("frame %d at %v in the pcap, %v in the town", i, got[i], want[i])
				}
			}
			tsharkReads(t, b, n)
		})
	}
}

// tsharkReads has tshark read the pcap: every frame, none malformed. It
// reads each segment alone: with its reassembly of port 80's streams on,
// tshark calls a retransmission whose bytes are the same as the first
// copy's "new fragment overlaps old data" once loss, duplication and
// reordering have passed it segments out of order (run --pcap's pcap of
// lossy-bulk gets 48 of those), which says nothing of the frames.
func tsharkReads(t *testing.T, b []byte, frames int) {
	t.Helper()
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Log("tshark is not installed (./build.sh deps installs it): not read")
		return
	}
	path := filepath.Join(t.TempDir(), "town.pcap")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(tshark, "-o", "tcp.desegment_tcp_streams:FALSE", "-r", path, "-T", "fields", "-e", "frame.number", "-e", "_ws.malformed", "-e", "_ws.expert.severity")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark: %v\n%s", err, stderr.Bytes())
	}
	if got := strings.Count(string(out), "\n"); got != frames {
		t.Errorf("tshark read %d frames of %d", got, frames)
	}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if f := strings.Split(l, "\t"); len(f) > 1 && f[1] != "" {
			t.Errorf("tshark finds frame %s malformed", f[0])
		}
	}
}

func TestPcapOfABadSession(t *testing.T) {
	for _, tt := range []struct {
		what string
		s    play.Session
		want string
	}{
		{"a scenario that does not parse", play.Session{Name: "typo", Source: "frobnicate\n"}, "typo"},
		{"a typed line that does not parse", play.Session{Name: "x", Source: "host a 10.0.0.1/24\n",
			Inputs: []play.Input{{Kind: play.InputLine, Line: "a/p: frobnicate"}}}, "input 1"},
		{"an unknown input", play.Session{Name: "x", Source: "host a 10.0.0.1/24\n",
			Inputs: []play.Input{{Kind: 99}}}, "no such kind"},
	} {
		if _, _, err := share.Pcap(tt.s); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error that says %q", tt.what, err, tt.want)
		}
	}
}
