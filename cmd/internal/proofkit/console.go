//go:build !windows

package proofkit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/creack/pty"
	"golang.org/x/term"
)

// ConsoleOutputLimit is how much of the terminal's output a Console keeps
// (the tail): a console redraws its screen many times a second.
const ConsoleOutputLimit = 256 << 10

// ErrNoPTY says the machine gave no pseudo-terminal (a test skips on it).
var ErrNoPTY = errors.New("no pseudo-terminal here")

// Console is a process running under a pseudo-terminal that we own, 160
// columns by 48 rows; Out is everything it drew.
type Console struct {
	*Proc
	PTY, TTY  *os.File // the master (our side) and the child's terminal
	before    *term.State
	reading   chan struct{} // closed to stop reading the terminal
	drained   sync.WaitGroup
	stopOnce  sync.Once
	closeOnce sync.Once
}

// StartConsole starts bin with args under a 160x48 pseudo-terminal as the
// leader of a new session (so that closing the terminal hangs it up), with
// TERM=xterm-256color and env added to our environment. It drains the
// output into Out and answers the terminal queries Bubble Tea makes at
// start, as a real terminal does.
func StartConsole(bin string, env []string, args ...string) (*Console, error) {
	return StartConsoleKeep(ConsoleOutputLimit, bin, env, args...)
}

// StartConsoleKeep is StartConsole keeping about the last keep bytes of the
// output (0 = all, for a short run whose first bytes a check reads).
func StartConsoleKeep(keep int, bin string, env []string, args ...string) (*Console, error) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoPTY, err)
	}
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 48, Cols: 160}); err != nil {
		ptmx.Close()
		tty.Close()
		return nil, err
	}
	before, err := term.GetState(int(tty.Fd()))
	if err != nil {
		ptmx.Close()
		tty.Close()
		return nil, err
	}
	c := &Console{PTY: ptmx, TTY: tty, before: before, reading: make(chan struct{})}
	c.Proc = &Proc{Cmd: exec.Command(bin, args...), Out: NewBuffer(keep), ErrOut: NewBuffer(0), Done: make(chan struct{})}
	c.Cmd.Env = append(os.Environ(), append([]string{"TERM=xterm-256color"}, env...)...)
	c.Cmd.Stdin, c.Cmd.Stdout, c.Cmd.Stderr = tty, tty, tty
	c.Cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := c.Proc.start(); err != nil {
		ptmx.Close()
		tty.Close()
		return nil, err
	}
	c.drained.Add(1)
	go c.read()
	return c, nil
}

func (c *Console) read() {
	defer c.drained.Done()
	buf := make([]byte, 32<<10)
	for {
		select {
		case <-c.reading:
			return
		default:
		}
		n, err := c.PTY.Read(buf)
		chunk := buf[:n]
		c.Out.Write(chunk)
		if q := answer(chunk); q != "" {
			c.PTY.Write([]byte(q))
		}
		if err != nil {
			return
		}
	}
}

// answer is what a terminal replies to the queries in chunk: the
// background colour (OSC 11) and the cursor position (DSR 6).
func answer(chunk []byte) string {
	var a string
	if bytes.Contains(chunk, []byte("\x1b]11;?")) {
		a += "\x1b]11;rgb:0000/0000/0000\x1b\\"
	}
	if bytes.Contains(chunk, []byte("\x1b[6n")) {
		a += "\x1b[1;1R"
	}
	return a
}

// Keys types s on the terminal. Bubble Tea reads runes that arrive together
// as one key: send one key per call and wait for its answer in between.
func (c *Console) Keys(s string) error {
	_, err := c.PTY.Write([]byte(s))
	return err
}

// WaitScreen waits until the screen's text (ANSI stripped) after mark (a
// c.Out.Total() taken earlier, 0 for all) holds s, or the process ends, or
// timeout passes.
func (c *Console) WaitScreen(mark int64, s string, timeout time.Duration) error {
	_, err := c.Out.WaitText(mark, s, timeout, c.Done)
	return err
}

// StopReading stops draining the terminal: its buffer fills up and the
// console's writes block, like a hung terminal emulator.
func (c *Console) StopReading() { c.stopOnce.Do(func() { close(c.reading) }) }

// ResumeReading drains the terminal again (after StopReading) into Out.
func (c *Console) ResumeReading() {
	c.drained.Wait()
	go io.Copy(c.Out, c.PTY)
}

// CloseMaster closes our side: the terminal is gone (SIGHUP to the session
// leader).
func (c *Console) CloseMaster() { c.closeOnce.Do(func() { c.PTY.Close() }) }

// Close releases everything (kills the process if it is still there).
func (c *Console) Close() {
	c.Kill()
	c.StopReading()
	c.CloseMaster()
	c.TTY.Close()
}

// TermiosRestored checks that the terminal's modes are those it had before
// the run.
func (c *Console) TermiosRestored() error {
	after, err := term.GetState(int(c.TTY.Fd()))
	if err != nil {
		return fmt.Errorf("read the terminal modes: %w", err)
	}
	// term.State wraps the platform's termios, whose fields are all
	// comparable values.
	if fmt.Sprintf("%+v", *c.before) != fmt.Sprintf("%+v", *after) {
		return fmt.Errorf("terminal modes not restored: before %+v after %+v", *c.before, *after)
	}
	return nil
}

// EnteredAltScreen reports whether the output switched to the alternate
// screen at least once.
func (c *Console) EnteredAltScreen() bool {
	return strings.Contains(c.Out.String(), "\x1b[?1049h")
}

// TerminalRestored checks the terminal's modes, then waits up to within
// for the last alternate-screen switch in the output to be a leave (the
// drain may lag the exit): a console that entered it and never left leaves
// the user's terminal on its screen.
func (c *Console) TerminalRestored(within time.Duration) error {
	if err := c.TermiosRestored(); err != nil {
		return err
	}
	deadline := time.NewTimer(within)
	defer deadline.Stop()
	for {
		out, ch := c.Out.snapshot(0, false)
		enter, ok := altScreenLeft(out)
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-deadline.C:
			return fmt.Errorf("termios restored, but the alternate screen was entered (byte %d of the output) and never left: the terminal stays on the console's screen; output ends %q", enter, Tail(out, 80))
		}
	}
}

// altScreenLeft reports whether out leaves the alternate screen after its
// last entry (or never enters it), and where that entry is.
func altScreenLeft(out string) (enter int, ok bool) {
	enter = strings.LastIndex(out, "\x1b[?1049h")
	leave := strings.LastIndex(out, "\x1b[?1049l")
	return enter, enter < 0 || leave > enter
}
