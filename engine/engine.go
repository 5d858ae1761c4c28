package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"time"
)

// Options configure an Engine.
//
// Logger is a log/slog logger so that the domain depends on no terminal
// library; cmd/neo hands it charmbracelet/log as the handler. The engine
// logs durations as text (d.String()): a handler may write a slog duration
// as nanoseconds (charmbracelet/log's JSON does).
type Options struct {
	Config     Config
	Feed       Feed
	Store      Store
	Logger     *slog.Logger     // nil: discard
	Speed      float64          // market-time speed: 1 real time, 0 as fast as possible
	Duration   time.Duration    // end after this much market time (0: no limit)
	AppVersion string           // stored in sessions.app_version
	Now        func() time.Time // wall clock; nil: time.Now
	// Matcher is the paper exchange's fill rules for this feed; nil:
	// CrossMatcher (sim and price replays).
	Matcher Matcher
	// LiveFeed says that the feed delivers market data as it happens (the
	// live XRPL feed): the engine does not pace it (Speed is ignored), it
	// halts as stale_feed when nothing arrives for stale_feed_after of
	// wall time, and it pulls its quotes as soon as the feed's health
	// (FeedHealth) leaves LIVE.
	LiveFeed bool
}

// Engine runs one paper session: it reads the feed, quotes, fills on the
// paper exchange, checks risk, records everything and publishes its state.
// Every ending goes through one shutdown path (shutdown.go).
type Engine struct {
	// Set by New from Options; read-only afterwards.
	cfg   Config
	feed  Feed
	store Store
	log   *slog.Logger
	now   func() time.Time
	speed float64
	limit time.Duration
	ver   string
	match Matcher
	live  bool

	// The groups below are declared beside the code that owns them. Start
	// fills them before the session goroutine starts; from then on only that
	// goroutine (the loop, then the shutdown that runs on it) touches them,
	// except what is made to be shared: lifecycle (a mutex, a once,
	// channels, an atomic), recorder.commitCancel (RequestClose calls it),
	// publishing.pub (read by the console under its own lock) and the
	// feedReader's channel.
	lifecycle   // shutdown.go: the stop asked for from any goroutine, the end and its result
	feedReader  // feedreader.go: the goroutine that reads the feed for the loop
	sessionInfo // engine.go: the running session's identity and clocks, set during Start
	paperState  // tick.go: market, paper exchange, strategy and risk state
	recorder    // recorder.go: writes staged for the Store and the contexts that bound them
	publishing  // publish.go: what the console's State is built from, and the publish cadence
}

// sessionInfo is the running session's identity and clocks, set once
// during Start (openSession, recorder.go).
type sessionInfo struct {
	sessionID   string
	startedAt   time.Time   // wall clock
	marketStart time.Time   // market time of the first event
	opening     MarketEvent // the first event (the starting balances' mid)
	wallStart   time.Time   // wall time the first event was taken (pacing's origin)
	startValue  float64     // starting value in RLUSD at the first mid
	startXRP    float64     // starting balances (Config.StartingBalances at the first mid)
	startRLUSD  float64
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
		lg = slog.New(slog.DiscardHandler)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	match := opts.Matcher
	if match == nil {
		match = CrossMatcher{}
	}
	speed := opts.Speed
	if opts.LiveFeed {
		speed = 1 // the feed is the clock: staleWall is stale_feed_after
	}
	e := &Engine{
		match: match,
		live:  opts.LiveFeed,
		cfg:   opts.Config,
		feed:  opts.Feed,
		store: opts.Store,
		log:   lg,
		now:   now,
		speed: speed,
		limit: opts.Duration,
		ver:   opts.AppVersion,
		lifecycle: lifecycle{
			stopping: make(chan struct{}),
			pauseCh:  make(chan bool, 8),
			done:     make(chan struct{}),
		},
		paperState: newPaperState(opts.Config),
		publishing: publishing{
			hist:   newRing(historyLen),
			status: StatusStarting,
			pub:    newPublisher(&State{Mode: ModePaper, Feed: opts.Feed.Name(), Status: StatusStarting, Config: opts.Config}),
		},
	}
	if bf, ok := opts.Feed.(BarFeed); ok {
		e.fromFile, e.barInterval = true, bf.BarInterval()
	}
	e.step.Store("")
	e.evCtx = context.Background()
	e.commitCtx, e.commitCancel = context.WithCancel(context.Background())
	return e, nil
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
	e.log.Info("pre-run backup: done", "path", path, "took", e.now().Sub(t0).Round(time.Millisecond).String())

	t1 := e.now()
	recovered, err := e.store.Recover(ctx)
	if err != nil {
		return fmt.Errorf("recovering sessions left open: %w", err)
	}
	e.log.Info("recovery: done", "closed", len(recovered), "took", e.now().Sub(t1).Round(time.Millisecond).String())
	// The store logs each recovery; the session's events carry it to the
	// console below.

	loopCtx, cancel := context.WithCancel(context.Background())
	e.loopCancel = cancel
	e.feedCh = make(chan feedItem, 64)
	e.feedWG.Add(1)
	go e.readFeed(loopCtx)

	var first feedItem
	var startWait <-chan time.Time
	if e.live {
		// A live feed that never delivers must not hold the start forever.
		t := time.NewTimer(e.cfg.Risk.StaleFeedAfter.Duration)
		defer t.Stop()
		startWait = t.C
	}
	select {
	case first = <-e.feedCh:
	case <-ctx.Done():
		e.stopFeed()
		return ctx.Err()
	case <-startWait:
		e.stopFeed()
		return fmt.Errorf("feed %s: no market data within stale_feed_after (%s), so no session was started: check the endpoints and the network", e.feed.Name(), e.cfg.Risk.StaleFeedAfter)
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
	if err := e.openSession(ctx, ev); err != nil {
		e.stopFeed()
		return err
	}
	e.recordStart(path, recovered)
	e.status = StatusRunning
	e.started = true
	go e.run(loopCtx)
	return nil
}

// SessionID is the id of the running session ("" before Start).
func (e *Engine) SessionID() string { return e.sessionID }

var _ Controller = (*Engine)(nil)

// run is the session goroutine: the loop, then the shutdown path.
func (e *Engine) run(ctx context.Context) {
	defer close(e.done)
	reason, cause := e.loop(e.commitCtx)
	// A loop that ended on its own (feed end, halt, duration) records its
	// reason at once, before anything waits for the disk: a signal that
	// arrives while the last batch commits must not replace it, and the
	// stop it asks for arms the supervisor's backstop. The batch in flight
	// is waited for by the shutdown's first step, within its deadline, and
	// its failure is reported there (Result.Err).
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
	// The start's events are staged: committed before they are shown.
	if err := e.commit(ctx); err != nil {
		return e.failed(err)
	}
	e.publish(true)
	pending := e.firstEvent
	e.firstEvent = nil
	// The stale check counts wall time since the last market event: other
	// wake-ups (a pause, the health tick) must not restart it.
	var staleTimer *time.Timer
	lastData := e.now()
	if e.speed > 0 && !e.fromFile { // a file never goes stale (checkFeedGap)
		staleTimer = time.NewTimer(e.staleWall())
		defer staleTimer.Stop()
	}
	var healthC <-chan time.Time
	if e.live {
		// At the refresh rate at most: a state left unpublished after an
		// event (refresh_rate not yet passed) is published by this tick.
		t := time.NewTicker(min(healthEvery, e.cfg.Console.RefreshRate.Duration))
		defer t.Stop()
		healthC = t.C
	}
	for {
		var ev MarketEvent
		if pending != nil {
			ev, pending = *pending, nil
		} else {
			var stale <-chan time.Time
			if staleTimer != nil {
				staleTimer.Reset(max(lastData.Add(e.staleWall()).Sub(e.now()), 0))
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
			case <-healthC:
				if err := e.checkHealth(ctx); err != nil {
					return e.failed(err)
				}
				continue
			case <-stale:
				return e.halt(silentFeedHalt(e.cfg))
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
				lastData = e.now()
			}
		}
		if end, r, err := e.apply(ctx, ev); end {
			return r, err
		}
	}
}

// failed turns an error of the loop into its halt: engine_error, unless the
// error only says that a stop was asked for while a commit waited (the
// batch stays in flight and the pending writes stay staged: the
// shutdown's first step waits for the one and commits the other, and
// reports either's failure). A commit's own failure is never a
// cancellation: background batches commit without the stop's
// cancellation (commitBehind).
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
