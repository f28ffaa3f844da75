//go:build linux

package ossock

import (
	"fmt"

	"golang.org/x/sys/unix"

	"socketville/shared/sock"
)

// optLevel is where an option lives in the kernel's setsockopt(2).
func optLevel(o sock.SockOpt) (level, name int, ok bool) {
	switch o {
	case sock.OptReuseAddr:
		return unix.SOL_SOCKET, unix.SO_REUSEADDR, true
	case sock.OptBroadcast:
		return unix.SOL_SOCKET, unix.SO_BROADCAST, true
	case sock.OptRcvBuf:
		return unix.SOL_SOCKET, unix.SO_RCVBUF, true
	case sock.OptSndBuf:
		return unix.SOL_SOCKET, unix.SO_SNDBUF, true
	case sock.OptTTL:
		return unix.IPPROTO_IP, unix.IP_TTL, true
	case sock.OptError:
		return unix.SOL_SOCKET, unix.SO_ERROR, true
	case sock.OptNoDelay:
		return unix.IPPROTO_TCP, unix.TCP_NODELAY, true
	case sock.OptUserTimeout:
		// The kernel itself refuses a negative value (EINVAL) and a UDP
		// socket (ENOPROTOOPT), as the simulator does.
		return unix.IPPROTO_TCP, unix.TCP_USER_TIMEOUT, true
	case sock.OptRecvErr:
		return unix.IPPROTO_IP, unix.IP_RECVERR, true
	case sock.OptMTUDiscover:
		return unix.IPPROTO_IP, unix.IP_MTU_DISCOVER, true
	case sock.OptMTU:
		// Read-only: setsockopt gets the kernel's own ENOPROTOOPT,
		// getsockopt on an unconnected socket its ENOTCONN.
		return unix.IPPROTO_IP, unix.IP_MTU, true
	}
	return 0, 0, false
}

// SetSockopt is setsockopt(2). SO_RCVTIMEO is kept for the shell, which
// does the waiting (the real fd never blocks), and set on the fd as well so
// that getsockopt reads it back.
func (p *townProc) SetSockopt(fd int, opt sock.SockOpt, value int) error {
	s, err := p.sock("setsockopt", fd)
	if err != nil {
		return err
	}
	if opt == sock.OptRcvTimeo && value < 0 {
		return p.fail("setsockopt", fd, sock.ErrInval, "a timeout cannot be negative")
	}
	if _, _, ok := optLevel(opt); !ok && opt != sock.OptRcvTimeo && opt != sock.OptLinger {
		return p.fail("setsockopt", fd, sock.ErrNoProtoOpt, fmt.Sprintf("option %v", opt))
	}
	if err := p.setOpt(s, opt, value); err != nil {
		return p.failSys("setsockopt", fd, err, fmt.Sprintf("option %v", opt))
	}
	s.opts = append(s.opts, sock.OptionValue{Opt: opt, Value: value})
	return nil
}

// setOpt sets one option on the real socket.
func (p *townProc) setOpt(s *osSocket, opt sock.SockOpt, value int) error {
	switch opt {
	case sock.OptRcvTimeo:
		tv := unix.NsecToTimeval(int64(value) * 1e6)
		if err := unix.SetsockoptTimeval(s.real, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
			return err
		}
		s.rcvTimeo = value
		return nil
	case sock.OptLinger:
		l := &unix.Linger{}
		if value >= 0 {
			l.Onoff, l.Linger = 1, int32(value)
		}
		return unix.SetsockoptLinger(s.real, unix.SOL_SOCKET, unix.SO_LINGER, l)
	}
	level, name, _ := optLevel(opt)
	return unix.SetsockoptInt(s.real, level, name, value)
}

// GetSockopt is getsockopt(2), with SO_RCVTIMEO in milliseconds and
// SO_LINGER as seconds or -1 for off, as the shell spells them.
func (p *townProc) GetSockopt(fd int, opt sock.SockOpt) (int, error) {
	s, err := p.sock("getsockopt", fd)
	if err != nil {
		return 0, err
	}
	switch opt {
	case sock.OptRcvTimeo:
		return s.rcvTimeo, nil
	case sock.OptLinger:
		l, err := unix.GetsockoptLinger(s.real, unix.SOL_SOCKET, unix.SO_LINGER)
		if err != nil {
			return 0, p.failSys("getsockopt", fd, err, "")
		}
		if l.Onoff == 0 {
			return -1, nil
		}
		return int(l.Linger), nil
	}
	level, name, ok := optLevel(opt)
	if !ok {
		return 0, p.fail("getsockopt", fd, sock.ErrNoProtoOpt, fmt.Sprintf("option %v", opt))
	}
	v, err := unix.GetsockoptInt(s.real, level, name)
	if err != nil {
		return 0, p.failSys("getsockopt", fd, err, fmt.Sprintf("option %v", opt))
	}
	return v, nil
}

// optionValues are what the snapshot shows, as getsockopt reads them.
func (p *townProc) optionValues(s *osSocket) []sock.OptionValue {
	opts := []sock.SockOpt{sock.OptReuseAddr, sock.OptRcvBuf, sock.OptSndBuf, sock.OptRcvTimeo, sock.OptTTL, sock.OptLinger}
	if s.typ == sock.SockTCP {
		opts = append(opts, sock.OptNoDelay)
	}
	var out []sock.OptionValue
	for _, o := range opts {
		var v int
		switch o {
		case sock.OptRcvTimeo:
			v = s.rcvTimeo
		case sock.OptLinger:
			l, err := unix.GetsockoptLinger(s.real, unix.SOL_SOCKET, unix.SO_LINGER)
			if err != nil {
				continue
			}
			v = -1
			if l.Onoff != 0 {
				v = int(l.Linger)
			}
		default:
			level, name, _ := optLevel(o)
			n, err := unix.GetsockoptInt(s.real, level, name)
			if err != nil {
				continue
			}
			v = n
		}
		out = append(out, sock.OptionValue{Opt: o, Value: v})
	}
	return out
}
