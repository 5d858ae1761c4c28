package xrpl

import (
	"fmt"
	"math/big"
	"strings"
	"testing"
)

// stateOf builds a book state from offer specs (in arrival order).
func stateOf(t *testing.T, offers ...offerSpec) BookState {
	t.Helper()
	b := NewBook(DefaultPair)
	var list []BookOffer
	for _, o := range offers {
		list = append(list, decodeOffer(t, o.bookOffer(t)))
	}
	b.Reset(list)
	return b.Snapshot()
}

func offerExec(t *testing.T, o offerSpec, drops int64) Execution {
	p, _ := new(big.Rat).SetString(o.price)
	taker := Bid
	if o.side == Bid {
		taker = Ask
	}
	return Execution{Source: "offer", OfferID: oid(o.id), Side: taker, Quality: priceQuality(t, o.side, o.price), XRPDrops: drops, Price: p}
}

func ammExec(side Side, drops int64, price string) Execution {
	p, _ := new(big.Rat).SetString(price)
	return Execution{Source: "amm", Side: side, XRPDrops: drops, Price: p}
}

func ledgerOf(n uint32, before, after BookState, execs ...Execution) *LedgerResult {
	return &LedgerResult{Ledger: LedgerClosed{LedgerIndex: n, FeeBase: 10, ReserveBase: 1_000_000, ReserveInc: 200_000}, Before: before, After: after, Executions: execs, LoadFactor: 1}
}

func fillsString(fs []PaperFill) string {
	var parts []string
	for _, f := range fs {
		parts = append(parts, fmt.Sprintf("%s %s %.6f@%.4f", f.QuoteID, f.Rule, f.QtyXRP, f.Price))
	}
	return strings.Join(parts, "; ")
}

// TestFillRules checks each paper fill rule of fill.go, and its edges, on
// one book.
//
// Long: one row per case; the table is the test.
func TestFillRules(t *testing.T) {
	ask25 := offerSpec{id: "A1", side: Ask, drops: 10_000_000, price: "2.5"}
	ask251 := offerSpec{id: "A2", side: Ask, drops: 20_000_000, price: "2.51"}
	askPart := offerSpec{id: "A3", side: Ask, drops: 50_000_000, price: "2.505", funded: 5_000_000}
	bid249 := offerSpec{id: "B1", side: Bid, drops: 30_000_000, price: "2.49"}
	bid248 := offerSpec{id: "B2", side: Bid, drops: 40_000_000, price: "2.48"}
	bidNew := offerSpec{id: "B9", side: Bid, drops: 25_000_000, price: "2.49"}
	book := stateOf(t, ask25, ask251, askPart, bid249, bid248)

	for _, tc := range []struct {
		name   string
		quotes []PaperQuote
		ledger *LedgerResult
		live   bool
		want   string
	}{{
		name:   "rule 1: not live in the ledger it was placed in",
		quotes: []PaperQuote{{ID: "q", Side: Bid, Price: 2.6, QtyXRP: 5, PlacedLedger: 10}},
		ledger: ledgerOf(10, book, book), live: true,
		want: "",
	}, {
		name:   "rule 1: nothing fills while the feed is not live",
		quotes: []PaperQuote{{ID: "q", Side: Bid, Price: 2.6, QtyXRP: 5, PlacedLedger: 9}},
		ledger: ledgerOf(10, book, book), live: false,
		want: "",
	}, {
		name:   "a quote without a positive price never trades",
		quotes: []PaperQuote{{ID: "q", Side: Ask, Price: 0, QtyXRP: 5, PlacedLedger: 9}},
		ledger: ledgerOf(10, book, book), live: true,
		want: "",
	}, {
		name:   "rule 2: a crossing bid takes funded asks at their prices",
		quotes: []PaperQuote{{ID: "q", Side: Bid, Price: 2.505, QtyXRP: 30, PlacedLedger: 9}},
		ledger: ledgerOf(10, book, book), live: true,
		want: "q cross 10.000000@2.5000; q cross 5.000000@2.5050", // A3 only 5 funded; A2 at 2.51 does not cross
	}, {
		name: "rule 2: each unit of real liquidity fills one paper order",
		quotes: []PaperQuote{
			{ID: "q1", Side: Bid, Price: 2.5, QtyXRP: 6, PlacedLedger: 9},
			{ID: "q2", Side: Bid, Price: 2.5, QtyXRP: 6, PlacedLedger: 9},
		},
		ledger: ledgerOf(10, book, book), live: true,
		want: "q1 cross 6.000000@2.5000; q2 cross 4.000000@2.5000",
	}, {
		name:   "rule 2: an ask crossing the bids",
		quotes: []PaperQuote{{ID: "q", Side: Ask, Price: 2.485, QtyXRP: 50, PlacedLedger: 9}},
		ledger: ledgerOf(10, book, book), live: true,
		want: "q cross 30.000000@2.4900",
	}, {
		name:   "rule 3: an offer consumed below our bid fills us at our price, capped",
		quotes: []PaperQuote{{ID: "q", Side: Bid, Price: 2.495, QtyXRP: 50, PlacedLedger: 9}},
		ledger: ledgerOf(10, book, book, offerExec(t, bid249, 12_000_000)), live: true,
		want: "q better 12.000000@2.4950",
	}, {
		name:   "rule 3: a trade at a better price than ours does not fill us",
		quotes: []PaperQuote{{ID: "q", Side: Bid, Price: 2.485, QtyXRP: 50, PlacedLedger: 9}},
		ledger: ledgerOf(10, book, book, offerExec(t, bid249, 12_000_000)), live: true,
		want: "",
	}, {
		name: "rule 3: the better quote takes the liquidity first",
		quotes: []PaperQuote{
			{ID: "low", Side: Bid, Price: 2.492, QtyXRP: 50, PlacedLedger: 9},
			{ID: "high", Side: Bid, Price: 2.495, QtyXRP: 8, PlacedLedger: 9},
		},
		ledger: ledgerOf(10, book, book, offerExec(t, bid249, 12_000_000)), live: true,
		want: "high better 8.000000@2.4950; low better 4.000000@2.4920",
	}, {
		name:   "rule 3: an AMM swap through our ask",
		quotes: []PaperQuote{{ID: "q", Side: Ask, Price: 2.499, QtyXRP: 50, PlacedLedger: 9}},
		ledger: ledgerOf(10, book, book, ammExec(Bid, 7_000_000, "2.4995")), live: true,
		want: "q better 7.000000@2.4990",
	}, {
		name:   "rule 3: an AMM swap at exactly our price does not fill",
		quotes: []PaperQuote{{ID: "q", Side: Ask, Price: 2.499, QtyXRP: 50, PlacedLedger: 9}},
		ledger: ledgerOf(10, book, book, ammExec(Bid, 7_000_000, "2.499")), live: true,
		want: "",
	}, {
		name:   "rule 4: at our quality the offers ahead fill first",
		quotes: []PaperQuote{{ID: "q", Side: Bid, Price: 2.49, QtyXRP: 50, PlacedLedger: 9}},
		ledger: ledgerOf(10, book, stateOf(t, ask25, ask251, askPart, bid248), offerExec(t, bid249, 30_000_000)), live: true,
		want: "",
	}, {
		name:   "rule 4: an offer behind us consumed at our quality fills us",
		quotes: []PaperQuote{{ID: "q", Side: Bid, Price: 2.49, QtyXRP: 50, PlacedLedger: 9}},
		ledger: ledgerOf(10, book, stateOf(t, ask25, ask251, askPart, bid248), offerExec(t, bid249, 30_000_000), offerExec(t, bidNew, 25_000_000)), live: true,
		want: "q queue 25.000000@2.4900",
	}, {
		name:   "rule 5: a new ask crossing our resting bid fills it at our price",
		quotes: []PaperQuote{{ID: "q", Side: Bid, Price: 2.495, QtyXRP: 50, PlacedLedger: 9}},
		ledger: ledgerOf(10, book, stateOf(t, offerSpec{id: "A0", side: Ask, drops: 3_000_000, price: "2.493"}, ask25, bid249)), live: true,
		want: "q crossed 3.000000@2.4950",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			m := NewMatcher()
			if got := fillsString(m.Ledger(tc.ledger, tc.quotes, tc.live)); got != tc.want {
				t.Fatalf("fills = %q\n want %q", got, tc.want)
			}
		})
	}
}

// TestQueueAcrossLedgers follows one quote's place in the queue.
func TestQueueAcrossLedgers(t *testing.T) {
	b1 := offerSpec{id: "B1", side: Bid, drops: 30_000_000, price: "2.49"}
	b2 := offerSpec{id: "B2", side: Bid, drops: 10_000_000, price: "2.49"}
	late := offerSpec{id: "B3", side: Bid, drops: 40_000_000, price: "2.49"}
	q := []PaperQuote{{ID: "q", Side: Bid, Price: 2.49, QtyXRP: 20, PlacedLedger: 9}}
	m := NewMatcher()
	s0 := stateOf(t, b1, b2)
	// Ledger 10: we go live behind B1 and B2 (40 XRP ahead); 25 of B1 trade.
	b1left := b1
	b1left.drops = 5_000_000
	s1 := stateOf(t, b1left, b2, late)
	if f := m.Ledger(ledgerOf(10, s0, s1, offerExec(t, b1, 25_000_000)), q, true); len(f) != 0 {
		t.Fatalf("ledger 10 fills = %s", fillsString(f))
	}
	if ahead, _ := m.QueueAhead("q"); ahead != 15 {
		t.Fatalf("ahead after ledger 10 = %v, want 15", ahead)
	}
	// Ledger 11: B2 is cancelled: only B1's 5 remain ahead.
	s2 := stateOf(t, b1left, late)
	if f := m.Ledger(ledgerOf(11, s1, s2), q, true); len(f) != 0 {
		t.Fatalf("ledger 11 fills = %s", fillsString(f))
	}
	if ahead, _ := m.QueueAhead("q"); ahead != 5 {
		t.Fatalf("ahead after the cancel = %v, want 5", ahead)
	}
	// Ledger 12: a taker sells 30: B1's 5, then 25 of B3 behind us → we
	// get 20 (our size), 5 go to B3.
	late2 := late
	late2.drops = 15_000_000
	s3 := stateOf(t, late2)
	f := m.Ledger(ledgerOf(12, s2, s3, offerExec(t, b1left, 5_000_000), offerExec(t, late, 25_000_000)), q, true)
	if got, want := fillsString(f), "q queue 20.000000@2.4900"; got != want {
		t.Fatalf("ledger 12 fills = %q, want %q", got, want)
	}
	// A requote is a new ID: it starts behind everything at its quality.
	rq := []PaperQuote{{ID: "q2", Side: Bid, Price: 2.49, QtyXRP: 20, PlacedLedger: 12}}
	m.Ledger(ledgerOf(13, s3, s3), rq, true)
	if ahead, _ := m.QueueAhead("q2"); ahead != 15 {
		t.Fatalf("requote ahead = %v, want 15 (B3's remainder)", ahead)
	}
	if _, ok := m.QueueAhead("q"); ok {
		t.Fatal("the old quote's queue was kept")
	}
}

// TestCrossedLiquiditySpentOnce: a real offer that crossed our quote is not
// used again in the next ledger.
func TestCrossedLiquiditySpentOnce(t *testing.T) {
	a0 := offerSpec{id: "A0", side: Ask, drops: 3_000_000, price: "2.493"}
	q := []PaperQuote{{ID: "q", Side: Bid, Price: 2.495, QtyXRP: 10, PlacedLedger: 9}}
	m := NewMatcher()
	empty := stateOf(t)
	s := stateOf(t, a0)
	if got := fillsString(m.Ledger(ledgerOf(10, empty, s), q, true)); got != "q crossed 3.000000@2.4950" {
		t.Fatalf("ledger 10: %q", got)
	}
	q[0].QtyXRP = 7
	if f := m.Ledger(ledgerOf(11, s, s), q, true); len(f) != 0 {
		t.Fatalf("ledger 11 used the same liquidity again: %s", fillsString(f))
	}
}

func TestTickPrice(t *testing.T) {
	// Ask: quality is price/1e6 per drop; 5 significant digits, rounded up.
	if got := TickPrice(Ask, 2.123456, 5); got != 2.1235 {
		t.Fatalf("ask tick 5: %v", got)
	}
	// Bid: quality is 1e6/price drops per unit; an exact one stays.
	q, p := QuoteQuality(Bid, 2.5, 3)
	if q.String() != "4000000000000000e-10" || p.FloatString(4) != "2.5000" {
		t.Fatalf("bid 2.5 tick 3: %v %s", q, p.FloatString(6))
	}
	// 1e6/2.123456 = 470930.3… drops per unit → 471000 → 2.1231422…: the
	// placer of a bid gets at least the XRP it asked for.
	if got, want := TickPrice(Bid, 2.123456, 3), 1e6/471000.0; got != want {
		t.Fatalf("bid tick 3: %v, want %v", got, want)
	}
	if got := TickPrice(Ask, 2.5, 0); got != 2.5 {
		t.Fatalf("no tick size: %v", got)
	}
}

// TestTickSizeRoundsQualityUp: rippled rounds an offer's quality
// (TakerPays/TakerGets) UP to the tick size (Quality::round, applied by
// CreateOffer), so a ticked ask never rests below its price and a ticked
// bid never above it. Figures: TickSize 5, both sides quoted at 2.50005.
func TestTickSizeRoundsQualityUp(t *testing.T) {
	// Ask: 2.50005e-6 per drop → 2.5001e-6.
	q, p := QuoteQuality(Ask, 2.50005, 5)
	if q != (Decimal{Mantissa: 2500100000000000, Exponent: -21}) || p.FloatString(6) != "2.500100" {
		t.Fatalf("ask 2.50005 tick 5: quality %v price %s, want 2.5001e-6 and 2.5001", q, p.FloatString(6))
	}
	// Bid: 1e6/2.50005 = 399992.00016… drops per unit → 400000 → 2.5000.
	q, p = QuoteQuality(Bid, 2.50005, 5)
	if q != (Decimal{Mantissa: 4000000000000000, Exponent: -10}) || p.FloatString(7) != "2.5000000" {
		t.Fatalf("bid 2.50005 tick 5: quality %v price %s, want 400000 and 2.5000", q, p.FloatString(7))
	}
	if got := TickPrice(Bid, 2.50005, 5); got > 2.50005 {
		t.Fatalf("a bid rests at %v, above its own price 2.50005", got)
	}
	// A mantissa of nines carries into the exponent.
	if got := roundQualityUp(Decimal{Mantissa: 9999950000000000, Exponent: -20}, 5); got != (Decimal{Mantissa: 1000000000000000, Exponent: -19}) {
		t.Fatalf("carry: %v", got)
	}
	// Already on the tick: unchanged.
	if got := roundQualityUp(Decimal{Mantissa: 2500100000000000, Exponent: -21}, 5); got != (Decimal{Mantissa: 2500100000000000, Exponent: -21}) {
		t.Fatalf("on the tick: %v", got)
	}
}

// expiringState is stateOf with an Expiration on the named offers.
func expiringState(t *testing.T, exp map[string]uint32, offers ...offerSpec) BookState {
	t.Helper()
	b := NewBook(DefaultPair)
	var list []BookOffer
	for _, o := range offers {
		m := o.bookOffer(t)
		if e, ok := exp[o.id]; ok {
			m["Expiration"] = e
		}
		list = append(list, decodeOffer(t, m))
	}
	b.Reset(list)
	return b.Snapshot()
}

// TestExpiredOffersDoNotFill: an offer whose Expiration is at or before
// the ledger's close time is unfunded (offer.md: "the time after which
// this offer is considered unfunded"; rippled hasExpired): no paper order
// crosses it when going live (rule 2), is crossed by it (rule 5), or
// waits behind it in the queue (rule 4). One second before, it still
// counts.
func TestExpiredOffersDoNotFill(t *testing.T) {
	const closeAt = 800_000_000
	old := offerSpec{id: "A0", side: Ask, drops: 10_000_000, price: "2.48"}
	ask := offerSpec{id: "A1", side: Ask, drops: 20_000_000, price: "2.51"}
	bid := offerSpec{id: "B1", side: Bid, drops: 30_000_000, price: "2.49"}
	run := func(exp uint32, quotes []PaperQuote, before, after []offerSpec) string {
		t.Helper()
		e := map[string]uint32{"A0": exp, "B1": exp}
		r := ledgerOf(10, expiringState(t, e, before...), expiringState(t, e, after...))
		r.Ledger.LedgerTime = closeAt
		return fillsString(NewMatcher().Ledger(r, quotes, true))
	}
	goLive := []PaperQuote{{ID: "q", Side: Bid, Price: 2.49, QtyXRP: 50, PlacedLedger: 9}}
	if got := run(closeAt, goLive, []offerSpec{old, ask}, []offerSpec{old, ask}); got != "" {
		t.Fatalf("rule 2 against an offer expired at the close: %q", got)
	}
	if got := run(closeAt+1, goLive, []offerSpec{old, ask}, []offerSpec{old, ask}); got != "q cross 10.000000@2.4800" {
		t.Fatalf("rule 2 against an offer not yet expired: %q", got)
	}
	resting := []PaperQuote{{ID: "q", Side: Bid, Price: 2.49, QtyXRP: 50, PlacedLedger: 9}}
	if got := run(closeAt-100, resting, []offerSpec{ask}, []offerSpec{old, ask}); got != "" {
		t.Fatalf("rule 5 with an expired offer arriving: %q", got)
	}
	// Rule 4: B1 at our quality expired: nothing is ahead of us.
	m := NewMatcher()
	s := expiringState(t, map[string]uint32{"B1": closeAt}, bid, ask)
	r := ledgerOf(10, s, s)
	r.Ledger.LedgerTime = closeAt
	m.Ledger(r, resting, true)
	if ahead, _ := m.QueueAhead("q"); ahead != 0 {
		t.Fatalf("ahead = %v behind an expired offer, want 0", ahead)
	}
}
