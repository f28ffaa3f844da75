package share

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"socketville/shared/script"
	"socketville/shared/sock"
	"socketville/shared/town/play"
	"socketville/shared/wire"
)

// Pcap plays a session headless on a fresh simulator with its seed,
// making the calls the town made to its runner (lines let through, time
// carried on, steps, lines typed) in the same order and cut at the same
// instants, and returns every frame sent as a pcap (LINKTYPE_ETHERNET,
// nanosecond times), as run --pcap writes it. The simulator is
// deterministic, so this is what the town showed up to the moment its
// session ends; the town itself is not touched. It also returns how many
// frames the pcap holds. A run past play.MaxSessionEvents stops there.
func Pcap(s play.Session) ([]byte, int, error) {
	sc, err := script.Parse(s.Name, strings.NewReader(s.Source))
	if err == nil {
		err = script.Check(sc)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("the pcap of %s: %w", s.Name, err)
	}
	var b bytes.Buffer
	w, err := wire.NewPcapWriter(&b, wire.LinkTypeEthernet)
	if err != nil {
		return nil, 0, fmt.Errorf("the pcap of %s: %w", s.Name, err)
	}
	rp := replay{r: script.NewRunner(script.Options{Seed: s.Seed, Interactive: true})}
	var werr error
	frames := 0
	rp.r.Kernel().Observe(func(e sock.Event) {
		rp.events++
		if e.Kind == sock.KindSent && werr == nil {
			werr = w.WritePacket(e.Time, frameOf(e))
			frames++
		}
	})
	rp.r.SetGated(true)
	rp.r.Enqueue(sc.Lines...)
	if n := len(sc.Lines); n > 0 {
		rp.no = sc.Lines[n-1].No // typed lines number on from the file's last, as in the town
	}
	for i, in := range s.Inputs {
		if err := rp.apply(in); err != nil {
			return nil, 0, fmt.Errorf("the pcap of %s: input %d: %w", s.Name, i+1, err)
		}
		if werr != nil {
			return nil, 0, fmt.Errorf("the pcap of %s: %w", s.Name, werr)
		}
	}
	return b.Bytes(), frames, nil
}

// replay makes a session's calls on a runner as play.Player makes them.
type replay struct {
	r      *script.Runner
	no     int // the last line's number
	events int
}

// errTooLong stops a replay past play.MaxSessionEvents.
var errTooLong = fmt.Errorf("the session makes more than %d events", play.MaxSessionEvents)

func (rp *replay) apply(in play.Input) error {
	switch in.Kind {
	case play.InputOpen:
		rp.r.Open()
	case play.InputAdvance:
		rp.advance(in.Limit)
	case play.InputStep:
		for range in.N {
			if rp.events > play.MaxSessionEvents {
				return errTooLong
			}
			rp.r.StepOne()
		}
	case play.InputLine:
		cmd, err := script.ParseLine(in.Line)
		if err != nil {
			return fmt.Errorf("the typed line %q: %w", in.Line, err)
		}
		if cmd == nil {
			return errors.New("an empty typed line")
		}
		rp.no++
		rp.r.Interject(script.Line{No: rp.no, Text: in.Line, Cmd: cmd})
	default:
		return fmt.Errorf("no such kind of input (%d)", in.Kind)
	}
	if rp.events > play.MaxSessionEvents {
		return errTooLong
	}
	return nil
}

// advance carries the runner on to limit one scheduled instant at a time,
// stopping where the town's player stops: at a line held at the gate, or
// at once when nothing moves. The cuts change no event, but a gate that
// closes on the way ends the advance early, and that must be the same.
func (rp *replay) advance(limit time.Duration) {
	for rp.events <= play.MaxSessionEvents {
		next, ok := rp.r.Kernel().NextEvent()
		if !ok || next >= limit {
			rp.r.Advance(limit)
			return
		}
		now, before := rp.r.Now(), rp.events
		rp.r.Advance(next)
		if _, held := rp.r.AtGate(); held {
			return
		}
		if rp.events == before && rp.r.Now() == now {
			rp.r.Advance(limit)
			return
		}
	}
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
