package engine

import (
	"math"
	"testing"
)

func TestCentre(t *testing.T) {
	for _, tt := range []struct {
		name              string
		mid, anchor, want float64
	}{
		{"anchor within band", 2.0, 2.001, 2.001},
		{"anchor far above", 2.0, 2.1, 2.002},
		{"anchor far below", 2.0, 1.9, 1.998},
		{"no anchor", 2.0, 0, 2.0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Centre(tt.mid, tt.anchor, 10); math.Abs(got-tt.want) > 1e-12 {
				t.Fatalf("Centre=%v, want %v", got, tt.want)
			}
		})
	}
}

func TestQuote(t *testing.T) {
	cfg := DefaultConfig().Strategy
	cfg.HalfSpreadBps = 20
	cfg.SkewTierThresholdsPct = []float64{5, 10, 20}
	cfg.SkewTierBps = []float64{5, 10, 20}
	cfg.BaseSizeRLUSD = 15

	t.Run("balanced quotes both sides symmetric", func(t *testing.T) {
		q := MakeQuotes(cfg, 2.0, 0)
		if q.Bid == nil || q.Ask == nil {
			t.Fatalf("want both sides, got %+v", q)
		}
		if got, want := q.Bid.Price, 2.0*(1-0.002); math.Abs(got-want) > 1e-12 {
			t.Fatalf("bid=%v, want %v", got, want)
		}
		if got, want := q.Ask.Price, 2.0*(1+0.002); math.Abs(got-want) > 1e-12 {
			t.Fatalf("ask=%v, want %v", got, want)
		}
		if got, want := q.Bid.QtyXRP*q.Bid.Price, 15.0; math.Abs(got-want) > 1e-9 {
			t.Fatalf("bid value=%v, want %v", got, want)
		}
	})
	t.Run("long XRP shifts quotes down", func(t *testing.T) {
		q := MakeQuotes(cfg, 2.0, 7) // tier 1: 5 bps
		if got, want := q.Tier, 1; got != want {
			t.Fatalf("tier=%d, want %d", got, want)
		}
		shifted := 2.0 * (1 - 5.0/1e4)
		if got, want := q.Ask.Price, shifted*(1+0.002); math.Abs(got-want) > 1e-12 {
			t.Fatalf("ask=%v, want %v", got, want)
		}
	})
	t.Run("short XRP shifts quotes up", func(t *testing.T) {
		q := MakeQuotes(cfg, 2.0, -12) // tier 2: 10 bps
		shifted := 2.0 * (1 + 10.0/1e4)
		if got, want := q.Bid.Price, shifted*(1-0.002); math.Abs(got-want) > 1e-12 {
			t.Fatalf("bid=%v, want %v", got, want)
		}
	})
	t.Run("top tier long quotes only the ask", func(t *testing.T) {
		q := MakeQuotes(cfg, 2.0, 25)
		if q.Bid != nil || q.Ask == nil {
			t.Fatalf("want ask only, got bid=%v ask=%v", q.Bid, q.Ask)
		}
	})
	t.Run("top tier short quotes only the bid", func(t *testing.T) {
		q := MakeQuotes(cfg, 2.0, -25)
		if q.Bid == nil || q.Ask != nil {
			t.Fatalf("want bid only, got bid=%v ask=%v", q.Bid, q.Ask)
		}
	})
}
