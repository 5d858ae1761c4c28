package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A pre-run backup killed mid-copy leaves its temporary file; the next lock
// holder deletes it, while a fresh temporary file of a lock-free
// `neo backup` that may still be running is left alone.
func TestBackupRemovesLeftoversOfKilledBackups(t *testing.T) {
	db := MustOpenDB(t)
	killed := db.Path() + ".bak.20260101T000000Z.locked.tmp"
	running := db.Path() + ".bak.20260101T000001Z.tmp"
	for _, p := range []string{killed, running} {
		if err := os.WriteFile(p, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Backup(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(killed); !os.IsNotExist(err) {
		t.Fatalf("the killed backup's temporary file is still there (err %v)", err)
	}
	if _, err := os.Stat(running); err != nil {
		t.Fatalf("a recent lock-free backup's temporary file was deleted: %v", err)
	}
}

// The next lock holder clears what a start killed mid-check or mid-backup
// left (a crash loop must not fill the disk), sparing anything recent.
func TestOpenRemovesLeftoversOfKilledStarts(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "neo.db")
	MustClose(t, MustOpenDBAt(t, path, nil))
	old := time.Now().Add(-10 * time.Minute)
	checkCopy := filepath.Join(dir, ".neo-check-123")
	journal := path + ".bak.20260101T000000Z.tmp-journal"
	recent := filepath.Join(dir, ".neo-check-456")
	for _, d := range []string{checkCopy, recent} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(journal, []byte("j"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{checkCopy, journal} {
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	MustOpenDBAt(t, path, nil)
	for _, p := range []string{checkCopy, journal} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Fatalf("%s is still there (err %v)", p, err)
		}
	}
	if _, err := os.Stat(recent); err != nil {
		t.Fatalf("a recent check copy was deleted: %v", err)
	}
}
