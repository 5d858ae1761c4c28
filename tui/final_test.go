package tui

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"neo/engine"
)

// endedOn is the final screen of fakeState's session (changed by each of
// change), ended on its own (duration_reached) and recorded in the
// history, at w×h.
func endedOn(t *testing.T, w, h int, change ...func(*engine.State)) (*Model, *engine.State) {
	t.Helper()
	s := fakeState()
	for _, c := range change {
		c(s)
	}
	m, ctrl, hist := liveWithHistory(t, s, ThemeMono, w, h)
	hist.add(endedSummary(ctrl.State(), engine.HaltDurationReached))
	ctrl.finish(engine.HaltDurationReached)
	if run(t, m, waitDone(ctrl)()) {
		t.Fatal("the console quit at the end of --duration")
	}
	if m.live.report == nil {
		t.Fatalf("no report on the final screen:\n%s", plainView(m))
	}
	return m, ctrl.State()
}

// clockTick matches a time-axis label (HH:MM).
var clockTick = regexp.MustCompile(`\b([0-2][0-9]):([0-5][0-9])\b`)

// The final screen charts the value over the whole session, as its report
// counts it (the drawdown's trough may be anywhere in it), not the state's
// last 20 minutes of samples: the time axis reaches back to the start.
func TestFinalScreenChartsTheWholeSession(t *testing.T) {
	m, s := endedOn(t, 160, 48)
	rows := strings.Split(plainView(m), "\n")
	title := -1
	for i, r := range rows {
		if strings.HasPrefix(r, "VALUE vs HOLD") {
			title = i
		}
	}
	if title < 0 {
		t.Fatalf("no value chart on the final screen:\n%s", plainView(m))
	}
	if !strings.Contains(rows[title], "whole session") {
		t.Errorf("the chart's title does not say what it spans: %q", rows[title])
	}
	earliest := s.MarketTime
	for _, r := range rows[title:] {
		if !strings.Contains(r, "market time UTC") {
			continue
		}
		for _, mm := range clockTick.FindAllStringSubmatch(r, -1) {
			at, err := time.Parse("2006-01-02 15:04", s.MarketTime.Format("2006-01-02 ")+mm[0])
			if err == nil && at.Before(earliest) {
				earliest = at
			}
		}
		break
	}
	tailStart := s.History[0].Time
	if !earliest.Before(tailStart.Add(-10 * time.Minute)) {
		t.Errorf("the time axis starts at %s, within the state's tail (from %s); the session started %s:\n%s",
			earliest.Format("15:04"), tailStart.Format("15:04"), s.StartedAt.Format("15:04"), strings.Join(rows[title:], "\n"))
	}
}

// Until the history's curve is read (or when it cannot be), the chart of
// the state's samples says it is only the tail.
func TestFinalScreenSaysWhenTheChartIsTheTail(t *testing.T) {
	m, _ := endedOn(t, 160, 48)
	m.live.finalVal = nil
	if v := plainView(m); !strings.Contains(v, "VALUE vs HOLD RLUSD · only the last 20m00s of the session") {
		t.Errorf("the tail's chart does not say it is the tail:\n%s", v)
	}
}
