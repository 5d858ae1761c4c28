package engine

import (
	"context"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// barFeed is a generated replay file in memory: bars of one interval
// around a price level, a random walk of seeded steps, with an optional gap
// in the data and an optional wide bar after it. It is a BarFeed like
// feed.Replay.
type barFeed struct {
	rng      *rand.Rand
	t        time.Time
	price    float64
	interval time.Duration
	n, max   int
	vol      float64 // per-bar log volatility of the close
	rangeBps float64 // high/low around open..close, bps
	gapAt    int     // before this bar, market time jumps by gap
	gap      time.Duration
	wideAt   int                 // this bar's high/low reach ±5 %
	priceF   func(n int) float64 // overrides the walk: flat bars at priceF(n)
}

func newBarFeed(seed uint64, price float64, interval time.Duration, bars int) *barFeed {
	return &barFeed{
		rng: rand.New(rand.NewPCG(seed, 3)), t: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC),
		price: price, interval: interval, max: bars, vol: 0.001, rangeBps: 30,
	}
}

func (f *barFeed) Name() string               { return "replay:generated" }
func (f *barFeed) BarInterval() time.Duration { return f.interval }

func (f *barFeed) Next(ctx context.Context) (MarketEvent, error) {
	f.n++
	if f.n > f.max {
		return MarketEvent{}, io.EOF
	}
	f.t = f.t.Add(f.interval)
	if f.gapAt > 0 && f.n == f.gapAt {
		f.t = f.t.Add(f.gap)
	}
	var b Bar
	if f.priceF != nil {
		p := f.priceF(f.n)
		b = Bar{Open: p, High: p, Low: p, Close: p, Volume: 1}
	} else {
		open := f.price
		f.price *= math.Exp(f.vol * f.rng.NormFloat64())
		b = Bar{Open: open, Close: f.price, Volume: 1000}
		b.High = math.Max(open, f.price) * (1 + f.rangeBps/1e4*f.rng.Float64())
		b.Low = math.Min(open, f.price) * (1 - f.rangeBps/1e4*f.rng.Float64())
	}
	if f.wideAt > 0 && f.n == f.wideAt {
		b.High, b.Low = b.Close*1.05, b.Close*0.95
	}
	return MarketEvent{Time: f.t, Bid: b.Close * (1 - 1e-4), Ask: b.Close * (1 + 1e-4), Bar: &b}, nil
}

// startOn starts an engine at full speed on any feed.
func startOn(tb testing.TB, cfg Config, f Feed, st *memStore) *Engine {
	tb.Helper()
	return mustStartWith(tb, Options{Config: cfg, Feed: f, Store: st, Logger: slog.New(slog.DiscardHandler), AppVersion: "test"})
}

// runBars runs a session on f to its end and returns its row.
func runBars(tb testing.TB, cfg Config, f Feed) (*memStore, Session) {
	tb.Helper()
	st := newMemStore()
	e := startOn(tb, cfg, f, st)
	if r := waitDone(tb, e); r.Err != nil {
		tb.Fatal(r.Err)
	}
	return st, st.session()
}

// TestPriceLevelsStartBalanced: with the default config (no explicit
// balances) a file at 0.3, 0.5 or 2.5 starts with starting_value_rlusd
// split 50/50 at its first mid (drift 0, tier 0), trades, and ends with
// the file. The default balances of old (1,000 XRP + 2,300 RLUSD) halted
// the 0.3 file on its first bar (drift -38.5 %).
func TestPriceLevelsStartBalanced(t *testing.T) {
	for i, level := range []float64{0.3, 0.5, 2.5} {
		seed := uint64(100 + i)
		t.Logf("level %v: seed %d", level, seed)
		f := newBarFeed(seed, level, time.Minute, 3000)
		st, s := runBars(t, testConfig(), f)
		if s.HaltReason != HaltFeedEnded {
			t.Fatalf("level %v: halt %q, want feed_ended; events %v", level, s.HaltReason, st.eventKinds())
		}
		first := st.inventory[0]
		if math.Abs(s.StartingRLUSD-2300) > 1e-9 || math.Abs(s.StartingXRP*first.MidPrice-2300) > 1e-6 || math.Abs(s.StartingValue-4600) > 1e-6 {
			t.Fatalf("level %v: starting %v XRP + %v RLUSD = %v at %v, want 2300 RLUSD of each of a 4600 value", level, s.StartingXRP, s.StartingRLUSD, s.StartingValue, first.MidPrice)
		}
		if math.Abs(first.DriftPct) > 1e-9 || first.SkewTier != 0 {
			t.Fatalf("level %v: first snapshot drift %v tier %d, want balanced", level, first.DriftPct, first.SkewTier)
		}
		if len(st.fills) == 0 {
			t.Fatalf("level %v: no fills in %d bars", level, f.max)
		}
		t.Logf("level %v: %.4f XRP + %.4f RLUSD, %d fills, %d tier changes", level, s.StartingXRP, s.StartingRLUSD, len(st.fills), st.eventKinds()["tier_change"])
	}
}

// TestExplicitBalancesWin: explicit balances are used as given.
func TestExplicitBalancesWin(t *testing.T) {
	cfg := testConfig()
	cfg.Session.StartingValueRLUSD, cfg.Session.StartingXRP, cfg.Session.StartingRLUSD = 0, 1000, 2300
	f := newBarFeed(9, 2.0, time.Minute, 50)
	f.priceF = func(int) float64 { return 2 }
	_, s := runBars(t, cfg, f)
	if s.StartingXRP != 1000 || s.StartingRLUSD != 2300 || s.StartingValue != 4300 {
		t.Fatalf("starting %v XRP + %v RLUSD = %v, want 1000 + 2300 = 4300 at 2.0", s.StartingXRP, s.StartingRLUSD, s.StartingValue)
	}
}

// TestLongBarsReplayToTheEnd: hourly and daily bars are the file's rhythm,
// not a stale feed (stale_feed_after is 2m): the replay ends with the
// file, and no gap is reported.
func TestLongBarsReplayToTheEnd(t *testing.T) {
	for _, iv := range []time.Duration{5 * time.Minute, time.Hour, 4 * time.Hour, 24 * time.Hour} {
		f := newBarFeed(21, 0.52, iv, 400)
		f.vol = 0.003
		st, s := runBars(t, testConfig(), f)
		k := st.eventKinds()
		if s.HaltReason != HaltFeedEnded || k["stale_feed"] != 0 || k["data_gap"] != 0 {
			t.Fatalf("%s bars: halt %q, events %v; want feed_ended and no stale_feed or data_gap", iv, s.HaltReason, k)
		}
		if len(st.fills) == 0 {
			t.Fatalf("%s bars: no fills", iv)
		}
		want := "bar interval " + iv.String() + " (the spacing of the first bars): a pause of more than " + time.Duration(1.5*float64(iv)).String() + " is a data gap"
		if !hasEvent(st, "replay", want) {
			t.Fatalf("%s bars: no replay event %q", iv, want)
		}
	}
}

// TestDataGapPullsQuotes: a gap of 3h20m in one-minute bars pulls the
// quotes (so the wide bar after it fills nothing), records a data_gap
// event and quoting resumes; the replay ends with the file.
func TestDataGapPullsQuotes(t *testing.T) {
	f := newBarFeed(5, 1.0, time.Minute, 200)
	f.priceF = func(int) float64 { return 1.0 } // flat bars: nothing fills but the wide one
	f.gapAt, f.gap, f.wideAt = 100, 3*time.Hour+20*time.Minute-time.Minute, 100
	st, s := runBars(t, testConfig(), f)
	if s.HaltReason != HaltFeedEnded {
		t.Fatalf("halt %q, want feed_ended; events %v", s.HaltReason, st.eventKinds())
	}
	var gaps []string
	for _, ev := range st.events {
		if ev.Kind == "data_gap" {
			gaps = append(gaps, ev.Message)
		}
	}
	want := "data gap of 3h20m0s from 2024-03-01 01:39:00Z to 2024-03-01 04:59:00Z"
	if len(gaps) != 1 || !strings.HasPrefix(gaps[0], want) || !strings.Contains(gaps[0], "quotes pulled") {
		t.Fatalf("data_gap events %q, want one starting %q", gaps, want)
	}
	if len(st.fills) != 0 {
		t.Fatalf("%d fills: quotes resting through the gap filled on the bar after it", len(st.fills))
	}
	// Quoting resumed: orders were placed on the bars after the gap (two
	// per bar: order_refresh 1m ages each one-minute bar's quotes).
	if n := len(st.orders); n < 2*190 {
		t.Fatalf("%d orders, want quoting on every bar, after the gap too", n)
	}
	if st.openOrders() != 0 {
		t.Fatalf("%d orders left open", st.openOrders())
	}
}

// tierOscillation is a flat-bar market whose price swings ±0.05 % around
// 1.0, where 1,100 XRP + 900 RLUSD is exactly drift +5 % (the first skew
// threshold): drift +5.01 %, +4.99 %, … as in a real 2025 session.
// The swings (10 bps) are inside the quotes (25 bps), so nothing fills and
// the balances stay put.
func tierOscillation(hysteresisPct float64, bars int) (tierChanges int, fills int, lastTier int, err error) {
	cfg := testConfig()
	cfg.Session.StartingValueRLUSD, cfg.Session.StartingXRP, cfg.Session.StartingRLUSD = 0, 1100, 900
	cfg.Strategy.SkewTierHysteresisPct = hysteresisPct
	f := newBarFeed(1, 1.0, time.Minute, bars)
	f.priceF = func(n int) float64 { return 1 + 0.0005*float64(1-2*(n%2)) }
	st := newMemStore()
	e, err := New(Options{Config: cfg, Feed: f, Store: st, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return 0, 0, 0, err
	}
	if err := e.Start(context.Background()); err != nil {
		return 0, 0, 0, err
	}
	<-e.Done()
	if r := e.Result(); r.Err != nil {
		return 0, 0, 0, r.Err
	}
	inv := st.inventory
	return st.eventKinds()["tier_change"], len(st.fills), inv[len(inv)-1].SkewTier, nil
}

// TestTierOscillationNoFlap: drift oscillating around a threshold by less
// than the hysteresis gives one tier_change (the first crossing), not one
// per bar; without hysteresis (0, the old behaviour) it flaps.
func TestTierOscillationNoFlap(t *testing.T) {
	const bars = 2000
	changes, fills, tier, err := tierOscillation(DefaultConfig().Strategy.SkewTierHysteresisPct, bars)
	if err != nil {
		t.Fatal(err)
	}
	if fills != 0 {
		t.Fatalf("%d fills: the oscillation must leave the balances alone", fills)
	}
	if changes != 1 || tier != 1 {
		t.Fatalf("%d tier_change events over %d bars (last tier %d), want 1 (0 -> 1)", changes, bars, tier)
	}
	flaps, _, _, err := tierOscillation(0, bars)
	if err != nil {
		t.Fatal(err)
	}
	if flaps < bars/2 {
		t.Fatalf("without hysteresis %d tier changes: the test's drift does not oscillate around the threshold", flaps)
	}
	t.Logf("%d bars oscillating at drift 5 %%: %d tier_change events with hysteresis %v, %d without",
		bars, changes, DefaultConfig().Strategy.SkewTierHysteresisPct, flaps)
}

func TestStartingBalances(t *testing.T) {
	c := DefaultConfig()
	for _, mid := range []float64{0.3, 0.5, 2.3, 2.5} {
		x, r := c.StartingBalances(mid)
		v := Value(x, r, mid, c.Strategy.TargetXRPPct, c.Strategy.SkewTierThresholdsPct)
		if math.Abs(v.TotalValueInRLUSD-4600) > 1e-9 || math.Abs(v.DriftPct) > 1e-9 || v.SkewTier != 0 {
			t.Fatalf("at %v: %v XRP + %v RLUSD: value %v drift %v tier %d", mid, x, r, v.TotalValueInRLUSD, v.DriftPct, v.SkewTier)
		}
	}
	c.Strategy.TargetXRPPct = 30
	if x, r := c.StartingBalances(2); math.Abs(x-690) > 1e-9 || math.Abs(r-3220) > 1e-9 {
		t.Fatalf("30 %% at 2: %v XRP + %v RLUSD, want 690 + 3220", x, r)
	}
	c.Session.StartingValueRLUSD, c.Session.StartingXRP, c.Session.StartingRLUSD = 0, 7, 8
	if x, r := c.StartingBalances(2); x != 7 || r != 8 {
		t.Fatalf("explicit: %v + %v, want 7 + 8", x, r)
	}
}

// hasEvent reports whether the store holds an event of kind with message.
func hasEvent(st *memStore, kind, message string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, ev := range st.events {
		if ev.Kind == kind && ev.Message == message {
			return true
		}
	}
	return false
}
