package tui

import (
	"strings"
	"testing"
	"time"

	"neo/engine"
)

// The text a user must read or type is drawn whole where there is room.

// A filter error lists every reason, wrapped at words over the last rows
// of the page, not cut at the window's edge.
func TestFilterErrorIsWrappedWhole(t *testing.T) {
	m := historyOn(t, ThemeMono, 160, 48)
	press(t, m, "/")
	typeText(t, m, "reason:bogus")
	press(t, m, "enter")
	v := plainView(m)
	for _, r := range engine.AllHaltReasons {
		if !strings.Contains(v, string(r)) {
			t.Errorf("the filter error lacks %q:\n%s", r, v)
		}
	}
	assertFrame(t, m.View(), 160, 48)
}

// The final screen's title keeps the session id (23 characters, as the
// engine makes them) whole at 80 columns (it read "SESSION REPORT … ·
// also: neo report …").
func TestFinalScreenTitleKeepsTheID(t *testing.T) {
	realID := func(s *engine.State) { s.SessionID = "20261201T192547Z-8bee7d" }
	for _, w := range []int{80, 100, 160} {
		m, s := endedOn(t, w, 24, realID)
		found := false
		for _, row := range strings.Split(plainView(m), "\n") {
			if strings.HasPrefix(row, "SESSION REPORT") {
				found = strings.Contains(row, "SESSION REPORT "+s.SessionID+" ")
				if !found || strings.Contains(row, "…") {
					t.Errorf("%d columns: the title cuts the session id: %q", w, row)
				}
			}
		}
		if !found {
			t.Errorf("%d columns: no whole SESSION REPORT title", w)
		}
	}
}

// The drawdown's peak and trough keep their times in a narrow column: on
// two lines when one has no room ("→ trough 4,735.14 …" at 250x70).
func TestDrawdownKeepsTheTroughTime(t *testing.T) {
	start := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
	end := start.Add(45 * time.Hour)
	peak, trough := start.Add(52*time.Hour/2), start.Add(30*time.Hour)
	r := engine.Report{MarketStart: &start, MarketEnd: &end, StartingValue: 4600, EndingValue: 4700}
	r.MaxDrawdown = engine.Drawdown{RLUSD: 104, Pct: 2.15, PeakValue: 4839.14, TroughValue: 4735.14, PeakMarketTime: &peak, TroughMarketTime: &trough}
	for _, w := range []int{46, 49, 60, 80} {
		sec := valueSection(DefaultStyles(ThemeMono), r, w)
		lines := sec.lines(w, sec.min)
		if len(lines) != sec.min {
			t.Errorf("%d cells: %d lines, the section said %d", w, len(lines), sec.min)
		}
		text := strings.Join(fitAll(lines, w), "\n")
		for _, want := range []string{"4,839.14 " + peak.Format("01-02 15:04"), "trough 4,735.14 " + trough.Format("01-02 15:04")} {
			if !strings.Contains(text, want) {
				t.Errorf("%d cells: the drawdown lacks %q:\n%s", w, want, text)
			}
		}
	}
}

// A replay's book says it has none, and how its bid and ask are made, whole
// in a column of 46 cells ("bid and ask are the close…" at 160 columns).
func TestReplayBookNoteIsWhole(t *testing.T) {
	for _, w := range []int{120, 160, 200} {
		m, _ := liveOn(t, fakeReplayState(), ThemeMono, w, 48)
		v := plainView(m)
		for _, want := range []string{"BOOK replay of bars: no book", "bid and ask are the close ∓ 1 bp"} {
			if !strings.Contains(v, want) {
				t.Errorf("%d columns: the replay's book lacks %q:\n%s", w, want, v)
			}
		}
	}
}

// The history list shows the session id from 96 columns (at 100 it dropped
// it while the row used 88) and 12,641 fills whole; at 80 its reasons are
// whole ("duration_reac…").
func TestHistoryListKeepsIDsFillsAndReasons(t *testing.T) {
	h := newFakeHistory(20)
	h.sessions[len(h.sessions)-1].FillCount = 12641
	newest := h.sessions[len(h.sessions)-1].SessionID
	for _, w := range []int{96, 100, 110} {
		m := MustNewModel(t, Options{History: h, ReadOnly: true, Theme: ThemeMono})
		run(t, m, m.Init())
		resize(t, m, w, 30)
		v := plainView(m)
		if !strings.Contains(v, newest) || !strings.Contains(v, "12,641") {
			t.Errorf("%d columns: the list lacks the id %s or its 12,641 fills:\n%s", w, newest, v)
		}
	}
	m := MustNewModel(t, Options{History: h, ReadOnly: true, Theme: ThemeMono})
	run(t, m, m.Init())
	resize(t, m, 80, 24)
	v := plainView(m)
	for _, want := range []string{"duration_reached", "signal_interrupt", "12,641"} {
		if !strings.Contains(v, want) {
			t.Errorf("80 columns: the list lacks %q:\n%s", want, v)
		}
	}
}
