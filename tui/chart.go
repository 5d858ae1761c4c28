package tui

import (
	"math"
	"strings"

	"github.com/charmbracelet/lipgloss"
)

var sparkRunes = []rune("▁▂▃▄▅▆▇█")

// sparkline draws the last width values of vs as block runes scaled between
// their minimum and maximum. A flat series draws a flat line.
func sparkline(vs []float64, width int) string {
	if width <= 0 || len(vs) == 0 {
		return ""
	}
	if len(vs) > width {
		vs = vs[len(vs)-width:]
	}
	lo, hi := bounds(vs)
	var b strings.Builder
	for _, v := range vs {
		i := 0
		if hi > lo && !math.IsNaN(v) {
			i = int(math.Round((v - lo) / (hi - lo) * float64(len(sparkRunes)-1)))
		}
		b.WriteRune(sparkRunes[clampInt(i, 0, len(sparkRunes)-1)])
	}
	return b.String()
}

// bounds returns the minimum and maximum of the finite values of vs.
func bounds(vs ...[]float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, s := range vs {
		for _, v := range s {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if lo > hi {
		return 0, 0
	}
	return lo, hi
}

// series is one line of a chart with the style it is drawn in.
type series struct {
	values []float64
	style  lipgloss.Style
}

// brailleChart draws the series as lines of braille dots (2×4 dots per
// cell) in a width×height box, with the value axis labelled on the left by
// label(v). Each series is stretched across the full width. Where two
// series share a cell, the first one's style wins.
func brailleChart(ss []series, width, height int, label func(float64) string) []string {
	if width <= 0 || height <= 0 {
		return nil
	}
	vals := make([][]float64, len(ss))
	for i, s := range ss {
		vals[i] = s.values
	}
	lo, hi := bounds(vals...)
	if hi == lo {
		lo, hi = lo-1, hi+1
	}
	topLabel, botLabel := label(hi), label(lo)
	axisW := max(lipgloss.Width(topLabel), lipgloss.Width(botLabel)) + 1
	plotW := width - axisW
	if plotW < 4 {
		axisW, plotW = 0, width
	}
	g := newDotGrid(plotW, height)
	for si, s := range ss {
		g.plot(s.values, si, lo, hi)
	}
	lines := make([]string, height)
	for r := 0; r < height; r++ {
		var b strings.Builder
		if axisW > 0 {
			lab := ""
			switch r {
			case 0:
				lab = topLabel
			case height - 1:
				lab = botLabel
			}
			b.WriteString(padLeft(lab, axisW-1))
			b.WriteString("┤")
		}
		g.writeRow(&b, r, ss)
		lines[r] = b.String()
	}
	return lines
}

// dotGrid is the plot area of a braille chart: a bit pattern per cell and
// the series that styles it.
type dotGrid struct {
	w, h  int       // cells
	cells [][]uint8 // braille bit patterns
	owner [][]int8  // which series styles the cell; -1 none
}

func newDotGrid(w, h int) *dotGrid {
	g := &dotGrid{w: w, h: h, cells: make([][]uint8, h), owner: make([][]int8, h)}
	for r := range g.cells {
		g.cells[r] = make([]uint8, w)
		g.owner[r] = make([]int8, w)
		for c := range g.owner[r] {
			g.owner[r][c] = -1
		}
	}
	return g
}

// set turns on the dot at x, y (in dots) for series si; the lowest series
// index owns a shared cell.
func (g *dotGrid) set(x, y, si int) {
	if x < 0 || y < 0 || x >= g.w*2 || y >= g.h*4 {
		return
	}
	r, c := y/4, x/2
	g.cells[r][c] |= brailleBit(x%2, y%4)
	if g.owner[r][c] < 0 || int8(si) < g.owner[r][c] {
		g.owner[r][c] = int8(si)
	}
}

// plot draws vs stretched across the grid's width between lo and hi,
// joining consecutive dots vertically; NaN and infinite values leave gaps.
func (g *dotGrid) plot(vs []float64, si int, lo, hi float64) {
	n := len(vs)
	if n == 0 {
		return
	}
	dotsW, dotsH := g.w*2, g.h*4
	prevY := -1
	for x := 0; x < dotsW; x++ {
		i := 0
		if n > 1 && dotsW > 1 {
			i = int(math.Round(float64(x) * float64(n-1) / float64(dotsW-1)))
		}
		v := vs[clampInt(i, 0, n-1)]
		if math.IsNaN(v) || math.IsInf(v, 0) {
			prevY = -1
			continue
		}
		y := dotsH - 1 - int(math.Round((v-lo)/(hi-lo)*float64(dotsH-1)))
		if prevY >= 0 { // join to the previous dot vertically
			for yy := min(prevY, y); yy <= max(prevY, y); yy++ {
				g.set(x, yy, si)
			}
		} else {
			g.set(x, y, si)
		}
		prevY = y
	}
}

// writeRow renders row r, runs of cells of one series at once: a style per
// cell would cost a Render call each.
func (g *dotGrid) writeRow(b *strings.Builder, r int, ss []series) {
	var run strings.Builder
	runOwner := -2
	flush := func() {
		if run.Len() == 0 {
			return
		}
		if runOwner >= 0 && runOwner < len(ss) {
			b.WriteString(ss[runOwner].style.Render(run.String()))
		} else {
			b.WriteString(run.String())
		}
		run.Reset()
	}
	for c := 0; c < g.w; c++ {
		o := -1
		ch := ' '
		if g.cells[r][c] != 0 {
			o = int(g.owner[r][c])
			ch = rune(0x2800 + int(g.cells[r][c]))
		}
		if o != runOwner {
			flush()
			runOwner = o
		}
		run.WriteRune(ch)
	}
	flush()
}

// brailleBit is the dot bit of column x (0-1) and row y (0-3) of a cell.
func brailleBit(x, y int) uint8 {
	if y == 3 {
		if x == 0 {
			return 0x40
		}
		return 0x80
	}
	if x == 0 {
		return 1 << uint(y)
	}
	return 1 << uint(y+3)
}

// gauge draws v on a horizontal scale from -limit to +limit: marks at ±each
// threshold, the centre, and a bar from the centre to v in the tier's style.
func gauge(st Styles, v, limit float64, thresholds []float64, tier, width int) string {
	if width < 5 {
		return ""
	}
	if limit <= 0 {
		limit = 1
	}
	inner := width - 2
	pos := func(x float64) int {
		x = math.Max(-limit, math.Min(limit, x))
		return clampInt(int(math.Round((x+limit)/(2*limit)*float64(inner-1))), 0, inner-1)
	}
	cells := make([]rune, inner)
	for i := range cells {
		cells[i] = '─'
	}
	for _, t := range thresholds {
		cells[pos(t)] = '┆'
		cells[pos(-t)] = '┆'
	}
	centre := pos(0)
	cells[centre] = '┼'
	p := centre
	if !math.IsNaN(v) {
		p = pos(v)
	}
	a, b := min(centre, p), max(centre, p)
	var out strings.Builder
	out.WriteString("[")
	ts := st.tier(tier)
	var run strings.Builder
	runBar := false
	flush := func() {
		if run.Len() == 0 {
			return
		}
		if runBar {
			out.WriteString(ts.Render(run.String()))
		} else {
			out.WriteString(st.Muted.Render(run.String()))
		}
		run.Reset()
	}
	for i, c := range cells {
		bar := i == p || (i >= a && i <= b && i != centre)
		if bar != runBar {
			flush()
			runBar = bar
		}
		switch {
		case i == p:
			run.WriteRune('●')
		case bar:
			run.WriteRune('━')
		default:
			run.WriteRune(c)
		}
	}
	flush()
	out.WriteString("]")
	return out.String()
}

func clampInt(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}
