package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/charmbracelet/log"
)

// waitChan waits for ch with a generous deadline (a hang, not a speed
// check).
func waitChan(tb testing.TB, ch <-chan struct{}, what string) {
	tb.Helper()
	select {
	case <-ch:
	case <-time.After(20 * time.Second):
		tb.Fatalf("timed out waiting for %s", what)
	}
}

// waitFirstFill waits until the store holds a fill; the session must not
// end before.
func waitFirstFill(tb testing.TB, h *harness) {
	tb.Helper()
	for h.store.fillCount() == 0 {
		select {
		case <-h.e.Done():
			tb.Fatal("session ended before any fill")
		case <-time.After(time.Millisecond):
		}
	}
}

// stalledDisk is a store fault: the first batch with fills hangs until the
// end of the test, then fails; every other batch commits.
type stalledDisk struct {
	hung  chan struct{} // closed when the batch stalls
	fills atomic.Int64  // the fills of the stalled batch
}

// stallFirstFills sets st's stalled disk.
func stallFirstFills(t *testing.T, st *memStore) *stalledDisk {
	d := &stalledDisk{hung: make(chan struct{})}
	var hang sync.Once
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	st.SaveBatchFn = func(ctx context.Context, b Batch) error {
		stalled := false
		if len(b.Fills) > 0 {
			hang.Do(func() { stalled = true })
		}
		if !stalled {
			return nil
		}
		d.fills.Store(int64(len(b.Fills)))
		close(d.hung)
		<-release
		return errors.New("released at the end of the test")
	}
	return d
}

// A background batch that failed is reported even when a stop was asked
// for at the same time: its result is never dropped for the cancellation
// that raced it (Result.Err, an ERROR in the log, a non-zero exit).
func TestAFailedBatchIsReportedAtAStop(t *testing.T) {
	for i := range 20 {
		seed := uint64(300 + i)
		t.Logf("run %d: walk seed %d", i, seed)
		st := newMemStore()
		diskFull := errors.New("database or disk is full")
		var once sync.Once
		failed := make(chan struct{})
		st.SaveBatchFn = func(ctx context.Context, b Batch) error {
			if len(b.Fills) == 0 {
				return nil
			}
			first := false
			once.Do(func() { first = true })
			if !first {
				return nil
			}
			close(failed)
			return diskFull
		}
		h := MustStart(t, testConfig(), newWalkFeed(seed), st, 0)
		waitChan(t, failed, "the failing batch")
		h.e.RequestClose(HaltSignalInterrupt)
		r := waitDone(t, h.e)
		if !errors.Is(r.Err, diskFull) {
			t.Fatalf("run %d (seed %d): Result.Err=%v, want the failed batch's %q (reason %s)", i, seed, r.Err, diskFull, r.Reason)
		}
		if logs := h.logs.String(); !strings.Contains(logs, "level=error") || !strings.Contains(logs, "database or disk is full") {
			t.Fatalf("run %d (seed %d): the failed batch was not logged at ERROR:\n%s", i, seed, logs)
		}
	}
}

// A batch the store never took (its queue full when the stop cancelled the
// wait) is not counted as committed: it lands once the store takes it, and
// every fill the engine counted is in the store.
func TestABatchTheStoreNeverTookIsNotLost(t *testing.T) {
	st := newMemStore()
	var full atomic.Bool
	release := make(chan struct{})
	blocked := make(chan struct{})
	var blockOnce sync.Once
	st.SaveBatchFn = func(ctx context.Context, b Batch) error {
		if !full.Load() {
			return nil
		}
		// As store.DB's enqueue does with a full queue.
		blockOnce.Do(func() { close(blocked) })
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return fmt.Errorf("batch: %w: %w", ErrNotQueued, ctx.Err())
		}
	}
	cfg := testConfig()
	cfg.Session.ShutdownTimeout = D(10 * time.Second) // the test releases the queue
	h := MustStart(t, cfg, newWalkFeed(21), st, 0)
	waitFirstFill(t, h)
	full.Store(true)
	waitChan(t, blocked, "a batch blocked on the full queue")
	h.e.RequestClose(HaltSignalInterrupt)
	waitChan(t, h.e.Stopping(), "the stop")
	waitChan(t, h.e.commitCtx.Done(), "the loop's commits cancelled")
	close(release)
	r := waitDone(t, h.e)
	if r.Err != nil {
		t.Fatalf("Result.Err=%v, want a clean end: every batch reached the store", r.Err)
	}
	if got, want := st.fillCount(), h.e.State().FillCount; got != want {
		t.Fatalf("engine counted %d fills, store holds %d", want, got)
	}
	checkClosed(t, h, HaltSignalInterrupt)
}

// No state the console is shown holds a fill the store does not hold yet:
// not while running, not when the shutdown starts with a batch in flight
// and up to commitMaxEvents events staged.
func TestNothingIsShownBeforeItIsCommitted(t *testing.T) {
	for i := range 3 {
		seed := uint64(400 + i)
		t.Logf("run %d: walk seed %d", i, seed)
		st := newMemStore()
		var slow atomic.Bool
		st.SaveBatchFn = func(ctx context.Context, b Batch) error {
			if slow.Load() {
				time.Sleep(20 * time.Millisecond) // a slow disk, so that a state published too early is seen
			}
			return nil
		}
		h := MustStart(t, testConfig(), newWalkFeed(seed), st, 0)
		bad := make(chan string, 1)
		watched := make(chan struct{})
		go func() {
			defer close(watched)
			for {
				ch := h.e.Changed()
				s := h.e.State()
				if n := st.fillCount(); s.FillCount > n {
					bad <- fmt.Sprintf("state %q shows %d fills, the store holds %d", s.Status, s.FillCount, n)
					return
				}
				if s.Status == StatusEnded {
					return
				}
				select {
				case <-ch:
				case <-time.After(20 * time.Second):
					bad <- "no publish for 20s"
					return
				}
			}
		}()
		waitFirstFill(t, h)
		slow.Store(true)
		h.e.RequestClose(HaltSignalInterrupt)
		r := waitDone(t, h.e)
		<-watched
		select {
		case msg := <-bad:
			t.Fatalf("run %d (seed %d): %s", i, seed, msg)
		default:
		}
		if r.Err != nil {
			t.Fatal(r.Err)
		}
	}
}

// A session event (a halt, a tier change, a guard, a data gap) never
// reaches the store ahead of the fills before it: at full speed it
// commits in the batch of the events that caused it. The halt's WARN log
// comes after the shutdown has committed them.
func TestEventsCommitWithTheFillsBehindThem(t *testing.T) {
	cfg := testConfig()
	cfg.Risk.MaxDrawdownPct = 1
	f := newWalkFeed(11)
	f.drift = -0.00001
	st := newMemStore()
	h := MustStart(t, cfg, f, st, 24*time.Hour)
	r := waitDone(t, h.e)
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	checkClosed(t, h, HaltMaxDrawdown)
	st.mu.Lock()
	defer st.mu.Unlock()
	if len(st.fills) < 50 {
		t.Fatalf("%d fills before the halt: too few for the test to prove anything", len(st.fills))
	}
	halts := 0
	for _, l := range st.landed {
		older := 0
		for _, f := range st.fills {
			if f.MarketTime.Before(l.ev.MarketTime) {
				older++
			}
		}
		if l.olderStored != older {
			t.Fatalf("event %s (%q) reached the store with %d of the %d fills before it", l.ev.Kind, l.ev.Message, l.olderStored, older)
		}
		if l.ev.Kind == "risk" {
			halts++
		}
	}
	t.Logf("%d fills, %d events checked", len(st.fills), len(st.landed))
	if halts == 0 {
		t.Fatalf("no halt event recorded: %v", st.events)
	}
	logs := h.logs.String()
	halt, shut := strings.Index(logs, "halt: "), strings.Index(logs, "shutdown step done")
	if halt < 0 || shut < 0 || halt < shut {
		t.Fatalf("the halt must be logged after the shutdown's first commit:\n%s", logs)
	}
}

// When the loop ends on its own (here the feed's end) while its last batch
// commits on a stalled disk, the reason it found is recorded and the stop
// is under way (Stopping closed, so the supervisor's backstop is armed)
// before anything waits for the disk: a signal during that wait neither
// replaces the reason nor finds the shutdown unbounded.
func TestTheLoopsOwnReasonWinsOverASignalDuringTheLastCommit(t *testing.T) {
	st := newMemStore()
	disk := stallFirstFills(t, st)
	f := newWalkFeed(31)
	f.max = 3000 // one background batch (commitMaxEvents), then the feed's end
	// A wall clock that stands still: no commit but the one at
	// commitMaxEvents, no publish in the loop, whatever the machine's load.
	frozen := time.Now()
	logs := &syncBuffer{}
	lg := log.NewWithOptions(logs, log.Options{Level: log.DebugLevel, Formatter: log.LogfmtFormatter})
	e := mustStartWith(t, Options{Config: testConfig(), Feed: f, Store: st, Logger: slog.New(lg), Speed: 0,
		Now: func() time.Time { return frozen }})
	waitChan(t, disk.hung, "the stalled batch")
	// The loop has taken every event and the feed's end once the reader
	// is gone and its channel is empty.
	waitDoneWG := make(chan struct{})
	go func() { e.feedWG.Wait(); close(waitDoneWG) }()
	waitChan(t, waitDoneWG, "the feed reader's end")
	for len(e.feedCh) > 0 {
		time.Sleep(time.Millisecond)
	}
	waitChan(t, e.Stopping(), "the stop the loop's own end asks for (the backstop's trigger)")
	e.RequestClose(HaltSignalTerminate)
	r := waitDone(t, e)
	if r.Reason != HaltFeedEnded {
		t.Fatalf("reason=%s, want %s: the loop's own reason came first", r.Reason, HaltFeedEnded)
	}
	if r.Err == nil || !strings.Contains(r.Err.Error(), StepStopQuoting) {
		t.Fatalf("Result.Err=%v, want the stalled batch's wait to fail its step", r.Err)
	}
}

// A final checkpoint that another process's reader kept from emptying the
// write-ahead log loses nothing: the session ends cleanly (no error in its
// result or state, nothing logged at ERROR) and the step says what was
// left. Joined with a real failure, it is a failure.
func TestCheckpointIncompleteIsNoFailure(t *testing.T) {
	incomplete := fmt.Errorf("close store: %w", Errorf(EINCOMPLETE, "another process has the database open"))
	st := newMemStore()
	st.CloseErr = incomplete
	h := MustStart(t, testConfig(), newWalkFeed(6), st, 0)
	h.e.RequestClose(HaltOperatorQuit)
	if r := waitDone(t, h.e); r.Err != nil {
		t.Fatalf("result err = %v, want none", r.Err)
	}
	s := h.e.State()
	if s.Err != "" {
		t.Fatalf("state err = %q, want none", s.Err)
	}
	last := s.ShutdownSteps[len(s.ShutdownSteps)-1]
	if last.Name != StepCheckpoint || !last.Done || last.Err != "" || !strings.Contains(last.Warn, "another process") {
		t.Fatalf("checkpoint step %+v, want done with the warning", last)
	}
	if logs := h.logs.String(); strings.Contains(logs, "level=error") {
		t.Fatalf("logged at ERROR:\n%s", logs)
	}

	st = newMemStore()
	st.CloseErr = errors.Join(incomplete, errors.New("disk on fire"))
	h = MustStart(t, testConfig(), newWalkFeed(6), st, 0)
	h.e.RequestClose(HaltOperatorQuit)
	if r := waitDone(t, h.e); r.Err == nil || !strings.Contains(r.Err.Error(), "disk on fire") {
		t.Fatalf("result err = %v, want the failure", r.Err)
	}
	if logs := h.logs.String(); !strings.Contains(logs, "level=error") {
		t.Fatalf("the failure is not logged at ERROR:\n%s", logs)
	}
}
