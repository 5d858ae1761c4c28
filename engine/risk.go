package engine

import (
	"fmt"
	"math"
	"time"
)

// The risk checks are pure functions of the configuration, the inventory's
// valuation, the market event and the market clock: they read no Engine and
// write nothing, so that every halt and every boundary is a row in
// risk_test.go. The session goroutine applies their verdicts (onEvent in
// tick.go; the loop's wall-clock stale timer in engine.go): it records the
// halt's event and ends the loop, or keeps the anchor watch and records its
// note.

// riskHalt is a halt a risk check asks for, with the session event that
// says why.
type riskHalt struct {
	reason  HaltReason
	kind    string // the session event's kind
	message string
}

// riskNote is a session event a risk check asks for without halting.
type riskNote struct {
	level   string
	message string
}

// anchorWatch is the risk checks' memory between market events: how long
// the anchor has been outside its band.
type anchorWatch struct {
	since  time.Time // market time the anchor left its band; zero: inside it
	warned bool      // the guard event for this excursion was recorded
}

// riskVerdict is what checkRisk decided for one market event.
type riskVerdict struct {
	halt  *riskHalt   // nil: the session goes on
	watch anchorWatch // the anchor watch for the next event (when not halting)
	note  *riskNote   // a guard event to record: an excursion persists or ended
}

// divergenceWarnAfter is how long the anchor must stay outside its band
// before a guard event says so.
const divergenceWarnAfter = 30 * time.Second

// DataGapFactor is where a pause between two bars of a replayed file
// stops being the file's rhythm and becomes missing data: more than this
// many bar intervals (a 1-minute file: more than 90 s; an hourly one: more
// than 1h30m). One missing bar is a gap.
const DataGapFactor = 1.5

// feedGap is what checkFeedGap decided about the time between two market
// events: nothing (both nil), a halt, or a data gap to ride out.
type feedGap struct {
	halt *riskHalt
	gap  *riskNote // a replay's missing data: pull the quotes, record this, go on
}

// checkFeedGap judges the market time between the previous market event
// (at last) and the next one (at next), before the next event's fills are
// applied.
//
// A live or simulated feed (fromFile false) halts as stale_feed when the
// pause is longer than stale_feed_after. A replayed file (fromFile true) is
// the truth about its market and never goes stale: a pause longer than
// DataGapFactor × barInterval is a gap in the data (exchange downtime, a
// missing bar), which pulls the quotes (a quote resting through the gap
// would fill on the first bar after it at a price nobody saw) and lets the
// session go on. With no known interval (a file of one bar) nothing is a
// gap.
func checkFeedGap(cfg Config, fromFile bool, barInterval time.Duration, last, next time.Time) feedGap {
	gap := next.Sub(last)
	if !fromFile {
		if gap > cfg.Risk.StaleFeedAfter.Duration {
			return feedGap{halt: &riskHalt{HaltStaleFeed, "stale_feed", fmt.Sprintf("no market data for %s (limit %s)", gap, cfg.Risk.StaleFeedAfter)}}
		}
		return feedGap{}
	}
	if barInterval <= 0 || float64(gap) <= DataGapFactor*float64(barInterval) {
		return feedGap{}
	}
	return feedGap{gap: &riskNote{LevelWarn, fmt.Sprintf("data gap of %s from %s to %s (%.1f bar intervals of %s): quotes pulled, quoting resumes on the bar after it",
		gap, last.UTC().Format(reportTime), next.UTC().Format(reportTime), float64(gap)/float64(barInterval), barInterval)}}
}

// silentFeedHalt is the halt of a feed that sent nothing for
// stale_feed_after scaled to wall time (the loop's timer decides when).
func silentFeedHalt(cfg Config) *riskHalt {
	return &riskHalt{HaltStaleFeed, "stale_feed", fmt.Sprintf("no market data for %s", cfg.Risk.StaleFeedAfter)}
}

// checkRisk checks a market event once its fills are applied, v being the
// inventory valued at the event's mid: max_drawdown_pct of startValue, then
// max_drift_pct, then the anchor's divergence from the mid, which halts only
// once it has lasted longer than anchor_divergence_halt_after of market time
// (w carries its start from event to event). Brief excursions are normal
// (the centre is clamped): a guard note says so only when one persists past
// divergenceWarnAfter, and again when it ends.
func checkRisk(cfg Config, startValue float64, v Valuation, ev MarketEvent, w anchorWatch) riskVerdict {
	if dd := 100 * (startValue - v.TotalValueInRLUSD) / startValue; dd >= cfg.Risk.MaxDrawdownPct {
		return riskVerdict{watch: w, halt: &riskHalt{HaltMaxDrawdown, "risk",
			fmt.Sprintf("value %.2f%% below the starting value reached max_drawdown_pct %.2f%%", dd, cfg.Risk.MaxDrawdownPct)}}
	}
	if math.Abs(v.DriftPct) >= cfg.Risk.MaxDriftPct {
		return riskVerdict{watch: w, halt: &riskHalt{HaltInventoryLimit, "risk",
			fmt.Sprintf("drift %+.2f%% reached max_drift_pct %.2f%%", v.DriftPct, cfg.Risk.MaxDriftPct)}}
	}
	return checkAnchor(cfg, ev, w)
}

// checkAnchor is checkRisk's last check: the anchor's divergence from the
// mid and how long it has lasted.
func checkAnchor(cfg Config, ev MarketEvent, w anchorWatch) riskVerdict {
	limit := cfg.Strategy.AnchorMaxDivergenceBps
	div := DivergenceBps(ev.Mid(), ev.Anchor)
	if math.Abs(div) > limit {
		if w.since.IsZero() {
			w.since = ev.Time
		}
		d := ev.Time.Sub(w.since)
		if d > cfg.Strategy.AnchorDivergenceHaltAfter.Duration {
			return riskVerdict{watch: w, halt: &riskHalt{HaltAnchorDivergence, "risk",
				fmt.Sprintf("anchor diverged more than %.1f bps from the mid for %s", limit, d)}}
		}
		out := riskVerdict{watch: w}
		if !w.warned && d >= divergenceWarnAfter {
			out.watch.warned = true
			out.note = &riskNote{LevelWarn, fmt.Sprintf("anchor %+.1f bps from the mid for %s (limit %.1f bps, halt after %s): centre clamped",
				div, d, limit, cfg.Strategy.AnchorDivergenceHaltAfter)}
		}
		return out
	}
	if w.since.IsZero() {
		return riskVerdict{watch: w}
	}
	// Back inside the band: the watch restarts.
	out := riskVerdict{}
	if w.warned {
		out.note = &riskNote{LevelInfo, fmt.Sprintf("anchor back within %.1f bps of the mid after %s", limit, ev.Time.Sub(w.since))}
	}
	return out
}
