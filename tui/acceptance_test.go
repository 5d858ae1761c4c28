package tui

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"neo/engine"
)

// The acceptance tests of the console: every screen at 80x24,
// 120x40 and 200x60 in the dark, light and mono themes, as goldens; no
// screen at any size cuts a number or leaves the window empty while it has
// something to show.

// themes are the themes every golden is drawn in.
var themes = []string{ThemeDark, ThemeLight, ThemeMono}

// viewCase builds one screen of the console at a theme and a size.
type viewCase struct {
	name  string
	build func(tb testing.TB, theme string, w, h int) *Model
}

// liveOn is a console on the live view of s.
func liveOn(tb testing.TB, s *engine.State, theme string, w, h int) (*Model, *fakeController) {
	tb.Helper()
	m, ctrl, _ := liveWithHistory(tb, s, theme, w, h)
	return m, ctrl
}

// liveWithHistory is liveOn with the history it reads.
func liveWithHistory(tb testing.TB, s *engine.State, theme string, w, h int) (*Model, *fakeController, *fakeHistory) {
	tb.Helper()
	ctrl := newFakeController(s)
	hist := newFakeHistory(50)
	m := MustNewModel(tb, Options{Controller: ctrl, History: hist, Theme: theme})
	run(tb, m, stateMsg{state: ctrl.State()})
	resize(tb, m, w, h)
	return m, ctrl, hist
}

// historyOn is a console on the history view over 200 sessions, as neo
// history opens it.
func historyOn(tb testing.TB, theme string, w, h int) *Model {
	tb.Helper()
	m := MustNewModel(tb, Options{History: newFakeHistory(200), ReadOnly: true, ExportDir: tb.TempDir(), Theme: theme})
	run(tb, m, m.Init())
	resize(tb, m, w, h)
	return m
}

// shuttingDownState is a session half way through its shutdown.
func shuttingDownState() *engine.State {
	s := fakeState()
	s.Status = engine.StatusShuttingDown
	s.HaltReason = engine.HaltOperatorQuit
	s.Quotes = nil
	s.ShutdownSteps = append(allStepsDone()[:3], engine.ShutdownStep{Name: engine.StepWriteSession})
	return s
}

// liveCase builds the live view of the state that state makes, then
// presses the keys.
func liveCase(state func() *engine.State, keys ...string) func(tb testing.TB, theme string, w, h int) *Model {
	return func(tb testing.TB, theme string, w, h int) *Model {
		m, _ := liveOn(tb, state(), theme, w, h)
		press(tb, m, keys...)
		return m
	}
}

var acceptanceViews = []viewCase{
	{"live", liveCase(fakeState)},
	{"replay", liveCase(fakeReplayState)},
	{"xrpl", liveCase(fakeXRPLState)},
	{"shutdown", liveCase(shuttingDownState)},
	{"halt", func(tb testing.TB, theme string, w, h int) *Model {
		m, ctrl, hist := liveWithHistory(tb, fakeState(), theme, w, h)
		hist.add(endedSummary(ctrl.State(), engine.HaltMaxDrawdown))
		ctrl.finish(engine.HaltMaxDrawdown)
		if run(tb, m, waitDone(ctrl)()) {
			tb.Fatal("the console quit on a risk halt; it must stay on the final state")
		}
		return m
	}},
	{"history", func(tb testing.TB, theme string, w, h int) *Model {
		m := historyOn(tb, theme, w, h)
		press(tb, m, "down", "down")
		return m
	}},
	{"detail", func(tb testing.TB, theme string, w, h int) *Model {
		m := historyOn(tb, theme, w, h)
		press(tb, m, "down", "down", "down", "enter")
		if m.view != viewDetail {
			tb.Fatalf("view=%v, want detail", m.view)
		}
		return m
	}},
	{"help", liveCase(fakeState, "?")},
}

// TestGoldenViews: every screen at every golden size. The golden is the
// text (ANSI stripped); the light and mono themes must draw the very same
// text as the dark one, so that one golden holds for all three, and
// TestThemesStyleTheText checks what differs between them.
func TestGoldenViews(t *testing.T) {
	for _, v := range acceptanceViews {
		for _, sz := range goldenSizes {
			t.Run(v.name+"_"+sizeName(sz.w, sz.h), func(t *testing.T) {
				var dark string
				for _, theme := range themes {
					m := v.build(t, theme, sz.w, sz.h)
					assertFrame(t, m.View(), sz.w, sz.h)
					got := plainView(m)
					if theme == ThemeDark {
						dark = got
						assertGolden(t, got)
					} else if got != dark {
						t.Fatalf("theme %s draws other text than dark:\n%s", theme, got)
					}
				}
			})
		}
	}
}

// TestTooSmall: below 60x16 every view says how much room it needs.
func TestTooSmall(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{50, 10}, {59, 24}, {80, 15}} {
		t.Run(sizeName(sz.w, sz.h), func(t *testing.T) {
			m, _ := liveOn(t, fakeState(), ThemeDark, sz.w, sz.h)
			assertFrame(t, m.View(), sz.w, sz.h)
			want := fmt.Sprintf("need at least 60x16, have %dx%d", sz.w, sz.h)
			if !strings.Contains(plainView(m), want) {
				t.Fatalf("view=%q, want %q", plainView(m), want)
			}
			if sz.w == 50 {
				assertGolden(t, plainView(m))
			}
		})
	}
}

// sgrColour matches an SGR sequence that sets a colour (foreground or
// background, 16, 256 or true colour).
var sgrColour = regexp.MustCompile(`\x1b\[[0-9;]*(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])[;m]`)

// TestThemesStyleTheText: drawn on a 256-colour terminal, dark and light
// colour the same text differently, mono sets no colour at all (only bold
// and reverse), and each theme keeps its golden in colour for the live
// view at 80x24, so that a change of palette shows in review.
func TestThemesStyleTheText(t *testing.T) {
	prev := lipgloss.ColorProfile()
	lipgloss.SetColorProfile(termenv.ANSI256)
	defer lipgloss.SetColorProfile(prev)
	for _, v := range acceptanceViews {
		raw := map[string]string{}
		for _, theme := range themes {
			raw[theme] = v.build(t, theme, 120, 40).View()
		}
		if raw[ThemeDark] == raw[ThemeLight] {
			t.Errorf("%s: dark and light draw the same bytes", v.name)
		}
		if !sgrColour.MatchString(raw[ThemeDark]) || !sgrColour.MatchString(raw[ThemeLight]) {
			t.Errorf("%s: dark or light sets no colour", v.name)
		}
		if loc := sgrColour.FindStringIndex(raw[ThemeMono]); loc != nil {
			t.Errorf("%s: mono sets a colour: %q", v.name, raw[ThemeMono][loc[0]:min(loc[1]+10, len(raw[ThemeMono]))])
		}
		if !strings.Contains(raw[ThemeMono], "\x1b[1m") && !strings.Contains(raw[ThemeMono], "\x1b[1;") {
			t.Errorf("%s: mono sets no bold: its titles and states would not stand out", v.name)
		}
	}
	for _, theme := range themes {
		t.Run("ansi_"+theme, func(t *testing.T) {
			m, _ := liveOn(t, fakeState(), theme, 80, 24)
			assertGolden(t, strings.ReplaceAll(m.View(), "\x1b", "\\e"))
		})
	}
}

// numberCut matches a figure cut by the edge of its room: a word with a
// digit that runs into the "…" of a cut.
var numberCut = regexp.MustCompile(`[0-9][^\s…]*…`)

// No view at any size from the 60x16 floor up cuts a number mid-digit (it
// dropped "bid 2.299…" and "PnL vs start -0.44 …" at 60..79 columns): a
// figure is shown whole or not at all.
func TestNoViewCutsANumber(t *testing.T) {
	widths := []int{60, 61, 64, 67, 70, 73, 76, 79, 80, 90, 100, 119, 120, 149, 150, 160, 170, 200, 250}
	heights := []int{16, 24, 40, 50, 60, 70}
	for _, v := range acceptanceViews {
		for _, w := range widths {
			for _, h := range heights {
				m := v.build(t, ThemeMono, w, h)
				for i, line := range strings.Split(plainView(m), "\n") {
					if loc := numberCut.FindStringIndex(line); loc != nil {
						t.Errorf("%s at %dx%d, line %d cuts a number: %q", v.name, w, h, i, line)
					}
				}
			}
		}
	}
}

// maxBlankShare is the most of a window that may be blank rows (nothing
// but spaces) while a view has data to show: a quarter. A view that uses
// its window leaves blank only the rows its panels could not fill with
// whole items (an event that does not fit, a chart below its least
// height); the old layout left half of a 170x50 window blank. A quarter
// leaves room for a help page's paragraph breaks and a short history
// page, and fails the old live view from 170x50 up (34 % blank there,
// 40 % at 200x60, 49 % at 250x70).
const maxBlankShare = 0.25

// blankRows counts the rows of a plain view that hold only spaces.
func blankRows(view string) int {
	n := 0
	for _, l := range strings.Split(view, "\n") {
		if strings.TrimSpace(l) == "" {
			n++
		}
	}
	return n
}

// TestNoViewLeavesTheWindowEmpty: with data to show, no screen at any of
// the sizes from 80x24 to 250x70 leaves more than maxBlankShare of the
// window blank.
func TestNoViewLeavesTheWindowEmpty(t *testing.T) {
	sizes := []struct{ w, h int }{{80, 24}, {100, 30}, {120, 40}, {160, 48}, {170, 50}, {200, 60}, {250, 70}}
	for _, v := range acceptanceViews {
		for _, sz := range sizes {
			view := plainView(v.build(t, ThemeMono, sz.w, sz.h))
			if n := blankRows(view); float64(n) > maxBlankShare*float64(sz.h) {
				t.Errorf("%s at %s: %d of %d rows blank (more than %.0f%%):\n%s", v.name, sizeName(sz.w, sz.h), n, sz.h, 100*maxBlankShare, view)
			}
		}
	}
}

// The help opens on ? and closes on a second ?.
func TestHelpToggles(t *testing.T) {
	m, _ := liveOn(t, fakeState(), ThemeDark, 80, 24)
	press(t, m, "?")
	if m.view != viewHelp {
		t.Fatalf("view after ?=%v, want help", m.view)
	}
	press(t, m, "?")
	if got, want := m.view, viewLive; got != want {
		t.Fatalf("view after second ?=%v, want %v", got, want)
	}
}

// After a session ends on its own (here a risk halt), the console stays up
// on its report: the figures of engine.LoadReport over the same history,
// under the halt banner. Without a report (no such session in the
// history) it says so and keeps the final state.
func TestFinalScreenIsTheReport(t *testing.T) {
	m, ctrl, hist := liveWithHistory(t, fakeState(), ThemeMono, 120, 40)
	hist.add(endedSummary(ctrl.State(), engine.HaltMaxDrawdown))
	ctrl.finish(engine.HaltMaxDrawdown)
	if run(t, m, waitDone(ctrl)()) {
		t.Fatal("the console quit on a risk halt")
	}
	r, err := engine.LoadReport(context.Background(), hist, ctrl.State().SessionID)
	if err != nil {
		t.Fatal(err)
	}
	v := plainView(m)
	for _, want := range []string{"RISK HALT", "SESSION REPORT", "trading (spread)", "inventory moves", "FILLS by side",
		fmtMoneyChange(r.PnL.TotalRLUSD), fmtMoneyChange(r.PnL.InventoryRLUSD), fmtPrice(r.Fills.Buy.AvgPrice), fmtMoney(r.Fills.VolumeRLUSD)} {
		if !strings.Contains(v, want) {
			t.Errorf("final screen lacks %q:\n%s", want, v)
		}
	}

	m2, ctrl2, _ := liveWithHistory(t, fakeState(), ThemeMono, 120, 40)
	ctrl2.finish(engine.HaltMaxDrawdown)
	run(t, m2, waitDone(ctrl2)())
	v2 := plainView(m2)
	if !strings.Contains(v2, "no report:") || !strings.Contains(v2, "INVENTORY") {
		t.Errorf("without a report the final state stays, saying why:\n%s", v2)
	}
}

// The detail view shows the session's report: the figures LoadReport
// computes, beside the charts from 150 columns and beside the fills below.
func TestDetailShowsTheReport(t *testing.T) {
	for _, w := range []int{120, 200} {
		m := historyOn(t, ThemeMono, w, 50)
		press(t, m, "down", "down", "down", "enter")
		id := m.detail.summary.SessionID
		r, err := engine.LoadReport(context.Background(), m.opts.History, id)
		if err != nil {
			t.Fatal(err)
		}
		v := plainView(m)
		for _, want := range []string{"P&L", "trading (spread)", "max drawdown", fmtMoneyChange(r.PnL.TotalRLUSD), fmtMoneyChange(-r.MaxDrawdown.RLUSD)} {
			if !strings.Contains(v, want) {
				t.Errorf("%d columns: detail lacks %q:\n%s", w, want, v)
			}
		}
	}
}

// A report that cannot be read is said in the detail's status line.
func TestDetailSaysWhenTheReportFails(t *testing.T) {
	m := historyOn(t, ThemeMono, 120, 40)
	press(t, m, "down", "enter")
	run(t, m, reportMsg{to: viewDetail, seq: m.detail.seq, id: m.detail.summary.SessionID, err: errors.New("read fills: disk I/O error")})
	if v := plainView(m); !strings.Contains(v, "no report: read fills: disk I/O error") {
		t.Fatalf("the detail hides the report's error:\n%s", v)
	}
}
