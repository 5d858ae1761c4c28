package tui

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"neo/engine"
)

// The session report (engine.Report) as panels: the P&L split, value
// against holding and the drawdown, the fills by side, the time in each
// skew tier, the daily P&L and the events. The detail view shows it beside
// its charts; the live view shows it as its final screen after a session
// ends on its own (a risk halt, an error, the end of the feed).

// reportMsg carries a report read for the view that asked (to, seq).
type reportMsg struct {
	to     view
	seq    int
	id     string
	report engine.Report
	err    error
}

// loadReport reads a session's report at full resolution in a command.
func loadReport(hist History, to view, seq int, id string) tea.Cmd {
	if hist == nil || id == "" {
		return nil
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), queryTimeout)
		defer cancel()
		r, err := engine.LoadReport(ctx, hist, id)
		if err != nil {
			err = fmt.Errorf("read the report of %s: %w", id, err)
		}
		return reportMsg{to: to, seq: seq, id: id, report: r, err: err}
	}
}

// finalSeriesPoints is how many valuation snapshots the final screen reads
// of a session: two a column of a 250-column chart. The chart draws the
// extremes of the points that share a column, so a narrower window loses
// nothing, and a resize needs no new read.
const finalSeriesPoints = 500

// finalSeriesMsg carries the value curve of the session that ended.
type finalSeriesMsg struct {
	id  string
	val []engine.ValuationSnapshot
	err error
}

// loadFinalSeries reads the value curve of a session that ended, sampled
// over its whole span as the detail view reads it, in a command.
func loadFinalSeries(hist History, id string) tea.Cmd {
	if hist == nil || id == "" {
		return nil
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), queryTimeout)
		defer cancel()
		val, err := hist.ValuationSeries(ctx, id, finalSeriesPoints)
		return finalSeriesMsg{id: id, val: val, err: err}
	}
}

// reportSection is one panel of the report: its lines at a width, and
// whether it can use more rows (the daily P&L bars).
type reportSection struct {
	name  string
	lines func(w, h int) []string
	min   int // rows it needs
	grow  int // rows more it can use (the daily P&L bars)
}

// reportSections are the report's panels in columns of w cells, most
// important first: a short window keeps the first ones.
func reportSections(st Styles, r engine.Report, w int) []reportSection {
	return []reportSection{
		pnlSection(st, r),
		valueSection(st, r, w),
		fillsSection(st, r),
		tiersSection(st, r),
		eventsSection(st, r),
		dailySection(st, r),
	}
}

// signedMoney is an RLUSD change in the style of its sign.
func signedMoney(st Styles, v float64) string { s := fmtMoneyChange(v); return st.sign(s).Render(s) }

// signedPct is a percentage change in the style of its sign.
func signedPct(st Styles, v float64) string { s := fmtPct(v); return st.sign(s).Render(s) }

// reportRow is a label and its figure, the figure right-aligned in 12 cells
// so that the figures of a panel line up; rest follows.
func reportRow(st Styles, label, figure, rest string, w int) string {
	// The same label width for every row of a panel, so that the figures
	// line up; never less than the longest label ("trading (spread)").
	lw := clampInt(w-30, 16, 22)
	row := st.Label.Render(fit(label, lw)) + " " + padLeft(figure, 12)
	if textWidth(row)+textWidth(rest) > w {
		return row // what follows the figure goes whole or not at all
	}
	return row + rest
}

// pnlSection is the P&L and its parts.
func pnlSection(st Styles, r engine.Report) reportSection {
	return reportSection{name: "pnl", min: 6, lines: func(w, _ int) []string {
		return []string{
			titleRule(st, "P&L", st.Muted.Render("RLUSD, trading + fees + inventory = total"), w),
			reportRow(st, "total", signedMoney(st, r.PnL.TotalRLUSD), " "+signedPct(st, r.PnL.TotalPct), w),
			reportRow(st, "trading (spread)", signedMoney(st, r.PnL.TradingRLUSD), "", w),
			reportRow(st, "fees", signedMoney(st, r.PnL.FeesRLUSD), st.Muted.Render(" network "+fmtXRP(r.Fees.NetworkXRP)+" XRP"), w),
			reportRow(st, "inventory moves", signedMoney(st, r.PnL.InventoryRLUSD), "", w),
			reportRow(st, "value vs hold", signedMoney(st, r.Hold.ValueVsHoldRLUSD), st.Muted.Render(" hold "+fmtMoney(r.Hold.HoldValueRLUSD)), w),
		}
	}}
}

// valueSection is the value from start to end, the deepest drawdown and
// the market time the session spans, in a column of cw cells: the peak and
// the trough of the drawdown on one line when it fits, else on two (the
// trough's time was cut, at 250x70 "→ trough 4,735.14 …").
func valueSection(st Styles, r engine.Report, cw int) reportSection {
	var drawdown []string
	if d := r.MaxDrawdown; d.PeakMarketTime != nil && d.TroughMarketTime != nil {
		stamp := spanStamp(r.MarketStart, r.MarketEnd)
		peak := st.Muted.Render("  peak ") + st.Value.Render(fmtMoney(d.PeakValue)) + st.Muted.Render(" "+stamp(*d.PeakMarketTime))
		trough := st.Muted.Render("trough ") + st.Value.Render(fmtMoney(d.TroughValue)) + st.Muted.Render(" "+stamp(*d.TroughMarketTime))
		drawdown = []string{peak + st.Muted.Render(" → ") + trough}
		if textWidth(drawdown[0]) > cw {
			drawdown = []string{peak, st.Muted.Render("  → ") + trough}
		}
	} else {
		drawdown = []string{st.Muted.Render("  the value never fell below a peak")}
	}
	return reportSection{name: "value", min: 4 + len(drawdown), lines: func(w, _ int) []string {
		lines := []string{
			titleRule(st, "VALUE", st.Muted.Render("RLUSD · market time UTC"), w),
			reportRow(st, "start → end", st.Value.Render(fmtMoney(r.EndingValue)), st.Muted.Render(" from "+fmtMoney(r.StartingValue)), w),
			reportRow(st, "max drawdown", signedMoney(st, -r.MaxDrawdown.RLUSD), " "+signedPct(st, -r.MaxDrawdown.Pct), w),
		}
		lines = append(lines, drawdown...)
		lines = append(lines, reportRow(st, "market span", st.Value.Render(fmtDur(time.Duration(r.MarketSpanSeconds*float64(time.Second)))), "", w))
		return lines
	}}
}

// spanStamp formats a time within the market span from start to end: the
// clock when the span is within one UTC day, else the day and the minute
// (a backtest over months needs the day; its year is in the header).
func spanStamp(start, end *time.Time) func(time.Time) string {
	if start != nil && end != nil && sameUTCDay(*start, *end) {
		return fmtClock
	}
	return func(t time.Time) string { return t.UTC().Format("01-02 15:04") }
}

// fillsSection is the fills by side and in all.
func fillsSection(st Styles, r engine.Report) reportSection {
	return reportSection{name: "fills", min: 5, lines: func(w, _ int) []string {
		allXRP := r.Fills.Buy.VolumeXRP + r.Fills.Sell.VolumeXRP
		t := table{{width: 6, left: true}, {width: 6}, {width: 12, drop: 2}, {width: 10}, {width: 9, drop: 1}}.
			widen(4, fmtPrice(r.Fills.Buy.AvgPrice), fmtPrice(r.Fills.Sell.AvgPrice))
		t[2].width = max(10, t[2].width-(t[4].width-9)) // a longer price takes from the XRP's decimals (fmtFit)
		t = t.fitTo(w)
		t.grow(2, len(fmtXRP(allXRP)), w)
		xrp := func(v float64) string { return fmtFit(v, xrpDecimals, t[2].width) }
		money := func(v float64) string { return fmtFit(v, moneyDecimals, t[3].width) }
		side := func(s engine.Side, x engine.SideStats) string {
			avg := "—"
			if x.Count > 0 {
				avg = fmtPrice(x.AvgPrice)
			}
			return st.side(s).Render(t.pad(0, sideText(s))) + st.Value.Render(t.cells(1, fmtCount(x.Count), xrp(x.VolumeXRP), money(x.VolumeRLUSD), avg))
		}
		return []string{
			titleRule(st, "FILLS", st.Muted.Render("by side"), w),
			st.TableHead.Render(t.head("side", "fills", "XRP", "RLUSD", "avg price")),
			side(engine.Buy, r.Fills.Buy),
			side(engine.Sell, r.Fills.Sell),
			st.Label.Render(t.pad(0, "all")) + st.Value.Render(t.cells(1, fmtCount(r.Fills.Count), xrp(allXRP), money(r.Fills.VolumeRLUSD), "")),
		}
	}}
}

// tiersSection is the market time spent in each skew tier, with a bar.
func tiersSection(st Styles, r engine.Report) reportSection {
	return reportSection{name: "tiers", min: 1 + max(1, len(r.SkewTiers)), lines: func(w, _ int) []string {
		lines := []string{titleRule(st, "TIME IN TIERS", st.Muted.Render("market time"), w)}
		if len(r.SkewTiers) == 0 {
			return append(lines, st.Muted.Render("no inventory snapshot"))
		}
		barW := max(0, w-27)
		for _, tt := range r.SkewTiers {
			n := 0
			if finite(tt.Pct) {
				n = int(math.Round(tt.Pct / 100 * float64(barW)))
			}
			lines = append(lines, st.Label.Render(fmt.Sprintf("tier %d ", tt.Tier))+st.Value.Render(padLeft(fmtDur(time.Duration(tt.Seconds*float64(time.Second))), 7))+
				" "+st.Value.Render(padLeft(fmtShare(tt.Pct), 7))+" "+st.tier(tt.Tier).Render(strings.Repeat("█", n)))
		}
		return lines
	}}
}

// eventsSection is the counts of the session's events by kind.
func eventsSection(st Styles, r engine.Report) reportSection {
	return reportSection{name: "events", min: 2, lines: func(w, _ int) []string {
		e := r.Events
		items := []string{st.Value.Render(fmtCount(e.Total)) + st.Label.Render(" in all"),
			st.Warn.Render(fmtCount(e.Warnings)) + st.Label.Render(" warnings"),
			st.Error.Render(fmtCount(e.Errors)) + st.Label.Render(" errors"),
			st.Value.Render(fmtCount(e.TierChanges)) + st.Label.Render(" tier changes"),
			st.Value.Render(fmtCount(e.DataGaps)) + st.Label.Render(" data gaps")}
		return append([]string{titleRule(st, "EVENTS", "", w)}, pack(items, st.Muted.Render(" · "), w)...)
	}}
}

// dailySection is the P&L by market day: bars when it has two days or
// more and the rows for them (it grows into up to 8 rows more), else the
// figures in a line.
func dailySection(st Styles, r engine.Report) reportSection {
	days := make([]dayPnL, 0, len(r.Daily))
	for _, d := range r.Daily {
		t, err := time.Parse(time.DateOnly, d.MarketDay)
		if err != nil {
			continue
		}
		days = append(days, dayPnL{day: t, pnl: d.PnLRLUSD, n: 1})
	}
	grow := 0
	if len(days) >= 2 {
		grow = 8
	}
	return reportSection{name: "daily", min: 2, grow: grow, lines: func(w, h int) []string {
		lines := []string{titleRule(st, "DAILY P&L", st.Muted.Render("RLUSD by market day"), w)}
		if h >= 5 && len(days) >= 2 { // one day is a figure, not a chart
			return append(lines, dayBars(st, days, w, h-1, marketDayNote)...)
		}
		items := make([]string, 0, len(days))
		for _, d := range days {
			items = append(items, st.Muted.Render(d.day.Format("01-02")+" ")+signedMoney(st, d.pnl))
		}
		if len(items) == 0 {
			items = append(items, st.Muted.Render("no record"))
		}
		return append(lines, pack(items, "  ", w)...)
	}}
}

// reportPanel lays the report's sections out in at most w×h cells: in
// columns of at least 46 cells, in order, each column about as tall as the
// others (a blank row between sections); sections that find no room are
// left out (the last ones first); the daily P&L takes up to 8 rows more
// when its column has them. It returns as many rows as its tallest column.
func reportPanel(st Styles, r engine.Report, w, h int) []string {
	ncol := clampInt((w+2)/48, 1, 3)
	cws := splitWidth(w, ncol, liveGap)
	secs := reportSections(st, r, cws[ncol-1]) // the narrowest column
	total, tallest := 0, 0
	for _, s := range secs {
		total += s.min + 1
		tallest = max(tallest, s.min)
	}
	target := min(h, max(tallest, (total+ncol-1)/ncol))
	cols := make([][]reportSection, ncol)
	used := make([]int, ncol)
	c := 0
	for _, s := range secs {
		for c < ncol {
			need := s.min
			if used[c] > 0 {
				need++ // the blank row before it
			}
			limit := target
			if c == ncol-1 {
				limit = h
			}
			if used[c]+need <= limit || (used[c] == 0 && need <= h) {
				cols[c] = append(cols[c], s)
				used[c] += need
				break
			}
			c++
		}
	}
	blocks := make([]*block, ncol)
	tall := 0
	for c, col := range cols {
		b := newBlock(cws[c])
		for i, s := range col {
			if i > 0 {
				b.add("")
			}
			rows := s.min
			if s.grow > 0 {
				rows = max(rows, min(s.min+s.grow, h-b.height()))
			}
			b.add(s.lines(cws[c], rows)...)
		}
		blocks[c] = b.clip(min(h, b.height()))
		tall = max(tall, blocks[c].height())
	}
	for _, b := range blocks {
		b.clip(tall)
	}
	return beside(liveGap, blocks...).lines
}

// reportRows is how many rows the report's sections take in one column of
// w cells, a blank row between them (its daily P&L as a list).
func reportRows(r engine.Report, w int) int {
	n := 0
	for i, s := range reportSections(DefaultStyles(ThemeMono), r, w) {
		if i > 0 {
			n++
		}
		n += s.min
	}
	return n
}

// fitAll fits every line to w cells.
func fitAll(lines []string, w int) []string {
	for i, l := range lines {
		lines[i] = fit(l, w)
	}
	return lines
}
