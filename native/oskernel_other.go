//go:build !linux

package main

import (
	"errors"
	"io"

	"socketville/shared/sock"
)

type osKernel interface {
	sock.Kernel
	Close() error
	// Abort removes the town at once, from any goroutine, when the run
	// is interrupted.
	Abort()
}

func newOSKernel(string, io.Writer) (osKernel, error) {
	return nil, errors.New("the operating system's sockets are driven on Linux only")
}

func osLabel(osKernel) string { return "" }

func checkOSMode(string) error {
	return errors.New("--os: the operating system's sockets are driven on Linux only")
}
