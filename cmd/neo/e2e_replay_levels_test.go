package main

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// klineFile writes a Binance kline file of n bars of interval iv: a seeded
// random walk from price, each bar's high and low a little past its open
// and close, and gapAfter > 0 leaves gap of missing data after that bar.
func klineFile(tb testing.TB, dir string, seed uint64, price float64, iv time.Duration, n int, gapAfter int, gap time.Duration) string {
	tb.Helper()
	tb.Logf("kline file: seed %d, %d bars of %s from %v", seed, n, iv, price)
	rng := rand.New(rand.NewPCG(seed, 11))
	t := time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC)
	var b strings.Builder
	b.WriteString("open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore\n")
	for i := 0; i < n; i++ {
		open := price
		price *= math.Exp(0.002 * rng.NormFloat64())
		hi := math.Max(open, price) * (1 + 0.003*rng.Float64())
		lo := math.Min(open, price) * (1 - 0.003*rng.Float64())
		ms := t.UnixMilli()
		fmt.Fprintf(&b, "%d,%.8f,%.8f,%.8f,%.8f,1000,%d,1000,10,500,500,0\n", ms, open, hi, lo, price, ms+iv.Milliseconds()-1)
		t = t.Add(iv)
		if i+1 == gapAfter {
			t = t.Add(gap)
		}
	}
	return writeFile(tb, dir, fmt.Sprintf("klines-%s-%v.csv", iv, seed), b.String())
}

// replayStart is what an independent reader sees of a replay's start.
type replayStart struct {
	xrp, rlusd, value float64
	firstMid, drift   float64
	tier              int
}

func readReplayStart(tb testing.TB, dbPath, id string) replayStart {
	tb.Helper()
	db, err := sql.Open("sqlite", "file:"+dbPath+"?mode=ro")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	var r replayStart
	err = db.QueryRowContext(context.Background(), `SELECT s.starting_xrp, s.starting_rlusd, s.starting_value, i.mid_price, i.drift_pct, i.skew_tier
		FROM sessions s JOIN inventory_snapshots i ON i.session_key = s.session_key
		WHERE s.session_id = ? ORDER BY i.rowid LIMIT 1`, id).Scan(&r.xrp, &r.rlusd, &r.value, &r.firstMid, &r.drift, &r.tier)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// TestReplayPriceLevels: one-minute files at 0.3, 0.5 and 2.5, with the
// default config, start balanced (4,600 RLUSD split 50/50 at the first
// mid: drift 0, tier 0), trade, and replay to feed_ended. Before
// starting_value_rlusd the 0.3 file halted on its first bar as
// inventory_limit (drift -38.5 %) with 0 fills.
func TestReplayPriceLevels(t *testing.T) {
	for i, level := range []float64{0.3, 0.5, 2.5} {
		t.Run(fmt.Sprint(level), func(t *testing.T) {
			dir := t.TempDir()
			file := klineFile(t, dir, uint64(30+i), level, time.Minute, 2000, 0, 0)
			db := filepath.Join(dir, "neo.db")
			code, _, stderr := runNeo(t, nil, "run", "--db", db, "--headless", "--speed", "0", "--feed", "replay:"+file)
			if code != 0 {
				t.Fatalf("exit %d, want 0; stderr:\n%s", code, stderr)
			}
			s := checkClosedCleanly(t, db, "feed_ended")
			if s.Fills == 0 {
				t.Fatalf("no fills at %v; events:\n%s", level, strings.Join(s.Events, "\n"))
			}
			st := readReplayStart(t, db, s.ID)
			if math.Abs(st.rlusd-2300) > 1e-6 || math.Abs(st.xrp*st.firstMid-2300) > 1e-3 || math.Abs(st.value-4600) > 1e-3 {
				t.Fatalf("start %v XRP + %v RLUSD = %v at %v, want 2300 RLUSD on each side", st.xrp, st.rlusd, st.value, st.firstMid)
			}
			if math.Abs(st.drift) > 1e-6 || st.tier != 0 {
				t.Fatalf("first snapshot drift %v tier %d, want 0 and 0", st.drift, st.tier)
			}
			t.Logf("level %v: %.4f XRP + %.4f RLUSD, %d fills", level, st.xrp, st.rlusd, s.Fills)
		})
	}
}

// TestReplayLongBars: a 1-hour and a 1-day kline file replay to
// feed_ended: a bar interval longer than stale_feed_after (2m) is the
// file's rhythm, not a stale feed.
func TestReplayLongBars(t *testing.T) {
	for _, iv := range []time.Duration{time.Hour, 24 * time.Hour} {
		t.Run(iv.String(), func(t *testing.T) {
			dir := t.TempDir()
			file := klineFile(t, dir, 7, 0.52, iv, 300, 0, 0)
			db := filepath.Join(dir, "neo.db")
			code, _, stderr := runNeo(t, nil, "run", "--db", db, "--headless", "--speed", "0", "--feed", "replay:"+file)
			if code != 0 {
				t.Fatalf("exit %d, want 0; stderr:\n%s", code, stderr)
			}
			s := checkClosedCleanly(t, db, "feed_ended")
			for _, e := range s.Events {
				if strings.HasPrefix(e, "stale_feed:") || strings.HasPrefix(e, "data_gap:") {
					t.Fatalf("%s bars: event %q", iv, e)
				}
			}
			if s.Fills == 0 {
				t.Fatalf("%s bars: no fills", iv)
			}
		})
	}
}

// TestReplayDataGap: 3h20m of missing one-minute bars pulls the quotes and
// is recorded as a data_gap event; the replay goes on to feed_ended (it
// used to end as stale_feed).
func TestReplayDataGap(t *testing.T) {
	dir := t.TempDir()
	file := klineFile(t, dir, 8, 2.3, time.Minute, 400, 200, 3*time.Hour+20*time.Minute)
	db := filepath.Join(dir, "neo.db")
	code, _, stderr := runNeo(t, nil, "run", "--db", db, "--headless", "--speed", "0", "--feed", "replay:"+file)
	if code != 0 {
		t.Fatalf("exit %d, want 0; stderr:\n%s", code, stderr)
	}
	s := checkClosedCleanly(t, db, "feed_ended")
	var gaps []string
	for _, e := range s.Events {
		if strings.HasPrefix(e, "data_gap:") {
			gaps = append(gaps, e)
		}
	}
	// Bar 200 ends at 03:20; the next one, after the gap, at 06:41.
	want := "data_gap: data gap of 3h21m0s from 2021-03-01 03:20:00Z to 2021-03-01 06:41:00Z"
	if len(gaps) != 1 || !strings.HasPrefix(gaps[0], want) || !strings.Contains(gaps[0], "quotes pulled") {
		t.Fatalf("data_gap events %q, want one starting %q", gaps, want)
	}
}
