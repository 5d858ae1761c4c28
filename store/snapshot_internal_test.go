package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"neo/engine"
)

// TestSnapshot: the private snapshot that a reader who cannot share the WAL
// index reads holds every commit, those still in the -wal included, and is
// gone when the DB closes; a database that changes while it is copied is
// copied again, and after snapshotTries changes the reader is refused
// (errChanged), never handed a copy torn between two states.
func TestSnapshot(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "neo.db")
	w, err := Open(ctx, Options{Path: path, Lock: true, CheckpointInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(ctx)
	s := engine.Session{SessionID: "in-the-wal", StartedAt: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC), Mode: engine.ModePaper,
		Feed: "sim", ConfigJSON: "{}", AppVersion: "test", StartingValue: 5000}
	if err := w.OpenSession(ctx, s); err != nil {
		t.Fatal(err)
	}
	if !hasFrames(path + "-wal") {
		t.Fatal("the session is not in the -wal: the test proves nothing")
	}

	r := newDB(path, Options{Path: path, ReadOnly: true})
	if err := r.openSnapshot(ctx, errors.New("test")); err != nil {
		t.Fatal(err)
	}
	dir := r.snapshot
	if got, err := r.GetSession(ctx, "in-the-wal"); err != nil || got.SessionID != "in-the-wal" {
		t.Fatalf("the snapshot lacks the session in the -wal: %v", err)
	}
	if err := r.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the snapshot %s outlived Close: %v", dir, err)
	}

	writes := 0
	snapshotDuringCopy = func(string) {
		writes++
		if err := w.AddEvent(ctx, engine.SessionEvent{SessionID: "in-the-wal", CreatedAt: time.Now(), Level: "info", Kind: "test", Message: "x"}); err != nil {
			t.Error(err)
		}
		w.Flush(ctx)
	}
	defer func() { snapshotDuringCopy = nil }()
	if _, _, err := takeSnapshot(ctx, path); !errors.Is(err, errChanged) || writes != snapshotTries {
		t.Fatalf("takeSnapshot of a database written during each copy: %v after %d copies; want errChanged after %d", err, writes, snapshotTries)
	}
}
