package sock

import (
	"errors"
	"fmt"
	"syscall"
)

// Errno is an error number as the BSD socket API reports it. It wraps the
// matching syscall.Errno, so errors.Is(err, syscall.EADDRINUSE) holds for an
// error that wraps ErrAddrInUse, and its message names the errno the way
// man pages do: "EADDRINUSE: address already in use".
type Errno struct {
	name string
	text string
	sys  syscall.Errno
}

// Error returns "NAME: sentence".
func (e *Errno) Error() string { return e.name + ": " + e.text }

// Unwrap returns the syscall.Errno this errno stands for.
func (e *Errno) Unwrap() error { return e.sys }

// Sys is the syscall.Errno this errno stands for.
func (e *Errno) Sys() syscall.Errno { return e.sys }

// Name is the symbolic name, such as "ECONNREFUSED".
func (e *Errno) Name() string { return e.name }

// Text is the sentence that says what happened.
func (e *Errno) Text() string { return e.text }

// The closed set of errnos a kernel returns.
var (
	ErrAgain          = &Errno{"EAGAIN", "resource temporarily unavailable", syscall.EAGAIN}
	ErrBadFD          = &Errno{"EBADF", "bad file descriptor", syscall.EBADF}
	ErrAccess         = &Errno{"EACCES", "permission denied", syscall.EACCES}
	ErrAddrInUse      = &Errno{"EADDRINUSE", "address already in use", syscall.EADDRINUSE}
	ErrAddrNotAvail   = &Errno{"EADDRNOTAVAIL", "cannot assign requested address", syscall.EADDRNOTAVAIL}
	ErrInval          = &Errno{"EINVAL", "invalid argument", syscall.EINVAL}
	ErrMsgSize        = &Errno{"EMSGSIZE", "message too long", syscall.EMSGSIZE}
	ErrConnRefused    = &Errno{"ECONNREFUSED", "connection refused", syscall.ECONNREFUSED}
	ErrConnReset      = &Errno{"ECONNRESET", "connection reset by peer", syscall.ECONNRESET}
	ErrTimedOut       = &Errno{"ETIMEDOUT", "connection timed out", syscall.ETIMEDOUT}
	ErrPipe           = &Errno{"EPIPE", "broken pipe", syscall.EPIPE}
	ErrNotConn        = &Errno{"ENOTCONN", "transport endpoint is not connected", syscall.ENOTCONN}
	ErrIsConn         = &Errno{"EISCONN", "transport endpoint is already connected", syscall.EISCONN}
	ErrDestAddrReq    = &Errno{"EDESTADDRREQ", "destination address required", syscall.EDESTADDRREQ}
	ErrOpNotSupp      = &Errno{"EOPNOTSUPP", "operation not supported", syscall.EOPNOTSUPP}
	ErrProtoNoSupport = &Errno{"EPROTONOSUPPORT", "protocol not supported", syscall.EPROTONOSUPPORT}
	ErrNoProtoOpt     = &Errno{"ENOPROTOOPT", "protocol not available", syscall.ENOPROTOOPT}
	ErrHostUnreach    = &Errno{"EHOSTUNREACH", "no route to host", syscall.EHOSTUNREACH}
	ErrNetUnreach     = &Errno{"ENETUNREACH", "network is unreachable", syscall.ENETUNREACH}
	ErrAFNoSupport    = &Errno{"EAFNOSUPPORT", "address family not supported by protocol", syscall.EAFNOSUPPORT}
	ErrInProgress     = &Errno{"EINPROGRESS", "operation now in progress", syscall.EINPROGRESS}
	ErrAlready        = &Errno{"EALREADY", "operation already in progress", syscall.EALREADY}
	ErrMFile          = &Errno{"EMFILE", "too many open files", syscall.EMFILE}
)

var errnos = []*Errno{
	ErrAgain, ErrBadFD, ErrAccess, ErrAddrInUse, ErrAddrNotAvail, ErrInval, ErrMsgSize,
	ErrConnRefused, ErrConnReset, ErrTimedOut, ErrPipe, ErrNotConn, ErrIsConn, ErrDestAddrReq,
	ErrOpNotSupp, ErrProtoNoSupport, ErrNoProtoOpt, ErrHostUnreach, ErrNetUnreach, ErrAFNoSupport,
	ErrInProgress, ErrAlready, ErrMFile,
}

// Errnos lists the closed set of errnos a kernel returns, in a stable order.
func Errnos() []*Errno { return append([]*Errno(nil), errnos...) }

// ErrnoByName returns the errno called name ("EADDRINUSE"), or nil.
func ErrnoByName(name string) *Errno {
	for _, e := range errnos {
		if e.name == name {
			return e
		}
	}
	return nil
}

// ErrnoFromSys returns the errno of the set that stands for n, or, for a
// number outside the set (a real kernel has more), a new Errno named by its
// number with the kernel's sentence.
func ErrnoFromSys(n syscall.Errno) *Errno {
	for _, e := range errnos {
		if e.sys == n {
			return e
		}
	}
	return &Errno{name: fmt.Sprintf("errno %d", int(n)), text: n.Error(), sys: n}
}

// ErrnoOf returns the errno that err wraps, or nil if it wraps none.
func ErrnoOf(err error) *Errno {
	var e *Errno
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// CallError is a failed socket call: which call, which errno, and when it
// helps, a note on why ("10.0.0.2:7007 is held by b/echo fd 3").
type CallError struct {
	Op    string
	Errno *Errno
	Note  string
}

// Error reads like "bind: EADDRINUSE: address already in use (note)".
func (e *CallError) Error() string {
	s := e.Op + ": " + e.Errno.Error()
	if e.Note != "" {
		s += " (" + e.Note + ")"
	}
	return s
}

// Unwrap returns the errno.
func (e *CallError) Unwrap() error { return e.Errno }
