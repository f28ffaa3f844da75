package lessons_test

import (
	"strings"
	"testing"

	"socketville/shared/lessons"
	"socketville/shared/script"
	"socketville/shared/sock"
)

// TestParseCheckNames: each goal line reads as the sentence a learner sees
// beside it.
func TestParseCheckNames(t *testing.T) {
	for _, tc := range []struct{ line, name string }{
		{"listening b 80", "a socket on host b is listening on port 80"},
		{"listening b/web 80", "a socket on b/web is listening on port 80"},
		{"connected b 80 peers=2", "host b has 2 connected sockets on port 80 with different peers"},
		{"accepted s 80 clients=2", "a listening socket on host s port 80 handed out a new socket for each of 2 clients, each its own peer address and port"},
		{"polled s readable=2 among=3", "host s polled and was told of 2 different readable sockets, watching 3 or more at once"},
		{"went a FIN-WAIT-2 TIME-WAIT", "a connection on host a went from FIN-WAIT-2 to TIME-WAIT"},
		{"went a fin-wait-2 time-wait port=80", "a connection on host a port 80 went from FIN-WAIT-2 to TIME-WAIT"},
		{"reached a/browser TIME-WAIT", "a connection on a/browser reached TIME-WAIT"},
		{"arp a 10.0.0.2", "host a has an ARP entry for 10.0.0.2"},
		{"delivered b tcp", "a TCP segment came up through host b's layers to a socket"},
		{"sent a arp", "an ARP message went down through host a's layers onto the link"},
		{"failed a eaddrinuse", "a call on host a failed with EADDRINUSE (address already in use)"},
		{"not   went b LISTEN CLOSED", "it is not so that a connection on host b went from LISTEN to CLOSED"},
	} {
		c, err := lessons.ParseCheck(tc.line)
		if err != nil {
			t.Errorf("%q: %v", tc.line, err)
			continue
		}
		if c.Name != tc.name {
			t.Errorf("%q is named %q, want %q", tc.line, c.Name, tc.name)
		}
		if c.Line != strings.Join(strings.Fields(tc.line), " ") {
			t.Errorf("%q keeps its line as %q", tc.line, c.Line)
		}
	}
}

func TestParseCheckErrors(t *testing.T) {
	for _, tc := range []struct{ line, want string }{
		{"", "a goal needs a check"},
		{"not", "a goal needs a check"},
		{"not not not listening b 80", "too many nots"},
		{"listening b", "listening takes 2 words, not 1"},
		{"listening b 80 peers=2", `listening: "peers=2": this check takes no key=value words`},
		{"connected b peers=2 80", `connected: "80" comes after a key=value word`},
		{"connected b 80 peers=2 peers=3", "peers= is given twice"},
		{"listening /web 80", `"/web" is not a host or HOST/PROCESS`},
		{"arp a/app 10.0.0.2", "an ARP cache belongs to a host, not a process"},
		{"arp a 10.0.0", `"10.0.0" is not an IPv4 address`},
		{"connects a 10.0.0.2", `"10.0.0.2" is not an IPv4 ADDR:PORT`},
		{"sent a ipx", `"ipx": want tcp, udp, icmp, arp`},
		{"data a send", `"send": want read or write`},
		{"failed a EWHAT", `"EWHAT" is not an errno`},
		{"option a SO_WHAT 1", `"SO_WHAT" is not a socket option`},
		{"bound a icmp 7", `"icmp": want tcp or udp`},
	} {
		_, err := lessons.ParseCheck(tc.line)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want one with %q", tc.line, err, tc.want)
		}
	}
}

// recorder keeps a run's events, as a frontend that replays them would.
type recorder struct{ events []sock.Event }

func (r *recorder) Event(e sock.Event)     { r.events = append(r.events, e) }
func (r *recorder) Line(script.LineRecord) {}

// TestCheckerAsTheTownUsesIt: a Checker fed events as they happen says
// "not yet" after the start and "met" after the show-me lines, the same as
// Lesson.Check given every event at the end.
func TestCheckerAsTheTownUsesIt(t *testing.T) {
	l, ok := lessons.Find(6)
	if !ok {
		t.Fatal("no lesson 6")
	}
	rec := &recorder{}
	c := lessons.NewChecker(l)
	r := script.NewRunner(script.Options{Sink: sinks{rec, eventFunc(c.Event)}})
	for i, part := range []string{l.Start, l.Show} {
		s, err := script.Parse(l.File, strings.NewReader(part))
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Run(s); err != nil {
			t.Fatal(err)
		}
		got := c.Result(r.Kernel().Snapshot())
		if got.Met != (i == 1) {
			t.Errorf("after part %d the goal is met=%v: %v", i, got.Met, got.Missing())
		}
	}
	snap := r.Kernel().Snapshot()
	whole := l.Check(snap, rec.events)
	if live := c.Result(snap); !whole.Met || len(whole.Checks) != len(live.Checks) {
		t.Fatalf("Check over every event: %+v; the live checker: %+v", whole, live)
	}
}

// TestEmptyGoalIsNeverMet: a goal asks for something.
func TestEmptyGoalIsNeverMet(t *testing.T) {
	if lessons.NewGoalChecker(nil).Result(sock.Snapshot{}).Met {
		t.Error("an empty goal is met")
	}
}

func TestVocabularyDocumented(t *testing.T) {
	for _, term := range lessons.Vocabulary() {
		if term.Name == "" || !strings.HasPrefix(term.Usage, term.Name) || term.Doc == "" {
			t.Errorf("term %+v lacks a name, a usage that starts with it, or a doc", term)
		}
	}
}

type eventFunc func(sock.Event)

// sinks hands each event to a recorder and a function.
type sinks struct {
	rec *recorder
	fn  eventFunc
}

func (s sinks) Event(e sock.Event)   { s.rec.Event(e); s.fn(e) }
func (sinks) Line(script.LineRecord) {}
