package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/gofrs/flock"

	"neo/store"
)

// A read-only close tidies the empty -wal only while it holds the instance
// lock: while another process holds it (a session starting: its pre-run
// copy reads the files beside the database), it leaves them alone.
func TestReadOnlyCloseTidiesOnlyUnderTheLock(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "neo.db")
	MustCreateDB(t, path, "s1")

	r := openReader(t, path)
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Fatalf("the reader made no -wal, so the test proves nothing: %v", err)
	}
	// Another process's start, between its lock and its first connection.
	held := flock.New(store.LockPath(path))
	if ok, err := held.TryLock(); !ok || err != nil {
		t.Fatalf("take the lock: %v, %v", ok, err)
	}
	if err := r.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Fatalf("the -wal was deleted while another process held the lock: %v", err)
	}
	if err := held.Unlock(); err != nil {
		t.Fatal(err)
	}
	// Without a holder, the next read-only close tidies.
	readList(t, path)
	for _, s := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(path + s); err == nil {
			t.Errorf("%s left behind by a read-only close with the lock free", s)
		}
	}
}
