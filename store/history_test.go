package store_test

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"neo/engine"
	"neo/store"
)

// MustSessions records n sessions with varied values; every fourth is
// still open, every third ended on a hangup.
func MustSessions(t *testing.T, db *store.DB, n int) []engine.Session {
	t.Helper()
	ctx := context.Background()
	var out []engine.Session
	for i := range n {
		s := newSession(fmt.Sprintf("s%02d", i), t0.Add(time.Duration(i%7)*time.Hour)) // ties on started_at
		s.StartingValue = float64(5000 + i%5)
		if err := db.OpenSession(ctx, s); err != nil {
			t.Fatal(err)
		}
		if i%4 != 3 {
			end := engine.SessionEnd{SessionID: s.SessionID, EndedAt: s.StartedAt.Add(time.Hour), EndingValue: float64(5000 + (i*37)%11),
				HaltReason: engine.HaltOperatorQuit}
			if i%3 == 0 {
				end.HaltReason = engine.HaltSignalHangup
			}
			if err := db.CloseSession(ctx, end); err != nil {
				t.Fatal(err)
			}
			v := end.EndingValue
			s.EndingValue, s.HaltReason = &v, end.HaltReason
		}
		for j := range i % 3 {
			o := order(s.SessionID, fmt.Sprintf("o%d-%d", i, j), t0, engine.OrderFilled)
			if err := db.RecordFill(ctx, fill(o, fmt.Sprintf("f%d-%d", i, j), t0), o); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, s)
	}
	return out
}

// listed is the database of 25 sessions TestListSessions reads, and the
// sessions as recorded.
type listed struct {
	ctx context.Context
	db  *store.DB
	all []engine.Session
}

// TestListSessions builds one database of 25 sessions and reads it through
// every paging order, the filters and the fill counts.
func TestListSessions(t *testing.T) {
	db := MustOpenDB(t)
	l := &listed{ctx: context.Background(), db: db, all: MustSessions(t, db, 25)}
	for _, k := range []engine.SortKey{engine.SortStartedAt, engine.SortEndingValue, engine.SortPnL} {
		for _, asc := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/asc=%v", k, asc), func(t *testing.T) { l.paging(t, k, asc) })
		}
	}
	t.Run("Filters", l.filters)
	t.Run("FillCount", l.fillCount)
	t.Run("FillCountUsesIndex", l.fillCountUsesIndex)
}

// sortValue is s's value under sort key k; a session without an ending
// value sorts below every other by value and by PnL.
func sortValue(s engine.Session, k engine.SortKey) float64 {
	switch k {
	case engine.SortEndingValue:
		if s.EndingValue == nil {
			return math.Inf(-1)
		}
		return *s.EndingValue
	case engine.SortPnL:
		if s.EndingValue == nil {
			return math.Inf(-1)
		}
		return *s.EndingValue - s.StartingValue
	}
	return float64(s.StartedAt.Unix())
}

// sortedIDs is the IDs of all in the order of k (ties by ID), ascending or
// not.
func sortedIDs(all []engine.Session, k engine.SortKey, asc bool) []string {
	want := slices.Clone(all)
	sort.SliceStable(want, func(i, j int) bool {
		a, b := sortValue(want[i], k), sortValue(want[j], k)
		if a != b {
			return a < b
		}
		return want[i].SessionID < want[j].SessionID
	})
	if !asc {
		slices.Reverse(want)
	}
	var ids []string
	for _, s := range want {
		ids = append(ids, s.SessionID)
	}
	return ids
}

// pages lists the sessions by q page after page, following each page's
// last cursor, and returns their IDs in the order given.
func pages(t *testing.T, db *store.DB, q engine.SessionQuery) []string {
	t.Helper()
	var got []string
	for page := 0; ; page++ {
		list, err := db.ListSessions(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range list {
			got = append(got, s.SessionID)
		}
		if len(list) < q.Limit {
			return got
		}
		c := list[len(list)-1].Cursor
		q.After = &c
		if page > 10 {
			t.Fatal("pagination does not end")
		}
	}
}

// paging reads every session in pages of 7 sorted by k and wants them all,
// once each, in the order of k.
func (l *listed) paging(t *testing.T, k engine.SortKey, asc bool) {
	got := pages(t, l.db, engine.SessionQuery{Limit: 7, Sort: k, Asc: asc})
	if ids := sortedIDs(l.all, k, asc); strings.Join(got, " ") != strings.Join(ids, " ") {
		t.Fatalf("pages=%v\nwant   %v", got, ids)
	}
}

// filters lists the sessions ended by a hangup that started in a window.
func (l *listed) filters(t *testing.T) {
	list, err := l.db.ListSessions(l.ctx, engine.SessionQuery{Reason: engine.HaltSignalHangup, Since: t0.Add(time.Hour), Until: t0.Add(5 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, s := range l.all {
		if s.HaltReason == engine.HaltSignalHangup && !s.StartedAt.Before(t0.Add(time.Hour)) && s.StartedAt.Before(t0.Add(5*time.Hour)) {
			n++
		}
	}
	if len(list) != n || n == 0 {
		t.Fatalf("got %d sessions, want %d", len(list), n)
	}
	for _, s := range list {
		if s.HaltReason != engine.HaltSignalHangup {
			t.Fatalf("session %s has reason %s", s.SessionID, s.HaltReason)
		}
	}
}

// fillCount checks each listed session's fill count.
func (l *listed) fillCount(t *testing.T) {
	list, _ := l.db.ListSessions(l.ctx, engine.SessionQuery{Limit: 100})
	for _, s := range list {
		var i int
		fmt.Sscanf(s.SessionID, "s%d", &i)
		if s.FillCount != i%3 {
			t.Fatalf("%s FillCount=%d, want %d", s.SessionID, s.FillCount, i%3)
		}
	}
}

// fillCountUsesIndex checks that counting a session's fills reads the
// (session_key, market_time) index alone.
func (l *listed) fillCountUsesIndex(t *testing.T) {
	raw := rawDB(t, l.db.Path())
	rows, err := raw.Query("EXPLAIN QUERY PLAN SELECT count(*) FROM fills f WHERE f.session_key = ?", 1)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		rows.Scan(&id, &parent, &notused, &detail)
		plan = append(plan, detail)
	}
	if p := strings.Join(plan, "; "); !strings.Contains(p, "USING COVERING INDEX fills_session_time") {
		t.Fatalf("plan=%q, want the (session_key, market_time) index", p)
	}
}

func TestSeries(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDBWithSession(t)
	const n = 1000
	for i := range n {
		at := t0.Add(time.Duration(i) * time.Second)
		db.AddInventorySnapshot(ctx, inventory("s1", at, float64(i), 1))
		db.AddValuationSnapshot(ctx, engine.ValuationSnapshot{SessionID: "s1", MarketTime: at, TotalValueInRLUSD: float64(i)})
	}
	if err := db.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	for _, m := range []int{2, 3, 7, 200, 999, 1000, 5000, 0} {
		t.Run(fmt.Sprint(m), func(t *testing.T) {
			inv, err := db.InventorySeries(ctx, "s1", m)
			if err != nil {
				t.Fatal(err)
			}
			val, err := db.ValuationSeries(ctx, "s1", m)
			if err != nil {
				t.Fatal(err)
			}
			want := min(m, n)
			if m <= 0 {
				want = n
			}
			if len(inv) != want || len(val) != want {
				t.Fatalf("points=%d,%d, want %d", len(inv), len(val), want)
			}
			if inv[0].XRPBalance != 0 || inv[len(inv)-1].XRPBalance != n-1 || val[len(val)-1].TotalValueInRLUSD != n-1 {
				t.Fatal("first or last point missing")
			}
			maxGap := 0.0
			for i := 1; i < len(inv); i++ {
				gap := inv[i].XRPBalance - inv[i-1].XRPBalance
				if gap <= 0 {
					t.Fatalf("points out of order at %d", i)
				}
				maxGap = max(maxGap, gap)
			}
			if even := math.Ceil(float64(n-1) / float64(want-1)); maxGap > even {
				t.Fatalf("largest gap %v, want at most %v (evenly spread)", maxGap, even)
			}
		})
	}
	t.Run("One", func(t *testing.T) {
		inv, _ := db.InventorySeries(ctx, "s1", 1)
		if len(inv) != 1 || inv[0].XRPBalance != n-1 {
			t.Fatalf("got %+v, want the last point", inv)
		}
	})
}

// TestLeftOpen: a session with no end recorded is LeftOpen in ListSessions
// and GetSession when no process holds the instance lock (its process is
// gone: what neo check calls "left open"), and not while a process holds
// it, including the holder's own reads (a running session's console). A
// closed session is never LeftOpen.
func TestLeftOpen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "neo.db")
	w := MustOpenDBAt(t, path, nil)
	MustOpenSession(t, w, "closed", t0)
	if err := w.CloseSession(ctx, engine.SessionEnd{SessionID: "closed", EndedAt: t0.Add(time.Hour), EndingValue: 5000, HaltReason: engine.HaltOperatorQuit}); err != nil {
		t.Fatal(err)
	}
	MustOpenSession(t, w, "open", t0.Add(2*time.Hour))
	r, err := store.Open(ctx, store.Options{Path: path, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(ctx)
	leftOpen := func(db *store.DB) map[string]bool {
		t.Helper()
		list, err := db.ListSessions(ctx, engine.SessionQuery{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, s := range list {
			one, err := db.GetSession(ctx, s.SessionID)
			if err != nil || one.LeftOpen != s.LeftOpen {
				t.Fatalf("GetSession(%s): LeftOpen %v (err %v), ListSessions says %v", s.SessionID, one.LeftOpen, err, s.LeftOpen)
			}
			got[s.SessionID] = s.LeftOpen
		}
		return got
	}
	if got := leftOpen(w); got["open"] || got["closed"] {
		t.Fatalf("the lock holder's own reads: %v, want nothing left open", got)
	}
	if got := leftOpen(r); got["open"] || got["closed"] {
		t.Fatalf("beside the lock holder: %v, want nothing left open", got)
	}
	MustClose(t, w) // the process is gone; the session stays open
	if got := leftOpen(r); !got["open"] || got["closed"] {
		t.Fatalf("with the lock free: %v, want only the open session left open", got)
	}
}
