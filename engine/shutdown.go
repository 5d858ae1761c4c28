package engine

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// The shutdown's budget is shared out so that an early step that stalls
// (a disk that hangs for a second) cannot starve the session-row write: each
// stage has its own deadline, as a fraction of shutdown_timeout from the
// start of the shutdown.
const (
	stageOrders  = 0.45 // steps 1-3: commit, cancel, final snapshot
	stageSession = 0.80 // step 4: the session row
	stageFlush   = 0.85 // step 5: queued writes
	// step 6 (checkpoint and close) has the rest, up to shutdown_timeout.
)

// shutdown is the one shutdown path (DESIGN.md): stop quoting, cancel every
// open order, take the final snapshot, write the session row in one
// synchronous transaction, flush queued writes, checkpoint and close the
// database. It runs once, on the session goroutine, bounded by
// shutdown_timeout; every step is timed, logged and published, and every
// step's error is kept.
func (e *Engine) shutdown(reason HaltReason, cause error) {
	start := e.now()
	timeout := e.cfg.Session.ShutdownTimeout.Duration
	stage := func(frac float64) (context.Context, context.CancelFunc) {
		return context.WithDeadline(context.Background(), start.Add(time.Duration(frac*float64(timeout))))
	}
	ordersCtx, cancelOrders := stage(stageOrders)
	defer cancelOrders()
	e.evCtx = ordersCtx
	e.status = StatusShuttingDown
	if cause != nil {
		e.log.Error("engine failed; closing the session", "session", e.sessionID, "err", cause)
		e.event(LevelError, "engine_error", cause.Error())
	}
	e.log.Info("shutdown: started", "session", e.sessionID, "reason", reason)
	e.event(LevelInfo, "shutdown", "shutdown started: "+string(reason))

	var errs []error
	keep := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	if cause != nil {
		keep(cause)
	}

	// 1. Stop quoting: the loop has returned; stop the feed so that nothing
	// can place an order any more, and commit what the last events wrote.
	keep(e.runStep(StepStopQuoting, func() error {
		e.stopFeed()
		return e.commit(ordersCtx)
	}))

	// 2. Cancel every open order and record it.
	keep(e.runStep(StepCancelOrders, func() error { return e.cancelAll(ordersCtx) }))

	// 3. Final inventory and valuation snapshot.
	var final InventorySnapshot
	keep(e.runStep(StepFinalSnapshot, func() error {
		mid := e.market.Mid()
		final = e.inventorySnapshot(mid)
		if err := e.store.AddInventorySnapshot(ordersCtx, final); err != nil {
			return err
		}
		return e.store.AddValuationSnapshot(ordersCtx, e.valuationSnapshot(mid, e.market.Anchor))
	}))

	// 4. The session row, in one synchronous transaction.
	sessionCtx, cancelSession := stage(stageSession)
	defer cancelSession()
	e.evCtx = sessionCtx
	end := SessionEnd{
		SessionID:   e.sessionID,
		EndedAt:     e.now(),
		EndingXRP:   final.XRPBalance,
		EndingRLUSD: final.RLUSDBalance,
		EndingValue: final.TotalValueInRLUSD,
		HaltReason:  reason,
	}
	werr := e.runStep(StepWriteSession, func() error { return e.store.CloseSession(sessionCtx, end) })
	switch {
	case werr == nil:
		e.event(LevelInfo, "shutdown", fmt.Sprintf("session closed as %s, ending value %.4f RLUSD", reason, end.EndingValue))
	case errors.Is(werr, context.DeadlineExceeded):
		e.log.Error("shutdown: the session row was NOT CONFIRMED within its deadline: it may land later; if not, the next start closes the session as unclean_exit",
			"session", e.sessionID, "reason", reason, "ending_value", end.EndingValue, "err", werr)
		keep(fmt.Errorf("writing the session row: %w", werr))
	default:
		e.log.Error("shutdown: writing the session row FAILED: this session's accounting is not recorded",
			"session", e.sessionID, "reason", reason, "ending_value", end.EndingValue, "err", werr)
		keep(fmt.Errorf("writing the session row: %w", werr))
	}

	// 5. Flush queued writes.
	flushCtx, cancelFlush := stage(stageFlush)
	defer cancelFlush()
	e.evCtx = flushCtx
	keep(e.runStep(StepFlush, func() error { return e.store.Flush(flushCtx) }))

	// 6. Close the read pools, checkpoint, close the database (and release
	// the instance lock).
	closeCtx, cancelClose := stage(1)
	defer cancelClose()
	keep(e.runStep(StepCheckpoint, func() error { return e.store.Close(closeCtx) }))

	e.step.Store("")
	err := errors.Join(errs...)
	e.result = Result{
		SessionID:        e.sessionID,
		Reason:           reason,
		EndingValue:      end.EndingValue,
		ShutdownDuration: e.now().Sub(start),
		Err:              err,
	}
	e.status = StatusEnded
	if err != nil {
		e.pubErr = err.Error()
	}
	e.publish(true)
}

// runStep runs one shutdown step: it names it for CurrentStep, times it,
// logs it (ERROR on failure) and publishes its progress.
func (e *Engine) runStep(name string, fn func() error) error {
	e.step.Store(name)
	e.steps = append(e.steps, ShutdownStep{Name: name})
	e.publish(true)
	t0 := e.now()
	err := fn()
	d := e.now().Sub(t0)
	st := &e.steps[len(e.steps)-1]
	st.Done, st.Duration = true, d
	if err != nil {
		st.Err = err.Error()
		e.log.Error("shutdown step failed", "session", e.sessionID, "step", name, "took", d.Round(time.Microsecond), "err", err)
	} else {
		e.log.Info("shutdown step done", "session", e.sessionID, "step", name, "took", d.Round(time.Microsecond))
	}
	if name != StepCheckpoint && name != StepFlush {
		lvl, msg := LevelInfo, fmt.Sprintf("%s: done in %s", name, d.Round(time.Microsecond))
		if err != nil {
			lvl, msg = LevelError, fmt.Sprintf("%s: FAILED after %s: %v", name, d.Round(time.Microsecond), err)
		}
		e.event(lvl, "shutdown_step", msg)
	}
	e.publish(true)
	return err
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

// publish builds and publishes a new State, at most once per refresh_rate
// unless forced.
func (e *Engine) publish(force bool) {
	now := e.now()
	if !force && now.Sub(e.lastPublish) < e.cfg.Console.RefreshRate.Duration {
		e.dirty = true
		return
	}
	e.lastPublish = now
	e.dirty = false
	mid := e.market.Mid()
	status := e.status
	if e.paused && status == StatusRunning {
		status = StatusPaused
	}
	s := &State{
		SessionID:     e.sessionID,
		Mode:          ModePaper,
		Feed:          e.feed.Name(),
		Status:        status,
		StartedAt:     e.startedAt,
		Config:        e.cfg,
		MarketTime:    e.market.Time,
		LastTickWall:  e.lastTickWall,
		Bid:           e.market.Bid,
		Ask:           e.market.Ask,
		Mid:           mid,
		Anchor:        e.market.Anchor,
		Centre:        Centre(mid, e.market.Anchor, e.cfg.Strategy.AnchorMaxDivergenceBps),
		DivergenceBps: DivergenceBps(mid, e.market.Anchor),
		StartingXRP:   e.cfg.Session.StartingXRP,
		StartingRLUSD: e.cfg.Session.StartingRLUSD,
		StartingValue: e.startValue,
		Inventory:     e.inventorySnapshot(mid),
		Valuation:     e.valuationSnapshot(mid, e.market.Anchor),
		FillCount:     e.fillCount,
		VolumeRLUSD:   e.volume,
		DriftHistory:  e.driftHist.values(),
		PriceHistory:  e.priceHist.values(),
		Quotes:        e.paper.Open(),
		RecentFills:   append([]Fill(nil), e.recentFills...),
		Events:        append([]SessionEvent(nil), e.events...),
		ShutdownSteps: append([]ShutdownStep(nil), e.steps...),
		Err:           e.pubErr,
	}
	if e.status == StatusShuttingDown || e.status == StatusEnded {
		s.HaltReason = e.haltReason()
	}
	e.pub.store(s)
}
