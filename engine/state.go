package engine

import "time"

// Status is where a live session is in its life.
type Status string

// Session states shown by the console.
const (
	StatusStarting     Status = "starting"
	StatusRunning      Status = "running"
	StatusPaused       Status = "paused"
	StatusShuttingDown Status = "shutting down"
	StatusEnded        Status = "ended"
)

// ShutdownStep is one step of the shutdown path as it runs.
type ShutdownStep struct {
	Name     string
	Done     bool
	Err      string // the step failed
	Warn     string // the step is done but left something (a -wal another process kept)
	Duration time.Duration
}

// Shutdown step names, in order.
const (
	StepStopQuoting   = "stop quoting"
	StepCancelOrders  = "cancel open orders"
	StepFinalSnapshot = "final snapshot"
	StepWriteSession  = "write session row"
	StepFlush         = "flush queued writes"
	StepCheckpoint    = "checkpoint and close database"
)

// State is an immutable picture of everything a screen needs. The engine
// publishes a new *State on each change; readers must not modify it.
type State struct {
	SessionID string
	Mode      string
	Feed      string
	Status    Status
	StartedAt time.Time // wall clock
	Config    Config

	MarketTime    time.Time // time of the last market event (market clock)
	LastTickWall  time.Time // wall time the last market event arrived
	Bid, Ask, Mid float64
	Anchor        *float64 // nil when the feed has no anchor (a replay)
	Centre        float64  // the quoting centre: anchor clamped around mid
	DivergenceBps float64  // (anchor - mid) / mid in bps; 0 without an anchor
	Bar           *Bar     // a replay's last bar (bid and ask derive from it); nil for other feeds

	StartingXRP, StartingRLUSD, StartingValue float64
	Inventory                                 InventorySnapshot // at the last mid
	Valuation                                 ValuationSnapshot // at the last mid
	FillCount                                 int
	VolumeRLUSD                               float64

	// History is the recent samples of the live charts, oldest first, one
	// every historyStep of market time (each event at most: a replay of
	// minute bars samples once a minute), stamped with its market time.
	History []HistorySample
	Quotes  []Order // open orders, as placed
	// QuoteRemainingXRP is what is left to fill of each open order, by
	// order id (less than its QtyXRP after a partial fill).
	QuoteRemainingXRP map[string]float64
	RecentFills       []Fill // newest first
	Events            []SessionEvent

	// Live XRPL feed only (nil for other feeds): the top levels of the
	// real order book at MarketTime (our quotes are in Quotes), the
	// validated ledger's facts, and the feed's health at publish time.
	Book       *BookView
	Ledger     *LedgerInfo
	FeedStatus *FeedStatus

	HaltReason    HaltReason // set once the session is ending or ended
	ShutdownSteps []ShutdownStep
	Err           string // the shutdown's first error, if any
}

// HistorySample is one sample of the live charts at a market time: the
// mid, the drift, and the session's value against holding the starting
// balances, all at that mid.
type HistorySample struct {
	Time       time.Time // market time
	Mid        float64
	DriftPct   float64
	ValueRLUSD float64 // total value of the balances
	HoldRLUSD  float64 // value of the starting balances, held
}

// Controller is what the console may ask of a live engine. It never blocks.
type Controller interface {
	// State returns the latest published state (never nil).
	State() *State
	// Changed returns a channel closed at the next publish. Grab it before
	// reading State so that no change is missed.
	Changed() <-chan struct{}
	// RequestClose asks for the shutdown path with the reason; it returns at
	// once. The first reason wins.
	RequestClose(reason HaltReason)
	// SetPaused stops or resumes quoting (orders are cancelled while paused).
	SetPaused(paused bool)
	// Done is closed when the shutdown path has finished.
	Done() <-chan struct{}
}
