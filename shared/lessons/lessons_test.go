package lessons_test

import (
	"os"
	"strings"
	"testing"

	"socketville/shared/lessons"
)

// wrongAttempts are, for each lesson, a plausible mistake a learner makes
// (lines added to the start) and words the goal's missing sentences must
// have, so that the learner is told what is wrong, not just "no".
var wrongAttempts = map[int]struct {
	lines string
	says  string
}{
	1: {lines: "a/app: socket udp\na/app: sendto 3 10.0.0.2:9 \"hello, b\"\n",
		says: "no UDP datagram came up to a socket on host b port 7"},
	2: {lines: "a/browser: socket tcp\na/browser: connect 3 10.0.0.2:8080\n",
		says: "no TCP socket on host a finished connecting to 10.0.0.2:80 (it connected to 10.0.0.2:8080, which failed with ECONNREFUSED"},
	3: {lines: "a/app: socket tcp\na/app: connect 3 10.0.0.2:7\na/app: send 3 \"by TCP\"\nb/server: accept 3\nb/server: recv 5 100\n",
		says: "no UDP datagram came up to a socket on host b port 7"},
	4: {lines: "a/app: socket tcp\na/app: connect 3 10.0.0.2:25\na/app: socket tcp\na/app: connect 4 10.0.0.2:80\n",
		says: "no TCP socket on host a finished connecting to 10.0.0.3:80 (it connected to 10.0.0.2:25 and 10.0.0.2:80 instead)"},
	5: {lines: "b/web: bind 3 0.0.0.0:81\nb/web: listen 3 16\n",
		says: "no socket on host b is listening on port 80 (host b listens on port 81)"},
	6: {lines: "c1/app: socket tcp\nc1/app: connect 3 10.0.0.1:80\ns/server: accept 3\n",
		says: "host s has 1 connected socket on port 80 (with 10.0.0.2:49152); the goal wants 2"},
	7: {lines: "c1/app: send 3 \"hello from c1\"\ns/server: recv 4 100\nc2/app: send 3 \"hello from c2\"\ns/server: recv 5 100\n",
		says: "nothing on host s called poll"},
	8: {lines: "b/web: close 4\na/browser: recv 3 100\na/browser: close 3\nrun 2m\n",
		says: "no connection on host a went from FIN-WAIT-2 to TIME-WAIT"},
	9: {lines: "a/app: ping 10.0.0.2\n",
		says: "host a has no ARP entry for 10.0.0.254"},
	10: {lines: "a/browser: socket tcp\na/browser: connect 3 10.0.0.2:80\nb/web: accept 3\na/browser: send 3 \"hi\"\nb/web: recv 4 100\nb/web: send 4 \"hello\"\na/browser: recv 3 100\n",
		says: "no connection on host a reached TIME-WAIT"},
}

// The seed's ideas, in the order the lessons teach them, by a word each
// title must have.
var titleWords = []string{"layers", "Client and server", "socket", "port", "bind and listen",
	"new socket", "oll", "closes", "ARP", "real sockets", "friend"}

func run(t *testing.T, l lessons.Lesson, src string) lessons.Outcome {
	t.Helper()
	o, err := l.Run(l.File, strings.NewReader(src))
	if err != nil {
		t.Fatalf("lesson %d: %v", l.Number, err)
	}
	return o
}

func TestBuiltinFilesLoad(t *testing.T) {
	ls, err := lessons.Load(os.DirFS("files"))
	if err != nil {
		t.Fatalf("the built-in lessons do not load:\n%v", err)
	}
	if len(ls) != len(lessons.All()) {
		t.Fatalf("Load found %d lessons, All %d", len(ls), len(lessons.All()))
	}
}

func TestEveryLesson(t *testing.T) {
	ls := lessons.All()
	if len(ls) != len(titleWords) {
		t.Fatalf("%d lessons, want %d (one for each idea of the seed, the link layer, real sockets and a friend's server)", len(ls), len(titleWords))
	}
	for i, l := range ls {
		t.Run(l.Name, func(t *testing.T) {
			if l.Number != i+1 {
				t.Errorf("lesson %d is number %d", i+1, l.Number)
			}
			if !strings.Contains(l.Title, titleWords[i]) {
				t.Errorf("title %q does not have %q: the lessons are out of the seed's order", l.Title, titleWords[i])
			}
			if l.Text == "" || len(l.Hints) < 2 || len(l.Goal) == 0 {
				t.Errorf("text %d bytes, %d hints, %d checks: want text, two hints or more, and a goal", len(l.Text), len(l.Hints), len(l.Goal))
			}
			for _, c := range l.Goal {
				if c.Name == "" || c.Line == "" {
					t.Errorf("a check has no name or line: %+v", c)
				}
			}

			if l.Shared {
				// Met only in a shared town, with a friend: its
				// lines are rehearsed bound (TestYouAndAFriend).
				if strings.TrimSpace(l.Friend) == "" || len(showLines(l.Start)) > 0 {
					t.Errorf("a shared lesson wants the friend's lines and no start of its own")
				}
				return
			}
			start := run(t, l, l.Start)
			if start.Met {
				t.Errorf("the start alone meets the goal: there is nothing to do")
			}
			shown := run(t, l, l.Solution())
			if !shown.Met {
				t.Errorf("start + show me does not meet the goal (a goal that cannot be met from its start):\n%s", strings.Join(shown.Missing(), "\n"))
			}
			if len(shown.Failures) > 0 {
				t.Errorf("show me has calls that fail: %v", shown.Failures)
			}

			w, ok := wrongAttempts[l.Number]
			if !ok {
				t.Fatalf("no wrong attempt listed for lesson %d", l.Number)
			}
			wrong := run(t, l, l.Start+w.lines)
			if wrong.Met {
				t.Fatalf("the wrong attempt meets the goal:\n%s", w.lines)
			}
			missing := strings.Join(wrong.Missing(), "\n")
			if !strings.Contains(missing, w.says) {
				t.Errorf("missing sentences do not say %q; they are:\n%s", w.says, missing)
			}
		})
	}
}
