package store

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/log"

	"neo/engine"
)

// mustCreate creates the database at path with sessions in it, and closes
// it.
func mustCreate(t *testing.T, path string, sessions ...engine.Session) {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, Options{Path: path, Lock: true, CheckpointInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sessions {
		if err := db.OpenSession(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

// openPreRun opens the database at path as neo run does, with the pre-run
// backup, while fault is the hook at *hook (one of preRunFaults'); it
// wants the hook to have run, and returns the handle, closed when the test
// ends, and its log.
func openPreRun(t *testing.T, path string, hook *func(string), fault func(string)) (*DB, *bytes.Buffer) {
	t.Helper()
	ran := false
	*hook = func(p string) { fault(p); ran = true }
	defer func() { *hook = nil }()
	var logs bytes.Buffer
	db, err := Open(context.Background(), Options{Path: path, Lock: true, PreRunBackup: true, CheckpointInterval: -1, Logger: log.New(&logs)})
	if err != nil {
		t.Fatalf("Open=%v, want the start to go on (the database itself is sound)", err)
	}
	t.Cleanup(func() { db.Close(context.Background()) })
	if !ran {
		t.Fatal("the fault hook never ran (no copy was made), so the test proves nothing")
	}
	return db, &logs
}

// mustOnlineBackup backs db up and checks the backup: in these tests the
// pre-run copy was discarded, so the backup is an online one.
func mustOnlineBackup(t *testing.T, db *DB) {
	t.Helper()
	ctx := context.Background()
	bak, err := db.Backup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkFile(ctx, bak, false, true); err != nil {
		t.Fatalf("the online backup fails its check: %v", err)
	}
}

// A pre-run copy that fails its check while the database passes it (a copy
// spoilt by the disk, here on purpose) does not send the user to restore:
// the start goes on, says so at ERROR, and the backup is the online one.
func TestPreRunBadCopyIsNotTheDatabasesFault(t *testing.T) {
	path := filepath.Join(t.TempDir(), "neo.db")
	mustCreate(t, path, engine.Session{SessionID: "s1", Mode: engine.ModePaper, Feed: "sim", ConfigJSON: "{}", AppVersion: "test"})
	db, logs := openPreRun(t, path, &preRunFaults.afterCopy, func(tmp string) {
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
	})
	if !strings.Contains(logs.String(), "ERRO") || !strings.Contains(logs.String(), "the copy of the database failed its check although the database passes it") {
		t.Fatalf("log %q does not say the copy was bad at ERROR", logs.String())
	}
	mustOnlineBackup(t, db)
	if !strings.Contains(logs.String(), "backup written") || strings.Contains(logs.String(), "method=copy") {
		t.Fatalf("log %q: want the online backup, not the spoilt copy", logs.String())
	}
}

// A mapped copy cut short while quick_check reads it (what an I/O error of
// the disk looks like through a mapping: SIGBUS) is an error, not a crash.
// The moments of the cut are random (seed logged); at least one must land
// mid-check for the test to prove anything.
func TestCheckMappedSurvivesAFault(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "neo.db")
	mustCreate(t, path)
	raw, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO sessions (session_id, started_at, mode, feed, config_json, app_version) VALUES ('s', '2026-01-01T00:00:00.000Z', 'paper', 'sim', '{}', 't');
		WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i < 150000)
		INSERT INTO session_events (session_key, created_at, market_time, level, kind, message)
		SELECT (SELECT session_key FROM sessions WHERE session_id = 's'), '2026-01-01T00:00:00.000Z', 1767225600000, 'info', 'k', printf('%0200d', i) FROM c`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	t0 := time.Now()
	if err := checkFile(ctx, path, false, true); err != nil {
		t.Fatal(err)
	}
	span := time.Since(t0)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d; an unmapped check takes %v", seed, span)
	rng := rand.New(rand.NewPCG(seed, 5))
	faults, other := 0, 0
	for i := 0; i < 40 && faults == 0; i++ {
		tmp := filepath.Join(dir, fmt.Sprint("copy", i))
		if err := copyFile(path, tmp); err != nil {
			t.Fatal(err)
		}
		delay := time.Duration(rng.Int64N(int64(span)))
		cut := time.AfterFunc(delay, func() { os.Truncate(tmp, 8192) })
		err := checkMapped(ctx, path, tmp)
		cut.Stop()
		switch {
		case err != nil && strings.Contains(err.Error(), "reading it faulted"):
			faults++
		case err != nil:
			other++
		}
		os.Remove(tmp)
	}
	t.Logf("%d faults turned into errors, %d other errors (cut before the mapping)", faults, other)
	if faults == 0 {
		t.Fatal("no cut landed while the copy was mapped and read; the test proved nothing")
	}
}

// A database written while it is copied (a program that ignores neo's lock)
// makes no pre-run copy: the start checks it in place and backs it up
// online, and says why.
func TestPreRunCopyOfAChangingFileIsDiscarded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "neo.db")
	mustCreate(t, path)
	db, logs := openPreRun(t, path, &preRunFaults.duringCopy, func(p string) {
		later := time.Now().Add(time.Minute)
		if err := os.Chtimes(p, later, later); err != nil {
			t.Error(err)
		}
	})
	if exists(path + preRunSuffix) {
		t.Fatal("the copy of a file that changed was kept")
	}
	if !strings.Contains(logs.String(), "changed during the copy") {
		t.Fatalf("log %q does not say why there is no copy", logs.String())
	}
	mustOnlineBackup(t, db)
}
