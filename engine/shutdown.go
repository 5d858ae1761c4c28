package engine

// The shutdown: the one path by which every session ends. Once Start has
// succeeded it is the only code that closes the Store (before that, a failed
// Start leaves the Store to whoever opened it).
//
// Who asks for it: in production, the supervisor in cmd/neo/supervisor.go
// calls RequestClose with the reason of whatever ended the command first (a
// signal, the console's quit) and waits on Done; its backstop exits the
// process if the shutdown overruns. The engine asks for it itself when its
// loop ends (a risk halt from risk.go, the feed's end, the duration, an
// engine_error): run, in engine.go. The first reason wins; later requests
// join it. Close is RequestClose and a wait, for tests and embedders.
//
// What it does, in order, on the session goroutine (shutdown, below):
//  1. stop quoting: stop the feed reader, commit what the last events wrote;
//  2. cancel every open order and record the cancels;
//  3. take the final inventory and valuation snapshot;
//  4. write the session row in one synchronous transaction;
//  5. flush the queued writes;
//  6. close the Store: checkpoint, close the database, release the lock.
//
// Each stage has its own deadline within shutdown_timeout (the stage
// constants below), so a stalled disk early on cannot starve the session
// row. The terminal's release and the process exit are cmd/neo's.

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// RequestClose asks for the shutdown path with reason and returns at once
// (the supervisor in cmd/neo/supervisor.go is its caller); Close is the
// same and waits. The first reason wins; later requests join it.
func (e *Engine) RequestClose(reason HaltReason) {
	e.reasonMu.Lock()
	if e.reason == "" {
		e.reason = reason
	}
	e.reasonMu.Unlock()
	e.stopOnce.Do(func() {
		close(e.stopping)
		// A commit stuck on a stalled disk must not keep the loop from
		// seeing the stop: the shutdown commits what is left.
		e.commitCancel()
	})
}

// Close is the one shutdown path's public door (the sequence itself is in
// shutdown.go; cmd/neo's supervisor.go owns the triggers): it asks for the
// shutdown with reason (the first reason wins) and waits until the session
// is closed or ctx ends.
func (e *Engine) Close(ctx context.Context, reason HaltReason) error {
	e.RequestClose(reason)
	if !e.started {
		return errors.New("engine: Close before Start")
	}
	select {
	case <-e.done:
		return e.result.Err
	case <-ctx.Done():
		return fmt.Errorf("shutdown did not finish (step %q): %w", e.CurrentStep(), ctx.Err())
	}
}

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

// shutdown is the one shutdown path: stop quoting, cancel every open order,
// take the final snapshot, write the session row in one synchronous
// transaction, flush queued writes, checkpoint and close the database. It
// runs once, on the session goroutine after the loop returns (run, in
// engine.go), bounded by shutdown_timeout; every step is timed, logged and
// published, and every step's error is kept.
func (e *Engine) shutdown(reason HaltReason, cause error) {
	start := e.now()
	timeout := e.cfg.Session.ShutdownTimeout.Duration
	stage := func(frac float64) (context.Context, context.CancelFunc) {
		return context.WithDeadline(context.Background(), start.Add(time.Duration(frac*float64(timeout))))
	}
	ordersCtx, cancelOrders := stage(stageOrders)
	defer cancelOrders()
	e.evCtx = ordersCtx
	e.announceShutdown(reason, cause)

	var errs []error
	keep := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	keep(cause)

	// 1. Stop quoting: the loop has returned; stop the feed so that nothing
	// can place an order any more, wait for the batch in flight and commit
	// what the last events wrote (runStep publishes nothing of it before).
	keep(e.runStep(StepStopQuoting, func() error { return e.stopQuoting(ordersCtx) }))
	e.logHalt()

	// 2. Cancel every open order and record it. This is the shutdown's
	// last batch: the events after it are queued (the flush waits for
	// them).
	keep(e.runStep(StepCancelOrders, func() error { return e.cancelOpenOrders(ordersCtx) }))

	// 3. Final inventory and valuation snapshot.
	var final InventorySnapshot
	keep(e.runStep(StepFinalSnapshot, func() (err error) {
		final, err = e.finalSnapshot(ordersCtx)
		return err
	}))

	// 4. The session row, in one synchronous transaction.
	sessionCtx, cancelSession := stage(stageSession)
	defer cancelSession()
	e.evCtx = sessionCtx
	end := e.sessionEnd(reason, final)
	keep(e.writeSessionRow(sessionCtx, end))

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

	e.finish(start, end, errors.Join(errs...))
}

// announceShutdown marks the engine shutting down and logs and records why:
// the engine's failure, if one ended it, and the reason.
func (e *Engine) announceShutdown(reason HaltReason, cause error) {
	e.status = StatusShuttingDown
	if cause != nil {
		e.log.Error("engine failed; closing the session", "session", e.sessionID, "err", cause)
		e.event(LevelError, "engine_error", cause.Error())
	}
	e.log.Info("shutdown: started", "session", e.sessionID, "reason", reason)
	e.event(LevelInfo, "shutdown", "shutdown started: "+string(reason))
}

// stopQuoting is step 1: stop the feed (at the last market event applied,
// for a feed that can say so) and commit what the last events wrote.
func (e *Engine) stopQuoting(ctx context.Context) error {
	e.stopFeed()
	if fs, ok := e.feed.(FeedStopper); ok && e.haveMarket {
		fs.StopAt(e.market)
	}
	return e.commitFinal(ctx)
}

// logHalt logs the halt's note, if any, after step 1: only then have the
// fills behind the halt been committed (or their failure was logged just
// before).
func (e *Engine) logHalt() {
	if e.haltNote != "" {
		e.log.Warn("halt: "+e.haltNote, "session", e.sessionID)
	}
}

// cancelOpenOrders is step 2: cancel every open order and commit the cancels as
// the shutdown's last batch; the events after it are queued.
func (e *Engine) cancelOpenOrders(ctx context.Context) error {
	e.stageCancels()
	err := e.commitFinal(ctx)
	e.eventsQueued = true
	return err
}

// finalSnapshot is step 3: write the final inventory and valuation
// snapshot. It returns the inventory snapshot even when a write fails: the
// session row is written from it.
func (e *Engine) finalSnapshot(ctx context.Context) (InventorySnapshot, error) {
	m := e.lastMarket()
	final := e.inventorySnapshot(m.Mid(), m.Time)
	if err := e.store.AddInventorySnapshot(ctx, final); err != nil {
		return final, err
	}
	return final, e.store.AddValuationSnapshot(ctx, e.valuationSnapshot(m))
}

// sessionEnd is what step 4 writes to the session row: the end times now,
// the ending balances of the final snapshot and the reason.
func (e *Engine) sessionEnd(reason HaltReason, final InventorySnapshot) SessionEnd {
	return SessionEnd{
		SessionID:     e.sessionID,
		EndedAt:       e.now(),
		MarketEndedAt: e.marketNow(),
		EndingXRP:     final.XRPBalance,
		EndingRLUSD:   final.RLUSDBalance,
		EndingValue:   final.TotalValueInRLUSD,
		HaltReason:    reason,
	}
}

// writeSessionRow is step 4: the session row (ended_at, ending_*,
// halt_reason) in one synchronous transaction. A failure is logged at ERROR,
// saying whether the row may still land, and returned.
func (e *Engine) writeSessionRow(sessionCtx context.Context, end SessionEnd) error {
	reason := end.HaltReason
	werr := e.runStep(StepWriteSession, func() error { return e.store.CloseSession(sessionCtx, end) })
	switch {
	case werr == nil:
		e.event(LevelInfo, "shutdown", fmt.Sprintf("session closed as %s, ending value %.4f RLUSD", reason, end.EndingValue))
	case errors.Is(werr, context.DeadlineExceeded):
		e.log.Error("shutdown: the session row was NOT CONFIRMED within its deadline: it may land later; if not, the next start closes the session as unclean_exit",
			"session", e.sessionID, "reason", reason, "ending_value", end.EndingValue, "err", werr)
		return fmt.Errorf("writing the session row: %w", werr)
	default:
		e.log.Error("shutdown: writing the session row FAILED: this session's accounting is not recorded",
			"session", e.sessionID, "reason", reason, "ending_value", end.EndingValue, "err", werr)
		return fmt.Errorf("writing the session row: %w", werr)
	}
	return nil
}

// finish ends the shutdown: the Result that Done releases, the ended state
// and its last publish.
func (e *Engine) finish(start time.Time, end SessionEnd, err error) {
	reason := end.HaltReason
	e.step.Store("")
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
// logs it (ERROR on failure) and publishes its progress. Its error names
// the step. A final checkpoint left incomplete by another process's reader
// (EINCOMPLETE alone) is no failure: the step is done with a warning.
func (e *Engine) runStep(name string, fn func() error) error {
	e.step.Store(name)
	e.steps = append(e.steps, ShutdownStep{Name: name})
	if e.committed() {
		// Never before the step has committed what the session staged:
		// the state would show fills and events that are not durable.
		e.publish(true)
	}
	t0 := e.now()
	err := fn()
	d := e.now().Sub(t0)
	st := &e.steps[len(e.steps)-1]
	st.Done, st.Duration = true, d
	took := d.Round(time.Microsecond).String()
	switch {
	case err != nil && onlyIncomplete(err):
		// Another process was reading: every commit is in the -wal and
		// the next start folds it in. The store has said so at WARN.
		st.Warn, err = err.Error(), nil
		e.log.Info("shutdown step done; the write-ahead log stays", "session", e.sessionID, "step", name, "took", took, "why", st.Warn)
	case err != nil:
		st.Err = err.Error()
		e.log.Error("shutdown step failed", "session", e.sessionID, "step", name, "took", took, "err", err)
	default:
		e.log.Info("shutdown step done", "session", e.sessionID, "step", name, "took", took)
	}
	if name != StepCheckpoint && name != StepFlush {
		lvl, msg := LevelInfo, fmt.Sprintf("%s: done in %s", name, d.Round(time.Microsecond))
		if err != nil {
			lvl, msg = LevelError, fmt.Sprintf("%s: FAILED after %s: %v", name, d.Round(time.Microsecond), err)
		}
		e.event(lvl, "shutdown_step", msg)
	}
	if e.committed() || err != nil {
		// A failed step is shown with its failure (the figures may then
		// include writes that did not land; the step says so).
		e.publish(true)
	}
	if err != nil {
		return fmt.Errorf("shutdown step %q: %w", name, err)
	}
	return nil
}

// Done is closed when the shutdown path has finished.
func (e *Engine) Done() <-chan struct{} { return e.done }

// Stopping is closed as soon as a shutdown is asked for or begins.
func (e *Engine) Stopping() <-chan struct{} { return e.stopping }

// CurrentStep names the shutdown step running now ("" if none).
func (e *Engine) CurrentStep() string { return e.step.Load().(string) }

// Result is how the session ended; valid after Done is closed.
func (e *Engine) Result() Result {
	<-e.done
	return e.result
}

// haltReason is the first reason asked for ("" if none yet).
func (e *Engine) haltReason() HaltReason {
	e.reasonMu.Lock()
	defer e.reasonMu.Unlock()
	return e.reason
}

// Result is how a session ended.
type Result struct {
	SessionID        string
	Reason           HaltReason
	EndingValue      float64
	ShutdownDuration time.Duration
	Err              error // first error of the session's end (nil: clean)
}

// lifecycle is the shutdown's state. RequestClose writes the reason and
// closes stopping from any goroutine; the session goroutine closes done after
// it has written result; step and steps follow the shutdown as it runs.
type lifecycle struct {
	reasonMu sync.Mutex
	reason   HaltReason
	stopOnce sync.Once
	stopping chan struct{} // closed when the shutdown is asked for or begins
	pauseCh  chan bool     // the operator's pause and resume (SetPaused), served by the loop
	done     chan struct{}
	result   Result
	step     atomic.Value   // string: the shutdown step running now
	steps    []ShutdownStep // the steps so far, for the screen (session goroutine)
	started  bool
}
