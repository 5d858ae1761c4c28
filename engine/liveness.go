package engine

// A live feed's health in the session: quotes are pulled (cancelled and
// recorded) while the feed is not LIVE and return when it is LIVE again;
// the feed's connection events become session events; the ledger's costs
// (network fee, reserves, transfer fee) reach the paper exchange.
//
// Determinism: a replay of a recording must end where the live session
// did. Between events the health check (live sessions only) pulls quotes
// as soon as the feed's status leaves LIVE; the next event then carries a
// higher LedgerInfo.Interruptions (or a state other than LIVE), so a
// replay pulls the same quotes at that event, before its fills, at the
// same network fee. Nothing is placed in between, so both end alike.

import (
	"context"
	"time"
)

// healthEvery is how often a live session looks at its feed's health
// between market events (ledgers close every 3-5 s).
const healthEvery = time.Second

// checkHealth runs between market events of a live feed: it records the
// feed's connection events, pulls the quotes if the feed is not LIVE, and
// publishes a status that changed.
func (e *Engine) checkHealth(ctx context.Context) error {
	e.takeFeedEvents()
	h, ok := e.feed.(FeedHealth)
	if !ok {
		return nil
	}
	st := h.FeedStatus()
	if st.State != "LIVE" {
		if err := e.pullQuotes(ctx, "feed "+st.State); err != nil {
			return err
		}
	}
	changed := st.State != e.lastFeedState || st.Reconnects != e.lastFeedReconnects
	if !changed && !e.dirty {
		return nil
	}
	// Nothing is shown before it is durable.
	if err := e.commit(ctx); err != nil {
		return err
	}
	e.lastFeedState, e.lastFeedReconnects = st.State, st.Reconnects
	e.publish(changed)
	return nil
}

// pullQuotes cancels every resting order (recorded) and stops quoting
// until an event of a LIVE feed arrives. why names the feed state.
func (e *Engine) pullQuotes(ctx context.Context, why string) error {
	if !e.pulled {
		e.pulled = true
		e.event(LevelWarn, "feed_quoting", why+": quotes pulled until the feed is LIVE again")
	}
	if len(e.paper.open) == 0 {
		return nil
	}
	return e.cancelAll(ctx)
}

// takeFeedEvents records the feed's connection events as session events
// of kind "feed_" + their kind.
func (e *Engine) takeFeedEvents() {
	src, ok := e.feed.(FeedEventSource)
	if !ok {
		return
	}
	for _, fe := range src.TakeFeedEvents() {
		level := fe.Level
		switch level {
		case LevelInfo, LevelWarn, LevelError:
		default:
			level = LevelInfo
		}
		e.event(level, "feed_"+fe.Kind, fe.Message)
	}
}

// applyLedger takes a validated ledger's costs into the paper exchange:
// the network fee (base fee × load factor) of the next placements and
// cancels, the account and owner reserves, the issuer's transfer fee.
func (e *Engine) applyLedger(l LedgerInfo) {
	if l.BaseFeeDrops > 0 {
		e.paper.NetworkFeeXRP = l.NetworkFeeXRP()
	}
	e.paper.ReserveBaseXRP, e.paper.ReserveIncXRP = l.ReserveXRP()
	e.paper.TransferFee = l.TransferFee()
}
