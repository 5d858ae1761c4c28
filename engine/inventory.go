package engine

import (
	"math"
	"time"
)

// Valuation holds the figures of a balance at a mid price (README, "Config": target_xrp_pct and the skew tiers).
type Valuation struct {
	XRPValueInRLUSD   float64
	TotalValueInRLUSD float64
	XRPPct            float64
	DriftPct          float64
	SkewTier          int
}

// Value computes xrp_value_in_rlusd, total_value_in_rlusd, xrp_pct, drift_pct
// and skew_tier (before hysteresis: see NextSkewTier): xrp × mid, plus
// rlusd, its share in percent, that share minus the target, and the number
// of tier thresholds |drift| has reached.
func Value(xrp, rlusd, mid, targetXRPPct float64, tierThresholdsPct []float64) Valuation {
	v := Valuation{XRPValueInRLUSD: xrp * mid}
	v.TotalValueInRLUSD = rlusd + v.XRPValueInRLUSD
	if v.TotalValueInRLUSD > 0 {
		v.XRPPct = 100 * v.XRPValueInRLUSD / v.TotalValueInRLUSD
	}
	v.DriftPct = v.XRPPct - targetXRPPct
	v.SkewTier = SkewTier(v.DriftPct, tierThresholdsPct)
	return v
}

// SkewTier is the number of thresholds that |drift| has reached.
func SkewTier(driftPct float64, thresholdsPct []float64) int {
	d := math.Abs(driftPct)
	tier := 0
	for _, t := range thresholdsPct {
		if d >= t {
			tier++
		}
	}
	return tier
}

// NextSkewTier is the skew tier with hysteresis: from tier cur, the tier
// rises as soon as |drift| reaches a higher threshold (at once, as
// SkewTier), and falls only once |drift| is below a threshold minus
// hysteresisPct (percentage points). Drift that hovers at a threshold
// (+5.01 %, +4.99 %, …) so keeps one tier instead of flipping it, and
// requoting, on every bar. A cur outside 0..len(thresholds) is clamped.
// With hysteresisPct 0 it is SkewTier.
func NextSkewTier(cur int, driftPct float64, thresholdsPct []float64, hysteresisPct float64) int {
	up := SkewTier(driftPct, thresholdsPct)
	if up >= cur {
		return up
	}
	// Falling: keep every tier whose threshold minus the margin |drift|
	// still reaches, but never more than cur.
	keep := SkewTier(math.Abs(driftPct)+math.Max(hysteresisPct, 0), thresholdsPct)
	return max(up, min(cur, keep))
}

// DriftWindow keeps drift samples over a rolling window of market time and
// gives the least-squares slope in percent per minute, in O(1) per sample.
type DriftWindow struct {
	Window time.Duration

	base    time.Time
	samples []driftSample // ring buffer in time order
	head    int
	n       float64
	sx, sy  float64
	sxx     float64
	sxy     float64
}

type driftSample struct{ x, y float64 } // x: minutes since base

// DriftVelocityWindow is the rolling window of drift_velocity_pct_per_min.
const DriftVelocityWindow = 5 * time.Minute

// Add records drift at t (t must not go backwards) and drops samples older
// than the window.
func (w *DriftWindow) Add(t time.Time, driftPct float64) {
	if w.base.IsZero() {
		w.base = t
	}
	x := t.Sub(w.base).Minutes()
	w.samples = append(w.samples, driftSample{x, driftPct})
	w.n++
	w.sx += x
	w.sy += driftPct
	w.sxx += x * x
	w.sxy += x * driftPct
	cutoff := x - w.Window.Minutes()
	for w.head < len(w.samples) && w.samples[w.head].x < cutoff {
		s := w.samples[w.head]
		w.n--
		w.sx -= s.x
		w.sy -= s.y
		w.sxx -= s.x * s.x
		w.sxy -= s.x * s.y
		w.head++
	}
	// Compact now and then so memory stays bounded by the window, and
	// recompute the sums exactly to shed accumulated rounding.
	if w.head > 1024 && w.head > len(w.samples)/2 {
		w.samples = append(w.samples[:0], w.samples[w.head:]...)
		w.head = 0
		w.recompute()
	}
}

func (w *DriftWindow) recompute() {
	w.n, w.sx, w.sy, w.sxx, w.sxy = 0, 0, 0, 0, 0
	for _, s := range w.samples[w.head:] {
		w.n++
		w.sx += s.x
		w.sy += s.y
		w.sxx += s.x * s.x
		w.sxy += s.x * s.y
	}
}

// Slope returns the least-squares slope of drift over the window in percent
// per minute; 0 with fewer than two samples or no time spread.
func (w *DriftWindow) Slope() float64 {
	if w.n < 2 {
		return 0
	}
	den := w.n*w.sxx - w.sx*w.sx
	if math.Abs(den) < 1e-12 {
		return 0
	}
	return (w.n*w.sxy - w.sx*w.sy) / den
}
