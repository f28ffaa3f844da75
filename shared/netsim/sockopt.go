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
	OptBroadcast         // SO_BROADCAST: kept and read back; broadcast itself is not simulated
	OptRcvBuf            // SO_RCVBUF: receive buffer; Linux doubles the request, and so do we
	OptSndBuf            // SO_SNDBUF: send buffer; doubled the same way
	OptRcvTimeo          // SO_RCVTIMEO: how long a blocking receive waits before EAGAIN, in milliseconds (0: forever)
	OptTTL               // IP_TTL: the TTL of packets the socket sends (1 to 255; 64 by default)
	OptError             // SO_ERROR: read-only; reading it takes the pending error
	OptNoDelay           // TCP_NODELAY: send small segments at once instead of waiting (Nagle off)
	OptLinger            // SO_LINGER: seconds, or -1 for off; 0 makes close abort with RST; N > 0 does not make close wait here
	optCount
)

var optNames = [optCount]string{
	OptUnknown: "unknown", OptReuseAddr: "SO_REUSEADDR", OptBroadcast: "SO_BROADCAST", OptRcvBuf: "SO_RCVBUF",
	OptSndBuf: "SO_SNDBUF", OptRcvTimeo: "SO_RCVTIMEO", OptTTL: "IP_TTL", OptError: "SO_ERROR",
	OptNoDelay: "TCP_NODELAY", OptLinger: "SO_LINGER",
}

// String returns the option's C name.
func (o SockOpt) String() string {
	if o < optCount {
		return optNames[o]
	}
	return optNames[OptUnknown]
}

// SockOpts lists the options the core knows, in a stable order.
func SockOpts() []SockOpt {
	opts := make([]SockOpt, 0, optCount-1)
	for o := OptReuseAddr; o < optCount; o++ {
		opts = append(opts, o)
	}
	return opts
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
		// Linux's setsockopt has no case for SO_ERROR and gives
		// ENOPROTOOPT; the pending error is the kernel's to set.
		return p.fail("setsockopt", fd, ErrNoProtoOpt, "SO_ERROR can only be read, with getsockopt")
	case OptNoDelay:
		if s.typ != SockTCP {
			return p.fail("setsockopt", fd, ErrNoProtoOpt, "TCP_NODELAY is a TCP option")
		}
		s.opts.noDelay = value != 0
		if s.opts.noDelay {
			s.tcp.output() // as on Linux, setting it pushes what Nagle held back
		}
	case OptLinger:
		// The shell's one number stands for struct linger: -1 is
		// {l_onoff: 0}, N >= 0 is {l_onoff: 1, l_linger: N}. Only zero
		// changes close; a positive time does not make it wait here.
		if value < -1 {
			return p.fail("setsockopt", fd, ErrInval, "SO_LINGER takes -1 (off) or seconds")
		}
		s.opts.lingerOn, s.opts.linger = value >= 0, max(value, 0)
	default:
		return p.fail("setsockopt", fd, ErrNoProtoOpt, fmt.Sprintf("option %v", opt))
	}
	return nil
}

// GetSockopt reads option opt of socket fd. For SO_ERROR the value is the
// pending errno's number (0 for none) and reading clears it, as in C;
// TCP_NODELAY on a socket that is not TCP is ENOPROTOOPT, as on Linux.
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
	case OptNoDelay:
		if s.typ != SockTCP {
			// As on Linux: a UDP socket has no IPPROTO_TCP level to read.
			return 0, p.fail("getsockopt", fd, ErrNoProtoOpt, "TCP_NODELAY is a TCP option")
		}
		return b(s.opts.noDelay), nil
	case OptLinger:
		if !s.opts.lingerOn {
			return -1, nil
		}
		return s.opts.linger, nil
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
