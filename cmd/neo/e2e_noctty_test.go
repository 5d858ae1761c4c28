//go:build !windows

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"

	"neo/cmd/internal/proofkit"
)

// startNoCtty starts neo with argv on a 160x48 pty that is NOT its
// controlling terminal (a new session without TIOCSCTTY, as under setsid,
// su -c or some supervisors): closing the terminal sends no SIGHUP, and the
// console only sees its terminal hung up. The pty's output is drained into
// the returned Proc's Out, answering Bubble Tea's start queries; the
// returned func closes the master (the terminal window closed).
func startNoCtty(tb testing.TB, argv ...string) (*proofkit.Proc, func()) {
	tb.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		tb.Skipf("no pseudo-terminal here: %v", err)
	}
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 48, Cols: 160}); err != nil {
		tb.Fatal(err)
	}
	ptmx = pollable(tb, ptmx)
	cmd := exec.Command(neoBin, argv...)
	cmd.Env = append(withoutEnv(cmd.Environ(), "TERM"), "TERM=xterm-256color")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // no Setctty
	p, err := proofkit.StartCmd(cmd)
	tty.Close() // the child has its own; only the master holds the pty now
	if err != nil {
		ptmx.Close()
		tb.Fatal(err)
	}
	tb.Cleanup(p.Kill)
	go func() {
		buf := make([]byte, 32<<10)
		for {
			n, err := ptmx.Read(buf)
			chunk := buf[:n]
			p.Out.Write(chunk)
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
	closed := false
	closeMaster := func() {
		if !closed {
			closed = true
			ptmx.Close()
		}
	}
	tb.Cleanup(closeMaster)
	return p, closeMaster
}

// pollable returns f as a non-blocking, pollable file and closes f. pty
// leaves its master in blocking mode, in which Close waits for a pending
// Read to return, that is for the console's next output: a console that
// has stopped drawing (neo history at rest) would never see its terminal
// closed.
func pollable(tb testing.TB, f *os.File) *os.File {
	tb.Helper()
	syscall.ForkLock.RLock() // no child may inherit the copy before it is close-on-exec
	fd, err := syscall.Dup(int(f.Fd()))
	if err == nil {
		syscall.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	f.Close()
	if err != nil {
		tb.Fatal(err)
	}
	if err := syscall.SetNonblock(fd, true); err != nil {
		syscall.Close(fd)
		tb.Fatal(err)
	}
	return os.NewFile(uintptr(fd), "/dev/ptmx")
}

// Closing the terminal of a console that has no controlling terminal
// (setsid, su -c) ends it through the same path as SIGHUP: no signal comes,
// the terminal is only hung up (reads see EOF, which Bubble Tea swallows,
// and writes and ioctls fail with EIO).
func TestConsoleWithoutControllingTerminalEndsWhenClosed(t *testing.T) {
	t.Run("run", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "neo.db")
		p, closeMaster := startNoCtty(t, "run", "--db", db, "--speed", "1")
		if _, err := p.Out.WaitFor("XRP", 30*time.Second, p.Done); err != nil {
			t.Fatalf("%v; output tail:\n%q", err, tail(p.Out.String(), 3000))
		}
		time.Sleep(500 * time.Millisecond) // a moment of live quoting
		closeMaster()
		// The contract's bound (shutdown_timeout plus a second) and the
		// watch's period.
		if code := waitExit(t, p, 3*time.Second+time.Second+terminalPollInterval); code != 0 {
			t.Fatalf("exit %d, want 0", code)
		}
		checkClosedCleanly(t, db, "signal_hangup")
	})
	t.Run("history", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "neo.db")
		if code, _, stderr := runNeo(t, nil, "run", "--db", db, "--headless", "--duration", "1s", "--speed", "0"); code != 0 {
			t.Fatalf("seeding run: exit %d: %s", code, stderr)
		}
		p, closeMaster := startNoCtty(t, "history", "--db", db)
		if _, err := p.Out.WaitFor("sessions", 30*time.Second, p.Done); err != nil {
			t.Fatalf("%v; output tail:\n%q", err, tail(p.Out.String(), 3000))
		}
		closeMaster()
		if code := waitExit(t, p, 3*time.Second+time.Second+terminalPollInterval); code != 0 {
			t.Fatalf("exit %d, want 0", code)
		}
	})
}
