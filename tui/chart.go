package tui

import (
	"encoding/json"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/lipgloss"

	"neo/engine"
)

// The chart component: one time-series chart drawn in braille (2×4 dots a
// cell) with a value axis of "nice" labels, a market-time axis, markers and
// horizontal reference lines. It is pure (the same input draws the same
// text) and allocates one grid per draw, so that views can call it on every
// frame. NimbleMarkets/ntcharts was weighed and not taken: its v2 needs
// bubbletea/lipgloss v2 (our styles are lipgloss v1), it averages the
// samples of a column (an extreme is lost) and it has no markers, bands or
// legend.

// Point is one sample of a chart series: a market time and a value.
type Point struct {
	T time.Time
	V float64
}

// linePattern is how a series is drawn, so that series stay apart without
// colour (NO_COLOR, mono).
type linePattern int

const (
	// lineSolid draws every dot of the line.
	lineSolid linePattern = iota
	// lineDotted draws the left dot column of each cell and every other
	// dot row between samples: a lighter, dotted line. Sample dots are
	// always drawn, so no extreme is lost.
	lineDotted
)

// legendGlyph is how the legend shows a pattern: a flat stretch of it.
func (p linePattern) legendGlyph() string {
	if p == lineDotted {
		return "⠂⠂"
	}
	return "⠒⠒"
}

// chartSeries is one line of a chart, oldest point first. NaN and infinite
// values break the line.
type chartSeries struct {
	Name    string
	Points  []Point
	Style   lipgloss.Style
	Pattern linePattern
}

// chartMarker is a glyph at a time and value (a fill: ▲ buy, ▼ sell). A
// marker inside the time span widens the value range so that it shows.
type chartMarker struct {
	T     time.Time
	V     float64
	Glyph rune
	Name  string // named in the legend once per glyph; "" not named
	Style lipgloss.Style
}

// chartLine is a horizontal reference line (a tier threshold). Lines do not
// stretch the range to all of them: the range takes in the nearest line
// above and below the data, so that the next threshold is always in view.
type chartLine struct {
	V     float64
	Style lipgloss.Style
}

// chart is what to draw and in how much room. Width and Height are the
// whole box: value labels, plot, the time axis row and, with Legend, a
// legend row on top.
type chart struct {
	Series  []chartSeries
	Markers []chartMarker
	Lines   []chartLine
	Width   int
	Height  int
	// Format writes a value label with the given decimals (chosen from the
	// label step); nil: fmtNum.
	Format func(v float64, decimals int) string
	// MinSpan is the smallest value range drawn (a flat series is padded
	// to it); 0: 0.2 % of the largest value, or 1 when every value is 0.
	MinSpan float64
	// Start and End fix the time span; zero: the span of the data.
	Start, End time.Time
	Axis       lipgloss.Style // axes and their labels
	Legend     bool           // draw the legend as the top row
}

// chartTimeLabel says which clock the time axis is on: series are stamped
// in market time (the feed's clock, not the wall clock).
const chartTimeLabel = "market time"

// String draws the chart as lines joined by newlines.
func (c chart) String() string { return strings.Join(c.draw(), "\n") }

// draw draws the chart, one string per row, each Width cells wide.
func (c chart) draw() []string {
	if c.Width <= 0 || c.Height <= 0 {
		return nil
	}
	var out []string
	rows := c.Height
	if c.Legend && rows >= 3 {
		out = append(out, fit(c.legend(), c.Width))
		rows--
	}
	plotRows, timeAxis := rows, false
	if rows >= 3 {
		plotRows, timeAxis = rows-1, true
	}
	t0, t1, ok := c.span()
	if !ok {
		for range rows {
			out = append(out, strings.Repeat(" ", c.Width))
		}
		return out
	}
	markers := c.visibleMarkers(t0, t1)
	sc := c.scale(plotRows, markers)
	labels := c.valueLabels(sc, plotRows)
	axisW := 0
	for _, l := range labels {
		axisW = max(axisW, lipgloss.Width(l))
	}
	axisW++ // the axis line
	plotW := c.Width - axisW
	if plotW < 4 {
		axisW, plotW = 0, c.Width
	}
	g := newChartGrid(plotW, plotRows, t0, t1, sc)
	for si, s := range c.Series {
		g.plot(s, si)
	}
	g.lines(c.Lines, len(c.Series))
	styles, markerStyle := c.styleTable(markers)
	g.markers(markers, markerStyle)
	out = c.plotRows(out, g, labels, axisW, styles)
	if timeAxis {
		out = append(out, c.Axis.Render(strings.Repeat(" ", axisW)+timeAxisRow(t0, t1, plotW)))
	}
	return out
}

// styleTable is the styles of the grid's cells: the series', the lines',
// then one per marker glyph and name, with each marker's index into it.
// Markers of one glyph and name share the first one's style, so that
// a chart of many fills renders two styles, not one per fill.
func (c chart) styleTable(markers []chartMarker) ([]lipgloss.Style, []int) {
	styles := make([]lipgloss.Style, 0, len(c.Series)+len(c.Lines)+2)
	for _, s := range c.Series {
		styles = append(styles, s.Style)
	}
	for _, l := range c.Lines {
		styles = append(styles, l.Style)
	}
	type markerKey struct {
		glyph rune
		name  string
	}
	byKey := map[markerKey]int{}
	markerStyle := make([]int, len(markers))
	for i, m := range markers {
		k := markerKey{m.Glyph, m.Name}
		si, ok := byKey[k]
		if !ok {
			si = len(styles)
			byKey[k] = si
			styles = append(styles, m.Style)
		}
		markerStyle[i] = si
	}
	return styles, markerStyle
}

// plotRows appends the rows of g to out, each behind its value label and
// the axis line when axisW leaves room for them.
func (c chart) plotRows(out []string, g *chartGrid, labels []string, axisW int, styles []lipgloss.Style) []string {
	plotW := g.w
	wraps := make([]styleWrap, len(styles))
	var axisWrap styleWrap
	axisWrap.learn(c.Axis)
	run := make([]byte, 0, 3*plotW)
	for r := range labels {
		var b strings.Builder
		b.Grow(4*plotW + 4*axisW + 64)
		if axisW > 0 {
			axis := "│"
			if labels[r] != "" {
				axis = "┤"
			}
			axisWrap.write(&b, c.Axis, padLeft(labels[r], axisW-1)+axis)
		}
		run = g.writeRow(&b, run, r, styles, wraps)
		out = append(out, b.String())
	}
	return out
}

// legend names each series with its pattern and each named marker glyph,
// so that they can be told apart without colour.
func (c chart) legend() string {
	var parts []string
	for _, s := range c.Series {
		if s.Name != "" {
			parts = append(parts, s.Style.Render(s.Pattern.legendGlyph())+" "+s.Name)
		}
	}
	seen := map[rune]bool{}
	for _, m := range c.Markers {
		if m.Name != "" && !seen[m.Glyph] {
			seen[m.Glyph] = true
			parts = append(parts, m.Style.Render(string(m.Glyph))+" "+m.Name)
		}
	}
	return strings.Join(parts, "  ")
}

// span is the time span drawn: Start..End, or the first to the last finite
// point of the series. ok is false when there is nothing to draw.
func (c chart) span() (t0, t1 time.Time, ok bool) {
	for _, s := range c.Series {
		for _, p := range s.Points {
			if !finite(p.V) {
				continue
			}
			if !ok || p.T.Before(t0) {
				t0 = p.T
			}
			if !ok || p.T.After(t1) {
				t1 = p.T
			}
			ok = true
		}
	}
	if !c.Start.IsZero() {
		t0 = c.Start
	}
	if !c.End.IsZero() {
		t1 = c.End
	}
	return t0, t1, ok && !t1.Before(t0)
}

// visibleMarkers are the markers inside the time span with finite values.
func (c chart) visibleMarkers(t0, t1 time.Time) []chartMarker {
	var out []chartMarker
	for _, m := range c.Markers {
		if finite(m.V) && !m.T.Before(t0) && !m.T.After(t1) {
			out = append(out, m)
		}
	}
	return out
}

// valueScale is the value range of the plot and its label step.
type valueScale struct {
	lo, hi, step float64
	decimals     int
}

// scale picks the value range: the data and the visible markers, the
// nearest reference line on each side, padded to MinSpan, never below zero
// for data that is not, widened to whole label steps.
func (c chart) scale(plotRows int, markers []chartMarker) valueScale {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range c.Series {
		for _, p := range s.Points {
			if finite(p.V) {
				lo, hi = math.Min(lo, p.V), math.Max(hi, p.V)
			}
		}
	}
	for _, m := range markers {
		lo, hi = math.Min(lo, m.V), math.Max(hi, m.V)
	}
	if lo > hi {
		lo, hi = 0, 0
	}
	nonNeg := lo >= 0
	above, below := nearestLines(c.Lines, lo, hi)
	hiLine, loLine := !math.IsInf(above, 0), !math.IsInf(below, 0)
	if hiLine {
		hi = above
	}
	if loLine {
		lo = below
	}
	minSpan := c.MinSpan
	if minSpan <= 0 {
		minSpan = 0.002 * math.Max(math.Abs(lo), math.Abs(hi))
		if minSpan == 0 {
			minSpan = 1
		}
	}
	if hi-lo < minSpan {
		mid := (lo + hi) / 2
		lo, hi = mid-minSpan/2, mid+minSpan/2
		hiLine, loLine = false, false
	}
	if nonNeg && lo < 0 {
		lo, hi = 0, hi-lo
		hiLine, loLine = false, false
	}
	// The ends round out to an eighth of the range at most (a short chart
	// keeps a tight range); the labels between are a coarser step apart,
	// about one every three rows.
	// An end at a reference line stays on it, so that the line is drawn on
	// the end's row under its own label (±5 rounded out to ±6 put the
	// threshold's dashes on a row labelled 6).
	round := niceStep((hi - lo) / 8)
	const eps = 1e-9
	if !loLine {
		lo = math.Floor(lo/round+eps) * round
	}
	if !hiLine {
		hi = math.Ceil(hi/round-eps) * round
	}
	if hi <= lo {
		hi = lo + round
	}
	intervals := clampInt((plotRows-1)/3, 1, 8)
	step := math.Max(round, niceStep((hi-lo)/float64(intervals)))
	return valueScale{lo: lo, hi: hi, step: step, decimals: stepDecimals(round)}
}

// nearestLines are the nearest reference line above hi and below lo
// (+Inf and -Inf when there is none).
func nearestLines(lines []chartLine, lo, hi float64) (above, below float64) {
	above, below = math.Inf(1), math.Inf(-1)
	for _, l := range lines {
		if !finite(l.V) {
			continue
		}
		if l.V > hi && l.V < above {
			above = l.V
		}
		if l.V < lo && l.V > below {
			below = l.V
		}
	}
	return above, below
}

// niceStep is the smallest of 1, 2, 2.5 and 5 times a power of ten that is
// at least x.
func niceStep(x float64) float64 {
	if !(x > 0) || math.IsInf(x, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*p >= x*(1-1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// stepDecimals is how many decimals tell labels a step apart: 0.25 → 2,
// 0.5 → 1, 20 → 0.
func stepDecimals(step float64) int {
	for d := 0; d < 12; d++ {
		scaled := step * math.Pow(10, float64(d))
		if math.Abs(scaled-math.Round(scaled)) < 1e-6*scaled {
			return d
		}
	}
	return 12
}

// valueLabels is the label of each plot row: the top and bottom of the
// range first, then the reference lines, then the steps between, each on
// the row that holds its value and never two on one row.
func (c chart) valueLabels(sc valueScale, plotRows int) []string {
	format := c.Format
	if format == nil {
		format = fmtNum
	}
	labels := make([]string, plotRows)
	free := func(r int) bool { return r >= 0 && r < plotRows && labels[r] == "" }
	put := func(v float64, dec int, spaced bool) {
		r := valueDot(v, sc, plotRows*4) / 4
		if free(r) && (!spaced || (r == 0 || free(r-1)) && (r == plotRows-1 || free(r+1))) {
			labels[r] = format(v, dec)
		}
	}
	put(sc.hi, sc.decimals, false)
	put(sc.lo, sc.decimals, false)
	for _, l := range c.Lines {
		if finite(l.V) && l.V >= sc.lo && l.V <= sc.hi {
			put(l.V, max(sc.decimals, stepDecimals(math.Abs(l.V))), false)
		}
	}
	for v := math.Ceil(sc.lo/sc.step-1e-9) * sc.step; v < sc.hi-sc.step*1e-6; v += sc.step {
		if v > sc.lo+sc.step*1e-6 {
			put(v, sc.decimals, true)
		}
	}
	return labels
}

// valueDot is the dot row of v, 0 at the top.
func valueDot(v float64, sc valueScale, dotsH int) int {
	return dotsH - 1 - int(math.Round((v-sc.lo)/(sc.hi-sc.lo)*float64(dotsH-1)))
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// chartGrid is the plot area: a braille pattern per cell, the style that
// owns it, and whole-cell glyphs (lines, markers) that replace empty or
// marked cells.
type chartGrid struct {
	w, h   int
	t0, t1 time.Time
	sc     valueScale
	bits   []uint8 // braille dot bits, w*h
	owner  []int16 // style index of the cell; -1 none
	glyph  []rune  // a whole-cell glyph; 0 none
	// spanLo/spanHi are the dot rows already drawn in each dot column by
	// the current series, so that a dense series costs at most one pass
	// over each column.
	spanLo, spanHi []int
}

func newChartGrid(w, h int, t0, t1 time.Time, sc valueScale) *chartGrid {
	g := &chartGrid{w: w, h: h, t0: t0, t1: t1, sc: sc,
		bits: make([]uint8, w*h), owner: make([]int16, w*h), glyph: make([]rune, w*h),
		spanLo: make([]int, 2*w), spanHi: make([]int, 2*w)}
	for i := range g.owner {
		g.owner[i] = -1
	}
	return g
}

// x is the dot column of t; a span of no length puts everything at the
// right edge (the newest point).
func (g *chartGrid) x(t time.Time) int {
	dotsW := 2 * g.w
	d := g.t1.Sub(g.t0)
	if d <= 0 {
		return dotsW - 1
	}
	return int(math.Round(float64(t.Sub(g.t0)) / float64(d) * float64(dotsW-1)))
}

func (g *chartGrid) y(v float64) int { return valueDot(v, g.sc, 4*g.h) }

// set turns on a dot for style si; the lowest style index owns a cell.
func (g *chartGrid) set(x, y, si int) {
	if x < 0 || y < 0 || x >= 2*g.w || y >= 4*g.h {
		return
	}
	i := (y/4)*g.w + x/2
	g.bits[i] |= brailleBit(x%2, y%4)
	if g.owner[i] < 0 || int16(si) < g.owner[i] {
		g.owner[i] = int16(si)
	}
}

// plot draws a series: each finite point, joined to the previous one by a
// Bresenham line. Points that fall in one dot column draw the column from
// their minimum to their maximum, so downsampling loses no extreme.
func (g *chartGrid) plot(s chartSeries, si int) {
	for i := range g.spanLo {
		g.spanLo[i], g.spanHi[i] = math.MaxInt, math.MinInt
	}
	dotted := s.Pattern == lineDotted
	dot := func(x, y int, sample bool) {
		if dotted {
			if !sample && y%2 != 0 {
				return
			}
			x &^= 1 // the left dot column of the cell
		}
		g.set(x, y, si)
	}
	px, py, have := 0, 0, false
	for _, p := range s.Points {
		if !finite(p.V) {
			have = false
			continue
		}
		if p.T.Before(g.t0) || p.T.After(g.t1) {
			have = false
			continue
		}
		x, y := g.x(p.T), g.y(p.V)
		switch {
		case !have:
			dot(x, y, true)
			g.widen(x, y)
		case x == px:
			g.column(x, py, y, dot)
		default:
			g.segment(px, py, x, y, dot)
		}
		px, py, have = x, y, true
	}
}

// widen records that dot row y of column x is drawn.
func (g *chartGrid) widen(x, y int) {
	if x < 0 || x >= len(g.spanLo) {
		return
	}
	g.spanLo[x], g.spanHi[x] = min(g.spanLo[x], y), max(g.spanHi[x], y)
}

// column draws column x from y0 (already drawn) to y1, skipping the part
// of the column already drawn.
func (g *chartGrid) column(x, y0, y1 int, dot func(x, y int, sample bool)) {
	if x < 0 || x >= len(g.spanLo) {
		return
	}
	lo, hi := g.spanLo[x], g.spanHi[x]
	if lo > hi {
		lo, hi = y0, y0
		dot(x, y0, true)
	}
	for y := y1 + 1; y < lo; y++ { // above the drawn part
		dot(x, y, false)
	}
	for y := hi + 1; y < y1; y++ { // below it
		dot(x, y, false)
	}
	dot(x, y1, true)
	g.widen(x, y0)
	g.widen(x, y1)
}

// segment draws a Bresenham line from (x0, y0) to (x1, y1); the end points
// are samples.
func (g *chartGrid) segment(x0, y0, x1, y1 int, dot func(x, y int, sample bool)) {
	dx, dy := abs(x1-x0), -abs(y1-y0)
	sx, sy := sign(x1-x0), sign(y1-y0)
	e := dx + dy
	x, y := x0, y0
	for {
		end := x == x1 && y == y1
		dot(x, y, end || (x == x0 && y == y0))
		g.widen(x, y)
		if end {
			return
		}
		e2 := 2 * e
		if e2 >= dy {
			e += dy
			x += sx
		}
		if e2 <= dx {
			e += dx
			y += sy
		}
	}
}

// lines draws each reference line in the empty cells of its row.
func (g *chartGrid) lines(ls []chartLine, first int) {
	for li, l := range ls {
		if !finite(l.V) || l.V < g.sc.lo || l.V > g.sc.hi {
			continue
		}
		r := g.y(l.V) / 4
		if r < 0 || r >= g.h {
			continue
		}
		for c := 0; c < g.w; c++ {
			i := r*g.w + c
			if g.bits[i] == 0 && g.glyph[i] == 0 {
				g.glyph[i], g.owner[i] = '┄', int16(first+li)
			}
		}
	}
}

// markers draws each marker glyph over its cell in style styleOf[i].
func (g *chartGrid) markers(ms []chartMarker, styleOf []int) {
	for mi, m := range ms {
		x, y := g.x(m.T), g.y(m.V)
		if x < 0 || y < 0 || x >= 2*g.w || y >= 4*g.h {
			continue
		}
		i := (y/4)*g.w + x/2
		g.glyph[i], g.owner[i] = m.Glyph, int16(styleOf[mi])
	}
}

// styleWrap is what a style writes before and after a run of plain
// text, learnt once per draw: lipgloss's Render costs microseconds a call
// and a 200-column chart has hundreds of runs.
type styleWrap struct {
	pre, post string
	known     bool // learnt
	plain     bool // the style is more than a wrap: Render each run
}

// learn finds the wrap of st: what Render puts around a probe. A style
// that changes the text itself (width, padding, transforms) is left to
// Render.
func (w *styleWrap) learn(st lipgloss.Style) {
	w.known = true
	const probe = "\u2800\u2801"
	out := st.Render(probe)
	i := strings.Index(out, probe)
	if i < 0 || strings.Count(out, probe) != 1 {
		w.plain = true
		return
	}
	w.pre, w.post = out[:i], out[i+len(probe):]
	if st.Render("\u2802") != w.pre+"\u2802"+w.post {
		w.plain = true
	}
}

// write writes text in style st (whose wrap w is).
func (w *styleWrap) write(b *strings.Builder, st lipgloss.Style, text string) {
	if !w.known {
		w.learn(st)
	}
	if w.plain {
		b.WriteString(st.Render(text))
		return
	}
	b.WriteString(w.pre)
	b.WriteString(text)
	b.WriteString(w.post)
}

// writeRow renders row r a run of cells of one style at a time; run is
// scratch space, returned for the next row.
func (g *chartGrid) writeRow(b *strings.Builder, run []byte, r int, styles []lipgloss.Style, wraps []styleWrap) []byte {
	run = run[:0]
	runOwner := -2
	flush := func() {
		if len(run) == 0 {
			return
		}
		if runOwner >= 0 && runOwner < len(styles) {
			wraps[runOwner].write(b, styles[runOwner], string(run))
		} else {
			b.Write(run)
		}
		run = run[:0]
	}
	for c := 0; c < g.w; c++ {
		i := r*g.w + c
		o, ch := -1, ' '
		switch {
		case g.glyph[i] != 0:
			o, ch = int(g.owner[i]), g.glyph[i]
		case g.bits[i] != 0:
			o, ch = int(g.owner[i]), rune(0x2800+int(g.bits[i]))
		}
		if o != runOwner {
			flush()
			runOwner = o
		}
		run = utf8.AppendRune(run, ch)
	}
	flush()
	return run
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

// timeSteps are the tick steps of the time axis, smallest first.
var timeSteps = []time.Duration{
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
	24 * time.Hour, 2 * 24 * time.Hour, 7 * 24 * time.Hour, 14 * 24 * time.Hour, 28 * 24 * time.Hour,
}

// timeTick is one label of the time axis at a cell column.
type timeTick struct {
	col   int
	label string
}

// timeTicks picks round market times between t0 and t1 (in t1's zone) far
// enough apart for their labels in room of the width cells of the axis:
// HH:MM:SS under a minute, HH:MM within a day (a date at midnight), dates
// for longer steps.
func timeTicks(t0, t1 time.Time, width, room int) []timeTick {
	loc := t1.Location()
	t0, t1 = t0.In(loc), t1.In(loc)
	span := t1.Sub(t0)
	col := func(t time.Time) int {
		if span <= 0 {
			return width - 1
		}
		return int(math.Round(float64(t.Sub(t0))/float64(span)*float64(2*width-1))) / 2
	}
	if span <= 0 {
		return []timeTick{{col: 0, label: t1.Format("15:04:05")}}
	}
	for _, step := range timeSteps {
		format, labelW := "15:04", 5
		if t0.YearDay() != t1.YearDay() || t0.Year() != t1.Year() {
			labelW = 6 // a date ("Jan 2") stands at midnight
		}
		switch {
		case step < time.Minute:
			format, labelW = "15:04:05", 8
		case step >= 24*time.Hour:
			format, labelW = "Jan 2", 6
		}
		if int64(span/step)+1 > int64(room/(labelW+2)) {
			continue
		}
		var start time.Time
		if step >= 24*time.Hour {
			start = time.Date(t0.Year(), t0.Month(), t0.Day(), 0, 0, 0, 0, loc)
		} else {
			_, off := t0.Zone()
			shift := time.Duration(off) * time.Second // align to the zone's midnight
			start = t0.Add(shift).Truncate(step).Add(-shift)
		}
		var ticks []timeTick
		for t := start; !t.After(t1); t = t.Add(step) {
			if t.Before(t0) {
				continue
			}
			label := t.Format(format)
			if step < 24*time.Hour && t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && span >= time.Hour {
				label = t.Format("Jan 2")
			}
			ticks = append(ticks, timeTick{col: col(t), label: label})
		}
		return ticks
	}
	return []timeTick{{col: 0, label: t0.Format("Jan 2")}, {col: width - 6, label: t1.Format("Jan 2")}}
}

// timeAxisRow is the time axis under a plot of width cells: tick labels
// left-aligned at their columns, never overlapping, and which clock and
// zone they are in at the right when there is room.
func timeAxisRow(t0, t1 time.Time, width int) string {
	row := []rune(strings.Repeat(" ", width))
	zone := t1.Format("MST")
	room := width // for the tick labels; the rest is kept for the note
	switch {
	case width >= 70: // room for ticks 5 minutes apart over 25 minutes, and the words
		room = width - len(chartTimeLabel) - len(zone) - 2
	case width >= 16:
		room = width - len(zone) - 1
	}
	end := 0 // the first free column
	for _, tk := range timeTicks(t0, t1, width, room) {
		c, label := tk.col, []rune(tk.label)
		if c+len(label) > room {
			continue
		}
		if c < end || c < 0 {
			continue
		}
		copy(row[c:], label)
		end = c + len(label) + 1
	}
	for _, note := range []string{chartTimeLabel + " " + zone, zone} {
		n := []rune(note)
		if width-len(n)-1 >= end {
			copy(row[width-len(n):], n)
			break
		}
	}
	return string(row)
}

// samplePoints are the engine's chart samples of one figure (pick) on
// their market times, with now's value (the figure the view shows beside
// the chart) as the last point, so that the chart never lags it. Before
// the first market event (now is zero) there is nothing to draw.
func samplePoints(hs []engine.HistorySample, pick func(engine.HistorySample) float64, now time.Time, current float64) []Point {
	if now.IsZero() { // no market event yet: nothing to place in time
		return nil
	}
	out := make([]Point, 0, len(hs)+1)
	for _, h := range hs {
		out = append(out, Point{T: h.Time, V: pick(h)})
	}
	return appendCurrent(out, now, current)
}

// sampleValues are the values of one figure of the samples, for a
// sparkline.
func sampleValues(hs []engine.HistorySample, pick func(engine.HistorySample) float64) []float64 {
	out := make([]float64, len(hs))
	for i, h := range hs {
		out[i] = pick(h)
	}
	return out
}

// appendCurrent makes (now, v) the last point of ps: a point at or after
// now is replaced, so that the current value is always the newest.
func appendCurrent(ps []Point, now time.Time, v float64) []Point {
	for len(ps) > 0 && !ps[len(ps)-1].T.Before(now) {
		ps = ps[:len(ps)-1]
	}
	return append(ps, Point{T: now, V: v})
}

// tierLines are the reference lines of a drift chart: ± each skew tier
// threshold, in the style of the tier it opens.
func tierLines(st Styles, thresholds []float64) []chartLine {
	var out []chartLine
	for i, t := range thresholds {
		out = append(out, chartLine{V: t, Style: st.tier(i + 1)}, chartLine{V: -t, Style: st.tier(i + 1)})
	}
	return out
}

// fillMarkers marks fills on a price chart: ▲ a buy, ▼ a sell, at the
// fill's price and time.
func fillMarkers(st Styles, fills []engine.Fill) []chartMarker {
	out := make([]chartMarker, 0, len(fills))
	for _, f := range fills {
		m := chartMarker{T: f.MarketTime, V: f.Price, Glyph: '▲', Name: "buy", Style: st.Gain}
		if f.Side == engine.Sell {
			m.Glyph, m.Name, m.Style = '▼', "sell", st.Loss
		}
		out = append(out, m)
	}
	return out
}

// fmtPercentLabel writes a signed percent label: "+2.5%".
func fmtPercentLabel(v float64, decimals int) string { return fmtSigned(v, decimals) + "%" }

// sessionTierThresholds are the skew tier thresholds of a recorded
// session's configuration; none when it cannot be read (the chart then
// draws no tier lines).
func sessionTierThresholds(configJSON string) []float64 {
	var cfg struct {
		Strategy struct {
			Thresholds []float64 `json:"skew_tier_thresholds_pct"`
		} `json:"strategy"`
	}
	if json.Unmarshal([]byte(configJSON), &cfg) != nil {
		return nil
	}
	var out []float64
	for _, t := range cfg.Strategy.Thresholds {
		if finite(t) && t > 0 {
			out = append(out, t)
		}
	}
	return out
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func sign(v int) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

var sparkRunes = []rune("▁▂▃▄▅▆▇█")

// sparkline draws the last width values of vs as block runes scaled between
// their minimum and maximum: the one-row stand-in for a chart where there
// is no room for one. A flat series draws a flat line.
func sparkline(vs []float64, width int) string {
	if width <= 0 || len(vs) == 0 {
		return ""
	}
	if len(vs) > width {
		vs = vs[len(vs)-width:]
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range vs {
		if finite(v) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	var b strings.Builder
	for _, v := range vs {
		i := 0
		if hi > lo && finite(v) {
			i = int(math.Round((v - lo) / (hi - lo) * float64(len(sparkRunes)-1)))
		}
		b.WriteRune(sparkRunes[clampInt(i, 0, len(sparkRunes)-1)])
	}
	return b.String()
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
