package script_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"socketville/shared/script"
	"socketville/shared/sock"
)

// results keeps what each call returned, by its text.
type results struct{ done map[string]string }

func (r *results) Event(sock.Event) {}
func (r *results) Line(l script.LineRecord) {
	if l.Phase == script.PhaseDone {
		r.done[l.Text] = l.Result
	}
}

// TestPeerRoadsJoinTwoTowns: two runners, each a peer's own town with its
// one host, joined by peer lines whose frames the test carries between
// them as the data channel would: a TCP connection across, and once a
// road is gone, what is sent on it goes nowhere.
func TestPeerRoadsJoinTwoTowns(t *testing.T) {
	type town struct {
		r   *script.Runner
		out [][]byte
		res *results
	}
	mk := func() *town {
		tw := &town{res: &results{done: map[string]string{}}}
		tw.r = script.NewRunner(script.Options{Interactive: true, Sink: tw.res, Roads: func(host, far string, f []byte) {
			tw.out = append(tw.out, f)
		}})
		return tw
	}
	ann, bob := mk(), mk()
	exec := func(tw *town, lines string) {
		t.Helper()
		for i, l := range strings.Split(strings.TrimSpace(lines), "\n") {
			if err := tw.r.Exec(i+1, l); err != nil {
				t.Fatalf("%s: %v", l, err)
			}
		}
	}
	exec(ann, "host ann 10.99.0.1/24\nprocess ann app\npeer ann bob 10.99.0.2")
	exec(bob, "host bob 10.99.0.2/24\nprocess bob web\npeer bob ann 10.99.0.1")
	carry := func(d time.Duration) {
		for end := ann.r.Now() + d; ann.r.Now() < end; {
			toBob, toAnn := ann.out, bob.out
			ann.out, bob.out = nil, nil
			for _, f := range toBob {
				if err := bob.r.Deliver("bob", "ann", f); err != nil {
					t.Fatal(err)
				}
			}
			for _, f := range toAnn {
				if err := ann.r.Deliver("ann", "bob", f); err != nil {
					t.Fatal(err)
				}
			}
			next := ann.r.Now() + time.Millisecond
			ann.r.Advance(next)
			bob.r.Advance(next)
		}
	}
	exec(bob, "bob/web: socket tcp\nbob/web: bind 3 0.0.0.0:8080\nbob/web: listen 3 5\nbob/web: accept 3 &")
	exec(ann, "ann/app: socket tcp\nann/app: connect 3 10.99.0.2:8080 &")
	carry(100 * time.Millisecond)
	exec(ann, `ann/app: send 3 "hello across"`)
	exec(bob, "bob/web: recv 4 100 &")
	carry(100 * time.Millisecond)
	if got := bob.res.done["recv 4 100"]; !strings.Contains(got, "hello across") {
		t.Fatalf("bob's recv returned %q; want the bytes ann sent over the road (ann's calls %v)", got, ann.res.done)
	}
	exec(ann, "peer ann bob gone")
	exec(ann, `ann/app: send 3 "lost"`)
	carry(10 * time.Millisecond)
	if len(ann.out) != 0 {
		t.Fatalf("%d frames left on a road that is gone", len(ann.out))
	}
	if err := ann.r.Exec(9, "peer ann nobody 10.99.0.9x"); err == nil {
		t.Error("a peer line with a bad address was carried out")
	}
	if err := ann.r.Deliver("ann", "nobody", []byte{1}); !errors.Is(err, sock.ErrNetUnreach) {
		t.Errorf("a frame for no road: %v, want ENETUNREACH", err)
	}
}
