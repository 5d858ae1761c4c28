package main

// The end-to-end tests drive the binary through the shared test kit
// (cmd/internal/proofkit); these are the thin, testing.TB-shaped names the
// tests read.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"neo/cmd/internal/proofkit"
)

// neoBin is the binary built once (with -tags faults) for the end-to-end
// tests.
var neoBin string

func TestMain(m *testing.M) {
	bin, err := proofkit.Build(".", "faults")
	if err != nil {
		fmt.Fprintln(os.Stderr, "building neo for the end-to-end tests:", err)
		os.Exit(1)
	}
	neoBin = bin
	code := m.Run()
	proofkit.Cleanup()
	os.Exit(code)
}

// runLimit bounds a run to completion: a hang guard, far above any test's
// run.
const runLimit = 5 * time.Minute

// runNeo runs the binary to completion with env added to ours and returns
// its exit code, stdout and stderr.
func runNeo(tb testing.TB, env []string, args ...string) (int, string, string) {
	tb.Helper()
	r, err := proofkit.Run(context.Background(), "", neoBin, runLimit, env, args...)
	if err != nil {
		tb.Fatal(err)
	}
	return r.Code, r.Stdout, r.Stderr
}

// startHeadless starts `neo run --headless` on db with env and extra args,
// collecting its output; the test's end kills it if still running.
func startHeadless(tb testing.TB, db string, env []string, args ...string) *proofkit.Proc {
	tb.Helper()
	p, err := proofkit.Start("", neoBin, env, append([]string{"run", "--db", db, "--headless", "--speed", "1", "--log-format", "logfmt"}, args...)...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(p.Kill)
	return p
}

// syncWriter collects output safely across goroutines.
type syncWriter = proofkit.Buffer

// waitForLog waits until the output contains s (a hang guard, not a timing
// assertion).
func waitForLog(tb testing.TB, w *syncWriter, s string) {
	tb.Helper()
	if _, err := w.WaitFor(s, 30*time.Second, nil); err != nil {
		tb.Fatalf("%v in:\n%s", err, w.String())
	}
}

// waitExit waits for the process to exit within limit (the contract's
// bound: shutdown_timeout plus one second) and returns its exit code.
func waitExit(tb testing.TB, p *proofkit.Proc, limit time.Duration) int {
	tb.Helper()
	code, err := p.Wait(limit)
	if err != nil {
		tb.Fatalf("process: %v", err)
	}
	return code
}

// sessionRow is what the independent reader sees of a session.
type sessionRow = proofkit.Session

// readSessions reads every session (with its counts and events) through a
// fresh, independent read-only connection, after quick_check.
func readSessions(tb testing.TB, dbPath string) []sessionRow {
	tb.Helper()
	st, err := proofkit.ReadFileDetail(context.Background(), dbPath)
	if err != nil {
		tb.Fatal(err)
	}
	return st.Sessions
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
// database (proofkit.CheckClosed: reason, ended_at, ending_value, no open
// order, the WAL checkpointed away, the sqlite3 CLI agreeing) and returns
// the newest session.
func checkClosedCleanly(tb testing.TB, dbPath string, want string) sessionRow {
	tb.Helper()
	if _, err := proofkit.CheckClosed(context.Background(), dbPath, want); err != nil {
		tb.Fatal(err)
	}
	return lastSession(tb, dbPath)
}

// openSessions counts the sessions that an independent reader (a fresh
// read-only connection, and the sqlite3 CLI when installed) sees with no
// ended_at, and returns every halt reason it sees. A file the signal
// stopped before its schema holds none.
func openSessions(tb testing.TB, db string) (open int, reasons []string) {
	tb.Helper()
	if _, err := os.Stat(db); errors.Is(err, os.ErrNotExist) {
		return 0, nil // the signal came before the database was created
	}
	ctx := context.Background()
	st, err := proofkit.ReadFileIfAny(ctx, db)
	if err != nil {
		tb.Fatal(err)
	}
	if st.NoSchema {
		return 0, nil // the signal came before the schema was made
	}
	for _, s := range st.Sessions {
		if !s.EndedAt.Valid {
			open++
		}
		reasons = append(reasons, s.HaltReason.String)
	}
	if n, ok, err := proofkit.CLIOpenSessions(ctx, db); ok && (err != nil || n != open) {
		tb.Fatalf("sqlite3 says %d open sessions (err %v), the reader %d", n, err, open)
	}
	return open, reasons
}

// tail is the end of s, for failure details.
func tail(s string, n int) string { return proofkit.Tail(s, n) }

// writeFile writes a test file and returns its path.
func writeFile(tb testing.TB, dir, name, content string) string {
	tb.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		tb.Fatal(err)
	}
	return p
}

// writeBars writes dir/bars.csv, a replay file of n one-minute bars (seed
// 9), and returns its path.
func writeBars(tb testing.TB, dir string, n int) string {
	tb.Helper()
	p := filepath.Join(dir, "bars.csv")
	if err := proofkit.WriteBars(p, 9, n); err != nil {
		tb.Fatal(err)
	}
	return p
}
