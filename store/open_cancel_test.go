package store_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"neo/store"
)

// cancelAfter is a context that turns cancelled after its Err has been
// asked n times: it stops an Open at each of its steps in turn, the way a
// signal during the start does.
type cancelAfter struct {
	context.Context
	mu    sync.Mutex
	n     int
	done  chan struct{}
	fired bool
}

func newCancelAfter(n int) *cancelAfter {
	return &cancelAfter{Context: context.Background(), n: n, done: make(chan struct{})}
}

func (c *cancelAfter) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n--; c.n < 0 && !c.fired {
		c.fired = true
		close(c.done)
	}
	if c.fired {
		return context.Canceled
	}
	return nil
}

func (c *cancelAfter) Done() <-chan struct{} { return c.done }

// An Open stopped half-way (a signal during the start) leaves no -wal
// behind: what it committed (the new schema) is folded into the file.
// It failed before: a start signalled 30 ms after exec left a 94,792-byte
// log beside a new database.
func TestOpenStoppedHalfWayLeavesNoLog(t *testing.T) {
	failed := 0
	for n := 0; n < 200 && failed < 40; n++ {
		path := filepath.Join(t.TempDir(), "neo.db")
		db, openErr := store.Open(newCancelAfter(n), store.Options{Path: path, Lock: true, CheckpointInterval: -1})
		if openErr == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			db.Close(ctx)
			cancel()
			continue
		}
		failed++
		if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
			t.Fatalf("open stopped at step %d (%v): %s-wal holds %d bytes", n, openErr, path, fi.Size())
		}
	}
	if failed == 0 {
		t.Fatal("no Open was stopped: the test proves nothing")
	}
}
