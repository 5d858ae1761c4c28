package store_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"neo/store"
)

// mustFlushedDB opens a database with one session, s1, and flushes it to
// the file; the writer stays open until the test ends. It returns the
// database's path.
func mustFlushedDB(t *testing.T) string {
	t.Helper()
	w := MustOpenDBWithSession(t)
	if err := w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	return w.Path()
}

// Backups started in the same instant by different processes (here: read-
// only handles, as `neo backup` opens it) each get a name of their own and
// all succeed. Before, each removed the others' temporary file as a
// "leftover" and two VACUUM INTO wrote one file: "disk I/O error".
func TestConcurrentBackupsGetTheirOwnNames(t *testing.T) {
	path := mustFlushedDB(t)
	ctx := context.Background()
	frozen := func() time.Time { return time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC) }
	const n = 8
	// Each backup waits, once it has claimed its name, until all have
	// (or a moment has passed), so that their copies overlap.
	var arrived sync.WaitGroup
	arrived.Add(n)
	allIn := make(chan struct{})
	go func() { arrived.Wait(); close(allIn) }()
	var once sync.Map
	faults := &store.Faults{BeforeBackup: func(ctx context.Context, dst string) error {
		if _, dup := once.LoadOrStore(dst, true); !dup {
			arrived.Done()
		}
		select {
		case <-allIn:
		case <-time.After(300 * time.Millisecond):
		}
		return nil
	}}
	dbs := make([]*store.DB, n)
	for i := range dbs {
		db, err := store.Open(ctx, store.Options{Path: path, ReadOnly: true, Now: frozen, Faults: faults})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close(ctx) })
		dbs[i] = db
	}
	names := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, db := range dbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			names[i], errs[i] = db.Backup(ctx)
		}()
	}
	close(start)
	wg.Wait()
	seen := map[string]bool{}
	for i := range dbs {
		if errs[i] != nil {
			t.Fatalf("backup %d: %v", i, errs[i])
		}
		if seen[names[i]] {
			t.Fatalf("backup %d reused the name %s", i, names[i])
		}
		seen[names[i]] = true
		if err := store.CheckFile(ctx, names[i], false); err != nil {
			t.Fatalf("backup %s: %v", names[i], err)
		}
	}
}

// A backup never removes another backup's temporary file: without the
// instance lock it cannot know that the file is a leftover and not the
// copy another `neo backup` is writing at this moment. It says the path is
// taken instead (and Backup moves on to a free name).
func TestBackupLeavesAnotherBackupsTemporaryFile(t *testing.T) {
	path := mustFlushedDB(t)
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{Path: path, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	dst := filepath.Join(filepath.Dir(path), "copy.bak")
	theirs := []byte("another process is writing this copy")
	if err := os.WriteFile(dst+".tmp", theirs, 0o600); err != nil {
		t.Fatal(err)
	}
	err = db.BackupTo(ctx, dst)
	if err == nil || !strings.Contains(err.Error(), "another backup") {
		t.Fatalf("BackupTo over another backup's temporary file: %v, want a refusal saying so", err)
	}
	if got, err := os.ReadFile(dst + ".tmp"); err != nil || !bytes.Equal(got, theirs) {
		t.Fatalf("the other backup's temporary file was changed or removed: %q, %v", got, err)
	}
	if _, err := os.Stat(dst); err == nil {
		t.Fatalf("%s was written", dst)
	}
}
