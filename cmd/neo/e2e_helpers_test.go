package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

// neoBin is the binary built once for the end-to-end tests.
var neoBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "neo-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	neoBin = filepath.Join(dir, "neo")
	build := exec.Command("go", "build", "-tags", "faults", "-o", neoBin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building neo for the end-to-end tests:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// sessionRow is what the independent reader sees of a session.
type sessionRow struct {
	ID          string
	EndedAt     sql.NullString
	Estimated   int
	HaltReason  sql.NullString
	EndingValue sql.NullFloat64
	EndingXRP   sql.NullFloat64
	Fills       int
	OpenOrders  int
	Inventory   int
	Valuations  int
	Events      []string // kind: message
}

// readSessions opens the database with a fresh, independent read-only
// connection (not the project's store) and reads every session.
func readSessions(tb testing.TB, dbPath string) []sessionRow {
	tb.Helper()
	db, err := sql.Open("sqlite", "file:"+dbPath+"?mode=ro")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	var qc string
	if err := db.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&qc); err != nil || qc != "ok" {
		tb.Fatalf("quick_check=%q err=%v", qc, err)
	}
	rows, err := db.QueryContext(ctx, `SELECT session_id, ended_at, ended_at_estimated, halt_reason, ending_value, ending_xrp,
		(SELECT count(*) FROM fills f WHERE f.session_key = s.session_key),
		(SELECT count(*) FROM orders o WHERE o.session_key = s.session_key AND o.status = 'open'),
		(SELECT count(*) FROM inventory_snapshots i WHERE i.session_key = s.session_key),
		(SELECT count(*) FROM valuation_snapshots v WHERE v.session_key = s.session_key)
		FROM sessions s ORDER BY started_at`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []sessionRow
	for rows.Next() {
		var r sessionRow
		if err := rows.Scan(&r.ID, &r.EndedAt, &r.Estimated, &r.HaltReason, &r.EndingValue, &r.EndingXRP, &r.Fills, &r.OpenOrders, &r.Inventory, &r.Valuations); err != nil {
			tb.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	for i := range out {
		ev, err := db.QueryContext(ctx, `SELECT kind, message FROM session_events WHERE session_key = (SELECT session_key FROM sessions WHERE session_id = ?) ORDER BY market_time, rowid`, out[i].ID)
		if err != nil {
			tb.Fatal(err)
		}
		for ev.Next() {
			var k, msg string
			if err := ev.Scan(&k, &msg); err != nil {
				tb.Fatal(err)
			}
			out[i].Events = append(out[i].Events, k+": "+msg)
		}
		ev.Close()
	}
	return out
}

// lastSession reads the newest session.
func lastSession(tb testing.TB, dbPath string) sessionRow {
	tb.Helper()
	all := readSessions(tb, dbPath)
	if len(all) == 0 {
		tb.Fatalf("no session in %s", dbPath)
	}
	return all[len(all)-1]
}

// checkClosedCleanly holds the guarantees of every clean ending against the
// database: reason, ended_at, no open order, the WAL checkpointed away, and
// the sqlite3 CLI (when installed) agreeing that the file is sound.
func checkClosedCleanly(tb testing.TB, dbPath string, want string) sessionRow {
	tb.Helper()
	if fi, err := os.Stat(dbPath + "-wal"); err == nil && fi.Size() != 0 {
		tb.Fatalf("%s-wal holds %d bytes after exit, want none", dbPath, fi.Size())
	}
	s := lastSession(tb, dbPath)
	if got := s.HaltReason.String; got != want {
		tb.Fatalf("halt_reason=%q, want %q; events:\n%s", got, want, strings.Join(s.Events, "\n"))
	}
	if !s.EndedAt.Valid {
		tb.Fatalf("ended_at not set")
	}
	if s.OpenOrders != 0 {
		tb.Fatalf("%d orders left open", s.OpenOrders)
	}
	if !s.EndingValue.Valid {
		tb.Fatalf("ending_value not set")
	}
	if path, err := exec.LookPath("sqlite3"); err == nil {
		out, err := exec.Command(path, "-readonly", dbPath, "PRAGMA quick_check; SELECT halt_reason FROM sessions ORDER BY started_at DESC LIMIT 1;").CombinedOutput()
		if err != nil || string(out) != "ok\n"+want+"\n" {
			tb.Fatalf("sqlite3 says %q (err %v), want ok and %s", out, err, want)
		}
	}
	return s
}

// writeFile writes a test file and returns its path.
func writeFile(tb testing.TB, dir, name, content string) string {
	tb.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		tb.Fatal(err)
	}
	return p
}
