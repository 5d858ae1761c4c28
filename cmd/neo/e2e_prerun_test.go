package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"neo/store"
)

// neo run's pre-run backup is the database file as the run found it, byte
// for byte but for the header's two journal-mode bytes (WAL 2 2 → DELETE
// 1 1): a file copy whose one check is also the start's integrity check.
// It holds no byte of the run's own session. On the
// VACUUM INTO of earlier builds the backup is a rebuilt file instead.
func TestPreRunBackupIsACopyOfTheDatabase(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "neo.db")
	if code, _, stderr := runNeo(t, nil, "run", "--db", db, "--headless", "--speed", "0", "--duration", "30m", "--seed", "1"); code != 0 {
		t.Fatalf("first run: exit %d\n%s", code, stderr)
	}
	before, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	first := readSessions(t, db)
	old, _ := store.ListBackups(db)
	code, _, stderr := runNeo(t, nil, "run", "--db", db, "--headless", "--speed", "0", "--duration", "30m", "--seed", "2")
	if code != 0 {
		t.Fatalf("second run: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "database opened") || !strings.Contains(stderr, "backup_copy=") || !strings.Contains(stderr, "recovery: done") {
		t.Fatalf("the log does not break the start-up down:\n%s", stderr)
	}
	list, _ := store.ListBackups(db)
	if len(list) != len(old)+1 {
		t.Fatalf("backups %v after %v, want one more", list, old)
	}
	bak := list[0]
	got, err := os.ReadFile(bak)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(before) || before[18] != 2 || got[18] != 1 || got[19] != 1 ||
		!bytes.Equal(got[:18], before[:18]) || !bytes.Equal(got[20:], before[20:]) {
		t.Fatalf("the pre-run backup (%d bytes) is not the database file as the run found it (%d bytes) with its header switched to DELETE", len(got), len(before))
	}
	sessions := readSessions(t, bak)
	if len(sessions) != len(first) || len(readSessions(t, db)) != len(first)+1 {
		t.Fatalf("the backup holds %d sessions, the database before the run %d: it must not hold the run's own", len(sessions), len(first))
	}
	checkBackupWithCLI(t, got)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), "tmp") {
			t.Fatalf("left %s behind", e.Name())
		}
	}
}

// checkBackupWithCLI has the sqlite3 CLI, when installed, open a copy of the
// backup's bytes: it must say journal mode delete and quick_check ok, and
// leave no -wal.
func checkBackupWithCLI(t *testing.T, backup []byte) {
	t.Helper()
	path, err := exec.LookPath("sqlite3")
	if err != nil {
		return
	}
	cp := filepath.Join(t.TempDir(), "b.db")
	os.WriteFile(cp, backup, 0o600)
	out, err := exec.Command(path, cp, "PRAGMA journal_mode; PRAGMA quick_check;").CombinedOutput()
	if err != nil || string(out) != "delete\nok\n" {
		t.Fatalf("sqlite3 on the backup says %q (err %v), want delete and ok", out, err)
	}
	if _, err := os.Stat(cp + "-wal"); err == nil {
		t.Fatal("opening the backup left a -wal")
	}
}
