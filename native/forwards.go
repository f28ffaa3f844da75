package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"socketville/examples"
	"socketville/native/forward"
	"socketville/shared/netsim"
	"socketville/shared/script"
	"socketville/shared/sock"
	"socketville/shared/town"
)

// forwardFlags are the --forward flags, each a spec, in the order given.
type forwardFlags []forward.Spec

func (f *forwardFlags) String() string {
	parts := make([]string, len(*f))
	for i, s := range *f {
		parts[i] = s.String()
	}
	return strings.Join(parts, ",")
}

// Set parses one more --forward.
func (f *forwardFlags) Set(v string) error {
	s, err := forward.Parse(v)
	if err != nil {
		return err
	}
	*f = append(*f, s)
	return nil
}

// forwardUsage is what the commands that take --forward say of it.
const forwardUsage = `  --forward SPEC     carry real connections into the town, or out of it;
                     repeat for several. 127.0.0.1:8080=b:80: real clients
                     (curl, a browser) connecting to 127.0.0.1:8080 reach
                     host b port 80, each program a house on the plot
                     "outside"; b:9000=127.0.0.1:9000: the town's programs
                     connecting to b port 9000 reach the real server at
                     127.0.0.1:9000. The town then runs in real time.
                     A forward splices: each side's TCP is its own (its
                     segments, ACKs, window and timeouts), and the bytes,
                     the end of each direction and a reset are passed on.
  --forward-mode M   how a real client's connection enters the town: splice
                     (the default: its bytes, ends and resets are carried
                     into a connection of the town's own) or tun (Linux,
                     CAP_NET_ADMIN: the kernel's own TCP connects from a
                     namespace whose packets go through a TUN device into
                     the town, so every packet is a letter)`

// forwardModeFlag reads --forward-mode into a forward.Mode.
type forwardModeFlag struct{ m forward.Mode }

func (f *forwardModeFlag) String() string { return f.m.String() }

// Set parses splice or tun.
func (f *forwardModeFlag) Set(v string) (err error) {
	f.m, err = forward.ParseMode(v)
	return err
}

// forwardSettle is how long a run with forwards goes on after its lines,
// for the connections still carrying data to or from real programs.
const forwardSettle = 30 * time.Second

// forwardKernel makes a fresh simulator with the forwards, for a player
// or a run: it writes its notes to notes.
func forwardKernel(specs forwardFlags, mode forward.Mode, seed uint64) func(notes io.Writer) (sock.Kernel, error) {
	return func(notes io.Writer) (sock.Kernel, error) {
		sim := netsim.New(netsim.Options{Seed: seed}).Kernel()
		k, err := forward.New(sim, forward.Options{Forwards: specs, Mode: mode, Notes: notes})
		if err != nil {
			return nil, err
		}
		return k, nil
	}
}

// exitOnInterrupt ends a run with forwards on Ctrl-C or SIGTERM: the
// process's end closes its real sockets, and the town goes with it. Call
// what it returns when the run is over.
func exitOnInterrupt(stderr io.Writer) (stop func()) {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		if _, ok := <-signals; ok {
			fmt.Fprintln(stderr, "socketville: interrupted; the forwards are closed")
			os.Exit(130)
		}
	}()
	return func() { signal.Stop(signals); close(signals) }
}

// arrows says the forwards for people: "127.0.0.1:9080 → b:80, ...".
func (f forwardFlags) arrows() string {
	parts := make([]string, len(f))
	for i, s := range f {
		parts[i] = s.Arrow()
	}
	return strings.Join(parts, ", ")
}

// forwardScenario reads serve --forward's SCENARIO (a file, or an
// example's name) and checks that no forward wants the server's own
// address.
func forwardScenario(arg string, specs forwardFlags, serveAddr string) (examples.Scenario, error) {
	for _, s := range specs {
		if s.Dir == forward.Inbound && s.Real.String() == serveAddr {
			return examples.Scenario{}, fmt.Errorf("--forward %s: %s is where the page is served (--addr); forward from another port, such as %s:%d", s, serveAddr, s.Real.Addr(), s.Real.Port()+1000)
		}
	}
	if err := forward.Probe(specs); err != nil {
		return examples.Scenario{}, err
	}
	opts, err := scenarioOptions(arg, town.Options{})
	if err != nil {
		return examples.Scenario{}, err
	}
	sc := examples.Scenario{Name: opts.Scenario, Source: opts.Source, Description: examples.Description(opts.Source)}
	if opts.Source == "" {
		sc, _ = examples.Find(opts.Scenario)
	}
	return sc, checkForwardSource(sc.Name, sc.Source, specs)
}

// checkForwardHosts says which forwards name a host the scenario does not
// build: their town side would never open.
func checkForwardHosts(s *script.Script, specs forwardFlags) error {
	hosts := map[string]bool{}
	var names []string
	for _, l := range s.Lines {
		if h, ok := l.Cmd.(script.HostCmd); ok {
			hosts[h.Name] = true
			names = append(names, h.Name)
		}
	}
	for _, f := range specs {
		if !hosts[f.Host] {
			return fmt.Errorf("--forward %s: scenario %s has no host %s (its hosts: %s)", f, s.Name, f.Host, strings.Join(names, ", "))
		}
	}
	return nil
}

// checkForwardSource is checkForwardHosts for a scenario's text; one that
// does not parse is left to the town, which says why.
func checkForwardSource(name, src string, specs forwardFlags) error {
	s, err := script.Parse(name, strings.NewReader(src))
	if err != nil || len(specs) == 0 {
		return nil
	}
	return checkForwardHosts(s, specs)
}
