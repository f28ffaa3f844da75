package lessons

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"socketville/shared/sock"
)

// args are a goal line's words after the check's name: positional words,
// then key=value words in any order.
type args struct {
	pos []string
	kv  map[string]string
}

// splitArgs sorts words into positional ones and key=value ones, allowing
// only the keys a check takes, each once.
func splitArgs(words []string, keys []string) (args, error) {
	a := args{kv: map[string]string{}}
	for _, w := range words {
		k, v, ok := strings.Cut(w, "=")
		if !ok {
			if len(a.kv) > 0 {
				return a, fmt.Errorf("%q comes after a key=value word; put it before them", w)
			}
			a.pos = append(a.pos, w)
			continue
		}
		if !slices.Contains(keys, k) {
			if len(keys) == 0 {
				return a, fmt.Errorf("%q: this check takes no key=value words", w)
			}
			return a, fmt.Errorf("%q: unknown key %q (this check takes %s)", w, k, strings.Join(keys, "=, ")+"=")
		}
		if _, dup := a.kv[k]; dup {
			return a, fmt.Errorf("%s= is given twice", k)
		}
		a.kv[k] = v
	}
	return a, nil
}

// port reads positional word i as a port number.
func (a args) port(i int) (uint16, error) { return parsePort(a.pos[i]) }

// parsePort reads a port number, 1 to 65535.
func parsePort(s string) (uint16, error) {
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("%q is not a port (want a number from 1 to 65535)", s)
	}
	return uint16(n), nil
}

// count reads key k as a count of at least 1, or gives def when it is not
// there.
func (a args) count(k string, def int) (int, error) {
	v, ok := a.kv[k]
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1<<20 {
		return 0, fmt.Errorf("%s=%s: want a whole number from 1 up", k, v)
	}
	return n, nil
}

// optPort reads key k as a port, or 0 when it is not there.
func (a args) optPort(k string) (uint16, error) {
	v, ok := a.kv[k]
	if !ok {
		return 0, nil
	}
	p, err := parsePort(v)
	if err != nil {
		return 0, fmt.Errorf("%s=: %w", k, err)
	}
	return p, nil
}

// place is where a check looks: a whole host ("b") or one process on it
// ("b/web").
type place struct{ host, proc string }

// parsePlace reads "HOST" or "HOST/PROC".
func parsePlace(s string) (place, error) {
	host, proc, hasProc := strings.Cut(s, "/")
	if host == "" || (hasProc && proc == "") || strings.Contains(proc, "/") {
		return place{}, fmt.Errorf("%q is not a host or HOST/PROCESS", s)
	}
	return place{host: host, proc: proc}, nil
}

// String is "host b" or "b/web", for sentences.
func (p place) String() string {
	if p.proc == "" {
		return "host " + p.host
	}
	return p.host + "/" + p.proc
}

// has reports whether an event or a socket of host/proc is in the place.
func (p place) has(host, proc string) bool {
	return host == p.host && (p.proc == "" || proc == p.proc)
}

// sockets are the place's sockets in snap: its processes' open ones and,
// for the connections the kernel finishes on its own, those its process
// (or, for a host, any process) closed.
func (p place) sockets(snap sock.Snapshot) []sock.SocketState {
	var out []sock.SocketState
	for _, h := range snap.Hosts {
		if h.Name != p.host {
			continue
		}
		for _, pr := range h.Processes {
			if p.has(h.Name, pr.Name) {
				out = append(out, pr.Sockets...)
			}
		}
		for _, o := range h.Orphans {
			if p.has(h.Name, o.Proc) {
				out = append(out, o)
			}
		}
	}
	return out
}

// host is the place's host in snap.
func (p place) hostState(snap sock.Snapshot) (sock.HostState, bool) {
	for _, h := range snap.Hosts {
		if h.Name == p.host {
			return h, true
		}
	}
	return sock.HostState{}, false
}

// parseAddrPort reads "10.0.0.2:80".
func parseAddrPort(s string) (netip.AddrPort, error) {
	ap, err := netip.ParseAddrPort(s)
	if err != nil || !ap.Addr().Is4() || ap.Port() == 0 {
		return netip.AddrPort{}, fmt.Errorf("%q is not an IPv4 ADDR:PORT such as 10.0.0.2:80", s)
	}
	return ap, nil
}

// parseProto reads a protocol word: tcp, udp, icmp or arp, as allowed.
func parseProto(s string, allowed ...string) (string, error) {
	s = strings.ToLower(s)
	if !slices.Contains(allowed, s) {
		return "", fmt.Errorf("%q: want %s", s, strings.Join(allowed, ", "))
	}
	return s, nil
}

// plural is "1 socket" or "2 sockets".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// list joins words as "80, 81 and 443".
func list(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}
