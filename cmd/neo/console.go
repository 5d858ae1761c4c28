package main

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/log"
	"golang.org/x/term"

	"neo/engine"
	"neo/store"
	"neo/tui"
)

// consoleQuitGrace is how long the console may take to leave the screen
// after it was told to quit before it is killed: a terminal that stopped
// reading must not hold the process.
const consoleQuitGrace = 700 * time.Millisecond

// runConsole runs the session under the Bubble Tea console. The app owns the
// signals (tea.WithoutSignalHandler); the console asks the engine to close,
// and the shutdown never waits on the renderer.
func (m *Main) runConsole(eng *engine.Engine, sigs <-chan os.Signal, dbPath string, cfg engine.Config, logger *log.Logger) engine.Result {
	in, _ := m.Stdin.(*os.File)
	out, _ := m.Stdout.(*os.File)
	if in != nil {
		if saved, err := term.GetState(int(in.Fd())); err == nil {
			fd := int(in.Fd())
			m.releaseTerminal = func() { _ = term.Restore(fd, saved) }
		}
	}

	// The history view reads through its own read-only handle: the
	// session's database is closed by the shutdown path while the console
	// may stay open on the final state.
	var hist engine.History
	if h, err := store.Open(context.Background(), store.Options{Path: dbPath, ReadOnly: true, Logger: logger}); err != nil {
		logger.Warn("the history view is unavailable", "err", err)
	} else {
		hist = h
		defer func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			_ = h.Close(ctx)
		}()
	}
	p := tea.NewProgram(tui.New(tui.Options{
		Controller: eng,
		History:    hist,
		Theme:      cfg.Console.Theme,
		NoColor:    m.Getenv("NO_COLOR") != "",
		ExportDir:  filepath.Dir(dbPath),
	}),
		tea.WithAltScreen(),
		tea.WithoutSignalHandler(),
		tea.WithInput(in),
		tea.WithOutput(out),
	)
	uiDone := make(chan error, 1)
	go func() {
		_, err := p.Run()
		uiDone <- err
	}()
	// quit tells the console to leave and waits for it, killing it if the
	// terminal does not take its last frames.
	quit := func() error {
		go p.Quit() // Quit blocks while the event loop is stuck on the terminal
		select {
		case err := <-uiDone:
			return err
		case <-time.After(consoleQuitGrace):
		}
		logger.Warn("console did not leave the screen in time; killing it")
		p.Kill()
		select {
		case err := <-uiDone:
			return err
		case <-time.After(consoleQuitGrace):
			return tea.ErrProgramKilled
		}
	}

	var uiErr error
	uiRunning := true
	for uiRunning {
		select {
		case s := <-sigs:
			logger.Info("signal received", "signal", s.String())
			eng.RequestClose(signalReason(s))
		case uiErr = <-uiDone:
			uiRunning = false
		case <-eng.Done():
			if !keepConsoleOpen(eng.Result().Reason) {
				// Operator and signal endings quit the console by
				// themselves; bound the wait in case it cannot draw.
				select {
				case uiErr = <-uiDone:
				case <-time.After(consoleQuitGrace):
					uiErr = quit()
				}
				uiRunning = false
				break
			}
			// A halt the operator did not ask for: the console stays on
			// the final state until q, or a signal.
			select {
			case uiErr = <-uiDone:
			case <-sigs:
				uiErr = quit()
			}
			uiRunning = false
		}
	}
	if m.releaseTerminal != nil {
		m.releaseTerminal()
	}
	select {
	case <-eng.Done():
	default:
		// The console ended before the session did.
		reason := consoleEndReason(uiErr, sigs)
		if uiErr != nil && !errors.Is(uiErr, tea.ErrProgramKilled) {
			logger.Error("console stopped", "err", uiErr, "halt_reason", reason)
		}
		eng.RequestClose(reason)
		<-eng.Done()
	}
	return eng.Result()
}

// consoleEndReason is the halt reason when the console ends before the
// session: a signal that is already on its way, a hangup when the terminal
// went away (its input failed), else an engine error (the console broke).
func consoleEndReason(uiErr error, sigs <-chan os.Signal) engine.HaltReason {
	select {
	case s := <-sigs:
		return signalReason(s)
	case <-time.After(100 * time.Millisecond):
	}
	switch {
	case uiErr == nil:
		return engine.HaltOperatorQuit
	case errors.Is(uiErr, syscall.EIO), errors.Is(uiErr, io.EOF), errors.Is(uiErr, os.ErrClosed), errors.Is(uiErr, tea.ErrProgramKilled):
		return engine.HaltSignalHangup
	}
	return engine.HaltEngineError
}

// keepConsoleOpen reports whether the console stays on the final state after
// the session ended for reason (risk halts and other endings the operator
// did not ask for), rather than quitting.
func keepConsoleOpen(reason engine.HaltReason) bool {
	switch reason {
	case engine.HaltOperatorQuit, engine.HaltSignalInterrupt, engine.HaltSignalTerminate, engine.HaltSignalHangup:
		return false
	}
	return true
}
