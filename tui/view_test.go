package tui

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"neo/engine"
)

// goldenSizes are the window sizes of the acceptance goldens.
var goldenSizes = []struct{ w, h int }{{80, 24}, {120, 40}, {200, 60}}

func sizeName(w, h int) string { return fmt.Sprintf("%dx%d", w, h) }

// MustLiveModel returns a console on the live view of fakeState.
func MustLiveModel(tb testing.TB, s *engine.State) (*Model, *fakeController) {
	tb.Helper()
	ctrl := newFakeController(s)
	m := MustNewModel(tb, Options{Controller: ctrl, History: newFakeHistory(50)})
	run(tb, m, stateMsg{state: ctrl.State()})
	return m, ctrl
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

// lastLine is the footer of a view.
func lastLine(view string) string {
	lines := strings.Split(view, "\n")
	return lines[len(lines)-1]
}

// While a live session runs, q ends it from every view, and every footer
// says so; once it has ended (or with no live session) q quits.
func TestFooterSaysWhatQDoes(t *testing.T) {
	m, ctrl := MustLiveModel(t, fakeState())
	resize(t, m, 100, 30)
	for _, step := range []struct {
		keys []string
		view view
	}{{nil, viewLive}, {[]string{"2"}, viewHistory}, {[]string{"enter"}, viewDetail}, {[]string{"?"}, viewHelp}} {
		press(t, m, step.keys...)
		if m.view != step.view {
			t.Fatalf("after %v: view %v, want %v", step.keys, m.view, step.view)
		}
		if foot := lastLine(plainView(m)); !strings.Contains(foot, "q end session") {
			t.Errorf("view %v with a live session: footer %q, want it to say q end session", step.view, foot)
		}
	}
	press(t, m, "esc", "esc") // help, then back to the history
	ctrl.finish(engine.HaltMaxDrawdown)
	run(t, m, waitDone(ctrl)())
	for _, v := range []view{viewLive, viewHistory} {
		m.focus(v)
		m.setView(v)
		if foot := lastLine(plainView(m)); !strings.Contains(foot, "q quit") || strings.Contains(foot, "end session") {
			t.Errorf("view %v after the end: footer %q, want q quit", v, foot)
		}
	}
	h, _ := MustHistoryModel(t, 5, 100, 30)
	if foot := lastLine(plainView(h)); !strings.Contains(foot, "q quit") {
		t.Errorf("neo history footer %q, want q quit", foot)
	}
	if !strings.Contains(strings.Join(helpText(DefaultStyles(ThemeMono), keysText(m.help.all), 100), "\n"), "end the session") {
		t.Error("the help does not say that q ends a running session")
	}
}

// The header keeps the same words at every width, dropping whole parts
// ("paper · sim" at 160 but "sim" at 80 was one part cut, not dropped).
func TestLiveHeaderDropsWholeParts(t *testing.T) {
	full := []string{"neo", "20261125T202757Z-7f3a", "paper", "sim", "● RUNNING", "up 1h02m", "tick 0.4s ago"}
	for _, w := range []int{60, 70, 80, 100, 120, 160} {
		m, _ := MustLiveModel(t, fakeState())
		resize(t, m, w, 24)
		head := strings.SplitN(plainView(m), "\n", 2)[0]
		if strings.Contains(head, "…") {
			t.Errorf("%d columns: header %q cut", w, head)
		}
		var parts []string
		for _, side := range regexp.MustCompile(`\s{2,}`).Split(strings.TrimSpace(head), -1) {
			parts = append(parts, strings.Split(side, " · ")...)
		}
		at := 0
		for _, p := range parts {
			for at < len(full) && full[at] != p {
				at++
			}
			if at == len(full) {
				t.Errorf("%d columns: header %q has part %q, not one of %q in order", w, head, p, full)
				break
			}
		}
		if w >= 80 && !strings.Contains(head, "paper · sim") {
			t.Errorf("%d columns: header %q lacks the mode", w, head)
		}
		if !strings.Contains(head, "tick 0.4s ago") {
			t.Errorf("%d columns: header %q lacks the tick age", w, head)
		}
	}
}

// The detail of a running session says running (not "ended running") and
// how long so far.
func TestDetailOfARunningSession(t *testing.T) {
	m, _ := MustHistoryModel(t, 5, 120, 40)
	press(t, m, "enter") // the newest session is running
	if !m.detail.summary.Running() {
		t.Fatal("the newest fake session is not running")
	}
	v := plainView(m)
	if strings.Contains(v, "ended running") || !strings.Contains(v, "running") || !strings.Contains(v, "so far") {
		t.Fatalf("running session detail:\n%s", v)
	}
}

// The help fills the window, wraps at words at any width (no "…") and
// scrolls to its end: the glossary of every figure.
func TestHelpWrapsAndScrolls(t *testing.T) {
	for _, w := range []int{60, 80, 120, 200} {
		m, _ := MustLiveModel(t, fakeState())
		resize(t, m, w, 24)
		press(t, m, "?")
		var seen strings.Builder
		for i := 0; i < 60; i++ {
			v := plainView(m)
			assertFrame(t, m.View(), w, 24)
			lines := strings.Split(v, "\n")
			for _, l := range lines[1 : len(lines)-1] {
				if strings.Contains(l, "…") {
					t.Fatalf("%d columns: help line cut: %q", w, l)
				}
			}
			seen.WriteString(v)
			press(t, m, "pgdown")
		}
		all := seen.String()
		for _, word := range []string{"drift", "tier", "vel", "divergence", "anchor", "PnL vs hold", "network fee", "999.999976", "spread", "bp", "market time", "wall time", "~ marks"} {
			if !strings.Contains(all, word) {
				t.Errorf("%d columns: the help never shows %q", w, word)
			}
		}
	}
}

// The detail lists fills newest first, as the live view does, in the same
// decimals (it showed them oldest first, in 5 and 3 decimals).
func TestDetailFillsNewestFirst(t *testing.T) {
	m, _ := MustHistoryModel(t, 50, 120, 40)
	press(t, m, "j", "j", "j", "enter")
	fs := m.detail.fills
	if len(fs) < 2 {
		t.Fatalf("%d fills in the fake session, want several", len(fs))
	}
	for i := 1; i < len(fs); i++ {
		if fs[i].MarketTime.After(fs[i-1].MarketTime) {
			t.Fatalf("fill %d (%s) is newer than fill %d (%s): not newest first", i, fs[i].MarketTime, i-1, fs[i-1].MarketTime)
		}
	}
	v := plainView(m)
	if want := fmtPrice(fs[0].Price) + "   " + fmtXRP(fs[0].QtyXRP); !strings.Contains(v, want) {
		t.Fatalf("the newest fill %q is not drawn with 6-decimal price and size:\n%s", want, v)
	}
}

// Issue 11 item 4: a feed without an anchor (a replay) shows n/a for the
// anchor and the divergence, never "anchor 0.000000 · divergence 0.0 bp";
// a feed with one shows its figures.
func TestLiveViewWithoutAnchor(t *testing.T) {
	s := fakeState()
	s.Anchor, s.DivergenceBps = nil, 0
	m, _ := MustLiveModel(t, s)
	resize(t, m, 160, 48)
	got := plainView(m)
	anchorLine := regexp.MustCompile(`anchor +n/a`)
	divLine := regexp.MustCompile(`div\S* +n/a`)
	if !anchorLine.MatchString(got) || !divLine.MatchString(got) || strings.Contains(got, "0.000000") {
		t.Fatalf("no anchor shown as a number:\n%s", got)
	}
	m, _ = MustLiveModel(t, fakeState())
	resize(t, m, 160, 48)
	if got := plainView(m); anchorLine.MatchString(got) || !strings.Contains(got, "2.30008") {
		t.Fatalf("the anchor of a feed that has one is not shown:\n%s", got)
	}
}

// The detail of a session a crash left open says so, never "running" nor
// how long "so far": its process is gone.
func TestDetailOfALeftOpenSession(t *testing.T) {
	hist := newFakeHistory(5)
	for i := range hist.sessions {
		if hist.sessions[i].Running() {
			hist.sessions[i].LeftOpen = true
		}
	}
	m := MustNewModel(t, Options{History: hist, ReadOnly: true, ExportDir: t.TempDir()})
	run(t, m, m.Init())
	resize(t, m, 120, 40)
	press(t, m, "enter") // the newest session, left open
	if !m.detail.summary.LeftOpen {
		t.Fatal("the newest fake session is not the left-open one")
	}
	v := plainView(m)
	if strings.Contains(v, "● running") || strings.Contains(v, "so far") || !strings.Contains(v, "left open, not running") {
		t.Fatalf("left-open session detail:\n%s", v)
	}
}

// The detail header's value, P&L and fees are the report's once it is
// loaded (the P&L panel beside it reads the report): a running session
// whose only valuation snapshot is its first does not read "4,600.00 →
// 4,600.00 · PnL 0.00" beside a panel that says -0.31.
func TestDetailHeaderFiguresAreTheReports(t *testing.T) {
	d := &detailModel{ctx: &viewContext{width: 200, height: 40, styles: DefaultStyles(ThemeMono), now: time.Now}}
	d.summary = engine.SessionSummary{Session: engine.Session{SessionID: "s", StartedAt: time.Now(), StartingValue: 4600}}
	d.val = []engine.ValuationSnapshot{{TotalValueInRLUSD: 4600, HoldValueInRLUSD: 4600}}
	if got := ansi.Strip(strings.Join(d.summaryLines(), " ")); !strings.Contains(got, "4,600.00 → 4,600.00") {
		t.Fatalf("before the report: %q", got)
	}
	d.report = &engine.Report{FinalMid: 2.3, EndingValue: 4599.69, PnL: engine.PnLSplit{TotalRLUSD: -0.31},
		Fees: engine.FeeStats{TotalRLUSD: 0.02}, Hold: engine.HoldStats{HoldValueRLUSD: 4599.5, ValueVsHoldRLUSD: 0.19}}
	got := ansi.Strip(strings.Join(d.summaryLines(), " "))
	for _, want := range []string{"4,600.00 → 4,599.69", "PnL -0.31", "PnL vs hold +0.19", "fees 0.02"} {
		if !strings.Contains(got, want) {
			t.Fatalf("with the report: %q, want %q in it", got, want)
		}
	}
}
