package tui

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

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
	side   engine.Side
	price  float64
	qty    float64 // NaN: the feed does not say
	offers int     // offers at the level (a real book); 0 for ours
	ours   bool
}

// feedHealth is a live feed's connection as the book panel shows it.
type feedHealth struct {
	endpoint   string
	state      string // LIVE, DEGRADED, RECONNECTING, STALE, CONNECTING
	ledger     uint32
	age        time.Duration // of the last validated ledger
	rtt        time.Duration
	reconnects int
}

// bookSource is what the feed gives the book panel: the real book's top
// levels, the ledger's facts and the connection (a live XRPL feed), or
// none of them (the simulator: its best bid and ask).
type bookSource struct {
	book      *engine.BookView
	ledger    *engine.LedgerInfo
	health    *feedHealth
	remaining map[string]float64 // what is left of each of our quotes, by order id
}

// source is the book panel's source in the state on show; the ledger's
// age is counted to now (the state may be a refresh old).
func (l *liveModel) source() bookSource {
	s := l.state
	src := bookSource{book: s.Book, ledger: s.Ledger, remaining: s.QuoteRemainingXRP}
	if fs := s.FeedStatus; fs != nil {
		h := &feedHealth{endpoint: fs.Endpoint, state: fs.State, ledger: fs.LedgerIndex, age: fs.LedgerAge,
			rtt: fs.RTT, reconnects: fs.Reconnects}
		if !fs.LastLedgerAt.IsZero() {
			h.age = l.ctx.now().Sub(fs.LastLedgerAt)
		}
		src.health = h
	}
	return src
}

// bookLevels are the levels the feed gives: the real book's, or the
// simulator's best bid and ask without sizes.
func bookLevels(s *engine.State, src bookSource) (bids, asks []engine.BookLevel) {
	if src.book != nil {
		return src.book.Bids, src.book.Asks
	}
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
	src := l.source()
	bids, asks := bookLevels(s, src)
	return bookFixedRows - 2 + len(bookFacts(l.ctx.styles, s, src)) + len(s.Quotes) + len(bids) + len(asks)
}

// bookTable is the ladder's columns: the side (or "▼ ours"), the price,
// the size, the distance from the mid, and the offers at the level (a
// real book only); the offers, then the distance, go first.
var bookTable = table{{width: 7, left: true}, {width: 9}, {width: 16}, {width: 9, drop: 1}, {width: 6, drop: 2}}

// book draws the book panel in at most h rows.
func (l *liveModel) book(b *block, h int) {
	s := l.state
	if kindOfFeed(s.Feed) == feedReplay {
		l.replayBook(b)
		return
	}
	l.drawBook(b, h, l.source())
}

// drawBook draws the ladder of src and our quotes in at most h rows.
func (l *liveModel) drawBook(b *block, h int, src bookSource) {
	st := l.ctx.styles
	s := l.state
	what := "simulated: best bid and ask"
	cols := bookTable[:4]
	if src.book != nil {
		what, cols = "XRPL order book, funded sizes", bookTable
	}
	b.add(titleRule(st, "BOOK", st.Muted.Render(what), b.width))
	above, below := ladder(s, src)
	for _, r := range append(above[:len(above):len(above)], below...) {
		cols = cols.widen(1, fmtPrice(r.price))
	}
	bt := cols.fitTo(b.width)
	b.add(st.TableHead.Render(bt.head([]string{"", "price", "size XRP", "from mid", "offers"}[:len(bt)]...)))
	facts := bookFacts(st, s, src)
	above, below, feedLines := trimLadder(above, below, len(facts), h)
	for _, r := range above {
		b.add(bookLine(st, bt, s.Mid, r))
	}
	spread := math.NaN()
	if s.Mid > 0 {
		spread = (s.Ask - s.Bid) / s.Mid * 1e4
	}
	b.add(st.Muted.Render("─ mid ") + st.Value.Render(fmtPrice(s.Mid)) + st.Muted.Render(" · spread ") + st.Value.Render(fmtSpread(spread)) + st.Muted.Render(" ─"))
	for _, r := range below {
		b.add(bookLine(st, bt, s.Mid, r))
	}
	b.add(facts[:feedLines]...)
}

// ladder is the rows above the mid (asks and our sells) and below it (bids
// and our buys), each highest price first.
func ladder(s *engine.State, src bookSource) (above, below []bookRow) {
	bids, asks := bookLevels(s, src)
	for _, a := range asks {
		above = append(above, bookRow{side: engine.Sell, price: a.Price, qty: a.QtyXRP, offers: a.Offers})
	}
	for _, bl := range bids {
		below = append(below, bookRow{side: engine.Buy, price: bl.Price, qty: bl.QtyXRP, offers: bl.Offers})
	}
	for _, q := range s.Quotes {
		qty := q.QtyXRP
		if left, ok := src.remaining[q.OrderID]; ok {
			qty = left // after a partial fill
		}
		r := bookRow{side: q.Side, price: q.Price, qty: qty, ours: true}
		if q.Side == engine.Sell {
			above = append(above, r)
		} else {
			below = append(below, r)
		}
	}
	sortLadder(above)
	sortLadder(below)
	return above, below
}

// sortLadder puts the highest price on top, ours after a level of the
// same price.
func sortLadder(rs []bookRow) {
	sort.SliceStable(rs, func(i, j int) bool {
		if rs[i].price != rs[j].price {
			return rs[i].price > rs[j].price
		}
		return !rs[i].ours && rs[j].ours
	})
}

// trimLadder fits the ladder, the title, head and mid rows and feedLines
// lines of the feed's facts in h rows. In fewer rows than it has: first the
// levels farthest from the mid (a side at a time, the longer first), then
// the feed's facts (the link, the AMM, then the connection), then our
// quotes, the farthest of each side together (both sides' or neither, never
// one side's alone), and the touch never, so that the ladder stays centred
// on the touch with our quotes in place. A row freed by the last pair goes
// back to the facts.
func trimLadder(above, below []bookRow, feedLines, h int) ([]bookRow, []bookRow, int) {
	facts := feedLines
	rows := func() int { return 3 + len(above) + len(below) + feedLines }
	for rows() > h {
		var ok bool
		if above, below, ok = dropFarther(above, below); ok {
			continue
		}
		if feedLines > 0 {
			feedLines--
			continue
		}
		if above, below, ok = dropOursPair(above, below); !ok {
			break
		}
	}
	return above, below, min(facts, max(feedLines, h-3-len(above)-len(below)))
}

// dropFarther removes the farthest level of the longer side that is not
// ours nor the touch (of the other side when it has none); false when
// neither side has one.
func dropFarther(above, below []bookRow) ([]bookRow, []bookRow, bool) {
	var ok bool
	if len(above) >= len(below) {
		if above, ok = farRemoved(above, true, false); !ok {
			below, ok = farRemoved(below, false, false)
		}
	} else if below, ok = farRemoved(below, false, false); !ok {
		above, ok = farRemoved(above, true, false)
	}
	return above, below, ok
}

// dropOursPair removes the farthest of our quotes on each side that has
// one (not the touch); false when neither has one.
func dropOursPair(above, below []bookRow) ([]bookRow, []bookRow, bool) {
	above, okA := farRemoved(above, true, true)
	below, okB := farRemoved(below, false, true)
	return above, below, okA || okB
}

// farRemoved removes the farthest row of one side that is ours (ours) or
// a level of the feed (!ours), never the touch; above (top) is sorted
// highest first, below too.
func farRemoved(rs []bookRow, top, ours bool) ([]bookRow, bool) {
	idx := make([]int, len(rs))
	for i := range idx {
		idx[i] = i
		if !top {
			idx[i] = len(rs) - 1 - i
		}
	}
	for _, i := range idx {
		isTouch := (top && i == len(rs)-1) || (!top && i == 0)
		if rs[i].ours == ours && !isTouch {
			return append(rs[:i:i], rs[i+1:]...), true
		}
	}
	return rs, false
}

// bookLine is one ladder row in the columns of bt: the side (or our
// quote), the price, the size, the distance from mid and the offers.
func bookLine(st Styles, bt table, mid float64, r bookRow) string {
	label, style := "ask", st.Value
	if r.side == engine.Buy {
		label = "bid"
	}
	if r.ours {
		label, style = map[engine.Side]string{engine.Buy: "▲ ours", engine.Sell: "▼ ours"}[r.side], st.side(r.side)
	}
	qty := "—"
	if finite(r.qty) {
		qty = fmtFit(r.qty, xrpDecimals, bt[2].width)
	}
	from := "—"
	if mid > 0 {
		from = fmtBps((r.price - mid) / mid * 1e4)
	}
	offers := ""
	if !r.ours && r.offers > 0 {
		offers = fmtCount(r.offers)
	}
	cells := []string{fmtPrice(r.price), qty, from}
	if len(bt) > 4 {
		cells = append(cells, offers)
	}
	return style.Render(bt.pad(0, label)) + style.Render(bt.cells(1, cells...))
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
	// "no book" in the title, so that the line under it fits a column of
	// 46 cells (at 160 columns it read "… are the close…").
	b.add(titleRule(st, "BOOK", st.Muted.Render("replay of bars: ")+st.Warn.Render("no book"), b.width))
	b.add(st.Muted.Render("bid and ask are the close ∓ 1 bp"))
	if bar := s.Bar; bar != nil {
		b.add(st.Label.Render("bar to ") + st.Value.Render(fmtClock(s.MarketTime)) + st.Muted.Render(" market UTC"))
		b.add(pair("open", fmtPrice(bar.Open), "high", fmtPrice(bar.High)))
		b.add(pair("low", fmtPrice(bar.Low), "close", fmtPrice(bar.Close)))
		b.add(st.Label.Render(fit("volume", 7)) + st.Value.Render(padLeft(fmtNum(bar.Volume, 0), 10)))
	}
	b.add(pair("bid", fmtPrice(s.Bid), "ask", fmtPrice(s.Ask)))
}

// bookFacts are the book panel's lines of the feed's facts, the most
// needed first: the connection (its state, the last ledger and its age),
// the AMM price (the anchor) and its fee, then the link (round trip,
// reconnects, endpoint). The simulator has none of them: it says what it
// stands in for.
func bookFacts(st Styles, s *engine.State, src bookSource) []string {
	anchor := math.NaN()
	if s.Anchor != nil {
		anchor = *s.Anchor
	}
	if src.book == nil && src.health == nil {
		return []string{
			st.Label.Render("anchor ") + st.Value.Render(fmtPrice(anchor)) + st.Muted.Render(" (simulated AMM pool price)"),
			st.Label.Render("feed ") + st.Value.Render(Sanitize(s.Feed)) + st.Muted.Render(" · no connection, no ledger"),
		}
	}
	amm := st.Label.Render("AMM ") + st.Value.Render(fmtPrice(anchor))
	if l := src.ledger; l != nil && anchor > 0 {
		amm += st.Label.Render(" · fee ") + st.Value.Render(fmtNum(float64(l.AMMTradingFee)/1000, 3)+"%")
	}
	if !(anchor > 0) {
		amm = st.Label.Render("AMM ") + st.Muted.Render("none (no pool: the anchor is the mid)")
	}
	conn := st.Label.Render("feed ") + st.Muted.Render("no status yet")
	if src.ledger != nil {
		conn = st.Label.Render("ledger ") + st.Value.Render(fmt.Sprintf("#%d", src.ledger.Index)) + st.Muted.Render(" (recorded: no connection)")
	}
	if h := src.health; h != nil {
		style := st.Gain
		if h.state != "LIVE" {
			style = st.Warn
		}
		conn = style.Render(Sanitize(h.state)) + st.Label.Render(" · ledger ") + st.Value.Render(fmt.Sprintf("#%d", h.ledger)) +
			st.Muted.Render(" "+fmtDur(h.age)+" ago")
		link := st.Label.Render("rtt ") + st.Value.Render(fmtRTT(h.rtt)) + st.Label.Render(" · reconnects ") + st.Value.Render(fmtCount(h.reconnects))
		if h.endpoint != "" {
			link += st.Muted.Render(" · " + Sanitize(h.endpoint))
		}
		return []string{conn, amm, link}
	}
	return []string{amm, conn}
}

// fmtRTT formats a round trip in milliseconds: "42 ms".
func fmtRTT(d time.Duration) string {
	return fmtNum(float64(d)/float64(time.Millisecond), 0) + " ms"
}
