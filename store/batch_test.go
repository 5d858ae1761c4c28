package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"neo/engine"
	"neo/store"
)

// foldN is how many orders foldingBatch places: two full chunks of 32 and a
// rest.
const foldN = 70

// A batch with more rows than one multi-row statement carries, orders
// placed and ended within it, an order placed in an earlier batch and
// ended in this one, and a re-save of a closed order: the table holds what
// one upsert per state would have left, every row once.
func TestSaveBatchFoldsOrderStatesAndChunks(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDBWithSession(t)
	early := order("s1", "o-early", sec(1), engine.OrderOpen)
	if err := db.SaveBatch(ctx, engine.Batch{Orders: []engine.Order{early}}); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveBatch(ctx, foldingBatch(early)); err != nil {
		t.Fatal(err)
	}
	assertFoldedOrders(t, db)
	inv, err := db.InventorySeries(ctx, "s1", 0)
	if err != nil || len(inv) != foldN {
		t.Fatalf("inventory: %d rows, %v", len(inv), err)
	}
	for i, s := range inv {
		if !s.MarketTime.Equal(sec(10 + i)) {
			t.Fatalf("inventory %d at %v", i, s.MarketTime)
		}
	}
	val, err := db.ValuationSeries(ctx, "s1", 0)
	if err != nil || len(val) != foldN || val[0].AnchorPrice != nil {
		t.Fatalf("valuations: %d rows (anchor %v), %v", len(val), val[0].AnchorPrice, err)
	}
	s, err := db.GetSession(ctx, "s1")
	if err != nil || s.MarketEndedAt == nil || !s.MarketEndedAt.Equal(sec(200)) {
		t.Fatalf("market end %v, want %v (%v)", s.MarketEndedAt, sec(200), err)
	}
}

// foldingBatch is one batch of session s1: foldN orders placed with a
// snapshot of each kind, every other one cancelled later in the batch,
// early (placed in an earlier batch) filled, and a re-save as open of an
// order cancelled within it.
func foldingBatch(early engine.Order) engine.Batch {
	var b engine.Batch
	for i := range foldN {
		o := order("s1", fmt.Sprint("o", i), sec(10+i), engine.OrderOpen)
		b.Orders = append(b.Orders, o)
		b.Inventory = append(b.Inventory, inventory("s1", sec(10+i), 1000, 2500))
		b.Valuations = append(b.Valuations, engine.ValuationSnapshot{SessionID: "s1", MarketTime: sec(10 + i), MidPrice: 2.5, TotalValueInRLUSD: 5000})
	}
	for i := 0; i < foldN; i += 2 { // every other one cancelled within the batch
		o := b.Orders[i]
		c := sec(100 + i)
		o.Status, o.ClosedMarketTime, o.MarketTime = engine.OrderCancelled, &c, sec(100+i) // a later stamp must not move the placement
		b.Orders = append(b.Orders, o)
	}
	e := early
	c := sec(200)
	e.Status, e.ClosedMarketTime = engine.OrderFilled, &c
	b.Orders = append(b.Orders, e)
	b.Fills = append(b.Fills, fill(e, "f1", sec(200)))
	again := b.Orders[0] // cancelled above: a later open state changes nothing
	again.Status, again.ClosedMarketTime, again.Price = engine.OrderOpen, nil, 9
	b.Orders = append(b.Orders, again)
	return b
}

// assertFoldedOrders wants s1's orders as foldingBatch leaves them: each
// once, placed when first placed, in its last closed state.
func assertFoldedOrders(t *testing.T, db *store.DB) {
	t.Helper()
	orders, err := db.Orders(context.Background(), "s1")
	if err != nil {
		t.Fatal(err)
	}
	if len(orders) != foldN+1 {
		t.Fatalf("%d orders, want %d", len(orders), foldN+1)
	}
	byID := map[string]engine.Order{}
	for _, o := range orders {
		byID[o.OrderID] = o
	}
	for i := range foldN {
		o := byID[fmt.Sprint("o", i)]
		if !o.MarketTime.Equal(sec(10 + i)) {
			t.Fatalf("o%d placed at %v, want %v", i, o.MarketTime, sec(10+i))
		}
		wantStatus, wantClosed := engine.OrderOpen, (*time.Time)(nil)
		if i%2 == 0 {
			c := sec(100 + i)
			wantStatus, wantClosed = engine.OrderCancelled, &c
		}
		if o.Status != wantStatus || (wantClosed == nil) != (o.ClosedMarketTime == nil) || (wantClosed != nil && !o.ClosedMarketTime.Equal(*wantClosed)) || o.Price != 2.5 {
			t.Fatalf("o%d: %+v, want status %s closed %v price 2.5", i, o, wantStatus, wantClosed)
		}
	}
	if o := byID["o-early"]; o.Status != engine.OrderFilled || !o.MarketTime.Equal(sec(1)) || !o.ClosedMarketTime.Equal(sec(200)) {
		t.Fatalf("o-early: %+v", o)
	}
}
