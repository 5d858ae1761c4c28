package store_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"neo/engine"
	"neo/store"
)

// A write the store never took (its queue full when the caller's ctx
// ended) says so by engine.ErrNotQueued, so that the engine hands the batch
// over again rather than count it as committed; and nothing of it lands.
func TestAWriteNotQueuedSaysSo(t *testing.T) {
	ctx := context.Background()
	var hold atomic.Bool
	held := make(chan struct{})
	release := make(chan struct{})
	var releaseOnce sync.Once
	let := func() { releaseOnce.Do(func() { close(release) }) }
	db := MustOpenDBAt(t, t.TempDir()+"/neo.db", func(o *store.Options) {
		o.Faults = &store.Faults{BeforeCommit: func(ctx context.Context, op string) error {
			if hold.CompareAndSwap(true, false) {
				close(held)
				<-release
			}
			return nil
		}}
	})
	t.Cleanup(let) // after the db's cleanup, so it runs first: a failed check must not leave the writer held
	MustOpenSession(t, db, "s1", t0)
	hold.Store(true)
	first := make(chan error, 1)
	go func() { first <- db.SaveOrders(ctx, order("s1", "hold", t0, engine.OrderOpen)) }()
	<-held

	done, cancel := context.WithCancel(ctx)
	cancel()
	// Fill the queue: a write with room is queued even with ctx over.
	var err error
	for n := 0; err == nil; n++ {
		if n > 1_000_000 {
			t.Fatal("the queue never filled")
		}
		err = db.AddEvent(done, engine.SessionEvent{SessionID: "s1", CreatedAt: t0, Level: "info", Kind: "filler"})
	}
	if !errors.Is(err, engine.ErrNotQueued) || !errors.Is(err, context.Canceled) {
		t.Fatalf("full queue: err=%v, want ErrNotQueued and the ctx's cause", err)
	}
	o := order("s1", "lost", t0, engine.OrderOpen)
	b := engine.Batch{Orders: []engine.Order{o}, Events: []engine.SessionEvent{{SessionID: "s1", CreatedAt: t0, Level: "warn", Kind: "never"}}}
	if err := db.SaveBatch(done, b); !errors.Is(err, engine.ErrNotQueued) {
		t.Fatalf("SaveBatch on a full queue: err=%v, want ErrNotQueued", err)
	}
	let()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := db.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	evs, err := db.Events(ctx, "s1", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		if e.Kind == "never" {
			t.Fatal("a batch reported as not queued was written")
		}
	}
}

// SaveBatch writes the batch's session events in its transaction.
func TestSaveBatchWritesItsEvents(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDBAt(t, t.TempDir()+"/neo.db", nil)
	MustOpenSession(t, db, "s1", t0)
	o := order("s1", "o1", t0, engine.OrderFilled)
	b := engine.Batch{
		Orders: []engine.Order{o},
		Fills:  []engine.Fill{fill(o, "f1", t0)},
		Events: []engine.SessionEvent{{SessionID: "s1", CreatedAt: t0, MarketTime: t0, Level: "error", Kind: "risk", Message: "halt"}},
	}
	if err := db.SaveBatch(ctx, b); err != nil {
		t.Fatal(err)
	}
	evs, err := db.Events(ctx, "s1", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Kind != "risk" || evs[0].Message != "halt" {
		t.Fatalf("events=%+v, want the batch's halt", evs)
	}
}
