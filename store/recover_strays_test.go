package store_test

import (
	"context"
	"testing"
	"time"

	"neo/engine"
)

// A session whose row was written but whose order cancels were lost (a full
// disk between the two writes) has orders still open: recovery cancels them
// as of the session's end.
func TestRecoverCancelsOrdersLeftOpenInClosedSessions(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	MustOpenSession(t, db, "s1", t0)
	if err := db.SaveOrders(ctx, order("s1", "s1-o1", t0.Add(time.Second), engine.OrderOpen)); err != nil {
		t.Fatal(err)
	}
	end := t0.Add(time.Minute)
	if err := db.CloseSession(ctx, engine.SessionEnd{SessionID: "s1", EndedAt: end, MarketEndedAt: end, EndingXRP: 1000, EndingRLUSD: 2500,
		EndingValue: 5000, HaltReason: engine.HaltEngineError}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	orders, err := db.Orders(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := orders[0].Status, engine.OrderCancelled; got != want {
		t.Fatalf("status=%s, want %s", got, want)
	}
	if orders[0].ClosedMarketTime == nil || !orders[0].ClosedMarketTime.Equal(end) {
		t.Fatalf("closed_market_time=%v, want the session's market end %v", orders[0].ClosedMarketTime, end)
	}
	s, err := db.GetSession(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	if s.HaltReason != engine.HaltEngineError {
		t.Fatalf("halt_reason=%s changed by recovery", s.HaltReason)
	}
}
