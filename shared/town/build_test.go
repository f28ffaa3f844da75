package town

import (
	"fmt"
	"image"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/ebitenui/ebitenui/event"
	"github.com/ebitenui/ebitenui/widget"

	"socketville/examples"
	"socketville/shared/script"
	"socketville/shared/sock"
	"socketville/shared/town/layout"
)

// settle lets the town take in what was run: the player plays on until
// the lines typed are done and no letter is on a road (twenty seconds of
// frames at most), the layout follows
// the snapshot and the panel is rebuilt if it moved on, as frames would.
func settle(g *Game) {
	for i := 0; i < 1200 && (i < 10 || g.player.Busy() || !g.player.Idle()); i++ {
		g.player.Tick(time.Second / TPS)
		if gen := g.player.SnapshotGen(); gen != g.layGen {
			g.lay, g.layGen = g.layouter.Of(g.player.Snapshot()), gen
		}
		g.refreshWidgets()
		event.ExecuteDeferred()
	}
	g.layOutNow()
	g.cam = g.view.camera(g.lay.Bounds, g.fitRect(), g.scale)
}

// press clicks the panel's button whose label is label (or, with a
// trailing "*", starts with it), as a click would.
func press(t *testing.T, g *Game, label string) {
	t.Helper()
	for _, tg := range g.widgetTargets() {
		b, ok := tg.w.(*widget.Button)
		if !ok || !tg.panel {
			continue
		}
		l := b.Text().Label
		if l == label || strings.HasSuffix(label, "*") && strings.HasPrefix(l, strings.TrimSuffix(label, "*")) {
			b.Click()
			event.ExecuteDeferred()
			settle(g)
			return
		}
	}
	var have []string
	for _, tg := range g.widgetTargets() {
		if tg.panel {
			have = append(have, tg.label)
		}
	}
	t.Fatalf("no %q button in the panel; it has %q", label, have)
}

// typeInto sets a form's field as typing would.
func typeInto(t *testing.T, g *Game, key, text string) {
	t.Helper()
	in, ok := g.forms.inputs[key]
	if !ok {
		t.Fatalf("the form has no %q field (form %+v)", key, g.State().Form)
	}
	in.SetText(text)
	event.ExecuteDeferred()
}

// wantConsole fails unless the console echoed each line as typed.
func wantConsole(t *testing.T, g *Game, lines ...string) {
	t.Helper()
	all := consoleText(g)
	for _, l := range lines {
		if !strings.Contains(all, l) {
			t.Errorf("the console lacks %q:\n%s", l, all)
		}
	}
}

// openDoor opens the panel of host/proc's door on fd.
func openDoor(t *testing.T, g *Game, host, proc string, fd int) {
	t.Helper()
	for _, p := range g.lay.Plots {
		for _, h := range p.Houses {
			for _, d := range h.Doors {
				if d.Key.Host == host && d.Proc == proc && d.FD == fd {
					g.open(doorPanel{key: d.Key, tab: tabDoor})
					settle(g)
					return
				}
			}
		}
	}
	t.Fatalf("no door %s/%s fd %d", host, proc, fd)
}

// TestBuildByHand builds a client and a server from the empty town with
// the panels' buttons alone: each button runs one shell line, echoed in
// the console, and the snapshot ends with an established connection and
// the data read.
func TestBuildByHand(t *testing.T) {
	g := newTown(t, EmptyTown)
	if s := g.State(); s.Scenario != EmptyTown || len(s.Plots) != 0 {
		t.Fatalf("the empty town: scenario %q, %d plots", s.Scenario, len(s.Plots))
	}
	g.player.SetPaused(false) // a town built by hand plays as it is built
	g.openBuild()
	press(t, g, "Add host")
	if f := g.State().Form; f == nil || f.Line != "host a 10.0.0.1/24" {
		t.Fatalf("the host form: %+v", f)
	}
	press(t, g, "Run: host a 10.0.0.1/24")
	// The form starts again from the next free name and address.
	if f := g.State().Form; f == nil || f.Line != "host b 10.0.0.2/24" {
		t.Fatalf("the host form after a: %+v", f)
	}
	press(t, g, "Run: host b 10.0.0.2/24")
	press(t, g, "Add link")
	press(t, g, "Run: link a b delay=5ms")

	g.open(plotPanel{host: "a"})
	press(t, g, "Add process")
	typeInto(t, g, "name", "browser")
	press(t, g, "Run: process a browser")
	g.open(plotPanel{host: "b"})
	press(t, g, "Add process")
	typeInto(t, g, "name", "web")
	press(t, g, "[no]")
	press(t, g, "yes")
	press(t, g, "Run: process b web root")

	g.open(housePanel{host: "b", proc: "web"})
	press(t, g, "socket tcp")
	g.open(housePanel{host: "a", proc: "browser"})
	press(t, g, "socket tcp")

	openDoor(t, g, "b", "web", 3)
	press(t, g, "bind")
	press(t, g, "Run: bind 3 0.0.0.0:80")
	press(t, g, "listen")
	press(t, g, "Run: listen 3 8")
	press(t, g, "accept")

	openDoor(t, g, "a", "browser", 3)
	press(t, g, "connect")
	f := g.State().Form
	if f == nil || f.Values["to"] != "10.0.0.2:80 b/web fd 3" {
		t.Fatalf("the connect chooser does not offer b/web's listener first: %+v", f)
	}
	press(t, g, "Run: connect 3 10.0.0.2:80 &")
	openDoor(t, g, "a", "browser", 3)
	press(t, g, "send")
	typeInto(t, g, "data", `GET / "1"`)
	press(t, g, `Run: send 3 "GET / \"1\""`)
	openDoor(t, g, "b", "web", 4)
	press(t, g, "recv")
	press(t, g, "Run: recv 4 100 &")
	openDoor(t, g, "a", "browser", 3)
	press(t, g, "close")

	wantConsole(t, g,
		"host a 10.0.0.1/24", "host b 10.0.0.2/24", "link a b delay=5ms",
		"process a browser", "process b web root",
		"b/web: socket tcp", "a/browser: socket tcp",
		"b/web: bind 3 0.0.0.0:80", "b/web: listen 3 8", "b/web: accept 3 &",
		"a/browser: connect 3 10.0.0.2:80 &", `a/browser: send 3 "GET / \"1\""`,
		"b/web: recv 4 100 &", "a/browser: close 3")
	if strings.Contains(consoleText(g), "=> E") {
		t.Errorf("a call failed:\n%s", consoleText(g))
	}
	web, ok := procOf(g.player.Snapshot(), "b", "web")
	if !ok {
		t.Fatal("no b/web")
	}
	var conn *sock.SocketState
	for i, s := range web.Sockets {
		if s.FD == 4 {
			conn = &web.Sockets[i]
		}
	}
	if conn == nil || conn.Remote.Addr() != netip.MustParseAddr("10.0.0.1") || conn.Local.Port() != 80 {
		t.Fatalf("b/web has no connection from a on port 80: %+v", web.Sockets)
	}
}

// TestDoorCallsByState: each door offers the calls that make sense in its
// state, and a form's line is what its fields say.
func TestDoorCallsByState(t *testing.T) {
	r := town(t, `
host a 10.0.0.1/24
host b 10.0.0.2/24
link a b
process a app
process b srv
b/srv: socket tcp
b/srv: bind 3 0.0.0.0:8080
b/srv: listen 3 4
b/srv: socket udp
b/srv: bind 4 0.0.0.0:9000
a/app: socket tcp
a/app: socket udp
a/app: socket tcp
a/app: connect 5 10.0.0.2:8080
`)
	snap := r.Kernel().Snapshot()
	names := func(cs []doorCall) string {
		var out []string
		for _, c := range cs {
			l := c.label
			if c.why != "" {
				l = "(" + l + ")" // greyed
			}
			out = append(out, l)
		}
		return strings.Join(out, ",")
	}
	for _, tc := range []struct {
		host, proc, state string
		want              string
	}{
		{"b", "srv", "LISTEN", "(bind),listen,accept,(connect),(send),(recv),(shutdown),poll,setsockopt,close,connect from a/app"},
		{"a", "app", "CLOSED", "bind,listen,(accept),connect,(send),(recv),(shutdown),poll,setsockopt,close"},
		{"a", "app", "unbound", "bind,connect,sendto,(send),recvfrom,poll,setsockopt,close"},
		{"b", "srv", "bound", "(bind),connect,sendto,(send),recvfrom,poll,setsockopt,close"},
		{"a", "app", "ESTABLISHED", "(bind),(listen),(accept),(connect),send,recv,shutdown,poll,setsockopt,close"},
	} {
		d := door(t, r, tc.host, tc.proc, tc.state)
		if got := names(doorCalls(d, snap)); got != tc.want {
			t.Errorf("%s/%s %s: calls %s, want %s", tc.host, tc.proc, tc.state, got, tc.want)
		}
	}
	fresh := door(t, r, "a", "app", "CLOSED")
	if got := reachableTargets(fresh, snap); len(got) != 1 || got[0] != "10.0.0.2:8080 b/srv fd 3" {
		t.Errorf("a TCP socket reaches %q, want b/srv's listener alone", got)
	}
	udp := door(t, r, "a", "app", "unbound")
	if got := reachableTargets(udp, snap); len(got) != 1 || got[0] != "10.0.0.2:9000 b/srv fd 4" {
		t.Errorf("a datagram socket reaches %q, want b/srv's bound datagram socket alone", got)
	}
	lines := map[string]string{}
	for _, c := range doorCalls(udp, snap) {
		if c.form != nil {
			v := formValues{}
			for _, f := range c.form.fields {
				v[f.key] = f.def
			}
			lines[c.form.id] = c.form.line(v)
		}
	}
	for id, want := range map[string]string{
		"bind":       "a/app: bind 4 0.0.0.0:9000",
		"connect":    "a/app: connect 4 10.0.0.2:9000",
		"sendto":     `a/app: sendto 4 10.0.0.2:9000 "hello"`,
		"recvfrom":   "a/app: recvfrom 4 100 &",
		"poll":       "a/app: poll 3,4,5 in 1s &",
		"setsockopt": "a/app: setsockopt 4 SO_REUSEADDR on",
	} {
		if lines[id] != want {
			t.Errorf("%s's default line %q, want %q", id, lines[id], want)
		}
	}
}

// TestChooserThroughASwitch: hosts on one switch reach each other, so
// the connect chooser offers the listener across it, and the listening
// door's connect from offers the client.
func TestChooserThroughASwitch(t *testing.T) {
	r := town(t, `
switch sw
host a 10.0.0.1/24
host b 10.0.0.2/24
link a sw
link b sw
process a app
process b srv
b/srv: socket tcp
b/srv: bind 3 0.0.0.0:8080
b/srv: listen 3 4
a/app: socket tcp
`)
	snap := r.Kernel().Snapshot()
	if got := reachableTargets(door(t, r, "a", "app", "CLOSED"), snap); len(got) != 1 || got[0] != "10.0.0.2:8080 b/srv fd 3" {
		t.Errorf("across the switch a reaches %q, want b/srv's listener", got)
	}
	if c, ok := clientFor(door(t, r, "b", "srv", "LISTEN"), snap); !ok || c.label != "connect from a/app" {
		t.Errorf("the listener's client button is %q, want connect from a/app", c.label)
	}
}

// TestFormLinesParse: the default line of every form of every door in
// the examples' towns, at every tenth event, is one the shell reads.
func TestFormLinesParse(t *testing.T) {
	checked := 0
	for _, ex := range examples.All() {
		g := newTown(t, ex.Name)
		for i := 0; i < 400 && g.player.Busy(); i++ {
			g.step()
			if i%10 != 0 {
				continue
			}
			g.lay = g.layouter.Of(g.player.Snapshot())
			snap := g.player.Snapshot()
			for _, p := range g.lay.Plots {
				for _, h := range p.Houses {
					for _, d := range h.Doors {
						for _, c := range doorCalls(d, snap) {
							var lines []string
							if c.form != nil {
								v := formValues{}
								for _, f := range c.form.fields {
									v[f.key] = f.def
								}
								lines = []string{c.form.line(v)}
							} else {
								lines = strings.Split(c.line, "\n")
							}
							for _, l := range lines {
								if l == "" {
									continue // a chooser with nothing to choose
								}
								checked++
								if _, err := script.ParseLine(l); err != nil {
									t.Errorf("%s: %s's line %q: %v", ex.Name, c.label, l, err)
								}
							}
						}
					}
				}
			}
		}
	}
	if checked < 500 {
		t.Errorf("only %d lines checked: the examples' towns have more doors than that", checked)
	}
	t.Logf("%d lines parse", checked)
}

// TestPayloadArgs: send's field takes size=N as the shell does, and any
// other text quoted, its quotes and backslashes escaped.
func TestPayloadArgs(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"hello", `"hello"`},
		{"size=1000", "size=1000"},
		{" size=12 ", "size=12"},
		{`say "hi"\n`, `"say \"hi\"\\n"`},
		{"size=x", `"size=x"`},
	} {
		if got := payloadArg(tc.in); got != tc.want {
			t.Errorf("payloadArg(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// TestNextDefaults: a new host takes the next free name and address on
// the newest host's subnet; a process the next free name.
func TestNextDefaults(t *testing.T) {
	r := town(t, `
host a 10.0.0.1/24
host b 10.0.0.2/24
switch sw
process a app
`)
	s := r.Kernel().Snapshot()
	if got := nextHostName(s); got != "c" {
		t.Errorf("next host %q, want c", got)
	}
	if got := nextHostAddr(s).String(); got != "10.0.0.3/24" {
		t.Errorf("next address %s, want 10.0.0.3/24", got)
	}
	if got := nextSwitchName(s); got != "sw2" {
		t.Errorf("next switch %q, want sw2", got)
	}
	if got := nextProcName(s, "a"); got != "app2" {
		t.Errorf("next process on a %q, want app2", got)
	}
	if got := nextHostAddr(sock.Snapshot{}).String(); got != "10.0.0.1/24" {
		t.Errorf("first address %s, want 10.0.0.1/24", got)
	}
}

// TestEmptyTownFromTheBuildPanel: Empty town leaves the story on show for
// the empty town, playing, the picker saying so, the build panel open.
func TestEmptyTownFromTheBuildPanel(t *testing.T) {
	g := newTown(t, "hello-tcp")
	g.openBuild()
	press(t, g, "Empty town")
	g.fitUI(1) // the next frame's: the picker built again
	s := g.State()
	if s.Scenario != EmptyTown || s.Paused || s.Selected != "build" || len(s.Plots) != 0 {
		t.Errorf("after Empty town: scenario %q, paused %v, panel %q, %d plots", s.Scenario, s.Paused, s.Selected, len(s.Plots))
	}
	if e := g.w.combo.SelectedEntry(); e != any(emptyTown) {
		t.Errorf("the picker shows %v, want the empty town", e)
	}
	if first := g.scenarios[0]; first.Name != EmptyTown {
		t.Errorf("the picker's first entry is %q, want the empty town", first.Name)
	}
}

// greyedTown has a door in most of the states a door's calls are greyed
// in: fresh, bound and listening TCP sockets, a connection, one whose
// sending side is shut (FIN-WAIT-2), one refused (connection over), and
// unbound, bound and connected datagram sockets.
const greyedTown = `
host a 10.0.0.1/24
host b 10.0.0.2/24
link a b
process a app
process b srv
b/srv: socket tcp
b/srv: bind 3 0.0.0.0:8080
b/srv: listen 3 4
b/srv: socket udp
b/srv: bind 4 0.0.0.0:9000
b/srv: socket tcp
b/srv: bind 5 0.0.0.0:8081
a/app: socket tcp
a/app: socket udp
a/app: socket tcp
a/app: connect 5 10.0.0.2:8080
a/app: socket tcp
a/app: connect 6 10.0.0.2:8080
a/app: shutdown 6 wr
a/app: socket udp
a/app: connect 7 10.0.0.2:9000
a/app: socket tcp
a/app: connect 8 10.0.0.2:9999
run 1s
`

// runGreyedTown builds greyedTown, whose refused connect is an error
// by design.
func runGreyedTown(t *testing.T) *script.Runner {
	t.Helper()
	r := script.NewRunner(script.Options{})
	s, err := script.Parse("t", strings.NewReader(greyedTown))
	if err != nil {
		t.Fatal(err)
	}
	r.Enqueue(s.Lines...)
	r.Advance(r.Now() + 2*time.Second)
	r.Errors()
	return r
}

// TestGreyedCallsSayWhatTheShellSays: every call a door greys out is one
// the kernel refuses in that state, and its reason is word for word what
// the shell answers when the call is made anyway.
func TestGreyedCallsSayWhatTheShellSays(t *testing.T) {
	r := runGreyedTown(t)
	snap := r.Kernel().Snapshot()
	checked := map[string]bool{}
	for _, p := range layout.Of(snap).Plots {
		for _, h := range p.Houses {
			for _, d := range h.Doors {
				for _, c := range doorCalls(d, snap) {
					if c.why == "" {
						continue
					}
					line := c.line
					if c.form != nil {
						v := formValues{}
						for _, f := range c.form.fields {
							v[f.key] = f.def
						}
						line = c.form.line(v)
					}
					if line == "" && c.label == "connect" {
						line = fmt.Sprintf("%s/%s: connect %d 10.0.0.2:8080", d.Key.Host, d.Proc, d.FD) // the chooser had none
					}
					// Non-blocking, as the kernel answers: a blocking
					// call the shell would wait on, not fail.
					fresh := runGreyedTown(t)
					if err := fresh.Exec(1, fmt.Sprintf("%s/%s: nonblock %d", d.Key.Host, d.Proc, d.FD)); err != nil {
						t.Fatal(err)
					}
					err := fresh.Exec(2, strings.TrimSuffix(line, " &"))
					if err == nil || !strings.Contains(err.Error(), c.why) {
						t.Errorf("%s/%s fd %d (%s): %q is greyed saying %q; the shell answers %v", d.Key.Host, d.Proc, d.FD, d.State, line, c.why, err)
					}
					checked[errnoOf(c.why)] = true
				}
			}
		}
	}
	for _, want := range []string{"EINVAL", "EISCONN", "EPIPE", "ENOTCONN", "EDESTADDRREQ"} {
		if !checked[want] {
			t.Errorf("no greyed call said %s; checked %v", want, checked)
		}
	}
}

// errnoOf is the errno a refusal names ("listen: EINVAL: ..." -> EINVAL).
func errnoOf(why string) string {
	f := strings.SplitN(why, ": ", 3)
	if len(f) < 2 {
		return ""
	}
	return f[1]
}

// callRects are the door panel's call buttons by label, where they are.
func callRects(g *Game) map[string]image.Rectangle {
	out := map[string]image.Rectangle{}
	for _, tg := range g.widgetTargets() {
		if tg.panel && tg.kind == "button" {
			out[strings.Trim(tg.label, "[]")] = tg.box
		}
	}
	return out
}

// TestDoorButtonsStayPut: a door's call buttons keep their places as the
// socket moves from fresh to bound to listening, so the one under the
// pointer is the one the learner meant; a refused call is greyed, and on
// the focus ring (Tab lands on greyed calls), a hover or a click says why.
func TestDoorButtonsStayPut(t *testing.T) {
	g := newTown(t, EmptyTown)
	g.player.SetPaused(false)
	for _, l := range []string{"host a 10.0.0.1/24", "process a app root", "a/app: socket tcp"} {
		g.exec(l)
	}
	settle(g)
	openDoor(t, g, "a", "app", 3)
	before := callRects(g)
	for _, l := range []string{"a/app: bind 3 0.0.0.0:80", "a/app: listen 3 8"} {
		g.exec(l)
		settle(g)
		after := callRects(g)
		for _, call := range tcpSlots {
			if before[call] != after[call] || before[call].Empty() {
				t.Errorf("after %q the %s button moved from %v to %v", l, call, before[call], after[call])
			}
		}
	}
	// Listening: bind is greyed; Tab lands on it and it says why.
	const want = "bind: EINVAL: invalid argument (fd 3 is already bound to 0.0.0.0:80)"
	if got := g.w.why.shown; got != "" {
		t.Fatalf("a reason before any greyed call was in hand: %q", got)
	}
	tabTo(t, g, "button", "bind")
	if got := g.w.why.shown; got != want {
		t.Errorf("the ring on greyed bind says %q, want %q", got, want)
	}
	tabTo(t, g, "button", "accept")
	if got := g.w.why.shown; got != "" {
		t.Errorf("the ring on accept, which the socket allows, says %q", got)
	}
	g.clearFocus()
	var bind *widget.Button
	for b, why := range g.w.why.of {
		if strings.HasPrefix(why, "bind:") {
			bind = b
		}
	}
	if bind == nil {
		t.Fatal("bind is not greyed on a listening socket")
	}
	added := g.player.Console().Added()
	bind.Click()
	event.ExecuteDeferred()
	settle(g)
	if got := g.w.why.shown; got != want {
		t.Errorf("a click on greyed bind says %q, want %q", got, want)
	}
	if g.player.Console().Added() != added {
		t.Errorf("a click on a greyed call ran something:\n%s", consoleText(g))
	}
}
