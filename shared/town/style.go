package town

import (
	"bytes"
	"image/color"
	"math"

	"github.com/hajimehoshi/ebiten/v2/text/v2"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"

	"socketville/shared/town/layout"
	"socketville/shared/town/play"
)

// The town's colours.
var (
	colBackground  = color.RGBA{0x22, 0x30, 0x28, 0xff}
	colPlot        = color.RGBA{0x5f, 0x8c, 0x59, 0xff}
	colPlotEdge    = color.RGBA{0x43, 0x6b, 0x40, 0xff}
	colSign        = color.RGBA{0xf4, 0xea, 0xc8, 0xff}
	colSignText    = color.RGBA{0x33, 0x2a, 0x1a, 0xff}
	colRoad        = color.RGBA{0x6b, 0x6b, 0x70, 0xff}
	colRoadLine    = color.RGBA{0xe8, 0xe2, 0xb0, 0xff}
	colWall        = color.RGBA{0xe8, 0xd8, 0xb6, 0xff}
	colRoof        = color.RGBA{0x9a, 0x48, 0x38, 0xff}
	colRootRoof    = color.RGBA{0x6a, 0x3a, 0x7a, 0xff}
	colKernel      = color.RGBA{0x4a, 0x55, 0x60, 0xff}
	colInk         = color.RGBA{0x26, 0x22, 0x1c, 0xff}
	colText        = color.RGBA{0xee, 0xee, 0xe6, 0xff}
	colDim         = color.RGBA{0xa0, 0xa8, 0xa0, 0xff}
	colPanel       = color.RGBA{0x1a, 0x1e, 0x24, 0xff}
	colPanelEdge   = color.RGBA{0x3a, 0x44, 0x50, 0xff}
	colSelect      = color.RGBA{0xff, 0xe0, 0x40, 0xff}
	colReady       = color.RGBA{0x7c, 0xff, 0x6a, 0xff}
	colError       = color.RGBA{0xff, 0x70, 0x60, 0xff}
	colHighlight   = color.RGBA{0xff, 0xd8, 0x40, 0x90}
	colStatusStrip = color.RGBA{0x12, 0x18, 0x14, 0xc0}
	// colFocus is the keyboard's focus ring: white, with a dark band
	// inside it, so that it shows on any ground (focus.go).
	colFocus = color.RGBA{0xff, 0xff, 0xff, 0xff}
)

// doorColor is a door's paint, by style; the tests look for these.
func doorColor(s layout.Style) color.RGBA {
	switch s {
	case layout.StyleListen:
		return color.RGBA{0x2e, 0xb8, 0x5c, 0xff}
	case layout.StyleHandshake:
		return color.RGBA{0xe6, 0xc0, 0x30, 0xff}
	case layout.StyleOpen:
		return color.RGBA{0x30, 0x78, 0xe0, 0xff}
	case layout.StyleClosing:
		return color.RGBA{0xe8, 0x82, 0x2c, 0xff}
	case layout.StyleTimeWait:
		return color.RGBA{0x80, 0x80, 0x88, 0xff}
	case layout.StyleDatagram:
		return color.RGBA{0x9a, 0x5c, 0xc8, 0xff}
	case layout.StyleClosed:
		return color.RGBA{0x50, 0x3c, 0x32, 0xff}
	}
	return color.RGBA{0xa8, 0x80, 0x58, 0xff}
}

// letterColor is a letter's paint, by what it carries: Okabe and Ito's
// palette for colour-blind readers ("Color Universal Design", 2002), with
// the same meanings as before (SYN yellow, SYN|ACK orange, ACK white, data
// sky blue, FIN reddish purple, RST vermilion, UDP bluish green, ICMP
// blue, ARP light green), so that no two kinds come closer than ΔE*ab 15
// for deuteranopes, protanopes or tritanopes either (style_test.go, with
// Machado et al.'s 2009 simulation). Each kind has its mark on the
// envelope too (letterMark), for a reader who tells no colour at all.
func letterColor(k play.LetterKind) color.RGBA {
	switch k {
	case play.LetterSYN:
		return color.RGBA{0xf0, 0xe4, 0x42, 0xff}
	case play.LetterSYNACK:
		return color.RGBA{0xe6, 0x9f, 0x00, 0xff}
	case play.LetterACK:
		return color.RGBA{0xf0, 0xf0, 0xf0, 0xff}
	case play.LetterData:
		return color.RGBA{0x56, 0xb4, 0xe9, 0xff}
	case play.LetterFIN:
		return color.RGBA{0xcc, 0x79, 0xa7, 0xff}
	case play.LetterRST:
		return color.RGBA{0xd5, 0x5e, 0x00, 0xff}
	case play.LetterUDP:
		return color.RGBA{0x00, 0x9e, 0x73, 0xff}
	case play.LetterICMP:
		return color.RGBA{0x00, 0x72, 0xb2, 0xff}
	case play.LetterARP:
		return color.RGBA{0xa0, 0xd0, 0x60, 0xff}
	}
	return color.RGBA{0xc0, 0xc0, 0xc0, 0xff}
}

// letterMark is what a letter's envelope says of its kind, in ink, so
// that its kind is told without its colour (and without its name, which
// a crowded or zoomed-out town leaves off): S for SYN, SA for SYN|ACK, A
// for ACK, D for data, F for FIN, R for RST, U for UDP, I for ICMP. An ARP
// message is a postcard, a shape of its own (draw.go), and needs none.
func letterMark(k play.LetterKind) string {
	switch k {
	case play.LetterSYN:
		return "S"
	case play.LetterSYNACK:
		return "SA"
	case play.LetterACK:
		return "A"
	case play.LetterData:
		return "D"
	case play.LetterFIN:
		return "F"
	case play.LetterRST:
		return "R"
	case play.LetterUDP:
		return "U"
	case play.LetterICMP:
		return "I"
	}
	return ""
}

// fonts makes text faces at any size from two embedded fonts (Go's own,
// so nothing has to be fetched), caching one face per half pixel.
type fonts struct {
	sans, mono *text.GoTextFaceSource
	cache      map[fontKey]*text.GoTextFace
}

type fontKey struct {
	mono bool
	size float64
}

func newFonts() (*fonts, error) {
	sans, err := text.NewGoTextFaceSource(bytes.NewReader(goregular.TTF))
	if err != nil {
		return nil, err
	}
	mono, err := text.NewGoTextFaceSource(bytes.NewReader(gomono.TTF))
	if err != nil {
		return nil, err
	}
	return &fonts{sans: sans, mono: mono, cache: map[fontKey]*text.GoTextFace{}}, nil
}

func (f *fonts) face(size float64, mono bool) *text.GoTextFace {
	k := fontKey{mono: mono, size: math.Max(math.Round(size*2)/2, 1)}
	if fc, ok := f.cache[k]; ok {
		return fc
	}
	src := f.sans
	if mono {
		src = f.mono
	}
	fc := &text.GoTextFace{Source: src, Size: k.size}
	f.cache[k] = fc
	return fc
}

// faceRef is a face as ebitenui wants it: a pointer to the interface.
func (f *fonts) faceRef(size float64) *text.Face {
	var face text.Face = f.face(size, false)
	return &face
}
