package tui

import (
	"math"
	"testing"
	"time"
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

func TestFmtDurations(t *testing.T) {
	for _, tc := range []struct {
		d        time.Duration
		dur, age string
	}{
		{400 * time.Millisecond, "00:00", "0.4s"},
		{75 * time.Second, "01:15", "1m15s"},
		{3723 * time.Second, "01:02:03", "1h02m"},
		{50 * time.Hour, "2d 02:00:00", "2d"},
		{-time.Second, "00:00", "0.0s"},
	} {
		if got := fmtDuration(tc.d); got != tc.dur {
			t.Fatalf("fmtDuration(%v)=%q, want %q", tc.d, got, tc.dur)
		}
		if got := fmtAge(tc.d); got != tc.age {
			t.Fatalf("fmtAge(%v)=%q, want %q", tc.d, got, tc.age)
		}
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
