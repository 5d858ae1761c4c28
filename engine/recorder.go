package engine

// The recorder: what the session writes to the Store while it runs. The
// session row is opened here (openSession). Every durable write of a market
// event (orders placed, filled and cancelled, fills, inventory and
// valuation snapshots) is staged in e.pending and committed in one
// transaction by commit: at once in real time, batched at full speed
// (maybeCommit), and always before a publish, so that nothing is shown
// before it is durable. Session events are staged with them (event), so
// that an event never lands ahead of the fills that caused it; only after
// the shutdown's last batch are they queued. Only the shutdown's final
// snapshot and session end are written elsewhere (shutdown.go).
//
// A guard on what may be recorded (no non-finite number) belongs here: on
// the starting value in openSession, on the snapshots in their builders.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
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
	evCtx        context.Context    // bounds queueing an event once events are no longer staged
	eventsQueued bool               // the shutdown's last batch is committed: events are queued (AddEvent)
	haltNote     string             // a risk halt's message, logged once the writes behind it are committed
	commitCtx    context.Context    // the loop's waits for commits; cancelled when a stop is asked for
	commitCancel context.CancelFunc // cancels commitCtx
	inflight     *flight            // the batch committing in the background (nil: none)
}

// flight is a batch committing in the background and, once it has, its
// result. The batch is kept so that a store that never took it (ErrNotQueued)
// can be handed it again.
type flight struct {
	b    Batch
	done chan error // buffered: the committing goroutine never waits
}

// openSession takes the session's identity and clocks from its first
// market event and writes the session row. Once ctx is done no row is
// started (nothing is written); a row in the store's hands is waited for
// whatever ctx says (Start's contract).
func (e *Engine) openSession(ctx context.Context, first MarketEvent) error {
	e.marketStart, e.opening = first.Time, first
	e.wallStart = e.now()
	e.startedAt = e.wallStart
	e.sessionID = newSessionID(e.startedAt)
	mid := first.Mid()
	// Derived balances (starting_value_rlusd) are split at this first mid.
	e.paper.XRP, e.paper.RLUSD = e.cfg.StartingBalances(mid)
	e.startXRP, e.startRLUSD = e.paper.XRP, e.paper.RLUSD
	e.startValue = e.paper.RLUSD + e.paper.XRP*mid
	// No non-finite number may reach the record: it cannot be stored or
	// exported, and every later figure would be derived from it.
	if !(mid > 0) || !finite(mid, e.startValue) {
		return fmt.Errorf("feed %s: the first price (mid %g) gives a starting value of %g RLUSD, not a finite number; nothing was recorded: check the feed's prices", e.feed.Name(), mid, e.startValue)
	}
	ms := e.marketStart
	s := Session{
		SessionID:       e.sessionID,
		StartedAt:       e.startedAt,
		MarketStartedAt: &ms,
		MarketEndedAt:   &ms,
		Mode:            ModePaper,
		Feed:            e.feed.Name(),
		ConfigJSON:      e.cfg.JSON(),
		AppVersion:      e.ver,
		StartingXRP:     e.paper.XRP,
		StartingRLUSD:   e.paper.RLUSD,
		StartingValue:   e.startValue,
	}
	if err := ctx.Err(); err != nil {
		return err // asked to stop before the row: nothing is written
	}
	if err := e.store.OpenSession(context.WithoutCancel(ctx), s); err != nil {
		return fmt.Errorf("writing the session row: %w", err)
	}
	return nil
}

// recordStart logs the start and records the session's first events: the
// start, the pre-run backup, and each session that recovery closed.
func (e *Engine) recordStart(backup string, recovered []Recovery) {
	e.log.Info("session started", "session", e.sessionID, "feed", e.feed.Name(),
		"starting_value", fmt.Sprintf("%.4f", e.startValue))
	e.event(LevelInfo, "session_start", fmt.Sprintf("session started on %s with %.6f XRP and %.6f RLUSD (value %.4f RLUSD)",
		e.feed.Name(), e.paper.XRP, e.paper.RLUSD, e.startValue))
	e.event(LevelInfo, "backup", "pre-run backup written to "+backup)
	if e.fromFile && e.barInterval > 0 {
		e.event(LevelInfo, "replay", fmt.Sprintf("bar interval %s (the spacing of the first bars): a pause of more than %s is a data gap",
			e.barInterval, time.Duration(DataGapFactor*float64(e.barInterval))))
	}
	for _, r := range recovered {
		e.event(LevelWarn, "recovery", fmt.Sprintf("session %s was left open by a crash: closed as unclean_exit, ended_at estimated %s",
			r.SessionID, r.EndedAt.UTC().Format(reportTime)))
	}
}

// newSessionID makes a sortable, unique session id such as
// 20261125T213000Z-1a2b3c.
func newSessionID(now time.Time) string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// Commit policy at full speed: the writes of several market events share
// one transaction, bounded in rows, events and wall time, and that
// transaction commits in the background while the session computes the
// next events (at most one batch in flight: the next commit waits for it,
// so batches commit in order). Nothing is shown or reported before it is
// committed: publish commits first, and every commit but the background
// one waits for the batch in flight. A crash loses at most the batch in
// flight and the one being staged: up to commitMaxEvents market events
// each (or commitMaxRows rows, or commitMaxWait of wall time), none of
// which was shown or logged.
const (
	commitMaxRows   = 8192
	commitMaxEvents = 2048
	commitMaxWait   = 100 * time.Millisecond
)

// maybeCommit commits the pending writes at the end of a market event: at
// once in real time, per commit policy at full speed.
func (e *Engine) maybeCommit(ctx context.Context) error {
	if e.pending.Len() == 0 {
		e.pendingTicks = 0
		return nil
	}
	e.pendingTicks++
	if e.speed > 0 {
		return e.commit(ctx)
	}
	if e.pending.Len() >= commitMaxRows || e.pendingTicks >= commitMaxEvents || e.now().Sub(e.pendingSince) >= commitMaxWait {
		return e.commitBehind(ctx)
	}
	return nil
}

// waitInflight returns the result of the batch committing in the
// background, once it has committed (nil when none is in flight). A result
// that is there is always taken, whatever ctx says: a failed batch is
// never dropped for a stop. When ctx ends first (a stop asked for while
// the disk stalls) the batch stays in flight and ctx's error is returned:
// the shutdown's commit waits for it again, within its own deadline. A
// batch the store never took (ErrNotQueued) goes back in front of the
// pending writes, to be handed over again by the next commit.
func (e *Engine) waitInflight(ctx context.Context) error {
	fl := e.inflight
	if fl == nil {
		return nil
	}
	var err error
	select {
	case err = <-fl.done:
	default:
		select {
		case err = <-fl.done:
		case <-ctx.Done():
			return fmt.Errorf("waiting for the batch being committed (%s): %w", fl.b.describe(), ctx.Err())
		}
	}
	e.inflight = nil
	if errors.Is(err, ErrNotQueued) {
		e.requeue(fl.b)
		return nil
	}
	return err
}

// requeue puts b, which the store never took, back in front of the
// pending writes, so that the writes still commit in their order.
func (e *Engine) requeue(b Batch) {
	if e.pending.Len() == 0 {
		e.pendingSince = e.now()
	}
	e.pending = Batch{
		Orders:     append(b.Orders, e.pending.Orders...),
		Fills:      append(b.Fills, e.pending.Fills...),
		Inventory:  append(b.Inventory, e.pending.Inventory...),
		Valuations: append(b.Valuations, e.pending.Valuations...),
		Events:     append(b.Events, e.pending.Events...),
	}
}

// committed reports whether every write the session staged has committed
// (or failed, and the failure is known): nothing is pending or in flight.
func (e *Engine) committed() bool {
	return e.pending.Len() == 0 && e.inflight == nil
}

// commitBehind hands the pending writes to the store to commit in the
// background, after the batch before them has committed; its error is
// returned by the next wait (waitInflight). ctx bounds only that wait for
// the batch before: once handed over, the batch is committed whatever
// happens to ctx (a stop does not cancel it, context.WithoutCancel), so
// that a batch is never half-known: either its result is read, or the
// shutdown's bounded wait for it fails and says so.
func (e *Engine) commitBehind(ctx context.Context) error {
	if err := e.waitInflight(ctx); err != nil {
		return err
	}
	if e.pending.Len() == 0 {
		return nil
	}
	b := e.pending
	// A fresh batch: the store holds b's slices until it has committed.
	e.pending = Batch{}
	e.pendingTicks = 0
	fl := &flight{b: b, done: make(chan error, 1)}
	e.inflight = fl
	sctx := context.WithoutCancel(ctx)
	go func() { fl.done <- e.saveBatch(sctx, b) }()
	return nil
}

// commit writes the pending orders, fills, snapshots and events durably
// in one transaction, after the batch in flight (if any) has committed, and
// waits for it within ctx. A wait that ctx ends leaves the batch in flight
// (see waitInflight).
func (e *Engine) commit(ctx context.Context) error {
	if err := e.commitBehind(ctx); err != nil {
		return err
	}
	return e.waitInflight(ctx)
}

// commitFinal is the shutdown's commit: commit, and once ctx's deadline
// has passed with a batch still in flight (a stalled disk), the pending
// writes are handed to the store anyway, without waiting (the store queues
// them behind the batch in flight), so that a hang costs the shutdown one
// deadline, not every write after it. Every failure is returned.
func (e *Engine) commitFinal(ctx context.Context) error {
	err := e.commit(ctx)
	if err == nil || ctx.Err() == nil || e.pending.Len() == 0 {
		return err
	}
	b := e.pending
	e.pending = Batch{}
	e.pendingTicks = 0
	// ctx has ended: the store queues b if its queue has room and
	// returns without waiting for the commit.
	if serr := e.saveBatch(ctx, b); serr != nil {
		if errors.Is(serr, ErrNotQueued) {
			e.requeue(b) // the next step hands it over again; its failure is reported too
		}
		err = errors.Join(err, serr)
	}
	return err
}

// saveBatch commits b durably. It runs on the session goroutine or, for a
// background commit, on its own (it touches nothing but b and the store).
func (e *Engine) saveBatch(ctx context.Context, b Batch) error {
	if err := e.store.SaveBatch(ctx, b); err != nil {
		return fmt.Errorf("saving %s: %w", b.describe(), err)
	}
	return nil
}

// describe names what b holds, for errors.
func (b *Batch) describe() string {
	return fmt.Sprintf("%d orders, %d fills, %d snapshots and %d events", len(b.Orders), len(b.Fills), len(b.Inventory)+len(b.Valuations), len(b.Events))
}

// stage marks the start of a pending batch.
func (e *Engine) stage() {
	if e.pending.Len() == 0 {
		e.pendingSince = e.now()
	}
}

// marketNow is the market time of the last event the session has seen
// (the first event's before the loop has applied it): what a write that
// no event caused (a pause, a shutdown step) is stamped with.
func (e *Engine) marketNow() time.Time { return e.lastMarket().Time }

// lastMarket is the last market event applied, or the session's first one
// while none is (a stop that came before the loop applied it: the session
// ends where it started, at the mid its balances were valued at).
func (e *Engine) lastMarket() MarketEvent {
	if e.haveMarket {
		return e.market
	}
	return e.opening
}

// anchorOf is the event's anchor, nil when the feed has none (its Anchor
// is 0, see MarketEvent): "no anchor" is recorded as such, never as 0.
func anchorOf(ev MarketEvent) *float64 {
	if !(ev.Anchor > 0) {
		return nil
	}
	a := ev.Anchor
	return &a
}

// inventorySnapshot is the inventory valued at mid, at market time at.
func (e *Engine) inventorySnapshot(mid float64, at time.Time) InventorySnapshot {
	v := e.value(mid)
	return InventorySnapshot{
		SessionID:              e.sessionID,
		MarketTime:             at,
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

// valuationSnapshot is the session's value, hold value, PnL and fees at
// the market event ev (its mid, anchor and time).
func (e *Engine) valuationSnapshot(ev MarketEvent) ValuationSnapshot {
	mid := ev.Mid()
	v := e.value(mid)
	hold := e.startRLUSD + e.startXRP*mid
	return ValuationSnapshot{
		SessionID:         e.sessionID,
		MarketTime:        ev.Time,
		MidPrice:          mid,
		AnchorPrice:       anchorOf(ev),
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
	e.pending.Inventory = append(e.pending.Inventory, e.inventorySnapshot(e.lastMarket().Mid(), at))
}

// snapshotValuation stages a valuation snapshot with the event's writes.
func (e *Engine) snapshotValuation(at time.Time) {
	e.lastValAt = at
	e.stage()
	e.pending.Valuations = append(e.pending.Valuations, e.valuationSnapshot(e.lastMarket()))
}

// recordFill stages a fill, its filled order and an inventory snapshot after
// it, to commit together.
func (e *Engine) recordFill(ev MarketEvent, x Execution) {
	e.fillSeq++
	at := ev.Time
	f := Fill{
		FillID:     fmt.Sprintf("f%d", e.fillSeq),
		SessionID:  e.sessionID,
		OrderID:    x.Order.OrderID,
		MarketTime: at,
		Side:       x.Order.Side,
		Price:      x.Price,
		QtyXRP:     x.QtyXRP,
		ValueRLUSD: x.ValueRLUSD,
		FeeRLUSD:   x.FeeRLUSD,
	}
	e.stage()
	if x.Done {
		// Filled in full: the order row closes. A partial fill leaves the
		// row open as placed (qty_xrp); its fills say how much is left.
		o := x.Order
		o.Status = OrderFilled
		o.ClosedMarketTime = &at
		delete(e.resting, o.OrderID)
		e.pending.Orders = append(e.pending.Orders, o)
	}
	e.pending.Fills = append(e.pending.Fills, f)
	e.pending.Inventory = append(e.pending.Inventory, e.inventorySnapshot(ev.Mid(), at))
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
	e.stageCancels()
	return e.commit(ctx)
}

// stageCancels cancels every resting order on the paper exchange and
// stages the cancels. They are stamped with the market time of the last
// event (no later market time is known).
func (e *Engine) stageCancels() {
	at := e.marketNow()
	for _, o := range e.paper.Open() {
		e.stage()
		e.pending.Orders = append(e.pending.Orders, e.cancelOrder(o, at))
	}
}

// cancelOrder takes o off the paper exchange and returns its cancelled
// state, closed at market time at, for the caller to stage.
func (e *Engine) cancelOrder(o Order, at time.Time) Order {
	e.paper.Cancel(o.OrderID)
	delete(e.resting, o.OrderID)
	o.Status = OrderCancelled
	o.ClosedMarketTime = &at
	return o
}

// event records a session event and keeps it for the screen. Until the
// shutdown's last batch it is staged with the pending writes, so that it
// commits in the same transaction as the fills and orders that caused it
// (a halt never lands ahead of the fills behind it); after that it is
// queued (AddEvent) and the shutdown's flush waits for it.
func (e *Engine) event(level, kind, msg string) {
	ev := SessionEvent{SessionID: e.sessionID, CreatedAt: e.now(), MarketTime: e.marketNow(), Level: level, Kind: kind, Message: msg}
	e.events = append(e.events, ev)
	if len(e.events) > 50 {
		e.events = append(e.events[:0], e.events[len(e.events)-50:]...)
	}
	e.dirty = true
	if !e.eventsQueued {
		e.stage()
		e.pending.Events = append(e.pending.Events, ev)
		return
	}
	if err := e.store.AddEvent(e.evCtx, ev); err != nil {
		e.log.Error("queueing a session event failed", "session", e.sessionID, "kind", kind, "err", err)
	}
}

// eventErr records an event for a halt and returns nil, so that risk halts
// read as `return reason, e.eventErr(...)`. The halt is logged by the
// shutdown once the writes before it have committed (haltNote).
func (e *Engine) eventErr(level, kind, msg string) error {
	if e.haltNote == "" {
		e.haltNote = msg
	}
	e.event(level, kind, msg)
	return nil
}

// finite reports whether every x is a finite number (no NaN, no ±Inf).
func finite(xs ...float64) bool {
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}
