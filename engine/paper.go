package engine

import (
	"fmt"
	"math"
)

// Paper is the paper exchange: balances, resting orders and fills. Which
// orders a market event fills, and for how much, is the Matcher's call (the
// default, CrossMatcher, fills in full when a print or a bar crosses an
// order; the live XRPL feed has its own rules, which may fill an order in
// parts). Costs: trading fees (fee_bps) on the value of every fill in
// RLUSD; the issuer's transfer fee (TransferFee) on the RLUSD we send when
// we buy; the network fee (NetworkFeeXRP, per placement and per cancel) in
// XRP; and the account reserve (ReserveBaseXRP + ReserveIncXRP per resting
// order) kept out of what can be quoted. Balances never go negative: an
// order whose worst case the free balance cannot cover is refused.
//
// Partial fills: an order row keeps the quantity it was placed with
// (qty_xrp); each fill is a fills row; the order stays open until its
// fills add up to qty_xrp (then filled), or is cancelled with the rest.
// What is left of an order is qty_xrp minus the sum of its fills.
type Paper struct {
	FeeBps         float64
	NetworkFeeXRP  float64 // per placement and per cancel
	TransferFee    float64 // fraction of the RLUSD sent (0.002 = 0.2 %); 0: none
	ReserveBaseXRP float64 // account reserve kept out of quoting
	ReserveIncXRP  float64 // owner reserve per resting order

	XRP, RLUSD     float64
	TradingFees    float64 // RLUSD paid in trading and transfer fees
	NetworkFeesXRP float64 // XRP paid in network fees

	open      []Order            // resting orders, as placed
	remaining map[string]float64 // XRP left to fill, by order id
}

// dustXRP is the smallest quantity that counts: one drop. A remainder
// below it is filled (float sums of partial fills leave such crumbs).
const dustXRP = 1e-6

// ErrInsufficientBalance is returned when the free balance cannot cover an
// order.
type ErrInsufficientBalance struct {
	Side            Side
	Need, Have      float64
	Asset           string
	Price, Quantity float64
}

func (e *ErrInsufficientBalance) Error() string {
	return fmt.Sprintf("%s %.6f XRP at %.6f: needs %.6f %s, %.6f free", e.Side, e.Quantity, e.Price, e.Need, e.Asset, e.Have)
}

// buyCost is what buying qty at price can take in RLUSD, fees included.
func (p *Paper) buyCost(price, qty float64) float64 {
	return price * qty * (1 + p.FeeBps/1e4 + p.TransferFee)
}

// Remaining is the XRP left to fill of a resting order (0 if none rests).
func (p *Paper) Remaining(orderID string) float64 { return p.remaining[orderID] }

// reserved returns what open orders hold: RLUSD for bids (value plus
// fees), XRP for asks, the XRP for the network fee of cancelling each, and
// the account reserve with one owner reserve per order.
func (p *Paper) reserved() (xrp, rlusd float64) {
	xrp = p.ReserveBaseXRP
	for _, o := range p.open {
		xrp += p.NetworkFeeXRP + p.ReserveIncXRP
		if o.Side == Buy {
			rlusd += p.buyCost(o.Price, p.remaining[o.OrderID])
		} else {
			xrp += p.remaining[o.OrderID]
		}
	}
	return xrp, rlusd
}

// CanPlace reports whether the free balances cover an order's worst case:
// its placement fee, the fee to cancel it later, its owner reserve, and
// what a fill takes.
func (p *Paper) CanPlace(side Side, price, qty float64) error {
	rx, rr := p.reserved()
	freeXRP, freeRLUSD := p.XRP-rx, p.RLUSD-rr
	needXRP := 2*p.NetworkFeeXRP + p.ReserveIncXRP
	if side == Sell {
		needXRP += qty
	}
	if needXRP > freeXRP {
		return &ErrInsufficientBalance{Side: side, Need: needXRP, Have: freeXRP, Asset: "XRP", Price: price, Quantity: qty}
	}
	if side == Buy {
		need := p.buyCost(price, qty)
		if need > freeRLUSD {
			return &ErrInsufficientBalance{Side: side, Need: need, Have: freeRLUSD, Asset: "RLUSD", Price: price, Quantity: qty}
		}
	}
	return nil
}

// Place rests an order after CanPlace allowed it and charges the network fee.
func (p *Paper) Place(o Order) error {
	if err := p.CanPlace(o.Side, o.Price, o.QtyXRP); err != nil {
		return err
	}
	p.XRP -= p.NetworkFeeXRP
	p.NetworkFeesXRP += p.NetworkFeeXRP
	p.open = append(p.open, o)
	if p.remaining == nil {
		p.remaining = make(map[string]float64)
	}
	p.remaining[o.OrderID] = o.QtyXRP
	return nil
}

// Cancel removes a resting order and charges the network fee. It reports
// whether the order was resting.
func (p *Paper) Cancel(orderID string) bool {
	i := p.index(orderID)
	if i < 0 {
		return false
	}
	p.open = append(p.open[:i], p.open[i+1:]...)
	delete(p.remaining, orderID)
	p.XRP -= p.NetworkFeeXRP
	p.NetworkFeesXRP += p.NetworkFeeXRP
	return true
}

// Open returns the resting orders as placed (a copy).
func (p *Paper) Open() []Order { return append([]Order(nil), p.open...) }

// Crossed reports whether the market event crosses a resting order: a taker
// sell printing at or below a bid (or a bar's low going below it), a taker
// buy at or above an ask (or a bar's high going above it).
func Crossed(o Order, ev MarketEvent) bool {
	for _, t := range ev.Trades {
		if o.Side == Buy && t.Side == Sell && t.Price <= o.Price {
			return true
		}
		if o.Side == Sell && t.Side == Buy && t.Price >= o.Price {
			return true
		}
	}
	if ev.Bar != nil {
		if o.Side == Buy && ev.Bar.Low < o.Price {
			return true
		}
		if o.Side == Sell && ev.Bar.High > o.Price {
			return true
		}
	}
	return false
}

// Matcher decides which resting orders a market event fills and for how
// much: the paper exchange's rules of one market. It is called once per
// market event, in order, with the orders resting before the event (their
// QtyXRP is what is left to fill), and must not keep them. The session
// goroutine is its only caller.
type Matcher interface {
	Match(ev MarketEvent, open []Order) []MatchFill
}

// QuotePricer is implemented by a Matcher whose market moves a quoted
// price (the XRPL issuer's TickSize rounds an offer's quality to fewer digits): the
// engine quotes at QuotePrice so that the paper book holds what the
// market would.
type QuotePricer interface {
	QuotePrice(ev MarketEvent, side Side, price float64) float64
}

// MatchFill is one fill a Matcher found: all or part of an order.
type MatchFill struct {
	OrderID string
	Price   float64 // the execution price: the order's, or the book level's for a taker
	QtyXRP  float64 // at most what is left of the order
}

// CrossMatcher is the default Matcher (sim and price replays): an order
// fills in full, at its own price, when the event crosses it (Crossed).
type CrossMatcher struct{}

// Match fills every order the event crosses, in full at the order's price.
func (CrossMatcher) Match(ev MarketEvent, open []Order) []MatchFill {
	var out []MatchFill
	for _, o := range open {
		if Crossed(o, ev) {
			out = append(out, MatchFill{OrderID: o.OrderID, Price: o.Price, QtyXRP: o.QtyXRP})
		}
	}
	return out
}

// Execution is one fill applied by Match, with what it moved.
type Execution struct {
	Order      Order   // the order as placed
	Price      float64 // execution price
	QtyXRP     float64 // quantity filled by this execution
	Done       bool    // the order is now fully filled (it no longer rests)
	ValueRLUSD float64
	FeeRLUSD   float64 // trading fee plus, on a buy, the transfer fee
}

// Match asks m which resting orders ev fills and applies the fills to the
// balances; an order stays resting until it is fully filled. Fills for
// orders that do not rest, and quantities beyond what is left, are
// ignored: a Matcher cannot fill an order twice.
func (p *Paper) Match(ev MarketEvent, m Matcher) []Execution {
	if len(p.open) == 0 {
		m.Match(ev, nil) // the matcher still sees every event (queue state)
		return nil
	}
	view := make([]Order, len(p.open))
	for i, o := range p.open {
		o.QtyXRP = p.remaining[o.OrderID]
		view[i] = o
	}
	var out []Execution
	for _, f := range m.Match(ev, view) {
		i := p.index(f.OrderID)
		if i < 0 || !(f.QtyXRP > 0) || !(f.Price > 0) || math.IsInf(f.Price, 0) || math.IsInf(f.QtyXRP, 0) {
			continue
		}
		o := p.open[i]
		left := p.remaining[o.OrderID]
		qty := math.Min(f.QtyXRP, left)
		left -= qty
		done := left < dustXRP
		if done {
			qty += left // the crumb goes with the last fill
		}
		value := f.Price * qty
		fee := value * p.FeeBps / 1e4
		if o.Side == Buy {
			fee += value * p.TransferFee
			p.RLUSD -= value + fee
			p.XRP += qty
		} else {
			p.XRP -= qty
			p.RLUSD += value - fee
		}
		p.TradingFees += fee
		if done {
			p.open = append(p.open[:i], p.open[i+1:]...)
			delete(p.remaining, o.OrderID)
		} else {
			p.remaining[o.OrderID] = left
		}
		out = append(out, Execution{Order: o, Price: f.Price, QtyXRP: qty, Done: done, ValueRLUSD: value, FeeRLUSD: fee})
	}
	return out
}

func (p *Paper) index(id string) int {
	for i, o := range p.open {
		if o.OrderID == id {
			return i
		}
	}
	return -1
}
