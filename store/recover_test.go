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

// sec is t0 plus s seconds.
func sec(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }

// What recovery must find at the end of the crashed session s1: the last
// inventory snapshot's balances, valued at the last mid price (2.5).
const (
	recoveredXRP   = 1010.0
	recoveredRLUSD = 2480.0
	recoveredValue = recoveredRLUSD + recoveredXRP*2.5
)

// crashed is the database TestRecover recovers: a session that ended
// cleanly (s0), a crashed one with rows (s1) and a bare session row (s2).
type crashed struct {
	ctx  context.Context
	path string
	db   *store.DB // open from the recovery on
}

// TestRecover builds one crashed database, then checks one promise of
// recovery per subtest, in the order a start relies on them.
func TestRecover(t *testing.T) {
	c := &crashed{ctx: context.Background(), path: filepath.Join(t.TempDir(), "neo.db")}
	c.crash(t)
	t.Run("DryRunWritesNothing", c.dryRunWritesNothing)
	c.db = MustOpenDBAt(t, c.path, nil)
	c.recover(t)
	t.Run("SessionRow", c.sessionRow)
	t.Run("OpenOrdersCancelled", c.openOrdersCancelled)
	t.Run("EventSaysSo", c.eventSaysSo)
	t.Run("SecondRunChangesNothing", c.secondRunChangesNothing)
}

// crash writes the three sessions with the store's clock at sec(9) and
// closes the database: the lock goes, the rows stay.
func (c *crashed) crash(t *testing.T) {
	ctx := c.ctx
	db := MustOpenDBAt(t, c.path, func(o *store.Options) { o.Now = func() time.Time { return sec(9) } })
	// A session that ended cleanly: recovery must not touch it.
	MustOpenSession(t, db, "s0", sec(-100))
	if err := db.CloseSession(ctx, engine.SessionEnd{SessionID: "s0", EndedAt: sec(-50), EndingXRP: 1, EndingRLUSD: 2, EndingValue: 4.5, HaltReason: engine.HaltOperatorQuit}); err != nil {
		t.Fatal(err)
	}
	// The crashed one.
	MustOpenSession(t, db, "s1", sec(0))
	if err := db.SaveOrders(ctx, order("s1", "o1", sec(1), engine.OrderOpen), order("s1", "o2", sec(2), engine.OrderOpen)); err != nil {
		t.Fatal(err)
	}
	o3 := order("s1", "o3", sec(4), engine.OrderFilled)
	if err := db.RecordFill(ctx, fill(o3, "f3", sec(5)), o3); err != nil {
		t.Fatal(err)
	}
	db.AddInventorySnapshot(ctx, inventory("s1", sec(3), 1000, 2500))
	db.AddInventorySnapshot(ctx, inventory("s1", sec(7), 1010, 2480))
	db.AddValuationSnapshot(ctx, engine.ValuationSnapshot{SessionID: "s1", MarketTime: sec(8), MidPrice: 2.5, TotalValueInRLUSD: 5005})
	db.AddEvent(ctx, engine.SessionEvent{SessionID: "s1", CreatedAt: sec(6), Level: "info", Kind: "tier", Message: "tier 1"})
	// A session with nothing but its row.
	MustOpenSession(t, db, "s2", sec(20))
	// The crash: the lock goes, the rows stay.
	MustClose(t, db)
}

// dryRunWritesNothing plans the recovery read-only: two sessions to close,
// and the file as it was.
func (c *crashed) dryRunWritesNothing(t *testing.T) {
	before := hashFile(t, c.path)
	ro, err := store.Open(c.ctx, store.Options{Path: c.path, ReadOnly: true, Lock: true})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := ro.PlanRecovery(c.ctx)
	if err != nil || len(plan) != 2 {
		t.Fatalf("plan=%+v err=%v, want 2 sessions", plan, err)
	}
	if err := ro.Close(c.ctx); err != nil {
		t.Fatal(err)
	}
	if got := hashFile(t, c.path); got != before {
		t.Fatal("the dry run changed the database file")
	}
}

// recover runs the recovery and checks what it reports. The wall-clock end
// is the session's last commit (by the store's clock: sec(9)); the market
// end is its latest row, sec(8).
func (c *crashed) recover(t *testing.T) {
	got, err := c.db.Recover(c.ctx)
	if err != nil {
		t.Fatal(err)
	}
	m8 := sec(8)
	want := []engine.Recovery{
		{SessionID: "s1", StartedAt: sec(0), EndedAt: sec(9), MarketEndedAt: &m8, EndingXRP: ptr(recoveredXRP), EndingRLUSD: ptr(recoveredRLUSD),
			EndingValue: ptr(recoveredValue), OrdersCanceled: 2},
		{SessionID: "s2", StartedAt: sec(20), EndedAt: sec(20)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("recovered %+v\nwant      %+v", got, want)
	}
}

// sessionRow checks the closed rows: s1 ended at its last commit with its
// last balances, s2 with unknown ending values, s0 untouched.
func (c *crashed) sessionRow(t *testing.T) {
	db, ctx := c.db, c.ctx
	s, err := db.GetSession(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	if s.EndedAt == nil || !s.EndedAt.Equal(sec(9)) || s.MarketEndedAt == nil || !s.MarketEndedAt.Equal(sec(8)) || !s.EndedAtEstimated || s.HaltReason != engine.HaltUncleanExit {
		t.Fatalf("session=%+v", s.Session)
	}
	if *s.EndingXRP != recoveredXRP || *s.EndingRLUSD != recoveredRLUSD || *s.EndingValue != recoveredValue {
		t.Fatalf("ending=%v %v %v, want %v %v %v", *s.EndingXRP, *s.EndingRLUSD, *s.EndingValue, recoveredXRP, recoveredRLUSD, recoveredValue)
	}
	s2, _ := db.GetSession(ctx, "s2")
	if s2.EndingValue != nil || s2.HaltReason != engine.HaltUncleanExit {
		t.Fatalf("s2=%+v, want closed with unknown ending values", s2.Session)
	}
	s0, _ := db.GetSession(ctx, "s0")
	if s0.HaltReason != engine.HaltOperatorQuit || s0.EndedAtEstimated {
		t.Fatalf("s0 changed: %+v", s0.Session)
	}
}

// openOrdersCancelled checks that no order of s1 is left open and that the
// open ones were cancelled at the estimated market end.
func (c *crashed) openOrdersCancelled(t *testing.T) {
	orders, _ := c.db.Orders(c.ctx, "s1")
	for _, o := range orders {
		if o.Status == engine.OrderOpen {
			t.Fatalf("order %s still open", o.OrderID)
		}
		if o.OrderID != "o3" && (o.Status != engine.OrderCancelled || !o.ClosedMarketTime.Equal(sec(8))) {
			t.Fatalf("order=%+v, want cancelled at the estimated end", o)
		}
	}
}

// eventSaysSo checks that s1's last event is a recovery warning.
func (c *crashed) eventSaysSo(t *testing.T) {
	evs, _ := c.db.Events(c.ctx, "s1", 0)
	last := evs[len(evs)-1]
	if last.Kind != "recovery" || last.Level != engine.LevelWarn || !strings.Contains(last.Message, "unclean_exit") {
		t.Fatalf("last event=%+v, want a recovery warning", last)
	}
}

// secondRunChangesNothing recovers again: nothing to do, no row changed.
func (c *crashed) secondRunChangesNothing(t *testing.T) {
	before := dump(t, c.db)
	again, err := c.db.Recover(c.ctx)
	if err != nil || len(again) != 0 {
		t.Fatalf("second run=%+v err=%v, want nothing", again, err)
	}
	if after := dump(t, c.db); after != before {
		t.Fatalf("second run changed rows:\n%s\n%s", before, after)
	}
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
