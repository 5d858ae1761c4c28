package store_test

import (
	"context"
	"os"
	"testing"
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
