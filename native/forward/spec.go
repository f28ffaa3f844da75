package forward

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// Direction says which side of a forward dials.
type Direction int

const (
	// Inbound lets real clients reach a town's server: the binary listens
	// on a real address and each connection it accepts is carried to a
	// host and port of the town.
	Inbound Direction = iota
	// Outbound lets the town's clients reach a real server: a process
	// "forward" on a town host listens on a port there, and each
	// connection it accepts is carried to a real address.
	Outbound
)

// Spec is one --forward: a real address and a town's host and port.
type Spec struct {
	Dir  Direction
	Real netip.AddrPort // where the binary listens (Inbound) or dials (Outbound)
	Host string         // the town's host
	Port uint16         // the town's port
}

// String gives the spec back as it is written: REAL=HOST:PORT for an
// inbound forward, HOST:PORT=REAL for an outbound one.
func (s Spec) String() string {
	town := net.JoinHostPort(s.Host, strconv.Itoa(int(s.Port)))
	if s.Dir == Inbound {
		return s.Real.String() + "=" + town
	}
	return town + "=" + s.Real.String()
}

// Arrow says which way the spec carries connections, for people:
// "127.0.0.1:8080 → b:80".
func (s Spec) Arrow() string {
	town := net.JoinHostPort(s.Host, strconv.Itoa(int(s.Port)))
	if s.Dir == Inbound {
		return s.Real.String() + " → " + town
	}
	return town + " → " + s.Real.String()
}

// errSpec is what every malformed spec says after its own words.
var errSpec = errors.New("write REAL=HOST:PORT (a real client reaches the town: 127.0.0.1:8080=b:80) or HOST:PORT=REAL (the town reaches a real server: b:9000=127.0.0.1:9000)")

// Parse reads a --forward value. The side that is an IP address (or
// localhost) is the machine's; the side that names a host is the town's,
// and which side comes first says the direction.
func Parse(text string) (Spec, error) {
	left, right, ok := strings.Cut(text, "=")
	if !ok || strings.Contains(right, "=") {
		return Spec{}, fmt.Errorf("forward %q: %w", text, errSpec)
	}
	l, lerr := parseSide(left)
	r, rerr := parseSide(right)
	if err := errors.Join(lerr, rerr); err != nil {
		return Spec{}, fmt.Errorf("forward %q: %w", text, err)
	}
	switch {
	case l.real && !r.real:
		return Spec{Dir: Inbound, Real: l.addr, Host: r.host, Port: r.port}, nil
	case !l.real && r.real:
		if r.addr.Addr().IsUnspecified() {
			return Spec{}, fmt.Errorf("forward %q: %s is no address to connect to: name the real server's, such as 127.0.0.1:%d", text, r.addr, r.port)
		}
		return Spec{Dir: Outbound, Real: r.addr, Host: l.host, Port: l.port}, nil
	case l.real:
		return Spec{}, fmt.Errorf("forward %q: both sides are real addresses; one must be a town host such as b:80: %w", text, errSpec)
	default:
		return Spec{}, fmt.Errorf("forward %q: both sides are town hosts; one must be a real address such as 127.0.0.1:8080: %w", text, errSpec)
	}
}

// side is one half of a spec.
type side struct {
	real bool
	addr netip.AddrPort
	host string
	port uint16
}

func parseSide(s string) (side, error) {
	h, p, err := net.SplitHostPort(s)
	if err != nil {
		return side{}, fmt.Errorf("%q is not HOST:PORT", s)
	}
	port, err := strconv.ParseUint(p, 10, 16)
	if err != nil || port == 0 {
		return side{}, fmt.Errorf("%q: the port must be a number from 1 to 65535", s)
	}
	if h == "localhost" {
		h = "127.0.0.1"
	}
	if a, err := netip.ParseAddr(h); err == nil {
		if !a.Unmap().Is4() {
			return side{}, fmt.Errorf("%q: the town speaks IPv4; use 127.0.0.1 rather than %s", s, a)
		}
		return side{real: true, addr: netip.AddrPortFrom(a.Unmap(), uint16(port))}, nil
	}
	if h == "" {
		return side{}, fmt.Errorf("%q names no host", s)
	}
	return side{host: h, port: uint16(port)}, nil
}
