package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"neo/engine"
)

func TestTableLayout(t *testing.T) {
	tb := table{{width: 6, left: true, cut: true}, {width: 5, left: true}, {width: 7}, {left: true, gap: 2}}
	for _, tc := range []struct {
		name  string
		first int
		vs    []string
		want  string
	}{
		{"Aligned", 0, []string{"id", "buy", "1.5", "reason"}, "id     buy       1.5  reason"},
		// Text is cut only where the column says so; a figure too wide for
		// its column is dropped whole, never cut mid-digit.
		{"CutOnlyWhereAsked", 0, []string{"session-1", "toolong", "12345678", "x"}, "sessi… toolong       …  x"},
		{"FromAColumn", 2, []string{"-3.25", "free text"}, "   -3.25  free text"},
		{"MultiByte", 0, []string{"—", "—", "—", ""}, "—      —           —  "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tb.cells(tc.first, tc.vs...); got != tc.want {
				t.Fatalf("cells=%q, want %q", got, tc.want)
			}
		})
	}
}

// textWidth takes a short cut for printable ASCII; it must agree with
// ansi.StringWidth everywhere.
func TestTextWidth(t *testing.T) {
	for _, s := range []string{"", "1,234.56", "-0.88%", "—", "~29m46s", "▸ ", "日本", "a\tb", "\x1b[1mbold\x1b[0m", "e\u0301", "\x7f"} {
		if got, want := textWidth(s), ansi.StringWidth(s); got != want {
			t.Errorf("textWidth(%q)=%d, want %d", s, got, want)
		}
	}
}

// A table too wide for its room hides whole columns, the highest drop rank
// first, rather than cut a figure.
func TestTableFitTo(t *testing.T) {
	tb := table{{width: 8, left: true}, {width: 6, left: true}, {width: 8}, {width: 10, drop: 2}, {width: 9, drop: 1}}
	row := func(t table) string {
		return t.cells(0, "21:29:59", "▲ buy", "2.300000", "6.500000", "14.95")
	}
	for _, tc := range []struct {
		w    int
		want string
	}{
		{80, "21:29:59 ▲ buy  2.300000   6.500000     14.95"},
		{45, "21:29:59 ▲ buy  2.300000   6.500000     14.95"},
		{44, "21:29:59 ▲ buy  2.300000     14.95"},
		{34, "21:29:59 ▲ buy  2.300000     14.95"},
		{33, "21:29:59 ▲ buy  2.300000"},
		{10, "21:29:59 ▲ buy  2.300000"}, // rank 0 columns stay: the line cuts at a word
	} {
		got := row(tb.fitTo(tc.w))
		if got != tc.want {
			t.Errorf("fitTo(%d): %q, want %q", tc.w, got, tc.want)
		}
		if w := tb.fitTo(tc.w).width(); w != textWidth(got) {
			t.Errorf("fitTo(%d).width()=%d, but the row is %d cells", tc.w, w, textWidth(got))
		}
	}
	if len(tb.fitTo(10)) != len(tb) || tb[3].hidden {
		t.Fatal("fitTo changed the table it was called on")
	}
	// A first column hidden leaves no separator in front.
	lead := table{{width: 4, drop: 1}, {width: 3}}
	if got := lead.fitTo(3).cells(0, "1234", "567"); got != "567" {
		t.Fatalf("first column hidden: %q, want %q", got, "567")
	}
}

func TestFitNumber(t *testing.T) {
	for _, tc := range []struct {
		v    string
		w    int
		want string
	}{{"2.301235", 10, "  2.301235"}, {"2.301235", 8, "2.301235"}, {"2.301235", 7, "      …"}, {"-0.44", 0, ""}} {
		if got := fitNumber(tc.v, tc.w); got != tc.want {
			t.Errorf("fitNumber(%q, %d)=%q, want %q", tc.v, tc.w, got, tc.want)
		}
	}
}

// A line too wide for its room never cuts a figure: "bid 2.299…" (the old
// cut at 60..79 columns) becomes "bid …"; text is cut as before.
func TestFitCutsAtWords(t *testing.T) {
	for _, tc := range []struct {
		s    string
		w    int
		want string
	}{
		{"mid 2.301234  bid 2.299123", 24, "mid 2.301234  bid …     "},
		{"PnL vs start -0.44 -0.01%", 22, "PnL vs start -0.44 …  "},
		{"20261125T202757Z-7f3a", 10, "20261125T…"}, // one long word: cut as it is
		{"short", 8, "short   "},
		{"fills 413  running", 10, "fills …   "},                        // no "…" right after a figure: "413…" reads as cut
		{"fills 752  duration_reached", 24, "fills 752  duration_rea…"}, // words of text are cut as they are
		{"\x1b[1mbid\x1b[0m 2.299123", 8, "\x1b[1mbid\x1b[0m …   "},
	} {
		got := fit(tc.s, tc.w)
		if ansi.Strip(got) != ansi.Strip(tc.want) || ansi.StringWidth(got) != tc.w {
			t.Errorf("fit(%q, %d)=%q, want %q", tc.s, tc.w, got, tc.want)
		}
	}
}

// narrowWidth agrees with ansi.StringWidth on every line the console
// draws, and gives up (ok false) on anything it does not know.
func TestNarrowWidthAgrees(t *testing.T) {
	prev := lipgloss.ColorProfile()
	lipgloss.SetColorProfile(termenv.ANSI256)
	defer lipgloss.SetColorProfile(prev)
	known := 0
	for _, v := range acceptanceViews {
		for _, theme := range themes {
			m := v.build(t, theme, 120, 40)
			for _, line := range strings.Split(m.View(), "\n") {
				n, ok := narrowWidth(line)
				if ok && n != ansi.StringWidth(line) {
					t.Fatalf("%s %s: narrowWidth %d, StringWidth %d: %q", v.name, theme, n, ansi.StringWidth(line), line)
				}
				if ok {
					known++
				}
			}
		}
	}
	if known == 0 {
		t.Fatal("narrowWidth knew no line of any view: it would never save a thing")
	}
	for _, s := range []string{"日本", "\x1b]0;x\x07", "e\u0301", "👍", "\x1b[2J"} {
		if _, ok := narrowWidth(s); ok {
			t.Errorf("narrowWidth claims to know %q", s)
		}
	}
}

// TestFillTimesOverDays: a narrow fill table shows the time of day, unless
// its fills span more than one UTC day (a backtest): then the day and the
// minute, so that a row says which day it is.
func TestFillTimesOverDays(t *testing.T) {
	st := DefaultStyles(ThemeMono)
	at := func(d, h, m, s int) engine.Fill {
		return engine.Fill{MarketTime: time.Date(2025, 1, d, h, m, s, 0, time.UTC), Side: engine.Buy, Price: 2.3, QtyXRP: 6.5, ValueRLUSD: 14.95}
	}
	for _, c := range []struct {
		name  string
		width int
		fills []engine.Fill
		want  string
	}{
		{"one day, narrow", 60, []engine.Fill{at(2, 23, 59, 30), at(2, 0, 1, 2)}, "23:59:30"},
		{"days, narrow", 60, []engine.Fill{at(9, 23, 59, 30), at(2, 0, 1, 2)}, "01-09 23:59"},
		{"days, narrowest", 46, []engine.Fill{at(9, 23, 59, 30), at(2, 0, 1, 2)}, "01-09 23:59"},
		{"days, wide", 100, []engine.Fill{at(9, 23, 59, 30), at(2, 0, 1, 2)}, "2025-01-09 23:59:30"},
	} {
		ft := fillTableFor(c.width, c.fills, c.fills)
		row := ansi.Strip(ft.row(st, c.fills[0]))
		if !strings.HasPrefix(row, c.want+" ") {
			t.Errorf("%s: row %q, want it to start with %q", c.name, row, c.want)
		}
		if w := lipgloss.Width(row); w > c.width {
			t.Errorf("%s: row %d cells wide in %d", c.name, w, c.width)
		}
	}
}

// TestRunningSessionSpan: a running session with nothing recorded past its
// first market event shows no market span ("—"), not "0.0s"; once it has
// recorded some, that span.
func TestRunningSessionSpan(t *testing.T) {
	st := DefaultStyles(ThemeMono)
	start := time.Date(2026, 12, 1, 18, 32, 16, 0, time.UTC)
	for _, c := range []struct {
		name string
		end  time.Time
		want string
	}{
		{"nothing yet", start, "—"},
		{"two minutes", start.Add(2 * time.Minute), "2m00s"},
	} {
		end := c.end
		s := engine.SessionSummary{Session: engine.Session{SessionID: "s", StartedAt: start, MarketStartedAt: &start, MarketEndedAt: &end, StartingValue: 4600}}
		row := ansi.Strip(narrowHistory.row(st, s, false, start.Add(time.Hour), 80))
		if f := strings.Fields(row); len(f) < 4 || f[3] != c.want {
			t.Errorf("%s: row %q, want the market span %q after the start", c.name, row, c.want)
		}
	}
}

// TestLeftOpenSessionRow: a session the store marks LeftOpen (no end, its
// process gone) reads "left open" with the ○ mark in the history list, not
// "● … running".
func TestLeftOpenSessionRow(t *testing.T) {
	st := DefaultStyles(ThemeMono)
	start := time.Date(2026, 12, 1, 18, 32, 16, 0, time.UTC)
	s := engine.SessionSummary{Session: engine.Session{SessionID: "s", StartedAt: start, StartingValue: 4600}, LeftOpen: true}
	for _, tab := range []historyTable{narrowHistory, wideHistory} {
		row := ansi.Strip(tab.row(st, s, false, start.Add(time.Hour), 160))
		if !strings.Contains(row, "○") || !strings.Contains(row, "left open") || strings.Contains(row, "running") || strings.Contains(row, "●") {
			t.Errorf("row %q, want ○ and left open", row)
		}
	}
}

// "reason:running" and the word "running" do not find a session a crash
// left open; "left open" does.
func TestFilterLeftOpenIsNotRunning(t *testing.T) {
	s := engine.SessionSummary{Session: engine.Session{SessionID: "s", StartingValue: 4600}, LeftOpen: true}
	for _, c := range []struct {
		filter string
		want   bool
	}{{"reason:running", false}, {"running", false}, {"left", true}} {
		f, err := parseFilter(c.filter)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.matches(s); got != c.want {
			t.Errorf("filter %q matches a left-open session: %v, want %v", c.filter, got, c.want)
		}
	}
}
