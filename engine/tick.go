package engine

// One market event through the session (onEvent): the fills it makes on the
// paper exchange, the valuation, the risk checks (risk.go), the snapshots
// and the quotes it leads to (requote). Also the operator's pause, which
// the loop serves between events.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"
)

// paperState is the market as last seen, the paper exchange and the
// strategy's and risk checks' memory between market events.
type paperState struct {
	paper      Paper
	resting    map[string]restingInfo // by order id
	paused     bool
	market     MarketEvent
	haveMarket bool
	drift      DriftWindow
	tier       int         // the hysteretic skew tier (NextSkewTier)
	diverging  anchorWatch // the risk checks' memory (risk.go)
	skipWarned map[Side]bool
	orderSeq   int
	fillSeq    int
	// The live feed's health as the quoting last saw it (liveness.go).
	interruptions uint64 // LedgerInfo.Interruptions of the last event
	pulled        bool   // quotes are pulled until the feed is LIVE again

	lastFeedState      string // FeedStatus.State last published
	lastFeedReconnects int    // FeedStatus.Reconnects last published

	fromFile    bool          // the feed replays a file (BarFeed): gaps are data gaps, never stale
	barInterval time.Duration // the file's bar interval; 0 unknown
}

// newPaperState is the state before the first market event: the
// configured starting balances and nothing resting.
func newPaperState(cfg Config) paperState {
	return paperState{
		resting:    map[string]restingInfo{},
		skipWarned: map[Side]bool{},
		drift:      DriftWindow{Window: DriftVelocityWindow},
		paper: Paper{
			FeeBps:        cfg.Strategy.FeeBps,
			NetworkFeeXRP: cfg.Strategy.NetworkFeeXRP,
			XRP:           cfg.Session.StartingXRP,
			RLUSD:         cfg.Session.StartingRLUSD,
		},
	}
}

// restingInfo is what requote remembers of a resting order.
type restingInfo struct {
	centre float64   // the centre it was quoted around
	tier   int       // the skew tier it was quoted at
	placed time.Time // market time of placement
}

// apply takes one market event through the session: the duration limit,
// pacing, the event itself, its commit and the publish cadence. end says
// that the loop must return reason and err (both may be empty: a stop asked
// for while a commit waited).
func (e *Engine) apply(ctx context.Context, ev MarketEvent) (end bool, reason HaltReason, err error) {
	if e.limit > 0 && ev.Time.Sub(e.marketStart) > e.limit {
		return true, HaltDurationReached, nil
	}
	if e.speed > 0 && !e.live {
		if end, r, err := e.pace(ctx, ev.Time); end {
			return true, r, err // ev was not due when the stop came: never applied
		}
	}
	if r, err := e.onEvent(ctx, ev); r != "" || err != nil {
		if err != nil {
			r, err = e.failed(err)
		}
		return true, r, err
	}
	if err := e.maybeCommit(ctx); err != nil {
		r, err := e.failed(err)
		return true, r, err
	}
	if e.dirty && e.now().Sub(e.lastPublish) >= e.cfg.Console.RefreshRate.Duration {
		if err := e.commit(ctx); err != nil {
			r, err := e.failed(err)
			return true, r, err
		}
		e.publish(false)
	}
	return false, "", nil
}

// onEvent applies one market event: fills, valuation, risk, snapshots and
// quotes, in that order.
func (e *Engine) onEvent(ctx context.Context, ev MarketEvent) (HaltReason, error) {
	if reason, err := e.beforeFills(ctx, ev); reason != "" {
		return reason, err
	}
	// Fills first: they happened against the quotes that rested before ev.
	for _, x := range e.paper.Match(ev, e.match) {
		e.recordFill(ev, x)
	}
	v := e.track(ev)

	// Risk (risk.go).
	r := checkRisk(e.cfg, e.startValue, v, ev, e.diverging)
	if r.halt != nil {
		return e.halt(r.halt)
	}
	e.diverging = r.watch
	if r.note != nil {
		e.event(r.note.level, "guard", r.note.message)
	}

	// Snapshots.
	if ev.Time.Sub(e.lastInvAt) >= e.cfg.Store.SnapshotInterval.Duration {
		e.snapshotInventory(ev.Time)
	}
	if ev.Time.Sub(e.lastValAt) >= e.cfg.Store.ValuationInterval.Duration {
		e.snapshotValuation(ev.Time)
	}

	if ev.Ledger != nil && ev.Ledger.Live() && e.pulled {
		e.pulled = false
		e.event(LevelInfo, "feed_quoting", "feed LIVE again: quoting resumes")
	}
	if !e.paused && !e.pulled {
		if err := e.requote(ctx, ev, v); err != nil {
			return HaltEngineError, err
		}
	}
	e.dirty = true
	return "", nil
}

// beforeFills is what an event settles before any fill: prices that would
// make a recorded figure non-finite end the session on the last good ones;
// a gap in the data ends it (stale) or pulls the quotes (a replay's data
// gap); a live feed that left LIVE pulls them too. A non-empty reason ends
// the session.
func (e *Engine) beforeFills(ctx context.Context, ev MarketEvent) (HaltReason, error) {
	if v := e.value(ev.Mid()); !(ev.Mid() > 0) || !finite(ev.Bid, ev.Ask, ev.Anchor, v.TotalValueInRLUSD, v.XRPPct, v.DriftPct) {
		msg := fmt.Sprintf("market event at %s has bid %g, ask %g, anchor %g (value %g RLUSD): not finite prices; the session ends on the last good ones",
			ev.Time.UTC().Format(time.RFC3339), ev.Bid, ev.Ask, ev.Anchor, v.TotalValueInRLUSD)
		e.event(LevelError, "engine_error", msg)
		return HaltEngineError, errors.New(msg)
	}
	if e.haveMarket {
		g := checkFeedGap(e.cfg, e.fromFile, e.barInterval, e.market.Time, ev.Time)
		if g.halt != nil {
			e.market = ev
			return e.halt(g.halt)
		}
		if g.gap != nil {
			// Quotes that rested through missing data must not fill on
			// the first bar after it: pull them (cancels recorded), then
			// quote again on this event.
			if err := e.cancelAll(ctx); err != nil {
				return HaltEngineError, fmt.Errorf("pulling quotes over a data gap: %w", err)
			}
			e.event(g.gap.level, "data_gap", g.gap.message)
		}
	}
	// A live feed that left LIVE since the last event (or is not LIVE
	// now): the quotes are pulled before anything else, as the health
	// check may already have done between events (liveness.go).
	if ev.Ledger != nil && (!ev.Ledger.Live() || (e.haveMarket && ev.Ledger.Interruptions != e.interruptions)) {
		if err := e.pullQuotes(ctx, "feed "+ev.Ledger.State); err != nil {
			return HaltEngineError, err
		}
	}
	e.takeFeedEvents()
	return "", nil
}

// track makes ev the current market: the ledger's facts, the valuation at
// its mid, the drift window, the skew tier (an event when it changes) and
// the chart samples. It returns the valuation.
func (e *Engine) track(ev MarketEvent) Valuation {
	if ev.Ledger != nil {
		e.interruptions = ev.Ledger.Interruptions
		e.applyLedger(*ev.Ledger)
	}
	e.market = ev
	e.haveMarket = true
	e.lastTickWall = e.now()
	mid := ev.Mid()
	v := e.value(mid)
	e.drift.Add(ev.Time, v.DriftPct)
	if v.SkewTier != e.tier { // hysteretic (value): hovering at a threshold is no change
		e.event(LevelInfo, "tier_change", fmt.Sprintf("skew tier %d -> %d (drift %+.2f%%)", e.tier, v.SkewTier, v.DriftPct))
		e.tier = v.SkewTier
	}
	if ev.Time.Sub(e.lastHistAt) >= historyStep {
		e.hist.add(HistorySample{Time: ev.Time, Mid: mid, DriftPct: v.DriftPct,
			ValueRLUSD: v.TotalValueInRLUSD, HoldRLUSD: e.startRLUSD + e.startXRP*mid})
		e.lastHistAt = ev.Time
	}
	return v
}

// halt records the event of a risk check's halt and returns its reason.
func (e *Engine) halt(h *riskHalt) (HaltReason, error) {
	return h.reason, e.eventErr(LevelError, h.kind, h.message)
}

// value computes the inventory figures at mid. Its SkewTier is the
// hysteretic tier the session moves to from its current one
// (NextSkewTier), so that snapshots, quotes and tier_change events agree.
func (e *Engine) value(mid float64) Valuation {
	st := e.cfg.Strategy
	v := Value(e.paper.XRP, e.paper.RLUSD, mid, st.TargetXRPPct, st.SkewTierThresholdsPct)
	v.SkewTier = NextSkewTier(e.tier, v.DriftPct, st.SkewTierThresholdsPct, st.SkewTierHysteresisPct)
	return v
}

// requote keeps at most one order a side at the strategy's price: an order
// is replaced when the centre moved past requote_threshold_bps since it was
// placed, the skew tier changed, it aged past order_refresh, or its side
// must not quote any more.
func (e *Engine) requote(ctx context.Context, ev MarketEvent, v Valuation) error {
	centre := Centre(ev.Mid(), ev.Anchor, e.cfg.Strategy.AnchorMaxDivergenceBps)
	want := MakeQuotesAtTier(e.cfg.Strategy, centre, v.DriftPct, v.SkewTier)
	at := ev.Time
	var writes []Order
	for _, side := range []Side{Buy, Sell} {
		intent := want.Bid
		if side == Sell {
			intent = want.Ask
		}
		var cur *Order
		for _, o := range e.paper.open {
			if o.Side == side {
				cur = &o // a copy: each iteration has its own o
				break
			}
		}
		if cur != nil {
			info := e.resting[cur.OrderID]
			moved := math.Abs(centre-info.centre)/info.centre*1e4 > e.cfg.Strategy.RequoteThresholdBps
			aged := ev.Time.Sub(info.placed) >= e.cfg.Strategy.OrderRefresh.Duration
			if intent != nil && !moved && !aged && info.tier == want.Tier {
				continue
			}
			writes = append(writes, e.cancelOrder(*cur, at))
		}
		if intent == nil {
			continue
		}
		if qp, ok := e.match.(QuotePricer); ok {
			intent.Price = qp.QuotePrice(ev, side, intent.Price)
		}
		if err := e.paper.CanPlace(side, intent.Price, intent.QtyXRP); err != nil {
			if !e.skipWarned[side] {
				e.skipWarned[side] = true
				e.log.Warn("order not placed: balance too low (logged once until it clears)", "side", side, "err", err)
				e.event(LevelWarn, "order_skipped", "order not placed: "+err.Error())
			}
			continue
		}
		e.skipWarned[side] = false
		e.orderSeq++
		o := Order{
			OrderID:    fmt.Sprintf("o%d", e.orderSeq), // unique within the session
			SessionID:  e.sessionID,
			Side:       side,
			Price:      intent.Price,
			QtyXRP:     intent.QtyXRP,
			MarketTime: at,
			Status:     OrderOpen,
		}
		if err := e.paper.Place(o); err != nil {
			return fmt.Errorf("placing %s: %w", o.OrderID, err)
		}
		e.resting[o.OrderID] = restingInfo{centre: centre, tier: want.Tier, placed: ev.Time}
		writes = append(writes, o)
	}
	if len(writes) > 0 {
		e.stage()
		e.pending.Orders = append(e.pending.Orders, writes...)
	}
	return nil
}

// SetPaused stops or resumes quoting. It never blocks.
func (e *Engine) SetPaused(paused bool) {
	select {
	case e.pauseCh <- paused:
	default:
	}
}

// setPaused pauses (cancelling resting orders) or resumes quoting.
func (e *Engine) setPaused(ctx context.Context, paused bool) error {
	if paused == e.paused {
		return nil
	}
	e.paused = paused
	if paused {
		e.status = StatusPaused
		e.event(LevelInfo, "pause", "quoting paused by the operator; open orders cancelled")
		e.log.Info("quoting paused", "session", e.sessionID)
		if err := e.cancelAll(ctx); err != nil {
			return fmt.Errorf("cancelling orders on pause: %w", err)
		}
	} else {
		e.status = StatusRunning
		e.event(LevelInfo, "pause", "quoting resumed by the operator")
		e.log.Info("quoting resumed", "session", e.sessionID)
	}
	e.publish(true)
	return nil
}
