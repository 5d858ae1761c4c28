package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Record builders: the one place the tests set a record's market time.
func mkFill(at time.Time, side Side, price, qty, feeBps float64) Fill {
	v := price * qty
	return Fill{SessionID: "s", MarketTime: at, Side: side, Price: price, QtyXRP: qty, ValueRLUSD: v, FeeRLUSD: v * feeBps / 1e4}
}

func mkInv(at time.Time, mid, xrp, rlusd float64, tier int) InventorySnapshot {
	return InventorySnapshot{SessionID: "s", MarketTime: at, MidPrice: mid, XRPBalance: xrp, RLUSDBalance: rlusd,
		XRPValueInRLUSD: xrp * mid, TotalValueInRLUSD: rlusd + xrp*mid, SkewTier: tier}
}

func mkVal(at time.Time, mid, total, hold, fees float64) ValuationSnapshot {
	return ValuationSnapshot{SessionID: "s", MarketTime: at, MidPrice: mid, TotalValueInRLUSD: total, HoldValueInRLUSD: hold, FeesRLUSD: fees}
}

func mkEvent(at time.Time, level, kind string) SessionEvent {
	return SessionEvent{SessionID: "s", CreatedAt: at, MarketTime: at, Level: level, Kind: kind, Message: kind}
}

// mkSession is a session over the market span [start, end] (end nil:
// running) with the starting balances at mid startMid.
func mkSession(start time.Time, end *time.Time, xrp, rlusd, startMid float64, ending *float64) SessionSummary {
	s := SessionSummary{Session: Session{SessionID: "s", StartedAt: start, EndedAt: end, MarketStartedAt: &start, MarketEndedAt: end, Feed: "replay:x.csv",
		StartingXRP: xrp, StartingRLUSD: rlusd, StartingValue: rlusd + xrp*startMid, EndingValue: ending}}
	if end != nil {
		s.HaltReason = HaltFeedEnded
	}
	return s
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func fptr(v float64) *float64 { return &v }

// handSession is the session computed by hand in the comments: 100 XRP +
// 100 RLUSD at mid 1.00; a network fee of 0.5 XRP right after the first
// snapshot; the mid falls to 0.98 and a bid fills 10 XRP at 0.97 (fee 10
// bps); past midnight UTC the mid is 1.02; an ask fills 10 XRP at 1.03;
// the session ends at mid 1.00.
//
//	t0 23:00 Jan 1  X 100   R 100       mid 1.00  V 200       tier 0
//	t1 23:30        X 109.5 R 90.2903   mid 0.98  V 197.6003  tier 1 (buy: capture 10×0.98−9.7 = 0.1)
//	t2 01:00 Jan 2  X 109.5 R 90.2903   mid 1.02  V 201.9803  tier 1
//	t3 02:00        X 99.5  R 100.58    mid 1.02  V 202.07    tier 0 (sell: capture 10.3−10.2 = 0.1)
//	t4 03:00        X 99.5  R 100.58    mid 1.00  V 200.08    tier 0 (end; fees_rlusd 0.02 + 0.5×1.00)
//
// Inventory moves, X × Δmid: 99.5×(−0.02) + 109.5×0.04 + 0 + 99.5×(−0.02)
// = −1.99 + 4.38 − 1.99 = 0.40. Total 0.08 = trading 0.2 + fees −0.52 +
// inventory 0.40.
func handSession() (SessionSummary, []Fill, []InventorySnapshot, []ValuationSnapshot, []SessionEvent, []time.Time) {
	t0 := time.Date(2025, 1, 1, 23, 0, 0, 0, time.UTC)
	ts := []time.Time{t0, t0.Add(30 * time.Minute), t0.Add(2 * time.Hour), t0.Add(3 * time.Hour), t0.Add(4 * time.Hour)}
	end := ts[4]
	s := mkSession(ts[0], &end, 100, 100, 1.00, fptr(200.08))
	fills := []Fill{mkFill(ts[1], Buy, 0.97, 10, 10), mkFill(ts[3], Sell, 1.03, 10, 10)}
	inv := []InventorySnapshot{
		mkInv(ts[0], 1.00, 100, 100, 0),
		mkInv(ts[1], 0.98, 109.5, 90.2903, 1),
		mkInv(ts[2], 1.02, 109.5, 90.2903, 1),
		mkInv(ts[3], 1.02, 99.5, 100.58, 0),
		mkInv(ts[4], 1.00, 99.5, 100.58, 0),
	}
	val := []ValuationSnapshot{mkVal(ts[0], 1.00, 200, 200, 0), mkVal(ts[4], 1.00, 200.08, 200, 0.52)}
	events := []SessionEvent{mkEvent(ts[0], LevelInfo, "session_start"), mkEvent(ts[1], LevelInfo, "tier_change"),
		mkEvent(ts[3], LevelInfo, "tier_change"), mkEvent(ts[4], LevelWarn, "data_gap")}
	return s, fills, inv, val, events, ts
}

// TestBuildReportHandSession checks the report of handSession against the
// figures worked out by hand in its comment.
func TestBuildReportHandSession(t *testing.T) {
	s, fills, inv, val, events, ts := handSession()
	r := BuildReport(s, fills, inv, val, events)
	checkHandFigures(t, r)
	if sum := r.PnL.TradingRLUSD + r.PnL.FeesRLUSD + r.PnL.InventoryRLUSD; !near(sum, r.PnL.TotalRLUSD) {
		t.Errorf("trading + fees + inventory = %.10g, total %.10g", sum, r.PnL.TotalRLUSD)
	}
	if !r.MarketStart.Equal(ts[0]) || !r.MarketEnd.Equal(ts[4]) {
		t.Errorf("market span %v → %v, want %v → %v", r.MarketStart, r.MarketEnd, ts[0], ts[4])
	}
	if r.MaxDrawdown.PeakMarketTime == nil || !r.MaxDrawdown.PeakMarketTime.Equal(ts[0]) || !r.MaxDrawdown.TroughMarketTime.Equal(ts[1]) {
		t.Errorf("drawdown peak %v trough %v, want %v and %v", r.MaxDrawdown.PeakMarketTime, r.MaxDrawdown.TroughMarketTime, ts[0], ts[1])
	}
	checkHandTiers(t, r)
	checkHandDays(t, r)
}

// checkHandFigures checks the report figures of handSession, one row per
// figure.
func checkHandFigures(t *testing.T, r Report) {
	t.Helper()
	checks := []struct {
		name      string
		got, want float64
	}{
		{"market span s", r.MarketSpanSeconds, 4 * 3600},
		{"fills", float64(r.Fills.Count), 2},
		{"buy count", float64(r.Fills.Buy.Count), 1},
		{"buy XRP", r.Fills.Buy.VolumeXRP, 10},
		{"buy RLUSD", r.Fills.Buy.VolumeRLUSD, 9.7},
		{"buy avg", r.Fills.Buy.AvgPrice, 0.97},
		{"sell count", float64(r.Fills.Sell.Count), 1},
		{"sell RLUSD", r.Fills.Sell.VolumeRLUSD, 10.3},
		{"sell avg", r.Fills.Sell.AvgPrice, 1.03},
		{"volume", r.Fills.VolumeRLUSD, 20},
		{"ending value", r.EndingValue, 200.08},
		{"final mid", r.FinalMid, 1.00},
		{"total", r.PnL.TotalRLUSD, 0.08},
		{"total pct", r.PnL.TotalPct, 0.04},
		{"trading", r.PnL.TradingRLUSD, 0.2},
		{"fees", r.PnL.FeesRLUSD, -0.52},
		{"inventory (X×Δmid by hand)", r.PnL.InventoryRLUSD, 0.40},
		{"trading fees", r.Fees.TradingRLUSD, 0.02},
		{"network XRP", r.Fees.NetworkXRP, 0.5},
		{"network RLUSD", r.Fees.NetworkRLUSD, 0.5},
		{"hold value", r.Hold.HoldValueRLUSD, 200},
		{"hold pnl", r.Hold.HoldPnLRLUSD, 0},
		{"vs hold", r.Hold.ValueVsHoldRLUSD, 0.08},
		{"drawdown", r.MaxDrawdown.RLUSD, 2.3997},
		{"drawdown pct", r.MaxDrawdown.Pct, 2.3997 / 2},
		{"drawdown peak", r.MaxDrawdown.PeakValue, 200},
		{"drawdown trough", r.MaxDrawdown.TroughValue, 197.6003},
		{"events", float64(r.Events.Total), 4},
		{"tier changes", float64(r.Events.TierChanges), 2},
		{"data gaps", float64(r.Events.DataGaps), 1},
		{"warnings", float64(r.Events.Warnings), 1},
	}
	for _, c := range checks {
		if !near(c.got, c.want) {
			t.Errorf("%s = %.10g, want %.10g", c.name, c.got, c.want)
		}
	}
}

// checkHandTiers checks the time handSession spent in each skew tier: tier
// 0 from t0 to t1 and t3 to t4 (1.5 h), tier 1 from t1 to t3 (2.5 h).
func checkHandTiers(t *testing.T, r Report) {
	t.Helper()
	wantTiers := []TierTime{{0, 5400, 37.5}, {1, 9000, 62.5}}
	if len(r.SkewTiers) != 2 {
		t.Fatalf("skew tiers %+v, want %+v", r.SkewTiers, wantTiers)
	}
	for i, w := range wantTiers {
		if g := r.SkewTiers[i]; g.Tier != w.Tier || !near(g.Seconds, w.Seconds) || !near(g.Pct, w.Pct) {
			t.Errorf("tier %d: %+v, want %+v", i, g, w)
		}
	}
}

// checkHandDays checks handSession's P&L by market day: Jan 1 closes at
// t1's value, Jan 2 at the end; the days add up to the total.
func checkHandDays(t *testing.T, r Report) {
	t.Helper()
	wantDays := []DayPnL{{"2025-01-01", 200, 197.6003, -2.3997}, {"2025-01-02", 197.6003, 200.08, 2.4797}}
	if len(r.Daily) != 2 {
		t.Fatalf("daily %+v, want %+v", r.Daily, wantDays)
	}
	var daySum float64
	for i, w := range wantDays {
		g := r.Daily[i]
		daySum += g.PnLRLUSD
		if g.MarketDay != w.MarketDay || !near(g.OpenValue, w.OpenValue) || !near(g.CloseValue, w.CloseValue) || !near(g.PnLRLUSD, w.PnLRLUSD) {
			t.Errorf("day %d: %+v, want %+v", i, g, w)
		}
	}
	if !near(daySum, r.PnL.TotalRLUSD) {
		t.Errorf("daily P&L sums to %.10g, total %.10g", daySum, r.PnL.TotalRLUSD)
	}
}

// TestBuildReportOrderFree: records handed over in any order give the same
// report (they are sorted by market time).
func TestBuildReportOrderFree(t *testing.T) {
	s, fills, inv, val, events, _ := handSession()
	want := BuildReport(s, fills, inv, val, events)
	rev := func(n int, swap func(i, j int)) {
		for i, j := 0, n-1; i < j; i, j = i+1, j-1 {
			swap(i, j)
		}
	}
	rev(len(fills), func(i, j int) { fills[i], fills[j] = fills[j], fills[i] })
	rev(len(inv), func(i, j int) { inv[i], inv[j] = inv[j], inv[i] })
	rev(len(val), func(i, j int) { val[i], val[j] = val[j], val[i] })
	got := BuildReport(s, fills, inv, val, events)
	a, _ := json.Marshal(want)
	b, _ := json.Marshal(got)
	if !bytes.Equal(a, b) {
		t.Fatalf("reversed records give\n%s\nwant\n%s", b, a)
	}
}

// edgeT0 is the start of TestBuildReportEdges' sessions.
var edgeT0 = time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)

// TestBuildReportEdges builds the report of one session per edge case and
// checks it with the case's own function (after the checks every report
// must pass).
func TestBuildReportEdges(t *testing.T) {
	t0 := edgeT0
	cases := []struct {
		name  string
		s     SessionSummary
		fills []Fill
		inv   []InventorySnapshot
		val   []ValuationSnapshot
		check func(t *testing.T, r Report)
	}{
		{
			name:  "no records",
			s:     mkSession(t0, nil, 10, 10, 1, nil),
			check: checkEdgeNoRecords,
		},
		{
			name:  "running",
			s:     mkSession(t0, nil, 10, 10, 1, nil),
			fills: []Fill{mkFill(t0.Add(time.Minute), Buy, 0.99, 1, 0)},
			inv:   []InventorySnapshot{mkInv(t0, 1, 10, 10, 0), mkInv(t0.Add(time.Minute), 1.01, 11, 9.01, 0), mkInv(t0.Add(2*time.Minute), 1.02, 11, 9.01, 2)},
			check: checkEdgeRunning,
		},
		{
			name:  "fill outside snapshots",
			s:     mkSession(t0, nil, 10, 10, 1, nil),
			fills: []Fill{mkFill(t0.Add(-time.Minute), Sell, 1.2, 1, 0), mkFill(t0.Add(time.Hour), Sell, 1.1, 1, 0)},
			inv:   []InventorySnapshot{mkInv(t0, 1.0, 10, 10, 0), mkInv(t0.Add(time.Minute), 1.05, 10, 10, 0)},
			check: checkEdgeFillOutside,
		},
		{
			name:  "no drawdown",
			s:     mkSession(t0, fptr2(t0.Add(time.Hour)), 10, 10, 1, fptr(21)),
			inv:   []InventorySnapshot{mkInv(t0, 1.0, 10, 10, 0), mkInv(t0.Add(time.Hour), 1.1, 10, 10, 0)},
			check: checkEdgeNoDrawdown,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := BuildReport(c.s, c.fills, c.inv, c.val, nil)
			if sum := r.PnL.TradingRLUSD + r.PnL.FeesRLUSD + r.PnL.InventoryRLUSD; !near(sum, r.PnL.TotalRLUSD) {
				t.Errorf("identity: %v + %v + %v != %v", r.PnL.TradingRLUSD, r.PnL.FeesRLUSD, r.PnL.InventoryRLUSD, r.PnL.TotalRLUSD)
			}
			if _, err := json.Marshal(r); err != nil {
				t.Fatal(err)
			}
			c.check(t, r)
		})
	}
}

// checkEdgeNoRecords checks the report of a running session with no
// records.
func checkEdgeNoRecords(t *testing.T, r Report) {
	if !r.Running || r.HaltReason != nil || r.PnL.TotalRLUSD != 0 || r.EndingValue != 20 || r.MarketEnd != nil || r.SkewTiers != nil || r.MaxDrawdown.PeakMarketTime != nil {
		t.Errorf("empty running session: %+v", r)
	}
	if len(r.Daily) != 1 || r.Daily[0].PnLRLUSD != 0 {
		t.Errorf("daily %+v, want one day at 0", r.Daily)
	}
}

// checkEdgeRunning checks a running session's report: its end is the
// latest record, its ending value the latest snapshot's; a balance that
// moved only by its fills means no network fee.
func checkEdgeRunning(t *testing.T, r Report) {
	// V end = 9.01 + 11×1.02 = 20.23; capture 1.01 − 0.99 =
	// 0.02; inventory 10×0.01 + 11×0.01 = 0.21.
	if !r.MarketEnd.Equal(edgeT0.Add(2*time.Minute)) || !near(r.EndingValue, 20.23) || !near(r.PnL.TradingRLUSD, 0.02) ||
		!near(r.PnL.InventoryRLUSD, 0.21) || r.Fees.NetworkRLUSD != 0 || !near(r.Hold.HoldValueRLUSD, 20.2) {
		t.Errorf("running: %+v", r)
	}
	// Tiers 0..2 listed; tier 2's last snapshot ends the span.
	if len(r.SkewTiers) != 3 || r.SkewTiers[0].Seconds != 120 || r.SkewTiers[1].Seconds != 0 || r.SkewTiers[2].Seconds != 0 {
		t.Errorf("tiers %+v", r.SkewTiers)
	}
}

// checkEdgeFillOutside checks that a fill after the last snapshot is
// valued at the latest mid, and fills before the first snapshot at the
// first one's.
func checkEdgeFillOutside(t *testing.T, r Report) {
	// (1.2 − 1.0) + (1.1 − 1.05)
	if !near(r.PnL.TradingRLUSD, 0.25) {
		t.Errorf("trading %v, want 0.25", r.PnL.TradingRLUSD)
	}
}

// checkEdgeNoDrawdown checks a session whose value only rises: no
// drawdown, no times.
func checkEdgeNoDrawdown(t *testing.T, r Report) {
	if r.MaxDrawdown.RLUSD != 0 || r.MaxDrawdown.PeakMarketTime != nil || !near(r.Hold.HoldValueRLUSD, 21) || !near(r.Hold.ValueVsHoldRLUSD, 0) {
		t.Errorf("drawdown %+v hold %+v", r.MaxDrawdown, r.Hold)
	}
}

func fptr2(t time.Time) *time.Time { return &t }

// TestBuildReportSimulated runs a seeded random session through a small
// paper model that books the P&L parts as they happen (capture against
// the mid, fees, XRP × Δmid) and checks the report's split against them.
// Network fees are valued by the report at the final mid; the model's
// inventory part is corrected by what that moves (Σ n × (m_final − m)).
func TestBuildReportSimulated(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		m := simulatePaperSession(rand.New(rand.NewPCG(seed, 99)))
		mid, networkXRP := m.mid, m.networkXRP
		r := BuildReport(m.session, m.fills, m.inv, m.val, nil)

		wantInv := m.invMoves - m.netAtTime + networkXRP*mid
		total := m.endValue - m.startValue
		if !near(total, m.capture-m.tradingFees-m.netAtTime+m.invMoves) {
			t.Fatalf("seed %d: the model does not add up", seed)
		}
		for _, c := range []struct {
			name      string
			got, want float64
		}{
			{"total", r.PnL.TotalRLUSD, total},
			{"trading", r.PnL.TradingRLUSD, m.capture},
			{"fees", r.PnL.FeesRLUSD, -(m.tradingFees + networkXRP*mid)},
			{"network XRP", r.Fees.NetworkXRP, networkXRP},
			{"inventory", r.PnL.InventoryRLUSD, wantInv},
			{"vs hold", r.Hold.ValueVsHoldRLUSD, m.endValue - (2300 + 1000*mid)},
		} {
			if math.Abs(c.got-c.want) > 1e-6 {
				t.Errorf("seed %d: %s = %.9f, want %.9f", seed, c.name, c.got, c.want)
			}
		}
		var daySum, tierSecs float64
		for _, d := range r.Daily {
			daySum += d.PnLRLUSD
		}
		for _, tt := range r.SkewTiers {
			tierSecs += tt.Seconds
		}
		if span := m.end.Sub(m.start).Seconds(); math.Abs(daySum-total) > 1e-6 || math.Abs(tierSecs-span) > 1e-6 {
			t.Errorf("seed %d: daily sum %v (total %v), tier seconds %v (span %v)", seed, daySum, total, tierSecs, span)
		}
		if t.Failed() {
			t.Logf("seed %d", seed)
			return
		}
	}
}

// paperSession is a simulated session's records and the P&L parts the
// paper model booked as they happened.
type paperSession struct {
	session                        SessionSummary
	fills                          []Fill
	inv                            []InventorySnapshot
	val                            []ValuationSnapshot
	start, end                     time.Time
	mid                            float64 // the final mid
	startValue, endValue           float64
	capture, tradingFees, invMoves float64 // RLUSD
	networkXRP                     float64 // XRP spent on network fees
	netAtTime                      float64 // the network fees valued at the mid when paid
}

// simulatePaperSession runs 400 random steps from 1000 XRP and 2300 RLUSD
// at mid 2.3: a mid walk, placements that pay a network fee, fills at up
// to 10 bps from the mid, inventory snapshots at fills and between, a
// valuation snapshot every 25 steps and both at the end.
func simulatePaperSession(rng *rand.Rand) paperSession {
	t0 := time.Date(2025, 3, 1, 20, 0, 0, 0, time.UTC)
	x, rl, mid := 1000.0, 2300.0, 2.3
	startValue := rl + x*mid
	var fills []Fill
	var inv []InventorySnapshot
	var val []ValuationSnapshot
	var capture, tradingFees, networkXRP, invMoves, netAtTime float64
	at := t0
	inv = append(inv, mkInv(at, mid, x, rl, 0))
	for step := 0; step < 400; step++ {
		at = at.Add(time.Duration(1+rng.IntN(600)) * time.Second)
		next := mid * math.Exp(0.004*rng.NormFloat64())
		invMoves += x * (next - mid)
		mid = next
		if rng.IntN(3) == 0 { // a placement: network fee
			n := 0.000012 * float64(1+rng.IntN(4))
			x -= n
			networkXRP += n
			netAtTime += n * mid
		}
		if rng.IntN(2) == 0 {
			side, price := Buy, mid*(1-0.001*rng.Float64())
			if rng.IntN(2) == 0 {
				side, price = Sell, mid*(1+0.001*rng.Float64())
			}
			f := mkFill(at, side, price, 1+rng.Float64()*20, 5)
			if side == Buy {
				x += f.QtyXRP
				rl -= f.ValueRLUSD + f.FeeRLUSD
				capture += f.QtyXRP*mid - f.ValueRLUSD
			} else {
				x -= f.QtyXRP
				rl += f.ValueRLUSD - f.FeeRLUSD
				capture += f.ValueRLUSD - f.QtyXRP*mid
			}
			tradingFees += f.FeeRLUSD
			fills = append(fills, f)
			inv = append(inv, mkInv(at, mid, x, rl, rng.IntN(4)))
		} else if rng.IntN(2) == 0 {
			inv = append(inv, mkInv(at, mid, x, rl, rng.IntN(4)))
		}
		if step%25 == 0 {
			val = append(val, mkVal(at, mid, rl+x*mid, 2300+1000*mid, tradingFees+networkXRP*mid))
		}
	}
	end := at
	endValue := rl + x*mid
	inv = append(inv, mkInv(end, mid, x, rl, 0))
	val = append(val, mkVal(end, mid, endValue, 2300+1000*mid, tradingFees+networkXRP*mid))
	return paperSession{
		session: mkSession(t0, &end, 1000, 2300, 2.3, &endValue),
		fills:   fills, inv: inv, val: val,
		start: t0, end: end, mid: mid,
		startValue: startValue, endValue: endValue,
		capture: capture, tradingFees: tradingFees, invMoves: invMoves,
		networkXRP: networkXRP, netAtTime: netAtTime,
	}
}

func TestReportJSONKeys(t *testing.T) {
	s, fills, inv, val, events, _ := handSession()
	b, err := json.Marshal(BuildReport(s, fills, inv, val, events))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"session_id", "market_start", "market_end", "market_span_seconds", "wall_started_at",
		"wall_ended_at", "fills", "pnl", "fees", "hold", "max_drawdown", "skew_tiers", "daily_pnl", "starting_value_rlusd", "ending_value_rlusd"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON has no key %q: %s", k, b)
		}
	}
	if m["halt_reason"] != "feed_ended" || m["damage"] != nil {
		t.Errorf("halt_reason %v damage %v", m["halt_reason"], m["damage"])
	}
	if m["market_start"] != "2025-01-01T23:00:00Z" {
		t.Errorf("market_start %v", m["market_start"])
	}
	pnl := m["pnl"].(map[string]any)
	for _, k := range []string{"total_rlusd", "trading_rlusd", "fees_rlusd", "inventory_rlusd"} {
		if _, ok := pnl[k]; !ok {
			t.Errorf("pnl has no key %q", k)
		}
	}
	dd := m["max_drawdown"].(map[string]any)
	if dd["peak_market_time"] != "2025-01-01T23:00:00Z" || dd["trough_market_time"] != "2025-01-01T23:30:00Z" {
		t.Errorf("drawdown times %v %v", dd["peak_market_time"], dd["trough_market_time"])
	}
}

func TestReportText(t *testing.T) {
	s, fills, inv, val, events, _ := handSession()
	s.SessionID = "id\x1b[31mred\x07"
	s.Damage = "ending_value \x1b]0;x\x07"
	r := BuildReport(s, fills, inv, val, events)
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	short := r.Short()
	for _, want := range []string{
		"2025-01-01 23:00:00Z → 2025-01-02 03:00:00Z (4h00m00s)",
		"trading (spread capture)", "+0.2000", "-0.5200", "+0.4000", "+0.0800",
		"2025-01-01", "-2.3997", "2025-01-02", "+2.4797",
		"tier 1", "62.5 %", "peak 200.0000 at 2025-01-01 23:00:00Z, trough 197.6003 at 2025-01-01 23:30:00Z",
		"warning: the session row is damaged (ending_value ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report text lacks %q:\n%s", want, out)
		}
	}
	for _, txt := range []string{out, short} {
		if strings.ContainsAny(txt, "\x1b\x07") {
			t.Errorf("text from the database reached the output unsanitised:\n%q", txt)
		}
	}
	if n := strings.Count(short, "\n"); n != 3 || !strings.Contains(short, "P&L +0.0800 RLUSD") || !strings.Contains(short, "2 fills (buy 1, sell 1)") {
		t.Errorf("short form (%d lines):\n%s", n, short)
	}
	// The P&L and value figures are right-aligned in one column.
	col := -1
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "  trading (spread capture)") || strings.HasPrefix(l, "  inventory moves") || strings.HasPrefix(l, "  total ") ||
			strings.HasPrefix(l, "  starting") || strings.HasPrefix(l, "  value vs hold") {
			loc := signedFigure.FindStringIndex(l)
			if loc == nil {
				t.Fatalf("no figure on %q", l)
			}
			end := loc[1]
			if col >= 0 && end != col {
				t.Errorf("P&L column not aligned:\n%s", out)
			}
			col = end
		}
	}
}

// signedFigure is a figure with four decimals, signed or not.
var signedFigure = regexp.MustCompile(`[+-]?[0-9,]+\.[0-9]{4}`)

func TestReportFormats(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{Thousands(1234567.891, 2), "1,234,567.89"},
		{Thousands(-1234.5, 1), "-1,234.5"},
		{Thousands(999, 0), "999"},
		{Thousands(-0.00001, 4), "0.0000"},
		{Signed(0, 2), "0.00"},         // no sign on nothing
		{Signed(-0.00001, 3), "0.000"}, // nor on what rounds to nothing
		{Signed(0.0004, 3), "0.000"},
		{Signed(-12345.678, 2), "-12,345.68"},
		{Signed(1000, 0), "+1,000"},
		{FormatSeconds(4.256), "4.26s"},
		{FormatSeconds(3725), "1h02m05s"},
		{FormatSeconds(125), "2m05s"},
		{FormatSeconds(35*86400 + 3*3600 + 60*7), "35d 03h07m"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// wholeHistory serves one session, its series only through the walks
// (sorted, as the store streams them), and fails the test when a reader
// that would not give every row is used: a series reader (the store
// samples those to maxPoints, and would hold them all) or Fills/Events
// with a limit.
type wholeHistory struct {
	t      *testing.T
	s      SessionSummary
	fills  []Fill
	inv    []InventorySnapshot
	val    []ValuationSnapshot
	events []SessionEvent
}

func (h *wholeHistory) ListSessions(context.Context, SessionQuery) ([]SessionSummary, error) {
	return []SessionSummary{h.s}, nil
}
func (h *wholeHistory) GetSession(_ context.Context, id string) (SessionSummary, error) {
	if id != h.s.SessionID {
		return SessionSummary{}, ErrNotFound
	}
	return h.s, nil
}
func (h *wholeHistory) ValuationSeries(_ context.Context, _ string, n int) ([]ValuationSnapshot, error) {
	h.t.Errorf("LoadReport read the valuation series (sampled to %d points), not every row", n)
	return h.val, nil
}
func (h *wholeHistory) InventorySeries(_ context.Context, _ string, n int) ([]InventorySnapshot, error) {
	h.t.Errorf("LoadReport read the inventory series (sampled to %d points), not every row", n)
	return h.inv, nil
}
func (h *wholeHistory) EachInventory(_ context.Context, _ string, fn func(InventorySnapshot) error) error {
	return eachOf(sortedBy(h.inv, inventoryTime))(fn)
}
func (h *wholeHistory) EachValuation(_ context.Context, _ string, fn func(ValuationSnapshot) error) error {
	return eachOf(sortedBy(h.val, valuationTime))(fn)
}
func (h *wholeHistory) Fills(_ context.Context, _ string, n int) ([]Fill, error) {
	if n > 0 {
		h.t.Errorf("LoadReport read the fills with a limit of %d", n)
	}
	return h.fills, nil
}
func (h *wholeHistory) Events(_ context.Context, _ string, n int) ([]SessionEvent, error) {
	if n > 0 {
		h.t.Errorf("LoadReport read the events with a limit of %d", n)
	}
	return h.events, nil
}

// TestLoadReportFullResolution: LoadReport reads every row (a sampled
// series would move the drawdown, the tiers and the split), and an unknown
// session is ErrNotFound.
func TestLoadReportFullResolution(t *testing.T) {
	s, fills, inv, val, events, _ := handSession()
	h := &wholeHistory{t, s, fills, inv, val, events}
	got, err := LoadReport(context.Background(), h, "s")
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(BuildReport(s, fills, inv, val, events))
	b, _ := json.Marshal(got)
	if !bytes.Equal(a, b) {
		t.Fatalf("LoadReport gives\n%s\nwant\n%s", b, a)
	}
	if _, err := LoadReport(context.Background(), h, "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown session: %v, want ErrNotFound", err)
	}
}

// A running session's network fees are those its latest snapshot holds,
// not those of its latest valuation snapshot alone (taken every
// valuation_interval, the first before any order): the XRP balance of the
// inventory snapshots shows every placement's and cancel's fee as it is
// paid. Its session row has no ending figures yet.
func TestReportRunningSessionNetworkFees(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	t1, t2, t3 := t0.Add(time.Minute), t0.Add(2*time.Minute), t0.Add(3*time.Minute)
	const fee = 0.000012
	// t0: the first event's snapshots, then two placements; t1: the bid
	// fills 10 XRP at 2.29, then a cancel and a placement; t2: a periodic
	// inventory snapshot.
	x1 := 1000 - 2*fee + 10
	fills := []Fill{mkFill(t1, Buy, 2.29, 10, 0)}
	inv := []InventorySnapshot{mkInv(t0, 2.3, 1000, 2300, 0), mkInv(t1, 2.30, x1, 2300-22.9, 0), mkInv(t2, 2.31, x1-2*fee, 2300-22.9, 0)}
	val := []ValuationSnapshot{mkVal(t0, 2.3, 4600, 4600, 0)}
	running := mkSession(t0, nil, 1000, 2300, 2.3, nil)
	damaged := running
	damaged.Damage, damaged.StartingXRP = "starting_xrp", 0
	for _, c := range []struct {
		name      string
		s         SessionSummary
		val       []ValuationSnapshot
		xrp, rlus float64
	}{
		{"latest inventory snapshot", running, val, 4 * fee, 4 * fee * 2.31},
		// A later valuation snapshot holds the newer figure (a fifth fee,
		// paid after t2): its fees_rlusd less the trading fees so far.
		{"later valuation snapshot", running, append(val, mkVal(t3, 2.32, 4622, 4622, 5*fee*2.32)), 5 * fee, 5 * fee * 2.32},
		{"damaged row: the valuation's figure", damaged, val, 0, 0},
	} {
		r := BuildReport(c.s, fills, inv, c.val, nil)
		if !near(r.Fees.NetworkXRP, c.xrp) || !near(r.Fees.NetworkRLUSD, c.rlus) {
			t.Errorf("%s: network fees %.9f XRP (%.9f RLUSD), want %.9f XRP (%.9f RLUSD)", c.name, r.Fees.NetworkXRP, r.Fees.NetworkRLUSD, c.xrp, c.rlus)
		}
		if !near(r.PnL.FeesRLUSD, -c.rlus) {
			t.Errorf("%s: P&L fees %.9f, want %.9f", c.name, r.PnL.FeesRLUSD, -c.rlus)
		}
		var b strings.Builder
		if err := r.WriteText(&b); err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("network fees (%s XRP)", Thousands(c.xrp, 6)); !strings.Contains(b.String(), want) {
			t.Errorf("%s: the text says no %q:\n%s", c.name, want, b.String())
		}
	}
}

// At low and high price levels the report still tells the sides apart: a
// price near 0.0001 keeps nine decimals (0.000101261 / 0.000101441, not
// 0.000101 twice) and an XRP volume keeps six (0.040685, not 0.0407).
func TestReportTextAtOtherPriceLevels(t *testing.T) {
	var r Report
	r.Fills.Buy = SideStats{Count: 3, VolumeXRP: 1_000_000, VolumeRLUSD: 101.261, AvgPrice: 0.000101261}
	r.Fills.Sell = SideStats{Count: 2, VolumeXRP: 0.040685, VolumeRLUSD: 1017.125, AvgPrice: 25000}
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"0.000101261", "0.040685", "25,000.000000"} {
		if !strings.Contains(b.String(), want) {
			t.Fatalf("report text lacks %q:\n%s", want, b.String())
		}
	}
	for _, c := range []struct {
		v    float64
		want int
	}{{2.3, 6}, {0.05, 6}, {0.0499, 9}, {0.0001, 9}, {0.00004, 12}, {0, 6}, {-0.001, 9}} {
		if got := PriceDecimals(c.v); got != c.want {
			t.Errorf("PriceDecimals(%v) = %d, want %d", c.v, got, c.want)
		}
	}
}
