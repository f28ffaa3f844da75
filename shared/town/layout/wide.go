package layout

import (
	"math"

	"socketville/shared/sock"
)

// A watched machine is one host with dozens of processes and hundreds of
// sockets: stacked in one column its plot would be a thin strip a hundred
// houses tall, too small to see in any window. A wide plot flows its
// houses, in order, into columns of about the same height, and lays the
// kernel's yard below them as wide as the columns, so that the plot is
// about the shape of a window. A scenario's town is never laid out so.

// wideAspect is the width over the height a wide plot aims at: the town's
// area beside the panel.
const wideAspect = 1.5

// columnGap is the lane between two columns of houses.
const columnGap = 40.0

// widePlotOf lays out one host at the origin with its houses in columns.
func widePlotOf(h sock.HostState) Plot {
	p := Plot{Host: h.Name, Sign: signOf(h), Ephemeral: h.EphemeralPorts()}
	// Each house's height, from the top of its roof to the bottom of
	// its walls, and a gap.
	heights := make([]float64, len(h.Processes))
	housesH, tallest := 0.0, 0.0
	for i, ps := range h.Processes {
		heights[i] = RoofH + houseTop + float64(doorRows(len(ps.Sockets)))*doorRowH + houseGap
		housesH += heights[i]
		tallest = math.Max(tallest, heights[i])
	}
	colW := houseW + columnGap
	area := housesH*colW + float64(len(h.Orphans))*DoorPitch*doorRowH
	cols := max(int(math.Round(math.Sqrt(wideAspect*area)/colW)), 1)
	target := math.Max(housesH/float64(cols), tallest)

	x, top := plotPad, signH
	y, bottom, right := top, top, plotPad+houseW
	for i, ps := range h.Processes {
		if y > top && y+heights[i] > top+target {
			x, y = x+colW, top // a new column
		}
		house := houseOf(h.Name, ps, x, y+RoofH)
		p.Houses = append(p.Houses, house)
		right = math.Max(right, x+houseW)
		y = house.Rect.Max.Y + houseGap
		bottom = math.Max(bottom, y)
	}
	if n := len(h.Orphans); n > 0 {
		w := math.Max(right-plotPad, float64(cols)*colW-columnGap)
		per := max(DoorsPerRow, int((w-2*housePad-DoorW)/DoorPitch)+1)
		rows := (n + per - 1) / per
		y = bottom
		p.Kernel = rect(plotPad, y, w, kernelLabel+float64(rows-1)*doorRowH+DoorH+underDoor+housePad)
		for i, s := range h.Orphans {
			row, col := i/per, i%per
			span := float64(min(n-row*per, per)-1)*DoorPitch + DoorW
			dx := (w-span)/2 + float64(col)*DoorPitch
			p.Orphans = append(p.Orphans, doorOf(h.Name, "", s, plotPad+dx, y+kernelLabel+float64(row)*doorRowH))
		}
		right = math.Max(right, plotPad+w)
		bottom = p.Kernel.Max.Y + houseGap
	}
	signW := float64(len(p.Sign)+len(h.Name)+3) * 8
	w := math.Max(right-plotPad, signW)
	p.Rect = rect(0, 0, w+2*plotPad, math.Max(bottom, signH+40)+plotPad-houseGap/2)
	return p
}
