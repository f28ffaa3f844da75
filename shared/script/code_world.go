package script

import (
	"fmt"
	"strings"
	"time"
)

// worldCode says what a world line is on a real machine, as a comment; a
// run line is the one a program writes too, as a sleep.
func worldCode(cmd Command, l Lang) string {
	say := func(format string, args ...any) string {
		return l.comment() + " " + fmt.Sprintf(format, args...)
	}
	switch c := cmd.(type) {
	case HostCmd:
		addrs := make([]string, len(c.Addrs))
		for i, a := range c.Addrs {
			addrs[i] = a.String()
		}
		what := "a computer"
		if c.Forward {
			what = "a router (sysctl net.ipv4.ip_forward=1)"
		}
		return say("host %s: %s with a network card for each address (ip addr add %s dev eth0)", c.Name, what, strings.Join(addrs, ", "))
	case SwitchCmd:
		return say("switch %s: an Ethernet switch with %d ports (on Linux, a bridge: ip link add %s type bridge)", c.Name, c.Ports, c.Name)
	case LinkCmd:
		var props []string
		for _, p := range c.Props {
			props = append(props, p.Key)
		}
		shaped := ""
		if len(props) > 0 {
			shaped = "; tc qdisc netem gives it its " + strings.Join(props, ", ") + " (tc qdisc add dev eth0 root netem ...)"
		}
		return say("link %s %s: a cable between the two network cards (a veth pair on Linux)%s", c.A, c.B, shaped)
	case RouteCmd:
		return say("route: ip route add %v via %v on %s", c.Dst, c.Gateway, c.Host)
	case ProcessCmd:
		if c.Root {
			return say("process %s %s: a program running on %s as root, which may bind ports below 1024", c.Host, c.Name, c.Host)
		}
		return say("process %s %s: a program running on %s as an ordinary user", c.Host, c.Name, c.Host)
	case PeerCmd:
		if c.Gone {
			return say("peer %s %s gone: the friend left; a real network would just stop answering", c.Host, c.Far)
		}
		return say("peer %s %s: a network path to %s at %v, the other end of the internet (here a WebRTC data channel)", c.Host, c.Far, c.Far, c.Addr)
	case ArpCmd:
		return say("arp %s: the kernel's neighbour cache, as ip neigh show (or arp -n) prints it on %s", c.Host, c.Host)
	case SeedCmd:
		return say("seed: the simulator's dice for lossy links; a real network throws its own")
	case StepCmd:
		return say("step: the simulator's happenings one at a time; a real machine does not stop between them")
	case HelpCmd:
		return say("help: the shell's reference; man 2 socket, man 7 tcp and man 7 udp are the machine's")
	case RunCmd:
		return sleepCode(c.D, l)
	}
	return say("%T: not a call", cmd)
}

// sleepCode lets time pass, as a program would: its calls go on meanwhile
// in the kernel, and background ones in their threads.
func sleepCode(d time.Duration, l Lang) string {
	switch l {
	case C:
		return fmt.Sprintf("usleep(%d); // run %v: time passes; the kernel sends and receives meanwhile", d.Microseconds(), d)
	case Python:
		return fmt.Sprintf("time.sleep(%g)  # run %v: time passes; the kernel sends and receives meanwhile", d.Seconds(), d)
	}
	n, unit := d.Milliseconds(), "Millisecond"
	if d%time.Millisecond != 0 {
		n, unit = d.Microseconds(), "Microsecond"
	}
	return fmt.Sprintf("time.Sleep(%d * time.%s) // run %v: time passes; the kernel sends and receives meanwhile", n, unit, d)
}
