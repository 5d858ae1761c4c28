package tui

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"neo/engine"
)

var goldenSizes = []struct{ w, h int }{{80, 24}, {160, 48}}

func sizeName(w, h int) string { return fmt.Sprintf("%dx%d", w, h) }

// MustLiveModel returns a console on the live view of fakeState.
func MustLiveModel(tb testing.TB, s *engine.State) (*Model, *fakeController) {
	tb.Helper()
	ctrl := newFakeController(s)
	m := MustNewModel(tb, Options{Controller: ctrl, History: newFakeHistory(50)})
	run(tb, m, stateMsg{state: ctrl.State()})
	return m, ctrl
}

func TestLiveView(t *testing.T) {
	for _, sz := range append(goldenSizes, struct{ w, h int }{200, 60}) {
		t.Run(sizeName(sz.w, sz.h), func(t *testing.T) {
			m, _ := MustLiveModel(t, fakeState())
			resize(t, m, sz.w, sz.h)
			assertFrame(t, m.View(), sz.w, sz.h)
			assertGolden(t, plainView(m))
		})
	}
}

func TestLiveViewShuttingDown(t *testing.T) {
	s := fakeState()
	s.Status = engine.StatusShuttingDown
	s.HaltReason = engine.HaltOperatorQuit
	s.Quotes = nil
	steps := allStepsDone()[:3]
	steps = append(steps, engine.ShutdownStep{Name: engine.StepWriteSession})
	s.ShutdownSteps = steps
	for _, sz := range goldenSizes {
		t.Run(sizeName(sz.w, sz.h), func(t *testing.T) {
			m, _ := MustLiveModel(t, s)
			resize(t, m, sz.w, sz.h)
			assertFrame(t, m.View(), sz.w, sz.h)
			assertGolden(t, plainView(m))
		})
	}
}

func TestLiveViewRiskHalt(t *testing.T) {
	for _, sz := range goldenSizes {
		t.Run(sizeName(sz.w, sz.h), func(t *testing.T) {
			m, ctrl := MustLiveModel(t, fakeState())
			resize(t, m, sz.w, sz.h)
			ctrl.finish(engine.HaltMaxDrawdown)
			if run(t, m, waitDone(ctrl)()) {
				t.Fatal("the console quit on a risk halt; it must stay on the final state")
			}
			assertFrame(t, m.View(), sz.w, sz.h)
			assertGolden(t, plainView(m))
		})
	}
}

func TestLiveViewNoStateYet(t *testing.T) {
	m := MustNewModel(t, Options{Controller: newFakeController(nil)})
	resize(t, m, 80, 24)
	if got := plainView(m); !strings.Contains(got, "waiting for the engine") {
		t.Fatalf("view=%q, want the waiting message", got)
	}
}

// MustHistoryModel returns a console on the history view (as neo history
// opens it) over n synthetic sessions.
func MustHistoryModel(tb testing.TB, n, w, h int) (*Model, *fakeHistory) {
	tb.Helper()
	hist := newFakeHistory(n)
	m := MustNewModel(tb, Options{History: hist, ReadOnly: true, ExportDir: tb.TempDir()})
	run(tb, m, m.Init())
	resize(tb, m, w, h)
	return m, hist
}

func TestHistoryView(t *testing.T) {
	for _, sz := range goldenSizes {
		t.Run(sizeName(sz.w, sz.h), func(t *testing.T) {
			m, _ := MustHistoryModel(t, 200, sz.w, sz.h)
			press(t, m, "down", "down")
			assertFrame(t, m.View(), sz.w, sz.h)
			assertGolden(t, plainView(m))
		})
	}
}

func TestDetailView(t *testing.T) {
	for _, sz := range goldenSizes {
		t.Run(sizeName(sz.w, sz.h), func(t *testing.T) {
			m, _ := MustHistoryModel(t, 200, sz.w, sz.h)
			press(t, m, "down", "down", "down", "enter")
			if m.view != viewDetail {
				t.Fatalf("view=%v, want detail", m.view)
			}
			assertFrame(t, m.View(), sz.w, sz.h)
			assertGolden(t, plainView(m))
		})
	}
}

func TestHelpView(t *testing.T) {
	for _, sz := range goldenSizes {
		t.Run(sizeName(sz.w, sz.h), func(t *testing.T) {
			m, _ := MustLiveModel(t, fakeState())
			resize(t, m, sz.w, sz.h)
			press(t, m, "?")
			assertFrame(t, m.View(), sz.w, sz.h)
			assertGolden(t, plainView(m))
			press(t, m, "?")
			if got, want := m.view, viewLive; got != want {
				t.Fatalf("view after second ?=%v, want %v", got, want)
			}
		})
	}
}

func TestTooSmall(t *testing.T) {
	m, _ := MustLiveModel(t, fakeState())
	resize(t, m, 50, 10)
	assertFrame(t, m.View(), 50, 10)
	assertGolden(t, plainView(m))
	if !strings.Contains(plainView(m), "need at least 60x16, have 50x10") {
		t.Fatalf("view=%q", plainView(m))
	}
}

// Every view fills the window exactly at every size, before and after a
// resize, so that nothing of an older frame survives.
func TestResizeKeepsFrame(t *testing.T) {
	sizes := []struct{ w, h int }{{80, 24}, {60, 16}, {200, 60}, {59, 30}, {120, 15}, {97, 33}, {80, 24}}
	m, _ := MustLiveModel(t, fakeState())
	for _, v := range []string{"live", "history", "detail", "help"} {
		switch v {
		case "history":
			press(t, m, "2")
		case "detail":
			press(t, m, "enter")
		case "help":
			press(t, m, "?")
		}
		for _, sz := range sizes {
			resize(t, m, sz.w, sz.h)
			assertFrame(t, m.View(), sz.w, sz.h)
		}
	}
}

func TestTickAge(t *testing.T) {
	now := testNow
	ctrl := newFakeController(fakeState())
	m := MustNewModel(t, Options{Controller: ctrl, Now: func() time.Time { return now }})
	run(t, m, stateMsg{state: ctrl.State()})
	resize(t, m, 160, 48)
	if got := plainView(m); !strings.Contains(got, "tick 0.4s ago") || !strings.Contains(got, "up 1h02m") {
		t.Fatalf("header: %q", strings.SplitN(got, "\n", 2)[0])
	}
	now = now.Add(90 * time.Second)
	run(t, m, tickMsg(now))
	if got := plainView(m); !strings.Contains(got, "tick 1m30s ago") || !strings.Contains(got, "up 1h03m") {
		t.Fatalf("header: %q", strings.SplitN(got, "\n", 2)[0])
	}
}

// numberCut matches a figure cut by the edge of its room: a digit, a
// separator or a sign right before the "…" of a cut.
var numberCut = regexp.MustCompile(`[0-9.,+\-]…`)

// No view at any width from the 60-column floor up cuts a number mid-digit
// (it dropped "bid 2.299…" and "PnL vs start -0.44 …" at 60..79 columns):
// a figure is shown whole or not at all.
func TestNoViewCutsANumber(t *testing.T) {
	widths := []int{60, 61, 64, 67, 70, 73, 76, 79, 80, 90, 100, 119, 120, 150, 160, 200}
	views := map[string]func(t *testing.T, w, h int) *Model{
		"live": func(t *testing.T, w, h int) *Model {
			m, _ := MustLiveModel(t, fakeState())
			resize(t, m, w, h)
			return m
		},
		"history": func(t *testing.T, w, h int) *Model {
			m, _ := MustHistoryModel(t, 50, w, h)
			return m
		},
		"detail": func(t *testing.T, w, h int) *Model {
			m, _ := MustHistoryModel(t, 50, w, h)
			press(t, m, "j", "j", "j", "enter")
			return m
		},
		"help": func(t *testing.T, w, h int) *Model {
			m, _ := MustLiveModel(t, fakeState())
			resize(t, m, w, h)
			press(t, m, "?")
			return m
		},
	}
	for name, mk := range views {
		for _, w := range widths {
			for _, h := range []int{16, 24, 48} {
				m := mk(t, w, h)
				for i, line := range strings.Split(plainView(m), "\n") {
					if loc := numberCut.FindStringIndex(line); loc != nil {
						t.Errorf("%s at %dx%d, line %d cuts a number: %q", name, w, h, i, line)
					}
				}
			}
		}
	}
}
