package tui

import (
	"strings"
	"time"

	"neo/engine"
)

// column is one fixed-width column of a table.
type column struct {
	width int  // cells; 0 takes the text as it is (a last, free column)
	left  bool // left-aligned (text) rather than right-aligned (figures)
	cut   bool // cut text wider than the column with "…" (else it overflows)
	gap   int  // spaces before the column; 0 is one (none before the first)
	// drop ranks the column for fitTo: when the table is wider than its
	// room, columns are hidden whole, the highest drop first; 0 is never.
	drop   int
	min    int  // the room a free column (width 0) needs to be worth showing
	hidden bool // hidden by fitTo: no cells, no separator
}

// table lays out the console's tables: every list of quotes, fills and
// sessions goes through it, so that a column is sized in one place.
//
// It is hand-built rather than bubbles/table or lipgloss/table. bubbles/table
// aligns every column the same way, pads each cell on both sides, styles a
// whole row or column (not the side or the sign of a PnL) and brings its own
// cursor and keys, where the history pages by keyset. lipgloss/table gives
// the same text for the quotes (StyleFunc with a width, an alignment and a
// left padding per column) but renders every cell on its own: about 7× the
// time of this helper for a page of 43 rows, and other colour bytes; it
// neither spans the selected session across the window nor cuts the last
// column at the window's edge.
type table []column

// width is the cells a row of the table takes (its last, free column as 0).
func (t table) width() int {
	n, first := 0, true
	for _, c := range t {
		if c.hidden {
			continue
		}
		if !first {
			n += max(1, c.gap)
		}
		first = false
		n += max(c.width, c.min)
	}
	return n
}

// fitTo hides whole columns, the highest drop rank first (the rightmost of
// equal ranks first), until the table fits in w cells; a column of rank 0
// is never hidden. A figure is thus shown whole or its column not at all,
// never cut. It returns a copy; t is unchanged.
func (t table) fitTo(w int) table {
	out := append(table(nil), t...)
	for out.width() > w {
		best := -1
		for i, c := range out {
			if !c.hidden && c.drop > 0 && (best < 0 || c.drop >= out[best].drop) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		out[best].hidden = true
	}
	return out
}

// widen returns t with column i at least as wide as the widest of vs, a
// figure with more digits than the column was made for (a price of 0.0001
// in nine decimals); t is unchanged.
func (t table) widen(i int, vs ...string) table {
	w := t[i].width
	for _, v := range vs {
		w = max(w, textWidth(v))
	}
	if w == t[i].width {
		return t
	}
	out := append(table(nil), t...)
	out[i].width = w
	return out
}

// grow widens column i towards want cells with what room is left of w
// cells after the table's shown columns; t is changed in place.
func (t table) grow(i, want, w int) {
	if spare := w - t.width(); spare > 0 && !t[i].hidden && want > t[i].width {
		t[i].width += min(spare, want-t[i].width)
	}
}

// fitNumber fits a figure into w cells right-aligned, or, when it is wider,
// drops it whole for "…": a number is never cut mid-digit.
func fitNumber(v string, w int) string {
	if n := textWidth(v); n > w {
		if w <= 0 {
			return ""
		}
		return padLeft("…", w)
	}
	return padLeft(v, w)
}

// visibleBefore reports whether a column left of i is shown.
func (t table) visibleBefore(i int) bool {
	for j := 0; j < i; j++ {
		if !t[j].hidden {
			return true
		}
	}
	return false
}

// sep returns the spaces before column i.
func (t table) sep(i int) string {
	switch {
	case t[i].hidden, !t.visibleBefore(i):
		return ""
	case t[i].gap > 0:
		return strings.Repeat(" ", t[i].gap)
	}
	return " "
}

// pad fits v into column i: aligned and padded to its width; text is cut
// only when the column says so, and a figure wider than its column is
// dropped whole for "…" (fitNumber), never cut.
func (t table) pad(i int, v string) string {
	c := t[i]
	switch {
	case c.hidden:
		return ""
	case c.width == 0:
		return v
	case c.cut:
		return fit(v, c.width) // fit pads on the right, as left-aligned text
	case c.left:
		if n := textWidth(v); n < c.width {
			return v + strings.Repeat(" ", c.width-n)
		}
		return v
	}
	return fitNumber(v, c.width)
}

// cells lays out vs as the columns from first on, each after its separator
// (none before column 0): one span that a caller styles as a whole.
func (t table) cells(first int, vs ...string) string {
	var b strings.Builder
	n := 0
	for j, v := range vs {
		n += max(t[first+j].width, len(v)) + 2
	}
	b.Grow(n) // one allocation per row: a view draws dozens of rows per frame
	for j, v := range vs {
		i := first + j
		b.WriteString(t.sep(i))
		b.WriteString(t.pad(i, v))
	}
	return b.String()
}

// head lays out the column titles.
func (t table) head(titles ...string) string { return t.cells(0, titles...) }

// fillTable is a table of fills: time, side, price, quantity, value and
// fee, the same figures in the same decimals in the live and the detail
// view. fillTableFor sizes it to a width.
type fillTable struct {
	cols  table
	clock bool // time of day (narrow) rather than date and time
	day   bool // with clock: the day and the minute, for fills over days
}

// fillColumns are a fill table's columns after the time: side, price,
// quantity, value and fee; the fee, then the value, are dropped whole when
// the table is narrow.
var fillColumns = table{{width: 6, left: true}, {width: 8}, {width: 10}, {width: 9, drop: 1}, {width: 7, drop: 2}}

// fillTableFor is the fill table for width cells and fills: the date when
// there is room for it and the value, else the time of day (or, when the
// fills span more than one UTC day, the day and the minute: a backtest's
// 15:04:05 alone could be any of its days), then fewer columns. The price
// column is as wide as the prices of shown (the fills drawn) need, and the
// quantity column takes room that is left for amounts of more digits.
func fillTableFor(width int, fills, shown []engine.Fill) fillTable {
	t := fillTable{clock: width < 72}
	tw := 19
	if t.clock {
		tw = 8
		if len(fills) > 1 && !sameUTCDay(fills[0].MarketTime, fills[len(fills)-1].MarketTime) {
			t.day, tw = true, 11
		}
	}
	cols := append(table{{width: tw, left: true}}, fillColumns...)
	qtyW := 0
	for _, f := range shown {
		cols = cols.widen(2, fmtPrice(f.Price))
		qtyW = max(qtyW, len(fmtXRP(f.QtyXRP)))
	}
	t.cols = cols.fitTo(width)
	t.cols.grow(3, qtyW, width)
	return t
}

// head lays out the column titles; the times are market times (a replay
// bar's, a ledger's close), in UTC.
func (t fillTable) head() string {
	when := "market time (UTC)"
	if t.clock {
		when = "market"
	}
	return t.cols.head(when, "side", "price", "qty XRP", "RLUSD", "fee")
}

// sameUTCDay reports whether a and b fall on one UTC day.
func sameUTCDay(a, b time.Time) bool {
	return a.UTC().Format(time.DateOnly) == b.UTC().Format(time.DateOnly)
}

// fmtFee formats a fee in RLUSD: fees are fractions of a cent, so they keep
// four decimals where other amounts of RLUSD keep two.
func fmtFee(v float64) string { return fmtNum(v, 4) }

// row lays out one fill: the time muted, the side in its colour and with
// its glyph, the figures plain.
func (t fillTable) row(st Styles, f engine.Fill) string {
	when := fmtTime(f.MarketTime)
	switch {
	case t.day:
		when = f.MarketTime.UTC().Format("01-02 15:04")
	case t.clock:
		when = fmtClock(f.MarketTime)
	}
	return st.Muted.Render(t.cols.pad(0, when)) + t.cols.sep(1) + st.side(f.Side).Render(t.cols.pad(1, sideText(f.Side))) +
		st.Value.Render(t.cols.cells(2, fmtPrice(f.Price), fmtFit(f.QtyXRP, xrpDecimals, t.cols[3].width),
			fmtFit(f.ValueRLUSD, moneyDecimals, t.cols[4].width), fmtFee(f.FeeRLUSD)))
}
