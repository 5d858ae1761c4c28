package tui

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"

	"neo/engine"
)

func TestFmtNum(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		d    int
		want string
	}{
		{0, 2, "0.00"},
		{1234567.891, 2, "1,234,567.89"},
		{-1234.5, 1, "-1,234.5"},
		{999.999, 2, "1,000.00"},
		{-0.001, 2, "0.00"},
		{100, 0, "100"},
		{1000, 0, "1,000"},
		{2.3012345, 6, "2.301235"},
		{math.NaN(), 2, "—"},
		{math.Inf(1), 2, "—"},
	} {
		if got := fmtNum(tc.v, tc.d); got != tc.want {
			t.Fatalf("fmtNum(%v, %d)=%q, want %q", tc.v, tc.d, got, tc.want)
		}
	}
}

func TestFmtSigned(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{{12.345, "+12.35"}, {-3.2, "-3.20"}, {0, "0.00"}, {0.001, "0.00"}, {1234.5, "+1,234.50"}} {
		if got := fmtSigned(tc.v, 2); got != tc.want {
			t.Fatalf("fmtSigned(%v)=%q, want %q", tc.v, got, tc.want)
		}
	}
}

// Every duration and age is in one style, its two largest units.
func TestFmtDur(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{400 * time.Millisecond, "0.4s"},
		{9990 * time.Millisecond, "9.9s"},
		{33 * time.Second, "33s"},
		{72 * time.Second, "1m12s"},
		{3723 * time.Second, "1h02m"},
		{2*time.Hour + 3*time.Minute, "2h03m"},
		{76 * time.Hour, "3d04h"},
		{-time.Second, "0.0s"},
	} {
		if got := fmtDur(tc.d); got != tc.want {
			t.Errorf("fmtDur(%v)=%q, want %q", tc.d, got, tc.want)
		}
	}
}

// One format per kind of figure.
func TestFigureFormats(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{fmtPrice(2.3012345), "2.301235"},
		{fmtXRP(999.999976), "999.999976"},
		{fmtXRP(1000), "1,000.000000"},
		{fmtMoney(4404.6), "4,404.60"},
		{fmtMoneyChange(12.345), "+12.35"},
		{fmtMoneyChange(-0.004), "0.00"},
		{fmtPct(1.254), "+1.25%"},
		{fmtPct(-0.96), "-0.96%"},
		{fmtPct(0.001), "0.00%"},
		{fmtPct(math.NaN()), "—"},
		{fmtShare(50.123), "50.12%"},
		{fmtBps(-3.25), "-3.2 bp"},
		{fmtSpread(14.24), "14.2 bp"},
		{fmtCount(1234), "1,234"},
		{fmtFee(0.00461), "0.0046"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// A low price keeps the digits that tell its levels apart (at 0.0001 every
// level read "0.000100" or "0.000102"), in decimals that change by bands so
// that one market's prices line up; 2.3 keeps its six decimals.
func TestPriceDecimalsOfLowPrices(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{
		{2.3012345, "2.301235"},
		{0.5, "0.500000"},
		{0.05, "0.050000"},
		{0.0499, "0.049900000"},
		{0.000102163, "0.000102163"},
		{0.0000980012, "0.000098001"},
		{0.00004, "0.000040000000"},
		{0, "0.000000"},
		{math.NaN(), "—"},
	} {
		if got := fmtPrice(tc.v); got != tc.want {
			t.Errorf("fmtPrice(%g)=%q, want %q", tc.v, got, tc.want)
		}
	}
	// Quotes a basis point apart read apart.
	if a, b := fmtPrice(0.00010216), fmtPrice(0.00010216*1.0001); a == b {
		t.Errorf("levels 1 bp apart read the same: %q", a)
	}
}

// A large amount loses its fraction before its column shows "…".
func TestFmtFit(t *testing.T) {
	for _, tc := range []struct {
		v      float64
		dec, w int
		want   string
	}{
		{6.5, 6, 10, "6.500000"},
		{46_000_000, 6, 10, "46,000,000"},
		{150_000.123456, 6, 10, "150,000.12"},
		{26_012.3456789, 6, 12, "26,012.34568"},
		{1_234_567.891, 2, 10, "1,234,568"},
		{46_000_000_000, 6, 10, "46,000,000,000"}, // wider still: the table shows "…"
	} {
		if got := fmtFit(tc.v, tc.dec, tc.w); got != tc.want {
			t.Errorf("fmtFit(%g, %d, %d)=%q, want %q", tc.v, tc.dec, tc.w, got, tc.want)
		}
	}
}

// A figure's colour follows the sign it is printed with: a PnL that rounds
// to zero is neutral, not red (it was drawn red when the style followed
// the unrounded value).
func TestSignStyle(t *testing.T) {
	st := DefaultStyles(ThemeDark)
	for _, tc := range []struct {
		v    float64
		want lipgloss.Style
		name string
	}{{12.3, st.Gain, "gain"}, {-4, st.Loss, "loss"}, {-0.004, st.Value, "neutral"}, {0, st.Value, "neutral"}, {0.001, st.Value, "neutral"}} {
		if got := st.sign(fmtMoneyChange(tc.v)); got.GetForeground() != tc.want.GetForeground() {
			t.Errorf("%v (%q): style %v, want the %s style %v", tc.v, fmtMoneyChange(tc.v), got.GetForeground(), tc.name, tc.want.GetForeground())
		}
	}
	if sideText(engine.Buy) == sideText(engine.Sell) || !strings.Contains(sideText(engine.Buy), "▲") || !strings.Contains(sideText(engine.Sell), "▼") {
		t.Fatalf("sides %q and %q must read without colour (▲ buy, ▼ sell)", sideText(engine.Buy), sideText(engine.Sell))
	}
}

func TestParseFilter(t *testing.T) {
	f, err := parseFilter("reason:max_drawdown since:2026-11-01 until:2026-11-30 7F3A")
	if err != nil {
		t.Fatal(err)
	}
	if f.reason != "max_drawdown" || f.text != "7f3a" {
		t.Fatalf("filter=%+v", f)
	}
	if got, want := f.since, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("since=%v, want %v", got, want)
	}
	if got, want := f.until, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("until=%v, want %v (the whole last day)", got, want)
	}
	for _, bad := range []string{"reason:nope", "since:yesterday", "until:2026-13-01"} {
		if _, err := parseFilter(bad); err == nil {
			t.Fatalf("parseFilter(%q) accepted", bad)
		}
	}
}

// TestSpanStamp: within one market day the clock says enough; a backtest
// over days needs the day too.
func TestSpanStamp(t *testing.T) {
	at := time.Date(2025, 1, 3, 20, 34, 2, 0, time.UTC)
	day := func(d int) *time.Time { x := time.Date(2025, 1, d, 12, 0, 0, 0, time.UTC); return &x }
	for _, c := range []struct {
		name       string
		start, end *time.Time
		want       string
	}{
		{"one day", day(3), day(3), "20:34:02"},
		{"days", day(1), day(9), "01-03 20:34"},
		{"no span", nil, nil, "01-03 20:34"},
	} {
		if got := spanStamp(c.start, c.end)(at); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
