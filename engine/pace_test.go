package engine

import (
	"context"
	"testing"
	"time"
)

// A stop asked for while a paced replay waits for its next event ends the
// session at the last event applied: the pending event, not yet due, is
// never applied, valued or recorded, and market_ended_at is the last
// applied event's market time.
func TestStopWhilePacingDropsTheEventNotYetDue(t *testing.T) {
	f := newWalkFeed(21)
	f.step = time.Hour // at --speed 360, one bar every 10 s of wall time
	st := newMemStore()
	e := mustStartWith(t, Options{Config: testConfig(), Feed: f, Store: st, Speed: 360})
	first := time.Date(2026, 1, 1, 1, 0, 0, 0, time.UTC) // the walk's first event
	waitFor(t, e, func(s *State) bool { return s.MarketTime.Equal(first) })
	// The next bar (02:00) is read and waits in pace, due 10 s after the
	// start.
	if err := e.Close(context.Background(), HaltOperatorQuit); err != nil {
		t.Fatal(err)
	}
	s := st.session()
	if s.MarketEndedAt == nil || !s.MarketEndedAt.Equal(first) {
		t.Fatalf("market_ended_at=%v, want the last applied event's %v", s.MarketEndedAt, first)
	}
	if got := e.State().MarketTime; !got.Equal(first) {
		t.Fatalf("state shows market time %v, want %v", got, first)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, v := range st.valuations {
		if v.MarketTime.After(first) {
			t.Fatalf("valuation recorded at %v, after the last event applied (%v)", v.MarketTime, first)
		}
	}
	for _, i := range st.inventory {
		if i.MarketTime.After(first) {
			t.Fatalf("inventory recorded at %v, after the last event applied (%v)", i.MarketTime, first)
		}
	}
	for _, x := range st.fills {
		if x.MarketTime.After(first) {
			t.Fatalf("fill recorded at %v on an event not yet due", x.MarketTime)
		}
	}
	for _, o := range st.orders {
		if o.MarketTime.After(first) {
			t.Fatalf("order %s placed at %v on an event not yet due", o.OrderID, o.MarketTime)
		}
	}
}
