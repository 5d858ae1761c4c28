package engine

import "time"

// HaltReason says why a session ended. It is stored verbatim in
// sessions.halt_reason.
type HaltReason string

// The halt reasons, one per way a session can end (README, "Halt reasons").
const (
	HaltOperatorQuit     HaltReason = "operator_quit"
	HaltSignalInterrupt  HaltReason = "signal_interrupt"
	HaltSignalTerminate  HaltReason = "signal_terminate"
	HaltSignalHangup     HaltReason = "signal_hangup"
	HaltSignalQuit       HaltReason = "signal_quit" // SIGQUIT, Ctrl+\ in a terminal
	HaltMaxDrawdown      HaltReason = "max_drawdown"
	HaltInventoryLimit   HaltReason = "inventory_limit"
	HaltStaleFeed        HaltReason = "stale_feed"
	HaltAnchorDivergence HaltReason = "anchor_divergence"
	HaltFeedEnded        HaltReason = "feed_ended"
	HaltDurationReached  HaltReason = "duration_reached"
	HaltEngineError      HaltReason = "engine_error"
	HaltUncleanExit      HaltReason = "unclean_exit"
)

// AllHaltReasons lists every reason, in the order of the README's table.
var AllHaltReasons = []HaltReason{
	HaltOperatorQuit, HaltSignalInterrupt, HaltSignalTerminate, HaltSignalHangup, HaltSignalQuit,
	HaltMaxDrawdown, HaltInventoryLimit, HaltStaleFeed, HaltAnchorDivergence,
	HaltFeedEnded, HaltDurationReached, HaltEngineError, HaltUncleanExit,
}

// IsRisk reports whether the reason is a risk halt (exit code 5 headless).
func (r HaltReason) IsRisk() bool {
	switch r {
	case HaltMaxDrawdown, HaltInventoryLimit, HaltStaleFeed, HaltAnchorDivergence:
		return true
	}
	return false
}

// OperatorAsked reports whether the operator asked for the end (a key in the
// console or a signal). Such an ending takes the console down with it; any
// other ending (risk, feed end, duration, error) stays on screen so that the
// operator can read why.
func (r HaltReason) OperatorAsked() bool {
	switch r {
	case HaltOperatorQuit, HaltSignalInterrupt, HaltSignalTerminate, HaltSignalHangup, HaltSignalQuit:
		return true
	}
	return false
}

// Side is the side of an order or a fill from our point of view.
type Side string

// Order and fill sides.
const (
	Buy  Side = "buy"
	Sell Side = "sell"
)

// OrderStatus is the life-cycle state of an order.
type OrderStatus string

// Order states.
const (
	OrderOpen      OrderStatus = "open"
	OrderFilled    OrderStatus = "filled"
	OrderCancelled OrderStatus = "cancelled"
)

// ModePaper is the only trading mode so far: orders go to the paper exchange.
const ModePaper = "paper"

// Session is one row of the sessions table. The store names each column
// after its field (SessionID is session_id); its schema test holds the
// fields against the database.
type Session struct {
	SessionID        string
	StartedAt        time.Time
	EndedAt          *time.Time // nil while running
	EndedAtEstimated bool
	// The session's market span: the market time of its first event and
	// of the last one recorded (nil when unknown: a session damaged before
	// its first event).
	MarketStartedAt *time.Time
	MarketEndedAt   *time.Time
	Mode            string
	Feed            string
	ConfigJSON      string
	AppVersion      string
	StartingXRP     float64
	StartingRLUSD   float64
	StartingValue   float64
	EndingXRP       *float64
	EndingRLUSD     *float64
	EndingValue     *float64
	HaltReason      HaltReason // "" (NULL) while running
}

// Running reports whether the session has no end recorded.
func (s Session) Running() bool { return s.EndedAt == nil }

// SessionEnd is what the shutdown path writes to close a session, in one
// synchronous transaction.
type SessionEnd struct {
	SessionID        string
	EndedAt          time.Time
	EndedAtEstimated bool
	MarketEndedAt    time.Time // market time of the last event
	EndingXRP        float64
	EndingRLUSD      float64
	EndingValue      float64 // = the final snapshot's TotalValueInRLUSD
	HaltReason       HaltReason
}

// Order is one row of the orders table. OrderID is unique within its
// session. Its times are market times: of the event that placed it and of
// the one that filled or cancelled it.
type Order struct {
	OrderID          string
	SessionID        string
	Side             Side
	Price            float64
	QtyXRP           float64
	MarketTime       time.Time
	Status           OrderStatus
	ClosedMarketTime *time.Time // nil while open
}

// Fill is one row of the fills table. FillID is unique within its
// session; MarketTime is the market time of the event that filled it.
type Fill struct {
	FillID     string
	SessionID  string
	OrderID    string
	MarketTime time.Time
	Side       Side
	Price      float64
	QtyXRP     float64
	ValueRLUSD float64
	FeeRLUSD   float64
}

// InventorySnapshot is one row of inventory_snapshots: balances and drift at
// a mid price, at the market time of the event it follows.
type InventorySnapshot struct {
	SessionID              string
	MarketTime             time.Time
	MidPrice               float64
	XRPBalance             float64
	RLUSDBalance           float64
	XRPValueInRLUSD        float64
	TotalValueInRLUSD      float64
	XRPPct                 float64
	DriftPct               float64
	SkewTier               int
	DriftVelocityPctPerMin float64
}

// ValuationSnapshot is one row of valuation_snapshots: the session's value
// against simply holding the starting balances, at the market time of the
// event it follows. AnchorPrice is nil when the feed has no anchor (a
// replay): stored as NULL, shown as n/a.
type ValuationSnapshot struct {
	SessionID         string
	MarketTime        time.Time
	MidPrice          float64
	AnchorPrice       *float64
	TotalValueInRLUSD float64
	HoldValueInRLUSD  float64
	PnLRLUSD          float64
	FeesRLUSD         float64
}

// Event levels for SessionEvent.Level.
const (
	LevelInfo  = "info"
	LevelWarn  = "warn"
	LevelError = "error"
)

// SessionEvent is one row of session_events: guards, tier changes, recovery
// and shutdown steps, shown in the history view. CreatedAt is the wall
// clock; MarketTime the market time of the last event the session had seen
// (a shutdown step happens after the market's last event, at its time).
type SessionEvent struct {
	SessionID  string
	CreatedAt  time.Time
	MarketTime time.Time
	Level      string
	Kind       string
	Message    string
}
