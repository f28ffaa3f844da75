package peerstate_test

import (
	"errors"
	"fmt"

	"socketville/shared/p2p/peerstate"
	"socketville/shared/sock"
)

// A peer sends its part on the road's state channel; when it is too big,
// it sends what Trim leaves and says what it left out.
func ExampleTrim() {
	part := peerstate.Part{Seq: 1, Hosts: []sock.HostState{fullHost("web")}}
	b, err := peerstate.Encode(part)
	if errors.Is(err, sock.ErrMsgSize) {
		var dropped []string
		part, dropped = peerstate.Trim(part, peerstate.MaxSize)
		fmt.Println("left out:", dropped)
		b, err = peerstate.Encode(part)
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	got, err := peerstate.Decode(b)
	fmt.Println(len(got.Hosts[0].Processes[0].Sockets), "sockets,", err)
	// Output:
	// left out: [neighbour caches drop counts routes socket options]
	// 255 sockets, <nil>
}
