package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gofrs/flock"

	"neo/cmd/internal/proofkit"
	"neo/engine"
	"neo/store"
)

var st0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// mt0 is the market time the closed test session starts at.
var mt0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// runMain runs neo in-process with exactly env as its environment (see
// runMainEnv).
func runMain(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	return runMainEnv(t, env, args...)
}

// runBin runs the test binary (built with -tags faults) with only a fresh
// HOME, our PATH and env as its environment.
func runBin(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	r, err := proofkit.RunEnv(context.Background(), "", neoBin, runLimit, append([]string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}, env...), args...)
	if err != nil {
		t.Fatal(err)
	}
	return r.Code, r.Stdout, r.Stderr
}

// assertOneLineError checks a failing command's code and its one-line
// message.
func assertOneLineError(t *testing.T, code int, stderr string, wantCode int, wantIn ...string) {
	t.Helper()
	if code != wantCode {
		t.Fatalf("exit=%d, want %d; stderr=%q", code, wantCode, stderr)
	}
	if strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") {
		t.Fatalf("stderr=%q, want exactly one line", stderr)
	}
	if strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine") {
		t.Fatalf("stderr=%q looks like a panic", stderr)
	}
	for _, w := range wantIn {
		if !strings.Contains(stderr, w) {
			t.Fatalf("stderr=%q does not contain %q", stderr, w)
		}
	}
}

// mustStoreDB builds a database with one closed session (id closedID) and
// one left open by a "crash", and returns its path.
func mustStoreDB(t *testing.T, dir, closedID string) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(dir, "neo.db")
	// The store's clock stamps each commit (last_write_at, what backfill
	// estimates ended_at from): the crashed session's last commit is at
	// st0 + 3h, when its last snapshot was written.
	clock := func() time.Time { return st0.Add(3 * time.Hour) }
	db, err := store.Open(ctx, store.Options{Path: path, Lock: true, CheckpointInterval: -1, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	sess := func(id string, at time.Time) engine.Session {
		return engine.Session{SessionID: id, StartedAt: at, Mode: engine.ModePaper, Feed: "sim", ConfigJSON: "{}",
			AppVersion: "test", StartingXRP: 1000, StartingRLUSD: 2500, StartingValue: 5000}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// The closed session replayed 35 days of January 2025 bars in an hour
	// of wall time.
	closed := sess(closedID, st0)
	closed.MarketStartedAt = &mt0
	must(db.OpenSession(ctx, closed))
	o := engine.Order{OrderID: "o1", SessionID: closedID, Side: engine.Buy, Price: 2.5, QtyXRP: 6, MarketTime: mt0.Add(time.Hour), Status: engine.OrderFilled}
	must(db.RecordFill(ctx, engine.Fill{FillID: "f1", SessionID: closedID, OrderID: "o1", MarketTime: mt0.Add(time.Hour), Side: engine.Buy, Price: 2.5, QtyXRP: 6, ValueRLUSD: 15}, o))
	must(db.CloseSession(ctx, engine.SessionEnd{SessionID: closedID, EndedAt: st0.Add(time.Hour), MarketEndedAt: mt0.Add(35 * 24 * time.Hour),
		EndingXRP: 1006, EndingRLUSD: 2485, EndingValue: 5012.5, HaltReason: engine.HaltOperatorQuit}))
	must(db.OpenSession(ctx, sess("crashed", st0.Add(2*time.Hour))))
	must(db.SaveOrders(ctx, engine.Order{OrderID: "o2", SessionID: "crashed", Side: engine.Sell, Price: 2.6, QtyXRP: 6, MarketTime: st0.Add(2 * time.Hour), Status: engine.OrderOpen}))
	must(db.AddInventorySnapshot(ctx, engine.InventorySnapshot{SessionID: "crashed", MarketTime: st0.Add(3 * time.Hour), MidPrice: 2.5, XRPBalance: 990, RLUSDBalance: 2530, TotalValueInRLUSD: 5005}))
	if _, err := db.Backup(ctx); err != nil {
		t.Fatal(err)
	}
	must(db.Close(ctx))
	return path
}

func sha(t *testing.T, path string) string {
	t.Helper()
	d, err := proofkit.FileDigest(path)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func shaAll(t *testing.T, path string) string {
	return sha(t, path) + sha(t, path+"-wal") + sha(t, path+"-shm")
}

// TestSessionsCmd lists mustStoreDB's sessions as a table, JSON and CSV,
// refuses both formats at once and reads beside a running session.
func TestSessionsCmd(t *testing.T) {
	path := mustStoreDB(t, t.TempDir(), "evil\x1b[31m\x07id")
	t.Run("Table", func(t *testing.T) {
		code, out, errOut := runMain(t, nil, "sessions", "--db", path)
		if code != 0 {
			t.Fatalf("exit=%d stderr=%s", code, errOut)
		}
		checkSessionsTable(t, out)
	})
	t.Run("JSON", func(t *testing.T) { checkSessionsJSON(t, path) })
	t.Run("CSV", func(t *testing.T) { checkSessionsCSV(t, path) })
	t.Run("BothFormats", func(t *testing.T) {
		code, _, errOut := runMain(t, nil, "sessions", "--db", path, "--csv", "--json")
		assertOneLineError(t, code, errOut, exitUsage, "--json")
	})
	t.Run("BesideARunningSession", func(t *testing.T) {
		db, err := store.Open(context.Background(), store.Options{Path: path, Lock: true, CheckpointInterval: -1})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close(context.Background())
		if code, out, errOut := runMain(t, nil, "sessions", "--db", path); code != 0 || !strings.Contains(out, "crashed") {
			t.Fatalf("exit=%d out=%s err=%s", code, out, errOut)
		}
	})
}

// TestLeftOpenIsNotRunning: a session a crash left open (no process holds
// the database) reads "left open" with what closes it, in sessions (table,
// JSON, CSV) and report (text, JSON), never "running"; while a process
// holds the database it reads running.
func TestLeftOpenIsNotRunning(t *testing.T) {
	path := mustStoreDB(t, t.TempDir(), "s1")
	_, table, _ := runBin(t, nil, "sessions", "--db", path)
	if row := strings.Split(table, "\n")[1]; !strings.Contains(row, "crashed") || !strings.Contains(row, "left open") || strings.Contains(row, "running") {
		t.Fatalf("sessions row %q, want the crashed session left open", row)
	}
	if !strings.Contains(table, "neo backfill --db "+path) {
		t.Fatalf("sessions does not say what closes it:\n%s", table)
	}
	code, text, stderr := runBin(t, nil, "report", "crashed", "--db", path)
	if code != 0 || !strings.Contains(text, "ended as     left open, not running") || !strings.Contains(text, "neo backfill --db "+path) ||
		strings.Contains(text, "(running)") {
		t.Fatalf("report: exit %d, stderr %q:\n%s", code, stderr, text)
	}
	var rep map[string]any
	_, js, _ := runBin(t, nil, "report", "crashed", "--db", path, "--json")
	if err := json.Unmarshal([]byte(js), &rep); err != nil || rep["left_open"] != true || rep["running"] != true || rep["halt_reason"] != nil {
		t.Fatalf("report --json: %v; left_open=%v running=%v", err, rep["left_open"], rep["running"])
	}

	db, err := store.Open(context.Background(), store.Options{Path: path, Lock: true, CheckpointInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(context.Background())
	_, table, _ = runBin(t, nil, "sessions", "--db", path)
	_, text, _ = runBin(t, nil, "report", "crashed", "--db", path)
	if strings.Contains(table, "left open") || !strings.Contains(table, "running") || !strings.Contains(text, "ended as     running") {
		t.Fatalf("beside a lock holder: sessions\n%s\nreport\n%s", table, text)
	}
}

// checkSessionsJSON checks `neo sessions --json` on mustStoreDB's
// database at path: both records, the closed one with its market span.
func checkSessionsJSON(t *testing.T, path string) {
	code, out, _ := runMain(t, nil, "sessions", "--db", path, "--json")
	var recs []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &recs) != nil || len(recs) != 2 {
		t.Fatalf("exit=%d out=%s", code, out)
	}
	if recs[0]["ended_at"] != nil || recs[0]["left_open"] != true || recs[1]["left_open"] != false ||
		recs[1]["halt_reason"] != "operator_quit" || recs[1]["fill_count"] != 1.0 {
		t.Fatalf("records=%v", recs)
	}
	if recs[1]["market_started_at"] != "2025-01-01T00:00:00.000Z" || recs[1]["market_ended_at"] != "2025-02-05T00:00:00.000Z" ||
		recs[1]["started_at"] != "2026-11-25T12:00:00.000Z" {
		t.Fatalf("market span in JSON: %v", recs[1])
	}
}

// checkSessionsCSV checks `neo sessions --csv --limit 1` on mustStoreDB's
// database at path: a header and the newest session, the crashed one.
func checkSessionsCSV(t *testing.T, path string) {
	code, out, _ := runMain(t, nil, "sessions", "--db", path, "--csv", "--limit", "1")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != 0 || err != nil || len(rows) != 2 || rows[0][0] != "session_id" || rows[1][0] != "crashed" {
		t.Fatalf("exit=%d err=%v rows=%v", code, err, rows)
	}
	// The crashed session has no market start and its market end is
	// its last row's (the snapshot at st0 + 3h).
	n := len(rows[0])
	if rows[0][n-3] != "market_started_at" || rows[0][n-2] != "market_ended_at" || rows[1][n-3] != "" || rows[1][n-2] != "2026-11-25T15:00:00.000Z" {
		t.Fatalf("market columns: %v / %v", rows[0], rows[1])
	}
	// Nothing holds the database: the crashed session is left open.
	if rows[0][n-1] != "left_open" || rows[1][n-1] != "true" {
		t.Fatalf("left_open column: %v / %v", rows[0], rows[1])
	}
}

// checkSessionsTable checks `neo sessions`' table of mustStoreDB's two
// sessions: sanitised, a header and two rows, aligned columns.
func checkSessionsTable(t *testing.T, out string) {
	t.Helper()
	if strings.ContainsAny(out, "\x1b\x07") {
		t.Fatalf("control characters reached the terminal: %q", out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "SESSION") || !strings.HasPrefix(lines[3], "left open: not running") {
		t.Fatalf("table=%q, want a header, two rows and what left open means", out)
	}
	lines = lines[:3]
	// Columns line up: STARTED begins at the same offset on every line.
	col := strings.Index(lines[0], "STARTED")
	for _, l := range lines[1:] {
		if l[col-2:col] != "  " || l[col] == ' ' {
			t.Fatalf("misaligned row %q (column at %d)", l, col)
		}
	}
	if !strings.Contains(lines[1], "left open") || !strings.Contains(lines[2], "operator_quit") || !strings.Contains(lines[2], "+12.50") {
		t.Fatalf("rows=%q", lines[1:])
	}
	// Wall clock and market time, each said: an hour of wall time over
	// 35 days of market from 2025-01-01.
	if !strings.Contains(lines[0], "MARKET FROM (UTC)") || !strings.Contains(lines[0], "MARKET SPAN") ||
		!strings.Contains(lines[2], "1h00m00s") || !strings.Contains(lines[2], "2025-01-01 00:00:00") || !strings.Contains(lines[2], "35d 00h00m") {
		t.Fatalf("market span missing:\n%s", out)
	}
}

func TestCheckCmd(t *testing.T) {
	path := mustStoreDB(t, t.TempDir(), "s1")
	t.Run("OKAndLeftOpen", func(t *testing.T) {
		code, out, errOut := runMain(t, nil, "check", "--db", path, "--full")
		if code != 0 || !strings.Contains(out, "passed integrity_check") || !strings.Contains(out, "session crashed") ||
			!strings.Contains(out, "left open") || !strings.Contains(out, "neo backfill --db "+path) {
			t.Fatalf("exit=%d out=%s err=%s", code, out, errOut)
		}
	})
	t.Run("Running", func(t *testing.T) {
		db, err := store.Open(context.Background(), store.Options{Path: path, Lock: true, CheckpointInterval: -1})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close(context.Background())
		code, out, _ := runMain(t, nil, "check", "--db", path)
		if code != 0 || !strings.Contains(out, "is running") {
			t.Fatalf("exit=%d out=%s", code, out)
		}
	})
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, p string)
	}{
		{"ZeroedPage", func(t *testing.T, p string) {
			f, _ := os.OpenFile(p, os.O_WRONLY, 0)
			defer f.Close()
			f.WriteAt(make([]byte, 4096), 4096) // page 2
		}},
		{"NotSQLite", func(t *testing.T, p string) { os.WriteFile(p, []byte(strings.Repeat("hello\n", 2000)), 0o600) }},
		{"TruncatedWithStaleWAL", func(t *testing.T, p string) {
			os.Truncate(p, 4096*2)
			os.WriteFile(p+"-wal", bytes.Repeat([]byte{1}, 5000), 0o600)
			os.WriteFile(p+"-shm", bytes.Repeat([]byte{0}, 32768), 0o600)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { checkDamagedThenRestored(t, tc.damage) })
	}
}

// checkDamagedThenRestored damages a fresh database: check and backfill
// must refuse it (exit corrupt, pointing at restore) without changing a
// byte; restore must move it aside and bring back the backup, which passes
// the check and holds the session.
func checkDamagedThenRestored(t *testing.T, damage func(t *testing.T, p string)) {
	t.Helper()
	dir := t.TempDir()
	p := mustStoreDB(t, dir, "s1")
	damage(t, p)
	before := shaAll(t, p)
	code, _, errOut := runMain(t, nil, "check", "--db", p)
	assertOneLineError(t, code, errOut, exitCorrupt, "neo restore --db "+p, "nothing was written")
	if shaAll(t, p) != before {
		t.Fatal("neo check changed the damaged files")
	}
	code, _, errOut = runMain(t, nil, "backfill", "--db", p)
	assertOneLineError(t, code, errOut, exitCorrupt, "neo restore --db "+p)
	if shaAll(t, p) != before {
		t.Fatal("neo backfill changed the damaged files")
	}
	code, out, errOut := runMain(t, nil, "restore", "--db", p, "--yes")
	if code != 0 || !strings.Contains(out, "malformed_") {
		t.Fatalf("restore exit=%d out=%s err=%s", code, out, errOut)
	}
	for _, s := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(p + s); err == nil {
			t.Fatalf("%s%s left beside the restored database", p, s)
		}
	}
	code, out, errOut = runMain(t, nil, "check", "--db", p)
	// The backup was taken with session crashed open: the restored
	// database passes the check and reports it left open.
	if code != 0 || !strings.Contains(out, "ok: "+p+" passed quick_check") ||
		!strings.Contains(out, "open: session crashed started 2026-11-25T14:00:00.000Z was left open") {
		t.Fatalf("check after restore: exit=%d out=%s err=%s", code, out, errOut)
	}
	code, out, _ = runMain(t, nil, "sessions", "--db", p, "--csv")
	if code != 0 || !strings.Contains(out, "s1,") {
		t.Fatalf("restored content: %s", out)
	}
}

func TestBackfillCmd(t *testing.T) {
	path := mustStoreDB(t, t.TempDir(), "s1")
	before := sha(t, path)
	code, out, errOut := runMain(t, nil, "backfill", "--db", path, "--dry-run")
	if code != 0 || !strings.Contains(out, "would close session crashed") || !strings.Contains(out, "1 open orders cancelled") {
		t.Fatalf("exit=%d out=%s err=%s", code, out, errOut)
	}
	if sha(t, path) != before {
		t.Fatal("the dry run changed the database")
	}
	code, out, errOut = runMain(t, nil, "backfill", "--db", path)
	if code != 0 || !strings.Contains(out, "closed session crashed") || !strings.Contains(out, "ended_at ~2026-11-25T15:00:00.000Z") {
		t.Fatalf("exit=%d out=%s err=%s", code, out, errOut)
	}
	code, out, _ = runMain(t, nil, "backfill", "--db", path)
	if code != 0 || !strings.Contains(out, "nothing to do") {
		t.Fatalf("second run: exit=%d out=%s", code, out)
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var reason string
	var est int
	raw.QueryRow("SELECT halt_reason, ended_at_estimated FROM sessions WHERE session_id = 'crashed'").Scan(&reason, &est)
	if reason != "unclean_exit" || est != 1 {
		t.Fatalf("halt_reason=%q estimated=%d", reason, est)
	}
}

func TestBackupAndRestoreCmds(t *testing.T) {
	dir := t.TempDir()
	path := mustStoreDB(t, dir, "s1")
	t.Run("Backup", func(t *testing.T) {
		code, out, errOut := runMain(t, nil, "backup", "--db", path)
		if code != 0 || !strings.Contains(out, "wrote "+path+".bak.") {
			t.Fatalf("exit=%d out=%s err=%s", code, out, errOut)
		}
		to := filepath.Join(t.TempDir(), "copy.db")
		code, out, _ = runMain(t, nil, "backup", "--db", path, "--to", to)
		if fi, err := os.Stat(to); code != 0 || err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("exit=%d out=%s stat=%v", code, out, err)
		}
		code, _, errOut = runMain(t, nil, "backup", "--db", path, "--to", to)
		assertOneLineError(t, code, errOut, exitRuntime, to, "exists")
	})
	t.Run("RestoreNeedsYesWithoutATerminal", func(t *testing.T) {
		before := sha(t, path)
		code, _, errOut := runMain(t, nil, "restore", "--db", path)
		assertOneLineError(t, code, errOut, exitUsage, "--yes")
		if sha(t, path) != before {
			t.Fatal("restore without confirmation changed the database")
		}
	})
	t.Run("RestoreBadBackup", func(t *testing.T) {
		bad := filepath.Join(dir, "bad.bak")
		os.WriteFile(bad, []byte("not a database"), 0o600)
		code, _, errOut := runMain(t, nil, "restore", "--db", path, bad, "--yes")
		assertOneLineError(t, code, errOut, exitCorrupt, bad)
	})
}

// TestBadEnvironment runs the store commands in hostile environments: a
// directory, a missing file, a foreign lock, a full disk, a read-only
// directory; a subtest each.
func TestBadEnvironment(t *testing.T) {
	for _, env := range []struct {
		name string
		test func(t *testing.T)
	}{
		{"DirectoryAsDB", testDirectoryAsDB},
		{"MissingDB", testMissingDB},
		{"LockedByAnotherProcess", testLockedByAnotherProcess},
		{"DiskFull", testDiskFull},
		{"ReadOnlyDirectory", testReadOnlyDirectory},
	} {
		t.Run(env.name, env.test)
	}
}

// testDirectoryAsDB: every store command refuses a directory as --db.
func testDirectoryAsDB(t *testing.T) {
	dir := t.TempDir()
	for _, cmd := range []string{"check", "sessions", "backfill", "backup"} {
		code, _, errOut := runMain(t, nil, cmd, "--db", dir)
		assertOneLineError(t, code, errOut, exitUsage, dir, "is a directory")
	}
	code, _, errOut := runMain(t, nil, "restore", "--db", dir, "--yes")
	assertOneLineError(t, code, errOut, exitUsage, dir, "is a directory")
}

// testMissingDB: the store commands refuse a missing database and do not
// create it.
func testMissingDB(t *testing.T) {
	p := filepath.Join(t.TempDir(), "neo.db")
	for _, cmd := range []string{"check", "sessions", "backfill", "backup"} {
		code, _, errOut := runMain(t, nil, cmd, "--db", p)
		assertOneLineError(t, code, errOut, exitRuntime, p, "does not exist")
		if _, err := os.Stat(p); err == nil {
			t.Fatalf("neo %s created %s", cmd, p)
		}
	}
}

// testLockedByAnotherProcess: under another process's lock the writing
// commands refuse, naming its pid, and change nothing; sessions still
// reads.
func testLockedByAnotherProcess(t *testing.T) {
	path := mustStoreDB(t, t.TempDir(), "s1")
	lk := flock.New(store.LockPath(path))
	if ok, err := lk.TryLock(); !ok || err != nil {
		t.Fatalf("lock: %v %v", ok, err)
	}
	defer lk.Unlock()
	os.WriteFile(store.LockPath(path), []byte("424242\n"), 0o600)
	before := sha(t, path)
	for _, args := range [][]string{{"backfill"}, {"backfill", "--dry-run"}, {"restore", "--yes"}} {
		code, _, errOut := runMain(t, nil, append(args, "--db", path)...)
		assertOneLineError(t, code, errOut, exitLocked, path, "pid 424242")
	}
	if sha(t, path) != before {
		t.Fatal("a locked-out command changed the database")
	}
	if code, _, errOut := runMain(t, nil, "sessions", "--db", path); code != 0 {
		t.Fatalf("sessions beside the lock: exit=%d %s", code, errOut)
	}
}

// testDiskFull: backfill and backup on a full disk fail saying what to do,
// and leave nothing lost and nothing half-written.
func testDiskFull(t *testing.T) {
	path := mustStoreDB(t, t.TempDir(), "s1")
	env := []string{"NEO_STORE_FAULTS=full"}
	code, _, errOut := runBin(t, env, "backfill", "--db", path)
	assertOneLineError(t, code, errOut, exitRuntime, path, "disk full", "free space")
	code, _, errOut = runBin(t, env, "backup", "--db", path)
	assertOneLineError(t, code, errOut, exitRuntime, "disk full", "free space")
	// Nothing lost, nothing half-written.
	code, out, errOut := runMain(t, nil, "check", "--db", path, "--full")
	if code != 0 || !strings.Contains(out, "left open") {
		t.Fatalf("after disk full: exit=%d out=%s err=%s", code, out, errOut)
	}
	backups, _ := store.ListBackups(path)
	if len(backups) != 1 {
		t.Fatalf("backups=%v, want only the first one", backups)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Fatalf("left %s behind", e.Name())
		}
	}
}

// testReadOnlyDirectory: a backup to, or a store in, a directory that
// cannot be written to fails saying so.
func testReadOnlyDirectory(t *testing.T) {
	path := mustStoreDB(t, t.TempDir(), "s1")
	ro := t.TempDir()
	if err := os.Chmod(ro, 0o500); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(ro, 0o700)
	if f, err := os.Create(filepath.Join(ro, "probe")); err == nil {
		f.Close()
		// Root ignores directory permissions; /sys refuses new files
		// even to root.
		ro = "/sys"
		if f, err := os.Create("/sys/neo-probe"); err == nil {
			f.Close()
			os.Remove("/sys/neo-probe")
			t.Skip("running as root and /sys is writable: no read-only directory to test with")
		}
	}
	dest := filepath.Join(ro, "neo.db.bak")
	code, _, errOut := runMain(t, nil, "backup", "--db", path, "--to", dest)
	assertOneLineError(t, code, errOut, exitRuntime, dest, "writable")
	_, err := store.Open(context.Background(), store.Options{Path: filepath.Join(ro, "neo.db"), Lock: true})
	var pe *store.PathError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "write files in "+ro) {
		t.Fatalf("open in a read-only directory: %v, want a PathError saying what to do", err)
	}
}

// An empty database file — a first start killed before it wrote its schema
// (the kill -9 soak made one) — is sound: `neo check` says so and exits 0.
func TestCheckEmptyDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "neo.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runMain(t, nil, "check", "--db", path)
	if code != 0 {
		t.Fatalf("neo check on an empty file: exit %d, want 0\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "no neo sessions yet") {
		t.Fatalf("neo check on an empty file says:\n%s", out)
	}
}

// TestNotSQLiteFileIsForeign: --db naming a file that is not SQLite at all
// (no neo backup beside it) is a usage error (exit 2) saying so, from every
// command that opens it, never the restore advice; the file is unchanged.
// With a neo backup beside it, it is a damaged neo database (exit 3).
func TestNotSQLiteFileIsForeign(t *testing.T) {
	dir := t.TempDir()
	db := writeFile(t, dir, "text.db", "hello\n")
	for _, args := range [][]string{
		{"check"}, {"check", "--full"}, {"sessions"}, {"report"}, {"backfill", "--dry-run"},
		{"run", "--headless", "--speed", "0", "--duration", "1m"},
	} {
		code, _, stderr := runBin(t, nil, append(args, "--db", db)...)
		if args[0] == "run" { // run logs its start on stderr too
			_, stderr, _ = strings.Cut(stderr, "\nneo: ")
			stderr = "neo: " + stderr
		}
		assertOneLineError(t, code, stderr, 2, "not an SQLite database", "--db", db)
		if strings.Contains(stderr, "restore") {
			t.Fatalf("neo %v: %q sends the user to restore a backup that does not exist", args, stderr)
		}
	}
	if b, _ := os.ReadFile(db); string(b) != "hello\n" {
		t.Fatalf("the file was changed: %q", b)
	}
	writeFile(t, dir, "text.db.bak.20261201T000000Z", "")
	code, _, stderr := runBin(t, nil, "check", "--db", db)
	assertOneLineError(t, code, stderr, 3, "neo restore --db "+db)
}
