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

	// The fields below are set by the live XRPL feed (and its replay) only;
	// other feeds leave them nil.

	// Book holds the top levels of the real order book at Time (funded
	// sizes), for the console and the live fill rules.
	Book *BookView
	// Ledger holds the facts of the validated ledger this event closes:
	// fees, reserves, the issuer's settings and the feed's health.
	Ledger *LedgerInfo
	// Detail is feed-specific data for the paper exchange of that feed
	// (the XRPL feed puts its *xrpl.LedgerResult here: the exact book
	// before and after the ledger and its executions). Other packages
	// must treat it as opaque.
	Detail any
}

// BookLevel is one price level of a real order book. Price is derived from
// the ledger's exact quality; QtyXRP counts only funded offers.
type BookLevel struct {
	Price  float64
	QtyXRP float64
	Offers int
}

// BookView is the top of a real order book, best level first on each side.
type BookView struct {
	Bids []BookLevel
	Asks []BookLevel
}

// LedgerInfo describes the validated ledger of a live XRPL event. Fees and
// reserves are in drops (1 XRP = 1,000,000 drops).
type LedgerInfo struct {
	Index            uint32
	CloseTime        time.Time
	BaseFeeDrops     uint64  // reference transaction cost
	LoadFactor       float64 // the server's load scaling (1 = none)
	ReserveBaseDrops uint64  // account reserve
	ReserveIncDrops  uint64  // owner reserve per object (a resting offer is one)
	TransferRate     uint64  // issuer TransferRate: 0 or 1e9 = no fee, 1002000000 = 0.2 %
	TickSize         uint8   // issuer TickSize: significant digits of an offer's rate (0 = 15)
	AMMTradingFee    int64   // AMM fee in 1/100000; meaningful when Anchor > 0
	State            string  // feed state when the ledger completed: LIVE, DEGRADED, …
	Endpoint         string  // server the ledger came from
	// Interruptions counts the times the feed left LIVE before this ledger
	// completed (recorded, so a replay sees the same count): the engine
	// pulls its quotes when it changes, even if the feed is LIVE again.
	Interruptions uint64
}

// TransferFee is the issuer's transfer fee as a fraction of the amount
// sent (TransferRate 1002000000 → 0.002); 0 when there is none.
func (l LedgerInfo) TransferFee() float64 {
	if l.TransferRate <= 1_000_000_000 {
		return 0
	}
	return float64(l.TransferRate-1_000_000_000) / 1e9
}

// ReserveXRP is the XRP an account keeps out of trading: the base reserve
// (ReserveBaseXRP) and one owner reserve per resting offer (ReserveIncXRP).
func (l LedgerInfo) ReserveXRP() (base, perOffer float64) {
	return float64(l.ReserveBaseDrops) / 1e6, float64(l.ReserveIncDrops) / 1e6
}

// NetworkFeeXRP is the cost of one transaction in this ledger: base fee ×
// load factor, in XRP.
func (l LedgerInfo) NetworkFeeXRP() float64 {
	lf := l.LoadFactor
	if lf < 1 {
		lf = 1
	}
	return float64(l.BaseFeeDrops) * lf / 1e6
}

// Live reports whether the feed was LIVE for this ledger: paper quotes fill
// only then.
func (l LedgerInfo) Live() bool { return l.State == "LIVE" }

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

// FeedEvent is a connection event of a live feed (connect, reconnect,
// resync, rate limit, rotation, no AMM, state change): the engine records
// each as a session event of kind "feed_" + Kind.
type FeedEvent struct {
	Level   string // info, warn, error
	Kind    string
	Message string // sanitised by the feed
}

// FeedEventSource is implemented by feeds that have connection events;
// the engine takes them between market events.
type FeedEventSource interface {
	TakeFeedEvents() []FeedEvent
}

// FeedStatus is a live feed's health as a console shows it.
type FeedStatus struct {
	Endpoint     string
	State        string        // LIVE, DEGRADED, RECONNECTING, STALE, CONNECTING
	LedgerIndex  uint32        // last validated ledger seen
	LastLedgerAt time.Time     // wall time it arrived (zero: none yet)
	LedgerAge    time.Duration // how long ago, when the state was published
	RTT          time.Duration // last request's round trip
	Messages     uint64
	Reconnects   int
	RateLimits   int
	Resyncs      int
	LastError    string
	HasAMM       bool
}

// FeedHealth is implemented by feeds that report their health (the XRPL
// feed); the engine publishes it in State.FeedStatus.
type FeedHealth interface {
	FeedStatus() FeedStatus
}

// FeedStopper is implemented by feeds that must know the last event the
// session applied (a recording marks it, so that its replay ends there
// and not at ledgers the session read but never applied). The shutdown
// calls StopAt once, after the feed was stopped.
type FeedStopper interface {
	StopAt(last MarketEvent)
}

// BarFeed is implemented by feeds that replay a recorded file of bars. The
// file is the truth about its market: a long pause between two bars is
// missing data (a data gap: quotes pulled, the session goes on), never a
// stale feed (checkFeedGap, risk.go). BarInterval is the file's bar
// spacing, 0 when it cannot be told (a file of one bar).
type BarFeed interface {
	BarInterval() time.Duration
}
