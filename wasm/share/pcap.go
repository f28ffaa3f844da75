package share

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"socketville/shared/script"
	"socketville/shared/sock"
	"socketville/shared/wire"
)

// Pcap plays a scenario (a .sv text, typed lines written in as a
// transcript places them) headless from time zero to until, on a fresh
// simulator with the seed, and returns every frame sent as a pcap
// (LINKTYPE_ETHERNET, nanosecond times), as run --pcap writes it. The
// simulator is deterministic, so this is what the town showed up to that
// moment; the town itself is not touched. It also returns how many
// frames the pcap holds.
func Pcap(name, src string, seed uint64, until time.Duration) ([]byte, int, error) {
	s, err := script.Parse(name, strings.NewReader(src))
	if err == nil {
		err = script.Check(s)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("the pcap of %s: %w", name, err)
	}
	var b bytes.Buffer
	w, err := wire.NewPcapWriter(&b, wire.LinkTypeEthernet)
	if err != nil {
		return nil, 0, err
	}
	var werr error
	n := 0
	r := script.NewRunner(script.Options{Seed: seed, Interactive: true})
	r.Kernel().Observe(func(e sock.Event) {
		if e.Kind == sock.KindSent && werr == nil && e.Time <= until {
			werr = w.WritePacket(e.Time, frameOf(e))
			n++
		}
	})
	r.Enqueue(s.Lines...)
	r.Advance(until)
	if werr != nil {
		return nil, 0, fmt.Errorf("the pcap of %s: %w", name, werr)
	}
	return b.Bytes(), n, nil
}

// frameOf is the event's frame, or for a kernel that shows none its IP
// packet behind an Ethernet header with zero addresses, as a capture on
// Linux's loopback has it.
func frameOf(e sock.Event) []byte {
	if e.Frame != nil {
		return e.Frame
	}
	f := make([]byte, wire.EthernetHeaderLen+len(e.Packet))
	_ = wire.EthernetHeader{Type: wire.EtherTypeIPv4}.Encode(f)
	copy(f[wire.EthernetHeaderLen:], e.Packet)
	return f
}
