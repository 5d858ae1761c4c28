package tui

import (
	"io"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"neo/engine"
)

// MustRunProgram runs the console in a real Bubble Tea program with the
// background waits on, and returns a channel that yields Run's result.
func MustRunProgram(tb testing.TB, opts Options) (*tea.Program, <-chan error) {
	tb.Helper()
	if opts.Now == nil {
		opts.Now = fixedNow
	}
	p := tea.NewProgram(New(opts), tea.WithInput(nil), tea.WithOutput(io.Discard), tea.WithoutSignalHandler())
	done := make(chan error, 1)
	go func() {
		_, err := p.Run()
		done <- err
	}()
	p.Send(tea.WindowSizeMsg{Width: 80, Height: 24})
	return p, done
}

// waitFor polls cond; the bound only keeps a broken test from hanging.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestProgramQuitFlow(t *testing.T) {
	s := fakeState()
	s.Config.Console.RefreshRate = engine.D(0)
	ctrl := newFakeController(s)
	p, done := MustRunProgram(t, Options{Controller: ctrl, History: newFakeHistory(10)})
	// Changes keep flowing through the re-armed wait.
	for i := 0; i < 50; i++ {
		next := *ctrl.State()
		next.FillCount = i
		ctrl.publish(&next)
	}
	p.Send(keyMsg("q"))
	waitFor(t, "RequestClose", func() bool { r, _ := ctrl.recorded(); return len(r) == 1 })
	select {
	case err := <-done:
		t.Fatalf("the console quit before the engine was done (err=%v)", err)
	default:
	}
	ctrl.finish(engine.HaltOperatorQuit)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the console did not quit after Done")
	}
}

func TestProgramStaysOnRiskHalt(t *testing.T) {
	s := fakeState()
	s.Config.Console.RefreshRate = engine.D(0)
	ctrl := newFakeController(s)
	p, done := MustRunProgram(t, Options{Controller: ctrl})
	ctrl.finish(engine.HaltMaxDrawdown)
	// Give the Done wait its chance to (wrongly) quit, then quit with q.
	time.Sleep(50 * time.Millisecond)
	select {
	case <-done:
		t.Fatal("the console quit on a risk halt")
	default:
	}
	p.Send(keyMsg("q"))
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("q did not quit after the risk halt")
	}
	if r, _ := ctrl.recorded(); len(r) != 0 {
		t.Fatalf("RequestClose=%v after the end, want none", r)
	}
}
