package engine

import (
	"context"
	"fmt"
	"time"
)

// recorder holds the durable writes staged by the session goroutine until
// they are committed in one transaction (commit), and the contexts that
// bound the writes to the Store.
type recorder struct {
	pending      Batch              // durable writes not yet committed
	pendingTicks int                // market events since the last commit
	pendingSince time.Time          // wall time of the first uncommitted write
	lastInvAt    time.Time          // market time of the last inventory snapshot
	lastValAt    time.Time          // market time of the last valuation snapshot
	evCtx        context.Context    // bounds queueing an event (the shutdown's stage)
	commitCtx    context.Context    // the loop's commits; cancelled when a stop is asked for
	commitCancel context.CancelFunc // cancels commitCtx
}

// Commit policy at full speed: the writes of several market events share
// one transaction, bounded in rows, events and wall time. Nothing is shown
// or reported before it is committed: publish commits first.
const (
	commitMaxRows   = 1024
	commitMaxEvents = 256
	commitMaxWait   = 20 * time.Millisecond
)

// maybeCommit commits the pending writes at the end of a market event: at
// once in real time, per commit policy at full speed.
func (e *Engine) maybeCommit(ctx context.Context) error {
	if e.pending.Len() == 0 {
		e.pendingTicks = 0
		return nil
	}
	e.pendingTicks++
	if e.speed > 0 || e.pending.Len() >= commitMaxRows || e.pendingTicks >= commitMaxEvents ||
		e.now().Sub(e.pendingSince) >= commitMaxWait {
		return e.commit(ctx)
	}
	return nil
}

// commit writes the pending orders, fills and snapshots durably in one
// transaction.
func (e *Engine) commit(ctx context.Context) error {
	if e.pending.Len() == 0 {
		return nil
	}
	b := e.pending
	// A fresh batch: the store may still hold b's slices if ctx ends
	// before its transaction does.
	e.pending = Batch{}
	e.pendingTicks = 0
	if err := e.store.SaveBatch(ctx, b); err != nil {
		return fmt.Errorf("saving %d orders, %d fills and %d snapshots: %w", len(b.Orders), len(b.Fills), len(b.Inventory)+len(b.Valuations), err)
	}
	return nil
}

// stage marks the start of a pending batch.
func (e *Engine) stage() {
	if e.pending.Len() == 0 {
		e.pendingSince = e.now()
	}
}

func (e *Engine) inventorySnapshot(mid float64) InventorySnapshot {
	v := e.value(mid)
	return InventorySnapshot{
		SessionID:              e.sessionID,
		CreatedAt:              e.now(),
		MidPrice:               mid,
		XRPBalance:             e.paper.XRP,
		RLUSDBalance:           e.paper.RLUSD,
		XRPValueInRLUSD:        v.XRPValueInRLUSD,
		TotalValueInRLUSD:      v.TotalValueInRLUSD,
		XRPPct:                 v.XRPPct,
		DriftPct:               v.DriftPct,
		SkewTier:               v.SkewTier,
		DriftVelocityPctPerMin: e.drift.Slope(),
	}
}

func (e *Engine) valuationSnapshot(mid, anchor float64) ValuationSnapshot {
	v := e.value(mid)
	hold := e.cfg.Session.StartingRLUSD + e.cfg.Session.StartingXRP*mid
	return ValuationSnapshot{
		SessionID:         e.sessionID,
		CreatedAt:         e.now(),
		MidPrice:          mid,
		AnchorPrice:       anchor,
		TotalValueInRLUSD: v.TotalValueInRLUSD,
		HoldValueInRLUSD:  hold,
		PnLRLUSD:          v.TotalValueInRLUSD - e.startValue,
		FeesRLUSD:         e.paper.TradingFees + e.paper.NetworkFeesXRP*mid,
	}
}

// snapshotInventory stages an inventory snapshot with the event's writes,
// so that it commits together with the fills it reflects.
func (e *Engine) snapshotInventory(at time.Time) {
	e.lastInvAt = at
	e.stage()
	e.pending.Inventory = append(e.pending.Inventory, e.inventorySnapshot(e.market.Mid()))
}

// snapshotValuation stages a valuation snapshot with the event's writes.
func (e *Engine) snapshotValuation(at time.Time) {
	e.lastValAt = at
	e.stage()
	e.pending.Valuations = append(e.pending.Valuations, e.valuationSnapshot(e.market.Mid(), e.market.Anchor))
}

// recordFill stages a fill, its filled order and an inventory snapshot after
// it, to commit together.
func (e *Engine) recordFill(ev MarketEvent, x Execution) {
	e.fillSeq++
	now := e.now()
	f := Fill{
		FillID:     fmt.Sprintf("%s-f%d", e.sessionID, e.fillSeq),
		SessionID:  e.sessionID,
		OrderID:    x.Order.OrderID,
		ExecutedAt: now,
		Side:       x.Order.Side,
		Price:      x.Order.Price,
		QtyXRP:     x.Order.QtyXRP,
		ValueRLUSD: x.ValueRLUSD,
		FeeRLUSD:   x.FeeRLUSD,
	}
	o := x.Order
	o.Status = OrderFilled
	o.ClosedAt = &now
	delete(e.resting, o.OrderID)
	e.stage()
	e.pending.Orders = append(e.pending.Orders, o)
	e.pending.Fills = append(e.pending.Fills, f)
	e.pending.Inventory = append(e.pending.Inventory, e.inventorySnapshot(ev.Mid()))
	e.fillCount++
	e.volume += f.ValueRLUSD
	e.recentFills = append([]Fill{f}, e.recentFills...)
	if len(e.recentFills) > recentFillsKept {
		e.recentFills = e.recentFills[:recentFillsKept]
	}
}

// cancelAll cancels every resting order and commits the cancels, with any
// writes still pending, durably.
func (e *Engine) cancelAll(ctx context.Context) error {
	now := e.now()
	for _, o := range e.paper.Open() {
		e.paper.Cancel(o.OrderID)
		delete(e.resting, o.OrderID)
		o.Status = OrderCancelled
		o.ClosedAt = &now
		e.stage()
		e.pending.Orders = append(e.pending.Orders, o)
	}
	return e.commit(ctx)
}

// event records a session event (queued) and keeps it for the screen.
func (e *Engine) event(level, kind, msg string) {
	ev := SessionEvent{SessionID: e.sessionID, CreatedAt: e.now(), Level: level, Kind: kind, Message: msg}
	e.events = append(e.events, ev)
	if len(e.events) > 50 {
		e.events = append(e.events[:0], e.events[len(e.events)-50:]...)
	}
	if err := e.store.AddEvent(e.evCtx, ev); err != nil {
		e.log.Error("queueing a session event failed", "session", e.sessionID, "kind", kind, "err", err)
	}
	e.dirty = true
}

// eventErr records an event for a halt and returns nil, so that risk halts
// read as `return reason, e.eventErr(...)`.
func (e *Engine) eventErr(level, kind, msg string) error {
	e.log.Warn("halt: "+msg, "session", e.sessionID)
	e.event(level, kind, msg)
	return nil
}
