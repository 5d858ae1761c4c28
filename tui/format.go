package tui

import (
	"fmt"
	"math"
	"time"

	"neo/engine"
)

// fmtNum formats v with thousands separators and a fixed number of
// decimals: 1234567.891 → "1,234,567.89". NaN and infinities become "—".
func fmtNum(v float64, decimals int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	return engine.Thousands(v, decimals)
}

// fmtSigned is fmtNum with an explicit "+" on positive values (none on a
// figure that rounds to zero).
func fmtSigned(v float64, decimals int) string {
	if !finite(v) {
		return "—"
	}
	return engine.Signed(v, decimals)
}

// One format per kind of figure: every view, chart label and export of the
// console formats its figures through these, so that a price, an amount of
// XRP or of RLUSD, a percent or a duration reads the same everywhere.
const (
	xrpDecimals   = 6 // an amount of XRP: the ledger counts in drops of 0.000001 XRP
	moneyDecimals = 2 // an amount of RLUSD
	pctDecimals   = 2 // a percent
	bpsDecimals   = 1 // basis points
)

// fmtPrice formats an XRP/RLUSD price: "2.301235"; a low price keeps
// enough decimals to tell levels a basis point apart (0.0001 with six
// decimals read "0.000100" for every level): "0.000100216".
func fmtPrice(v float64) string { return fmtNum(v, engine.PriceDecimals(v)) }

// fmtFit formats v with decimals decimals, or fewer when that is what it
// takes to fit w cells: a large amount loses its fraction before its
// column shows "…" (46,000,000.000000 XRP in 10 cells is "46,000,000").
func fmtFit(v float64, decimals, w int) string {
	s := fmtNum(v, decimals)
	for d := decimals - 1; d >= 0 && len(s) > w; d-- {
		s = fmtNum(v, d)
	}
	return s
}

// fmtXRP formats an amount of XRP, exact to the drop: "1,000.000000".
func fmtXRP(v float64) string { return fmtNum(v, xrpDecimals) }

// fmtMoney formats an amount of RLUSD: "4,404.60".
func fmtMoney(v float64) string { return fmtNum(v, moneyDecimals) }

// fmtMoneyChange formats a change of RLUSD with its sign: "+12.35", "-3.20", "0.00".
func fmtMoneyChange(v float64) string { return fmtSigned(v, moneyDecimals) }

// fmtPct formats a signed percent: "+1.25%", "-0.96%", "0.00%".
func fmtPct(v float64) string { return withUnit(fmtSigned(v, pctDecimals), "%") }

// fmtShare formats a share, a percent with no sign: "50.12%".
func fmtShare(v float64) string { return withUnit(fmtNum(v, pctDecimals), "%") }

// fmtBps formats signed basis points: "+12.3 bp".
func fmtBps(v float64) string { return withUnit(fmtSigned(v, bpsDecimals), " bp") }

// fmtSpread formats a spread in basis points (never negative): "14.2 bp".
func fmtSpread(v float64) string { return withUnit(fmtNum(v, bpsDecimals), " bp") }

// fmtCount formats a count: "1,234".
func fmtCount(n int) string { return fmtNum(float64(n), 0) }

// withUnit appends a unit to a figure, but not to "—" (no figure).
func withUnit(s, unit string) string {
	if s == "—" {
		return s
	}
	return s + unit
}

// fmtDur formats every duration and age of the console in one style, its
// two largest units: "0.4s" (under 10 s, tenths), "33s", "1m12s", "2h03m",
// "3d04h".
func fmtDur(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch {
	case d < 10*time.Second:
		return fmt.Sprintf("%.1fs", math.Floor(d.Seconds()*10)/10)
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	default:
		return fmt.Sprintf("%dd%02dh", int(d.Hours())/24, int(d.Hours())%24)
	}
}

// fmtTime formats a time in UTC for lists: "2026-11-25 21:30:05". The
// zone is said once, in the column's or the line's label ("UTC").
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
