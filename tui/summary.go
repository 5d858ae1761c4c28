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
// by market day as a bar chart around zero.

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

// sessionDay is the market day a session counts on: the UTC date of its
// first market event (of its wall-clock start when that is unknown).
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

// dailyPnL sums the P&L of the sessions that have one by market day,
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
		if s.Running() {
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
	out = append(out, dayBars(st, days, w, h-1)...)
	return out
}

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
func dayBars(st Styles, days []dayPnL, w, h int) []string {
	out := make([]string, 0, h)
	if len(days) == 0 {
		out = append(out, st.Muted.Render("daily P&L: no ended session on this page"))
		for len(out) < h {
			out = append(out, "")
		}
		return out
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
	hi, lo := 0.0, 0.0
	for _, d := range days {
		hi, lo = math.Max(hi, d.pnl), math.Min(lo, d.pnl)
	}
	if hi == lo {
		hi = 1
	}
	labels := make([]string, plotRows)
	labels[0] = fmtMoneyChange(hi)
	labels[plotRows-1] = fmtMoneyChange(lo)
	half := 2 * plotRows
	y := func(v float64) int { return int(math.Round((hi - v) / (hi - lo) * float64(half))) }
	y0 := y(0)
	if r := min(y0/2, plotRows-1); labels[r] == "" {
		labels[r] = "0"
	}
	axisW := 0
	for _, l := range labels {
		axisW = max(axisW, len(l))
	}
	plotW := w - axisW - 1
	const label = "01-02"
	bw := clampInt(plotW/len(days)-1, 1, 8)
	fit := max(1, plotW/(bw+1))
	if len(days) > fit {
		days = days[len(days)-fit:]
	}
	cells := make([][]rune, plotRows)
	owner := make([][]int8, plotRows) // 1 gain, -1 loss, 0 none
	for r := range cells {
		cells[r] = []rune(strings.Repeat(" ", plotW))
		owner[r] = make([]int8, plotW)
		if r == min(y0/2, plotRows-1) {
			for c := range cells[r] {
				cells[r][c] = '┈'
			}
		}
	}
	for i, d := range days {
		from, to := y(d.pnl), y0 // half-rows [from, to) filled
		if from > to {
			from, to = to, from
		}
		if from == to && d.pnl != 0 {
			if d.pnl > 0 {
				from = to - 1
			} else {
				to = from + 1
			}
		}
		sign := int8(1)
		if d.pnl < 0 {
			sign = -1
		}
		for r := 0; r < plotRows; r++ {
			top := 2*r >= from && 2*r < to
			bot := 2*r+1 >= from && 2*r+1 < to
			var g rune
			switch {
			case top && bot:
				g = '█'
			case top:
				g = '▀'
			case bot:
				g = '▄'
			default:
				continue
			}
			for c := i * (bw + 1); c < i*(bw+1)+bw && c < plotW; c++ {
				cells[r][c], owner[r][c] = g, sign
			}
		}
	}
	for r := 0; r < plotRows; r++ {
		axis := "│"
		if labels[r] != "" {
			axis = "┤"
		}
		var b strings.Builder
		b.WriteString(st.Muted.Render(padLeft(labels[r], axisW) + axis))
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
		for c := 0; c < plotW; c++ {
			if owner[r][c] != cur && len(run) > 0 {
				flush()
			}
			cur = owner[r][c]
			run = append(run, cells[r][c])
		}
		flush()
		out = append(out, b.String())
	}
	// The dates under the bars, as many as have room, and what the axis is.
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
	note := []rune("P&L by market day (UTC)")
	if plotW-len(note) > end {
		copy(axis[plotW-len(note):], note)
	}
	out = append(out, st.Muted.Render(strings.Repeat(" ", axisW+1)+string(axis)))
	return out
}
