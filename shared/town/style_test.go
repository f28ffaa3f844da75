package town

import (
	"image/color"
	"math"
	"net/netip"
	"testing"

	"socketville/shared/sock"
	"socketville/shared/town/layout"
	"socketville/shared/town/play"
)

// The colour-blind simulation of Machado, Oliveira and Fernandes, "A
// Physiologically-based Model for Simulation of Color Vision Deficiency"
// (IEEE TVCG 15(6), 2009): at severity 1.0, one matrix for each kind of
// dichromacy, applied to linear RGB.
var dichromacies = []struct {
	name string
	m    [3][3]float64
}{
	{"normal vision", [3][3]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}},
	{"protanopia", [3][3]float64{{0.152286, 1.052583, -0.204868}, {0.114503, 0.786281, 0.099216}, {-0.003882, -0.048116, 1.051998}}},
	{"deuteranopia", [3][3]float64{{0.367322, 0.860646, -0.227968}, {0.280085, 0.672501, 0.047413}, {-0.011820, 0.042940, 0.968881}}},
	{"tritanopia", [3][3]float64{{1.255528, -0.076749, -0.178779}, {-0.078411, 0.930809, 0.147602}, {0.004733, 0.691367, 0.303900}}},
}

// minDeltaE is how far apart (CIE76 ΔE*ab) two kinds of letter must look,
// in every vision: about five times a just noticeable difference, which
// small moving shapes on a road need.
const minDeltaE = 15

// letterKinds are the kinds a letter on a road can be.
var letterKinds = []play.LetterKind{play.LetterSYN, play.LetterSYNACK, play.LetterACK, play.LetterData,
	play.LetterFIN, play.LetterRST, play.LetterUDP, play.LetterICMP, play.LetterARP}

// TestLetterColoursForColourBlindReaders: no two kinds of letter look
// alike to a protanope, a deuteranope or a tritanope (or anyone else),
// and each carries a mark or shape of its own besides.
func TestLetterColoursForColourBlindReaders(t *testing.T) {
	for _, d := range dichromacies {
		for i, a := range letterKinds {
			for _, b := range letterKinds[i+1:] {
				la, lb := seenAs(letterColor(a), d.m), seenAs(letterColor(b), d.m)
				if e := deltaE(la, lb); e < minDeltaE {
					t.Errorf("%s: letters %s and %s are ΔE %.1f apart, want %d at least", d.name, letterMark(a), letterMark(b), e, minDeltaE)
				}
			}
		}
	}
	marks := map[string]play.LetterKind{}
	for _, k := range letterKinds {
		m := letterMark(k)
		if k == play.LetterARP {
			m = "postcard" // its shape: no flap, a line of writing, a stamp
		}
		if m == "" {
			t.Errorf("letter kind %d has no mark", k)
		}
		if o, ok := marks[m]; ok {
			t.Errorf("letter kinds %d and %d share the mark %q", o, k, m)
		}
		marks[m] = k
	}
}

// TestTheOldLettersFailedDeuteranopes: the test above tells a palette
// apart that fails: the letters before Okabe and Ito's had UDP (teal) and
// ICMP (pink) ΔE 4 apart for a deuteranope.
func TestTheOldLettersFailedDeuteranopes(t *testing.T) {
	udp, icmp := color.RGBA{0x40, 0xd8, 0xc0, 0xff}, color.RGBA{0xff, 0x80, 0xc0, 0xff}
	deut := dichromacies[2]
	if e := deltaE(seenAs(udp, deut.m), seenAs(icmp, deut.m)); e >= minDeltaE {
		t.Errorf("the old UDP and ICMP are ΔE %.1f apart for a deuteranope: the simulation tells nothing", e)
	}
	if e := deltaE(seenAs(udp, dichromacies[0].m), seenAs(icmp, dichromacies[0].m)); e < minDeltaE {
		t.Errorf("the old UDP and ICMP are ΔE %.1f apart in normal vision, want them far apart", e)
	}
}

// TestDoorsSayTheirState: doors whose paints a colour-blind reader may
// take for each other (an open door and a datagram socket's for a
// protanope, a listening and a fresh one for a deuteranope) say different
// words under them, so that no door is told by its paint alone.
func TestDoorsSayTheirState(t *testing.T) {
	tcp := func(st sock.State, local string) sock.SocketState {
		return sock.SocketState{Type: sock.SockTCP, State: st, Local: netip.MustParseAddrPort(local), TCP: &sock.TCPState{}}
	}
	doors := map[layout.Style]layout.Door{
		layout.StyleFresh:     {Style: layout.StyleFresh, State: sock.StateClosed, Socket: tcp(sock.StateClosed, "0.0.0.0:0")},
		layout.StyleListen:    {Style: layout.StyleListen, State: sock.StateListen, Socket: tcp(sock.StateListen, "0.0.0.0:80")},
		layout.StyleHandshake: {Style: layout.StyleHandshake, State: sock.StateSynSent, Socket: tcp(sock.StateSynSent, "10.0.0.1:49152")},
		layout.StyleOpen:      {Style: layout.StyleOpen, State: sock.StateEstablished, Socket: tcp(sock.StateEstablished, "10.0.0.1:49152")},
		layout.StyleClosing:   {Style: layout.StyleClosing, State: sock.StateFinWait1, Socket: tcp(sock.StateFinWait1, "10.0.0.1:49152")},
		layout.StyleDatagram:  {Style: layout.StyleDatagram, State: sock.StateBound, Socket: sock.SocketState{Type: sock.SockUDP, State: sock.StateBound}},
	}
	for _, d := range dichromacies {
		for a, da := range doors {
			for b, db := range doors {
				if a >= b {
					continue
				}
				e := deltaE(seenAs(doorColor(a), d.m), seenAs(doorColor(b), d.m))
				if e < minDeltaE && doorCaption(&da) == doorCaption(&db) {
					t.Errorf("%s: %s and %s doors look alike (ΔE %.1f) and both say %q", d.name, styleNames[a], styleNames[b], e, doorCaption(&da))
				}
			}
		}
	}
}

// seenAs is c as a viewer with matrix m sees it, in CIELAB (D65).
func seenAs(c color.RGBA, m [3][3]float64) [3]float64 {
	lin := func(v uint8) float64 {
		f := float64(v) / 255
		if f <= 0.04045 {
			return f / 12.92
		}
		return math.Pow((f+0.055)/1.055, 2.4)
	}
	in := [3]float64{lin(c.R), lin(c.G), lin(c.B)}
	var rgb [3]float64
	for i := range 3 {
		for j := range 3 {
			rgb[i] += m[i][j] * in[j]
		}
		rgb[i] = math.Min(math.Max(rgb[i], 0), 1)
	}
	x := 0.4124564*rgb[0] + 0.3575761*rgb[1] + 0.1804375*rgb[2]
	y := 0.2126729*rgb[0] + 0.7151522*rgb[1] + 0.0721750*rgb[2]
	z := 0.0193339*rgb[0] + 0.1191920*rgb[1] + 0.9503041*rgb[2]
	f := func(t float64) float64 {
		if t > 216.0/24389 {
			return math.Cbrt(t)
		}
		return (24389.0/27*t + 16) / 116
	}
	fx, fy, fz := f(x/0.95047), f(y), f(z/1.08883)
	return [3]float64{116*fy - 16, 500 * (fx - fy), 200 * (fy - fz)}
}

// deltaE is CIE76's colour difference.
func deltaE(a, b [3]float64) float64 {
	return math.Sqrt((a[0]-b[0])*(a[0]-b[0]) + (a[1]-b[1])*(a[1]-b[1]) + (a[2]-b[2])*(a[2]-b[2]))
}
