package tui

import (
	"io"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"neo/engine"
)

// probeMsg follows, in order, everything the console's command for after
// produced.
type probeMsg struct{ after tea.Msg }

// probed wraps the console. After the console handled a message that when
// selects, it runs the console's command and then a probe in sequence
// (tea.Sequence delivers every message of the first command, batches
// included, before it runs the next). So when the probe reaches Update, the
// console has handled that message and everything its command asked for; a
// console that quit meanwhile never sees the probe, as the program stops at
// the tea.QuitMsg. This replaces a fixed sleep, which a loaded machine can
// make too short for a wrong quit to show.
type probed struct {
	tea.Model
	when   func(tea.Msg) bool
	probes chan tea.Msg
}

func (p probed) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if pm, ok := msg.(probeMsg); ok {
		p.probes <- pm.after
		return p, nil
	}
	m, cmd := p.Model.Update(msg)
	p.Model = m
	if p.when != nil && p.when(msg) {
		return p, tea.Sequence(cmd, func() tea.Msg { return probeMsg{after: msg} })
	}
	return p, cmd
}

// MustRunProgram runs the console in a real Bubble Tea program with the
// background waits on. It returns a channel that yields Run's result and
// one that yields a probe after each message when selects (nil: none).
func MustRunProgram(tb testing.TB, opts Options, when func(tea.Msg) bool) (*tea.Program, <-chan error, <-chan tea.Msg) {
	tb.Helper()
	if opts.Now == nil {
		opts.Now = fixedNow
	}
	probes := make(chan tea.Msg, 16)
	p := tea.NewProgram(probed{Model: New(opts), when: when, probes: probes},
		tea.WithInput(nil), tea.WithOutput(io.Discard), tea.WithoutSignalHandler())
	done := make(chan error, 1)
	go func() {
		_, err := p.Run()
		done <- err
	}()
	p.Send(tea.WindowSizeMsg{Width: 80, Height: 24})
	return p, done, probes
}

// mustStayAfter waits for the probe that follows what; the console quitting
// first fails the test. The bound only keeps a broken test from hanging.
func mustStayAfter(tb testing.TB, what string, probes <-chan tea.Msg, done <-chan error) {
	tb.Helper()
	select {
	case <-probes:
	case err := <-done:
		tb.Fatalf("the console quit after %s (err=%v); it must stay", what, err)
	case <-time.After(20 * time.Second):
		tb.Fatalf("gave up waiting for the console to handle %s", what)
	}
}

// mustQuit waits for the console to quit; the bound only keeps a broken
// test from hanging.
func mustQuit(tb testing.TB, what string, done <-chan error) {
	tb.Helper()
	select {
	case err := <-done:
		if err != nil {
			tb.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		tb.Fatalf("the console did not quit after %s", what)
	}
}

func isKey(k string) func(tea.Msg) bool {
	return func(msg tea.Msg) bool {
		km, ok := msg.(tea.KeyMsg)
		return ok && km.String() == k
	}
}

func TestProgramQuitFlow(t *testing.T) {
	s := fakeState()
	s.Config.Console.RefreshRate = engine.D(0)
	ctrl := newFakeController(s)
	p, done, probes := MustRunProgram(t, Options{Controller: ctrl, History: newFakeHistory(10)}, isKey("q"))
	// Changes keep flowing through the re-armed wait.
	for i := 0; i < 50; i++ {
		next := *ctrl.State()
		next.FillCount = i
		ctrl.publish(&next)
	}
	p.Send(keyMsg("q"))
	// q asks the engine to close; the console stays until Done.
	mustStayAfter(t, "q with the engine still running", probes, done)
	if r, _ := ctrl.recorded(); len(r) != 1 || r[0] != engine.HaltOperatorQuit {
		t.Fatalf("RequestClose=%v, want [%s]", r, engine.HaltOperatorQuit)
	}
	ctrl.finish(engine.HaltOperatorQuit)
	mustQuit(t, "Done", done)
}

func TestProgramStaysOnRiskHalt(t *testing.T) {
	s := fakeState()
	s.Config.Console.RefreshRate = engine.D(0)
	ctrl := newFakeController(s)
	isDone := func(msg tea.Msg) bool { _, ok := msg.(doneMsg); return ok }
	p, done, probes := MustRunProgram(t, Options{Controller: ctrl}, isDone)
	ctrl.finish(engine.HaltMaxDrawdown)
	// The Done wait delivers doneMsg; the console must handle it and stay.
	mustStayAfter(t, "a risk halt", probes, done)
	p.Send(keyMsg("q"))
	mustQuit(t, "q after the risk halt", done)
	if r, _ := ctrl.recorded(); len(r) != 0 {
		t.Fatalf("RequestClose=%v after the end, want none", r)
	}
}
