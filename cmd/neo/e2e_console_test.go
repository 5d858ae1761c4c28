//go:build !windows

package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/creack/pty"
	"golang.org/x/term"
)

// consoleRun is neo running under a real pseudo-terminal.
type consoleRun struct {
	cmd    *exec.Cmd
	ptmx   *os.File
	tty    *os.File
	db     string
	out    syncWriter
	drain  sync.WaitGroup
	paused chan struct{} // closed to stop draining the terminal
	before *term.State
}

// startConsole starts `neo run` on a 160x48 pty and drains its output.
func startConsole(tb testing.TB, drain bool, args ...string) *consoleRun {
	tb.Helper()
	db := filepath.Join(tb.TempDir(), "neo.db")
	return startPty(tb, drain, db, append([]string{"run", "--db", db, "--speed", "1"}, args...)...)
}

// startPty starts neo with argv on a 160x48 pty and drains its output
// unless told not to.
func startPty(tb testing.TB, drain bool, db string, argv ...string) *consoleRun {
	tb.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		tb.Skipf("no pseudo-terminal here: %v", err)
	}
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 48, Cols: 160}); err != nil {
		tb.Fatal(err)
	}
	before, err := term.GetState(int(tty.Fd()))
	if err != nil {
		tb.Fatal(err)
	}
	r := &consoleRun{ptmx: ptmx, tty: tty, db: db, before: before, paused: make(chan struct{})}
	r.cmd = exec.Command(neoBin, argv...)
	r.cmd.Env = append(os.Environ(), "TERM=xterm-256color")
	r.cmd.Stdin, r.cmd.Stdout, r.cmd.Stderr = tty, tty, tty
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := r.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	r.drain.Add(1)
	go func() {
		defer r.drain.Done()
		buf := make([]byte, 32*1024)
		for {
			if !drain {
				select {
				case <-r.paused:
					return // the test stopped reading the terminal
				default:
				}
			}
			n, err := ptmx.Read(buf)
			chunk := buf[:n]
			r.out.Write(chunk)
			// Answer the terminal queries that Bubble Tea makes at start
			// (background colour, cursor position) as a real terminal does.
			if bytes.Contains(chunk, []byte("\x1b]11;?")) {
				ptmx.Write([]byte("\x1b]11;rgb:0000/0000/0000\x1b\\"))
			}
			if bytes.Contains(chunk, []byte("\x1b[6n")) {
				ptmx.Write([]byte("\x1b[1;1R"))
			}
			if err != nil {
				return
			}
		}
	}()
	tb.Cleanup(func() {
		_ = r.cmd.Process.Kill()
		ptmx.Close()
		tty.Close()
	})
	return r
}

// waitScreen waits until the console has drawn s.
func (r *consoleRun) waitScreen(tb testing.TB, s string) {
	tb.Helper()
	waitForLog(tb, &r.out, s)
}

// wait waits for exit within the contract's bound and returns the code.
func (r *consoleRun) wait(tb testing.TB) int {
	tb.Helper()
	return waitExit(tb, r.cmd, 3*time.Second+time.Second)
}

// checkTerminalRestored compares the tty's modes with those before the run
// and checks the alternate screen was left.
func (r *consoleRun) checkTerminalRestored(tb testing.TB) {
	tb.Helper()
	after, err := term.GetState(int(r.tty.Fd()))
	if err != nil {
		tb.Fatal(err)
	}
	if !statesEqual(r.before, after) {
		tb.Fatalf("terminal modes not restored:\nbefore %+v\nafter  %+v", *r.before, *after)
	}
	// The last alternate-screen switch must be a leave: wait for it to be
	// read off the pty (the drain may lag the exit), with a deadline.
	deadline := time.Now().Add(10 * time.Second)
	for {
		out := r.out.String()
		enter := strings.LastIndex(out, "\x1b[?1049h")
		leave := strings.LastIndex(out, "\x1b[?1049l")
		if enter >= 0 && leave > enter {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("alternate screen not left (enter at %d, leave at %d); output tail:\n%q", enter, leave, tail(out, 500))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func statesEqual(a, b *term.State) bool { return fmtState(a) == fmtState(b) }

func TestConsoleEndings(t *testing.T) {
	for _, tt := range []struct {
		name    string
		want    string
		trigger func(t *testing.T, r *consoleRun)
		tty     bool // the terminal is still there afterwards
	}{
		{"q", "operator_quit", func(t *testing.T, r *consoleRun) { r.ptmx.Write([]byte("q")) }, true},
		{"ctrl+c", "operator_quit", func(t *testing.T, r *consoleRun) { r.ptmx.Write([]byte{3}) }, true},
		{"SIGINT", "signal_interrupt", func(t *testing.T, r *consoleRun) { r.cmd.Process.Signal(syscall.SIGINT) }, true},
		{"SIGTERM", "signal_terminate", func(t *testing.T, r *consoleRun) { r.cmd.Process.Signal(syscall.SIGTERM) }, true},
		{"SIGHUP", "signal_hangup", func(t *testing.T, r *consoleRun) { r.cmd.Process.Signal(syscall.SIGHUP) }, true},
		{"SIGQUIT", "signal_quit", func(t *testing.T, r *consoleRun) { r.cmd.Process.Signal(syscall.SIGQUIT) }, true},
		{"pty closed", "signal_hangup", func(t *testing.T, r *consoleRun) { r.ptmx.Close() }, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := startConsole(t, true)
			r.waitScreen(t, "XRP")
			time.Sleep(500 * time.Millisecond) // a moment of live quoting
			tt.trigger(t, r)
			if code := r.wait(t); code != 0 {
				t.Fatalf("exit %d, want 0; output tail:\n%s", code, tail(r.out.String(), 2000))
			}
			checkClosedCleanly(t, r.db, tt.want)
			if tt.tty {
				r.checkTerminalRestored(t)
			}
		})
	}
}

func TestConsoleTerminalNotReading(t *testing.T) {
	r := startConsole(t, false)
	r.waitScreen(t, "XRP")
	// Stop reading the terminal: its buffer fills and the console's writes
	// block, as with a hung terminal emulator or a stalled SSH link.
	close(r.paused)
	time.Sleep(3 * time.Second)
	if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := r.wait(t); code != 0 {
		t.Fatalf("exit %d, want 0", code)
	}
	// Drain now so the tty can be closed.
	go io.Copy(io.Discard, r.ptmx)
	checkClosedCleanly(t, r.db, "signal_terminate")
	after, err := term.GetState(int(r.tty.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	if !statesEqual(r.before, after) {
		t.Fatalf("terminal modes not restored")
	}
}

func TestConsoleStaysOpenAfterAHalt(t *testing.T) {
	r := startConsole(t, true, "--duration", "2s")
	r.waitScreen(t, "SESSION ENDED")
	// Longer than shutdown_timeout and the backstop's margin: the console
	// must still be there, showing the final state.
	time.Sleep(3*time.Second + hardExitMargin + 500*time.Millisecond)
	if r.cmd.ProcessState != nil {
		t.Fatalf("the console exited by itself after the halt")
	}
	if err := r.cmd.Process.Signal(syscall.Signal(0)); err != nil {
		t.Fatalf("the console exited by itself after the halt: %v", err)
	}
	r.waitScreen(t, "duration_reached")
	// The history view still reads after the session's database closed.
	// Keys are sent one at a time, each after the screen has answered the
	// previous one: Bubble Tea reads runes that arrive together as one key.
	mark := len(r.out.String())
	r.ptmx.Write([]byte("2"))
	waitFor := func(s string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(ansi.Strip(r.out.String()[mark:]), s) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %q after the key; output since:\n%q", s, tail(r.out.String()[mark:], 3000))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitFor("sessions 1–1")
	if strings.Contains(r.out.String(), "database is closed") {
		t.Fatalf("history view reads a closed database")
	}
	r.ptmx.Write([]byte("q"))
	if code := r.wait(t); code != 0 {
		t.Fatalf("exit %d, want 0", code)
	}
	checkClosedCleanly(t, r.db, "duration_reached")
	r.checkTerminalRestored(t)
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func TestHistoryBesideARunningSession(t *testing.T) {
	db := filepath.Join(t.TempDir(), "neo.db")
	run := exec.Command(neoBin, "run", "--db", db, "--headless", "--speed", "1", "--log-format", "logfmt")
	var errb syncWriter
	run.Stderr = &errb
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Process.Kill() })
	waitForLog(t, &errb, "session started")

	h := startPty(t, true, db, "history", "--db", db)
	h.waitScreen(t, "running")
	h.ptmx.Write([]byte("q"))
	if code := h.wait(t); code != 0 {
		t.Fatalf("neo history exit %d, want 0", code)
	}
	h.checkTerminalRestored(t)

	run.Process.Signal(syscall.SIGTERM)
	if code := waitExit(t, run, 4*time.Second); code != 0 {
		t.Fatalf("neo run exit %d, want 0", code)
	}
	checkClosedCleanly(t, db, "signal_terminate")
}
