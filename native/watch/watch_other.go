//go:build !linux

package watch

import (
	"errors"
	"time"

	"socketville/shared/sock"
)

// Watch is the machine's sockets; on this system there is none to read.
type Watch struct{}

// errLinux is why a watch cannot start here.
var errLinux = errors.New("watch: reading the machine's sockets needs Linux (netlink sock_diag and /proc)")

// New fails: a watch needs Linux.
func New(opts Options) (*Watch, error) { return nil, errLinux }

// Refresh fails: a watch needs Linux.
func (w *Watch) Refresh() (sock.Snapshot, []sock.Event, error) { return sock.Snapshot{}, nil, errLinux }

// Close does nothing.
func (w *Watch) Close() error { return nil }

// Packets reports no capture: a watch needs Linux.
func (w *Watch) Packets() (bool, string) { return false, "no packets: a watch needs Linux" }

// Started is the zero time: a watch needs Linux.
func (w *Watch) Started() time.Time { return time.Time{} }
