package feed_test

import (
	"context"
	"math"
	"reflect"
	"testing"
	"time"

	"neo/engine"
	"neo/engine/feed"
)

var testStart = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// MustNext returns the next event of f or fails the test.
func MustNext(tb testing.TB, f engine.Feed) engine.MarketEvent {
	tb.Helper()
	ev, err := f.Next(context.Background())
	if err != nil {
		tb.Fatalf("Next: %v", err)
	}
	return ev
}

func TestSimDeterministic(t *testing.T) {
	const n = 10000
	a, b := feed.NewSim(42, testStart), feed.NewSim(42, testStart)
	other := feed.NewSim(43, testStart)
	differs := false
	for i := range n {
		ea, eb, eo := MustNext(t, a), MustNext(t, b), MustNext(t, other)
		if !reflect.DeepEqual(ea, eb) {
			t.Fatalf("event %d differs for the same seed:\n%+v\n%+v", i, ea, eb)
		}
		if ea.Bid != eo.Bid {
			differs = true
		}
	}
	if !differs {
		t.Fatal("seeds 42 and 43 gave the same book")
	}
}

func TestSimEvents(t *testing.T) {
	s := feed.NewSim(1, testStart)
	if got, want := s.Name(), "sim"; got != want {
		t.Fatalf("Name()=%q, want %q", got, want)
	}
	prev := testStart
	for i := range 2000 {
		ev := MustNext(t, s)
		if got, want := ev.Time.Sub(prev), feed.SimStep; got != want {
			t.Fatalf("event %d: step %s, want %s", i, got, want)
		}
		prev = ev.Time
		spreadBps := (ev.Ask - ev.Bid) / ev.Mid() * 1e4
		if spreadBps < 1.99 || spreadBps > 6.01 {
			t.Fatalf("event %d: spread %.3f bps, want 2..6", i, spreadBps)
		}
		if d := math.Abs(ev.Anchor/ev.Mid()-1) * 1e4; d > 100 {
			t.Fatalf("event %d: anchor %v is %.1f bps from mid %v", i, ev.Anchor, d, ev.Mid())
		}
		if ev.Bar != nil {
			t.Fatalf("event %d: sim event has a bar", i)
		}
		for _, tr := range ev.Trades {
			switch tr.Side {
			case engine.Sell:
				if tr.Price > ev.Bid {
					t.Fatalf("event %d: taker sell at %v above bid %v", i, tr.Price, ev.Bid)
				}
			case engine.Buy:
				if tr.Price < ev.Ask {
					t.Fatalf("event %d: taker buy at %v below ask %v", i, tr.Price, ev.Ask)
				}
			default:
				t.Fatalf("event %d: trade side %q", i, tr.Side)
			}
			if tr.QtyXRP <= 0 || tr.QtyXRP > feed.SimMaxTradeXRP {
				t.Fatalf("event %d: trade size %v", i, tr.QtyXRP)
			}
		}
	}
}

func TestSimContextDone(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := feed.NewSim(1, testStart).Next(ctx); err == nil {
		t.Fatal("Next ignored a cancelled context")
	}
}

// TestSimDay checks the statistics of one simulated day against loose
// bounds. The seed is fixed, so the test cannot flake.
func TestSimDay(t *testing.T) {
	const events = int(24 * time.Hour / feed.SimStep)
	d := runSimDay(t, feed.NewSim(7, testStart), events)
	if got, want := d.last.Time.Sub(d.first.Time), 24*time.Hour-feed.SimStep; got != want {
		t.Fatalf("a day of events spans %s, want %s", got, want)
	}

	// Realised daily volatility of the mid (spread noise included).
	n := float64(events)
	variance := d.sumR2/n - (d.sumR/n)*(d.sumR/n)
	dailyVol := math.Sqrt(variance * n)
	t.Logf("daily vol %.4f, trades %d (%.3f/s), sells %d, prints >= 25 bps from mid %d, largest %.0f XRP, max anchor gap %.1f bps, anchor > 10 bps away %.1f%% of the time",
		dailyVol, d.trades, float64(d.trades)/86400, d.sells, d.deepQuoteFills, d.largestTradeXRP, d.maxAnchorBps, 100*float64(d.anchorFar)/n)
	// The spread's re-draw each step adds noise to the mid; the mid stays a
	// realistic XRP-like walk within a factor of about two.
	if dailyVol < 0.03 || dailyVol > 0.12 {
		t.Errorf("daily vol %.4f, want about %.3f", dailyVol, feed.SimDailyVol)
	}
	if rate := float64(d.trades) / 86400; rate < 0.35 || rate > 0.45 {
		t.Errorf("trade rate %.3f/s, want about %.1f/s", rate, feed.SimTradesPerSecond)
	}
	if frac := float64(d.sells) / float64(d.trades); frac < 0.45 || frac > 0.55 {
		t.Errorf("sell share %.3f, want about 0.5", frac)
	}
	if frac := float64(d.medianBelow300) / float64(d.trades); frac < 0.45 || frac > 0.55 {
		t.Errorf("share of trades below %v XRP %.3f, want about 0.5 (median)", feed.SimMedianTradeXRP, frac)
	}
	if d.deepQuoteFills == 0 {
		t.Error("no taker print reached 25 bps from the mid: quotes at 25 bps could never fill")
	}
	if frac := float64(d.deepQuoteFills) / float64(d.trades); frac > 0.2 {
		t.Errorf("%.2f of trades print >= 25 bps from the mid: too many", frac)
	}
	if d.largestTradeXRP < 3000 {
		t.Errorf("largest trade %.0f XRP: the size tail is too thin", d.largestTradeXRP)
	}
	// Only a jump (at most 2 %) takes the lagging anchor far from the mid.
	if d.maxAnchorBps > 250 {
		t.Errorf("anchor strayed %.1f bps from the mid", d.maxAnchorBps)
	}
	if frac := float64(d.anchorFar) / n; frac > 0.2 {
		t.Errorf("anchor more than 10 bps from the mid %.1f%% of the time", 100*frac)
	}
}

// simDay is what TestSimDay measures over a run of events.
type simDay struct {
	trades, sells   int
	sumR, sumR2     float64 // Σ and Σ² of the mid's log returns
	maxAnchorBps    float64
	anchorFar       int // events with the anchor > 10 bps from the mid
	deepQuoteFills  int // taker prints 25 bps or more beyond the mid
	medianBelow300  int
	first, last     engine.MarketEvent
	largestTradeXRP float64
}

// runSimDay reads events from s and measures them.
func runSimDay(t *testing.T, s *feed.Sim, events int) simDay {
	t.Helper()
	var d simDay
	prevMid := feed.SimStartPrice
	for i := range events {
		ev := MustNext(t, s)
		if i == 0 {
			d.first = ev
		}
		d.last = ev
		r := math.Log(ev.Mid() / prevMid)
		d.sumR += r
		d.sumR2 += r * r
		prevMid = ev.Mid()
		gap := math.Abs(ev.Anchor/ev.Mid()-1) * 1e4
		d.maxAnchorBps = math.Max(d.maxAnchorBps, gap)
		if gap > 10 {
			d.anchorFar++
		}
		for _, tr := range ev.Trades {
			d.trades++
			if tr.Side == engine.Sell {
				d.sells++
			}
			if math.Abs(tr.Price/ev.Mid()-1)*1e4 >= 25 {
				d.deepQuoteFills++
			}
			if tr.QtyXRP < feed.SimMedianTradeXRP {
				d.medianBelow300++
			}
			d.largestTradeXRP = math.Max(d.largestTradeXRP, tr.QtyXRP)
		}
	}
	return d
}

func BenchmarkSim(b *testing.B) {
	s := feed.NewSim(1, testStart)
	ctx := context.Background()
	for b.Loop() {
		if _, err := s.Next(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
