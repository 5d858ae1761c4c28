package main

import (
	"errors"
	"os"
	"path/filepath"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/log"
	"golang.org/x/term"

	"neo/engine"
	"neo/tui"
)

// consoleQuitGrace is how long the console may take to leave the screen
// after the session has closed before it is killed: a terminal that stopped
// reading must not hold the process.
const consoleQuitGrace = 700 * time.Millisecond

// runConsole runs the session under the Bubble Tea console. The app owns the
// signals (tea.WithoutSignalHandler); the console asks the engine to close,
// and never waits on the renderer for the shutdown.
func (m *Main) runConsole(eng *engine.Engine, hist engine.History, sigs <-chan os.Signal, dbPath string, cfg engine.Config, logger *log.Logger) (engine.Result, error) {
	in, _ := m.Stdin.(*os.File)
	out, _ := m.Stdout.(*os.File)
	var saved *term.State
	if in != nil {
		saved, _ = term.GetState(int(in.Fd()))
	}
	model := tui.New(tui.Options{
		Controller: eng,
		History:    hist,
		Theme:      cfg.Console.Theme,
		NoColor:    m.Getenv("NO_COLOR") != "",
		ExportDir:  filepath.Dir(dbPath),
	})
	p := tea.NewProgram(model,
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

	var uiErr error
	uiRunning := true
	for uiRunning {
		select {
		case s := <-sigs:
			logger.Info("signal received", "signal", s.String())
			eng.RequestClose(signalReason(s))
		case err := <-uiDone:
			uiRunning = false
			uiErr = err
		case <-eng.Done():
			// Operator and signal endings quit the console by themselves;
			// a risk halt keeps it open until q. If a quitting console
			// cannot draw (terminal gone or not reading), stop waiting.
			if r := eng.Result(); !keepConsoleOpen(r.Reason) {
				select {
				case uiErr = <-uiDone:
				case <-time.After(consoleQuitGrace):
					logger.Warn("console did not leave the screen in time; killing it")
					p.Kill()
					select {
					case uiErr = <-uiDone:
					case <-time.After(consoleQuitGrace):
					}
				}
				uiRunning = false
			} else {
				// Keep serving signals until the operator quits.
				for uiRunning {
					select {
					case <-sigs:
						p.Quit()
					case uiErr = <-uiDone:
						uiRunning = false
					}
				}
			}
		}
	}
	if saved != nil {
		_ = term.Restore(int(in.Fd()), saved)
	}
	select {
	case <-eng.Done():
	default:
		// The console ended before the session: the terminal went away
		// (its input failed) or the console broke. A hangup is the closest
		// reason; a signal that is already queued takes precedence.
		reason := engine.HaltSignalHangup
		select {
		case s := <-sigs:
			reason = signalReason(s)
		case <-time.After(100 * time.Millisecond):
		}
		if uiErr != nil && !errors.Is(uiErr, tea.ErrProgramKilled) {
			logger.Error("console stopped", "err", uiErr)
		}
		eng.RequestClose(reason)
		<-eng.Done()
	}
	return eng.Result(), nil
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
