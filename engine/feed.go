package engine

import (
	"context"
	"time"
)

// Trade is a taker print on the market. Side is the taker's side: a taker
// Sell trades against resting bids.
type Trade struct {
	Side   Side
	Price  float64
	QtyXRP float64
}

// Bar is an OHLCV bar from a replay file.
type Bar struct {
	Open, High, Low, Close, Volume float64
}

// MarketEvent is one update of the market: the book, the anchor and what
// traded since the previous event. Time is market time.
type MarketEvent struct {
	Time   time.Time
	Bid    float64
	Ask    float64
	Anchor float64 // reference price (AMM pool); 0 when the feed has none
	Trades []Trade // taker prints since the previous event
	Bar    *Bar    // set by replay feeds: the bar that ended at Time
}

// Mid is the book mid price.
func (m MarketEvent) Mid() float64 { return (m.Bid + m.Ask) / 2 }

// Feed produces market events in market-time order. Next returns io.EOF when
// the feed is exhausted. Pacing (--speed) is the engine's job, not the feed's.
type Feed interface {
	Next(ctx context.Context) (MarketEvent, error)
	// Name is the feed spec as stored in sessions.feed, e.g. "sim" or
	// "replay:prices.csv".
	Name() string
}
