package engine

import "time"

// HaltReason says why a session ended. It is stored verbatim in
// sessions.halt_reason.
type HaltReason string

// The halt reasons of DESIGN.md, one per way a session can end.
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

// AllHaltReasons lists every reason, in the order DESIGN.md gives them.
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

// Session is one row of the sessions table. Field tags name the column; the
// store's schema test holds them against the database.
type Session struct {
	SessionID        string     `db:"session_id"`
	StartedAt        time.Time  `db:"started_at"`
	EndedAt          *time.Time `db:"ended_at"` // nil while running
	EndedAtEstimated bool       `db:"ended_at_estimated"`
	// The session's market span: the market time of its first event and
	// of the last one recorded (nil when unknown: a session damaged before
	// its first event).
	MarketStartedAt *time.Time `db:"market_started_at"`
	MarketEndedAt   *time.Time `db:"market_ended_at"`
	Mode            string     `db:"mode"`
	Feed            string     `db:"feed"`
	ConfigJSON      string     `db:"config_json"`
	AppVersion      string     `db:"app_version"`
	StartingXRP     float64    `db:"starting_xrp"`
	StartingRLUSD   float64    `db:"starting_rlusd"`
	StartingValue   float64    `db:"starting_value"`
	EndingXRP       *float64   `db:"ending_xrp"`
	EndingRLUSD     *float64   `db:"ending_rlusd"`
	EndingValue     *float64   `db:"ending_value"`
	HaltReason      HaltReason `db:"halt_reason"` // "" (NULL) while running
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
	OrderID          string      `db:"order_id"`
	SessionID        string      `db:"session_id"`
	Side             Side        `db:"side"`
	Price            float64     `db:"price"`
	QtyXRP           float64     `db:"qty_xrp"`
	MarketTime       time.Time   `db:"market_time"`
	Status           OrderStatus `db:"status"`
	ClosedMarketTime *time.Time  `db:"closed_market_time"` // nil while open
}

// Fill is one row of the fills table. FillID is unique within its
// session; MarketTime is the market time of the event that filled it.
type Fill struct {
	FillID     string    `db:"fill_id"`
	SessionID  string    `db:"session_id"`
	OrderID    string    `db:"order_id"`
	MarketTime time.Time `db:"market_time"`
	Side       Side      `db:"side"`
	Price      float64   `db:"price"`
	QtyXRP     float64   `db:"qty_xrp"`
	ValueRLUSD float64   `db:"value_rlusd"`
	FeeRLUSD   float64   `db:"fee_rlusd"`
}

// InventorySnapshot is one row of inventory_snapshots: balances and drift at
// a mid price, at the market time of the event it follows.
type InventorySnapshot struct {
	SessionID              string    `db:"session_id"`
	MarketTime             time.Time `db:"market_time"`
	MidPrice               float64   `db:"mid_price"`
	XRPBalance             float64   `db:"xrp_balance"`
	RLUSDBalance           float64   `db:"rlusd_balance"`
	XRPValueInRLUSD        float64   `db:"xrp_value_in_rlusd"`
	TotalValueInRLUSD      float64   `db:"total_value_in_rlusd"`
	XRPPct                 float64   `db:"xrp_pct"`
	DriftPct               float64   `db:"drift_pct"`
	SkewTier               int       `db:"skew_tier"`
	DriftVelocityPctPerMin float64   `db:"drift_velocity_pct_per_min"`
}

// ValuationSnapshot is one row of valuation_snapshots: the session's value
// against simply holding the starting balances, at the market time of the
// event it follows. AnchorPrice is nil when the feed has no anchor (a
// replay): stored as NULL, shown as n/a.
type ValuationSnapshot struct {
	SessionID         string    `db:"session_id"`
	MarketTime        time.Time `db:"market_time"`
	MidPrice          float64   `db:"mid_price"`
	AnchorPrice       *float64  `db:"anchor_price"`
	TotalValueInRLUSD float64   `db:"total_value_in_rlusd"`
	HoldValueInRLUSD  float64   `db:"hold_value_in_rlusd"`
	PnLRLUSD          float64   `db:"pnl_rlusd"`
	FeesRLUSD         float64   `db:"fees_rlusd"`
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
	SessionID  string    `db:"session_id"`
	CreatedAt  time.Time `db:"created_at"`
	MarketTime time.Time `db:"market_time"`
	Level      string    `db:"level"`
	Kind       string    `db:"kind"`
	Message    string    `db:"message"`
}
