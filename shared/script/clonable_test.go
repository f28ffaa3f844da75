package script_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"socketville/shared/script"
)

// closures lists the paths of the funcs reachable from a runner, leaving
// out its kernel and its sink (the kernel's own graph, which a copier
// re-points): what a deep copy of the runner would carry bound to the old
// kernel.
func closures(r *script.Runner) []string {
	var found []string
	seen := map[uintptr]bool{}
	var walk func(v reflect.Value, path string)
	walk = func(v reflect.Value, path string) {
		switch v.Kind() {
		case reflect.Func:
			if !v.IsNil() {
				found = append(found, path)
			}
		case reflect.Pointer:
			if v.IsNil() || seen[v.Pointer()] {
				return
			}
			seen[v.Pointer()] = true
			walk(v.Elem(), path)
		case reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem(), path)
			}
		case reflect.Struct:
			for i := range v.NumField() {
				walk(v.Field(i), path+"."+v.Type().Field(i).Name)
			}
		case reflect.Slice, reflect.Array:
			for i := range v.Len() {
				walk(v.Index(i), path+"[]")
			}
		case reflect.Map:
			for it := v.MapRange(); it.Next(); {
				walk(it.Value(), path+"{}")
			}
		}
	}
	rv := reflect.ValueOf(r).Elem()
	for i := range rv.NumField() {
		if name := rv.Type().Field(i).Name; name != "k" && name != "sink" {
			walk(rv.Field(i), name)
		}
	}
	return found
}

// TestPendingCallsAreData checks that what a runner holds while calls
// wait is plain data, so that a deep copy of it (with its kernel) goes on
// by itself: a call in the background, one in the foreground, and a ping
// and a traceroute between their probes.
func TestPendingCallsAreData(t *testing.T) {
	s, err := script.Parse("clone", strings.NewReader(`host a 10.0.0.1/24
host b 10.0.0.2/24
link a b delay=5ms
process a p
process b q
b/q: socket udp
b/q: bind 3 0.0.0.0:7
b/q: recvfrom 3 100 &
a/p: ping 10.0.0.2 3
a/p: traceroute 10.0.0.2
a/p: socket udp
a/p: bind 3 0.0.0.0:9
a/p: recvfrom 3 100
`))
	if err != nil {
		t.Fatal(err)
	}
	r := script.NewRunner(script.Options{Interactive: true}) // a blocked call waits for a console line
	steps := []struct {
		lines []script.Line
		until time.Duration
		what  string
	}{
		{lines: s.Lines[:8], until: 0, what: "recvfrom waits in the background"},
		{lines: s.Lines[8:9], until: 500 * time.Millisecond, what: "ping waits between its requests"},
		{lines: s.Lines[9:10], until: 4 * time.Second, what: "traceroute waits for a probe's answer"},
		{lines: s.Lines[10:], until: time.Minute, what: "recvfrom waits in the foreground"},
	}
	for _, st := range steps {
		r.Enqueue(st.lines...)
		r.Advance(st.until)
		if !r.Busy() && r.Pending() == 0 {
			t.Fatalf("%s: the runner is not busy; the test waits at the wrong moment", st.what)
		}
		if fs := closures(r); len(fs) > 0 || !r.Clonable() {
			t.Errorf("%s: Clonable() = %v, and the runner holds funcs at %v", st.what, r.Clonable(), fs)
		}
	}
	if r.Pending() != 1 {
		t.Errorf("Pending() = %d, want the background recvfrom", r.Pending())
	}
	// The check sees a func when there is one: a link line waiting in
	// the queue holds its properties' setters (bound to nothing but the
	// line's own values).
	link, err := script.Parse("link", strings.NewReader("link a b delay=1ms\n"))
	if err != nil {
		t.Fatal(err)
	}
	r.Enqueue(link.Lines...)
	if fs := closures(r); len(fs) != 1 || !strings.HasSuffix(fs[0], ".Props[].apply") {
		t.Errorf("with a link line queued the check finds %v, want its property's apply", fs)
	}
}
