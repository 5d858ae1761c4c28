package tui

import (
	"math"
	"sort"
	"strings"
	"time"

	"neo/engine"
)

// The history's summary strip: what the sessions on the page add up to
// (how many, the total P&L, the best and the worst, how many run and how
// many ended at an estimate) and, when the window has the rows, their P&L
// by start day as a bar chart around zero: a session's whole P&L counts on
// the market day it started, since splitting it over the days it ran needs
// its value curve, which the strip does not read for every session on every
// redraw (a session's report splits it: DAILY P&L).

// stripRows is the rows the summary strip takes in a window h rows tall:
// one line on a short window, the daily chart under it from 30 rows.
func stripRows(h int) int {
	if h < 30 {
		return 1
	}
	return 1 + clampInt((h-24)/3, 4, 9)
}

// sessionPnL is a session's P&L, when it has an ending value.
func sessionPnL(s engine.SessionSummary) (float64, bool) {
	if s.EndingValue == nil {
		return 0, false
	}
	return *s.EndingValue - s.StartingValue, true
}

// sessionDay is the market day a session counts on, its start day: the UTC
// date of its first market event (of its wall-clock start when that is
// unknown).
func sessionDay(s engine.SessionSummary) time.Time {
	t := s.StartedAt.UTC()
	if s.MarketStartedAt != nil {
		t = s.MarketStartedAt.UTC()
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// dayPnL is the P&L of the sessions of one market day.
type dayPnL struct {
	day time.Time
	pnl float64
	n   int
}

// dailyPnL sums the P&L of the sessions that have one by start day,
// oldest day first.
func dailyPnL(rows []engine.SessionSummary) []dayPnL {
	by := map[time.Time]*dayPnL{}
	for _, s := range rows {
		p, ok := sessionPnL(s)
		if !ok {
			continue
		}
		d := sessionDay(s)
		if by[d] == nil {
			by[d] = &dayPnL{day: d}
		}
		by[d].pnl += p
		by[d].n++
	}
	out := make([]dayPnL, 0, len(by))
	for _, d := range by {
		out = append(out, *d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].day.Before(out[j].day) })
	return out
}

// summaryStrip draws the strip in w×h cells.
func summaryStrip(st Styles, rows []engine.SessionSummary, w, h int) []string {
	total, n, running, estimated := 0.0, 0, 0, 0
	var best, worst *engine.SessionSummary
	for i := range rows {
		s := &rows[i]
		if isRunning(*s) {
			running++
		}
		if s.EndedAtEstimated {
			estimated++
		}
		p, ok := sessionPnL(*s)
		if !ok {
			continue
		}
		n++
		total += p
		if bp, _ := sessionPnL(derefOr(best)); best == nil || p > bp {
			best = s
		}
		if wp, _ := sessionPnL(derefOr(worst)); worst == nil || p < wp {
			worst = s
		}
	}
	item := func(label, value string) string { return st.Label.Render(label) + value }
	signed := func(v float64) string { s := fmtMoneyChange(v); return st.sign(s).Render(s) }
	items := []string{item("shown ", st.Value.Render(fmtCount(len(rows))))}
	if n > 0 {
		items = append(items, item("P&L ", signed(total)+st.Muted.Render(" RLUSD")))
		bp, _ := sessionPnL(*best)
		wp, _ := sessionPnL(*worst)
		items = append(items, item("best ", signed(bp)+st.Muted.Render(" "+fmtDate(best.StartedAt))),
			item("worst ", signed(wp)+st.Muted.Render(" "+fmtDate(worst.StartedAt))))
	}
	if running > 0 {
		items = append(items, st.Running.Render("● "+fmtCount(running)+" running"))
	}
	if estimated > 0 {
		items = append(items, st.Warn.Render("~ "+fmtCount(estimated)+" end estimated"))
	}
	sep := st.Muted.Render(" · ")
	line := st.Title.Render("ON THIS PAGE") + " "
	for i, it := range items {
		next := it
		if i > 0 {
			next = sep + it
		}
		if lipglossWidth(line+next) > w {
			break // whole items only
		}
		line += next
	}
	out := []string{line}
	if h < 2 {
		return out
	}
	days := dailyPnL(rows)
	out = append(out, dayBars(st, days, w, h-1, startDayNote)...)
	return out
}

// The notes under daily bars: what a day's bar sums. The history's strip
// counts each session whole on the day it started; a report splits its
// session's P&L over the market days it ran.
const (
	startDayNote  = "P&L by start day (UTC)"
	marketDayNote = "P&L by market day (UTC)"
)

// derefOr is *s, or the zero summary.
func derefOr(s *engine.SessionSummary) engine.SessionSummary {
	if s == nil {
		return engine.SessionSummary{}
	}
	return *s
}

// fmtDate formats a UTC date: "2026-11-25".
func fmtDate(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02")
}

// dayBars draws daily P&L as bars up (a gain) or down (a loss) from a
// zero line, half a row a step, in w×h cells: the value labels left, the
// dates of the days under the bars. The newest days are kept when they do
// not all fit. Up and down carry the sign without colour.
func dayBars(st Styles, days []dayPnL, w, h int, note string) []string {
	if len(days) == 0 {
		return dayBarsEmpty(st, h)
	}
	plotRows := h - 1
	// The newest days that have room, two cells a bar at least (the axis
	// labels take at most the width of the widest P&L of them all).
	labelW := 1
	for _, d := range days {
		labelW = max(labelW, len(fmtMoneyChange(d.pnl)))
	}
	if n := max(1, (w-labelW-1)/2); len(days) > n {
		days = days[len(days)-n:]
	}
	sc := newBarScale(days, plotRows)
	y0 := sc.y(0)
	zeroRow := min(y0/2, plotRows-1)
	labels := barLabels(sc, plotRows, zeroRow)
	axisW := 0
	for _, l := range labels {
		axisW = max(axisW, len(l))
	}
	plotW := w - axisW - 1
	bw := clampInt(plotW/len(days)-1, 1, 8)
	fit := max(1, plotW/(bw+1))
	if len(days) > fit {
		days = days[len(days)-fit:]
	}
	g := newBarGrid(plotRows, plotW, zeroRow)
	for i, d := range days {
		g.paintBar(i*(bw+1), bw, sc.y(d.pnl), y0, d.pnl)
	}
	out := make([]string, 0, h)
	for r := 0; r < plotRows; r++ {
		out = append(out, g.renderRow(st, r, labels[r], axisW))
	}
	return append(out, st.Muted.Render(strings.Repeat(" ", axisW+1)+dayBarDates(days, bw, plotW, note)))
}

// dayBarsEmpty is the h rows dayBars shows when no session has ended.
func dayBarsEmpty(st Styles, h int) []string {
	out := make([]string, 0, h)
	out = append(out, st.Muted.Render("daily P&L: no ended session on this page"))
	for len(out) < h {
		out = append(out, "")
	}
	return out
}

// barScale maps a P&L to a half-row of the plot: hi at 0, lo at half.
type barScale struct {
	hi, lo float64
	half   int
}

// newBarScale spans the days' P&L and zero over plotRows rows (2 half-rows
// each); a flat range gets a top of 1 so the division is defined.
func newBarScale(days []dayPnL, plotRows int) barScale {
	hi, lo := 0.0, 0.0
	for _, d := range days {
		hi, lo = math.Max(hi, d.pnl), math.Min(lo, d.pnl)
	}
	if hi == lo {
		hi = 1
	}
	return barScale{hi: hi, lo: lo, half: 2 * plotRows}
}

// y is the half-row of v, counted down from the top.
func (s barScale) y(v float64) int {
	return int(math.Round((s.hi - v) / (s.hi - s.lo) * float64(s.half)))
}

// barLabels labels the top, bottom and zero rows of the value axis.
func barLabels(sc barScale, plotRows, zeroRow int) []string {
	labels := make([]string, plotRows)
	labels[0] = fmtMoneyChange(sc.hi)
	labels[plotRows-1] = fmtMoneyChange(sc.lo)
	if labels[zeroRow] == "" {
		labels[zeroRow] = "0"
	}
	return labels
}

// barGrid is the plot area of dayBars: a glyph per cell and whose it is
// (1 a gain, -1 a loss, 0 none), so a row can be coloured in runs.
type barGrid struct {
	cells [][]rune
	owner [][]int8
	w     int
}

// newBarGrid is an empty rows×w plot with the zero line dotted on zeroRow.
func newBarGrid(rows, w, zeroRow int) barGrid {
	g := barGrid{cells: make([][]rune, rows), owner: make([][]int8, rows), w: w}
	for r := range g.cells {
		g.cells[r] = []rune(strings.Repeat(" ", w))
		g.owner[r] = make([]int8, w)
		if r == zeroRow {
			for c := range g.cells[r] {
				g.cells[r][c] = '┈'
			}
		}
	}
	return g
}

// paintBar fills the half-rows between from and y0 in columns [col,
// col+bw); a non-zero P&L too small for a half-row still gets one.
func (g barGrid) paintBar(col, bw, from, y0 int, pnl float64) {
	to := y0 // half-rows [from, to) filled
	if from > to {
		from, to = to, from
	}
	if from == to && pnl != 0 {
		if pnl > 0 {
			from = to - 1
		} else {
			to = from + 1
		}
	}
	sign := int8(1)
	if pnl < 0 {
		sign = -1
	}
	for r := range g.cells {
		glyph := halfBlock(2*r >= from && 2*r < to, 2*r+1 >= from && 2*r+1 < to)
		if glyph == 0 {
			continue
		}
		for c := col; c < col+bw && c < g.w; c++ {
			g.cells[r][c], g.owner[r][c] = glyph, sign
		}
	}
}

// halfBlock is the glyph for a cell with its top and/or bottom half
// filled, 0 for neither.
func halfBlock(top, bot bool) rune {
	switch {
	case top && bot:
		return '█'
	case top:
		return '▀'
	case bot:
		return '▄'
	}
	return 0
}

// renderRow is plot row r behind its axis label, each run of cells of one
// owner in that owner's style.
func (g barGrid) renderRow(st Styles, r int, label string, axisW int) string {
	axis := "│"
	if label != "" {
		axis = "┤"
	}
	var b strings.Builder
	b.WriteString(st.Muted.Render(padLeft(label, axisW) + axis))
	run, cur := []rune{}, int8(0)
	flush := func() {
		switch cur {
		case 1:
			b.WriteString(st.Gain.Render(string(run)))
		case -1:
			b.WriteString(st.Loss.Render(string(run)))
		default:
			b.WriteString(st.Muted.Render(string(run)))
		}
		run = run[:0]
	}
	for c := 0; c < g.w; c++ {
		if g.owner[r][c] != cur && len(run) > 0 {
			flush()
		}
		cur = g.owner[r][c]
		run = append(run, g.cells[r][c])
	}
	flush()
	return b.String()
}

// dayBarDates is the line under the bars: the dates, as many as have room,
// and what the bars sum (what) when it fits after them.
func dayBarDates(days []dayPnL, bw, plotW int, what string) string {
	const label = "01-02"
	axis := []rune(strings.Repeat(" ", plotW))
	end := 0
	for i, d := range days {
		c := i * (bw + 1)
		if c < end || c+len(label) > plotW {
			continue
		}
		copy(axis[c:], []rune(d.day.Format(label)))
		end = c + len(label) + 1
	}
	note := []rune(what)
	if plotW-len(note) > end {
		copy(axis[plotW-len(note):], note)
	}
	return string(axis)
}
