package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"neo/cmd/internal/proofkit"
)

func TestHeadlessDurationReached(t *testing.T) {
	db := filepath.Join(t.TempDir(), "neo.db")
	code, _, stderr := runNeo(t, nil, "run", "--db", db, "--headless", "--speed", "0", "--duration", "2h", "--seed", "42")
	if code != 0 {
		t.Fatalf("exit %d, want 0; stderr:\n%s", code, stderr)
	}
	s := checkClosedCleanly(t, db, "duration_reached")
	if s.Fills == 0 || s.Inventory == 0 || s.Valuations == 0 {
		t.Fatalf("fills=%d inventory=%d valuations=%d, want all recorded", s.Fills, s.Inventory, s.Valuations)
	}
	if !strings.Contains(stderr, "session ended") || !strings.Contains(stderr, "halt_reason=duration_reached") {
		t.Fatalf("no closing line in the log:\n%s", stderr)
	}
	backups, _ := filepath.Glob(db + ".bak.*")
	if len(backups) != 1 {
		t.Fatalf("%d pre-run backups, want 1", len(backups))
	}
}

func TestHeadlessReplayIsDeterministic(t *testing.T) {
	dir := t.TempDir()
	csv := writeBars(t, dir, 50_000)
	// Wide risk limits: a long replay must end on the file's end.
	cfg := writeFile(t, dir, "cfg.toml", "[risk]\nmax_drawdown_pct = 90\nmax_drift_pct = 49\n")
	var values []float64
	for i := 0; i < 2; i++ {
		db := filepath.Join(dir, "neo.db")
		code, _, stderr := runNeo(t, nil, "run", "--db", db, "--config", cfg, "--headless", "--speed", "0", "--feed", "replay:"+csv)
		if code != 0 {
			t.Fatalf("run %d: exit %d; stderr:\n%s", i, code, stderr)
		}
		s := checkClosedCleanly(t, db, "feed_ended")
		values = append(values, s.EndingValue.Float64)
	}
	if values[0] != values[1] {
		t.Fatalf("ending values differ: %v vs %v", values[0], values[1])
	}
}

func TestHeadlessSignals(t *testing.T) {
	for _, tt := range []struct {
		sig  syscall.Signal
		want string
	}{
		{syscall.SIGINT, "signal_interrupt"},
		{syscall.SIGTERM, "signal_terminate"},
		{syscall.SIGHUP, "signal_hangup"},
		{syscall.SIGQUIT, "signal_quit"}, // Ctrl+\: no goroutine dump, no session left open
	} {
		t.Run(tt.want, func(t *testing.T) {
			t.Parallel()
			db := filepath.Join(t.TempDir(), "neo.db")
			p := startHeadless(t, db, nil)
			waitForLog(t, p.ErrOut, "session started")
			time.Sleep(300 * time.Millisecond) // let it quote
			if err := p.Signal(tt.sig); err != nil {
				t.Fatal(err)
			}
			code := waitExit(t, p, 3*time.Second+time.Second)
			if code != 0 {
				t.Fatalf("exit %d, want 0; stderr:\n%s", code, p.ErrOut.String())
			}
			checkClosedCleanly(t, db, tt.want)
			// Whoever sent the signal wants the process gone: no report
			// is read after it (it took seconds on a big database).
			if out := p.Out.String(); strings.Contains(out, "report ") {
				t.Fatalf("a report was printed after %s:\n%s", tt.sig, out)
			}
		})
	}
}

func TestHeadlessRiskHalts(t *testing.T) {
	for _, tt := range []struct {
		name, config, feed, want string
	}{
		{"max_drawdown", "[risk]\nmax_drawdown_pct = 0.05\n", "sim", "max_drawdown"},
		{"inventory_limit", "[session]\nstarting_xrp = 2000\nstarting_rlusd = 100\n[risk]\nmax_drift_pct = 30\n", "sim", "inventory_limit"},
		// A replayed file never goes stale (its gaps are data gaps,
		// e2e_replay_levels_test.go); the simulated clock does.
		{"stale_feed", "[risk]\nstale_feed_after = \"1ms\"\n", "sim", "stale_feed"},
		{"anchor_divergence", "[strategy]\nanchor_max_divergence_bps = 0.01\nanchor_divergence_halt_after = \"2s\"\n", "sim", "anchor_divergence"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "neo.db")
			cfg := writeFile(t, t.TempDir(), "cfg.toml", tt.config)
			code, _, stderr := runNeo(t, nil, "run", "--db", db, "--config", cfg, "--headless", "--speed", "0", "--duration", "24h", "--seed", "3", "--feed", tt.feed)
			if code != 5 {
				t.Fatalf("exit %d, want 5; stderr:\n%s", code, stderr)
			}
			s := checkClosedCleanly(t, db, tt.want)
			found := false
			for _, e := range s.Events {
				if strings.HasPrefix(e, "risk:") || strings.HasPrefix(e, "stale_feed:") {
					found = true
				}
			}
			if !found {
				t.Fatalf("no risk event in session_events:\n%s", strings.Join(s.Events, "\n"))
			}
		})
	}
}

// replayWithBadLine is a replay file of n good one-minute bars, then a line
// whose low is not a number (line n+2, after the header).
func replayWithBadLine(n int) string {
	var b strings.Builder
	b.WriteString("time,open,high,low,close,volume\n")
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		fmt.Fprintf(&b, "%s,2.3,2.31,2.29,2.3,10\n", t0.Add(time.Duration(i)*time.Minute).Format(time.RFC3339))
	}
	fmt.Fprintf(&b, "%s,2.3,2.31,abc,2.3,10\n", t0.Add(time.Duration(n)*time.Minute).Format(time.RFC3339))
	return b.String()
}

// TestHeadlessEngineError: a bad line met while the session runs (after
// the bars read ahead at the start) ends it as engine_error, exit 1.
func TestHeadlessEngineError(t *testing.T) {
	dir := t.TempDir()
	bad := writeFile(t, dir, "bad.csv", replayWithBadLine(40))
	db := filepath.Join(dir, "neo.db")
	code, _, stderr := runNeo(t, nil, "run", "--db", db, "--headless", "--speed", "0", "--feed", "replay:"+bad)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "bad.csv:42") || !strings.Contains(stderr, "low") {
		t.Fatalf("error does not name file, line and field:\n%s", stderr)
	}
	checkClosedCleanly(t, db, "engine_error")
}

// TestRunRefusesABadLineAmongTheFirstBars: a bad line among the first bars,
// which are read before the session starts (to find the bar interval), is
// refused like an empty file: exit 2 naming file:line, no session written.
func TestRunRefusesABadLineAmongTheFirstBars(t *testing.T) {
	dir := t.TempDir()
	bad := writeFile(t, dir, "bad.csv", replayWithBadLine(2))
	db := filepath.Join(dir, "neo.db")
	code, _, stderr := runNeo(t, nil, "run", "--db", db, "--headless", "--speed", "0", "--feed", "replay:"+bad)
	if code != 2 || !strings.Contains(stderr, "bad.csv:4") || !strings.Contains(stderr, `"low"`) {
		t.Fatalf("exit %d, want 2 naming bad.csv:4 and the field; stderr:\n%s", code, stderr)
	}
	if _, err := os.Stat(db); err == nil {
		if n := len(readSessions(t, db)); n != 0 {
			t.Fatalf("%d sessions written, want none", n)
		}
	}
}

func TestHeadlessCloseWriteFails(t *testing.T) {
	db := filepath.Join(t.TempDir(), "neo.db")
	code, _, stderr := runNeo(t, []string{"NEO_FAULTS=close_full"}, "run", "--db", db, "--headless", "--speed", "0", "--duration", "10m", "--log-format", "logfmt")
	if code == 0 {
		t.Fatalf("exit 0 after the session row failed to write; stderr:\n%s", stderr)
	}
	line := proofkit.LastLine(stderr, "writing the session row FAILED")
	if !strings.Contains(line, "level=error") || !strings.Contains(line, "SQLITE_FULL") {
		t.Fatalf("the failed close is not an ERROR with its cause; line %q\n%s", line, stderr)
	}
	// The row stays open, so the next start recovers it.
	s := lastSession(t, db)
	if s.EndedAt.Valid {
		t.Fatalf("session closed although the write failed")
	}
	code, _, stderr = runNeo(t, nil, "run", "--db", db, "--headless", "--speed", "0", "--duration", "1m")
	if code != 0 {
		t.Fatalf("next start: exit %d\n%s", code, stderr)
	}
	all := readSessions(t, db)
	if got := all[0].HaltReason.String; got != "unclean_exit" || all[0].Estimated != 1 {
		t.Fatalf("first session halt_reason=%q estimated=%d, want unclean_exit, 1", got, all[0].Estimated)
	}
}

func TestHeadlessHungStoreExitsByTheDeadline(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "neo.db")
	cfg := writeFile(t, dir, "cfg.toml", "[session]\nshutdown_timeout = \"1s\"\n")
	p := startHeadless(t, db, []string{"NEO_FAULTS=close_hang"}, "--config", cfg)
	waitForLog(t, p.ErrOut, "session started")
	if err := p.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// A hang guard far above the backstop's 1.7 s: the bound itself is
	// checked on the exit's own report below, not on this machine's clock.
	code := waitExit(t, p, 30*time.Second)
	out := p.ErrOut.String()
	if code != exitRuntime {
		t.Fatalf("exit %d, want 1 (the backstop's); stderr:\n%s", code, out)
	}
	if strings.Contains(out, "panic") || strings.Contains(out, "goroutine ") {
		t.Fatalf("the backstop panicked:\n%s", out)
	}
	if !strings.Contains(out, "level=error") || !strings.Contains(out, `stuck_step="write session row"`) {
		t.Fatalf("no ERROR naming the hung step:\n%s", out)
	}
	if !strings.Contains(out, `neo: shutdown did not finish within 1.7s (stuck in step "write session row")`) {
		t.Fatalf("no message naming the deadline and the stuck step:\n%s", out)
	}
}

func TestRunRefusesBadEnvironments(t *testing.T) {
	t.Run("second instance", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "neo.db")
		first := startHeadless(t, db, nil)
		waitForLog(t, first.ErrOut, "session started")
		code, _, stderr := runNeo(t, nil, "run", "--db", db, "--headless", "--speed", "0", "--duration", "1m")
		first.Signal(syscall.SIGTERM)
		if c := waitExit(t, first, 4*time.Second); c != 0 {
			t.Fatalf("first instance exit %d", c)
		}
		if code != 4 || !strings.Contains(stderr, db) {
			t.Fatalf("second instance: exit %d, want 4 naming %s; stderr:\n%s", code, db, stderr)
		}
		if n := len(readSessions(t, db)); n != 1 {
			t.Fatalf("%d sessions, want only the first instance's", n)
		}
	})
	t.Run("full disk", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "neo.db")
		code, _, stderr := runNeo(t, []string{"NEO_STORE_FAULTS=full"}, "run", "--db", db, "--headless", "--speed", "0", "--duration", "1m")
		if code != 1 || !strings.Contains(stderr, "pre-run backup") {
			t.Fatalf("exit %d, want 1 with the failed pre-run backup named; stderr:\n%s", code, stderr)
		}
		if n := len(readSessions(t, db)); n != 0 {
			t.Fatalf("%d sessions written on a full disk, want none", n)
		}
	})
	t.Run("database is a directory", func(t *testing.T) {
		dir := t.TempDir()
		code, _, stderr := runNeo(t, nil, "run", "--db", dir, "--headless", "--speed", "0", "--duration", "1m")
		_, msg, _ := strings.Cut(stderr, "neo: ")
		if code != 2 || !strings.Contains(msg, dir) || strings.Count(strings.TrimSpace(msg), "\n") > 0 {
			t.Fatalf("exit %d, want 2 and one error line naming %s; stderr:\n%s", code, dir, stderr)
		}
	})
	t.Run("damaged database", func(t *testing.T) {
		// A neo database (a backup of it lies beside it) whose first
		// bytes were overwritten.
		db := filepath.Join(t.TempDir(), "neo.db")
		writeFile(t, filepath.Dir(db), "neo.db.bak.20261201T000000Z", "")
		if err := os.WriteFile(db, bytes.Repeat([]byte("not a database "), 4096), 0o600); err != nil {
			t.Fatal(err)
		}
		before, _ := os.ReadFile(db)
		code, _, stderr := runNeo(t, nil, "run", "--db", db, "--headless", "--speed", "0", "--duration", "1m")
		if code != 3 || !strings.Contains(stderr, "neo restore --db "+db) {
			t.Fatalf("exit %d, want 3 naming the restore command; stderr:\n%s", code, stderr)
		}
		after, _ := os.ReadFile(db)
		if !bytes.Equal(before, after) {
			t.Fatalf("the damaged file was changed")
		}
	})
	t.Run("bad config", func(t *testing.T) {
		dir := t.TempDir()
		cfg := writeFile(t, dir, "cfg.toml", "[strategy]\nhalf_spread_bp = 3\n")
		code, _, stderr := runNeo(t, nil, "run", "--db", filepath.Join(dir, "neo.db"), "--config", cfg, "--headless")
		if code != 2 || !strings.Contains(stderr, "half_spread_bp") || !strings.Contains(stderr, cfg) {
			t.Fatalf("exit %d, want 2 naming the key and the file; stderr:\n%s", code, stderr)
		}
	})
}

func TestHeadlessSurvivesAClosedLogPipe(t *testing.T) {
	db := filepath.Join(t.TempDir(), "neo.db")
	cmd := exec.Command(neoBin, "run", "--db", db, "--headless", "--speed", "1")
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = pw
	p, err := proofkit.StartCmd(cmd)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Kill)
	pw.Close()
	buf := make([]byte, 4096)
	var seen strings.Builder
	for !strings.Contains(seen.String(), "session started") {
		n, err := pr.Read(buf)
		if err != nil {
			t.Fatalf("reading the log: %v", err)
		}
		seen.Write(buf[:n])
	}
	pr.Close() // like `neo run 2>&1 | head`: the reader is gone
	if err := p.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := waitExit(t, p, 4*time.Second); code != 0 {
		t.Fatalf("exit %d, want 0 (a closed log pipe must not kill the shutdown)", code)
	}
	checkClosedCleanly(t, db, "signal_terminate")
}
