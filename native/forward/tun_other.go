//go:build !linux

package forward

import (
	"errors"
	"net/netip"

	"socketville/shared/sock"
)

type tunSide struct{}

func newTunSide(*Kernel) (*tunSide, error) {
	return nil, errors.New("--forward-mode tun needs Linux (network namespaces and TUN devices)")
}

func (*tunSide) open(netip.Prefix) error   { return errors.New("no TUN here") }
func (*tunSide) namespace() string         { return "" }
func (*tunSide) pump() bool                { return false }
func (*tunSide) connect(*Kernel, accepted) {}
func (*tunSide) close() error              { return nil }

func (*tunSide) houses() ([]sock.ProcessState, []sock.SocketState) { return nil, nil }
func (*tunSide) active() int                                       { return 0 }
