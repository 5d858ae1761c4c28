package store

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/log"

	"neo/engine"
)

// A pre-run copy that fails its check while the database passes it (a copy
// spoilt by the disk, here on purpose) does not send the user to restore:
// the start goes on, says so at ERROR, and the backup is the online one.
func TestPreRunBadCopyIsNotTheDatabasesFault(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "neo.db")
	db, err := Open(ctx, Options{Path: path, Lock: true, CheckpointInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.OpenSession(ctx, engine.Session{SessionID: "s1", Mode: engine.ModePaper, Feed: "sim", ConfigJSON: "{}", AppVersion: "test"}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(ctx); err != nil {
		t.Fatal(err)
	}
	spoilt := false
	preRunFaults.afterCopy = func(tmp string) {
		f, err := os.OpenFile(tmp, os.O_WRONLY, 0)
		if err != nil {
			t.Error(err)
			return
		}
		defer f.Close()
		// Page 2 onwards (the tables) overwritten with garbage.
		if _, err := f.WriteAt(bytes.Repeat([]byte{0x77}, 4096*3), 4096); err != nil {
			t.Error(err)
		}
		spoilt = true
	}
	defer func() { preRunFaults.afterCopy = nil }()
	var logs bytes.Buffer
	db, err = Open(ctx, Options{Path: path, Lock: true, PreRunBackup: true, CheckpointInterval: -1, Logger: log.New(&logs)})
	if err != nil {
		t.Fatalf("Open=%v, want the start to go on (the database itself is sound)", err)
	}
	defer db.Close(ctx)
	if !spoilt {
		t.Fatal("the copy was never made, so the test proves nothing")
	}
	if !strings.Contains(logs.String(), "ERRO") || !strings.Contains(logs.String(), "the copy of the database failed its check although the database passes it") {
		t.Fatalf("log %q does not say the copy was bad at ERROR", logs.String())
	}
	bak, err := db.Backup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkFile(ctx, bak, false, true); err != nil {
		t.Fatalf("the online backup fails its check: %v", err)
	}
	if !strings.Contains(logs.String(), "backup written") || strings.Contains(logs.String(), "method=copy") {
		t.Fatalf("log %q: want the online backup, not the spoilt copy", logs.String())
	}
}
