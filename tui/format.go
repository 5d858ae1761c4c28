package tui

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// fmtNum formats v with thousands separators and a fixed number of
// decimals: 1234567.891 → "1,234,567.89". NaN and infinities become "—".
func fmtNum(v float64, decimals int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	s := strconv.FormatFloat(math.Abs(v), 'f', decimals, 64)
	neg := v < 0 && strings.Trim(s, "0.") != ""
	intPart, frac := s, ""
	if dot := strings.IndexByte(s, '.'); dot >= 0 {
		intPart, frac = s[:dot], s[dot:]
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	b.WriteString(frac)
	return b.String()
}

// fmtSigned is fmtNum with an explicit "+" on positive values.
func fmtSigned(v float64, decimals int) string {
	s := fmtNum(v, decimals)
	if s != "—" && v > 0 && strings.Trim(s, "0.,") != "" {
		return "+" + s
	}
	return s
}

// fmtPtr formats an optional value; nil is "—".
func fmtPtr(v *float64, decimals int) string {
	if v == nil {
		return "—"
	}
	return fmtNum(*v, decimals)
}

// fmtDuration formats d as "1d 02:03:04", "02:03:04" or "03:04".
func fmtDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int64(d / time.Second)
	days, s := s/86400, s%86400
	h, s := s/3600, s%3600
	m, s := s/60, s%60
	switch {
	case days > 0:
		return fmt.Sprintf("%dd %02d:%02d:%02d", days, h, m, s)
	case h > 0:
		return fmt.Sprintf("%02d:%02d:%02d", h, m, s)
	default:
		return fmt.Sprintf("%02d:%02d", m, s)
	}
}

// fmtAge formats a short age: "0.4s", "12s", "3m05s", "2h10m".
func fmtAge(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch {
	case d < 10*time.Second:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	default:
		return fmt.Sprintf("%dd", int(d.Hours())/24)
	}
}

// fmtTime formats a time in UTC for lists: "2026-11-25 21:30:05".
func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05")
}

// fmtClock formats a time of day in UTC: "21:30:05".
func fmtClock(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("15:04:05")
}

// pct returns 100 × part / whole, or NaN when whole is zero.
func pct(part, whole float64) float64 {
	if whole == 0 {
		return math.NaN()
	}
	return 100 * part / whole
}
