package sock_test

import (
	"errors"
	"syscall"
	"testing"

	"socketville/shared/sock"
)

func TestStateSpelling(t *testing.T) {
	tests := []struct {
		s            sock.State
		name         string
		tcp, synched bool
	}{
		{sock.StateClosed, "CLOSED", true, false},
		{sock.StateSynSent, "SYN-SENT", true, false},
		{sock.StateEstablished, "ESTABLISHED", true, true},
		{sock.StateTimeWait, "TIME-WAIT", true, true},
		{sock.StateBound, "bound", false, false},
		{sock.StateConnected, "connected", false, false},
	}
	for _, tt := range tests {
		if got := tt.s.String(); got != tt.name {
			t.Errorf("%d.String() = %q, want %q", tt.s, got, tt.name)
		}
		if back, ok := sock.ParseState(tt.name); !ok || back != tt.s {
			t.Errorf("ParseState(%q) = %v, %v", tt.name, back, ok)
		}
		if tt.s.TCP() != tt.tcp || tt.s.Synchronized() != tt.synched {
			t.Errorf("%v: TCP %v Synchronized %v", tt.s, tt.s.TCP(), tt.s.Synchronized())
		}
	}
	if _, ok := sock.ParseState("LISTENING"); ok {
		t.Error("ParseState took a state RFC 9293 does not have")
	}
}

func TestErrnoFromSys(t *testing.T) {
	if e := sock.ErrnoFromSys(syscall.ECONNREFUSED); e != sock.ErrConnRefused {
		t.Errorf("ECONNREFUSED maps to %v", e)
	}
	e := sock.ErrnoFromSys(syscall.ENOBUFS)
	if !errors.Is(e, syscall.ENOBUFS) || e.Name() == "" {
		t.Errorf("an errno outside the set: %v (%q)", e, e.Name())
	}
}
