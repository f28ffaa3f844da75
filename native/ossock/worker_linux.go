//go:build linux

package ossock

import (
	"fmt"
	"runtime"

	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// A worker is an OS thread set up the way a host's process needs it: inside
// the host's network namespace (socket(2) makes its socket in the calling
// thread's namespace), and, for a process that is not root, without
// CAP_NET_BIND_SERVICE (bind(2) asks the calling thread for it). The
// thread is never handed back to Go's pool: when the worker stops, its
// goroutine ends still locked and the runtime ends the thread with it.
type worker struct {
	jobs chan func()
}

// newWorker starts a thread in the namespace called ns ("" for the
// namespace the program runs in), without the right to bind low ports
// unless root.
func newWorker(ns string, root bool) (*worker, error) {
	w := &worker{jobs: make(chan func())}
	ready := make(chan error)
	go func() {
		runtime.LockOSThread()
		if err := w.setUp(ns, root); err != nil {
			ready <- err
			return // the locked thread ends with the goroutine
		}
		ready <- nil
		for job := range w.jobs {
			job()
		}
	}()
	if err := <-ready; err != nil {
		return nil, err
	}
	return w, nil
}

func (w *worker) setUp(ns string, root bool) error {
	if ns != "" {
		h, err := netns.GetFromName(ns)
		if err != nil {
			return fmt.Errorf("opening namespace %s: %w", ns, err)
		}
		defer h.Close()
		if err := netns.Set(h); err != nil {
			return fmt.Errorf("entering namespace %s: %w", ns, err)
		}
	}
	if !root {
		if err := dropBindCap(); err != nil {
			return fmt.Errorf("giving up CAP_NET_BIND_SERVICE for a process that is not root: %w", err)
		}
	}
	return nil
}

// dropBindCap takes CAP_NET_BIND_SERVICE out of the calling thread's
// effective set, so that bind(2) below port 1024 fails with EACCES as it
// does for a user's program. Without the capability there is nothing to do.
func dropBindCap() error {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return err
	}
	const bit = uint32(1) << unix.CAP_NET_BIND_SERVICE
	if data[0].Effective&bit == 0 {
		return nil
	}
	data[0].Effective &^= bit
	return unix.Capset(&hdr, &data[0])
}

// do runs fn on the worker's thread and returns its error.
func (w *worker) do(fn func() error) error {
	done := make(chan error, 1)
	w.jobs <- func() { done <- fn() }
	return <-done
}

// stop ends the worker and its thread.
func (w *worker) stop() { close(w.jobs) }

// hasCap reports whether the program's effective set holds capability c.
func hasCap(c int) bool {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return false
	}
	return data[c/32].Effective&(uint32(1)<<(c%32)) != 0
}
