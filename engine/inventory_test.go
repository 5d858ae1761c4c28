package engine

import (
	"math"
	"testing"
	"time"
)

func TestValue(t *testing.T) {
	thresholds := []float64{5, 10, 20}
	for _, tt := range []struct {
		name                      string
		xrp, rlusd, mid           float64
		xrpValue, total, pct, dft float64
		tier                      int
	}{
		{"balanced", 1000, 2000, 2, 2000, 4000, 50, 0, 0},
		{"slightly long", 1100, 2000, 2, 2200, 4200, 52.380952380952, 2.380952380952, 0},
		{"slightly long at 1", 1100, 1000, 1, 1100, 2100, 52.380952380952, 2.380952380952, 0},
		{"55 pct", 1100, 900, 1, 1100, 2000, 55, 5, 1},
		{"60 pct", 1200, 800, 1, 1200, 2000, 60, 10, 2},
		{"short XRP", 100, 1900, 1, 100, 2000, 5, -45, 3},
		{"all RLUSD", 0, 1000, 2.5, 0, 1000, 0, -50, 3},
		{"nothing", 0, 0, 2, 0, 0, 0, -50, 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v := Value(tt.xrp, tt.rlusd, tt.mid, 50, thresholds)
			for _, c := range []struct {
				name      string
				got, want float64
			}{
				{"xrp_value_in_rlusd", v.XRPValueInRLUSD, tt.xrpValue},
				{"total_value_in_rlusd", v.TotalValueInRLUSD, tt.total},
				{"xrp_pct", v.XRPPct, tt.pct},
				{"drift_pct", v.DriftPct, tt.dft},
			} {
				if math.Abs(c.got-c.want) > 1e-9 {
					t.Errorf("%s=%v, want %v", c.name, c.got, c.want)
				}
			}
			if got, want := v.SkewTier, tt.tier; got != want {
				t.Errorf("skew_tier=%d, want %d", got, want)
			}
		})
	}
}

func TestSkewTierBoundaries(t *testing.T) {
	th := []float64{5, 10, 20}
	for _, tt := range []struct {
		drift float64
		want  int
	}{{0, 0}, {4.999, 0}, {5, 1}, {-5, 1}, {9.99, 1}, {10, 2}, {-19.9, 2}, {20, 3}, {-80, 3}} {
		if got := SkewTier(tt.drift, th); got != tt.want {
			t.Errorf("SkewTier(%v)=%d, want %d", tt.drift, got, tt.want)
		}
	}
}

func TestDriftWindowSlope(t *testing.T) {
	w := DriftWindow{Window: DriftVelocityWindow}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if got := w.Slope(); got != 0 {
		t.Fatalf("empty slope=%v, want 0", got)
	}
	// drift rises 0.5 pct per minute for 10 minutes, sampled every second.
	for i := 0; i <= 600; i++ {
		at := t0.Add(time.Duration(i) * time.Second)
		w.Add(at, 0.5*at.Sub(t0).Minutes())
	}
	if got, want := w.Slope(), 0.5; math.Abs(got-want) > 1e-6 {
		t.Fatalf("slope=%v, want %v", got, want)
	}
	// Then it falls 1 pct per minute for 10 minutes: the window only sees that.
	last := 5.0
	for i := 1; i <= 600; i++ {
		at := t0.Add(10*time.Minute + time.Duration(i)*time.Second)
		w.Add(at, last-float64(i)/60)
	}
	if got, want := w.Slope(), -1.0; math.Abs(got-want) > 1e-6 {
		t.Fatalf("slope=%v, want %v", got, want)
	}
	if n := len(w.samples) - w.head; n > 302 {
		t.Fatalf("window holds %d samples, want about 300 (5 min at 1/s)", n)
	}
}

func TestNextSkewTier(t *testing.T) {
	th := []float64{5, 10, 20}
	for _, tt := range []struct {
		name  string
		cur   int
		drift float64
		h     float64
		want  int
	}{
		{"rises at the threshold", 0, 5, 1, 1},
		{"rises on negative drift", 0, -5, 1, 1},
		{"stays below the threshold", 0, 4.99, 1, 0},
		{"keeps tier just below its threshold", 1, 4.99, 1, 1},
		{"keeps tier at threshold minus margin", 1, 4.0, 1, 1},
		{"falls below threshold minus margin", 1, 3.99, 1, 0},
		{"falls below on negative drift", 1, -3.99, 1, 0},
		{"keeps on negative drift", 1, -4.5, 1, 1},
		{"jumps up several tiers", 0, 21, 1, 3},
		{"jumps down several tiers", 3, 2, 1, 0},
		{"falls one tier, keeps the next", 3, 9.5, 1, 2},
		{"falls two tiers", 3, 8.9, 1, 1},
		{"never rises by the margin", 1, 9.5, 1, 1},
		{"sign flip through zero", 2, -9.2, 1, 2},
		{"no hysteresis is SkewTier", 1, 4.99, 0, 0},
		{"negative margin is none", 1, 4.99, -3, 0},
		{"cur above the top is clamped", 7, 25, 1, 3},
		{"cur above the top falls", 7, 12, 1, 2},
		{"negative cur", -1, 0, 1, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := NextSkewTier(tt.cur, tt.drift, th, tt.h); got != tt.want {
				t.Fatalf("NextSkewTier(%d, %v, %v, %v) = %d, want %d", tt.cur, tt.drift, th, tt.h, got, tt.want)
			}
		})
	}
}

// TestNextSkewTierOscillation: drift hovering around a threshold by less
// than the margin changes the tier once (on the first crossing), where the
// stateless tier changes on every crossing.
func TestNextSkewTierOscillation(t *testing.T) {
	th := []float64{5, 10, 20}
	hyst, raw := 0, 0
	tier, last := 0, 0
	for i := 0; i < 1000; i++ {
		d := 5 + 0.4*math.Sin(float64(i)) // 4.6 .. 5.4
		if next := NextSkewTier(tier, d, th, 1); next != tier {
			hyst++
			tier = next
		}
		if r := SkewTier(d, th); r != last {
			raw++
			last = r
		}
	}
	if hyst != 1 || tier != 1 {
		t.Fatalf("hysteretic tier changed %d times (now %d), want once to 1", hyst, tier)
	}
	if raw < 100 {
		t.Fatalf("stateless tier changed only %d times: the test's drift does not oscillate", raw)
	}
}
