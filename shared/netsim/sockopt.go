package netsim

import (
	"fmt"
	"strings"
	"time"
)

// SockOpt is a socket option, named as in C.
type SockOpt uint8

// The socket options the core knows.
const (
	OptUnknown   SockOpt = iota
	OptReuseAddr         // SO_REUSEADDR: share a port with other sockets that set it too
	OptBroadcast         // SO_BROADCAST: kept for completeness; broadcast is not simulated
	OptRcvBuf            // SO_RCVBUF: receive buffer; Linux doubles the request, and so do we
	OptSndBuf            // SO_SNDBUF: send buffer; doubled the same way
	OptRcvTimeo          // SO_RCVTIMEO: how long a blocking receive waits, in milliseconds (0: forever)
	OptTTL               // IP_TTL: the TTL of packets the socket sends
	OptError             // SO_ERROR: read-only; reading it takes the pending error
	optCount
)

var optNames = [optCount]string{
	OptUnknown: "unknown", OptReuseAddr: "SO_REUSEADDR", OptBroadcast: "SO_BROADCAST", OptRcvBuf: "SO_RCVBUF",
	OptSndBuf: "SO_SNDBUF", OptRcvTimeo: "SO_RCVTIMEO", OptTTL: "IP_TTL", OptError: "SO_ERROR",
}

// String returns the option's C name.
func (o SockOpt) String() string {
	if o < optCount {
		return optNames[o]
	}
	return optNames[OptUnknown]
}

// ParseSockOpt reads an option's C name, in any case ("SO_REUSEADDR").
func ParseSockOpt(name string) (SockOpt, error) {
	for o := OptReuseAddr; o < optCount; o++ {
		if strings.EqualFold(name, optNames[o]) {
			return o, nil
		}
	}
	return OptUnknown, fmt.Errorf("socket option %q: %w", name, ErrNoProtoOpt)
}

// SetSockopt sets option opt of socket fd to value.
func (p *Process) SetSockopt(fd int, opt SockOpt, value int) error {
	s, err := p.sock("setsockopt", fd)
	if err != nil {
		return err
	}
	switch opt {
	case OptReuseAddr:
		s.opts.reuseAddr = value != 0
	case OptBroadcast:
		s.opts.broadcast = value != 0
	case OptRcvBuf:
		s.opts.rcvBuf = max(2*min(max(value, 0), maxBufRequest), minRcvBuf)
	case OptSndBuf:
		s.opts.sndBuf = max(2*min(max(value, 0), maxBufRequest), minSndBuf)
	case OptRcvTimeo:
		if value < 0 {
			return p.fail("setsockopt", fd, ErrInval, "a timeout cannot be negative")
		}
		s.opts.rcvTimeo = value
	case OptTTL:
		if value < 1 || value > 255 {
			return p.fail("setsockopt", fd, ErrInval, "IP_TTL takes 1 to 255")
		}
		s.opts.ttl = uint8(value)
	case OptError:
		return p.fail("setsockopt", fd, ErrNoProtoOpt, "SO_ERROR can only be read")
	default:
		return p.fail("setsockopt", fd, ErrNoProtoOpt, fmt.Sprintf("option %v", opt))
	}
	return nil
}

// GetSockopt reads option opt of socket fd. For SO_ERROR the value is the
// pending errno's number (0 for none) and reading clears it, as in C.
func (p *Process) GetSockopt(fd int, opt SockOpt) (int, error) {
	s, err := p.sock("getsockopt", fd)
	if err != nil {
		return 0, err
	}
	b := func(v bool) int {
		if v {
			return 1
		}
		return 0
	}
	switch opt {
	case OptReuseAddr:
		return b(s.opts.reuseAddr), nil
	case OptBroadcast:
		return b(s.opts.broadcast), nil
	case OptRcvBuf:
		return s.opts.rcvBuf, nil
	case OptSndBuf:
		return s.opts.sndBuf, nil
	case OptRcvTimeo:
		return s.opts.rcvTimeo, nil
	case OptTTL:
		return int(s.opts.ttl), nil
	case OptError:
		if errno := s.takeError(); errno != nil {
			return int(errno.sys), nil
		}
		return 0, nil
	}
	return 0, p.fail("getsockopt", fd, ErrNoProtoOpt, fmt.Sprintf("option %v", opt))
}

// RecvTimeout is how long a blocking receive on fd waits (SO_RCVTIMEO); zero
// means forever. Drivers use it when they wait for readiness.
func (p *Process) RecvTimeout(fd int) time.Duration {
	s := p.lookupFD(fd)
	if s == nil {
		return 0
	}
	return time.Duration(s.opts.rcvTimeo) * time.Millisecond
}
