package forward

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	"socketville/native/watch"
)

// owner is the program at the real end of a forwarded connection, when it
// runs on this machine and its /proc may be read.
type owner struct {
	comm string
	pid  int
}

// house is the name of the outside plot's house for the program: its
// command and pid ("curl-4242"), or "client" when the peer is not a
// process of this machine the binary may look into.
func (o owner) house() string {
	if o.pid == 0 {
		return "client"
	}
	comm := strings.Trim(unsafeName.ReplaceAllString(o.comm, "-"), "-")
	if comm == "" || !startsWithLetter(comm) {
		comm = "p" + comm
	}
	suffix := fmt.Sprintf("-%d", o.pid)
	return comm[:min(len(comm), 32-len(suffix))] + suffix
}

// unsafeName is what a town's process name may not hold.
var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

func startsWithLetter(s string) bool {
	c := s[0]
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// ownerOf finds the process of this machine whose socket is the local end
// peer of a connection to port: a sock_diag dump of that port, and /proc
// for the socket's inode. A peer on another machine, or a process the
// binary may not look into, has no owner.
func ownerOf(peer netip.AddrPort, port uint16) owner {
	w, err := watch.New(watch.Options{Port: int(port)})
	if err != nil {
		return owner{}
	}
	defer w.Close()
	snap, _, err := w.Refresh()
	if err != nil {
		return owner{}
	}
	for _, h := range snap.Hosts {
		for _, p := range h.Processes {
			for _, s := range p.Sockets {
				if s.Local == peer && p.PID > 0 && p.Name != watch.Unknown {
					return owner{comm: p.Name, pid: p.PID}
				}
			}
		}
	}
	return owner{}
}
