package tui

import (
	"math"
	"sort"
	"strings"

	"neo/engine"
)

// The book panel: what the feed knows of the order book, with our paper
// quotes marked where they stand among its levels. The simulator has a
// best bid and ask (no depth); a replay of bars has no book at all, only
// the bar and the bid and ask the engine derives from it.

// feedKind is the kind of feed a session reads, from its name.
type feedKind int

const (
	feedSim feedKind = iota
	feedReplay
	feedXRPL
)

// kindOfFeed tells the feed from its spec: "sim", "replay:FILE", "xrpl…".
func kindOfFeed(name string) feedKind {
	switch {
	case strings.HasPrefix(name, "replay:"):
		return feedReplay
	case strings.HasPrefix(name, "xrpl"):
		return feedXRPL
	}
	return feedSim
}

// bookRow is one row of the ladder: a level of the book or one of our
// quotes.
type bookRow struct {
	side  engine.Side
	price float64
	qty   float64 // NaN: the feed does not say
	ours  bool
}

// bookLevels are the levels the feed gives: the simulator's best bid and
// ask, without sizes.
func bookLevels(s *engine.State) (bids, asks []engine.BookLevel) {
	if s.Bid > 0 {
		bids = []engine.BookLevel{{Price: s.Bid, QtyXRP: math.NaN()}}
	}
	if s.Ask > 0 {
		asks = []engine.BookLevel{{Price: s.Ask, QtyXRP: math.NaN()}}
	}
	return bids, asks
}

// bookFixedRows are the book panel's rows besides the ladder's levels and
// our quotes: the title, the column heads, the mid row and two lines of
// the feed's facts.
const bookFixedRows = 5

// bookRows is how many rows the book panel can fill: its fixed rows, our
// quotes and every level the feed gives.
func (l *liveModel) bookRows() int {
	s := l.state
	if kindOfFeed(s.Feed) == feedReplay {
		return 7
	}
	bids, asks := bookLevels(s)
	return bookFixedRows + len(s.Quotes) + len(bids) + len(asks)
}

// bookTable is the ladder's columns: the side (or "▼ ours"), the price,
// the size, and the distance from the mid (dropped first).
var bookTable = table{{width: 7, left: true}, {width: 9}, {width: 12}, {width: 9, drop: 1}}

// book draws the book panel in at most h rows.
func (l *liveModel) book(b *block, h int) {
	st := l.ctx.styles
	s := l.state
	kind := kindOfFeed(s.Feed)
	if kind == feedReplay {
		l.replayBook(b)
		return
	}
	b.add(titleRule(st, "BOOK", st.Muted.Render(map[feedKind]string{feedSim: "simulated: best bid and ask"}[kind]), b.width))
	bt := bookTable.fitTo(b.width)
	b.add(st.TableHead.Render(bt.head("", "price", "size XRP", "from mid")))
	bids, asks := bookLevels(s)
	var above, below []bookRow
	for _, a := range asks {
		above = append(above, bookRow{side: engine.Sell, price: a.Price, qty: a.QtyXRP})
	}
	for _, bl := range bids {
		below = append(below, bookRow{side: engine.Buy, price: bl.Price, qty: bl.QtyXRP})
	}
	for _, q := range s.Quotes {
		r := bookRow{side: q.Side, price: q.Price, qty: q.QtyXRP, ours: true}
		if q.Side == engine.Sell {
			above = append(above, r)
		} else {
			below = append(below, r)
		}
	}
	// Highest price on top, ours after a level of the same price.
	order := func(rs []bookRow) {
		sort.SliceStable(rs, func(i, j int) bool {
			if rs[i].price != rs[j].price {
				return rs[i].price > rs[j].price
			}
			return !rs[i].ours && rs[j].ours
		})
	}
	order(above)
	order(below)
	// In fewer rows than it has: the feed's facts go first, then the
	// levels farthest from the mid, a side at a time, so that the ladder
	// stays centred on the touch.
	feedLines := 2
	for 3+len(above)+len(below)+feedLines > h {
		switch {
		case feedLines > 0:
			feedLines--
		case len(above) == 0 && len(below) == 0:
			feedLines = -1
		case len(above) >= len(below):
			above = above[1:]
		default:
			below = below[:len(below)-1]
		}
		if feedLines < 0 {
			break
		}
	}
	row := func(r bookRow) string {
		label, style := "ask", st.Value
		if r.side == engine.Buy {
			label = "bid"
		}
		if r.ours {
			label, style = map[engine.Side]string{engine.Buy: "▲ ours", engine.Sell: "▼ ours"}[r.side], st.side(r.side)
		}
		qty := "—"
		if finite(r.qty) {
			qty = fmtXRP(r.qty)
		}
		from := "—"
		if s.Mid > 0 {
			from = fmtBps((r.price - s.Mid) / s.Mid * 1e4)
		}
		return style.Render(bt.pad(0, label)) + style.Render(bt.cells(1, fmtPrice(r.price), qty, from))
	}
	for _, r := range above {
		b.add(row(r))
	}
	spread := math.NaN()
	if s.Mid > 0 {
		spread = (s.Ask - s.Bid) / s.Mid * 1e4
	}
	b.add(st.Muted.Render("─ mid ") + st.Value.Render(fmtPrice(s.Mid)) + st.Muted.Render(" · spread ") + st.Value.Render(fmtSpread(spread)) + st.Muted.Render(" ─"))
	for _, r := range below {
		b.add(row(r))
	}
	facts := []string{
		st.Label.Render("anchor ") + st.Value.Render(fmtPrice(s.Anchor)) + st.Muted.Render(" (simulated AMM pool price)"),
		st.Label.Render("feed ") + st.Value.Render(Sanitize(s.Feed)) + st.Muted.Render(" · no connection, no ledger"),
	}
	b.add(facts[:max(0, feedLines)]...)
}

// replayBook is the book panel of a replay: there is no book, only the
// bar the engine read and the bid and ask it derives from the close.
func (l *liveModel) replayBook(b *block) {
	st := l.ctx.styles
	s := l.state
	pair := func(l1, v1, l2, v2 string) string {
		return st.Label.Render(fit(l1, 7)) + st.Value.Render(padLeft(v1, 10)) + "  " +
			st.Label.Render(fit(l2, 7)) + st.Value.Render(padLeft(v2, 10))
	}
	b.add(titleRule(st, "BOOK", st.Muted.Render("replay"), b.width))
	b.add(st.Warn.Render("no book: replay of bars") + st.Muted.Render(" · bid and ask are the close ∓ 1 bp"))
	if bar := s.Bar; bar != nil {
		b.add(st.Label.Render("bar to ") + st.Value.Render(fmtClock(s.MarketTime)) + st.Muted.Render(" market UTC"))
		b.add(pair("open", fmtPrice(bar.Open), "high", fmtPrice(bar.High)))
		b.add(pair("low", fmtPrice(bar.Low), "close", fmtPrice(bar.Close)))
		b.add(st.Label.Render(fit("volume", 7)) + st.Value.Render(padLeft(fmtNum(bar.Volume, 0), 10)))
	}
	b.add(pair("bid", fmtPrice(s.Bid), "ask", fmtPrice(s.Ask)))
}
