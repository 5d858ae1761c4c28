package engine

import (
	"errors"
	"math"
	"testing"
)

// scriptMatcher returns the fills it is given, whatever the event.
type scriptMatcher struct {
	fills []MatchFill
	seen  [][]Order // the open orders it was shown, per call
}

func (m *scriptMatcher) Match(ev MarketEvent, open []Order) []MatchFill {
	m.seen = append(m.seen, append([]Order(nil), open...))
	f := m.fills
	m.fills = nil
	return f
}

// TestPaperPartialFills holds the partial-fill model: an order fills in
// parts, stays open until its fills add up to its quantity, and a matcher
// can never fill more than is left or an order that does not rest.
func TestPaperPartialFills(t *testing.T) {
	type step struct {
		fills         []MatchFill
		wantQty       []float64 // quantity of each execution
		wantDone      []bool
		wantRemaining float64 // of order "b" after the step
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"in one go", []step{
			{fills: []MatchFill{{OrderID: "b", Price: 2, QtyXRP: 10}}, wantQty: []float64{10}, wantDone: []bool{true}, wantRemaining: 0},
		}},
		{"in three parts", []step{
			{fills: []MatchFill{{OrderID: "b", Price: 2, QtyXRP: 3}}, wantQty: []float64{3}, wantDone: []bool{false}, wantRemaining: 7},
			{fills: []MatchFill{{OrderID: "b", Price: 2, QtyXRP: 3}, {OrderID: "b", Price: 2, QtyXRP: 3}}, wantQty: []float64{3, 3}, wantDone: []bool{false, false}, wantRemaining: 1},
			{fills: []MatchFill{{OrderID: "b", Price: 2, QtyXRP: 1}}, wantQty: []float64{1}, wantDone: []bool{true}, wantRemaining: 0},
		}},
		{"more than is left is capped", []step{
			{fills: []MatchFill{{OrderID: "b", Price: 2, QtyXRP: 8}, {OrderID: "b", Price: 2, QtyXRP: 8}}, wantQty: []float64{8, 2}, wantDone: []bool{false, true}, wantRemaining: 0},
		}},
		{"a filled order cannot fill again", []step{
			{fills: []MatchFill{{OrderID: "b", Price: 2, QtyXRP: 10}, {OrderID: "b", Price: 2, QtyXRP: 10}}, wantQty: []float64{10}, wantDone: []bool{true}, wantRemaining: 0},
		}},
		{"unknown orders and bad numbers are ignored", []step{
			{fills: []MatchFill{{OrderID: "x", Price: 2, QtyXRP: 1}, {OrderID: "b", Price: 0, QtyXRP: 1}, {OrderID: "b", Price: 2, QtyXRP: math.NaN()}, {OrderID: "b", Price: math.Inf(1), QtyXRP: 1}}, wantRemaining: 10},
		}},
		{"a crumb below one drop fills the order", []step{
			{fills: []MatchFill{{OrderID: "b", Price: 2, QtyXRP: 10 - 1e-8}}, wantQty: []float64{10}, wantDone: []bool{true}, wantRemaining: 0},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := &Paper{XRP: 100, RLUSD: 100}
			if err := p.Place(Order{OrderID: "b", Side: Buy, Price: 2, QtyXRP: 10}); err != nil {
				t.Fatal(err)
			}
			var bought float64
			for i, s := range tc.steps {
				m := &scriptMatcher{fills: s.fills}
				xs := p.Match(MarketEvent{}, m)
				if got := m.seen[0][0].QtyXRP; i > 0 && got >= 10 {
					t.Fatalf("step %d: the matcher was shown qty %v, want what is left", i, got)
				}
				if len(xs) != len(s.wantQty) {
					t.Fatalf("step %d: %d executions, want %d", i, len(xs), len(s.wantQty))
				}
				for j, x := range xs {
					if !near(x.QtyXRP, s.wantQty[j]) || x.Done != s.wantDone[j] {
						t.Fatalf("step %d exec %d: qty %v done %v, want %v %v", i, j, x.QtyXRP, x.Done, s.wantQty[j], s.wantDone[j])
					}
					if x.Order.QtyXRP != 10 {
						t.Fatalf("the execution's order has qty %v, want it as placed (10)", x.Order.QtyXRP)
					}
					bought += x.QtyXRP
				}
				if got := p.Remaining("b"); !near(got, s.wantRemaining) {
					t.Fatalf("step %d: remaining %v, want %v", i, got, s.wantRemaining)
				}
				if open := len(p.Open()); (open == 1) != (s.wantRemaining > 0) {
					t.Fatalf("step %d: %d open orders with %v remaining", i, open, s.wantRemaining)
				}
			}
			if !near(p.XRP, 100+bought) || !near(p.RLUSD, 100-2*bought) {
				t.Fatalf("balances %v XRP %v RLUSD after buying %v at 2", p.XRP, p.RLUSD, bought)
			}
		})
	}
}

// TestPaperCosts holds each cost rule of the live exchange: the network
// fee per placement and cancel from the ledger, the transfer fee on the
// RLUSD we send (buys only), the reserve kept out of quoting, and the
// execution price of a taker fill.
func TestPaperCosts(t *testing.T) {
	ledger := LedgerInfo{BaseFeeDrops: 10, LoadFactor: 2.5, ReserveBaseDrops: 1_000_000, ReserveIncDrops: 200_000, TransferRate: 1_002_000_000}
	t.Run("network fee is base fee times load factor, per placement and cancel", func(t *testing.T) {
		e := &Engine{paperState: newPaperState(testConfig())}
		e.paper.XRP, e.paper.RLUSD = 100, 100
		e.applyLedger(ledger)
		if got, want := e.paper.NetworkFeeXRP, 25e-6; !near(got, want) {
			t.Fatalf("network fee %v XRP, want %v (10 drops × 2.5)", got, want)
		}
		if err := e.paper.Place(Order{OrderID: "a", Side: Sell, Price: 2, QtyXRP: 1}); err != nil {
			t.Fatal(err)
		}
		e.paper.Cancel("a")
		if got := e.paper.XRP; !near(got, 100-2*25e-6) {
			t.Fatalf("XRP %v after a placement and a cancel, want 100 - 2 × 25 drops", got)
		}
	})
	t.Run("transfer fee on the RLUSD we send, not on what we receive", func(t *testing.T) {
		p := &Paper{XRP: 100, RLUSD: 100, TransferFee: LedgerInfo{TransferRate: 1_002_000_000}.TransferFee()}
		if err := p.Place(Order{OrderID: "b", Side: Buy, Price: 2, QtyXRP: 10}); err != nil {
			t.Fatal(err)
		}
		if err := p.Place(Order{OrderID: "s", Side: Sell, Price: 3, QtyXRP: 10}); err != nil {
			t.Fatal(err)
		}
		xs := p.Match(MarketEvent{}, &scriptMatcher{fills: []MatchFill{{OrderID: "b", Price: 2, QtyXRP: 10}, {OrderID: "s", Price: 3, QtyXRP: 10}}})
		if len(xs) != 2 {
			t.Fatalf("%d executions, want 2", len(xs))
		}
		if got, want := xs[0].FeeRLUSD, 20*0.002; !near(got, want) {
			t.Fatalf("buy fee %v, want the 0.2 %% transfer fee on 20 RLUSD sent = %v", got, want)
		}
		if got := xs[1].FeeRLUSD; got != 0 {
			t.Fatalf("sell fee %v, want 0: the RLUSD we receive carries no fee for us", got)
		}
		if !near(p.RLUSD, 100-20-0.04+30) {
			t.Fatalf("RLUSD %v, want 100 - 20.04 + 30", p.RLUSD)
		}
	})
	t.Run("reserve kept out of what can be quoted", func(t *testing.T) {
		base, inc := ledger.ReserveXRP()
		p := &Paper{XRP: 3, RLUSD: 100, ReserveBaseXRP: base, ReserveIncXRP: inc}
		// 3 XRP - 1 base - 0.2 for this offer = 1.8 XRP can be sold.
		if err := p.CanPlace(Sell, 2, 1.8); err != nil {
			t.Fatalf("1.8 XRP refused: %v", err)
		}
		var ib *ErrInsufficientBalance
		if err := p.CanPlace(Sell, 2, 1.81); !errors.As(err, &ib) {
			t.Fatalf("1.81 XRP accepted (err %v): the reserve must be kept", err)
		}
		if err := p.Place(Order{OrderID: "a", Side: Sell, Price: 2, QtyXRP: 1}); err != nil {
			t.Fatal(err)
		}
		// One offer rests: another 0.2 is owed for it and 0.2 for the next.
		if err := p.CanPlace(Sell, 2, 0.61); !errors.As(err, &ib) {
			t.Fatalf("0.61 XRP accepted with one offer resting (err %v)", err)
		}
		if err := p.CanPlace(Sell, 2, 0.59); err != nil {
			t.Fatalf("0.59 XRP refused: %v", err)
		}
	})
	t.Run("a taker fill pays the book's price", func(t *testing.T) {
		p := &Paper{XRP: 100, RLUSD: 100}
		if err := p.Place(Order{OrderID: "b", Side: Buy, Price: 2.1, QtyXRP: 10}); err != nil {
			t.Fatal(err)
		}
		xs := p.Match(MarketEvent{}, &scriptMatcher{fills: []MatchFill{{OrderID: "b", Price: 2.0, QtyXRP: 4}, {OrderID: "b", Price: 2.05, QtyXRP: 6}}})
		if len(xs) != 2 || !xs[1].Done || !near(p.RLUSD, 100-8-12.3) {
			t.Fatalf("executions %+v, RLUSD %v: want 4 at 2.00 and 6 at 2.05", xs, p.RLUSD)
		}
	})
}

// TestCrossMatcherFillsInFull keeps the sim/replay rule: a crossed order
// fills in full at its own price.
func TestCrossMatcherFillsInFull(t *testing.T) {
	open := []Order{{OrderID: "b", Side: Buy, Price: 2, QtyXRP: 5}, {OrderID: "s", Side: Sell, Price: 2.2, QtyXRP: 5}}
	cases := []struct {
		name string
		ev   MarketEvent
		want []string
	}{
		{"taker sell at the bid", MarketEvent{Trades: []Trade{{Side: Sell, Price: 2, QtyXRP: 1}}}, []string{"b"}},
		{"taker buy above the ask", MarketEvent{Trades: []Trade{{Side: Buy, Price: 2.3, QtyXRP: 1}}}, []string{"s"}},
		{"bar through both", MarketEvent{Bar: &Bar{Low: 1.9, High: 2.3}}, []string{"b", "s"}},
		{"nothing crosses", MarketEvent{Trades: []Trade{{Side: Sell, Price: 2.01, QtyXRP: 1}}}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := CrossMatcher{}.Match(tc.ev, open)
			if len(got) != len(tc.want) {
				t.Fatalf("fills %+v, want orders %v", got, tc.want)
			}
			for i, f := range got {
				if f.OrderID != tc.want[i] || f.QtyXRP != 5 {
					t.Fatalf("fill %+v, want order %s in full", f, tc.want[i])
				}
			}
		})
	}
}
