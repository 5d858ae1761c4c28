package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"neo/engine"
	"neo/store"
)

// openReader opens the database at path read-only and lists its sessions,
// as a read-only command does; the caller closes it.
func openReader(t *testing.T, path string) *store.DB {
	t.Helper()
	ctx := context.Background()
	r, err := store.Open(ctx, store.Options{Path: path, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.ListSessions(ctx, engine.SessionQuery{Limit: 10}); err != nil {
		t.Fatal(err)
	}
	return r
}

// readList is a whole read-only command on the database at path: it opens,
// lists the sessions and closes.
func readList(t *testing.T, path string) {
	t.Helper()
	if err := openReader(t, path).Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// A read-only command (neo sessions, neo check, neo report, the end-of-run
// report) leaves no empty -wal and -shm beside a closed database; beside a
// running session it leaves them alone and the session keeps every write.
func TestReadOnlyCloseLeavesNoLogFiles(t *testing.T) {
	ctx := context.Background()
	w := MustOpenDBWithSession(t)
	path := w.Path()
	t.Run("BesideARunningSession", func(t *testing.T) {
		readList(t, path)
		if _, err := os.Stat(path + "-shm"); err != nil {
			t.Fatalf("the running session's -shm is gone: %v", err)
		}
		MustOpenSession(t, w, "s2", t0)
		if err := w.Flush(ctx); err != nil {
			t.Fatalf("the session's writes after a reader closed: %v", err)
		}
	})
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	t.Run("AfterTheSession", func(t *testing.T) {
		readList(t, path)
		for _, f := range []string{path + "-wal", path + "-shm"} {
			if _, err := os.Stat(f); err == nil {
				t.Errorf("%s left behind by a read-only close", filepath.Base(f))
			}
		}
		r, err := store.Open(ctx, store.Options{Path: path, ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close(ctx)
		if list, err := r.ListSessions(ctx, engine.SessionQuery{Limit: 10}); err != nil || len(list) != 2 {
			t.Fatalf("sessions after the tidy: %d, %v; want 2", len(list), err)
		}
	})
}
