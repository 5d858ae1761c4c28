package tui

import (
	"strings"

	"neo/engine"
)

// column is one fixed-width column of a table.
type column struct {
	width int  // cells; 0 takes the text as it is (a last, free column)
	left  bool // left-aligned (text) rather than right-aligned (figures)
	cut   bool // cut text wider than the column with "…" (else it overflows)
	gap   int  // spaces before the column; 0 is one (none before the first)
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

// sep returns the spaces before column i.
func (t table) sep(i int) string {
	switch {
	case i == 0:
		return ""
	case t[i].gap > 0:
		return strings.Repeat(" ", t[i].gap)
	}
	return " "
}

// pad fits v into column i: aligned and padded to its width, cut only when
// the column says so.
func (t table) pad(i int, v string) string {
	c := t[i]
	switch {
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
	return padLeft(v, c.width)
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

// fillTable is a table of fills: time, side, price, quantity, value and,
// when wide, the fee. The live view and the detail view draw theirs.
type fillTable struct {
	cols             table
	clock            bool // time of day (narrow) rather than date and time
	priceDec, qtyDec int  // decimals of the price and the quantity
}

var (
	// wideFills has room for the date and the fee (live and detail).
	wideFills = fillTable{
		cols:     table{{width: 19, left: true}, {width: 4, left: true}, {width: 10}, {width: 10}, {width: 10}, {width: 8}},
		priceDec: 6, qtyDec: 4,
	}
	// liveFills is the narrow live table.
	liveFills = fillTable{
		cols:  table{{width: 8, left: true}, {width: 4, left: true}, {width: 8}, {width: 8}, {width: 7}},
		clock: true, priceDec: 6, qtyDec: 4,
	}
	// detailFills is the narrow detail table: shorter figures in wider
	// columns, as a finished session's fills are read rather than watched.
	detailFills = fillTable{
		cols:  table{{width: 8, left: true}, {width: 4, left: true}, {width: 9}, {width: 9}, {width: 9}},
		clock: true, priceDec: 5, qtyDec: 3,
	}
)

// wide reports whether the table shows the fee.
func (t fillTable) wide() bool { return len(t.cols) == 6 }

// head lays out the column titles.
func (t fillTable) head() string {
	if t.wide() {
		return t.cols.head("time (UTC)", "side", "price", "qty XRP", "RLUSD", "fee")
	}
	return t.cols.head("market", "side", "price", "qty XRP", "RLUSD")
}

// row lays out one fill: the time muted, the side in its colour, the
// figures plain.
func (t fillTable) row(st Styles, f engine.Fill) string {
	when := fmtTime(f.MarketTime)
	if t.clock {
		when = fmtClock(f.MarketTime)
	}
	figures := []string{fmtNum(f.Price, t.priceDec), fmtNum(f.QtyXRP, t.qtyDec), fmtNum(f.ValueRLUSD, 2)}
	if t.wide() {
		figures = append(figures, fmtNum(f.FeeRLUSD, 4))
	}
	return st.Muted.Render(t.cols.pad(0, when)) + t.cols.sep(1) + st.side(f.Side).Render(t.cols.pad(1, Sanitize(string(f.Side)))) +
		st.Value.Render(t.cols.cells(2, figures...))
}
