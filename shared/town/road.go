package town

import (
	"fmt"
	"math"
	"time"

	"socketville/shared/sock"
)

// knob is one property of a link that the road panel sets with a slider.
// The slider steps through values a learner would try, each spelled as
// the link line takes it, so every change is a shell line.
type knob struct {
	key    string    // the link line's property: delay, rate, loss, ...
	values []float64 // the slider's stops, in the unit of get
	get    func(sock.LinkConfig) float64
	spell  func(float64) string // the value as the shell writes it
	show   func(float64) string // the value beside the slider
}

// percents are the stops of the probability sliders.
var percents = []float64{0, 0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5}

// percent writes a probability as the link line takes it: 0.005 is 0.5%.
func percent(v float64) string { return fmt.Sprintf("%g%%", math.Round(v*1000)/10) }

// knobs are the road panel's sliders, top to bottom.
var knobs = []knob{
	{
		key: "delay", values: []float64{0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000},
		get:   func(c sock.LinkConfig) float64 { return float64(c.Delay) / float64(time.Millisecond) },
		spell: func(v float64) string { return fmt.Sprintf("%gms", v) },
		show:  func(v float64) string { return fmt.Sprintf("%g ms", v) },
	},
	{
		key: "rate", values: []float64{0, 56e3, 1e6, 10e6, 100e6, 1e9},
		get:   func(c sock.LinkConfig) float64 { return float64(c.Rate) },
		spell: func(v float64) string { return formatRate(int64(v)) },
		show: func(v float64) string {
			if v == 0 {
				return "unlimited"
			}
			return formatRate(int64(v)) + "/s"
		},
	},
	probKnob("loss", func(c sock.LinkConfig) float64 { return c.Loss }),
	probKnob("dup", func(c sock.LinkConfig) float64 { return c.Dup }),
	probKnob("reorder", func(c sock.LinkConfig) float64 { return c.Reorder }),
	probKnob("corrupt", func(c sock.LinkConfig) float64 { return c.Corrupt }),
	{
		key: "mtu", values: []float64{576, 1280, 1500, 9000},
		get: func(c sock.LinkConfig) float64 {
			if c.MTU == 0 {
				return sock.DefaultMTU
			}
			return float64(c.MTU)
		},
		spell: func(v float64) string { return fmt.Sprint(v) },
		show:  func(v float64) string { return fmt.Sprintf("%g bytes", v) },
	},
}

func probKnob(key string, get func(sock.LinkConfig) float64) knob {
	return knob{key: key, values: percents, get: get, spell: percent, show: percent}
}

// stop is the slider position nearest to v.
func (k knob) stop(v float64) int {
	best := 0
	for i, x := range k.values {
		if math.Abs(x-v) < math.Abs(k.values[best]-v) {
			best = i
		}
	}
	return best
}

// line is the shell line that sets the knob on the link between a and b.
func (k knob) line(a, b string, stop int) string {
	return fmt.Sprintf("link %s %s %s=%s", a, b, k.key, k.spell(k.values[stop]))
}
