package xrpl

import (
	"math"
	"math/big"
	"sort"
	"strconv"
)

// The paper fill rules against the real book, applied once per completed
// validated ledger. They are pure: the same ledgers and quotes give the
// same fills.
//
//  1. A paper quote goes live in the ledger after the one it was placed in
//     (PlacedLedger+1); nothing fills while the feed is not live.
//  2. A quote that crosses the real book when it goes live fills at once,
//     as a taker, against the funded levels of the book it met (the book
//     before its first live ledger), at their prices.
//  3. A real execution strictly worse for its taker than our quote (an
//     offer consumed at a worse price, an AMM swap at a worse average
//     price) would have hit us first: it fills us at our price, capped at
//     the executed size. Each unit of real liquidity fills at most one
//     paper order: the better-priced quote takes it first.
//  4. At our exact quality XRPL fills the oldest offer first: the funded
//     size ahead of us when we went live is tracked per real offer and
//     reduced as those offers are consumed, cancelled or unfunded; only
//     executions of offers behind us fill us. A requote is a new quote ID,
//     so it starts at the back of the queue.
//  5. A real offer that arrives crossing a resting quote would have been
//     filled by it: the quote fills at its own price, against the offer's
//     funded size, and that size is then spent for every later ledger.
//
// Costs (network fee × load factor, transfer fee, reserves) come with each
// ledger (engine.LedgerInfo) and the paper exchange charges them; the tick
// size moves a quote's price (QuoteQuality).

// PaperQuote is a resting paper order as the fill rules see it.
type PaperQuote struct {
	ID           string
	Side         Side    // Bid: we buy XRP; Ask: we sell XRP
	Price        float64 // issued currency per XRP, as quoted
	QtyXRP       float64 // remaining quantity
	PlacedLedger uint32  // last validated ledger when it was placed
}

// PaperFill is one fill of a paper quote.
type PaperFill struct {
	QuoteID string
	Price   float64 // issued currency per XRP
	QtyXRP  float64
	// Rule is the rule that filled it: "cross" (2, taker), "better" (3),
	// "queue" (4), "crossed" (5).
	Rule  string
	Taker bool // paid as a taker (rule 2); otherwise maker
}

// Matcher keeps what the fill rules need between ledgers: each quote's
// queue position and the real liquidity already spent on paper fills. It
// is not safe for concurrent use; the paper exchange owns one.
type Matcher struct {
	quotes map[string]*quoteState
	spent  map[string]int64 // real offer ID → drops already used by paper fills
}

type quoteState struct {
	quality Decimal
	price   *big.Rat
	ahead   map[string]int64 // real offers ahead at our quality → drops
}

// NewMatcher returns an empty matcher.
func NewMatcher() *Matcher {
	return &Matcher{quotes: make(map[string]*quoteState), spent: make(map[string]int64)}
}

// QueueAhead returns the real funded XRP ahead of a live quote at its
// quality (for the console), and whether the quote is live.
func (m *Matcher) QueueAhead(id string) (float64, bool) {
	qs, ok := m.quotes[id]
	if !ok {
		return 0, false
	}
	var d int64
	for _, v := range qs.ahead {
		d += v
	}
	return float64(d) / DropsPerXRP, true
}

// QuoteQuality is the quality a paper quote would have on the ledger: its
// price turned into TakerPays/TakerGets per drop (16 digits), rounded UP
// to the issuer's tick size (0: no rounding), and the price that quality
// means. Up is rippled's direction: CreateOffer's TickSize block
// (src/xrpld/app/tx/detail/CreateOffer.cpp) takes
// Quality{TakerGets, TakerPays}.round(tickSize), and Quality::round
// (src/libxrpl/protocol/Quality.cpp; "Returns the quality rounded up",
// include/xrpl/protocol/Quality.h) adds mod-1 to the mantissa and drops
// the remainder. A higher TakerPays/TakerGets is worse for the taker and
// better for the placer: an ask rests at or above its price, a bid at or
// below. CreateOffer then recomputes the side that is not exact from the
// rounded rate (a sell's TakerPays, a buy's TakerGets); with 16-digit
// issued amounts that leaves the rate as rounded, except for the drops of
// an XRP leg, which a paper quote without amounts does not model.
// (xrpl.org's Tick Size page says the exchange rate is "truncated"; the
// rate rippled rounds is the quality above, upward, and the ledger is what
// the paper book must match, so the code is followed here.)
func QuoteQuality(side Side, price float64, tick uint8) (Decimal, *big.Rat) {
	p, ok := new(big.Rat).SetString(strconv.FormatFloat(price, 'g', -1, 64))
	if !ok || p.Sign() <= 0 || math.IsInf(price, 0) {
		return Decimal{}, new(big.Rat)
	}
	var q *big.Rat
	if side == Ask {
		q = p.Quo(p, big.NewRat(DropsPerXRP, 1)) // currency per drop
	} else {
		q = p.Inv(p).Mul(p, big.NewRat(DropsPerXRP, 1)) // drops per unit
	}
	sig := maxIOUDigits
	if tick >= 3 && tick < maxIOUDigits {
		sig = int(tick)
	}
	d := roundQualityUp(ratQuality(q), sig)
	return d, qualityPrice(side, d)
}

// TickPrice is the price a quote really rests at after the issuer's tick
// size rounds its quality up (QuoteQuality): quote at this price so that
// the paper book holds what the ledger would.
func TickPrice(side Side, price float64, tick uint8) float64 {
	_, p := QuoteQuality(side, price, tick)
	return ratFloat(p)
}

func drops(xrp float64) int64 {
	if xrp <= 0 || math.IsNaN(xrp) {
		return 0
	}
	return int64(math.Floor(xrp*DropsPerXRP + 1e-6))
}

// Ledger applies the fill rules for one completed ledger to the resting
// quotes (in placement order) and returns their fills. live is whether the
// feed was LIVE for this ledger. Offers past their Expiration at the
// ledger's close time are unfunded (BookState.At): no liquidity, no fills.
func (m *Matcher) Ledger(r *LedgerResult, quotes []PaperQuote, live bool) []PaperFill {
	n := r.Ledger.LedgerIndex
	m.forget(quotes)
	if !live {
		return nil
	}
	before, after := r.Before.At(r.Ledger.LedgerTime), r.After.At(r.Ledger.LedgerTime)
	var fills []PaperFill
	rem := make(map[string]int64, len(quotes))
	var active []PaperQuote
	for _, q := range quotes {
		if q.PlacedLedger >= n || q.QtyXRP <= 0 || !(q.Price > 0) || math.IsInf(q.Price, 0) {
			continue // not live yet (rule 1), or nothing a ledger would hold
		}
		rem[q.ID] = drops(q.QtyXRP)
		active = append(active, q)
		if _, ok := m.quotes[q.ID]; !ok {
			fills = m.goLive(q, r.Issuer.TickSize, before, rem, fills)
		}
	}
	fills = m.executions(r, active, rem, fills)
	idx := indexOffers(after)
	for _, q := range active {
		qs := m.quotes[q.ID]
		for id, v := range qs.ahead {
			o, ok := idx[id]
			if !ok {
				delete(qs.ahead, id) // consumed, cancelled or unfunded
				continue
			}
			qs.ahead[id] = min(v, o.FundedDrops)
		}
	}
	fills = m.crossedByBook(after, active, rem, fills)
	for id := range m.spent {
		if _, ok := idx[id]; !ok {
			delete(m.spent, id)
		}
	}
	return fills
}

// forget drops the state of quotes no longer resting (filled, cancelled
// or requoted).
func (m *Matcher) forget(quotes []PaperQuote) {
	present := make(map[string]bool, len(quotes))
	for _, q := range quotes {
		present[q.ID] = true
	}
	for id := range m.quotes {
		if !present[id] {
			delete(m.quotes, id)
		}
	}
}

// goLive starts tracking a quote in its first live ledger: rule 2 against
// the book it met, and the funded size ahead of it at its quality (rule 4).
func (m *Matcher) goLive(q PaperQuote, tick uint8, before BookState, rem map[string]int64, fills []PaperFill) []PaperFill {
	qual, price := QuoteQuality(q.Side, q.Price, tick)
	qs := &quoteState{quality: qual, price: price, ahead: make(map[string]int64)}
	m.quotes[q.ID] = qs
	fills = m.cross(q, qs, before, rem, fills)
	for _, o := range before.Side(q.Side) {
		if cmpQuality(o.Quality, qual) == 0 && o.FundedDrops > 0 {
			qs.ahead[o.ID] = o.FundedDrops
		}
	}
	return fills
}

func indexOffers(s BookState) map[string]*Offer {
	idx := make(map[string]*Offer, len(s.Bids)+len(s.Asks))
	for i := range s.Bids {
		idx[s.Bids[i].ID] = &s.Bids[i]
	}
	for i := range s.Asks {
		idx[s.Asks[i].ID] = &s.Asks[i]
	}
	return idx
}

// crosses reports whether our quote at price p would trade with a real
// offer of the other side at price op: our bid at or above an ask, our ask
// at or below a bid.
func crosses(our Side, p, op *big.Rat) bool {
	c := p.Cmp(op)
	if our == Bid {
		return c >= 0
	}
	return c <= 0
}

// take spends what is left of real offer offerID (funded drops) on quote
// quoteID, up to rem[quoteID], and returns the drops taken: 0 when the
// offer is used up by earlier paper fills.
func (m *Matcher) take(offerID string, funded int64, quoteID string, rem map[string]int64) int64 {
	avail := funded - m.spent[offerID]
	if avail <= 0 {
		return 0
	}
	take := min(avail, rem[quoteID])
	m.spent[offerID] += take
	rem[quoteID] -= take
	return take
}

func opposite(s Side) Side {
	if s == Bid {
		return Ask
	}
	return Bid
}

// cross is rule 2: a quote going live takes the funded levels it crosses,
// at their prices.
func (m *Matcher) cross(q PaperQuote, qs *quoteState, before BookState, rem map[string]int64, fills []PaperFill) []PaperFill {
	for _, o := range before.Side(opposite(q.Side)) {
		if rem[q.ID] <= 0 {
			break
		}
		op := o.Price()
		if !crosses(q.Side, qs.price, op) {
			break // book order: nothing further crosses
		}
		take := m.take(o.ID, o.FundedDrops, q.ID, rem)
		if take <= 0 {
			continue
		}
		fills = append(fills, PaperFill{QuoteID: q.ID, Price: ratFloat(op), QtyXRP: float64(take) / DropsPerXRP, Rule: "cross", Taker: true})
	}
	return fills
}

// executions applies rules 3 and 4 to the ledger's real trades in order.
func (m *Matcher) executions(r *LedgerResult, active []PaperQuote, rem map[string]int64, fills []PaperFill) []PaperFill {
	for _, ex := range r.Executions {
		// The taker's counterparties: a taker sale meets bids.
		our := Ask
		if ex.Side == Ask {
			our = Bid
		}
		cands := make([]PaperQuote, 0, len(active))
		for _, q := range active {
			if q.Side == our {
				cands = append(cands, q)
			}
		}
		// Better-priced quotes first (the taker meets them first); the
		// sort is stable so equal prices keep placement order.
		sort.SliceStable(cands, func(i, j int) bool {
			return cmpQuality(m.quotes[cands[i].ID].quality, m.quotes[cands[j].ID].quality) < 0
		})
		avail := ex.XRPDrops
		for _, q := range cands {
			qs := m.quotes[q.ID]
			c := m.compareExec(ex, qs, our)
			if c < 0 {
				continue // the trade was better for its taker than our quote
			}
			if c == 0 {
				if ex.Source != "offer" {
					continue // an AMM at exactly our price: no queue to join
				}
				if v, ok := qs.ahead[ex.OfferID]; ok {
					qs.ahead[ex.OfferID] = max(0, v-ex.XRPDrops)
					if avail > 0 {
						// That liquidity went to the offer ahead of us.
						avail -= min(avail, ex.XRPDrops)
					}
					continue
				}
			}
			if avail <= 0 || rem[q.ID] <= 0 {
				continue
			}
			take := min(avail, rem[q.ID])
			avail -= take
			rem[q.ID] -= take
			rule := "better"
			if c == 0 {
				rule = "queue"
			}
			fills = append(fills, PaperFill{QuoteID: q.ID, Price: ratFloat(qs.price), QtyXRP: float64(take) / DropsPerXRP, Rule: rule})
		}
	}
	return fills
}

// compareExec compares a real execution with our quote from the taker's
// side: 1 when our quote was strictly better for the taker (we would have
// been hit first), 0 at the same quality, -1 when the trade was better.
// Offers compare by their ledger quality; AMM swaps by average price.
func (m *Matcher) compareExec(ex Execution, qs *quoteState, our Side) int {
	if ex.Source == "offer" && ex.Quality.Mantissa > 0 {
		// Same book as our quote: a lower quality is better for the taker.
		return cmpQuality(ex.Quality, qs.quality)
	}
	c := qs.price.Cmp(ex.Price)
	if our == Ask {
		c = -c // a lower ask is better for the taker
	}
	return c
}

// crossedByBook is rule 5: real offers in the closing book that cross a
// live quote would have traded with it.
func (m *Matcher) crossedByBook(after BookState, active []PaperQuote, rem map[string]int64, fills []PaperFill) []PaperFill {
	for _, q := range active {
		qs := m.quotes[q.ID]
		for _, o := range after.Side(opposite(q.Side)) {
			if rem[q.ID] <= 0 {
				break
			}
			if !crosses(q.Side, qs.price, o.Price()) {
				break
			}
			take := m.take(o.ID, o.FundedDrops, q.ID, rem)
			if take <= 0 {
				continue
			}
			fills = append(fills, PaperFill{QuoteID: q.ID, Price: ratFloat(qs.price), QtyXRP: float64(take) / DropsPerXRP, Rule: "crossed"})
		}
	}
	return fills
}
