package engine

import (
	"encoding/json"
	"fmt"
	"time"
)

// Duration is a time.Duration written as text ("3s", "1m30s") in TOML and
// JSON.
type Duration struct{ time.Duration }

// D makes a Duration.
func D(d time.Duration) Duration { return Duration{d} }

// UnmarshalText parses a Go duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration (use e.g. 500ms, 3s, 5m)", string(b))
	}
	d.Duration = v
	return nil
}

// MarshalText writes the duration as a Go duration string.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Config is the whole effective configuration. Every key has a default
// (DefaultConfig); the TOML keys are the tags.
type Config struct {
	Session  SessionConfig  `toml:"session" json:"session"`
	Strategy StrategyConfig `toml:"strategy" json:"strategy"`
	Risk     RiskConfig     `toml:"risk" json:"risk"`
	Store    StoreConfig    `toml:"store" json:"store"`
	Console  ConsoleConfig  `toml:"console" json:"console"`
	XRPL     XRPLConfig     `toml:"xrpl" json:"xrpl"`
}

// SessionConfig is the [session] table.
//
// The starting balances are either derived or explicit. Derived (the
// default): StartingValueRLUSD > 0 and both balances 0; the engine splits
// the value at target_xrp_pct at the feed's first mid (StartingBalances),
// so that a file at any price level starts balanced. Explicit:
// StartingValueRLUSD = 0 and the balances as given. Setting both is a
// validation error; the loader zeroes the default value when a file sets a
// balance without it.
type SessionConfig struct {
	StartingValueRLUSD float64  `toml:"starting_value_rlusd" json:"starting_value_rlusd"` // value to split at the first mid; 0: explicit balances
	StartingXRP        float64  `toml:"starting_xrp" json:"starting_xrp"`                 // XRP at start (explicit balances)
	StartingRLUSD      float64  `toml:"starting_rlusd" json:"starting_rlusd"`             // RLUSD at start (explicit balances)
	ShutdownTimeout    Duration `toml:"shutdown_timeout" json:"shutdown_timeout"`         // bound on the shutdown path
}

// StartingBalances returns the balances a session starts with when the
// feed's first mid is mid: the explicit balances, or starting_value_rlusd
// split at target_xrp_pct (drift 0, skew tier 0 at that mid).
func (c Config) StartingBalances(mid float64) (xrp, rlusd float64) {
	s := c.Session
	if s.StartingValueRLUSD <= 0 {
		return s.StartingXRP, s.StartingRLUSD
	}
	share := c.Strategy.TargetXRPPct / 100
	return s.StartingValueRLUSD * share / mid, s.StartingValueRLUSD * (1 - share)
}

// StrategyConfig is the [strategy] table.
type StrategyConfig struct {
	BaseSizeRLUSD             float64   `toml:"base_size_rlusd" json:"base_size_rlusd"`                           // quote size per side, RLUSD
	HalfSpreadBps             float64   `toml:"half_spread_bps" json:"half_spread_bps"`                           // distance of each side from the centre, bps
	AnchorMaxDivergenceBps    float64   `toml:"anchor_max_divergence_bps" json:"anchor_max_divergence_bps"`       // clamp of the anchor around the mid, bps
	AnchorDivergenceHaltAfter Duration  `toml:"anchor_divergence_halt_after" json:"anchor_divergence_halt_after"` // halt when divergence persists this long
	TargetXRPPct              float64   `toml:"target_xrp_pct" json:"target_xrp_pct"`                             // target XRP share of value, percent
	SkewTierThresholdsPct     []float64 `toml:"skew_tier_thresholds_pct" json:"skew_tier_thresholds_pct"`         // |drift| thresholds, percent, ascending
	SkewTierBps               []float64 `toml:"skew_tier_bps" json:"skew_tier_bps"`                               // skew per tier, bps (same length)
	SkewTierHysteresisPct     float64   `toml:"skew_tier_hysteresis_pct" json:"skew_tier_hysteresis_pct"`         // a tier is left below its threshold minus this, percentage points
	RequoteThresholdBps       float64   `toml:"requote_threshold_bps" json:"requote_threshold_bps"`               // replace orders when the centre moves this far
	OrderRefresh              Duration  `toml:"order_refresh" json:"order_refresh"`                               // replace orders older than this
	FeeBps                    float64   `toml:"fee_bps" json:"fee_bps"`                                           // trading fee on fill value, bps
	NetworkFeeXRP             float64   `toml:"network_fee_xrp" json:"network_fee_xrp"`                           // ledger cost per transaction, XRP
}

// RiskConfig is the [risk] table.
type RiskConfig struct {
	MaxDrawdownPct float64  `toml:"max_drawdown_pct" json:"max_drawdown_pct"` // of starting value, percent
	MaxDriftPct    float64  `toml:"max_drift_pct" json:"max_drift_pct"`       // |drift_pct| limit
	StaleFeedAfter Duration `toml:"stale_feed_after" json:"stale_feed_after"` // halt after this long without market data
}

// StoreConfig is the [store] table.
type StoreConfig struct {
	CheckpointInterval Duration `toml:"checkpoint_interval" json:"checkpoint_interval"` // periodic wal_checkpoint(TRUNCATE)
	BackupRetention    int      `toml:"backup_retention" json:"backup_retention"`       // newest backups kept
	SnapshotInterval   Duration `toml:"snapshot_interval" json:"snapshot_interval"`     // inventory snapshots (also on every fill)
	ValuationInterval  Duration `toml:"valuation_interval" json:"valuation_interval"`   // valuation snapshots
}

// ConsoleConfig is the [console] table.
type ConsoleConfig struct {
	RefreshRate Duration `toml:"refresh_rate" json:"refresh_rate"` // most redraws per interval
	Theme       string   `toml:"theme" json:"theme"`               // auto | dark | light | mono
}

// XRPLConfig is the [xrpl] table: the live XRP Ledger feed (--feed xrpl).
// The feed package holds the same defaults (a test keeps them equal).
type XRPLConfig struct {
	Endpoints      []string `toml:"endpoints" json:"endpoints"`             // servers, wss:// (ws:// on loopback only), tried in turn
	Issuer         string   `toml:"issuer" json:"issuer"`                   // issuer of the quoted currency (RLUSD)
	Currency       string   `toml:"currency" json:"currency"`               // currency code: 3 letters or 40 hex digits
	RequestTimeout Duration `toml:"request_timeout" json:"request_timeout"` // answer to one request
	PingAfter      Duration `toml:"ping_after" json:"ping_after"`           // silence before a ping
	LiveWithin     Duration `toml:"live_within" json:"live_within"`         // validated ledger age for LIVE
	StaleAfter     Duration `toml:"stale_after" json:"stale_after"`         // no validated ledger: STALE
	DialTimeout    Duration `toml:"dial_timeout" json:"dial_timeout"`       // opening handshake
	BackoffMin     Duration `toml:"backoff_min" json:"backoff_min"`         // first reconnect delay bound
	BackoffMax     Duration `toml:"backoff_max" json:"backoff_max"`         // cap of the delay bound
	HealthyReset   Duration `toml:"healthy_reset" json:"healthy_reset"`     // healthy this long: backoff starts over
	Cooldown       Duration `toml:"cooldown" json:"cooldown"`               // a server that rate-limited us rests this long
	ResyncEvery    Duration `toml:"resync_every" json:"resync_every"`       // periodic book_offers resync
}

// DefaultConfig returns the configuration used when nothing overrides it.
// assets/config.toml documents the same values.
func DefaultConfig() Config {
	return Config{
		Session: SessionConfig{
			StartingValueRLUSD: 4600, // 1,000 XRP + 2,300 RLUSD at 2.30
			ShutdownTimeout:    D(3 * time.Second),
		},
		Strategy: StrategyConfig{
			BaseSizeRLUSD:             15.0,
			HalfSpreadBps:             25,
			AnchorMaxDivergenceBps:    10.0,
			AnchorDivergenceHaltAfter: D(5 * time.Minute),
			TargetXRPPct:              50,
			SkewTierThresholdsPct:     []float64{5, 10, 20},
			SkewTierBps:               []float64{5, 10, 20},
			SkewTierHysteresisPct:     1,
			RequoteThresholdBps:       5,
			OrderRefresh:              D(60 * time.Second),
			FeeBps:                    1,
			NetworkFeeXRP:             0.000012,
		},
		Risk: RiskConfig{
			MaxDrawdownPct: 10,
			MaxDriftPct:    35,
			StaleFeedAfter: D(2 * time.Minute),
		},
		Store: StoreConfig{
			CheckpointInterval: D(60 * time.Second),
			BackupRetention:    10,
			SnapshotInterval:   D(2 * time.Minute), // market time: a replayed year stays under 300 bytes a bar
			ValuationInterval:  D(5 * time.Minute),
		},
		Console: ConsoleConfig{
			RefreshRate: D(250 * time.Millisecond),
			Theme:       "auto",
		},
		XRPL: XRPLConfig{
			Endpoints:      []string{"wss://xrplcluster.com", "wss://s1.ripple.com", "wss://s2.ripple.com"},
			Issuer:         "rMxCKbEDwqr76QuheSUMdEGf4B9xJ8m5De",
			Currency:       "524C555344000000000000000000000000000000",
			RequestTimeout: D(10 * time.Second),
			PingAfter:      D(10 * time.Second),
			LiveWithin:     D(15 * time.Second),
			StaleAfter:     D(60 * time.Second),
			DialTimeout:    D(10 * time.Second),
			BackoffMin:     D(time.Second),
			BackoffMax:     D(60 * time.Second),
			HealthyReset:   D(60 * time.Second),
			Cooldown:       D(5 * time.Minute),
			ResyncEvery:    D(60 * time.Second),
		},
	}
}

// JSON returns the config as compact JSON, as stored in sessions.config_json.
func (c Config) JSON() string {
	b, err := json.Marshal(c)
	if err != nil { // cannot happen: every field marshals
		return "{}"
	}
	return string(b)
}
