package engine

import "fmt"

// Paper is the paper exchange: balances, resting orders and fills. Orders
// fill in full at their own price when a taker print or a replay bar
// crosses them; trading fees (fee_bps) are charged on fills in RLUSD and the
// ledger's per-transaction cost (network_fee_xrp) on each placement and
// cancel in XRP. Balances never go negative: an order whose worst case the
// free balance cannot cover is refused.
type Paper struct {
	FeeBps        float64
	NetworkFeeXRP float64

	XRP, RLUSD     float64
	TradingFees    float64 // RLUSD paid in trading fees
	NetworkFeesXRP float64 // XRP paid in network fees

	open []Order // resting orders
}

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

// reserved returns what open orders hold: RLUSD for bids (value plus fee),
// XRP for asks, and XRP for the network fee of cancelling each.
func (p *Paper) reserved() (xrp, rlusd float64) {
	for _, o := range p.open {
		xrp += p.NetworkFeeXRP
		if o.Side == Buy {
			rlusd += o.Price * o.QtyXRP * (1 + p.FeeBps/1e4)
		} else {
			xrp += o.QtyXRP
		}
	}
	return xrp, rlusd
}

// CanPlace reports whether the free balances cover an order's worst case:
// its placement fee, the fee to cancel it later, and what a fill takes.
func (p *Paper) CanPlace(side Side, price, qty float64) error {
	rx, rr := p.reserved()
	freeXRP, freeRLUSD := p.XRP-rx, p.RLUSD-rr
	needXRP := 2 * p.NetworkFeeXRP
	if side == Sell {
		needXRP += qty
	}
	if needXRP > freeXRP {
		return &ErrInsufficientBalance{Side: side, Need: needXRP, Have: freeXRP, Asset: "XRP", Price: price, Quantity: qty}
	}
	if side == Buy {
		need := price * qty * (1 + p.FeeBps/1e4)
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
	return nil
}

// Cancel removes a resting order and charges the network fee. It reports
// whether the order was resting.
func (p *Paper) Cancel(orderID string) bool {
	for i, o := range p.open {
		if o.OrderID == orderID {
			p.open = append(p.open[:i], p.open[i+1:]...)
			p.XRP -= p.NetworkFeeXRP
			p.NetworkFeesXRP += p.NetworkFeeXRP
			return true
		}
	}
	return false
}

// Open returns the resting orders (a copy).
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

// Execution is one order filled by Match, with what it moved.
type Execution struct {
	Order      Order // the order as it rested
	ValueRLUSD float64
	FeeRLUSD   float64
}

// Match fills every resting order that the event crosses, in full at the
// order's price, and applies the balances.
func (p *Paper) Match(ev MarketEvent) []Execution {
	var out []Execution
	kept := p.open[:0]
	for _, o := range p.open {
		if !Crossed(o, ev) {
			kept = append(kept, o)
			continue
		}
		value := o.Price * o.QtyXRP
		fee := value * p.FeeBps / 1e4
		if o.Side == Buy {
			p.RLUSD -= value + fee
			p.XRP += o.QtyXRP
		} else {
			p.XRP -= o.QtyXRP
			p.RLUSD += value - fee
		}
		p.TradingFees += fee
		out = append(out, Execution{Order: o, ValueRLUSD: value, FeeRLUSD: fee})
	}
	// Clear the tail so filled orders are not kept alive by the array.
	for i := len(kept); i < len(p.open); i++ {
		p.open[i] = Order{}
	}
	p.open = kept
	return out
}
