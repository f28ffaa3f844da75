package linuxtcp_test

import (
	"testing"

	"socketville/native/linuxtcp"
	"socketville/shared/sock"
)

func TestState(t *testing.T) {
	for n, want := range map[uint8]sock.State{
		1: sock.StateEstablished, 6: sock.StateTimeWait, 7: sock.StateClosed, 10: sock.StateListen,
		12: sock.StateSynReceived, 0: sock.StateClosed, 200: sock.StateClosed,
	} {
		if got := linuxtcp.State(n); got != want {
			t.Errorf("State(%d) = %v, want %v", n, got, want)
		}
	}
}
