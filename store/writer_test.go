package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/charmbracelet/log"

	"neo/engine"
	"neo/store"
)

// syncBuffer is a bytes.Buffer safe for the logger and the test.
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

// waitPending waits until n writes are queued.
func waitPending(t *testing.T, db *store.DB, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for db.Pending() < n {
		if time.Now().After(deadline) {
			t.Fatalf("pending=%d, want %d", db.Pending(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// groupCommit is the database of TestGroupCommit, whose writer can be held
// inside a commit, and what its subtests share.
type groupCommit struct {
	ctx     context.Context
	db      *store.DB
	logs    *syncBuffer
	hold    atomic.Bool   // hold the writer in its next commit
	held    chan struct{} // the writer is held
	release chan struct{} // let the held writer go
	seq     atomic.Int32  // numbers the orders and fills queued

	mu  sync.Mutex
	ops []string // every commit's operation, in order

	errs     []error // the calls of the mixed group
	flushErr error   // the Flush after it
}

// TestGroupCommit holds the writer inside a commit while writes queue up:
// a group of good writes is one transaction; in a group with bad writes,
// each caller gets its own error and the failed queued write is logged.
func TestGroupCommit(t *testing.T) {
	g := &groupCommit{ctx: context.Background(), logs: &syncBuffer{}, held: make(chan struct{}, 1), release: make(chan struct{}, 1)}
	g.db = MustOpenDBAt(t, t.TempDir()+"/neo.db", func(o *store.Options) {
		o.Logger = log.New(g.logs)
		o.Faults = &store.Faults{BeforeCommit: g.beforeCommit}
	})
	MustOpenSession(t, g.db, "s1", t0)

	t.Run("OneTransactionForTheGroup", g.oneTransactionForTheGroup)
	g.errs = g.queue(t, 4, 1, true)
	g.flushErr = g.db.Flush(g.ctx)
	t.Run("EachCallerGetsItsOwnError", g.eachCallerGetsItsOwnError)
	t.Run("FailedQueuedWriteIsLoggedAtError", g.failedQueuedWriteIsLoggedAtError)
}

// beforeCommit is the writer's fault hook: it records op and, when asked
// to, holds the writer until released.
func (g *groupCommit) beforeCommit(_ context.Context, op string) error {
	g.mu.Lock()
	g.ops = append(g.ops, op)
	g.mu.Unlock()
	if g.hold.CompareAndSwap(true, false) {
		g.held <- struct{}{}
		<-g.release
	}
	return nil
}

// queue holds the writer inside a commit, queues fills (bad ones for a
// session that does not exist) and events, then lets the writer go; it
// returns each fill's error.
func (g *groupCommit) queue(t *testing.T, good, bad int, badEvent bool) []error {
	t.Helper()
	ctx, db := g.ctx, g.db
	g.hold.Store(true)
	first := make(chan error, 1)
	go func() {
		first <- db.SaveOrders(ctx, order("s1", fmt.Sprint("hold", g.seq.Add(1)), t0, engine.OrderOpen))
	}()
	<-g.held
	errs := make([]error, good+bad)
	var wg sync.WaitGroup
	for i := range good + bad {
		wg.Go(func() {
			sid := "s1"
			if i >= good {
				sid = "ghost"
			}
			n := g.seq.Add(1)
			o := order(sid, fmt.Sprint("o", n), t0, engine.OrderFilled)
			errs[i] = db.RecordFill(ctx, fill(o, fmt.Sprint("f", n), t0.Add(time.Second)), o)
		})
	}
	waitPending(t, db, good+bad)
	for i := range 2 {
		if err := db.AddEvent(ctx, engine.SessionEvent{SessionID: "s1", CreatedAt: t0, Level: "info", Kind: "k", Message: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	n := good + bad + 2
	if badEvent {
		if err := db.AddEvent(ctx, engine.SessionEvent{SessionID: "ghost", CreatedAt: t0, Level: "info", Kind: "lost", Message: "x"}); err != nil {
			t.Fatal(err)
		}
		n++
	}
	waitPending(t, db, n)
	g.release <- struct{}{}
	wg.Wait()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	return errs
}

// oneTransactionForTheGroup queues four good fills and two events behind
// the held writer and wants them committed as one group.
func (g *groupCommit) oneTransactionForTheGroup(t *testing.T) {
	errs := g.queue(t, 4, 0, false)
	for i, err := range errs {
		if err != nil {
			t.Errorf("fill %d: %v", i, err)
		}
	}
	if err := g.db.Flush(g.ctx); err != nil {
		t.Fatal(err)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if !contains(g.ops, "group of 6 writes") {
		t.Fatalf("commits=%q, want one group of 6 writes", g.ops)
	}
}

// eachCallerGetsItsOwnError wants the good fills of the mixed group
// recorded and the bad one refused.
func (g *groupCommit) eachCallerGetsItsOwnError(t *testing.T) {
	for i := range 4 {
		if g.errs[i] != nil {
			t.Errorf("good fill %d: %v", i, g.errs[i])
		}
	}
	if g.errs[4] == nil {
		t.Fatal("the bad fill reported success")
	}
	fills, err := g.db.Fills(g.ctx, "s1", 0)
	if err != nil || len(fills) != 8 {
		t.Fatalf("fills=%d err=%v, want 8", len(fills), err)
	}
	evs, err := g.db.Events(g.ctx, "s1", 0)
	if err != nil || len(evs) != 4 {
		t.Fatalf("events=%d err=%v, want 4", len(evs), err)
	}
}

// failedQueuedWriteIsLoggedAtError wants the lost event reported once, by
// the Flush after the mixed group, and logged at error with its cause.
func (g *groupCommit) failedQueuedWriteIsLoggedAtError(t *testing.T) {
	if g.flushErr == nil {
		t.Fatal("Flush hid the failed queued write")
	}
	out := g.logs.String()
	if !strings.Contains(out, "ERRO") || !strings.Contains(out, "event lost of ghost") || !strings.Contains(out, "session ghost: not found") {
		t.Fatalf("log=%s\nwant an ERROR line naming the write and its cause", out)
	}
	if err := g.db.Flush(g.ctx); err != nil {
		t.Fatalf("second Flush: %v, want nil (the failure was reported once)", err)
	}
}

func TestDiskFull(t *testing.T) {
	ctx := context.Background()
	var full atomic.Bool
	logs := &syncBuffer{}
	db := MustOpenDBAt(t, t.TempDir()+"/neo.db", func(o *store.Options) {
		o.Logger = log.New(logs)
		o.Faults = &store.Faults{BeforeCommit: func(ctx context.Context, op string) error {
			if full.Load() {
				return store.ErrDiskFull
			}
			return nil
		}}
	})
	MustOpenSession(t, db, "s1", t0)
	o := order("s1", "o1", t0, engine.OrderFilled)
	if err := db.RecordFill(ctx, fill(o, "f1", t0), o); err != nil {
		t.Fatal(err)
	}

	full.Store(true)
	o2 := order("s1", "o2", t0, engine.OrderFilled)
	err := db.RecordFill(ctx, fill(o2, "f2", t0), o2)
	if !store.IsDiskFull(err) {
		t.Fatalf("err=%v, want disk full", err)
	}
	if msg := err.Error(); !strings.Contains(msg, db.Path()) || !strings.Contains(msg, "free space") {
		t.Fatalf("message %q does not name the database and the next step", msg)
	}
	db.AddInventorySnapshot(ctx, inventory("s1", t0, 1, 1))
	if err := db.Flush(ctx); !store.IsDiskFull(err) {
		t.Fatalf("flush err=%v, want disk full", err)
	}
	if !strings.Contains(logs.String(), "ERRO") {
		t.Fatalf("no ERROR line logged: %s", logs.String())
	}

	full.Store(false)
	if err := db.RecordFill(ctx, fill(o2, "f2", t0), o2); err != nil {
		t.Fatalf("after space came back: %v", err)
	}
	fills, err := db.Fills(ctx, "s1", 0)
	if err != nil || len(fills) != 2 {
		t.Fatalf("fills=%d err=%v, want 2 (nothing lost)", len(fills), err)
	}
	MustClose(t, db)
	if err := store.CheckFile(ctx, db.Path(), true); err != nil {
		t.Fatal(err)
	}
}

func TestHungWriteBoundsClose(t *testing.T) {
	ctx := context.Background()
	var hang atomic.Bool
	db, err := store.Open(ctx, store.Options{Path: t.TempDir() + "/neo.db", Lock: true, CheckpointInterval: -1,
		Faults: &store.Faults{BeforeCommit: func(ctx context.Context, op string) error {
			if hang.Load() {
				<-ctx.Done()
				return ctx.Err()
			}
			return nil
		}}})
	if err != nil {
		t.Fatal(err)
	}
	MustOpenSession(t, db, "s1", t0)
	hang.Store(true)

	wctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := db.SaveOrders(wctx, order("s1", "o1", t0, engine.OrderOpen)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err=%v, want the caller's deadline", err)
	}
	cctx, cancel2 := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel2()
	if err := db.Close(cctx); err == nil {
		t.Fatal("Close reported success with a hung write")
	}
	if err := db.SaveOrders(ctx, order("s1", "o2", t0, engine.OrderOpen)); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("write after Close: %v, want ErrClosed", err)
	}
}

func TestCheckpointReportsPartial(t *testing.T) {
	ctx := context.Background()
	logs := &syncBuffer{}
	db := MustOpenDBAt(t, t.TempDir()+"/neo.db", func(o *store.Options) { o.Logger = log.New(logs) })
	MustOpenSession(t, db, "s1", t0)

	// A reader that holds a snapshot taken before the next writes.
	raw := rawDB(t, db.Path())
	conn, err := raw.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM sessions").Scan(&n); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		o := order("s1", fmt.Sprint("o", i), t0, engine.OrderOpen)
		if err := db.SaveOrders(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	res, err := db.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Partial() {
		t.Fatalf("result=%+v, want partial while a reader holds an old snapshot", res)
	}
	if !strings.Contains(logs.String(), "partial") {
		t.Fatalf("partial checkpoint not logged: %s", logs.String())
	}
	conn.ExecContext(ctx, "COMMIT")
	conn.Close()
	res, err = db.Checkpoint(ctx)
	if err != nil || res.Partial() {
		t.Fatalf("result=%+v err=%v, want complete once the reader is gone", res, err)
	}
	if res.LogFrames != 0 {
		t.Fatalf("log frames=%d after TRUNCATE, want 0", res.LogFrames)
	}
}

func TestCloseWithAnotherReader(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDBWithSession(t)
	ro, err := store.Open(ctx, store.Options{Path: db.Path(), ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close(ctx)
	// The reader holds a snapshot while the writer commits more.
	raw := rawDB(t, db.Path())
	conn, _ := raw.Conn(ctx)
	defer conn.Close()
	conn.ExecContext(ctx, "BEGIN")
	var n int
	conn.QueryRowContext(ctx, "SELECT count(*) FROM sessions").Scan(&n)
	MustOpenSession(t, db, "s2", t0)

	err = db.Close(ctx)
	if !errors.Is(err, store.ErrCheckpointIncomplete) {
		t.Fatalf("err=%v, want ErrCheckpointIncomplete", err)
	}
	conn.ExecContext(ctx, "COMMIT")
	if list, err := ro.ListSessions(ctx, engine.SessionQuery{}); err != nil || len(list) != 2 {
		t.Fatalf("sessions=%d err=%v, want 2: nothing lost", len(list), err)
	}
}
