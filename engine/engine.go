package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/charmbracelet/log"
)

// Options configure an Engine.
type Options struct {
	Config     Config
	Feed       Feed
	Store      Store
	Logger     *log.Logger      // nil: discard
	Speed      float64          // market-time speed: 1 real time, 0 as fast as possible
	Duration   time.Duration    // end after this much market time (0: no limit)
	AppVersion string           // stored in sessions.app_version
	Now        func() time.Time // wall clock; nil: time.Now
}

// Result is how a session ended.
type Result struct {
	SessionID        string
	Reason           HaltReason
	EndingValue      float64
	ShutdownDuration time.Duration
	Err              error // first error of the session's end (nil: clean)
}

// Engine runs one paper session: it reads the feed, quotes, fills on the
// paper exchange, checks risk, records everything and publishes its state.
// Every ending goes through one shutdown path (Close).
type Engine struct {
	cfg   Config
	feed  Feed
	store Store
	log   *log.Logger
	now   func() time.Time
	speed float64
	limit time.Duration
	ver   string

	pub *publisher

	// Cross-goroutine signalling.
	reasonMu   sync.Mutex
	reason     HaltReason
	stopOnce   sync.Once
	stopping   chan struct{} // closed when the shutdown is asked for or begins
	pauseCh    chan bool
	done       chan struct{}
	result     Result
	step       atomic.Value // string: the shutdown step running now
	started    bool
	loopCancel context.CancelFunc

	// Owned by the loop goroutine (and by the shutdown, which runs on it).
	sessionID        string
	startedAt        time.Time
	paper            Paper
	resting          map[string]restingInfo // by order id
	paused           bool
	market           MarketEvent
	haveMarket       bool
	lastTickWall     time.Time
	marketStart      time.Time
	wallStart        time.Time
	startValue       float64
	drift            DriftWindow
	tier             int
	lastInvAt        time.Time
	lastValAt        time.Time
	lastHistAt       time.Time
	divergingFrom    time.Time
	divergenceWarned bool
	skipWarned       map[Side]bool
	orderSeq         int
	fillSeq          int
	fillCount        int
	volume           float64
	driftHist        *ring
	priceHist        *ring
	recentFills      []Fill
	events           []SessionEvent
	steps            []ShutdownStep
	status           Status
	lastPublish      time.Time
	dirty            bool
	firstEvent       *MarketEvent
	feedCh           chan feedItem
	pending          Batch     // durable writes not yet committed
	pendingTicks     int       // market events since the last commit
	pendingSince     time.Time // wall time of the first uncommitted write
	feedWG           sync.WaitGroup
	pubErr           string
	evCtx            context.Context    // bounds queueing an event (the shutdown's stage)
	commitCtx        context.Context    // the loop's commits; cancelled when a stop is asked for
	commitCancel     context.CancelFunc // cancels commitCtx
}

type restingInfo struct {
	centre float64   // the centre it was quoted around
	tier   int       // the skew tier it was quoted at
	placed time.Time // market time of placement
}

type feedItem struct {
	ev  MarketEvent
	err error
}

// New makes an engine; Start begins the session.
func New(opts Options) (*Engine, error) {
	if opts.Feed == nil || opts.Store == nil {
		return nil, errors.New("engine: a feed and a store are required")
	}
	if err := opts.Config.Validate(); err != nil {
		return nil, err
	}
	lg := opts.Logger
	if lg == nil {
		lg = log.New(io.Discard)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	e := &Engine{
		cfg:        opts.Config,
		feed:       opts.Feed,
		store:      opts.Store,
		log:        lg,
		now:        now,
		speed:      opts.Speed,
		limit:      opts.Duration,
		ver:        opts.AppVersion,
		stopping:   make(chan struct{}),
		pauseCh:    make(chan bool, 8),
		done:       make(chan struct{}),
		resting:    map[string]restingInfo{},
		skipWarned: map[Side]bool{},
		drift:      DriftWindow{Window: DriftVelocityWindow},
		driftHist:  newRing(historyLen),
		priceHist:  newRing(historyLen),
		status:     StatusStarting,
		paper: Paper{
			FeeBps:        opts.Config.Strategy.FeeBps,
			NetworkFeeXRP: opts.Config.Strategy.NetworkFeeXRP,
			XRP:           opts.Config.Session.StartingXRP,
			RLUSD:         opts.Config.Session.StartingRLUSD,
		},
	}
	e.step.Store("")
	e.evCtx = context.Background()
	e.commitCtx, e.commitCancel = context.WithCancel(context.Background())
	e.pub = newPublisher(&State{Mode: ModePaper, Feed: opts.Feed.Name(), Status: StatusStarting, Config: opts.Config})
	return e, nil
}

// newSessionID makes a sortable, unique session id such as
// 20261125T213000Z-1a2b3c.
func newSessionID(now time.Time) string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// Start runs the lifecycle up to the first quote: pre-run backup, recovery
// of sessions left open, the first market event and the session row. Then
// the session runs in its own goroutine until Close or a halt.
//
// ctx cancels the start only until the session row is handed to the store:
// a write in the store's hands may still commit, so from then on Start
// waits for it whatever ctx says. The contract that follows is the
// shutdown's: on a nil return a session row is committed, the engine owns
// the store and the caller must end the session through Close or
// RequestClose (with a cancelled ctx, at once, with the reason that
// cancelled it). On error no session row was written, nothing is running
// and the caller still owns the store.
func (e *Engine) Start(ctx context.Context) error {
	t0 := e.now()
	e.log.Info("pre-run backup: starting")
	path, err := e.store.Backup(ctx)
	if err != nil {
		return fmt.Errorf("pre-run backup failed, so no session was started: %w", err)
	}
	e.log.Info("pre-run backup: done", "path", path, "took", e.now().Sub(t0).Round(time.Millisecond))

	recovered, err := e.store.Recover(ctx)
	if err != nil {
		return fmt.Errorf("recovering sessions left open: %w", err)
	}
	// The store logs each recovery; the session's events carry it to the
	// console below.

	loopCtx, cancel := context.WithCancel(context.Background())
	e.loopCancel = cancel
	e.feedCh = make(chan feedItem, 64)
	e.feedWG.Add(1)
	go e.readFeed(loopCtx)

	var first feedItem
	select {
	case first = <-e.feedCh:
	case <-ctx.Done():
		e.stopFeed()
		return ctx.Err()
	}
	if first.err != nil {
		e.stopFeed()
		if errors.Is(first.err, io.EOF) {
			return fmt.Errorf("feed %s has no data", e.feed.Name())
		}
		return fmt.Errorf("feed %s: %w", e.feed.Name(), first.err)
	}
	ev := first.ev
	e.firstEvent = &ev
	e.marketStart = ev.Time
	e.wallStart = e.now()
	e.startedAt = e.wallStart
	e.sessionID = newSessionID(e.startedAt)
	mid := ev.Mid()
	e.startValue = e.paper.RLUSD + e.paper.XRP*mid
	// No non-finite number may reach the record: it cannot be stored or
	// exported, and every later figure would be derived from it.
	if !(mid > 0) || !finite(mid, e.startValue) {
		e.stopFeed()
		return fmt.Errorf("feed %s: the first price (mid %g) gives a starting value of %g RLUSD, not a finite number; nothing was recorded: check the feed's prices", e.feed.Name(), mid, e.startValue)
	}
	s := Session{
		SessionID:     e.sessionID,
		StartedAt:     e.startedAt,
		Mode:          ModePaper,
		Feed:          e.feed.Name(),
		ConfigJSON:    e.cfg.JSON(),
		AppVersion:    e.ver,
		StartingXRP:   e.paper.XRP,
		StartingRLUSD: e.paper.RLUSD,
		StartingValue: e.startValue,
	}
	if err := ctx.Err(); err != nil {
		e.stopFeed() // asked to stop before the row: nothing is written
		return err
	}
	if err := e.store.OpenSession(context.WithoutCancel(ctx), s); err != nil {
		e.stopFeed()
		return fmt.Errorf("writing the session row: %w", err)
	}
	e.log.Info("session started", "session", e.sessionID, "feed", e.feed.Name(),
		"starting_value", fmt.Sprintf("%.4f", e.startValue))
	e.event(LevelInfo, "session_start", fmt.Sprintf("session started on %s with %.6f XRP and %.6f RLUSD (value %.4f RLUSD)",
		e.feed.Name(), e.paper.XRP, e.paper.RLUSD, e.startValue))
	e.event(LevelInfo, "backup", "pre-run backup written to "+path)
	for _, r := range recovered {
		e.event(LevelWarn, "recovery", fmt.Sprintf("session %s was left open by a crash: closed as unclean_exit, ended_at estimated %s",
			r.SessionID, r.EndedAt.UTC().Format("2006-01-02 15:04:05Z")))
	}
	e.status = StatusRunning
	e.started = true
	go e.run(loopCtx)
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

// SessionID is the id of the running session ("" before Start).
func (e *Engine) SessionID() string { return e.sessionID }

// readFeed forwards feed events to the loop until the feed ends or ctx is
// done.
func (e *Engine) readFeed(ctx context.Context) {
	defer e.feedWG.Done()
	defer close(e.feedCh)
	for {
		ev, err := e.nextEvent(ctx)
		select {
		case e.feedCh <- feedItem{ev: ev, err: err}:
		case <-ctx.Done():
			return
		}
		if err != nil {
			return
		}
	}
}

// nextEvent reads the feed, turning a panic in it into an error so that the
// session still ends through the shutdown path.
func (e *Engine) nextEvent(ctx context.Context) (ev MarketEvent, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic in the feed: %v\n%s", r, debug.Stack())
		}
	}()
	return e.feed.Next(ctx)
}

func (e *Engine) stopFeed() {
	if e.loopCancel != nil {
		e.loopCancel()
	}
	e.feedWG.Wait()
}

// State returns the latest published state.
func (e *Engine) State() *State { return e.pub.load() }

// Changed returns a channel closed at the next publish.
func (e *Engine) Changed() <-chan struct{} { return e.pub.notify() }

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

// SetPaused stops or resumes quoting. It never blocks.
func (e *Engine) SetPaused(paused bool) {
	select {
	case e.pauseCh <- paused:
	default:
	}
}

// RequestClose asks for the shutdown path (shutdown.go) with reason and
// returns at once; Close is the same and waits. The first reason wins; later
// requests join it.
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

func (e *Engine) haltReason() HaltReason {
	e.reasonMu.Lock()
	defer e.reasonMu.Unlock()
	return e.reason
}

var _ Controller = (*Engine)(nil)

// run is the session goroutine: the loop, then the shutdown path.
func (e *Engine) run(ctx context.Context) {
	defer close(e.done)
	reason, cause := e.loop(e.commitCtx)
	e.RequestClose(reason) // internal halts record their reason; the first wins
	e.shutdown(e.haltReason(), cause)
}

// loop processes market events until something ends the session. It returns
// the halt reason the loop itself found ("" when asked to stop) and the
// error behind an engine_error.
func (e *Engine) loop(ctx context.Context) (reason HaltReason, cause error) {
	defer func() {
		if r := recover(); r != nil {
			reason = HaltEngineError
			cause = fmt.Errorf("panic in the engine: %v\n%s", r, debug.Stack())
		}
	}()
	e.publish(true)
	pending := e.firstEvent
	e.firstEvent = nil
	var stale <-chan time.Time
	var staleTimer *time.Timer
	if e.speed > 0 {
		staleTimer = time.NewTimer(e.staleWall())
		defer staleTimer.Stop()
	}
	for {
		var ev MarketEvent
		if pending != nil {
			ev, pending = *pending, nil
		} else {
			if staleTimer != nil {
				staleTimer.Reset(e.staleWall())
				stale = staleTimer.C
			}
			select {
			case <-e.stopping:
				return "", nil
			case p := <-e.pauseCh:
				if err := e.setPaused(ctx, p); err != nil {
					return e.failed(err)
				}
				continue
			case <-stale:
				return HaltStaleFeed, e.eventErr(LevelError, "stale_feed", fmt.Sprintf("no market data for %s", e.cfg.Risk.StaleFeedAfter))
			case it, ok := <-e.feedCh:
				if !ok {
					return HaltEngineError, errors.New("feed stopped")
				}
				if errors.Is(it.err, io.EOF) {
					return HaltFeedEnded, nil
				}
				if it.err != nil {
					return HaltEngineError, fmt.Errorf("feed %s: %w", e.feed.Name(), it.err)
				}
				ev = it.ev
			}
		}
		if e.limit > 0 && ev.Time.Sub(e.marketStart) > e.limit {
			return HaltDurationReached, nil
		}
		if e.speed > 0 {
			if r, err := e.pace(ctx, ev.Time); r != "" || err != nil {
				return r, err
			}
		}
		if r, err := e.onEvent(ctx, ev); r != "" || err != nil {
			if err != nil {
				return e.failed(err)
			}
			return r, nil
		}
		if err := e.maybeCommit(ctx); err != nil {
			return e.failed(err)
		}
		if e.dirty && e.now().Sub(e.lastPublish) >= e.cfg.Console.RefreshRate.Duration {
			if err := e.commit(ctx); err != nil {
				return e.failed(err)
			}
			e.publish(false)
		}
	}
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

// failed turns an error of the loop into its halt: engine_error, unless the
// error only says that a stop was asked for while a commit waited (the
// shutdown then commits what is left).
func (e *Engine) failed(err error) (HaltReason, error) {
	select {
	case <-e.stopping:
		if errors.Is(err, context.Canceled) {
			return "", nil
		}
	default:
	}
	return HaltEngineError, err
}

// staleWall is how long, in wall time, the loop waits for market data before
// halting as stale_feed.
// It is at least minStaleWall: at very high speeds the scaled wait would be
// shorter than the time it takes to read the next event.
func (e *Engine) staleWall() time.Duration {
	return max(time.Duration(float64(e.cfg.Risk.StaleFeedAfter.Duration)/e.speed), minStaleWall)
}

// minStaleWall is the shortest wall-clock wait for market data.
const minStaleWall = time.Second

// pace waits until market time t is due in wall time, serving stops, pauses
// and deferred publishes meanwhile.
func (e *Engine) pace(ctx context.Context, t time.Time) (HaltReason, error) {
	due := e.wallStart.Add(time.Duration(float64(t.Sub(e.marketStart)) / e.speed))
	for {
		wait := due.Sub(e.now())
		if wait <= 0 {
			return "", nil
		}
		if e.dirty {
			if next := e.lastPublish.Add(e.cfg.Console.RefreshRate.Duration); next.Before(due) {
				if w := next.Sub(e.now()); w < wait {
					wait = w
				}
			}
		}
		if wait <= 0 {
			if err := e.commit(ctx); err != nil {
				return e.failed(err)
			}
			e.publish(false)
			continue
		}
		timer := time.NewTimer(wait)
		select {
		case <-e.stopping:
			timer.Stop()
			return "", nil
		case p := <-e.pauseCh:
			timer.Stop()
			if err := e.setPaused(ctx, p); err != nil {
				return e.failed(err)
			}
		case <-timer.C:
			if e.dirty {
				if err := e.commit(ctx); err != nil {
					return e.failed(err)
				}
				e.publish(false)
			}
		}
	}
}

// onEvent applies one market event: fills, valuation, risk, snapshots and
// quotes, in that order.
func (e *Engine) onEvent(ctx context.Context, ev MarketEvent) (HaltReason, error) {
	// Before anything is applied: a price that makes any recorded figure
	// non-finite ends the session on the last good prices.
	if v := e.value(ev.Mid()); !(ev.Mid() > 0) || !finite(ev.Bid, ev.Ask, ev.Anchor, v.TotalValueInRLUSD, v.XRPPct, v.DriftPct) {
		msg := fmt.Sprintf("market event at %s has bid %g, ask %g, anchor %g (value %g RLUSD): not finite prices; the session ends on the last good ones",
			ev.Time.UTC().Format(time.RFC3339), ev.Bid, ev.Ask, ev.Anchor, v.TotalValueInRLUSD)
		e.event(LevelError, "engine_error", msg)
		return HaltEngineError, errors.New(msg)
	}
	if e.haveMarket {
		if gap := ev.Time.Sub(e.market.Time); gap > e.cfg.Risk.StaleFeedAfter.Duration {
			e.market = ev
			return HaltStaleFeed, e.eventErr(LevelError, "stale_feed",
				fmt.Sprintf("no market data for %s (limit %s)", gap, e.cfg.Risk.StaleFeedAfter))
		}
	}
	// Fills first: they happened against the quotes that rested before ev.
	for _, x := range e.paper.Match(ev) {
		e.recordFill(ev, x)
	}
	e.market = ev
	e.haveMarket = true
	e.lastTickWall = e.now()
	mid := ev.Mid()
	v := e.value(mid)
	e.drift.Add(ev.Time, v.DriftPct)
	if v.SkewTier != e.tier {
		e.event(LevelInfo, "tier_change", fmt.Sprintf("skew tier %d -> %d (drift %+.2f%%)", e.tier, v.SkewTier, v.DriftPct))
		e.tier = v.SkewTier
	}
	if ev.Time.Sub(e.lastHistAt) >= historyStep {
		e.driftHist.add(v.DriftPct)
		e.priceHist.add(mid)
		e.lastHistAt = ev.Time
	}

	// Risk.
	if dd := 100 * (e.startValue - v.TotalValueInRLUSD) / e.startValue; dd >= e.cfg.Risk.MaxDrawdownPct {
		return HaltMaxDrawdown, e.eventErr(LevelError, "risk", fmt.Sprintf("drawdown %.2f%% reached max_drawdown_pct %.2f%%", dd, e.cfg.Risk.MaxDrawdownPct))
	}
	if math.Abs(v.DriftPct) >= e.cfg.Risk.MaxDriftPct {
		return HaltInventoryLimit, e.eventErr(LevelError, "risk", fmt.Sprintf("drift %+.2f%% reached max_drift_pct %.2f%%", v.DriftPct, e.cfg.Risk.MaxDriftPct))
	}
	if div := DivergenceBps(mid, ev.Anchor); math.Abs(div) > e.cfg.Strategy.AnchorMaxDivergenceBps {
		if e.divergingFrom.IsZero() {
			e.divergingFrom = ev.Time
		}
		d := ev.Time.Sub(e.divergingFrom)
		if d > e.cfg.Strategy.AnchorDivergenceHaltAfter.Duration {
			return HaltAnchorDivergence, e.eventErr(LevelError, "risk", fmt.Sprintf("anchor diverged more than %.1f bps from the mid for %s", e.cfg.Strategy.AnchorMaxDivergenceBps, d))
		}
		// Brief excursions are normal (the centre is clamped); say so only
		// when one persists.
		if !e.divergenceWarned && d >= divergenceWarnAfter {
			e.divergenceWarned = true
			e.event(LevelWarn, "guard", fmt.Sprintf("anchor %+.1f bps from the mid for %s (limit %.1f bps, halt after %s): centre clamped",
				div, d, e.cfg.Strategy.AnchorMaxDivergenceBps, e.cfg.Strategy.AnchorDivergenceHaltAfter))
		}
	} else if !e.divergingFrom.IsZero() {
		if e.divergenceWarned {
			e.event(LevelInfo, "guard", fmt.Sprintf("anchor back within %.1f bps of the mid after %s", e.cfg.Strategy.AnchorMaxDivergenceBps, ev.Time.Sub(e.divergingFrom)))
		}
		e.divergingFrom = time.Time{}
		e.divergenceWarned = false
	}

	// Snapshots.
	if ev.Time.Sub(e.lastInvAt) >= e.cfg.Store.SnapshotInterval.Duration {
		e.snapshotInventory(ev.Time)
	}
	if ev.Time.Sub(e.lastValAt) >= e.cfg.Store.ValuationInterval.Duration {
		e.snapshotValuation(ev.Time)
	}

	if !e.paused {
		if err := e.requote(ctx, ev, v); err != nil {
			return HaltEngineError, err
		}
	}
	e.dirty = true
	return "", nil
}

// value computes the inventory figures at mid.
func (e *Engine) value(mid float64) Valuation {
	return Value(e.paper.XRP, e.paper.RLUSD, mid, e.cfg.Strategy.TargetXRPPct, e.cfg.Strategy.SkewTierThresholdsPct)
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

// requote keeps at most one order a side at the strategy's price: an order
// is replaced when the centre moved past requote_threshold_bps since it was
// placed, the skew tier changed, it aged past order_refresh, or its side
// must not quote any more.
func (e *Engine) requote(ctx context.Context, ev MarketEvent, v Valuation) error {
	centre := Centre(ev.Mid(), ev.Anchor, e.cfg.Strategy.AnchorMaxDivergenceBps)
	want := MakeQuotes(e.cfg.Strategy, centre, v.DriftPct)
	now := e.now()
	var writes []Order
	for _, side := range []Side{Buy, Sell} {
		intent := want.Bid
		if side == Sell {
			intent = want.Ask
		}
		var cur *Order
		for _, o := range e.paper.open {
			if o.Side == side {
				o := o
				cur = &o
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
			e.paper.Cancel(cur.OrderID)
			delete(e.resting, cur.OrderID)
			c := *cur
			c.Status = OrderCancelled
			c.ClosedAt = &now
			writes = append(writes, c)
		}
		if intent == nil {
			continue
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
			OrderID:   fmt.Sprintf("%s-o%d", e.sessionID, e.orderSeq),
			SessionID: e.sessionID,
			Side:      side,
			Price:     intent.Price,
			QtyXRP:    intent.QtyXRP,
			CreatedAt: now,
			Status:    OrderOpen,
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

// divergenceWarnAfter is how long the anchor must stay outside its band
// before a guard event says so.
const divergenceWarnAfter = 30 * time.Second
