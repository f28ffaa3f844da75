package town

import (
	"image"

	"github.com/ebitenui/ebitenui/widget"
	"github.com/hajimehoshi/ebiten/v2"

	"socketville/shared/town/layout"
)

// State is what the town shows, in plain data: for tests (through the JS
// hook or the desktop's state file) and for anyone scripting the page.
// Positions are in CSS pixels (device pixels divided by the scale).
type State struct {
	Scenario string `json:"scenario"`
	// Kernel is the kernel the town shows ("simulator", "Linux"), and
	// KernelBadge what its badge says ("Linux 6.18.0 · namespaces").
	Kernel      string `json:"kernel"`
	KernelBadge string `json:"kernel_badge"`
	// Live says the kernel's clock is the wall's: no speed control.
	Live    bool        `json:"live"`
	NowNS   int64       `json:"now_ns"`
	Frames  int         `json:"frames"`
	FPS     float64     `json:"fps"` // frames drawn per second, as Ebitengine measures it
	TPS     float64     `json:"tps"` // updates per second
	Paused  bool        `json:"paused"`
	Speed   float64     `json:"speed"`
	Fastest bool        `json:"fastest"`
	Busy    bool        `json:"busy"`
	Scale   float64     `json:"scale"`
	Zoom    float64     `json:"zoom"` // the learner's zoom: 1 shows the whole town
	Town    Box         `json:"town"`
	Doors   []DoorState `json:"doors"`
	Roads   []RoadState `json:"roads"`
	Plots   []PlotState `json:"plots"` // the hosts' plots where they are drawn
	Letters int         `json:"letters"`
	// LetterBoxes are the letters on the roads, where they are drawn.
	LetterBoxes []LetterState `json:"letter_boxes"`
	Selected    string        `json:"selected"` // "door", "letter", "road", "plot", "code" or ""
	Tab         string        `json:"tab"`      // the panel's page: "door", "layers", "bytes"
	Panel       string        `json:"panel"`    // the panel's title
	Console     []string      `json:"console"`  // the newest 40 lines (captions take some)
	Input       string        `json:"input"`    // what is typed in the console's input
	Typing      bool          `json:"typing"`   // the input has the keyboard
	// Buttons are the buttons on screen (controls, the panel's tabs and
	// actions) where they are drawn.
	// Redraws count the frames by what they drew: everything, the town
	// alone, or nothing (the screen stayed as it was).
	Redraws Redraws `json:"redraws"`
	// Panel and console areas, where they are drawn.
	PanelBox Box `json:"panel_box"` // zero while the panel is a closed drawer
	// Drawer is set in a narrow window, where the panel is a drawer over
	// the town; DrawerOpen while it is open.
	Drawer     bool          `json:"drawer"`
	DrawerOpen bool          `json:"drawer_open"`
	ConsoleBox Box           `json:"console_box"`
	Buttons    []ButtonState `json:"buttons"`
	// Sliders are the sliders on screen: the speed, and a road's knobs.
	Sliders []SliderState `json:"sliders"`
	// Inspector is the byte inspector, when the panel shows it.
	Inspector *InspectorState `json:"inspector,omitempty"`
	// Labels are the words drawn over the town (the status line, the
	// captions, signs, house names and roles, door words, letters' names,
	// ...) and their boxes: no two overlap, each lies inside Town.
	Labels []LabelState `json:"labels"`
	// Caption is the scenario's comment for the steps being carried out.
	Caption string `json:"caption"`
	// Picker is the scenario picker's button; PickerOpen reports its
	// list open.
	Picker     Box  `json:"picker"`
	PickerOpen bool `json:"picker_open"`
	// Layers are what the Layers page says of each floor, application
	// first, when the panel shows it.
	Layers []string `json:"layers,omitempty"`
	// PanelLines are the lines a plot's panel shows, when a host's plot
	// or a switch's yard is selected: interfaces, ARP cache, routing
	// table; ports and MAC table.
	PanelLines []string `json:"panel_lines,omitempty"`
	// Code is the code panel, when it is on show.
	Code *CodeState `json:"code,omitempty"`
	// Timeline is the timeline panel, when it is on show.
	Timeline *TimelineState `json:"timeline,omitempty"`
	// Lesson is the lessons: the one open and its goal, the ones met.
	Lesson *LessonState `json:"lesson,omitempty"`
	// Form is the build form open in the panel (bind, send, add-host,
	// ...), when one is; Focus is where the keyboard's focus ring is.
	Form  *FormState `json:"form,omitempty"`
	Focus FocusState `json:"focus"`
	// EventCount is how many events the story made since it was loaded,
	// EventIndex how many of them the town shows as having happened
	// (fewer once back in time); CanBack says Back would go back.
	EventCount int  `json:"event_count"`
	EventIndex int  `json:"event_index"`
	CanBack    bool `json:"can_back"`
	// Digest is a digest (SHA-256, hex) of the kernel's snapshot the
	// town shows: the same moment of a story gives the same digest,
	// however the town came to it (played on, or gone back to).
	// TraceDigest is one of the events up to that moment: two towns
	// with the same made the same events.
	Digest      string `json:"digest"`
	TraceDigest string `json:"trace_digest"`
}

// LetterState is a letter on a road.
type LetterState struct {
	ID    int    `json:"id"`
	Label string `json:"label"`
	Lost  bool   `json:"lost"`
	Box   Box    `json:"box"`
}

// Redraws count frames by what they drew.
type Redraws struct {
	All  int `json:"all"`
	Town int `json:"town"`
	None int `json:"none"`
}

// ButtonState is a button and where it is.
type ButtonState struct {
	Label    string `json:"label"`
	Box      Box    `json:"box"`
	Disabled bool   `json:"disabled,omitempty"`
}

// SliderState is a slider, where it is and its position.
type SliderState struct {
	Name     string `json:"name"` // "speed", or the link property it sets
	Box      Box    `json:"box"`
	Value    int    `json:"value"`
	Min, Max int
}

// InspectorState is what the byte inspector shows: the packet's fields,
// the rows of the list on screen, and the field under the mouse with the
// bytes it lights.
type InspectorState struct {
	Bytes  int          `json:"bytes"`
	Fields []FieldState `json:"fields"`
	Hover  int          `json:"hover"` // index in Fields, -1 for none
	// Lit are the boxes of the hovered field's bytes in the hex dump.
	Lit []Box `json:"lit"`
}

// FieldState is one decoded header field and its row in the list (a zero
// Box when the list is cut short above it).
type FieldState struct {
	Header string `json:"header"`
	Name   string `json:"name"`
	Value  string `json:"value"`
	Off    int    `json:"off"`
	Len    int    `json:"len"`
	Row    Box    `json:"row"`
}

// Box is a rectangle in CSS pixels.
type Box struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
	W float64 `json:"w"`
	H float64 `json:"h"`
}

// DoorState is one door where it is drawn.
type DoorState struct {
	Host   string `json:"host"`
	Proc   string `json:"proc"`
	FD     int    `json:"fd"`
	State  string `json:"state"`
	Port   string `json:"port"`
	Remote string `json:"remote"`
	Style  string `json:"style"`
	Box    Box    `json:"box"`
	Color  string `json:"color"` // the paint, as #rrggbb
}

// RoadState is one road where it is drawn: the polyline from the plot
// of host From to the plot of host To, in CSS pixels. X0, Y0 is its first
// point and X1, Y1 its last.
type RoadState struct {
	Link   string       `json:"link"`
	From   string       `json:"from"`
	To     string       `json:"to"`
	X0     float64      `json:"x0"`
	Y0     float64      `json:"y0"`
	X1     float64      `json:"x1"`
	Y1     float64      `json:"y1"`
	Points []PointState `json:"points"`
}

// PointState is a point in CSS pixels.
type PointState struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// PlotState is one host's plot where it is drawn.
type PlotState struct {
	Host string `json:"host"`
	Box  Box    `json:"box"`
}

var styleNames = map[layout.Style]string{
	layout.StyleFresh: "fresh", layout.StyleListen: "listen", layout.StyleHandshake: "handshake",
	layout.StyleOpen: "open", layout.StyleClosing: "closing", layout.StyleTimeWait: "time-wait",
	layout.StyleDatagram: "datagram", layout.StyleClosed: "closed",
}

// State returns what the town shows now.
func (g *Game) State() State {
	speed, fastest := g.player.Speed()
	s := State{
		Scenario: g.player.Name(), Kernel: g.player.KernelName(), KernelBadge: g.badgeText(), Live: g.player.Live(),
		NowNS: int64(g.player.Now()), Frames: g.frames,
		FPS: ebiten.ActualFPS(), TPS: ebiten.ActualTPS(),
		Paused: g.player.Paused(), Speed: speed, Fastest: fastest, Busy: g.player.Busy(), Scale: g.scale,
		Letters: len(g.player.Animation().Letters),
		Panel:   g.w.title.Label,
	}
	s.Town = g.cssRect(g.townRect())
	s.Zoom = 1
	if g.view.free {
		s.Zoom = g.view.zoom
	}
	s.PanelBox = g.cssRect(g.panelRect())
	s.Drawer, s.DrawerOpen = g.drawer, g.drawerOpen()
	s.ConsoleBox = g.cssRect(g.w.consoleBox.GetWidget().Rect)
	s.Redraws = g.redraws
	for _, p := range g.lay.Plots {
		for _, h := range p.Houses {
			for _, d := range h.Doors {
				s.Doors = append(s.Doors, g.doorState(d))
			}
		}
		for _, d := range p.Orphans {
			s.Doors = append(s.Doors, g.doorState(d))
		}
	}
	for _, p := range g.lay.Plots {
		x, y, w, h := g.cam.rect(p.Rect)
		s.Plots = append(s.Plots, PlotState{Host: p.Host, Box: g.css(x, y, w, h)})
	}
	for _, rd := range g.lay.Roads {
		s.Roads = append(s.Roads, g.roadState(rd))
	}
	s.Input, s.Typing = g.w.input.GetText(), g.w.input.IsFocused()
	g.shown().state(g, &s)
	s.EventCount, s.EventIndex, s.CanBack = g.player.EventCount(), g.player.EventIndex(), g.player.CanBack()
	s.Digest, s.TraceDigest = g.digests()
	s.Buttons, s.Sliders = g.controlStates()
	for _, l := range g.player.Animation().Letters {
		if p, ok := g.letterPoint(l); ok {
			x, y := g.cam.pt(p)
			w, h := letterW*g.cam.zoom, letterH*g.cam.zoom
			s.LetterBoxes = append(s.LetterBoxes, LetterState{ID: l.ID, Label: l.Label, Lost: l.Lost, Box: g.css(x-w/2, y-h/2, w, h)})
		}
	}
	s.Inspector = g.inspectorState()
	s.Labels, s.Caption = g.labelStates(), g.player.Caption()
	s.Picker, s.PickerOpen = g.cssRect(g.w.combo.GetWidget().Rect), g.w.combo.ContentVisible()
	s.Layers = g.layersState()
	s.Lesson = g.lessonState()
	s.Focus = g.focusedState()
	lines := g.player.Console().Lines
	for _, l := range lines[max(len(lines)-40, 0):] {
		s.Console = append(s.Console, l.Text)
	}
	return s
}

func (g *Game) roadState(r layout.Road) RoadState {
	rs := RoadState{Link: r.Link, From: r.A, To: r.B}
	for _, p := range r.Points {
		x, y := g.cam.pt(p)
		rs.Points = append(rs.Points, PointState{X: x / g.scale, Y: y / g.scale})
	}
	if n := len(rs.Points); n > 0 {
		rs.X0, rs.Y0, rs.X1, rs.Y1 = rs.Points[0].X, rs.Points[0].Y, rs.Points[n-1].X, rs.Points[n-1].Y
	}
	return rs
}

func (g *Game) doorState(d layout.Door) DoorState {
	x, y, w, h := g.cam.rect(d.Rect)
	c := doorColor(d.Style)
	return DoorState{
		Host: d.Key.Host, Proc: d.Proc, FD: d.FD, State: d.State.String(), Port: d.Port, Remote: d.Remote,
		Style: styleNames[d.Style], Box: g.css(x, y, w, h),
		Color: "#" + hex2(c.R) + hex2(c.G) + hex2(c.B),
	}
}

func hex2(b uint8) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[b>>4], digits[b&15]})
}

func (g *Game) cssRect(r image.Rectangle) Box {
	return g.css(float64(r.Min.X), float64(r.Min.Y), float64(r.Dx()), float64(r.Dy()))
}

func (g *Game) css(x, y, w, h float64) Box {
	return Box{X: x / g.scale, Y: y / g.scale, W: w / g.scale, H: h / g.scale}
}

// controlStates lists the buttons and sliders in the widget tree.
func (g *Game) controlStates() (buttons []ButtonState, sliders []SliderState) {
	box := func(w widget.HasWidget) Box {
		r := w.GetWidget().Rect
		return g.css(float64(r.Min.X), float64(r.Min.Y), float64(r.Dx()), float64(r.Dy()))
	}
	var walk func(w widget.PreferredSizeLocateableWidget)
	walk = func(w widget.PreferredSizeLocateableWidget) {
		if !w.GetWidget().IsVisible() {
			return // a closed drawer's buttons are not on screen
		}
		switch w := w.(type) {
		case *widget.Button:
			buttons = append(buttons, ButtonState{Label: w.Text().Label, Box: box(w), Disabled: w.GetWidget().Disabled})
		case *widget.Slider:
			sliders = append(sliders, SliderState{Name: g.w.sliderNames[w], Box: box(w), Value: w.Current, Min: w.Min, Max: w.Max})
		case *widget.Container:
			for _, c := range w.Children() {
				walk(c)
			}
		}
	}
	walk(g.ui.Container)
	return buttons, sliders
}
