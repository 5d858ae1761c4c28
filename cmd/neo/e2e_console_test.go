//go:build !windows

package main

import (
	"errors"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"neo/cmd/internal/proofkit"
)

// consoleRun is neo running under a real pseudo-terminal (the kit's
// console, keeping all its output) on the database db.
type consoleRun struct {
	*proofkit.Console
	db string
}

// startConsole starts `neo run` on a 160x48 pty and drains its output.
func startConsole(tb testing.TB, args ...string) *consoleRun {
	tb.Helper()
	db := filepath.Join(tb.TempDir(), "neo.db")
	return startPty(tb, db, append([]string{"run", "--db", db, "--speed", "1"}, args...)...)
}

// startPty starts neo with argv on a 160x48 pty and drains its output; the
// test skips where the machine has no pseudo-terminal.
func startPty(tb testing.TB, db string, argv ...string) *consoleRun {
	tb.Helper()
	return startPtyEnv(tb, db, nil, argv...)
}

// startPtyEnv is startPty with env added to ours.
func startPtyEnv(tb testing.TB, db string, env []string, argv ...string) *consoleRun {
	tb.Helper()
	c, err := proofkit.StartConsoleKeep(0, neoBin, env, argv...)
	if errors.Is(err, proofkit.ErrNoPTY) {
		tb.Skip(err)
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(c.Close)
	return &consoleRun{Console: c, db: db}
}

// waitScreen waits until the console has drawn s.
func (r *consoleRun) waitScreen(tb testing.TB, s string) {
	tb.Helper()
	if _, err := r.Out.WaitFor(s, 30*time.Second, r.Done); err != nil {
		tb.Fatalf("%v; output tail:\n%q", err, tail(r.Out.String(), 3000))
	}
}

// wait waits for exit within the contract's bound and returns the code.
func (r *consoleRun) wait(tb testing.TB) int {
	tb.Helper()
	return waitExit(tb, r.Proc, 3*time.Second+time.Second)
}

// checkTerminalRestored compares the tty's modes with those before the run
// and checks the alternate screen was entered and left (waiting, with a
// deadline, for the leave to be read off the pty: the drain may lag the
// exit).
func (r *consoleRun) checkTerminalRestored(tb testing.TB) {
	tb.Helper()
	if err := r.TerminalRestored(10 * time.Second); err != nil {
		tb.Fatal(err)
	}
	if !r.EnteredAltScreen() {
		tb.Fatalf("the console never entered the alternate screen; output tail:\n%q", tail(r.Out.String(), 500))
	}
}

func TestConsoleEndings(t *testing.T) {
	for _, tt := range []struct {
		name    string
		want    string
		trigger func(t *testing.T, r *consoleRun)
		tty     bool // the terminal is still there afterwards
	}{
		{"q", "operator_quit", func(t *testing.T, r *consoleRun) { r.Keys("q") }, true},
		{"ctrl+c", "operator_quit", func(t *testing.T, r *consoleRun) { r.Keys("\x03") }, true},
		{"SIGINT", "signal_interrupt", func(t *testing.T, r *consoleRun) { r.Signal(syscall.SIGINT) }, true},
		{"SIGTERM", "signal_terminate", func(t *testing.T, r *consoleRun) { r.Signal(syscall.SIGTERM) }, true},
		{"SIGHUP", "signal_hangup", func(t *testing.T, r *consoleRun) { r.Signal(syscall.SIGHUP) }, true},
		{"SIGQUIT", "signal_quit", func(t *testing.T, r *consoleRun) { r.Signal(syscall.SIGQUIT) }, true},
		{"pty closed", "signal_hangup", func(t *testing.T, r *consoleRun) { r.CloseMaster() }, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := startConsole(t)
			r.waitScreen(t, "XRP")
			time.Sleep(500 * time.Millisecond) // a moment of live quoting
			tt.trigger(t, r)
			if code := r.wait(t); code != 0 {
				t.Fatalf("exit %d, want 0; output tail:\n%s", code, tail(r.Out.String(), 2000))
			}
			checkClosedCleanly(t, r.db, tt.want)
			if tt.tty {
				r.checkTerminalRestored(t)
			}
		})
	}
}

func TestConsoleTerminalNotReading(t *testing.T) {
	r := startConsole(t)
	r.waitScreen(t, "XRP")
	// Stop reading the terminal: its buffer fills and the console's writes
	// block, as with a hung terminal emulator or a stalled SSH link.
	r.StopReading()
	time.Sleep(3 * time.Second)
	if err := r.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := r.wait(t); code != 0 {
		t.Fatalf("exit %d, want 0", code)
	}
	// Drain now so the tty can be closed.
	r.ResumeReading()
	checkClosedCleanly(t, r.db, "signal_terminate")
	if err := r.TermiosRestored(); err != nil {
		t.Fatal(err)
	}
}

func TestConsoleStaysOpenAfterAHalt(t *testing.T) {
	r := startConsole(t, "--duration", "2s")
	r.waitScreen(t, "SESSION ENDED")
	// Longer than shutdown_timeout and the backstop's margin: the console
	// must still be there, showing the final state.
	time.Sleep(3*time.Second + hardExitMargin + 500*time.Millisecond)
	if r.HasExited() {
		t.Fatalf("the console exited by itself after the halt")
	}
	if err := r.Signal(syscall.Signal(0)); err != nil {
		t.Fatalf("the console exited by itself after the halt: %v", err)
	}
	r.waitScreen(t, "duration_reached")
	// The history view still reads after the session's database closed.
	// Keys are sent one at a time, each after the screen has answered the
	// previous one: Bubble Tea reads runes that arrive together as one key.
	mark := r.Out.Total()
	r.Keys("2")
	if err := r.WaitScreen(mark, "sessions 1–1", 10*time.Second); err != nil {
		t.Fatalf("after the key: %v; output since:\n%q", err, tail(r.Out.Since(mark), 3000))
	}
	if strings.Contains(r.Out.String(), "database is closed") {
		t.Fatalf("history view reads a closed database")
	}
	r.Keys("q")
	if code := r.wait(t); code != 0 {
		t.Fatalf("exit %d, want 0", code)
	}
	checkClosedCleanly(t, r.db, "duration_reached")
	r.checkTerminalRestored(t)
}

func TestHistoryBesideARunningSession(t *testing.T) {
	db := filepath.Join(t.TempDir(), "neo.db")
	run := startHeadless(t, db, nil)
	waitForLog(t, run.ErrOut, "session started")

	h := startPty(t, db, "history", "--db", db)
	h.waitScreen(t, "running")
	h.Keys("q")
	if code := h.wait(t); code != 0 {
		t.Fatalf("neo history exit %d, want 0", code)
	}
	h.checkTerminalRestored(t)

	run.Signal(syscall.SIGTERM)
	if code := waitExit(t, run, 4*time.Second); code != 0 {
		t.Fatalf("neo run exit %d, want 0", code)
	}
	checkClosedCleanly(t, db, "signal_terminate")
}

// TestRestorePrompt answers the confirmation on a real terminal.
func TestRestorePrompt(t *testing.T) {
	for _, tc := range []struct {
		answer   string
		wantCode int
		wantOut  string
	}{
		{"n\n", exitRuntime, "cancelled"},
		{"y\n", exitOK, "restored"},
	} {
		t.Run(strings.TrimSpace(tc.answer), func(t *testing.T) {
			path := mustStoreDB(t, t.TempDir(), "s1")
			before := sha(t, path)
			r := startPtyEnv(t, path, []string{"HOME=" + t.TempDir()}, "restore", "--db", path)
			if err := r.WaitScreen(0, "[y/N]", 20*time.Second); err != nil {
				t.Fatalf("no prompt: %v; output=%q", err, r.Out.String())
			}
			r.Keys(tc.answer)
			code := waitExit(t, r.Proc, 20*time.Second)
			if !strings.Contains(r.Out.String(), tc.wantOut) {
				// The last words may still be on their way off the pty.
				r.Out.WaitFor(tc.wantOut, 10*time.Second, nil)
			}
			if code != tc.wantCode || !strings.Contains(r.Out.String(), tc.wantOut) {
				t.Fatalf("exit=%d, want %d; output=%q", code, tc.wantCode, r.Out.String())
			}
			if changed := sha(t, path) != before; changed != (tc.wantCode == exitOK) {
				t.Fatalf("database changed=%v after answering %q", changed, tc.answer)
			}
		})
	}
}

// TestConsoleBackstopLeavesTheScreen: when the shutdown hangs (a hung
// store) under the console, the backstop exits 1 — and puts the terminal
// back, alternate screen and cursor included, so that its message is read
// on the shell's screen, not on a console screen about to vanish.
func TestConsoleBackstopLeavesTheScreen(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "neo.db")
	cfg := writeFile(t, dir, "cfg.toml", "[session]\nshutdown_timeout = \"1s\"\n")
	r := startPtyEnv(t, db, []string{"NEO_FAULTS=close_hang"}, "run", "--db", db, "--speed", "1", "--config", cfg)
	r.waitScreen(t, "XRP")
	r.Keys("q")
	if code := waitExit(t, r.Proc, 30*time.Second); code != exitRuntime {
		t.Fatalf("exit %d, want 1 (the backstop's); output tail:\n%s", code, tail(r.Out.String(), 2000))
	}
	r.checkTerminalRestored(t)
}
