package xrpl

import (
	"math"
	"reflect"
	"testing"

	"neo/engine"
)

// TestEngineConfigDefaultsAreTheFeeds keeps the [xrpl] defaults of the
// engine's config (which cannot import this package) equal to the
// client's own.
func TestEngineConfigDefaultsAreTheFeeds(t *testing.T) {
	got := ConfigFrom(engine.DefaultConfig().XRPL)
	want := Config{Seed: 1}
	want.defaults()
	got.Seed = 1
	got.defaults()
	got.Dialer, want.Dialer, got.Clock, want.Clock, got.Rand, want.Rand = nil, nil, nil, nil, nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("engine [xrpl] defaults give\n%+v\nthe feed's defaults are\n%+v", got, want)
	}
}

// TestExchangeQuotePrice: quotes rest at the price the issuer's TickSize
// leaves (the quality rounded up to TickSize significant digits, as
// rippled's Quality::round), and events without ledger facts leave the
// price alone.
func TestExchangeQuotePrice(t *testing.T) {
	x := NewExchange()
	ev := engine.MarketEvent{Ledger: &engine.LedgerInfo{TickSize: 5}}
	cases := []struct {
		side  engine.Side
		price float64
		want  float64
	}{
		// An ask's quality is price/1e6: 5 digits of 2.345678, up → 2.3457.
		{engine.Sell, 2.345678, 2.3457},
		// A bid's quality is 1e6/price = 426315.97…: 5 digits, up →
		// 426320, so the bid rests at 1e6/426320 (below 2.345678).
		{engine.Buy, 2.345678, 1e6 / 426320.0},
	}
	for _, tc := range cases {
		if got := x.QuotePrice(ev, tc.side, tc.price); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s at %v with TickSize 5: %v, want %v", tc.side, tc.price, got, tc.want)
		}
	}
	if got := x.QuotePrice(engine.MarketEvent{}, engine.Sell, 2.345678); got != 2.345678 {
		t.Errorf("no ledger facts: %v, want the price unchanged", got)
	}
}
