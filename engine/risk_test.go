package engine

import (
	"testing"
	"time"
)

// riskConfig has round limits so that the boundaries below are exact in
// floating point: max_drawdown_pct 5, max_drift_pct 20, the anchor band 5000
// bps (anchor 1.5 at mid 1 is exactly on it), halt after 2m, stale after 30s.
func riskConfig() Config {
	c := DefaultConfig()
	c.Risk.MaxDrawdownPct = 5
	c.Risk.MaxDriftPct = 20
	c.Risk.StaleFeedAfter = D(30 * time.Second)
	c.Strategy.AnchorMaxDivergenceBps = 5000
	c.Strategy.AnchorDivergenceHaltAfter = D(2 * time.Minute)
	return c
}

var riskT0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func TestCheckFeedGap(t *testing.T) {
	cfg := riskConfig()
	for _, tc := range []struct {
		name string
		gap  time.Duration
		want string // the halt's message; "" for no halt
	}{
		{"no gap", 0, ""},
		{"just inside", 30*time.Second - time.Nanosecond, ""},
		{"exactly stale_feed_after", 30 * time.Second, ""},
		{"just past", 30*time.Second + time.Nanosecond, "no market data for 30.000000001s (limit 30s)"},
		{"long past", 5 * time.Minute, "no market data for 5m0s (limit 30s)"},
		{"out of order", -time.Hour, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := checkFeedGap(cfg, false, 0, riskT0, riskT0.Add(tc.gap))
			h := v.halt
			if v.gap != nil {
				t.Fatalf("a live feed's pause is a data gap: %+v", *v.gap)
			}
			if tc.want == "" {
				if h != nil {
					t.Fatalf("halt %+v, want none", *h)
				}
				return
			}
			want := riskHalt{HaltStaleFeed, "stale_feed", tc.want}
			if h == nil || *h != want {
				t.Fatalf("halt %v, want %+v", h, want)
			}
		})
	}
	if h := silentFeedHalt(cfg); *h != (riskHalt{HaltStaleFeed, "stale_feed", "no market data for 30s"}) {
		t.Fatalf("silent feed: %+v", *h)
	}
}

// TestCheckFeedGapReplay: a replayed file never goes stale; a pause of
// more than DataGapFactor bar intervals is a data gap, whatever
// stale_feed_after says.
func TestCheckFeedGapReplay(t *testing.T) {
	cfg := riskConfig() // stale_feed_after 30s: shorter than every bar below
	for _, tc := range []struct {
		name     string
		interval time.Duration
		gap      time.Duration
		want     string // the gap note; "" for none
	}{
		{"one-minute bar", time.Minute, time.Minute, ""},
		{"hourly bar", time.Hour, time.Hour, ""},
		{"daily bar", 24 * time.Hour, 24 * time.Hour, ""},
		{"exactly 1.5 bars", time.Hour, 90 * time.Minute, ""},
		{"just past 1.5 bars", time.Hour, 90*time.Minute + time.Nanosecond,
			"data gap of 1h30m0.000000001s from 2026-11-25 12:00:00Z to 2026-11-25 13:30:00Z (1.5 bar intervals of 1h0m0s): quotes pulled, quoting resumes on the bar after it"},
		{"one missing minute", time.Minute, 2 * time.Minute,
			"data gap of 2m0s from 2026-11-25 12:00:00Z to 2026-11-25 12:02:00Z (2.0 bar intervals of 1m0s): quotes pulled, quoting resumes on the bar after it"},
		{"downtime", 5 * time.Minute, 3*time.Hour + 20*time.Minute,
			"data gap of 3h20m0s from 2026-11-25 12:00:00Z to 2026-11-25 15:20:00Z (40.0 bar intervals of 5m0s): quotes pulled, quoting resumes on the bar after it"},
		{"unknown interval", 0, 48 * time.Hour, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := checkFeedGap(cfg, true, tc.interval, riskT0, riskT0.Add(tc.gap))
			if v.halt != nil {
				t.Fatalf("a replay halted: %+v", *v.halt)
			}
			if tc.want == "" {
				if v.gap != nil {
					t.Fatalf("gap %+v, want none", *v.gap)
				}
				return
			}
			if want := (riskNote{LevelWarn, tc.want}); v.gap == nil || *v.gap != want {
				t.Fatalf("gap %v, want %+v", v.gap, want)
			}
		})
	}
}

// riskCase is one row of TestCheckRisk: checkRisk's inputs and what it
// must return.
type riskCase struct {
	name  string
	v     Valuation
	ev    MarketEvent
	t     time.Duration // the event's market time after riskT0
	watch anchorWatch
	want  riskWant
}

// riskWant is what checkRisk must return for a riskCase.
type riskWant struct {
	halt  *riskHalt
	watch anchorWatch
	note  *riskNote
}

// TestCheckRisk runs checkRisk on one row per boundary.
func TestCheckRisk(t *testing.T) {
	cfg := riskConfig()
	at := func(d time.Duration) time.Time { return riskT0.Add(d) }
	inside := MarketEvent{Bid: 0.5, Ask: 1.5, Anchor: 1.5}   // mid 1: exactly on the band's edge
	outside := MarketEvent{Bid: 0.5, Ask: 1.5, Anchor: 1.51} // 5100 bps
	below := MarketEvent{Bid: 0.5, Ask: 1.5, Anchor: 0.49}   // -5100 bps
	ok := Valuation{TotalValueInRLUSD: 1000}
	for _, tc := range []riskCase{
		{name: "all inside", v: ok, ev: inside},
		{name: "drawdown just below max", v: Valuation{TotalValueInRLUSD: 950.5}, ev: inside},
		{name: "drawdown at max", v: Valuation{TotalValueInRLUSD: 950}, ev: inside,
			want: riskWant{halt: &riskHalt{HaltMaxDrawdown, "risk", "value 5.00% below the starting value reached max_drawdown_pct 5.00%"}}},
		{name: "a gain is no drawdown", v: Valuation{TotalValueInRLUSD: 2000}, ev: inside},
		{name: "drift just below max", v: Valuation{TotalValueInRLUSD: 1000, DriftPct: 19.99}, ev: inside},
		{name: "drift at +max", v: Valuation{TotalValueInRLUSD: 1000, DriftPct: 20}, ev: inside,
			want: riskWant{halt: &riskHalt{HaltInventoryLimit, "risk", "drift +20.00% reached max_drift_pct 20.00%"}}},
		{name: "drift at -max", v: Valuation{TotalValueInRLUSD: 1000, DriftPct: -20}, ev: inside,
			want: riskWant{halt: &riskHalt{HaltInventoryLimit, "risk", "drift -20.00% reached max_drift_pct 20.00%"}}},
		{name: "drawdown is checked before drift", v: Valuation{TotalValueInRLUSD: 900, DriftPct: 30}, ev: inside,
			want: riskWant{halt: &riskHalt{HaltMaxDrawdown, "risk", "value 10.00% below the starting value reached max_drawdown_pct 5.00%"}}},
		{name: "drift is checked before the anchor", v: Valuation{TotalValueInRLUSD: 1000, DriftPct: 25}, ev: outside, t: time.Hour,
			watch: anchorWatch{since: riskT0},
			want:  riskWant{halt: &riskHalt{HaltInventoryLimit, "risk", "drift +25.00% reached max_drift_pct 20.00%"}, watch: anchorWatch{since: riskT0}}},
		{name: "anchor leaves the band: the watch starts", v: ok, ev: outside, t: time.Minute,
			want: riskWant{watch: anchorWatch{since: at(time.Minute)}}},
		{name: "anchor below the band counts too", v: ok, ev: below, t: time.Minute,
			want: riskWant{watch: anchorWatch{since: at(time.Minute)}}},
		{name: "outside just before the warning", v: ok, ev: outside, t: 30*time.Second - time.Nanosecond,
			watch: anchorWatch{since: riskT0}, want: riskWant{watch: anchorWatch{since: riskT0}}},
		{name: "outside for 30s: warned once", v: ok, ev: outside, t: 30 * time.Second,
			watch: anchorWatch{since: riskT0},
			want: riskWant{watch: anchorWatch{since: riskT0, warned: true},
				note: &riskNote{LevelWarn, "anchor +5100.0 bps from the mid for 30s (limit 5000.0 bps, halt after 2m0s): centre clamped"}}},
		{name: "already warned: no second note", v: ok, ev: outside, t: 90 * time.Second,
			watch: anchorWatch{since: riskT0, warned: true}, want: riskWant{watch: anchorWatch{since: riskT0, warned: true}}},
		{name: "outside for exactly halt_after: no halt", v: ok, ev: outside, t: 2 * time.Minute,
			watch: anchorWatch{since: riskT0, warned: true}, want: riskWant{watch: anchorWatch{since: riskT0, warned: true}}},
		{name: "outside past halt_after: halt", v: ok, ev: outside, t: 2*time.Minute + time.Nanosecond,
			watch: anchorWatch{since: riskT0, warned: true},
			want: riskWant{halt: &riskHalt{HaltAnchorDivergence, "risk", "anchor diverged more than 5000.0 bps from the mid for 2m0.000000001s"},
				watch: anchorWatch{since: riskT0, warned: true}}},
		{name: "the timer runs from the first event outside, not from the last", v: ok, ev: outside, t: 3 * time.Minute,
			watch: anchorWatch{since: at(90 * time.Second), warned: true},
			want:  riskWant{watch: anchorWatch{since: at(90 * time.Second), warned: true}}},
		{name: "back inside after a warning: noted, the watch restarts", v: ok, ev: inside, t: 45 * time.Second,
			watch: anchorWatch{since: riskT0, warned: true},
			want:  riskWant{note: &riskNote{LevelInfo, "anchor back within 5000.0 bps of the mid after 45s"}}},
		{name: "back inside before a warning: silent restart", v: ok, ev: inside, t: 10 * time.Second,
			watch: anchorWatch{since: riskT0}},
		{name: "no anchor is no divergence", v: ok, ev: MarketEvent{Bid: 0.5, Ask: 1.5}, t: time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) { checkRiskCase(t, cfg, tc) })
	}
}

// checkRiskCase runs checkRisk on tc's inputs under cfg and checks its
// halt, and when it does not halt its watch and note.
func checkRiskCase(t *testing.T, cfg Config, tc riskCase) {
	ev := tc.ev
	ev.Time = riskT0.Add(tc.t)
	got := checkRisk(cfg, 1000, tc.v, ev, tc.watch)
	if !equalPtr(got.halt, tc.want.halt) {
		t.Errorf("halt %v, want %v", deref(got.halt), deref(tc.want.halt))
	}
	if tc.want.halt != nil {
		return // the engine ends the session: the watch and note are not read
	}
	if got.watch != tc.want.watch {
		t.Errorf("watch %+v, want %+v", got.watch, tc.want.watch)
	}
	if !equalPtr(got.note, tc.want.note) {
		t.Errorf("note %v, want %v", deref(got.note), deref(tc.want.note))
	}
}

// TestCheckRiskPersistence walks one excursion event by event, carrying the
// watch as onEvent does: the warning comes once at 30s, the halt only past
// 2m, and a return inside the band before the halt restarts the timer.
func TestCheckRiskPersistence(t *testing.T) {
	cfg := riskConfig()
	ok := Valuation{TotalValueInRLUSD: 1000}
	outside := MarketEvent{Bid: 0.5, Ask: 1.5, Anchor: 1.51}
	inside := MarketEvent{Bid: 0.5, Ask: 1.5, Anchor: 1.0}
	var w anchorWatch
	var notes []string
	step := func(ev MarketEvent, d time.Duration) *riskHalt {
		ev.Time = riskT0.Add(d)
		r := checkRisk(cfg, 1000, ok, ev, w)
		if r.halt == nil {
			w = r.watch
		}
		if r.note != nil {
			notes = append(notes, r.note.level)
		}
		return r.halt
	}
	for d := time.Duration(0); d <= 100*time.Second; d += 10 * time.Second {
		if h := step(outside, d); h != nil {
			t.Fatalf("halt at %s: %+v", d, *h)
		}
	}
	if h := step(inside, 110*time.Second); h != nil {
		t.Fatalf("halt inside the band: %+v", *h)
	}
	// A new excursion: 2m of it from 120s is fine, past that it halts.
	for d := 120 * time.Second; d <= 240*time.Second; d += 10 * time.Second {
		if h := step(outside, d); h != nil {
			t.Fatalf("halt at %s, 2m into the second excursion is allowed: %+v", d, *h)
		}
	}
	h := step(outside, 241*time.Second)
	if h == nil || h.reason != HaltAnchorDivergence {
		t.Fatalf("no anchor_divergence 2m1s into the second excursion: %v", h)
	}
	if want := []string{LevelWarn, LevelInfo, LevelWarn}; len(notes) != len(want) || notes[0] != want[0] || notes[1] != want[1] || notes[2] != want[2] {
		t.Fatalf("notes %v, want %v", notes, want)
	}
}

func equalPtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}
