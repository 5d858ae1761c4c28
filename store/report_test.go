package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"neo/engine"
	"neo/store"
)

// mustBigSession records a session of n inventory snapshots, a valuation
// snapshot with every third and a fill with every 1,500th, written in
// batches whose rows go back in market time (so the rowid order is not the
// market order), every seventh snapshot sharing the previous one's time.
func mustBigSession(t *testing.T, db *store.DB, id string, n int) {
	t.Helper()
	ctx := context.Background()
	MustOpenSession(t, db, id, t0)
	at := func(i int) time.Time { return t0.Add(time.Duration(i-i/7) * time.Minute) }
	const chunk = 5000
	for lo := 0; lo < n; lo += chunk {
		var b engine.Batch
		for i := min(lo+chunk, n) - 1; i >= lo; i-- {
			mid := 2.5 + 0.2*math.Sin(float64(i)/4000)
			inv := inventory(id, at(i), 1000+50*math.Sin(float64(i)/333), 2500)
			inv.MidPrice, inv.SkewTier = mid, (i/2500)%4
			inv.XRPValueInRLUSD = inv.XRPBalance * mid
			inv.TotalValueInRLUSD = inv.RLUSDBalance + inv.XRPValueInRLUSD
			b.Inventory = append(b.Inventory, inv)
			if i%3 == 0 {
				b.Valuations = append(b.Valuations, engine.ValuationSnapshot{SessionID: id, MarketTime: at(i), MidPrice: mid,
					TotalValueInRLUSD: inv.TotalValueInRLUSD + 0.01, HoldValueInRLUSD: 2500 + 1000*mid, FeesRLUSD: 0.0001 * float64(i)})
			}
			if i%1500 == 0 {
				o := order(id, fmt.Sprintf("o%d", i), at(i), engine.OrderFilled)
				if i%3000 == 0 {
					o.Side = engine.Sell
				}
				o.Price = mid * 1.001
				b.Orders = append(b.Orders, o)
				b.Fills = append(b.Fills, fill(o, fmt.Sprintf("f%d", i), at(i)))
			}
		}
		if err := db.SaveBatch(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
}

// TestLoadReportStreamsStore: on a stored session of 300,000 inventory
// snapshots, the walks give every sound row in market-time order (the rows
// the series readers give), stop at fn's error and return it as is, and
// the report read through them is the report of the full series.
func TestLoadReportStreamsStore(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 400,000 snapshots")
	}
	ctx := context.Background()
	db := MustOpenDB(t)
	const n = 300_000
	mustBigSession(t, db, "big", n)

	inv, err := db.InventorySeries(ctx, "big", 0)
	if err != nil {
		t.Fatal(err)
	}
	val, err := db.ValuationSeries(ctx, "big", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(inv) != n || len(val) != n/3 {
		t.Fatalf("stored %d and %d snapshots, want %d and %d", len(inv), len(val), n, n/3)
	}
	assertWalksGiveTheSeries(t, db, inv, val)
	assertWalksStop(t, db)
	r := assertReportOfTheSeries(t, db, inv, val)
	if r.Fills.Count != n/1500 || len(r.SkewTiers) != 4 || len(r.Daily) < 100 || r.MaxDrawdown.RLUSD == 0 {
		t.Fatalf("the session does not exercise the report: %d fills, %d tiers, %d days, drawdown %v",
			r.Fills.Count, len(r.SkewTiers), len(r.Daily), r.MaxDrawdown.RLUSD)
	}
}

// assertWalksGiveTheSeries wants EachInventory and EachValuation over
// session big to give the rows of its series readers, inv and val, in
// their order.
func assertWalksGiveTheSeries(t *testing.T, db *store.DB, inv []engine.InventorySnapshot, val []engine.ValuationSnapshot) {
	t.Helper()
	ctx := context.Background()
	i := 0
	err := db.EachInventory(ctx, "big", func(x engine.InventorySnapshot) error {
		if i >= len(inv) || x != inv[i] {
			return fmt.Errorf("inventory row %d: %+v, want the series' %d", i, x, i)
		}
		i++
		return nil
	})
	if err != nil || i != len(inv) {
		t.Fatalf("EachInventory: %v after %d rows, want %d rows", err, i, len(inv))
	}
	i = 0
	err = db.EachValuation(ctx, "big", func(x engine.ValuationSnapshot) error {
		a, _ := json.Marshal(x)
		b, _ := json.Marshal(val[i])
		if string(a) != string(b) {
			return fmt.Errorf("valuation row %d: %s, want %s", i, a, b)
		}
		i++
		return nil
	})
	if err != nil || i != len(val) {
		t.Fatalf("EachValuation: %v after %d rows, want %d rows", err, i, len(val))
	}
}

// assertWalksStop wants a walk to stop at fn's first error and return it as
// is, to give no rows and no error for an unknown session, and to return a
// canceled context's error.
func assertWalksStop(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	stop := errors.New("enough")
	calls := 0
	if err := db.EachInventory(ctx, "big", func(engine.InventorySnapshot) error { calls++; return stop }); err != stop || calls != 1 {
		t.Fatalf("a stopping fn: %v after %d calls, want its own error after 1", err, calls)
	}
	if err := db.EachValuation(ctx, "none", func(engine.ValuationSnapshot) error { return stop }); err != nil {
		t.Fatalf("an unknown session: %v, want no rows and no error", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := db.EachInventory(cctx, "big", func(engine.InventorySnapshot) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("a canceled read: %v, want context.Canceled", err)
	}
}

// assertReportOfTheSeries wants LoadReport of session big to be the report
// built from its full series, inv and val, and returns it.
func assertReportOfTheSeries(t *testing.T, db *store.DB, inv []engine.InventorySnapshot, val []engine.ValuationSnapshot) engine.Report {
	t.Helper()
	ctx := context.Background()
	sum, err := db.GetSession(ctx, "big")
	if err != nil {
		t.Fatal(err)
	}
	fills, err := db.Fills(ctx, "big", 0)
	if err != nil {
		t.Fatal(err)
	}
	events, err := db.Events(ctx, "big", 0)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(engine.BuildReport(sum, fills, inv, val, events))
	r, err := engine.LoadReport(ctx, db, "big")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(r)
	if string(got) != string(want) {
		t.Fatalf("LoadReport gives\n%s\nthe full series give\n%s", got, want)
	}
	return r
}
