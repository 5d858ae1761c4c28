package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"neo/engine"
)

// ended is a session that started at start and ended with pnl.
func ended(id string, start time.Time, pnl float64, estimated bool) engine.SessionSummary {
	v := 4600 + pnl
	end := start.Add(10 * time.Minute)
	return engine.SessionSummary{Session: engine.Session{SessionID: id, StartedAt: start, StartingValue: 4600,
		EndedAt: &end, EndingValue: &v, EndedAtEstimated: estimated, HaltReason: engine.HaltOperatorQuit}}
}

// TestSummaryStrip checks the summary strip over a list of sessions: the
// P&L by start day, the totals line, the bars on either side of zero, a
// replay's market day and a chart too narrow for every day.
func TestSummaryStrip(t *testing.T) {
	d1 := time.Date(2026, 11, 23, 22, 0, 0, 0, time.UTC)
	d2 := d1.Add(26 * time.Hour) // Nov 25
	running := engine.SessionSummary{Session: engine.Session{SessionID: "run", StartedAt: d2.Add(time.Hour), StartingValue: 4600}}
	rows := []engine.SessionSummary{running, ended("a", d2, 12.5, false), ended("b", d2.Add(-time.Hour), -40, true),
		ended("c", d1, 30, false), ended("d", d1.Add(time.Hour), 5, false)}
	checkDailyPnL(t, rows)
	st := DefaultStyles(ThemeMono)
	strip := ansi.Strip(strings.Join(summaryStrip(st, rows, 160, 8), "\n"))
	for _, want := range []string{"shown 5", "P&L +7.50 RLUSD", "best +30.00 2026-11-23", "worst -40.00 2026-11-24", "● 1 running", "~ 1 end estimated", "P&L by start day"} {
		if !strings.Contains(strip, want) {
			t.Errorf("strip lacks %q:\n%s", want, strip)
		}
	}
	checkStripBars(t, strip)
	checkReplayDay(t, d2)
	checkNarrowChart(t, st, d1)
}

// checkDailyPnL checks the days of TestSummaryStrip's rows: c and d on
// Nov 23, b at 23:00 on Nov 24, a on Nov 25; the running session has no
// P&L.
func checkDailyPnL(t *testing.T, rows []engine.SessionSummary) {
	t.Helper()
	days := dailyPnL(rows)
	if len(days) != 3 || !days[0].day.Equal(time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)) || days[0].pnl != 35 || days[0].n != 2 ||
		days[1].pnl != -40 || days[2].pnl != 12.5 {
		t.Fatalf("days %+v: want Nov 23 +35 (2), Nov 24 -40, Nov 25 +12.50", days)
	}
}

// checkStripBars checks that a gain stands above the strip's zero line and
// a loss below it.
func checkStripBars(t *testing.T, strip string) {
	t.Helper()
	lines := strings.Split(strip, "\n")[1:]
	zero := -1
	for i, l := range lines {
		if strings.Contains(l, "┈") {
			zero = i
		}
	}
	if zero < 0 {
		t.Fatalf("no zero line:\n%s", strip)
	}
	if up, down := barSides(lines, zero, 0); !up || down {
		t.Errorf("Nov 23 (+35) should stand above zero only (up %v down %v):\n%s", up, down, strip)
	}
	if up, down := barSides(lines, zero, 1); up || !down {
		t.Errorf("Nov 24 (-40) should hang below zero only (up %v down %v):\n%s", up, down, strip)
	}
}

// barSides says whether the bar of the day-th column reaches above the
// chart's zero line (line zero of lines) and whether it reaches below.
func barSides(lines []string, zero, day int) (above, below bool) {
	for i, l := range lines[:len(lines)-1] {
		r := []rune(l)
		axis := strings.IndexRune(l, '┤')
		if axis < 0 {
			axis = strings.IndexRune(l, '│')
		}
		c := len([]rune(l[:axis])) + 1 + day*9
		if c < len(r) && (r[c] == '█' || r[c] == '▄' || r[c] == '▀') {
			above = above || i < zero || (i == zero && r[c] == '▀')
			below = below || i > zero || (i == zero && r[c] == '▄')
		}
	}
	return above, below
}

// checkReplayDay checks that a replay counts on the day of its market
// data, not of its run (at).
func checkReplayDay(t *testing.T, at time.Time) {
	t.Helper()
	replay := ended("r", at, 7, false)
	market := time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC)
	replay.MarketStartedAt = &market
	if ds := dailyPnL([]engine.SessionSummary{replay}); len(ds) != 1 || !ds[0].day.Equal(time.Date(2025, 3, 4, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("a replay's day %+v, want its market day 2025-03-04", ds)
	}
}

// checkNarrowChart checks that a chart too narrow for every day keeps the
// newest: twenty days from first, the oldest the only loss, in room for
// eleven bars.
func checkNarrowChart(t *testing.T, st Styles, first time.Time) {
	t.Helper()
	var many []dayPnL
	for i := 0; i < 20; i++ {
		many = append(many, dayPnL{day: first.AddDate(0, 0, i), pnl: float64(i), n: 1})
	}
	many[0].pnl = -100
	narrow := ansi.Strip(strings.Join(dayBars(st, many, 30, 5, startDayNote), "\n"))
	if strings.Contains(narrow, "-100.00") || !strings.Contains(narrow, "+19.00") {
		t.Errorf("a narrow chart should keep the newest days only:\n%s", narrow)
	}
}

// The strip counts a session's whole P&L on the day it started (it reads
// no session's curve to split it), and says so: a session of three days
// is one bar "by start day", not "by market day". A report, which splits
// its session's P&L over its days, says "by market day".
func TestStripSaysItCountsByStartDay(t *testing.T) {
	st := DefaultStyles(ThemeMono)
	start := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
	long := ended("long", start, 5166.74, false)
	end := start.Add(45 * time.Hour)
	long.MarketEndedAt, long.EndedAt = &end, &end
	rows := []engine.SessionSummary{long, ended("short", start.Add(time.Hour), -3, false)}
	strip := ansi.Strip(strings.Join(summaryStrip(st, rows, 160, 8), "\n"))
	if !strings.Contains(strip, "P&L by start day") || strings.Contains(strip, "market day") {
		t.Errorf("the strip does not say its days are the sessions' start days:\n%s", strip)
	}
	r := engine.Report{Daily: []engine.DayPnL{{MarketDay: "2026-12-01", PnLRLUSD: 10}, {MarketDay: "2026-12-02", PnLRLUSD: -4}}}
	report := ansi.Strip(strings.Join(dailySection(st, r).lines(80, 7), "\n"))
	if !strings.Contains(report, "P&L by market day") {
		t.Errorf("a report's daily bars do not say market day:\n%s", report)
	}
}
