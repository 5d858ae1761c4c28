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
	Mode             string     `db:"mode"`
	Feed             string     `db:"feed"`
	ConfigJSON       string     `db:"config_json"`
	AppVersion       string     `db:"app_version"`
	StartingXRP      float64    `db:"starting_xrp"`
	StartingRLUSD    float64    `db:"starting_rlusd"`
	StartingValue    float64    `db:"starting_value"`
	EndingXRP        *float64   `db:"ending_xrp"`
	EndingRLUSD      *float64   `db:"ending_rlusd"`
	EndingValue      *float64   `db:"ending_value"`
	HaltReason       HaltReason `db:"halt_reason"` // "" (NULL) while running
}

// Running reports whether the session has no end recorded.
func (s Session) Running() bool { return s.EndedAt == nil }

// SessionEnd is what the shutdown path writes to close a session, in one
// synchronous transaction.
type SessionEnd struct {
	SessionID        string
	EndedAt          time.Time
	EndedAtEstimated bool
	EndingXRP        float64
	EndingRLUSD      float64
	EndingValue      float64 // = the final snapshot's TotalValueInRLUSD
	HaltReason       HaltReason
}

// Order is one row of the orders table.
type Order struct {
	OrderID   string      `db:"order_id"`
	SessionID string      `db:"session_id"`
	Side      Side        `db:"side"`
	Price     float64     `db:"price"`
	QtyXRP    float64     `db:"qty_xrp"`
	CreatedAt time.Time   `db:"created_at"`
	Status    OrderStatus `db:"status"`
	ClosedAt  *time.Time  `db:"closed_at"` // nil while open
}

// Fill is one row of the fills table.
type Fill struct {
	FillID     string    `db:"fill_id"`
	SessionID  string    `db:"session_id"`
	OrderID    string    `db:"order_id"`
	ExecutedAt time.Time `db:"executed_at"`
	Side       Side      `db:"side"`
	Price      float64   `db:"price"`
	QtyXRP     float64   `db:"qty_xrp"`
	ValueRLUSD float64   `db:"value_rlusd"`
	FeeRLUSD   float64   `db:"fee_rlusd"`
}

// InventorySnapshot is one row of inventory_snapshots: balances and drift at
// a mid price.
type InventorySnapshot struct {
	SessionID              string    `db:"session_id"`
	CreatedAt              time.Time `db:"created_at"`
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
// against simply holding the starting balances.
type ValuationSnapshot struct {
	SessionID         string    `db:"session_id"`
	CreatedAt         time.Time `db:"created_at"`
	MidPrice          float64   `db:"mid_price"`
	AnchorPrice       float64   `db:"anchor_price"`
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
// and shutdown steps, shown in the history view.
type SessionEvent struct {
	SessionID string    `db:"session_id"`
	CreatedAt time.Time `db:"created_at"`
	Level     string    `db:"level"`
	Kind      string    `db:"kind"`
	Message   string    `db:"message"`
}
