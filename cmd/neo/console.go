package main

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/log"
	"github.com/muesli/termenv"
	"golang.org/x/term"

	"neo/engine"
	"neo/store"
	"neo/tui"
)

// consoleQuitGrace is how long the console may take to leave the screen
// after it was told to quit before it is killed: a terminal that stopped
// reading must not hold the process.
const consoleQuitGrace = 700 * time.Millisecond

// consoleUI is the Bubble Tea program on the terminal, as the supervisor
// drives it. The app owns the signals (tea.WithoutSignalHandler): the
// console never runs the shutdown and the shutdown never waits on it.
type consoleUI struct {
	p       *tea.Program
	logger  *log.Logger   // nil: say nothing
	restore func()        // puts back the terminal modes found at start (nil: not a terminal)
	gone    func() error  // an error once that terminal went away with no SIGHUP (nil: not watched; hangupProbe)
	exited  chan struct{} // closed when the program has returned
	err     error         // the program's error; set before exited is closed
	// abandoned is closed when even a kill did not end the program (its
	// terminal takes no writes): run returns without it.
	abandoned chan struct{}
}

// newConsole makes the console for opts on the Main's terminal, saving the
// terminal's modes so that they can be put back whatever happens.
func (m *Main) newConsole(opts tui.Options, logger *log.Logger) *consoleUI {
	in, _ := m.Stdin.(*os.File)
	out, _ := m.Stdout.(*os.File)
	c := &consoleUI{logger: logger, exited: make(chan struct{}), abandoned: make(chan struct{})}
	if in != nil {
		fd := int(in.Fd())
		if saved, err := term.GetState(fd); err == nil {
			c.gone = hangupProbe(fd)
			c.restore = func() {
				_ = term.Restore(fd, saved)
				select {
				case <-c.exited: // Bubble Tea left the screen itself
				default:
					if out != nil {
						leaveScreen(out) // the backstop: it never will
					}
				}
			}
		}
	}
	if out != nil && (opts.Theme == tui.ThemeAuto || opts.Theme == "") && opts.DarkBackground == nil {
		opts.DarkBackground = m.darkBackground(out)
	}
	c.p = tea.NewProgram(tui.New(opts),
		tea.WithAltScreen(),
		tea.WithoutSignalHandler(),
		tea.WithInput(in),
		tea.WithOutput(out),
	)
	return c
}

// leaveScreenSeq leaves the alternate screen and shows the cursor: what
// Bubble Tea writes when it ends normally.
const leaveScreenSeq = "\x1b[?1049l\x1b[?25h"

// leaveScreen writes leaveScreenSeq for a console that could not end
// normally (the backstop), so that the terminal shows the shell again.
// The write is bounded: a terminal that stopped reading must not hold the
// exit.
func leaveScreen(out io.Writer) {
	done := make(chan struct{})
	go func() {
		io.WriteString(out, leaveScreenSeq)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(sayTimeout):
	}
}

// darkBackground answers the auto theme under tmux or screen, before the
// program takes the terminal. Elsewhere it returns nil: the console uses
// the answer lipgloss got when it asked the terminal at start (bubbletea's
// init), or COLORFGBG. termenv never asks tmux or screen, as they may be
// shown on several terminals at once; tmux 3.3 and later answer the query
// with the pane's background, and older ones answer only the cursor report
// termenv sends after it, so the query ends at once either way.
func (m *Main) darkBackground(out *os.File) func() bool {
	t := m.Getenv("TERM")
	if !strings.HasPrefix(t, "tmux") && !strings.HasPrefix(t, "screen") {
		return nil
	}
	dark := termenv.NewOutput(out, termenv.WithEnvironment(queryEnv{m.Getenv})).HasDarkBackground()
	return func() bool { return dark }
}

// queryEnv is the Main's environment with TERM said to be xterm, so that
// termenv sends its background query through tmux or screen.
type queryEnv struct{ getenv func(string) string }

// Environ is termenv.Environ's list; termenv only needs Getenv here.
func (queryEnv) Environ() []string { return nil }

// Getenv is the Main's, but for TERM.
func (e queryEnv) Getenv(k string) string {
	if k == "TERM" {
		return "xterm-256color"
	}
	return e.getenv(k)
}

// run runs the console until it quits, is killed, its terminal fails or
// it is abandoned. Call it once.
func (c *consoleUI) run() error {
	go func() {
		_, c.err = c.p.Run()
		close(c.exited)
	}()
	select {
	case <-c.exited:
		return c.err
	case <-c.abandoned:
		return tea.ErrProgramKilled
	}
}

// leave waits up to consoleQuitGrace for the console to quit by itself
// (after an ending the operator asked for, it does), then tells it to.
func (c *consoleUI) leave() {
	select {
	case <-c.exited:
	case <-time.After(consoleQuitGrace):
		c.quit()
	}
}

// quit tells the console to leave and waits for it, killing it if the
// terminal does not take its last frames.
func (c *consoleUI) quit() {
	go c.p.Quit() // Quit blocks while the event loop is stuck on the terminal
	select {
	case <-c.exited:
		return
	case <-time.After(consoleQuitGrace):
	}
	if c.logger != nil {
		c.logger.Warn("console did not leave the screen in time; killing it")
	}
	c.p.Kill()
	select {
	case <-c.exited:
	case <-time.After(consoleQuitGrace):
		close(c.abandoned) // quit runs once per console
	}
}

// sessionConsole makes the console of a running session. The history view
// reads through its own read-only handle, since the session's database is
// closed by the shutdown path while the console may stay open on the final
// state; the returned func closes that handle.
func (m *Main) sessionConsole(eng *engine.Engine, dbPath string, cfg engine.Config, logger *log.Logger) (*consoleUI, func()) {
	var hist engine.History
	closeHist := func() {}
	if h, err := store.Open(context.Background(), store.Options{Path: dbPath, ReadOnly: true, Logger: logger}); err != nil {
		logger.Warn("the history view is unavailable", "err", err)
	} else {
		hist = h
		closeHist = func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			_ = h.Close(ctx)
		}
	}
	c := m.newConsole(tui.Options{
		Controller: eng,
		History:    hist,
		Theme:      cfg.Console.Theme,
		NoColor:    m.Getenv("NO_COLOR") != "",
		ExportDir:  filepath.Dir(dbPath),
	}, logger)
	return c, closeHist
}

// consoleEndReason is the halt reason when the console ends before the
// session: a hangup when the terminal went away (its input failed), the
// operator's quit when it left by itself, else an engine error (the console
// broke).
func consoleEndReason(uiErr error) engine.HaltReason {
	switch {
	case uiErr == nil:
		return engine.HaltOperatorQuit
	case errors.Is(uiErr, syscall.EIO), errors.Is(uiErr, io.EOF), errors.Is(uiErr, os.ErrClosed), errors.Is(uiErr, tea.ErrProgramKilled):
		return engine.HaltSignalHangup
	}
	return engine.HaltEngineError
}
