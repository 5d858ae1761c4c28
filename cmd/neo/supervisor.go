package main

// The shutdown supervisor: the one owner of everything that ends a command.
//
// The shutdown sequence itself (stop quoting, cancel orders, final snapshot,
// session row, flush, checkpoint and close) is engine/shutdown.go, entered
// through Engine.RequestClose / Engine.Close. This file owns what triggers
// it and what waits on it: the signals (the only signal.Notify for them in
// cmd/neo), the console's end, a console terminal gone without a SIGHUP,
// the engine's own halts and feed end, the backstop deadline, and the
// release of the terminal. It is shaped as
// oklog/run's Group: each trigger is an actor; the first to finish
// interrupts the others with its cause.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/log"

	"neo/engine"
)

// hardExitMargin is how long past shutdown_timeout the process waits for the
// shutdown path before it exits anyway (the backstop).
const hardExitMargin = 700 * time.Millisecond

// terminalPollInterval is how often a console's terminal is checked for a
// hangup that came with no SIGHUP (terminalActor).
const terminalPollInterval = 500 * time.Millisecond

// supervisor owns one command's shutdown triggers and the terminal's
// release. Make it with Main.newSupervisor as early as possible (signals
// are the app's from that instant) and stop it when the command returns.
type supervisor struct {
	m       *Main
	sigs    chan os.Signal
	logger  *log.Logger   // nil: the command logs nothing
	timeout time.Duration // shutdown_timeout: the backstop's budget

	mu      sync.Mutex
	release func() // puts the terminal back; set while a console has it
}

// newSupervisor routes the shutdown signals to a new supervisor: this is
// the one place in cmd/neo that calls signal.Notify for them.
func (m *Main) newSupervisor() *supervisor {
	s := &supervisor{m: m, sigs: make(chan os.Signal, 8)}
	signal.Notify(s.sigs, shutdownSignals()...)
	return s
}

// stop gives the signals back to the runtime's defaults.
func (s *supervisor) stop() { signal.Stop(s.sigs) }

// signalReason maps a shutdown signal to its halt reason.
func signalReason(sig os.Signal) engine.HaltReason {
	switch sig {
	case os.Interrupt:
		return engine.HaltSignalInterrupt
	case syscall.SIGHUP:
		return engine.HaltSignalHangup
	case syscall.SIGQUIT:
		return engine.HaltSignalQuit
	}
	return engine.HaltSignalTerminate
}

// setRelease registers how to put the terminal back (nil: nothing to do).
func (s *supervisor) setRelease(f func()) {
	s.mu.Lock()
	s.release = f
	s.mu.Unlock()
}

// releaseTerminal puts the terminal back if a console has it. Safe to call
// more than once and from any goroutine, in every mode.
func (s *supervisor) releaseTerminal() {
	s.mu.Lock()
	f := s.release
	s.release = nil
	s.mu.Unlock()
	if f != nil {
		f()
	}
}

func (s *supervisor) info(msg string, kv ...any) {
	if s.logger != nil {
		s.logger.Info(msg, kv...)
	}
}

// ---- the group ----

// actor is one trigger of the shutdown path, in oklog/run's shape: run
// blocks until the actor ends and says why; interrupt tells it that the
// group is ending, with the cause of the actor that ended first. Interrupts
// run concurrently and may block until their actor can end.
type actor struct {
	run       func() error
	interrupt func(cause error)
}

// runGroup runs the actors until the first returns, interrupts every actor
// with its cause, waits for all of them and returns that cause.
func runGroup(actors ...actor) error {
	ended := make(chan error, len(actors))
	for _, a := range actors {
		go func() { ended <- a.run() }()
	}
	cause := <-ended
	for _, a := range actors {
		go a.interrupt(cause)
	}
	for range len(actors) - 1 {
		<-ended
	}
	return cause
}

// signalCause is the cause when a shutdown signal ended the group.
type signalCause struct{ sig os.Signal }

func (c signalCause) Error() string { return "received " + c.sig.String() }

// consoleCause is the cause when the console ended first.
type consoleCause struct{ err error }

func (c consoleCause) Error() string { return fmt.Sprintf("the console ended (%v)", c.err) }

// hangupCause is the cause when the console's terminal went away without a
// SIGHUP (it was not the process's controlling terminal): the same ending
// as a SIGHUP.
type hangupCause struct{ err error }

func (c hangupCause) Error() string { return fmt.Sprintf("the terminal went away (%v)", c.err) }

// errEngineEnded is the cause when the session ended by itself (a halt,
// the feed's end, --duration, an engine error) or as asked.
var errEngineEnded = errors.New("the session ended")

// closeReason is the halt reason a cause asks the engine for ("" when the
// engine ended by itself).
func closeReason(cause error) engine.HaltReason {
	var sc signalCause
	var cc consoleCause
	var hc hangupCause
	switch {
	case errors.As(cause, &sc):
		return signalReason(sc.sig)
	case errors.As(cause, &hc):
		return engine.HaltSignalHangup
	case errors.As(cause, &cc):
		return consoleEndReason(cc.err)
	}
	return ""
}

// signalActor ends at the first shutdown signal. Later signals are taken
// and ignored: the first reason wins, and none may kill a shutdown.
func (s *supervisor) signalActor() actor {
	done := make(chan struct{})
	return actor{
		run: func() error {
			select {
			case sig := <-s.sigs:
				s.info("signal received", "signal", sig.String())
				return signalCause{sig}
			case <-done:
				return nil
			}
		},
		interrupt: func(error) { close(done) },
	}
}

// terminalActor ends when the console's terminal has gone away without a
// SIGHUP: when it is not the process's controlling terminal (setsid,
// su -c, some supervisors), closing the window only hangs it up, its reads
// see EOF, which Bubble Tea takes silently for the end of its input, and
// the console would run on. It checks the terminal every
// terminalPollInterval (consoleActors adds it only when there is one to
// watch: not on Windows, nor when stdin was not a terminal).
func (s *supervisor) terminalActor(c *consoleUI) actor {
	done := make(chan struct{})
	return actor{
		run: func() error {
			t := time.NewTicker(terminalPollInterval)
			defer t.Stop()
			for {
				select {
				case <-done:
					return nil
				case <-t.C:
					if err := c.gone(); err != nil {
						s.info("the terminal went away", "err", err)
						return hangupCause{err}
					}
				}
			}
		},
		interrupt: func(error) { close(done) },
	}
}

// engineActor ends when the session has ended, except that with a console
// an ending the operator did not ask for (a risk halt, the feed's end)
// leaves the console on the final state until it is interrupted. Its
// interrupt asks the engine for the shutdown with the cause's reason.
func engineActor(eng *engine.Engine, console bool) actor {
	done := make(chan struct{})
	return actor{
		run: func() error {
			<-eng.Done()
			if console && !eng.Result().Reason.OperatorAsked() {
				<-done
			}
			return errEngineEnded
		},
		interrupt: func(cause error) {
			if r := closeReason(cause); r != "" {
				eng.RequestClose(r) // the first reason wins; after the end, a no-op
			}
			close(done)
		},
	}
}

// backstopActor exits the process when a shutdown overruns
// shutdown_timeout + hardExitMargin: a hung disk must not keep the process
// (and the instance lock) alive. It never ends the group itself: it stays
// armed until the shutdown is done.
func (s *supervisor) backstopActor(eng *engine.Engine) actor {
	done := make(chan struct{})
	return actor{
		run: func() error {
			<-eng.Stopping() // closed before Done, by every ending
			t := time.NewTimer(s.timeout + hardExitMargin)
			defer t.Stop()
			select {
			case <-eng.Done():
			case <-t.C:
				s.expire(eng.SessionID(), eng.CurrentStep())
			}
			<-done
			return nil
		},
		interrupt: func(error) { close(done) },
	}
}

// consoleActor runs the console; the terminal is released as soon as it
// ends. Interrupted, it lets the console show the shutdown to its end and
// leave by itself when the ending takes it down, else tells it to quit.
func (s *supervisor) consoleActor(c *consoleUI, eng *engine.Engine) actor {
	return actor{
		run: func() error {
			s.setRelease(c.restore)
			err := c.run()
			s.releaseTerminal()
			return consoleCause{err}
		},
		interrupt: func(cause error) {
			var cc consoleCause
			if errors.As(cause, &cc) {
				return
			}
			if eng != nil {
				<-eng.Done() // a hung shutdown is the backstop's
				if eng.Result().Reason.OperatorAsked() {
					c.leave()
					return
				}
			}
			c.quit()
		},
	}
}

// expire is the backstop's end: put the terminal back, say what hung and
// exit 1. The next start recovers the session.
func (s *supervisor) expire(sessionID, step string) {
	if s.logger != nil {
		s.logger.Error("shutdown did not finish in time: exiting without completing it",
			"session", sessionID, "stuck_step", step, "timeout", s.timeout)
	}
	s.releaseTerminal()
	s.m.say("neo: shutdown did not finish within %s (stuck in step %q); exiting. The next start recovers the session.\n",
		s.timeout+hardExitMargin, step)
	s.m.exit(exitRuntime)
}

// ---- the commands ----

// start runs a session's start under the supervisor: the first signal
// cancels ctx (before the session row is written, nothing is recorded;
// after, the engine is returned and already asked to close with the
// signal's reason). It returns the engine (nil if none started), the signal
// that arrived during the start (nil if none) and the start's error. If the
// start outlives a signal by the backstop's budget, the process exits.
func (s *supervisor) start(ctx context.Context, fn func(context.Context) (*engine.Engine, error)) (*engine.Engine, os.Signal, error) {
	startCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	type started struct {
		eng *engine.Engine
		err error
	}
	res := make(chan started, 1)
	go func() {
		eng, err := fn(startCtx)
		res <- started{eng, err}
	}()
	var sig os.Signal
	var deadline <-chan time.Time
	for {
		select {
		case r := <-res:
			if sig != nil && r.eng != nil {
				r.eng.RequestClose(signalReason(sig))
			}
			return r.eng, sig, r.err
		case got := <-s.sigs:
			if sig == nil {
				sig = got
				s.info("signal received during the start: cancelling it", "signal", got.String())
				cancel()
				t := time.NewTimer(s.timeout + hardExitMargin)
				defer t.Stop()
				deadline = t.C
			}
		case <-deadline:
			s.expire("", "start")
		}
	}
}

// consoleActors are the console's triggers: its end, and its terminal
// going away without a SIGHUP when there is a terminal to watch.
func (s *supervisor) consoleActors(c *consoleUI, eng *engine.Engine) []actor {
	actors := []actor{s.consoleActor(c, eng)}
	if c.gone != nil {
		actors = append(actors, s.terminalActor(c))
	}
	return actors
}

// runSession supervises a started session until it has ended and, with a
// console, the console has left the screen; it returns the engine's result.
func (s *supervisor) runSession(eng *engine.Engine, c *consoleUI) engine.Result {
	actors := []actor{s.signalActor(), engineActor(eng, c != nil), s.backstopActor(eng)}
	if c != nil {
		actors = append(actors, s.consoleActors(c, eng)...)
	}
	cause := runGroup(actors...)
	var cc consoleCause
	if errors.As(cause, &cc) && cc.err != nil && !errors.Is(cc.err, tea.ErrProgramKilled) && s.logger != nil {
		s.logger.Error("console stopped", "err", cc.err, "halt_reason", closeReason(cause))
	}
	s.releaseTerminal()
	return eng.Result()
}

// runConsole supervises a console with no session (neo history): a signal
// or its terminal going away quits it; it returns the console's error.
func (s *supervisor) runConsole(c *consoleUI) error {
	cause := runGroup(append([]actor{s.signalActor()}, s.consoleActors(c, nil)...)...)
	s.releaseTerminal()
	var cc consoleCause
	if errors.As(cause, &cc) {
		return cc.err
	}
	return nil // a signal or a hangup quit it
}

// interruptible returns ctx cancelled by the first shutdown signal, for the
// commands without an engine that write files (backup, restore): the store
// removes what it was writing when its ctx ends. done ends the watch and
// returns the signal that cancelled ctx (nil if none came); call it once
// the work has returned.
func (s *supervisor) interruptible(ctx context.Context) (_ context.Context, done func() os.Signal) {
	ctx, cancel := context.WithCancel(ctx)
	got := make(chan os.Signal, 1)
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		select {
		case sig := <-s.sigs:
			s.info("signal received: cancelling", "signal", sig.String())
			got <- sig
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, func() os.Signal {
		cancel()
		<-watched
		select {
		case sig := <-got:
			return sig
		default:
			return nil
		}
	}
}
