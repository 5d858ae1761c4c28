package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/charmbracelet/log"
)

// syncBuffer is a log sink safe for the engine goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type harness struct {
	e     *Engine
	store *memStore
	feed  *walkFeed
	logs  *syncBuffer
}

func testConfig() Config {
	c := DefaultConfig()
	c.Session.ShutdownTimeout = D(time.Second)
	return c
}

// MustStart starts an engine at full speed on a walk feed.
func MustStart(tb testing.TB, cfg Config, feed *walkFeed, st *memStore, duration time.Duration) *harness {
	tb.Helper()
	logs := &syncBuffer{}
	lg := log.NewWithOptions(logs, log.Options{Level: log.DebugLevel, Formatter: log.LogfmtFormatter})
	e := mustStartWith(tb, Options{Config: cfg, Feed: feed, Store: st, Logger: slog.New(lg), Speed: 0, Duration: duration, AppVersion: "test"})
	return &harness{e: e, store: st, feed: feed, logs: logs}
}

// startWith makes an engine of opts, which New must accept, and starts it:
// it returns the engine and Start's error.
func startWith(tb testing.TB, opts Options) (*Engine, error) {
	tb.Helper()
	e, err := New(opts)
	if err != nil {
		tb.Fatal(err)
	}
	return e, e.Start(context.Background())
}

// mustStartWith is startWith for a start that must succeed.
func mustStartWith(tb testing.TB, opts Options) *Engine {
	tb.Helper()
	e, err := startWith(tb, opts)
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

func waitDone(tb testing.TB, e *Engine) Result {
	tb.Helper()
	select {
	case <-e.Done():
	case <-time.After(30 * time.Second): // a hang, not a speed check
		tb.Fatalf("engine did not end; step %q", e.CurrentStep())
	}
	return e.Result()
}

// checkClosed holds the invariants of every ending: session row closed with
// the reason, no open order, ending_value = final snapshot's total, store
// closed.
func checkClosed(tb testing.TB, h *harness, want HaltReason) Session {
	tb.Helper()
	s := h.store.session()
	if s.EndedAt == nil {
		tb.Fatalf("ended_at not set")
	}
	if got := s.HaltReason; got != want {
		tb.Fatalf("halt_reason=%q, want %q", got, want)
	}
	if n := h.store.openOrders(); n != 0 {
		tb.Fatalf("%d orders left open", n)
	}
	final := h.store.inventory[len(h.store.inventory)-1]
	if got, want := *s.EndingValue, final.TotalValueInRLUSD; got != want {
		tb.Fatalf("ending_value=%v, want the final snapshot's total_value_in_rlusd %v", got, want)
	}
	if *s.EndingXRP != final.XRPBalance || *s.EndingRLUSD != final.RLUSDBalance {
		tb.Fatalf("ending balances %v/%v differ from the final snapshot %v/%v", *s.EndingXRP, *s.EndingRLUSD, final.XRPBalance, final.RLUSDBalance)
	}
	if !h.store.closed {
		tb.Fatalf("store not closed")
	}
	return s
}

func TestDurationReached(t *testing.T) {
	h := MustStart(t, testConfig(), newWalkFeed(1), newMemStore(), 2*time.Hour)
	r := waitDone(t, h.e)
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	checkClosed(t, h, HaltDurationReached)
	if len(h.store.fills) == 0 {
		t.Fatalf("no fills in two hours of market")
	}
	if every := testConfig().Store.ValuationInterval.Duration; len(h.store.valuations) < int(2*time.Hour/every) {
		t.Fatalf("%d valuation snapshots, want one per %s of market time", len(h.store.valuations), every)
	}
	if h.store.backups != 1 {
		t.Fatalf("backups=%d, want 1 pre-run backup", h.store.backups)
	}
	for _, f := range h.store.fills {
		o := h.store.orders[f.OrderID]
		if o.Status != OrderFilled || o.Price != f.Price {
			t.Fatalf("fill %s: order %+v not filled at the fill price", f.FillID, o)
		}
	}
}

func TestFeedEnded(t *testing.T) {
	f := newWalkFeed(2)
	f.max = 5000
	h := MustStart(t, testConfig(), f, newMemStore(), 0)
	r := waitDone(t, h.e)
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	checkClosed(t, h, HaltFeedEnded)
}

func TestSameSeedSameSession(t *testing.T) {
	run := func() float64 {
		f := newWalkFeed(7)
		f.max = 20000
		h := MustStart(t, testConfig(), f, newMemStore(), 0)
		return waitDone(t, h.e).EndingValue
	}
	if a, b := run(), run(); a != b {
		t.Fatalf("ending values differ: %v vs %v", a, b)
	}
}

func TestOperatorQuitAndIdempotentClose(t *testing.T) {
	h := MustStart(t, testConfig(), newWalkFeed(3), newMemStore(), 0)
	var wg sync.WaitGroup
	for _, r := range []HaltReason{HaltOperatorQuit, HaltSignalTerminate, HaltSignalHangup} {
		wg.Add(1)
		go func(r HaltReason) {
			defer wg.Done()
			_ = h.e.Close(context.Background(), r)
		}(r)
		if r == HaltOperatorQuit {
			// Let the first request land before the others.
			<-h.e.Stopping()
		}
	}
	wg.Wait()
	checkClosed(t, h, HaltOperatorQuit)
	if err := h.e.Close(context.Background(), HaltSignalInterrupt); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	st := h.e.State()
	if st.Status != StatusEnded || st.HaltReason != HaltOperatorQuit {
		t.Fatalf("published status=%q reason=%q", st.Status, st.HaltReason)
	}
	if got, want := len(st.ShutdownSteps), 6; got != want {
		t.Fatalf("%d shutdown steps published, want %d", got, want)
	}
	for _, s := range st.ShutdownSteps {
		if !s.Done || s.Err != "" {
			t.Fatalf("step %+v not done cleanly", s)
		}
	}
}

func TestRiskHalts(t *testing.T) {
	for _, tt := range []struct {
		name   string
		want   HaltReason
		config func(*Config)
		feed   func(*walkFeed)
	}{
		{"max drawdown", HaltMaxDrawdown, func(c *Config) { c.Risk.MaxDrawdownPct = 0.5 }, func(f *walkFeed) { f.drift = -0.0005 }},
		{"inventory limit", HaltInventoryLimit, func(c *Config) { c.Risk.MaxDriftPct = 3 }, func(f *walkFeed) { f.drift = 0.0003 }},
		{"stale feed", HaltStaleFeed, func(c *Config) { c.Risk.StaleFeedAfter = D(time.Minute) }, func(f *walkFeed) { f.gapAt, f.gap = 500, 2*time.Minute }},
		{"anchor divergence", HaltAnchorDivergence, func(c *Config) {
			c.Strategy.AnchorDivergenceHaltAfter = D(10 * time.Second)
		}, func(f *walkFeed) { f.anchorF = func(mid float64) float64 { return mid * 1.01 } }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			tt.config(&cfg)
			f := newWalkFeed(11)
			tt.feed(f)
			h := MustStart(t, cfg, f, newMemStore(), 24*time.Hour)
			r := waitDone(t, h.e)
			if r.Err != nil {
				t.Fatal(r.Err)
			}
			checkClosed(t, h, tt.want)
			if !tt.want.IsRisk() {
				t.Fatalf("%s is not a risk reason", tt.want)
			}
			kinds := h.store.eventKinds()
			if kinds["risk"]+kinds["stale_feed"] == 0 {
				t.Fatalf("no risk event recorded: %v", kinds)
			}
		})
	}
}

func TestEngineErrors(t *testing.T) {
	t.Run("feed error", func(t *testing.T) {
		f := newWalkFeed(4)
		f.errAt = 300
		h := MustStart(t, testConfig(), f, newMemStore(), 0)
		r := waitDone(t, h.e)
		if !errors.Is(r.Err, errFeed) {
			t.Fatalf("err=%v, want the feed's error", r.Err)
		}
		checkClosed(t, h, HaltEngineError)
	})
	t.Run("panic", func(t *testing.T) {
		f := newWalkFeed(4)
		f.panicAt = 300
		h := MustStart(t, testConfig(), f, newMemStore(), 0)
		r := waitDone(t, h.e)
		if r.Err == nil || !strings.Contains(r.Err.Error(), "injected panic") {
			t.Fatalf("err=%v, want the panic", r.Err)
		}
		checkClosed(t, h, HaltEngineError)
	})
}

// A price that makes a recorded figure infinite (a replay bar at 1e306 gave
// starting_value +Inf, which then broke every JSON export of the database)
// never reaches the store.
func TestNonFinitePricesAreNeverRecorded(t *testing.T) {
	t.Run("first event", func(t *testing.T) {
		f := newWalkFeed(5)
		f.spikeAt, f.spike = 1, 1e306
		st := newMemStore()
		// Explicit balances: 1,000 XRP at 1e306 is not a finite value (a
		// derived split of starting_value_rlusd would be).
		cfg := testConfig()
		cfg.Session.StartingValueRLUSD, cfg.Session.StartingXRP, cfg.Session.StartingRLUSD = 0, 1000, 2300
		_, err := startWith(t, Options{Config: cfg, Feed: f, Store: st, Logger: slog.New(log.New(&syncBuffer{})), AppVersion: "test"})
		if err == nil || !strings.Contains(err.Error(), "not a finite number") {
			t.Fatalf("Start: err=%v, want a refusal of the non-finite starting value", err)
		}
		if len(st.sessions) != 0 {
			t.Fatalf("a session row was written: %+v", st.sessions)
		}
	})
	t.Run("later event", func(t *testing.T) {
		f := newWalkFeed(5)
		f.spikeAt, f.spike = 300, 1e306
		h := MustStart(t, testConfig(), f, newMemStore(), 0)
		r := waitDone(t, h.e)
		if r.Err == nil || !strings.Contains(r.Err.Error(), "not finite prices") {
			t.Fatalf("err=%v, want the non-finite prices named", r.Err)
		}
		s := checkClosed(t, h, HaltEngineError)
		nums := []float64{s.StartingValue, *s.EndingValue, *s.EndingXRP, *s.EndingRLUSD}
		for _, v := range h.store.inventory {
			nums = append(nums, v.MidPrice, v.TotalValueInRLUSD, v.XRPValueInRLUSD, v.XRPPct, v.DriftPct, v.DriftVelocityPctPerMin)
		}
		for _, v := range h.store.valuations {
			nums = append(nums, v.MidPrice, v.TotalValueInRLUSD, v.HoldValueInRLUSD, v.PnLRLUSD, v.FeesRLUSD)
			if v.AnchorPrice != nil {
				nums = append(nums, *v.AnchorPrice)
			}
		}
		for _, x := range h.store.fills {
			nums = append(nums, x.Price, x.QtyXRP, x.ValueRLUSD, x.FeeRLUSD)
		}
		for _, o := range h.store.orders {
			nums = append(nums, o.Price, o.QtyXRP)
		}
		if !allFinite(nums) {
			t.Fatalf("a non-finite number was recorded: %v", nums)
		}
	})
}

func allFinite(xs []float64) bool {
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

func TestCloseWriteFailureIsAnError(t *testing.T) {
	st := newMemStore()
	diskFull := errors.New("database or disk is full (SQLITE_FULL)")
	st.CloseSessionFn = func(ctx context.Context, end SessionEnd) error { return diskFull }
	h := MustStart(t, testConfig(), newWalkFeed(5), st, 10*time.Minute)
	r := waitDone(t, h.e)
	if !errors.Is(r.Err, diskFull) {
		t.Fatalf("err=%v, want the close write's cause", r.Err)
	}
	logs := h.logs.String()
	var line string
	for _, l := range strings.Split(logs, "\n") {
		if strings.Contains(l, "writing the session row FAILED") {
			line = l
		}
	}
	if !strings.Contains(line, "level=error") || !strings.Contains(line, "SQLITE_FULL") {
		t.Fatalf("close failure not logged at ERROR with its cause; line: %q\nlogs:\n%s", line, logs)
	}
	if !st.closed {
		t.Fatalf("database not closed after the failed write")
	}
}

func TestHungStoreStillEndsWithinTimeout(t *testing.T) {
	st := newMemStore()
	st.CloseSessionFn = func(ctx context.Context, end SessionEnd) error {
		<-ctx.Done() // hangs until the shutdown deadline
		return ctx.Err()
	}
	cfg := testConfig()
	cfg.Session.ShutdownTimeout = D(300 * time.Millisecond)
	h := MustStart(t, cfg, newWalkFeed(6), st, 0)
	h.e.RequestClose(HaltSignalTerminate)
	r := waitDone(t, h.e)
	if r.Err == nil || !strings.Contains(r.Err.Error(), "writing the session row") {
		t.Fatalf("err=%v, want the hung step named", r.Err)
	}
	if !strings.Contains(h.logs.String(), "step=\"write session row\"") {
		t.Fatalf("log does not name the hung step:\n%s", h.logs.String())
	}
	// The promise of the name, on the engine's own measure: the hung row
	// write was cut at its stage deadline (80 % of shutdown_timeout) and the
	// whole shutdown ended within shutdown_timeout. The slack above it is
	// generous (a loaded machine), far below a step that ignores its
	// deadline.
	timeout := cfg.Session.ShutdownTimeout.Duration
	rowDeadline := time.Duration(stageSession * float64(timeout))
	if r.ShutdownDuration < rowDeadline || r.ShutdownDuration > timeout+2*time.Second {
		t.Fatalf("shutdown took %s, want between %s (the row's deadline) and %s (shutdown_timeout, plus slack)",
			r.ShutdownDuration, rowDeadline, timeout+2*time.Second)
	}
}

func TestBackupFailureStopsStart(t *testing.T) {
	st := newMemStore()
	st.BackupFn = func(ctx context.Context) (string, error) { return "", errors.New("no space left on device") }
	_, err := startWith(t, Options{Config: testConfig(), Feed: newWalkFeed(1), Store: st})
	if err == nil || !strings.Contains(err.Error(), "pre-run backup") {
		t.Fatalf("Start err=%v, want a pre-run backup failure", err)
	}
	if len(st.sessions) != 0 {
		t.Fatalf("a session row was written despite the failed backup")
	}
}

func TestPauseCancelsOrders(t *testing.T) {
	f := newWalkFeed(8)
	st := newMemStore()
	logs := &syncBuffer{}
	e := mustStartWith(t, Options{Config: testConfig(), Feed: f, Store: st, Speed: 50, Logger: slog.New(log.New(logs))})
	waitFor(t, e, func(s *State) bool { return len(s.Quotes) > 0 })
	e.SetPaused(true)
	waitFor(t, e, func(s *State) bool { return s.Status == StatusPaused && len(s.Quotes) == 0 })
	if n := st.openOrders(); n != 0 {
		t.Fatalf("%d orders open while paused", n)
	}
	e.SetPaused(false)
	waitFor(t, e, func(s *State) bool { return s.Status == StatusRunning && len(s.Quotes) > 0 })
	if err := e.Close(context.Background(), HaltOperatorQuit); err != nil {
		t.Fatal(err)
	}
	if got := st.eventKinds()["pause"]; got != 2 {
		t.Fatalf("%d pause events, want 2", got)
	}
}

// waitFor waits on the notify channel until cond holds.
func waitFor(tb testing.TB, e *Engine, cond func(*State) bool) {
	tb.Helper()
	deadline := time.After(20 * time.Second)
	for {
		ch := e.Changed()
		if cond(e.State()) {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			tb.Fatalf("condition not reached; state %+v", e.State().Status)
		}
	}
}

// A batch that hangs on a stalled disk when the stop comes is not
// abandoned as if it had committed: the shutdown waits for it within its
// deadline, then ends with an error that names the step, hands every later
// write to the store all the same (they queue behind the hung batch), and
// still closes the session.
func TestStopWhileACommitHangs(t *testing.T) {
	st := newMemStore()
	// The first commit of the loop with fills meets a stalled disk that
	// never comes back; the shutdown's own commits go through.
	disk := stallFirstFills(t, st)
	h := MustStart(t, testConfig(), newWalkFeed(12), st, 0)
	<-disk.hung
	h.e.RequestClose(HaltSignalTerminate)
	r := waitDone(t, h.e)
	if got, want := int64(st.fillCount())+disk.fills.Load(), int64(h.e.fillCount); got != want {
		t.Fatalf("store holds %d fills + %d in the hung batch, engine counted %d: the writes after the hung batch were not handed over",
			st.fillCount(), disk.fills.Load(), want)
	}
	checkClosed(t, h, HaltSignalTerminate)
	if !errors.Is(r.Err, context.DeadlineExceeded) || !strings.Contains(r.Err.Error(), StepStopQuoting) {
		t.Fatalf("err=%v, want the stop-quoting step's deadline: the hung batch is not known to have committed", r.Err)
	}
}

func TestEveryStepErrorIsKept(t *testing.T) {
	st := newMemStore()
	ordersLost := errors.New("orders: disk I/O error")
	rowLost := errors.New("row: disk I/O error")
	var failing atomic.Bool
	st.SaveBatchFn = func(ctx context.Context, b Batch) error {
		if failing.Load() {
			return ordersLost
		}
		return nil
	}
	st.CloseSessionFn = func(ctx context.Context, end SessionEnd) error { return rowLost }
	f := newWalkFeed(13)
	e := mustStartWith(t, Options{Config: testConfig(), Feed: f, Store: st, Speed: 50})
	waitFor(t, e, func(s *State) bool { return len(s.Quotes) > 0 })
	failing.Store(true)
	e.RequestClose(HaltOperatorQuit)
	r := waitDone(t, e)
	if !errors.Is(r.Err, ordersLost) || !errors.Is(r.Err, rowLost) {
		t.Fatalf("err=%v, want both the cancel and the session-row failures", r.Err)
	}
}

// slowAckStore commits the session row, then the start's ctx is cancelled
// (a signal) before the write is acknowledged: the store's durable write
// then reports the cancellation for a row that is in the database.
type slowAckStore struct {
	*memStore
	cancel context.CancelFunc
}

func (s slowAckStore) OpenSession(ctx context.Context, sess Session) error {
	_ = s.memStore.OpenSession(ctx, sess)
	s.cancel()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("open session %s: gave up waiting for the commit: %w", sess.SessionID, err)
	}
	return nil
}

// Once the session row is in the store's hands, a cancelled start must not
// report "nothing recorded": Start returns a running engine that the caller
// closes with its reason.
func TestStartCancelledDuringTheSessionRowReturnsTheSession(t *testing.T) {
	st := newMemStore()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e, err := New(Options{Config: testConfig(), Feed: newWalkFeed(3), Store: slowAckStore{st, cancel}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(ctx); err != nil {
		t.Fatalf("Start err=%v with a session row written (%d rows): the session would be left open", err, len(st.sessions))
	}
	if err := e.Close(context.Background(), HaltSignalTerminate); err != nil {
		t.Fatal(err)
	}
	if len(st.sessions) != 1 {
		t.Fatalf("%d session rows, want 1", len(st.sessions))
	}
	for id, s := range st.sessions {
		if s.EndedAt == nil || s.HaltReason != HaltSignalTerminate {
			t.Fatalf("session %s ended_at=%v halt_reason=%q, want closed as signal_terminate", id, s.EndedAt, s.HaltReason)
		}
		checkEndedAtItsStart(t, st, s)
	}
}

// checkEndedAtItsStart: a session stopped before its loop applied an event
// ends where it started: valued at the first event's mid, at its market
// time (never at mid 0 in year 1: a -50 % loss that never happened).
func checkEndedAtItsStart(t *testing.T, st *memStore, s *Session) {
	t.Helper()
	if len(st.inventory) == 0 || len(st.valuations) == 0 {
		t.Fatalf("no final snapshot")
	}
	inv, val := st.inventory[len(st.inventory)-1], st.valuations[len(st.valuations)-1]
	if !(inv.MidPrice > 0) || inv.MarketTime.IsZero() || !(val.MidPrice > 0) || val.MarketTime.IsZero() {
		t.Fatalf("final snapshots at mid %v / %v, market time %v / %v", inv.MidPrice, val.MidPrice, inv.MarketTime, val.MarketTime)
	}
	if s.EndingValue == nil || math.Abs(*s.EndingValue-s.StartingValue) > 1e-6*s.StartingValue {
		t.Fatalf("ending value %v, starting value %v: want the same (nothing happened)", s.EndingValue, s.StartingValue)
	}
	if s.MarketEndedAt == nil || !s.MarketEndedAt.Equal(*s.MarketStartedAt) {
		t.Fatalf("market span %v → %v, want it to end where it started", s.MarketStartedAt, s.MarketEndedAt)
	}
}

// Issue 11 items 1 and 4: every order, fill, snapshot and event carries the
// market time of what caused it (the feed's clock, a year before the wall
// clock here), the session its market span; a feed without an anchor
// records none (nil), one with an anchor records it.
func TestMarketTimeAndAnchor(t *testing.T) {
	for _, withAnchor := range []bool{false, true} {
		t.Run(fmt.Sprintf("anchor=%v", withAnchor), func(t *testing.T) { checkMarketTimeAndAnchor(t, withAnchor) })
	}
}

// checkMarketTimeAndAnchor runs a session to the end of a walk feed, with
// or without an anchor, and checks the market times and anchors recorded.
func checkMarketTimeAndAnchor(t *testing.T, withAnchor bool) {
	f := newWalkFeed(3)
	f.max = 4000
	if !withAnchor {
		f.anchorF = func(float64) float64 { return 0 }
	}
	span := feedSpan{first: f.t.Add(f.step), last: f.t.Add(time.Duration(f.max) * f.step)}
	h := MustStart(t, testConfig(), f, newMemStore(), 0)
	if r := waitDone(t, h.e); r.Err != nil {
		t.Fatal(r.Err)
	}
	s := checkClosed(t, h, HaltFeedEnded)
	if s.MarketStartedAt == nil || !s.MarketStartedAt.Equal(span.first) || s.MarketEndedAt == nil || !s.MarketEndedAt.Equal(span.last) {
		t.Fatalf("market span %v → %v, want %v → %v", s.MarketStartedAt, s.MarketEndedAt, span.first, span.last)
	}
	st := h.store
	st.mu.Lock()
	defer st.mu.Unlock()
	checkRecordedMarketTimes(t, st, span, withAnchor)
	if a := h.e.State().Anchor; (a != nil) != withAnchor {
		t.Fatalf("State.Anchor %v, want set: %v", a, withAnchor)
	}
}

// feedSpan is the market time of a feed's first and last event.
type feedSpan struct{ first, last time.Time }

// check fails the test if the market time at of what lies outside the span.
func (sp feedSpan) check(t *testing.T, what string, at time.Time) {
	t.Helper()
	if at.Before(sp.first) || at.After(sp.last) {
		t.Fatalf("%s at %v, outside the feed's %v → %v", what, at, sp.first, sp.last)
	}
}

// checkRecordedMarketTimes checks that every order (and its end), fill,
// snapshot and event in st (locked by the caller) has a market time within
// span, and that the valuation snapshots carry an anchor price exactly when
// the feed has an anchor.
func checkRecordedMarketTimes(t *testing.T, st *memStore, span feedSpan, withAnchor bool) {
	t.Helper()
	if len(st.fills) == 0 || len(st.orders) == 0 {
		t.Fatalf("%d fills, %d orders: nothing to check", len(st.fills), len(st.orders))
	}
	for _, o := range st.orders {
		span.check(t, "order "+o.OrderID, o.MarketTime)
		if o.ClosedMarketTime == nil {
			t.Fatalf("order %s left open", o.OrderID)
		}
		span.check(t, "end of order "+o.OrderID, *o.ClosedMarketTime)
	}
	for _, x := range st.fills {
		span.check(t, "fill "+x.FillID, x.MarketTime)
	}
	for _, v := range st.inventory {
		span.check(t, "inventory snapshot", v.MarketTime)
	}
	for _, v := range st.valuations {
		span.check(t, "valuation snapshot", v.MarketTime)
		if (v.AnchorPrice != nil) != withAnchor || (withAnchor && !(*v.AnchorPrice > 0)) {
			t.Fatalf("anchor_price %v with a feed that has an anchor: %v", v.AnchorPrice, withAnchor)
		}
	}
	for _, e := range st.events {
		span.check(t, "event "+e.Kind, e.MarketTime)
	}
}
