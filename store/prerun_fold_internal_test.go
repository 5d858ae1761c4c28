package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/log"
)

// A write-ahead log that cannot be folded into the pre-run copy (here, a
// committed transaction that left the schema malformed) discards the copy:
// without its log the copy would be an older database that passes its
// check, standing in for the startup check of the original and becoming
// the backup. The original is then checked directly and found damaged.
// (Here SQLite happens to checkpoint the log as the failed fold closes, so
// the copy would fail its check too: what this pins is that a failed fold
// is never taken for a copy.)
func TestPreRunCopyWhoseLogCannotBeFoldedIsDiscarded(t *testing.T) {
	ctx := context.Background()
	src := filepath.Join(t.TempDir(), "neo.db")
	mustCreate(t, src)
	// A writer that commits a malformed schema to the log and is killed
	// before any checkpoint: its files are copied while it is open.
	w, err := sql.Open("sqlite", dsn(src, "_pragma=journal_mode(WAL)"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	w.SetMaxOpenConns(1)
	for _, q := range []string{
		`PRAGMA wal_autocheckpoint = 0`,
		`PRAGMA writable_schema = ON`,
		`UPDATE sqlite_schema SET sql = 'CREATE TABLE fills (' WHERE name = 'fills'`,
	} {
		if _, err := w.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	path := filepath.Join(t.TempDir(), "neo.db")
	for _, s := range []string{"", "-wal"} {
		b, err := os.ReadFile(src + s)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path+s, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if fi, err := os.Stat(path + "-wal"); err != nil || fi.Size() == 0 {
		t.Fatalf("no log to fold: %v", err)
	}

	var logs bytes.Buffer
	d := newDB(path, Options{Path: path, Lock: true, PreRunBackup: true, Logger: log.New(&logs)})
	checked, err := d.takePreRunCopy(ctx)
	if checked || err != nil {
		t.Fatalf("takePreRunCopy: checked %v, err %v; want the copy discarded and the original left to its own check", checked, err)
	}
	if p := d.takePreRun(); p.tmp != "" || exists(path+preRunSuffix) {
		t.Fatalf("the copy without its log was kept (%q)", p.tmp)
	}
	var ie *IntegrityError
	if err := checkFile(ctx, path, false, true); !errors.As(err, &ie) {
		t.Fatalf("the original's check: %v, want *IntegrityError", err)
	}
	if !strings.Contains(logs.String(), "could not copy") {
		t.Fatalf("log %q does not say why there is no copy", logs.String())
	}
}
