package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"neo/engine"
	"neo/store"
)

// TestRecover is long by design: one crashed database (a clean session, a
// crashed one, a bare row) built once, then one subtest per promise of
// recovery, in the order a start relies on them.
func TestRecover(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "neo.db")
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }

	db := MustOpenDBAt(t, path, func(o *store.Options) { o.Now = func() time.Time { return at(9) } })
	// A session that ended cleanly: recovery must not touch it.
	MustOpenSession(t, db, "s0", at(-100))
	if err := db.CloseSession(ctx, engine.SessionEnd{SessionID: "s0", EndedAt: at(-50), EndingXRP: 1, EndingRLUSD: 2, EndingValue: 4.5, HaltReason: engine.HaltOperatorQuit}); err != nil {
		t.Fatal(err)
	}
	// The crashed one.
	MustOpenSession(t, db, "s1", at(0))
	if err := db.SaveOrders(ctx, order("s1", "o1", at(1), engine.OrderOpen), order("s1", "o2", at(2), engine.OrderOpen)); err != nil {
		t.Fatal(err)
	}
	o3 := order("s1", "o3", at(4), engine.OrderFilled)
	if err := db.RecordFill(ctx, fill(o3, "f3", at(5)), o3); err != nil {
		t.Fatal(err)
	}
	db.AddInventorySnapshot(ctx, inventory("s1", at(3), 1000, 2500))
	db.AddInventorySnapshot(ctx, inventory("s1", at(7), 1010, 2480))
	db.AddValuationSnapshot(ctx, engine.ValuationSnapshot{SessionID: "s1", MarketTime: at(8), MidPrice: 2.5, TotalValueInRLUSD: 5005})
	db.AddEvent(ctx, engine.SessionEvent{SessionID: "s1", CreatedAt: at(6), Level: "info", Kind: "tier", Message: "tier 1"})
	// A session with nothing but its row.
	MustOpenSession(t, db, "s2", at(20))
	// The crash: the lock goes, the rows stay.
	MustClose(t, db)

	t.Run("DryRunWritesNothing", func(t *testing.T) {
		before := hashFile(t, path)
		ro, err := store.Open(ctx, store.Options{Path: path, ReadOnly: true, Lock: true})
		if err != nil {
			t.Fatal(err)
		}
		plan, err := ro.PlanRecovery(ctx)
		if err != nil || len(plan) != 2 {
			t.Fatalf("plan=%+v err=%v, want 2 sessions", plan, err)
		}
		if err := ro.Close(ctx); err != nil {
			t.Fatal(err)
		}
		if got := hashFile(t, path); got != before {
			t.Fatal("the dry run changed the database file")
		}
	})

	db = MustOpenDBAt(t, path, nil)
	got, err := db.Recover(ctx)
	// The wall-clock end is the session's last commit (by the store's
	// clock: at(9)); the market end is its latest row, at(8).
	lastCommit := at(9)
	if err != nil {
		t.Fatal(err)
	}
	xrp, rlusd, value := 1010.0, 2480.0, 2480+1010*2.5
	m8 := at(8)
	want := []engine.Recovery{
		{SessionID: "s1", StartedAt: at(0), EndedAt: lastCommit, MarketEndedAt: &m8, EndingXRP: &xrp, EndingRLUSD: &rlusd, EndingValue: &value, OrdersCanceled: 2},
		{SessionID: "s2", StartedAt: at(20), EndedAt: at(20)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("recovered %+v\nwant      %+v", got, want)
	}

	t.Run("SessionRow", func(t *testing.T) {
		s, err := db.GetSession(ctx, "s1")
		if err != nil {
			t.Fatal(err)
		}
		if s.EndedAt == nil || !s.EndedAt.Equal(lastCommit) || s.MarketEndedAt == nil || !s.MarketEndedAt.Equal(at(8)) || !s.EndedAtEstimated || s.HaltReason != engine.HaltUncleanExit {
			t.Fatalf("session=%+v", s.Session)
		}
		if *s.EndingXRP != xrp || *s.EndingRLUSD != rlusd || *s.EndingValue != value {
			t.Fatalf("ending=%v %v %v, want %v %v %v", *s.EndingXRP, *s.EndingRLUSD, *s.EndingValue, xrp, rlusd, value)
		}
		s2, _ := db.GetSession(ctx, "s2")
		if s2.EndingValue != nil || s2.HaltReason != engine.HaltUncleanExit {
			t.Fatalf("s2=%+v, want closed with unknown ending values", s2.Session)
		}
		s0, _ := db.GetSession(ctx, "s0")
		if s0.HaltReason != engine.HaltOperatorQuit || s0.EndedAtEstimated {
			t.Fatalf("s0 changed: %+v", s0.Session)
		}
	})
	t.Run("OpenOrdersCancelled", func(t *testing.T) {
		orders, _ := db.Orders(ctx, "s1")
		for _, o := range orders {
			if o.Status == engine.OrderOpen {
				t.Fatalf("order %s still open", o.OrderID)
			}
			if o.OrderID != "o3" && (o.Status != engine.OrderCancelled || !o.ClosedMarketTime.Equal(at(8))) {
				t.Fatalf("order=%+v, want cancelled at the estimated end", o)
			}
		}
	})
	t.Run("EventSaysSo", func(t *testing.T) {
		evs, _ := db.Events(ctx, "s1", 0)
		last := evs[len(evs)-1]
		if last.Kind != "recovery" || last.Level != engine.LevelWarn || !strings.Contains(last.Message, "unclean_exit") {
			t.Fatalf("last event=%+v, want a recovery warning", last)
		}
	})
	t.Run("SecondRunChangesNothing", func(t *testing.T) {
		before := dump(t, db)
		again, err := db.Recover(ctx)
		if err != nil || len(again) != 0 {
			t.Fatalf("second run=%+v err=%v, want nothing", again, err)
		}
		if after := dump(t, db); after != before {
			t.Fatalf("second run changed rows:\n%s\n%s", before, after)
		}
	})
}

// dump renders every row of sessions, orders and session_events as text.
func dump(t *testing.T, db *store.DB) string {
	t.Helper()
	raw := rawDB(t, db.Path())
	defer raw.Close()
	var b strings.Builder
	for _, q := range []string{
		"SELECT * FROM sessions ORDER BY session_id",
		"SELECT * FROM orders ORDER BY order_id",
		"SELECT * FROM session_events ORDER BY rowid",
	} {
		rows, err := raw.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			fmt.Fprintln(&b, scanValues(t, rows)...)
		}
		rows.Close()
	}
	return b.String()
}
