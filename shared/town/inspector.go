package town

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"strings"

	"github.com/hajimehoshi/ebiten/v2"

	"socketville/shared/wire"
)

// The packet pages, which a door's panel and a letter's share: Layers,
// the cut-away of the packet going down one house's floors and up the
// other's, and Bytes, the byte inspector, its hex dump coloured by layer
// beside its decoded fields.

// tab is a page of a panel that has several.
type tab uint8

const (
	tabDoor tab = iota
	tabLayers
	tabBytes
)

// tabNames are the pages as State.Tab names them.
var tabNames = [...]string{tabDoor: "door", tabLayers: "layers", tabBytes: "bytes"}

// A pager is a panel with the packet pages: it says which page is on
// show, gives itself on another page, and gives the packet its pages
// show (ok false when there is none to show: the door is gone).
type pager interface {
	panel
	page() tab
	onPage(t tab) panel
	packet(g *Game) (pkt, frame []byte, ok bool)
}

// subject is the panel without its page: the same door on its Bytes page
// and on its Door page is one subject, whose scroll a change of page
// keeps.
func subject(p panel) panel {
	if pg, ok := p.(pager); ok {
		return pg.onPage(tabDoor)
	}
	return p
}

// drawPacketPage draws p's Layers or Bytes page.
func (g *Game) drawPacketPage(dst *ebiten.Image, area image.Rectangle, p pager) {
	pkt, frame, _ := p.packet(g)
	if len(pkt) == 0 {
		g.text(dst, "No packet yet: this door has not sent or received one.", float64(area.Min.X+g.px(12)), float64(area.Min.Y+g.px(12)), 13*g.scale, colDim, false, alignLeft)
		return
	}
	if p.page() == tabBytes {
		g.drawInspector(dst, area)
		return
	}
	g.drawCutaway(dst, area, pkt, frame)
}

// packetLook is what a pager's pages change with: on the Layers page the
// cut-away's letter moves on the wall clock.
func (g *Game) packetLook(p pager) panelLook {
	if p.page() == tabLayers {
		return panelLook{wall: g.player.Wall()}
	}
	return panelLook{}
}

// wheelInspector scrolls the byte inspector under the screen point pt:
// its dump above the field list, the list below.
func (g *Game) wheelInspector(steps int, pt image.Point) {
	pkt, all, ok := g.inspected()
	if !ok {
		return
	}
	fields := len(all)
	ig := g.inspectorGeometry(g.w.panelArea.GetWidget().Rect, len(pkt), fields)
	if float64(pt.Y) < ig.fieldsY {
		g.scroll.dump = min(max(ig.firstRow-steps, 0), ig.totalRows-ig.rows)
	} else {
		g.scroll.fields = min(max(ig.firstField-steps, 0), fields-ig.fieldsVisible)
	}
}

// inspectorState is the byte inspector as it is drawn, or nil when closed.
func (g *Game) inspectorState() *InspectorState {
	pkt, fields, ok := g.inspected()
	if !ok {
		return nil
	}
	area := g.w.panelArea.GetWidget().Rect
	ig := g.inspectorGeometry(area, len(pkt), len(fields))
	is := &InspectorState{Bytes: len(pkt), Hover: g.hover}
	for i, f := range fields {
		fs := FieldState{Header: f.Header, Name: f.Name, Value: f.Value, Off: f.Off, Len: f.Len}
		if y, ok := ig.fieldY(i); ok {
			fs.Row = g.css(float64(area.Min.X), y, float64(area.Dx()), ig.fieldH)
		}
		is.Fields = append(is.Fields, fs)
	}
	if g.hover >= 0 && g.hover < len(fields) {
		f := fields[g.hover]
		for i := f.Off; i < f.Off+f.Len; i++ {
			if x, y, w, h, ok := ig.byteBox(i, g.scale); ok {
				is.Lit = append(is.Lit, g.css(x, y, w, h))
			}
		}
	}
	return is
}

// inspectorGeom is where the hex dump's bytes and the field list are; the
// drawing, the hover test and the state hook share it. Both scroll: the
// dump by rows of sixteen bytes, the list by fields.
type inspectorGeom struct {
	x, y           float64 // the hex dump's top-left
	cellW, lineH   float64
	firstRow, rows int // the dump shows rows firstRow .. firstRow+rows-1
	totalRows      int
	fieldsY        float64
	fieldH         float64
	firstField     int
	fieldsVisible  int
	valueX         float64 // where the field list's values start
}

const bytesPerRow = 16

// byteBox is where the dump lights byte i, if its row is on screen.
func (ig inspectorGeom) byteBox(i int, scale float64) (x, y, w, h float64, ok bool) {
	r, c := i/bytesPerRow-ig.firstRow, i%bytesPerRow
	if r < 0 || r >= ig.rows {
		return 0, 0, 0, 0, false
	}
	return ig.x + float64(c)*ig.cellW - 2*scale, ig.y + float64(r)*ig.lineH, ig.cellW - 2*scale, ig.lineH, true
}

// fieldY is where field i's row of the list is, if it is on screen.
func (ig inspectorGeom) fieldY(i int) (float64, bool) {
	r := i - ig.firstField
	return ig.fieldsY + float64(r)*ig.fieldH, r >= 0 && r < ig.fieldsVisible
}

func (g *Game) inspectorGeometry(area image.Rectangle, n, fields int) inspectorGeom {
	// Sixteen columns of bytes in what the panel's width leaves.
	cellW := math.Min(24*g.scale, (float64(area.Dx())-56*g.scale)/bytesPerRow)
	ig := inspectorGeom{
		x: float64(area.Min.X) + 48*g.scale, y: float64(area.Min.Y) + 8*g.scale,
		cellW: cellW, lineH: 16 * g.scale, fieldH: 17 * g.scale,
		valueX: float64(area.Min.X) + math.Min(190*g.scale, float64(area.Dx())*0.45),
	}
	maxRows := max(int((float64(area.Dy())*0.45)/ig.lineH), 1)
	ig.totalRows = (n + bytesPerRow - 1) / bytesPerRow
	ig.rows = min(ig.totalRows, maxRows)
	ig.firstRow = min(max(g.scroll.dump, 0), ig.totalRows-ig.rows)
	ig.fieldsY = ig.y + float64(ig.rows)*ig.lineH + 12*g.scale
	fit := max(int((float64(area.Max.Y)-ig.fieldsY)/ig.fieldH), 0)
	ig.firstField = max(min(g.scroll.fields, fields-fit), 0)
	ig.fieldsVisible = min(fields-ig.firstField, fit)
	return ig
}

// hoveredField is the inspector field under the mouse, by its row in the
// field list or by one of its bytes in the dump.
func (g *Game) hoveredField() int {
	pkt, fields, ok := g.inspected()
	if !ok {
		return -1
	}
	area := g.w.panelArea.GetWidget().Rect
	ig := g.inspectorGeometry(area, len(pkt), len(fields))
	mx, my := ebiten.CursorPosition()
	return ig.fieldAt(fields, float64(mx), float64(my), area)
}

// dissected is the inspector's bytes decoded, kept while it shows the
// same packet: the hover test, the wheel, the drawing and the state hook
// all read it every frame. The bytes are the frame with its FCS when the
// kernel gave the frame, else the packet.
type dissected struct {
	pkt, frame []byte // what they were made from
	bytes      []byte
	fields     []wire.Field
}

func same(a, b []byte) bool { return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0]) }

// dissect decodes what the inspector shows of a packet and its frame, or
// returns what it decoded last time for them.
func (g *Game) dissect(pkt, frame []byte) ([]byte, []wire.Field) {
	d := &g.dissected
	if len(pkt) == 0 && len(frame) == 0 {
		return nil, nil
	}
	if d.bytes == nil || !same(pkt, d.pkt) || !same(frame, d.frame) {
		d.pkt, d.frame = pkt, frame
		if len(frame) > 0 {
			d.bytes = wire.AppendFCS(append([]byte(nil), frame...))
			d.fields = wire.DissectFrame(d.bytes, true)
		} else {
			d.bytes, d.fields = pkt, wire.Dissect(pkt)
		}
	}
	return d.bytes, d.fields
}

// inspected is what the byte inspector shows, if it is open: the bytes
// and their fields.
func (g *Game) inspected() ([]byte, []wire.Field, bool) {
	p, ok := g.shown().(pager)
	if !ok || p.page() != tabBytes {
		return nil, nil, false
	}
	pkt, frame, ok := p.packet(g)
	if !ok {
		return nil, nil, false
	}
	b, fields := g.dissect(pkt, frame)
	return b, fields, len(b) > 0
}

// fieldAt is the field whose row in the list, or one of whose bytes in
// the dump, is under the screen point x, y; -1 for none.
func (ig inspectorGeom) fieldAt(fields []wire.Field, x, y float64, area image.Rectangle) int {
	if y >= ig.fieldsY && x >= float64(area.Min.X) && x < float64(area.Max.X) {
		if r := int((y - ig.fieldsY) / ig.fieldH); r < ig.fieldsVisible {
			return ig.firstField + r
		}
	}
	col, row := int((x-ig.x)/ig.cellW), int((y-ig.y)/ig.lineH)
	if x < ig.x || col >= bytesPerRow || y < ig.y || row >= ig.rows {
		return -1
	}
	off := (ig.firstRow+row)*bytesPerRow + col
	for i, f := range fields {
		if off >= f.Off && off < f.Off+f.Len {
			return i
		}
	}
	return -1
}

// drawInspector shows the packet's bytes in hex, coloured by layer, and
// its decoded fields; the hovered field lights its bytes.
func (g *Game) drawInspector(dst *ebiten.Image, area image.Rectangle) {
	pkt, fields, ok := g.inspected()
	if !ok {
		return
	}
	ig := g.inspectorGeometry(area, len(pkt), len(fields))
	layerOf := make([]wire.Layer, len(pkt))
	for _, f := range fields {
		for i := f.Off; i < f.Off+f.Len && i < len(pkt); i++ {
			layerOf[i] = f.Layer
		}
	}
	var lit wire.Field
	if g.hover >= 0 && g.hover < len(fields) {
		lit = fields[g.hover]
	}
	for r := 0; r < ig.rows; r++ {
		y := ig.y + float64(r)*ig.lineH
		row := ig.firstRow + r
		g.text(dst, fmt.Sprintf("%04x", row*bytesPerRow), float64(area.Min.X)+8*g.scale, y, 11*g.scale, colDim, true, alignLeft)
		for c := 0; c < bytesPerRow; c++ {
			i := row*bytesPerRow + c
			if i >= len(pkt) {
				break
			}
			x := ig.x + float64(c)*ig.cellW
			ink := layerColor(layerOf[i])
			if lit.Len > 0 && i >= lit.Off && i < lit.Off+lit.Len {
				hx, hy, hw, hh, _ := ig.byteBox(i, g.scale)
				fillRect(dst, hx, hy, hw, hh, colHighlight)
				ink = colInk // dark on the highlight
			}
			g.text(dst, fmt.Sprintf("%02x", pkt[i]), x, y, 12*g.scale, ink, true, alignLeft)
		}
	}
	if ig.rows < ig.totalRows {
		more := fmt.Sprintf("rows %d-%d of %d: the wheel scrolls", ig.firstRow+1, ig.firstRow+ig.rows, ig.totalRows)
		g.text(dst, more, float64(area.Max.X)-8*g.scale, ig.y+float64(ig.rows)*ig.lineH-1*g.scale, 11*g.scale, colDim, false, alignRight)
	}
	for i := ig.firstField; i < ig.firstField+ig.fieldsVisible; i++ {
		f := fields[i]
		y, _ := ig.fieldY(i)
		nameInk, valueInk := color.Color(layerColor(f.Layer)), color.Color(colText)
		if i == g.hover {
			fillRect(dst, float64(area.Min.X), y, float64(area.Dx()), ig.fieldH, colHighlight)
			nameInk, valueInk = colInk, colInk
		}
		name := fmt.Sprintf("%-5s %s", f.Header, f.Name)
		g.text(dst, name, float64(area.Min.X)+8*g.scale, y, 12*g.scale, nameInk, false, alignLeft)
		val := f.Value
		if len(val) > 44 {
			val = val[:41] + "..."
		}
		g.text(dst, strings.ReplaceAll(val, "\n", " "), ig.valueX, y, 12*g.scale, valueInk, true, alignLeft)
	}
	if ig.fieldsVisible < len(fields) {
		g.text(dst, fmt.Sprintf("fields %d-%d of %d", ig.firstField+1, ig.firstField+ig.fieldsVisible, len(fields)),
			float64(area.Max.X)-8*g.scale, ig.fieldsY-14*g.scale, 11*g.scale, colDim, false, alignRight)
	}
}

func layerColor(l wire.Layer) color.RGBA {
	switch l {
	case wire.LayerNetwork:
		return colNet
	case wire.LayerTransport:
		return colTrans
	case wire.LayerLink:
		return colLink
	case wire.LayerPhysical:
		return colDim
	}
	return colApp
}
