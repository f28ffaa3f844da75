package lessons_test

import (
	"net/netip"
	"strings"
	"testing"

	"socketville/shared/lessons"
)

// goodShared is a small shared lesson; the bad ones below are it with one
// mistake.
const goodShared = `---
title: Echo at a friend's
shared: yes
goal: listening FRIEND 7
goal: connects YOU FRIEND:7
hint: ask your friend to listen on port 7
---
Connect to YOU's friend FRIEND at FRIEND:7.

` + "```start" + `
# the shared town
` + "```" + `

` + "```friend" + `
FRIEND/app: socket tcp
FRIEND/app: bind 3 0.0.0.0:7
FRIEND/app: listen 3 5
` + "```" + `

` + "```show" + `
YOU/app: socket tcp
YOU/app: connect 3 FRIEND:7
` + "```\n"

var (
	ann = lessons.Pair{You: "ann", Friend: "bob", YouAddr: netip.MustParseAddr("10.99.0.1"), FriendAddr: netip.MustParseAddr("10.99.0.2")}
	bob = lessons.Pair{You: "bob", Friend: "ann", YouAddr: netip.MustParseAddr("10.99.0.2"), FriendAddr: netip.MustParseAddr("10.99.0.1")}
)

func TestParseShared(t *testing.T) {
	l, err := lessons.Parse("12-echo.lesson", []byte(goodShared))
	if err != nil {
		t.Fatal(err)
	}
	if !l.Shared || !l.Bound.IsZero() {
		t.Errorf("shared %v, bound %+v: want shared and unbound", l.Shared, l.Bound)
	}
	if want := "FRIEND/app: socket tcp\nFRIEND/app: bind 3 0.0.0.0:7\nFRIEND/app: listen 3 5\n"; l.Friend != want {
		t.Errorf("friend %q, want %q", l.Friend, want)
	}
	for i, want := range []struct{ line, name string }{
		{"listening FRIEND 7", "a socket on host FRIEND is listening on port 7"},
		{"connects YOU FRIEND:7", "a socket on host YOU connected to FRIEND:7"},
	} {
		if c := l.Goal[i]; c.Line != want.line || c.Name != want.name {
			t.Errorf("goal %d: %q named %q, want %q named %q", i, c.Line, c.Name, want.line, want.name)
		}
	}
}

// TestParseSharedBad: a shared lesson's own mistakes, each named by file
// and line in words that say what to write instead.
func TestParseSharedBad(t *testing.T) {
	for _, tc := range []struct {
		name, src, old, new, want string
	}{
		{name: "shared maybe", old: "shared: yes", new: "shared: maybe",
			want: `12-echo.lesson:3: shared: "maybe": want yes (a lesson played with a friend, in a shared town) or no`},
		{name: "shared twice", old: "shared: yes", new: "shared: yes\nshared: yes",
			want: `12-echo.lesson:4: a second shared: line; a lesson has one`},
		{name: "friend's events", old: "goal: listening FRIEND 7", new: "goal: accepted FRIEND 7",
			want: `12-echo.lesson:4: goal: "accepted FRIEND 7" looks at FRIEND's events, which stay on the friend's page: a check about FRIEND reads what their page sends, the snapshot (listening, bound, connected, arp, learned, option)`},
		{name: "friend's events, turned round", old: "goal: listening FRIEND 7", new: "goal: not data FRIEND/app read",
			want: `12-echo.lesson:4: goal: "not data FRIEND/app read" looks at FRIEND's events`},
		{name: "no FRIEND in the goal", old: "goal: listening FRIEND 7\ngoal: connects YOU FRIEND:7", new: "goal: data YOU write",
			want: `12-echo.lesson:4: goal: a shared lesson's goal says FRIEND somewhere`},
		{name: "another host", old: "goal: listening FRIEND 7", new: "goal: listening b 7",
			want: `12-echo.lesson:4: goal: a shared lesson's town has the hosts YOU and FRIEND, not b`},
		{name: "a start of its own", old: "# the shared town", new: "host x 10.0.0.1/24",
			want: `12-echo.lesson:11: a shared lesson starts from the shared town itself`},
		{name: "no friend block", old: "```friend", new: "```sh",
			want: `12-echo.lesson:1: a shared lesson has a ` + "```friend" + ` block`},
		{name: "show calls the friend's", old: "YOU/app: connect 3 FRIEND:7", new: "FRIEND/app: connect 3 YOU:7",
			want: `12-echo.lesson:22: the ` + "```show" + ` block's lines are typed on YOU's page, so they call YOU's processes`},
		{name: "friend calls yours", old: "FRIEND/app: listen 3 5", new: "YOU/app: listen 3 5",
			want: `12-echo.lesson:17: the ` + "```friend" + ` block's lines are typed on FRIEND's page`},
		{name: "a bad line", old: "YOU/app: connect 3 FRIEND:7", new: "YOU/app: connect 3 FRIEND",
			want: `12-echo.lesson:22: connect: address "friend": write an IPv4 address and port like 10.0.0.2:80 (YOU read as you, FRIEND as friend)`},
		{name: "a process the town has not", old: "YOU/app: socket tcp", new: "YOU/web: socket tcp",
			want: `12-echo.lesson:21: you/web: no process called web on you`},
		{name: "a world line", old: "YOU/app: socket tcp", new: "host c 10.0.0.3/24",
			want: `12-echo.lesson:21: the ` + "```show" + ` block's lines are socket calls only`},
		{name: "friend block, not shared", src: good, old: "```show", new: "```friend\nb/echo: bind 3 0.0.0.0:7\n```\n\n```show",
			want: `03-echo.lesson:19: a ` + "```friend" + ` block is for a shared lesson (shared: yes)`},
		{name: "YOU, not shared", src: good, old: "goal: bound b udp 7", new: "goal: bound YOU udp 7",
			want: `03-echo.lesson:4: goal: there is no host YOU in the lesson's town (its hosts are b) (YOU and FRIEND are a shared lesson's words: shared: yes)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, file := goodShared, "12-echo.lesson"
			if tc.src != "" {
				src, file = tc.src, "03-echo.lesson"
			}
			if !strings.Contains(src, tc.old) {
				t.Fatalf("the good lesson has no %q", tc.old)
			}
			_, err := lessons.Parse(file, []byte(strings.Replace(src, tc.old, tc.new, 1)))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v\nwant it to say %q", err, tc.want)
			}
		})
	}
}

// TestBind: YOU and FRIEND are named after whichever page the learner is
// on, in the goal (its lines and sentences), the text, the hints and the
// lines to type; a bad pair or a lesson that is not shared is refused.
func TestBind(t *testing.T) {
	l, err := lessons.Parse("12-echo.lesson", []byte(goodShared))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name                  string
		p                     lessons.Pair
		goal0, name1, text    string
		friendLine, connected string
	}{
		{name: "ann invited", p: ann, goal0: "listening bob 7", name1: "a socket on host ann connected to 10.99.0.2:7",
			text: "Connect to ann's friend bob at 10.99.0.2:7.", friendLine: "bob/app: socket tcp", connected: "ann/app: connect 3 10.99.0.2:7"},
		{name: "bob joined", p: bob, goal0: "listening ann 7", name1: "a socket on host bob connected to 10.99.0.1:7",
			text: "Connect to bob's friend ann at 10.99.0.1:7.", friendLine: "ann/app: socket tcp", connected: "bob/app: connect 3 10.99.0.1:7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := l.Bind(tc.p)
			if err != nil {
				t.Fatal(err)
			}
			if b.Bound != tc.p || b.Goal[0].Line != tc.goal0 || b.Goal[1].Name != tc.name1 || b.Text != tc.text {
				t.Errorf("bound %+v: goal %q, %q; text %q", b.Bound, b.Goal[0].Line, b.Goal[1].Name, b.Text)
			}
			if !strings.HasPrefix(b.Friend, tc.friendLine+"\n") || !strings.Contains(b.Show, tc.connected+"\n") {
				t.Errorf("friend %q, show %q", b.Friend, b.Show)
			}
			// Bound again, to the other page: it is the file's words
			// that are named, not the last names.
			other := bob
			if tc.p == bob {
				other = ann
			}
			again, err := b.Bind(other)
			if err != nil || again.Goal[0].Line != "listening "+other.Friend+" 7" {
				t.Errorf("bound again: %v, goal %q", err, again.Goal[0].Line)
			}
		})
	}
	for _, p := range []lessons.Pair{{}, {You: "ann", Friend: "ann", YouAddr: ann.YouAddr, FriendAddr: ann.FriendAddr}, {You: "ann", Friend: "bob"}} {
		if _, err := l.Bind(p); err == nil {
			t.Errorf("Bind(%+v) took a pair that names no two hosts", p)
		}
	}
	ten, _ := lessons.Find(10)
	if _, err := ten.Bind(ann); err == nil || !strings.Contains(err.Error(), "not a shared one") {
		t.Errorf("binding lesson 10: %v", err)
	}
}

// rehearse is lesson 11's two parts in one simulated town, interleaved as
// the two consoles run them: the friend's server up to its accept (in
// the background, as the friend's console waits), the learner's connect
// and send, a second, the friend's recv and answer, the learner's recv. attempt
// replaces the learner's lines when given.
func rehearse(t *testing.T, l lessons.Lesson, attempt []string) string {
	t.Helper()
	friend, show := showLines(l.Friend), showLines(l.Show)
	if len(friend) != 6 || len(show) != 4 || !strings.HasSuffix(friend[3], "accept 3") {
		t.Fatalf("lesson 11's lines are not the six of the friend's server and the learner's four: %q, %q", friend, show)
	}
	if attempt != nil {
		show = attempt
	}
	var b strings.Builder
	b.WriteString("host ann 10.99.0.1/16\nhost bob 10.99.0.2/16\nlink ann bob delay=20ms\nprocess ann app\nprocess bob app\n")
	// The run 1s is the friend's console waiting for the accept to
	// return, as it does when the learner's ACK arrives.
	for _, part := range [][]string{friend[:3], {friend[3] + " &"}, show[:3], {"run 1s"}, friend[4:], show[3:]} {
		for _, line := range part {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

func showLines(block string) []string {
	var out []string
	for _, l := range strings.Split(block, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// TestYouAndAFriend: lesson 11's goal, bound to ann and bob, is met by its
// own lines when the two run in one town, and not when the learner
// connects to the wrong port; unbound, it holds nowhere.
func TestYouAndAFriend(t *testing.T) {
	l, ok := lessons.Find(11)
	if !ok || !l.Shared {
		t.Fatalf("lesson 11 is not a shared lesson: %+v", l)
	}
	bound, err := l.Bind(ann)
	if err != nil {
		t.Fatal(err)
	}
	src := rehearse(t, bound, nil)
	o := run(t, bound, src)
	if !o.Met || len(o.Failures) > 0 {
		t.Fatalf("the lesson's own lines do not meet its goal:\n%s\nmissing: %q\nfailed: %v", src, o.Missing(), o.Failures)
	}
	unbound := run(t, l, src)
	if unbound.Met {
		t.Errorf("the unbound goal (YOU and FRIEND) is met in a town of ann and bob")
	}
	if m := strings.Join(unbound.Missing(), "\n"); !strings.Contains(m, "no TCP socket on host YOU finished connecting to FRIEND:7000") || strings.Contains(m, "192.0.2.") {
		t.Errorf("the unbound goal's missing sentences say:\n%s", m)
	}
	wrong := rehearse(t, bound, []string{"ann/app: socket tcp", "ann/app: connect 3 10.99.0.2:7001", `ann/app: send 3 "hi"`, "ann/app: recv 3 100"})
	o = run(t, bound, wrong)
	missing := strings.Join(o.Missing(), "\n")
	if o.Met || !strings.Contains(missing, "no TCP socket on host ann finished connecting to 10.99.0.2:7000 (it connected to 10.99.0.2:7001, which failed with ECONNREFUSED") {
		t.Errorf("a connect to the wrong port: met %v, missing:\n%s", o.Met, missing)
	}
}

// TestReadShared: a learner's lines for a shared lesson are read, not
// judged: they must be YOU's calls that parse.
func TestReadShared(t *testing.T) {
	l, _ := lessons.Find(11)
	n, err := l.ReadShared("mine.sv", strings.NewReader(l.Show))
	if err != nil || n != 4 {
		t.Errorf("the show-me lines: %d calls, %v; want 4", n, err)
	}
	for _, tc := range []struct{ src, want string }{
		{"YOU/app: socket tcp\nFRIEND/app: socket tcp\n", "mine.sv:2: your lines are typed on YOU's page"},
		{"YOU/app: frobnicate 3\n", "mine.sv:1: "},
	} {
		if _, err := l.ReadShared("mine.sv", strings.NewReader(tc.src)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want it to say %q", tc.src, err, tc.want)
		}
	}
	ten, _ := lessons.Find(10)
	if _, err := ten.ReadShared("x", strings.NewReader("")); err == nil {
		t.Errorf("lesson 10 read as a shared one")
	}
}
