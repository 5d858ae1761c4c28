package store

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// A write that passed the closing check while Close began is either
// committed by the writer's last drain or refused with ErrClosed: never
// left in the queue after the writer stopped, with its caller waiting for
// an answer that does not come (and, for a queued write, lost unlogged).
func TestWriteRacingCloseIsAnswered(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, Options{Path: filepath.Join(t.TempDir(), "neo.db"), Lock: true, CheckpointInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	closed := make(chan error, 1)
	var first atomic.Bool // not a sync.Once: Close's own flush comes through here while the first call waits
	writerFaults.afterClosingCheck = func(db *DB) {
		if !first.CompareAndSwap(false, true) {
			return
		}
		go func() { closed <- db.Close(ctx) }()
		// Give Close the time to stop the writer, if it can.
		select {
		case <-db.wdone:
		case <-time.After(300 * time.Millisecond):
		}
	}
	t.Cleanup(func() { writerFaults.afterClosingCheck = nil })

	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	err = db.durable(wctx, "probe", func(context.Context, *sql.Tx) error { return nil })
	if err != nil && !errors.Is(err, ErrClosed) {
		t.Fatalf("a write racing Close got %v; want it committed or refused with ErrClosed", err)
	}
	if err := <-closed; err != nil {
		t.Fatalf("close: %v", err)
	}
}
