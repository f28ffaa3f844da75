package play_test

import (
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"socketville/shared/script"
	"socketville/shared/town/play"
)

// tinker plays name at pace, pauses after five lines to type one, steps,
// and plays the rest as fast as possible.
func tinker(t *testing.T, name string, speed float64, typed string) *play.Player {
	t.Helper()
	p := example(t, name)
	p.SetSpeed(speed)
	for i := 0; p.CurrentLine() < 14; i++ {
		if i > 60*600 {
			t.Fatal("the story did not come to line 14")
		}
		p.Tick(time.Second / 60)
	}
	p.SetPaused(true)
	if err := p.Exec(typed); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		p.Step()
	}
	p.SetPaused(false)
	for range 60 {
		p.Tick(time.Second / 60)
	}
	toEnd(t, p)
	return p
}

// roundTrip writes a session as text and reads it back.
func roundTrip(t *testing.T, s play.Session) play.Session {
	t.Helper()
	b, err := s.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	var back play.Session
	if err := back.UnmarshalText(b); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	if !reflect.DeepEqual(back, s) {
		t.Fatalf("read back:\n%+v\nwrote:\n%+v", back, s)
	}
	return back
}

func TestSessionReplaysToTheSameTrace(t *testing.T) {
	for _, tt := range []struct {
		name, typed string
		speed       float64
	}{
		{"hello-tcp", "b/web: socket udp", 1},
		{"lossy-bulk", `a/client: socket udp`, play.MaxSpeed},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := tinker(t, tt.name, tt.speed, tt.typed)
			s := roundTrip(t, p.Session())
			q, err := play.New(play.Options{Name: "elsewhere", Source: "host z 10.9.9.9/24\n"})
			if err != nil {
				t.Fatal(err)
			}
			if err := q.LoadSession(s); err != nil {
				t.Fatal(err)
			}
			if q.EventCount() != p.EventCount() || q.TraceDigest() != p.TraceDigest() {
				t.Fatalf("replayed: %d events, trace %s; played: %d, %s", q.EventCount(), q.TraceDigest()[:12], p.EventCount(), p.TraceDigest()[:12])
			}
			if q.SnapshotDigest() != p.SnapshotDigest() {
				t.Error("replayed, the town is not in the state it was played to")
			}
			if q.Name() != tt.name || !strings.Contains(q.Source(), "process") {
				t.Errorf("replayed %q", q.Name())
			}
			typed := 0
			for _, in := range s.Inputs {
				if in.Kind == play.InputLine && in.Line == tt.typed {
					typed++
				}
			}
			if typed != 1 || len(s.Inputs) > 200 {
				t.Errorf("%d inputs, the typed line %d times", len(s.Inputs), typed)
			}
			// The town replayed goes back like the one played.
			if err := q.JumpTo(q.EventCount() / 2); err != nil || q.EventIndex() < q.EventCount()/2 {
				t.Errorf("jump in the replayed town: %v, at %d", err, q.EventIndex())
			}
		})
	}
}

func TestSessionUpToTheMomentShown(t *testing.T) {
	p := tinker(t, "hello-tcp", 1, "b/web: socket udp")
	if err := p.JumpTo(40); err != nil {
		t.Fatal(err)
	}
	q := example(t, "hello-udp")
	if err := q.LoadSession(roundTrip(t, p.Session())); err != nil {
		t.Fatal(err)
	}
	if q.EventCount() != p.EventIndex() || q.SnapshotDigest() != p.SnapshotDigest() || q.TraceDigest() != p.TraceDigest() {
		t.Errorf("the session of a town back at event %d replays to %d events", p.EventIndex(), q.EventCount())
	}
}

func TestSessionRefusesWhatIsNotOne(t *testing.T) {
	good, err := play.Session{Name: "x", Source: "host a 10.0.0.1/24", Inputs: []play.Input{{Kind: play.InputOpen}}}.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	g := string(good)
	tests := []struct{ name, text, want string }{
		{"empty", "", "not a Socketville session"},
		{"other text", "host a 10.0.0.1/24\n", "not a Socketville session"},
		{"later version", strings.Replace(g, "session 1", "session 2", 1), `version "2"`},
		{"no seed", strings.Replace(g, "seed 0", "sed 0", 1), `want "seed ..."`},
		{"bad seed", strings.Replace(g, "seed 0", "seed -1", 1), "not a number"},
		{"huge source", strings.Replace(g, "source 1", "source 99999999", 1), "more than"},
		{"short source", strings.Replace(g, "source 1", "source 5", 1), "it ends at line"},
		{"huge inputs", strings.Replace(g, "inputs 1", "inputs 1000000000", 1), "more than"},
		{"missing input", strings.Replace(g, "inputs 1", "inputs 2", 1), "before its last input"},
		{"unknown input", strings.Replace(g, "\no\n", "\nx\n", 1), `no such input "x"`},
		{"bad advance", strings.Replace(g, "\no\n", "\na soon\n", 1), "virtual time"},
		{"negative advance", strings.Replace(g, "\no\n", "\na -1s\n", 1), "virtual time"},
		{"no steps", strings.Replace(g, "\no\n", "\ns 0\n", 1), "count from 1"},
		{"too many steps", strings.Replace(g, "\no\n", "\ns 10000001\n", 1), "count from 1"},
		{"typed line that fails", strings.Replace(g, "\no\n", "\nl a/p: frobnicate 3\n", 1), "typed line"},
		{"typed clock", strings.Replace(g, "\no\n", "\nl run 5s\n", 1), "moves the clock"},
		{"open with words", strings.Replace(g, "\no\n", "\no now\n", 1), "takes nothing"},
		{"more after", g + "o\n", "more after the last input"},
		{"too big", sessionHeader() + strings.Repeat("x", play.MaxSessionBytes), "more than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := play.Session{Name: "kept"}
			err := s.UnmarshalText([]byte(tt.text))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one with %q", err, tt.want)
			}
			if s.Name != "kept" {
				t.Error("a refused session changed the one read into")
			}
		})
	}
	if _, err := (play.Session{Name: "a\nb"}).MarshalText(); err == nil {
		t.Error("a name with a line break was written")
	}
}

func sessionHeader() string { return "socketville session 1\n" }

func TestLoadSessionRefusals(t *testing.T) {
	p := helloTCP(t)
	before := p.TraceDigest()
	if err := p.LoadSession(play.Session{Name: "bad", Source: "host a nowhere\n"}); err == nil {
		t.Error("a scenario that does not parse loaded")
	}
	if err := p.LoadSession(play.Session{Name: "bad", Source: "host a 10.0.0.1/24\n", Inputs: []play.Input{{Kind: play.InputLine, Line: "a/p: frobnicate"}}}); err == nil {
		t.Error("a typed line that does not parse loaded")
	}
	if p.Name() != "hello-tcp" || p.TraceDigest() != before {
		t.Error("a refused session changed the town")
	}
	live := remoteTown(t)
	if err := live.LoadSession(play.Session{Name: "x", Source: "host a 10.0.0.1/24\n"}); err == nil {
		t.Error("a session loaded in a remote town")
	}
	// A session that runs past its limit stops, and says so.
	flood := play.Session{Name: "flood", Source: "host a 10.0.0.1/24\nhost b 10.0.0.2/24\nlink a b\nprocess a p\nprocess b q\n" +
		"b/q: socket udp\nb/q: bind 3 0.0.0.0:9\na/p: socket udp\n"}
	for range 3 {
		flood.Inputs = append(flood.Inputs, play.Input{Kind: play.InputOpen}, play.Input{Kind: play.InputAdvance})
	}
	flood.Inputs = append(flood.Inputs, play.Input{Kind: play.InputLine, Line: `a/p: sendto 3 10.0.0.2:9 "x"`}, play.Input{Kind: play.InputStep, N: 20})
	if err := p.LoadSession(flood); err != nil {
		t.Fatalf("a small session: %v", err)
	}
}

// remoteTown is a town showing a run on a server.
func remoteTown(t *testing.T) *play.Player {
	t.Helper()
	p, err := play.New(play.Options{Name: "r", Source: "host a 10.0.0.1/24\n", Remote: &play.Remote{}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTranscriptPlacesTypedLines(t *testing.T) {
	p := example(t, "hello-tcp")
	// Paused between lines 13 and 15 (the listen and the client's
	// socket), a process and its socket are typed.
	for p.CurrentLine() < 13 {
		p.Step()
	}
	if p.CurrentLine() != 13 {
		t.Fatalf("at line %d", p.CurrentLine())
	}
	for _, l := range []string{"process b extra", "b/extra: socket udp"} {
		if err := p.Exec(l); err != nil {
			t.Fatal(err)
		}
	}
	toEnd(t, p)
	text := p.Transcript()
	lines := strings.Split(text, "\n")
	src := strings.Split(p.Source(), "\n")
	if len(lines) != len(src)+2 || lines[12] != src[12] || !strings.HasPrefix(lines[13], "process b extra   # typed at ") ||
		!strings.HasPrefix(lines[14], "b/extra: socket udp   # typed at ") || lines[15] != src[13] {
		t.Fatalf("transcript:\n%s", text)
	}
	if strings.Contains(text, "approximate") {
		t.Error("a line typed between two lines is said to be approximate")
	}
	if _, err := script.Parse("t", strings.NewReader(text)); err != nil {
		t.Fatal(err)
	}
	// Played as a scenario of its own, it makes the same events.
	q, err := play.New(play.Options{Name: "t", Source: text})
	if err != nil {
		t.Fatal(err)
	}
	toEnd(t, q)
	if q.TraceDigest() != p.TraceDigest() {
		t.Errorf("the transcript played makes other events (%d, the town %d)", q.EventCount(), p.EventCount())
	}
}

func FuzzSessionDecode(f *testing.F) {
	src, err := os.ReadFile("../../../examples/hello-udp.sv")
	if err != nil {
		f.Fatal(err)
	}
	seed, err := play.Session{Name: "hello-udp", Source: string(src), Seed: 3, Inputs: []play.Input{
		{Kind: play.InputOpen}, {Kind: play.InputAdvance, Limit: 1500 * time.Millisecond}, {Kind: play.InputStep, N: 4},
		{Kind: play.InputLine, Line: `a/p: sendto 3 10.0.0.2:9 "hi"`},
	}}.MarshalText()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte("socketville session 1\nname x\nseed 0\nsource 0\ninputs 0\n"))
	f.Add([]byte("socketville session 9\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var s play.Session
		if err := s.UnmarshalText(b); err != nil {
			if err.Error() == "" {
				t.Fatal("an error without words")
			}
			return
		}
		// What reads writes back to what reads the same.
		again, err := s.MarshalText()
		if err != nil {
			t.Fatalf("read but cannot be written: %v", err)
		}
		var back play.Session
		if err := back.UnmarshalText(again); err != nil || !reflect.DeepEqual(back, s) {
			t.Fatalf("written back reads %v: %+v, want %+v", err, back, s)
		}
	})
}

// TestTranscriptOfATownBuiltByHand: lines typed into a town that has no
// lines of its own (the empty town of build by hand) are the whole file,
// in order, none said to wait for a line above it, and it plays again
// to the same events.
func TestTranscriptOfATownBuiltByHand(t *testing.T) {
	p, err := play.New(play.Options{Name: "empty", Source: "# An empty town.\n"})
	if err != nil {
		t.Fatal(err)
	}
	typed := []string{"host a 10.0.0.1/24", "host b 10.0.0.2/24", "link a b", "process b web", "b/web: socket tcp"}
	for _, l := range typed {
		if err := p.Exec(l); err != nil {
			t.Fatal(err)
		}
		toEnd(t, p)
	}
	text := p.Transcript()
	if strings.Contains(text, "under way") || strings.Contains(text, "approximate") {
		t.Errorf("a town built by hand says its lines waited for one above:\n%s", text)
	}
	var got []string
	for _, l := range strings.Split(text, "\n") {
		if cmd, _, ok := strings.Cut(l, "   # typed at "); ok {
			got = append(got, cmd)
		}
	}
	if strings.Join(got, "|") != strings.Join(typed, "|") {
		t.Errorf("typed lines in the file: %q, want %q\n%s", got, typed, text)
	}
	q, err := play.New(play.Options{Name: "t", Source: text})
	if err != nil {
		t.Fatal(err)
	}
	toEnd(t, q)
	if q.TraceDigest() != p.TraceDigest() {
		t.Errorf("the transcript played makes other events (%d, the town %d)", q.EventCount(), p.EventCount())
	}
}
