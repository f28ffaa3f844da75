package netsim

import (
	"fmt"
	"time"

	"socketville/shared/sock"
)

// SetSockopt sets option opt of socket fd to value.
func (p *Process) SetSockopt(fd int, opt sock.SockOpt, value int) error {
	s, err := p.sock("setsockopt", fd)
	if err != nil {
		return err
	}
	switch opt {
	case sock.OptReuseAddr:
		s.opts.reuseAddr = value != 0
	case sock.OptBroadcast:
		s.opts.broadcast = value != 0
	case sock.OptRcvBuf:
		s.opts.rcvBuf = max(2*min(max(value, 0), maxBufRequest), minRcvBuf)
	case sock.OptSndBuf:
		s.opts.sndBuf = max(2*min(max(value, 0), maxBufRequest), minSndBuf)
	case sock.OptRcvTimeo:
		if value < 0 {
			return p.fail("setsockopt", fd, sock.ErrInval, "a timeout cannot be negative")
		}
		s.opts.rcvTimeo = value
	case sock.OptTTL:
		if value < 1 || value > 255 {
			return p.fail("setsockopt", fd, sock.ErrInval, "IP_TTL takes 1 to 255")
		}
		s.opts.ttl = uint8(value)
	case sock.OptError:
		// Linux's setsockopt has no case for SO_ERROR and gives
		// ENOPROTOOPT; the pending error is the kernel's to set.
		return p.fail("setsockopt", fd, sock.ErrNoProtoOpt, "SO_ERROR can only be read, with getsockopt")
	case sock.OptNoDelay:
		if s.typ != sock.SockTCP {
			return p.fail("setsockopt", fd, sock.ErrNoProtoOpt, "TCP_NODELAY is a TCP option")
		}
		s.opts.noDelay = value != 0
		if s.opts.noDelay {
			s.tcp.output() // as on Linux, setting it pushes what Nagle held back
		}
	case sock.OptLinger:
		// The shell's one number stands for struct linger: -1 is
		// {l_onoff: 0}, N >= 0 is {l_onoff: 1, l_linger: N}. Only zero
		// changes close; a positive time does not make it wait here.
		if value < -1 {
			return p.fail("setsockopt", fd, sock.ErrInval, "SO_LINGER takes -1 (off) or seconds")
		}
		s.opts.lingerOn, s.opts.linger = value >= 0, max(value, 0)
	case sock.OptRecvErr:
		// As Linux's do_ip_setsockopt: any nonzero value turns it on,
		// and turning it off empties the error queue.
		s.opts.recvErr = value != 0
		if !s.opts.recvErr {
			s.errQueue = nil
		}
	case sock.OptMTUDiscover:
		if value < sock.PMTUDiscDont || value > sock.PMTUDiscProbe {
			return p.fail("setsockopt", fd, sock.ErrInval, "IP_MTU_DISCOVER takes 0 (DONT), 1 (WANT), 2 (DO) or 3 (PROBE)")
		}
		s.opts.pmtuDisc = value
	case sock.OptMTU:
		return p.fail("setsockopt", fd, sock.ErrNoProtoOpt, "IP_MTU can only be read")
	case sock.OptUserTimeout:
		return p.setUserTimeout(s, fd, value)
	default:
		return p.fail("setsockopt", fd, sock.ErrNoProtoOpt, fmt.Sprintf("option %v", opt))
	}
	return nil
}

// setUserTimeout sets TCP_USER_TIMEOUT as Linux's do_tcp_setsockopt does:
// TCP sockets only, and no negative value. It takes effect at the next
// expiry of the retransmission timer.
func (p *Process) setUserTimeout(s *Socket, fd, value int) error {
	if s.typ != sock.SockTCP {
		return p.fail("setsockopt", fd, sock.ErrNoProtoOpt, "TCP_USER_TIMEOUT is a TCP option")
	}
	if value < 0 {
		return p.fail("setsockopt", fd, sock.ErrInval, "TCP_USER_TIMEOUT takes milliseconds, 0 for the default")
	}
	s.opts.userTimeo = value
	return nil
}

// GetSockopt reads option opt of socket fd. For SO_ERROR the value is the
// pending errno's number (else TCP's soft error's, else 0) and reading
// clears it, as in C;
// TCP_NODELAY on a socket that is not TCP is ENOPROTOOPT, as on Linux.
func (p *Process) GetSockopt(fd int, opt sock.SockOpt) (int, error) {
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
	case sock.OptReuseAddr:
		return b(s.opts.reuseAddr), nil
	case sock.OptBroadcast:
		return b(s.opts.broadcast), nil
	case sock.OptRcvBuf:
		return s.opts.rcvBuf, nil
	case sock.OptSndBuf:
		return s.opts.sndBuf, nil
	case sock.OptRcvTimeo:
		return s.opts.rcvTimeo, nil
	case sock.OptTTL:
		return int(s.opts.ttl), nil
	case sock.OptNoDelay:
		if s.typ != sock.SockTCP {
			// As on Linux: a UDP socket has no IPPROTO_TCP level to read.
			return 0, p.fail("getsockopt", fd, sock.ErrNoProtoOpt, "TCP_NODELAY is a TCP option")
		}
		return b(s.opts.noDelay), nil
	case sock.OptLinger:
		if !s.opts.lingerOn {
			return -1, nil
		}
		return s.opts.linger, nil
	case sock.OptRecvErr:
		return b(s.opts.recvErr), nil
	case sock.OptMTUDiscover:
		return s.opts.pmtuDisc, nil
	case sock.OptUserTimeout:
		if s.typ != sock.SockTCP {
			return 0, p.fail("getsockopt", fd, sock.ErrNoProtoOpt, "TCP_USER_TIMEOUT is a TCP option")
		}
		return s.opts.userTimeo, nil
	case sock.OptMTU:
		if !s.connected && (s.tcp == nil || !s.remote.IsValid()) {
			return 0, p.fail("getsockopt", fd, sock.ErrNotConn, "IP_MTU is the path MTU towards a connected peer")
		}
		mtu, ok := p.host.pathMTU(s.remote.Addr())
		if !ok {
			return 0, p.fail("getsockopt", fd, sock.ErrNotConn, fmt.Sprintf("no route to %v", s.remote.Addr()))
		}
		return mtu, nil
	case sock.OptError:
		if errno := s.takeError(); errno != nil {
			return int(errno.Sys()), nil
		}
		// As Linux's sock_getsockopt: with no pending error, SO_ERROR
		// reads (and clears) TCP's soft error.
		if errno := s.softErr; errno != nil {
			s.softErr = nil
			return int(errno.Sys()), nil
		}
		return 0, nil
	}
	return 0, p.fail("getsockopt", fd, sock.ErrNoProtoOpt, fmt.Sprintf("option %v", opt))
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
