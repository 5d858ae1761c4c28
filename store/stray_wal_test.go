package store_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"neo/store"
)

// A -wal with frames beside a missing or empty database (a restore
// interrupted between its renames, a database moved without its log) is
// refused by Open with what it is and what to do, and nothing is created:
// a new database must not be born with another one's log replayed into it.
func TestOpenRefusesAStrayWAL(t *testing.T) {
	wal := walWithFrames(t)
	for _, empty := range []bool{false, true} {
		name := map[bool]string{false: "Missing", true: "Empty"}[empty]
		t.Run(name, func(t *testing.T) { refuseStrayWAL(t, wal, empty) })
	}
}

// walWithFrames returns a -wal with committed frames in it: copied while
// its writer is open.
func walWithFrames(t *testing.T) []byte {
	t.Helper()
	src := filepath.Join(t.TempDir(), "src.db")
	MustClose(t, MustOpenDBAt(t, src, nil))
	w, err := sql.Open("sqlite", "file:"+src+"?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	w.SetMaxOpenConns(1)
	if _, err := w.Exec(`PRAGMA wal_autocheckpoint = 0`); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Exec(`INSERT INTO sessions (session_id, started_at, mode, feed, config_json, app_version) VALUES ('x', '2026-11-25T12:00:00.000Z', 'paper', 'sim', '{}', 't')`); err != nil {
		t.Fatal(err)
	}
	wal, err := os.ReadFile(src + "-wal")
	if err != nil || len(wal) <= 32 {
		t.Fatalf("no frames in the log (%d bytes, %v)", len(wal), err)
	}
	return wal
}

// refuseStrayWAL puts wal beside a missing database, or an empty one if
// empty, and wants both Opens to refuse it saying what to do, both files
// as they were, and the restore the message advises to work.
func refuseStrayWAL(t *testing.T, wal []byte, empty bool) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "neo.db")
	if err := os.WriteFile(path+"-wal", wal, 0o600); err != nil {
		t.Fatal(err)
	}
	if empty {
		if err := os.WriteFile(path, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, ro := range []bool{false, true} {
		db, err := store.Open(ctx, store.Options{Path: path, Lock: !ro, ReadOnly: ro, CheckpointInterval: -1})
		if err == nil {
			db.Close(ctx)
			t.Fatalf("read-only %v: Open accepted a database with another's write-ahead log", ro)
		}
		if !strings.Contains(err.Error(), "-wal") || !strings.Contains(err.Error(), "neo restore") {
			t.Fatalf("read-only %v: the error does not say what to do: %v", ro, err)
		}
	}
	if fi, err := os.Stat(path); empty && (err != nil || fi.Size() != 0) || !empty && !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the database file was changed (err %v)", err)
	}
	if b, err := os.ReadFile(path + "-wal"); err != nil || len(b) != len(wal) {
		t.Fatalf("the -wal was changed (%d bytes, %v)", len(b), err)
	}
	// What the message advises works.
	_, bak := MustGoodDB(t, t.TempDir())
	dst := path + ".bak.20260101T000000Z"
	copyTo(t, bak, dst)
	if _, err := store.Restore(ctx, path, dst, nil); err != nil {
		t.Fatalf("restore: %v", err)
	}
	MustClose(t, MustOpenDBAt(t, path, nil))
}
