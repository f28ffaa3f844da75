package lessons_test

import (
	"fmt"
	"strings"

	"socketville/shared/lessons"
	"socketville/shared/script"
	"socketville/shared/sock"
)

// A learner's attempt at lesson 5, judged headless as socketville lesson 5
// --check does: the server listens, but on the wrong port.
func ExampleLesson_Run() {
	l, _ := lessons.Find(5)
	attempt := l.Start + "b/web: bind 3 0.0.0.0:8080\nb/web: listen 3 16\n"
	o, err := l.Run("attempt.sv", strings.NewReader(attempt))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("met:", o.Met)
	for _, m := range o.Missing() {
		fmt.Println(m)
	}
	// Output:
	// met: false
	// no TCP socket on host b is bound to port 80 (its TCP sockets have port 8080)
	// no socket on host b is listening on port 80 (host b listens on port 8080)
	// host b accepted no client on port 80 (accept takes a waiting connection from the listening socket)
}

// A frontend feeds a Checker every event as it happens and asks how the
// goal stands whenever it redraws; here a goal of two checks, one of them
// turned round with "not", judged after each line.
func ExampleChecker() {
	var goal []lessons.Check
	for _, line := range []string{"listening b 80", "not went b LISTEN CLOSED"} {
		c, err := lessons.ParseCheck(line)
		if err != nil {
			fmt.Println(err)
			return
		}
		goal = append(goal, c)
	}
	checker := lessons.NewGoalChecker(goal)
	r := script.NewRunner(script.Options{Sink: eventSink(checker.Event)})
	for i, line := range []string{
		"host b 10.0.0.2/24", "process b web root",
		"b/web: socket tcp", "b/web: bind 3 0.0.0.0:80", "b/web: listen 3 16", "b/web: close 3",
	} {
		if err := r.Exec(i+1, line); err != nil {
			fmt.Println(err)
			return
		}
		res := checker.Result(r.Kernel().Snapshot())
		fmt.Println(strings.TrimSpace(fmt.Sprintf("%-26s met=%v %s", line, res.Met, strings.Join(res.Missing(), "; "))))
	}
	// Output:
	// host b 10.0.0.2/24         met=false no socket on host b is listening on port 80 (nothing on host b listens: a server binds a TCP socket to the port and calls listen)
	// process b web root         met=false no socket on host b is listening on port 80 (nothing on host b listens: a server binds a TCP socket to the port and calls listen)
	// b/web: socket tcp          met=false no socket on host b is listening on port 80 (nothing on host b listens: a server binds a TCP socket to the port and calls listen)
	// b/web: bind 3 0.0.0.0:80   met=false no socket on host b is listening on port 80 (nothing on host b listens: a server binds a TCP socket to the port and calls listen)
	// b/web: listen 3 16         met=true
	// b/web: close 3             met=false no socket on host b is listening on port 80 (nothing on host b listens: a server binds a TCP socket to the port and calls listen); the goal wants this not to happen, and it did: a connection on host b went from LISTEN to CLOSED
}

// eventSink is a script.Sink that hands events to a function.
type eventSink func(sock.Event)

func (f eventSink) Event(e sock.Event)   { f(e) }
func (eventSink) Line(script.LineRecord) {}
