//go:build linux

package main

import (
	"fmt"
	"io"

	"golang.org/x/sys/unix"

	"socketville/native/ossock"
	"socketville/shared/sock"
)

// osKernel is a town on this machine's real sockets; Close removes what it
// made (namespaces, sockets).
type osKernel interface {
	sock.Kernel
	Close() error
	// Abort removes the town at once, from any goroutine, when the run
	// is interrupted.
	Abort()
}

// newOSKernel starts a town on Linux in the mode asked for ("auto",
// "namespaces" or "loopback"), writing its notes to notes.
func newOSKernel(mode string, notes io.Writer) (osKernel, error) {
	m, err := parseOSMode(mode)
	if err != nil {
		return nil, err
	}
	return ossock.New(ossock.Options{Mode: m, Notes: notes})
}

func parseOSMode(s string) (ossock.Mode, error) {
	for _, m := range []ossock.Mode{ossock.Auto, ossock.Namespaces, ossock.Loopback} {
		if s == m.String() {
			return m, nil
		}
	}
	return 0, fmt.Errorf("--hosts %q: want auto, namespaces or loopback", s)
}

// osLabel says which kernel k is for the town's badge: "Linux 6.18.0 ·
// namespaces".
func osLabel(k osKernel) string {
	if c, ok := k.(closer); ok {
		k = c.osKernel
	}
	label := "Linux"
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		label += " " + unix.ByteSliceToString(u.Release[:])
	}
	if ok, isOS := k.(*ossock.Kernel); isOS {
		label += " · " + ok.Mode().String()
	}
	return label
}

// checkOSMode reports a --hosts value that is not a mode.
func checkOSMode(s string) error {
	_, err := parseOSMode(s)
	return err
}
