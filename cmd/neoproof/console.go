package main

import (
	"bytes"
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

// console is neo running under a pseudo-terminal that we own.
type console struct {
	*proc
	ptmx, tty *os.File
	before    *term.State
	reading   chan struct{} // closed to stop reading the terminal
	drained   sync.WaitGroup
	stopOnce  sync.Once
	closeOnce sync.Once
}

// startConsole starts neo under a 160x48 pty, answering the terminal queries
// Bubble Tea makes at start and draining the output.
func startConsole(bin string, env []string, args ...string) (*console, error) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		return nil, fmt.Errorf("open a pseudo-terminal: %w", err)
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
	c := &console{ptmx: ptmx, tty: tty, before: before, reading: make(chan struct{})}
	c.proc = &proc{cmd: exec.Command(bin, args...), out: newBuffer(256 << 10), errb: newBuffer(0), done: make(chan struct{})}
	c.cmd.Env = append(os.Environ(), append([]string{"TERM=xterm-256color", "COLORTERM="}, env...)...)
	c.cmd.Stdin, c.cmd.Stdout, c.cmd.Stderr = tty, tty, tty
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := c.proc.start(); err != nil {
		ptmx.Close()
		tty.Close()
		return nil, err
	}
	c.drained.Add(1)
	go c.read()
	return c, nil
}

func (c *console) read() {
	defer c.drained.Done()
	buf := make([]byte, 32<<10)
	for {
		select {
		case <-c.reading:
			return
		default:
		}
		n, err := c.ptmx.Read(buf)
		chunk := buf[:n]
		c.out.Write(chunk)
		if bytes.Contains(chunk, []byte("\x1b]11;?")) {
			c.ptmx.Write([]byte("\x1b]11;rgb:0000/0000/0000\x1b\\"))
		}
		if bytes.Contains(chunk, []byte("\x1b[6n")) {
			c.ptmx.Write([]byte("\x1b[1;1R"))
		}
		if err != nil {
			return
		}
	}
}

// stopReading stops draining the terminal: its buffer fills up and the
// console's writes block, like a hung terminal emulator.
func (c *console) stopReading() { c.stopOnce.Do(func() { close(c.reading) }) }

// resumeReading drains the terminal again (after stopReading), keeping
// what the console wrote before it exited.
func (c *console) resumeReading() {
	c.drained.Wait()
	go io.Copy(c.out, c.ptmx)
}

// closeMaster closes the master side: the terminal is gone (SIGHUP to the
// session leader).
func (c *console) closeMaster() { c.closeOnce.Do(func() { c.ptmx.Close() }) }

// close releases everything (kills the process if still there).
func (c *console) close() {
	c.kill()
	c.stopReading()
	c.closeMaster()
	c.tty.Close()
}

// terminalRestored checks that the tty's modes are those before the run and
// that the alternate screen was left.
func (c *console) terminalRestored() error {
	after, err := term.GetState(int(c.tty.Fd()))
	if err != nil {
		return fmt.Errorf("read the terminal modes: %w", err)
	}
	if fmt.Sprintf("%+v", *c.before) != fmt.Sprintf("%+v", *after) {
		return fmt.Errorf("terminal modes not restored: before %+v after %+v", *c.before, *after)
	}
	time.Sleep(50 * time.Millisecond)
	out := c.out.String()
	enter := strings.LastIndex(out, "\x1b[?1049h")
	leave := strings.LastIndex(out, "\x1b[?1049l")
	if enter >= 0 && leave < enter {
		return fmt.Errorf("termios restored, but the alternate screen was entered (byte %d of the output) and never left: the terminal stays on the console's screen; output ends %q", enter, tail(out, 80))
	}
	return nil
}
