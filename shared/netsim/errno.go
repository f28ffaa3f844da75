package netsim

import "socketville/shared/sock"

func callErr(op string, errno *sock.Errno, note string) error {
	return &sock.CallError{Op: op, Errno: errno, Note: note}
}
