package tui

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/x/ansi"

	"neo/engine"
)

func TestQuit(t *testing.T) {
	for _, k := range []string{"q", "ctrl+c"} {
		t.Run(k, func(t *testing.T) {
			m, ctrl := MustLiveModel(t, fakeState())
			resize(t, m, 80, 24)
			if press(t, m, k) {
				t.Fatal("the console quit before the engine was done")
			}
			reasons, _ := ctrl.recorded()
			if got, want := len(reasons), 1; got != want {
				t.Fatalf("RequestClose calls=%d, want %d", got, want)
			}
			if got, want := reasons[0], engine.HaltOperatorQuit; got != want {
				t.Fatalf("reason=%q, want %q", got, want)
			}
			// The shutdown steps show while the engine closes.
			s := *ctrl.State()
			s.Status, s.HaltReason = engine.StatusShuttingDown, engine.HaltOperatorQuit
			s.ShutdownSteps = allStepsDone()[:2]
			ctrl.publish(&s)
			run(t, m, stateMsg{state: ctrl.State()})
			if got := plainView(m); !strings.Contains(got, "SHUTTING DOWN") || !strings.Contains(got, "✓  3.4 ms cancel open orders") {
				t.Fatalf("view does not show the shutdown:\n%s", got)
			}
			ctrl.finish(engine.HaltOperatorQuit)
			if !run(t, m, waitDone(ctrl)()) {
				t.Fatal("the console did not quit when the engine was done")
			}
		})
	}
}

func TestPauseToggles(t *testing.T) {
	m, ctrl := MustLiveModel(t, fakeState())
	resize(t, m, 80, 24)
	press(t, m, "p")
	s := *ctrl.State()
	s.Status = engine.StatusPaused
	ctrl.publish(&s)
	run(t, m, stateMsg{state: ctrl.State()})
	if got := plainView(m); !strings.Contains(got, "PAUSED") {
		t.Fatalf("header does not say paused:\n%s", got)
	}
	press(t, m, "p")
	_, pauses := ctrl.recorded()
	if got, want := len(pauses), 2; got != want {
		t.Fatalf("SetPaused calls=%d, want %d", got, want)
	}
	if !pauses[0] || pauses[1] {
		t.Fatalf("SetPaused=%v, want [true false]", pauses)
	}
}

func TestDoneWithSignalQuits(t *testing.T) {
	for _, r := range []engine.HaltReason{engine.HaltSignalInterrupt, engine.HaltSignalTerminate, engine.HaltSignalHangup, engine.HaltOperatorQuit} {
		t.Run(string(r), func(t *testing.T) {
			if _, _, quit := endSession(t, r); !quit {
				t.Fatalf("the console stayed open after %s", r)
			}
		})
	}
}

func TestDoneWithRiskHaltStays(t *testing.T) {
	for _, r := range []engine.HaltReason{engine.HaltMaxDrawdown, engine.HaltFeedEnded, engine.HaltDurationReached, engine.HaltEngineError} {
		t.Run(string(r), func(t *testing.T) {
			m, ctrl, quit := endSession(t, r, "2") // even from the history view
			if quit {
				t.Fatalf("the console quit after %s; it must stay", r)
			}
			if got, want := m.view, viewLive; got != want {
				t.Fatalf("view=%v, want the live view in front", got)
			}
			if got := plainView(m); !strings.Contains(got, string(r)) || !strings.Contains(got, "ENDED") {
				t.Fatalf("no banner with the reason:\n%s", got)
			}
			press(t, m, "p") // nothing to pause any more
			if !press(t, m, "q") {
				t.Fatal("q did not quit after the end")
			}
			reasons, pauses := ctrl.recorded()
			if len(reasons) != 0 || len(pauses) != 0 {
				t.Fatalf("RequestClose=%v SetPaused=%v after the end, want none", reasons, pauses)
			}
		})
	}
}

// endSession ends a live session with r after the keys are pressed and
// reports whether the console quit on it.
func endSession(t *testing.T, r engine.HaltReason, keys ...string) (*Model, *fakeController, bool) {
	t.Helper()
	m, ctrl := MustLiveModel(t, fakeState())
	resize(t, m, 80, 24)
	press(t, m, keys...)
	ctrl.finish(r)
	return m, ctrl, run(t, m, waitDone(ctrl)())
}

// pullState grabs the change channel before it reads the state, so that a
// publish between two reads is never missed.
func TestNotifyThenPull(t *testing.T) {
	ctrl := newFakeController(fakeState())
	first := pullState(ctrl, nil)().(stateMsg)
	s := *ctrl.State()
	s.FillCount = 9999
	ctrl.publish(&s)
	got := pullState(ctrl, first.next)().(stateMsg)
	if got.state.FillCount != 9999 {
		t.Fatalf("FillCount=%d, want 9999", got.state.FillCount)
	}
	// A wait armed when the engine ends returns instead of outliving it.
	close(ctrl.done)
	if msg := pullState(ctrl, got.next)(); msg != nil {
		t.Fatalf("msg=%T after Done, want nil", msg)
	}
}

func TestSwitchViews(t *testing.T) {
	m, _ := MustLiveModel(t, fakeState())
	resize(t, m, 80, 24)
	steps := []struct {
		key  string
		want view
	}{{"tab", viewHistory}, {"tab", viewLive}, {"2", viewHistory}, {"enter", viewDetail}, {"esc", viewHistory}, {"1", viewLive}, {"?", viewHelp}, {"esc", viewLive}}
	for _, s := range steps {
		press(t, m, s.key)
		if got := m.view; got != s.want {
			t.Fatalf("after %q view=%v, want %v", s.key, got, s.want)
		}
	}
}

func TestHistoryOnlyQuits(t *testing.T) {
	m, _ := MustHistoryModel(t, 10, 80, 24)
	if !press(t, m, "q") {
		t.Fatal("q did not quit neo history")
	}
	press(t, m, "1") // no live session: stays on history
	if got, want := m.view, viewHistory; got != want {
		t.Fatalf("view=%v, want %v", got, want)
	}
}

func TestKeysetPagination(t *testing.T) {
	m, hist := MustHistoryModel(t, 100_000, 80, 24)
	size := m.hist.pageSize
	if size < 5 {
		t.Fatalf("pageSize=%d", size)
	}
	firstPage := append([]engine.SessionSummary(nil), m.hist.rows...)
	if got, want := len(firstPage), size; got != want {
		t.Fatalf("rows on the first page=%d, want %d", got, want)
	}
	press(t, m, "pgdown")
	if got, max := hist.read(), 3*size; got > max {
		t.Fatalf("read %d rows to show two pages of %d, want at most %d", got, size, max)
	}
	// The second page starts right after the first.
	want, _ := hist.ListSessions(context.Background(), engine.SessionQuery{Limit: size + 1, After: &firstPage[size-1].Cursor})
	if got := m.hist.rows[0].SessionID; got != want[0].SessionID {
		t.Fatalf("second page starts at %s, want %s", got, want[0].SessionID)
	}
	// Down past the last row goes on to the third page; up comes back.
	for i := 0; i < size; i++ {
		press(t, m, "down")
	}
	if got, want := len(m.hist.stack), 3; got != want {
		t.Fatalf("page=%d, want %d", got, want)
	}
	press(t, m, "up")
	if got, want := len(m.hist.stack), 2; got != want {
		t.Fatalf("page=%d, want %d", got, want)
	}
	if got, want := m.hist.sel, size-1; got != want {
		t.Fatalf("selected row=%d, want the last (%d)", got, want)
	}
	press(t, m, "pgup")
	if got, want := m.hist.rows[0].SessionID, firstPage[0].SessionID; got != want {
		t.Fatalf("back on page 1 first row=%s, want %s", got, want)
	}
	if got, max := hist.read(), 6*(size+1); got > max {
		t.Fatalf("read %d rows for five page loads, want at most %d", got, max)
	}
}

func TestHistorySortAndRefresh(t *testing.T) {
	m, hist := MustHistoryModel(t, 500, 80, 24)
	press(t, m, "s")
	if got, want := m.hist.sort, engine.SortEndingValue; got != want {
		t.Fatalf("sort=%s, want %s", got, want)
	}
	for i := 1; i < len(m.hist.rows); i++ {
		a, b := m.hist.rows[i-1].EndingValue, m.hist.rows[i].EndingValue
		if a != nil && b != nil && *a < *b {
			t.Fatalf("rows not by ending value, largest first: %v before %v", *a, *b)
		}
	}
	press(t, m, "S")
	if !m.hist.asc {
		t.Fatal("S did not reverse the sort")
	}
	press(t, m, "s", "s")
	if got, want := m.hist.sort, engine.SortStartedAt; got != want {
		t.Fatalf("sort=%s, want %s after a full cycle", got, want)
	}
	before := hist.read()
	press(t, m, "r")
	if hist.read() == before {
		t.Fatal("r did not re-read the page")
	}
}

// filterHistory opens the history over n sessions and applies filter as
// the operator types it.
func filterHistory(t *testing.T, n int, filter string) *Model {
	t.Helper()
	m, _ := MustHistoryModel(t, n, 80, 24)
	press(t, m, "/")
	typeText(t, m, filter)
	press(t, m, "enter")
	return m
}

func TestHistoryFilter(t *testing.T) {
	t.Run("Reason", func(t *testing.T) {
		m := filterHistory(t, 500, "reason:max_drawdown")
		if len(m.hist.rows) == 0 {
			t.Fatal("no rows")
		}
		for _, r := range m.hist.rows {
			if r.HaltReason != engine.HaltMaxDrawdown {
				t.Fatalf("row %s has reason %s", r.SessionID, r.HaltReason)
			}
		}
		if got := plainView(m); !strings.Contains(got, "filter reason:max_drawdown") {
			t.Fatalf("the filter is not shown:\n%s", got)
		}
		press(t, m, "esc")
		if m.hist.filterRaw != "" {
			t.Fatal("esc did not clear the filter")
		}
	})
	t.Run("Since", func(t *testing.T) {
		m := filterHistory(t, 500, "since:2026-11-25 reason:operator_quit")
		if len(m.hist.rows) == 0 {
			t.Fatal("no rows")
		}
		for _, r := range m.hist.rows {
			if r.StartedAt.Before(testNow.Truncate(24*3600e9)) || r.HaltReason != engine.HaltOperatorQuit {
				t.Fatalf("row %s started %s reason %s", r.SessionID, r.StartedAt, r.HaltReason)
			}
		}
	})
	t.Run("Text", func(t *testing.T) {
		m := filterHistory(t, 500, "unclean")
		if got, want := len(m.hist.rows), m.hist.pageSize; got != want {
			t.Fatalf("rows=%d, want a full page of %d", got, want)
		}
		for _, r := range m.hist.rows {
			if r.HaltReason != engine.HaltUncleanExit {
				t.Fatalf("row %s has reason %s", r.SessionID, r.HaltReason)
			}
		}
		if !strings.Contains(plainView(m), "~") {
			t.Fatal("estimated end times are not marked with ~")
		}
	})
	t.Run("BadReason", func(t *testing.T) {
		m := filterHistory(t, 50, "reason:nope")
		if !m.hist.filtering || !strings.Contains(plainView(m), `unknown reason "nope"`) {
			t.Fatalf("no error for a bad reason:\n%s", plainView(m))
		}
		press(t, m, "esc")
		if m.hist.filtering {
			t.Fatal("esc did not close the filter input")
		}
	})
	t.Run("QTypesInFilter", func(t *testing.T) {
		m, _ := MustHistoryModel(t, 50, 80, 24)
		press(t, m, "/")
		if press(t, m, "q") {
			t.Fatal("q quit while typing a filter")
		}
		if got, want := string(m.hist.input), "q"; got != want {
			t.Fatalf("input=%q, want %q", got, want)
		}
	})
}

func TestExportFills(t *testing.T) {
	m, _ := MustHistoryModel(t, 20, 80, 24)
	press(t, m, "enter", "e")
	id := m.detail.summary.SessionID
	path := filepath.Join(m.opts.ExportDir, "neo-fills-"+id+".csv")
	if got := plainView(m); !strings.Contains(got, "exported 40 fills") {
		t.Fatalf("no export message:\n%s", got)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(rows), 41; got != want {
		t.Fatalf("CSV rows=%d, want %d (header and 40 fills)", got, want)
	}
	if got, want := rows[0][0], "fill_id"; got != want {
		t.Fatalf("header=%v", rows[0])
	}
	left, _ := filepath.Glob(filepath.Join(m.opts.ExportDir, ".neo-fills-*"))
	if len(left) != 0 {
		t.Fatalf("temporary files left behind: %v", left)
	}
}

func TestExportName(t *testing.T) {
	for _, tc := range []struct{ id, want string }{
		{"20261125T202757Z-7f3a", "neo-fills-20261125T202757Z-7f3a.csv"},
		{"../../etc/passwd", "neo-fills-_.._etc_passwd.csv"},
		{"a/b\x1bc", "neo-fills-a_b_c.csv"},
	} {
		if got := exportName(tc.id); got != tc.want {
			t.Fatalf("exportName(%q)=%q, want %q", tc.id, got, tc.want)
		}
	}
}

func TestDetailScroll(t *testing.T) {
	m, _ := MustHistoryModel(t, 20, 80, 24)
	press(t, m, "enter")
	press(t, m, "j", "j", "pgdown")
	if m.detail.scroll <= 2 {
		t.Fatalf("scroll=%d, want past 2", m.detail.scroll)
	}
	press(t, m, "G")
	rows := detailLayout(24, 2).listRows
	if got, want := m.detail.scroll, 40-rows; got != want {
		t.Fatalf("scroll at end=%d, want %d", got, want)
	}
	press(t, m, "g")
	if m.detail.scroll != 0 {
		t.Fatalf("scroll=%d, want 0", m.detail.scroll)
	}
}

func TestHistoryRefreshesOnTick(t *testing.T) {
	now := testNow
	hist := newFakeHistory(100)
	m := MustNewModel(t, Options{History: hist, Now: func() time.Time { return now }})
	resize(t, m, 80, 24)
	before := hist.read()
	run(t, m, tickMsg(now.Add(time.Second)))
	if got := hist.read(); got != before {
		t.Fatalf("re-read after 1 s: %d rows, want none", got-before)
	}
	now = now.Add(historyRefresh + time.Second)
	run(t, m, tickMsg(now))
	if got := hist.read(); got == before {
		t.Fatal("the page was not re-read after the refresh interval")
	}
}

// The help view is generated from the views' KeyMaps: every key a view
// takes or shows in its footer appears in it, exactly once.
func TestHelpListsEveryKey(t *testing.T) {
	m, _ := MustLiveModel(t, fakeState())
	var shown []key.Binding
	shown = append(shown, m.live.keys.ShortHelp(false)...)
	shown = append(shown, m.live.keys.ShortHelp(true)...)
	shown = append(shown, m.hist.keys.ShortHelp()...)
	shown = append(shown, flatten(m.hist.keys.FullHelp())...)
	shown = append(shown, m.detail.keys.ShortHelp()...)
	shown = append(shown, flatten(m.detail.keys.FullHelp())...)
	shown = append(shown, m.help.keys.ShortHelp()...)
	listed := map[string]int{}
	for _, b := range flatten(m.help.all.FullHelp()) {
		listed[b.Help().Key]++
	}
	for _, b := range shown {
		if got, want := listed[b.Help().Key], 1; got != want {
			t.Errorf("key %q (%s) is listed %d times in the help, want %d", b.Help().Key, b.Help().Desc, got, want)
		}
	}
}

// A key the view in front takes wins over a global key; the text input of
// the filter takes every key but ctrl+c.
func TestKeysGoToTheViewInFront(t *testing.T) {
	m, ctrl := MustLiveModel(t, fakeState())
	resize(t, m, 80, 24)
	press(t, m, "2", "/")
	typeText(t, m, "p?12")
	press(t, m, "tab")
	if got, want := string(m.hist.input), "p?12"; got != want {
		t.Fatalf("filter input=%q, want %q", got, want)
	}
	if got, want := m.view, viewHistory; got != want {
		t.Fatalf("view=%v, want %v", got, want)
	}
	if _, pauses := ctrl.recorded(); len(pauses) != 0 {
		t.Fatalf("SetPaused=%v while typing a filter, want none", pauses)
	}
	press(t, m, "esc", "p") // out of the input: p is global again
	if _, pauses := ctrl.recorded(); len(pauses) != 1 {
		t.Fatalf("SetPaused=%v after p on the history view, want one", pauses)
	}
	if press(t, m, "ctrl+c") {
		t.Fatal("ctrl+c quit at once with a live engine; it must ask for the shutdown")
	}
	if reasons, _ := ctrl.recorded(); len(reasons) != 1 {
		t.Fatalf("RequestClose=%v after ctrl+c, want one", reasons)
	}
}

// Views ask the root for another view through messages. A request that
// arrives after a quicker key moved on is stale and must not pull the
// screen back.
func TestStaleFocusRequests(t *testing.T) {
	for _, tc := range []struct {
		name   string
		before []string // keys up to the view that asks
		asks   string   // the key whose request is held back
		after  []string // the quicker keys
		want   view
	}{
		{"DetailBack", []string{"2", "enter"}, "esc", []string{"1"}, viewLive}, // detail asks for the history
		{"HelpBack", []string{"?"}, "esc", []string{"?", "2"}, viewHistory},    // help closed by ?, then the history
		{"Open", []string{"2"}, "enter", []string{"1"}, viewLive},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := MustLiveModel(t, fakeState())
			resize(t, m, 80, 24)
			press(t, m, tc.before...)
			_, request := m.Update(keyMsg(tc.asks))
			press(t, m, tc.after...)
			run(t, m, request())
			if got, want := m.view, tc.want; got != want {
				t.Fatalf("view=%v, want %v", got, want)
			}
		})
	}
}

// A final checkpoint that another process kept from emptying the -wal is a
// warning on its step, not a failure: "!" and why, never "✗".
func TestShutdownStepWarning(t *testing.T) {
	steps := allStepsDone()
	steps[len(steps)-1].Warn = "another process has the database open"
	lines := shutdownLines(DefaultStyles("dark"), steps, true)
	got := ansi.Strip(strings.Join(lines, "\n"))
	if strings.Contains(got, "✗") || !strings.Contains(got, "! ") || !strings.Contains(got, engine.StepCheckpoint+": another process has the database open") {
		t.Fatalf("steps:\n%s", got)
	}
}

// neo history has no live session: its footer and its help list no key
// that leads to one (tab live/history, 1 live view, p pause), and those
// keys do nothing.
func TestReadOnlyHistoryListsOnlyKeysThatWork(t *testing.T) {
	m := historyOn(t, ThemeMono, 160, 48)
	lines := strings.Split(plainView(m), "\n")
	foot := lines[len(lines)-1]
	for _, bad := range []string{"tab", "live", "pause"} {
		if strings.Contains(foot, bad) {
			t.Errorf("the read-only history's footer offers %q: %q", bad, foot)
		}
	}
	press(t, m, "tab", "1", "p")
	if m.view != viewHistory {
		t.Fatalf("view=%v after tab, 1, p: want the history", m.view)
	}
	press(t, m, "?")
	help := plainView(m)
	for _, bad := range []string{"live/history", "pause/resume"} {
		if strings.Contains(help, bad) {
			t.Errorf("the read-only help lists %q:\n%s", bad, help)
		}
	}
	for _, l := range strings.Split(help, "\n") {
		if f := strings.Fields(l); len(f) == 3 && f[0] == "1" && f[1] == "live" && f[2] == "view" {
			t.Errorf("the read-only help lists the key 1: %q", l)
		}
	}
	// With a live session they are all there.
	live, _ := liveOn(t, fakeState(), ThemeMono, 160, 48)
	press(t, live, "2")
	lines = strings.Split(plainView(live), "\n")
	if foot := lines[len(lines)-1]; !strings.Contains(foot, "tab live/history") {
		t.Errorf("the live console's history footer lacks tab: %q", foot)
	}
}
