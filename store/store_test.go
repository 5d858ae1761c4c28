package store_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"neo/engine"
	"neo/store"
)

// t0 is the fixed start of test sessions.
var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// MustOpenDB opens a fresh database in a temporary directory with the lock
// taken and the checkpoint loop off; it is closed at the end of the test.
func MustOpenDB(tb testing.TB) *store.DB {
	tb.Helper()
	return MustOpenDBAt(tb, filepath.Join(tb.TempDir(), "neo.db"), nil)
}

// MustOpenDBAt opens the database at path with opts adjusted by tweak.
func MustOpenDBAt(tb testing.TB, path string, tweak func(*store.Options)) *store.DB {
	tb.Helper()
	opts := store.Options{Path: path, Lock: true, CheckpointInterval: -1}
	if tweak != nil {
		tweak(&opts)
	}
	db, err := store.Open(context.Background(), opts)
	if err != nil {
		tb.Fatalf("open %s: %v", path, err)
	}
	tb.Cleanup(func() { db.Close(context.Background()) })
	return db
}

// MustOpenDBWithSession is MustOpenDB with one running session, s1,
// started at t0.
func MustOpenDBWithSession(tb testing.TB) *store.DB {
	tb.Helper()
	db := MustOpenDB(tb)
	MustOpenSession(tb, db, "s1", t0)
	return db
}

// MustCreateDB creates the database at path with one running session, sid,
// started at t0, and closes it.
func MustCreateDB(tb testing.TB, path, sid string) {
	tb.Helper()
	db := MustOpenDBAt(tb, path, nil)
	MustOpenSession(tb, db, sid, t0)
	MustClose(tb, db)
}

// MustClose closes db and fails the test on error.
func MustClose(tb testing.TB, db *store.DB) {
	tb.Helper()
	if err := db.Close(context.Background()); err != nil {
		tb.Fatalf("close: %v", err)
	}
}

func newSession(id string, start time.Time) engine.Session {
	return engine.Session{SessionID: id, StartedAt: start, Mode: engine.ModePaper, Feed: "sim",
		ConfigJSON: `{"seed":1}`, AppVersion: "test", StartingXRP: 1000, StartingRLUSD: 2500, StartingValue: 5000}
}

// MustOpenSession inserts a running session.
func MustOpenSession(tb testing.TB, db *store.DB, id string, start time.Time) engine.Session {
	tb.Helper()
	s := newSession(id, start)
	if err := db.OpenSession(context.Background(), s); err != nil {
		tb.Fatalf("open session: %v", err)
	}
	return s
}

func order(sessionID, id string, at time.Time, status engine.OrderStatus) engine.Order {
	o := engine.Order{OrderID: id, SessionID: sessionID, Side: engine.Buy, Price: 2.5, QtyXRP: 6, MarketTime: at, Status: status}
	if status != engine.OrderOpen {
		c := at.Add(time.Second)
		o.ClosedMarketTime = &c
	}
	return o
}

func fill(o engine.Order, id string, at time.Time) engine.Fill {
	return engine.Fill{FillID: id, SessionID: o.SessionID, OrderID: o.OrderID, MarketTime: at, Side: o.Side,
		Price: o.Price, QtyXRP: o.QtyXRP, ValueRLUSD: o.Price * o.QtyXRP, FeeRLUSD: 0.01}
}

func inventory(sessionID string, at time.Time, xrp, rlusd float64) engine.InventorySnapshot {
	return engine.InventorySnapshot{SessionID: sessionID, MarketTime: at, MidPrice: 2.5, XRPBalance: xrp, RLUSDBalance: rlusd,
		XRPValueInRLUSD: xrp * 2.5, TotalValueInRLUSD: rlusd + xrp*2.5, XRPPct: 50, DriftPct: 0, SkewTier: 0}
}

// rawDB opens an independent database/sql handle on path.
func rawDB(tb testing.TB, path string) *sql.DB {
	tb.Helper()
	d, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Close() })
	return d
}

// scanValues reads the current row of rows, whatever its columns, as one
// value per column.
func scanValues(tb testing.TB, rows *sql.Rows) []any {
	tb.Helper()
	cols, err := rows.Columns()
	if err != nil {
		tb.Fatal(err)
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		tb.Fatal(err)
	}
	return vals
}

func hashFile(tb testing.TB, path string) string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return "absent"
	}
	if err != nil {
		tb.Fatal(err)
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// TestSchemaMatchesStructFields holds the domain types against the tables:
// each column is its field's name in snake case (columnOf). The engine
// carries no storage tags; the store scans by explicit column lists, and this
// test catches a field or a column added on one side only.
func TestSchemaMatchesStructFields(t *testing.T) {
	db := MustOpenDB(t)
	MustClose(t, db)
	raw := rawDB(t, db.Path())
	for _, tc := range []struct {
		table string
		typ   any
	}{
		{"sessions", engine.Session{}},
		{"orders", engine.Order{}},
		{"fills", engine.Fill{}},
		{"inventory_snapshots", engine.InventorySnapshot{}},
		{"valuation_snapshots", engine.ValuationSnapshot{}},
		{"session_events", engine.SessionEvent{}},
	} {
		t.Run(tc.table, func(t *testing.T) {
			var fields []string
			rt := reflect.TypeOf(tc.typ)
			for i := range rt.NumField() {
				f := columnOf(rt.Field(i).Name)
				// The rows of a session point at it by its integer key;
				// the text id lives in sessions only.
				if f == "session_id" && tc.table != "sessions" {
					f = "session_key"
				}
				fields = append(fields, f)
			}
			if tc.table == "sessions" {
				// The store's own columns: the row's key and the wall
				// time of the last commit (for recovery).
				fields = append(fields, "session_key", "last_write_at")
			}
			rows, err := raw.Query("SELECT name FROM pragma_table_info(?)", tc.table)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var cols []string
			for rows.Next() {
				var c string
				rows.Scan(&c)
				cols = append(cols, c)
			}
			if len(cols) == 0 {
				t.Fatalf("table %s has no columns", tc.table)
			}
			sort.Strings(cols) // errors in name order
			for _, c := range cols {
				if !contains(fields, c) {
					t.Errorf("column %s.%s has no field in %s", tc.table, c, rt.Name())
				}
			}
			for _, f := range fields {
				if !contains(cols, f) {
					t.Errorf("field %s of %s has no column in %s", f, rt.Name(), tc.table)
				}
			}
		})
	}
}

// columnOf is the column of a field: snake case, an acronym kept whole
// (XRPValueInRLUSD is xrp_value_in_rlusd). PnL is the one mixed-case word.
func columnOf(field string) string {
	f := []byte(strings.ReplaceAll(field, "PnL", "Pnl"))
	upper := func(i int) bool { return i < len(f) && f[i] >= 'A' && f[i] <= 'Z' }
	lower := func(i int) bool { return i >= 0 && i < len(f) && f[i] >= 'a' && f[i] <= 'z' }
	var b []byte
	for i, c := range f {
		if i > 0 && upper(i) && (lower(i-1) || lower(i+1)) {
			b = append(b, '_')
		}
		if upper(i) {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return string(b)
}

func TestColumnOf(t *testing.T) {
	for field, col := range map[string]string{"SessionID": "session_id", "XRPValueInRLUSD": "xrp_value_in_rlusd",
		"XRPPct": "xrp_pct", "PnLRLUSD": "pnl_rlusd", "DriftVelocityPctPerMin": "drift_velocity_pct_per_min",
		"ConfigJSON": "config_json", "EndedAtEstimated": "ended_at_estimated"} {
		if got := columnOf(field); got != col {
			t.Errorf("columnOf(%s) = %s, want %s", field, got, col)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// roundTrip is one session of every kind of row, written once by
// TestRoundTrip, and the rows as written.
type roundTrip struct {
	ctx    context.Context
	db     *store.DB
	s      engine.Session
	filled engine.Order
	f      engine.Fill
	inv    engine.InventorySnapshot
	val    engine.ValuationSnapshot
	ev     engine.SessionEvent
	end    engine.SessionEnd
}

// TestRoundTrip writes one session of every kind of row, then checks one
// property of what reads back per subtest.
func TestRoundTrip(t *testing.T) {
	r := &roundTrip{ctx: context.Background(), db: MustOpenDB(t)}
	r.write(t)
	t.Run("Session", r.session)
	t.Run("Rows", r.rows)
	t.Run("TimeColumnsAreUTCText", r.timeColumnsAreUTCText)
	t.Run("CloseSessionTwice", r.closeSessionTwice)
	t.Run("GetSessionNotFound", r.getSessionNotFound)
	t.Run("ForeignKeys", r.foreignKeys)
}

// write opens s1, places an order and fills it, adds one snapshot of each
// kind and an event, and closes the session.
func (r *roundTrip) write(t *testing.T) {
	ctx, db := r.ctx, r.db
	r.s = MustOpenSession(t, db, "s1", t0)
	o := order("s1", "o1", t0.Add(time.Second), engine.OrderOpen)
	if err := db.SaveOrders(ctx, o); err != nil {
		t.Fatal(err)
	}
	r.filled = o
	r.filled.Status = engine.OrderFilled
	at := t0.Add(2 * time.Second)
	r.filled.ClosedMarketTime = &at
	r.f = fill(r.filled, "f1", at)
	if err := db.RecordFill(ctx, r.f, r.filled); err != nil {
		t.Fatal(err)
	}
	r.inv = inventory("s1", t0.Add(3*time.Second), 1006, 2485)
	r.inv.SkewTier, r.inv.DriftVelocityPctPerMin = 2, -0.25
	r.val = engine.ValuationSnapshot{SessionID: "s1", MarketTime: t0.Add(3 * time.Second), MidPrice: 2.5, AnchorPrice: ptr(2.51),
		TotalValueInRLUSD: 5000, HoldValueInRLUSD: 4990, PnLRLUSD: 10, FeesRLUSD: 0.01}
	r.ev = engine.SessionEvent{SessionID: "s1", CreatedAt: t0.Add(4 * time.Second), Level: engine.LevelInfo, Kind: "tier", Message: "tier 2"}
	for _, err := range []error{db.AddInventorySnapshot(ctx, r.inv), db.AddValuationSnapshot(ctx, r.val), db.AddEvent(ctx, r.ev), db.Flush(ctx)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	r.end = engine.SessionEnd{SessionID: "s1", EndedAt: t0.Add(5 * time.Second), EndingXRP: 1006, EndingRLUSD: 2485,
		EndingValue: 5000, HaltReason: engine.HaltOperatorQuit}
	if err := db.CloseSession(ctx, r.end); err != nil {
		t.Fatal(err)
	}
}

// session checks the session row: as opened, with the end as closed and
// the market span ending at the last rows.
func (r *roundTrip) session(t *testing.T) {
	got, err := r.db.GetSession(r.ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	want, end := r.s, r.end
	endAt := end.EndedAt
	want.EndedAt, want.EndingXRP, want.EndingRLUSD, want.EndingValue = &endAt, &end.EndingXRP, &end.EndingRLUSD, &end.EndingValue
	want.HaltReason = engine.HaltOperatorQuit
	// The market span's end moved with the rows: the snapshots at 3 s.
	mEnd := t0.Add(3 * time.Second)
	want.MarketEndedAt = &mEnd
	if !reflect.DeepEqual(got.Session, want) {
		t.Fatalf("session=%+v\nwant    %+v", got.Session, want)
	}
	if got, want := got.FillCount, 1; got != want {
		t.Fatalf("FillCount=%d, want %d", got, want)
	}
}

// rows checks that every row reads back as written.
func (r *roundTrip) rows(t *testing.T) {
	ctx, db := r.ctx, r.db
	fills, err := db.Fills(ctx, "s1", 0)
	if err != nil || len(fills) != 1 || !reflect.DeepEqual(fills[0], r.f) {
		t.Fatalf("fills=%+v err=%v, want %+v", fills, err, r.f)
	}
	orders, err := db.Orders(ctx, "s1")
	if err != nil || len(orders) != 1 || !reflect.DeepEqual(orders[0], r.filled) {
		t.Fatalf("orders=%+v err=%v, want %+v", orders, err, r.filled)
	}
	invs, err := db.InventorySeries(ctx, "s1", 10)
	if err != nil || len(invs) != 1 || !reflect.DeepEqual(invs[0], r.inv) {
		t.Fatalf("inventory=%+v err=%v, want %+v", invs, err, r.inv)
	}
	vals, err := db.ValuationSeries(ctx, "s1", 10)
	if err != nil || len(vals) != 1 || !reflect.DeepEqual(vals[0], r.val) {
		t.Fatalf("valuation=%+v err=%v, want %+v", vals, err, r.val)
	}
	evs, err := db.Events(ctx, "s1", 0)
	if err != nil || len(evs) != 1 || !reflect.DeepEqual(evs[0], r.ev) {
		t.Fatalf("events=%+v err=%v, want %+v", evs, err, r.ev)
	}
}

// timeColumnsAreUTCText checks the stored text of the session's times.
func (r *roundTrip) timeColumnsAreUTCText(t *testing.T) {
	var started, ended string
	var est int
	raw := rawDB(t, r.db.Path())
	if err := raw.QueryRow("SELECT started_at, ended_at, ended_at_estimated FROM sessions").Scan(&started, &ended, &est); err != nil {
		t.Fatal(err)
	}
	if got, want := started, "2026-11-25T12:00:00.000Z"; got != want {
		t.Fatalf("started_at=%q, want %q", got, want)
	}
	if got, want := ended, "2026-11-25T12:00:05.000Z"; got != want {
		t.Fatalf("ended_at=%q, want %q", got, want)
	}
	if est != 0 {
		t.Fatalf("ended_at_estimated=%d, want 0", est)
	}
}

// closeSessionTwice closes s1 again: the same end is accepted, another
// reason is refused, an unknown session is not found.
func (r *roundTrip) closeSessionTwice(t *testing.T) {
	if err := r.db.CloseSession(r.ctx, r.end); err != nil {
		t.Fatalf("same close again: %v, want nil", err)
	}
	other := r.end
	other.HaltReason = engine.HaltSignalHangup
	if err := r.db.CloseSession(r.ctx, other); err == nil {
		t.Fatal("closing a closed session with another reason succeeded")
	}
	missing := r.end
	missing.SessionID = "nope"
	if err := r.db.CloseSession(r.ctx, missing); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("err=%v, want ErrNotFound", err)
	}
}

// getSessionNotFound reads a session that does not exist.
func (r *roundTrip) getSessionNotFound(t *testing.T) {
	if _, err := r.db.GetSession(r.ctx, "nope"); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("err=%v, want ErrNotFound", err)
	}
}

// foreignKeys records a fill of a session that does not exist.
func (r *roundTrip) foreignKeys(t *testing.T) {
	err := r.db.RecordFill(r.ctx, fill(order("ghost", "og", t0, engine.OrderFilled), "fg", t0), order("ghost", "og", t0, engine.OrderFilled))
	if err == nil {
		t.Fatal("a fill of an unknown session was accepted")
	}
}

func TestFileModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "neo")
	path := filepath.Join(dir, "neo.db")
	db := MustOpenDBAt(t, path, nil)
	MustOpenSession(t, db, "s1", t0)
	for _, p := range []string{path, path + "-wal", path + "-shm", store.LockPath(path)} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := fi.Mode().Perm(), os.FileMode(0o600); got != want {
			t.Errorf("%s mode=%v, want %v", filepath.Base(p), got, want)
		}
	}
	for _, d := range []string{dir, filepath.Dir(dir)} {
		fi, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := fi.Mode().Perm(), os.FileMode(0o700); got != want {
			t.Errorf("%s mode=%v, want %v", d, got, want)
		}
	}
	bak, err := db.Backup(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(bak); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup %s: %v %v, want mode 0600", bak, fi.Mode(), err)
	}
}

func TestCloseLeavesNoWAL(t *testing.T) {
	db := MustOpenDBWithSession(t)
	for i := range 50 {
		if err := db.AddEvent(context.Background(), engine.SessionEvent{SessionID: "s1", CreatedAt: t0, Level: "info", Kind: "k", Message: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	MustClose(t, db)
	if fi, err := os.Stat(db.Path() + "-wal"); err == nil && fi.Size() > 0 {
		t.Fatalf("-wal has %d bytes after Close", fi.Size())
	}
	raw := rawDB(t, db.Path())
	var n int
	if err := raw.QueryRow("SELECT count(*) FROM session_events").Scan(&n); err != nil || n != 50 {
		t.Fatalf("events=%d err=%v, want 50", n, err)
	}
}

func TestLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "neo.db")
	db := MustOpenDBAt(t, path, nil)
	t.Run("SecondOpenFails", func(t *testing.T) {
		_, err := store.Open(context.Background(), store.Options{Path: path, Lock: true})
		if !errors.Is(err, store.ErrLocked) {
			t.Fatalf("err=%v, want ErrLocked", err)
		}
		var le *store.LockedError
		if !errors.As(err, &le) || le.PID != os.Getpid() {
			t.Fatalf("err=%#v, want a LockedError with pid %d", err, os.Getpid())
		}
	})
	t.Run("ReadOnlyWorksBeside", func(t *testing.T) {
		MustOpenSession(t, db, "s1", t0)
		ro, err := store.Open(context.Background(), store.Options{Path: path, ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer ro.Close(context.Background())
		list, err := ro.ListSessions(context.Background(), engine.SessionQuery{})
		if err != nil || len(list) != 1 {
			t.Fatalf("list=%v err=%v", list, err)
		}
		if err := ro.OpenSession(context.Background(), newSession("x", t0)); !errors.Is(err, store.ErrReadOnly) {
			t.Fatalf("write on read-only: %v, want ErrReadOnly", err)
		}
		if _, err := ro.Recover(context.Background()); !errors.Is(err, store.ErrReadOnly) {
			t.Fatalf("recover on read-only: %v, want ErrReadOnly", err)
		}
	})
	t.Run("RecoverRefusesWhileLockedElsewhere", func(t *testing.T) {
		other, err := store.Open(context.Background(), store.Options{Path: path, CheckpointInterval: -1})
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close(context.Background())
		if _, err := other.Recover(context.Background()); !errors.Is(err, store.ErrLocked) {
			t.Fatalf("err=%v, want ErrLocked: the open session is alive", err)
		}
	})
	MustClose(t, db)
	t.Run("ReleasedOnClose", func(t *testing.T) {
		db2 := MustOpenDBAt(t, path, nil)
		MustClose(t, db2)
	})
}

func TestOpenBadPaths(t *testing.T) {
	ctx := context.Background()
	t.Run("Directory", func(t *testing.T) {
		dir := t.TempDir()
		_, err := store.Open(ctx, store.Options{Path: dir})
		var pe *store.PathError
		if !errors.As(err, &pe) || !pe.IsDir {
			t.Fatalf("err=%v, want a PathError for a directory", err)
		}
	})
	t.Run("ReadOnlyMissing", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "neo.db")
		_, err := store.Open(ctx, store.Options{Path: p, ReadOnly: true})
		var pe *store.PathError
		if !errors.As(err, &pe) || !pe.NotExist {
			t.Fatalf("err=%v, want a PathError for a missing file", err)
		}
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("read-only open created %s", p)
		}
	})
	t.Run("ParentIsAFile", func(t *testing.T) {
		f := filepath.Join(t.TempDir(), "file")
		os.WriteFile(f, nil, 0o600)
		_, err := store.Open(ctx, store.Options{Path: filepath.Join(f, "neo.db")})
		var pe *store.PathError
		if !errors.As(err, &pe) {
			t.Fatalf("err=%v, want a PathError", err)
		}
	})
}

func TestSaveBatch(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDBWithSession(t)
	open := order("s1", "o1", t0, engine.OrderOpen)
	filled := open
	filled.Status = engine.OrderFilled
	c := t0.Add(time.Second)
	filled.ClosedMarketTime = &c
	b := engine.Batch{
		Orders:     []engine.Order{open, filled, order("s1", "o2", t0, engine.OrderOpen)},
		Fills:      []engine.Fill{fill(filled, "f1", c)},
		Inventory:  []engine.InventorySnapshot{inventory("s1", c, 1006, 2485)},
		Valuations: []engine.ValuationSnapshot{{SessionID: "s1", MarketTime: c, TotalValueInRLUSD: 5000}},
	}
	if err := db.SaveBatch(ctx, b); err != nil {
		t.Fatal(err)
	}
	orders, _ := db.Orders(ctx, "s1")
	if len(orders) != 2 || orders[0].Status != engine.OrderFilled {
		t.Fatalf("orders=%+v, want o1 filled (upserted in order) and o2", orders)
	}
	fills, _ := db.Fills(ctx, "s1", 0)
	inv, _ := db.InventorySeries(ctx, "s1", 0)
	val, _ := db.ValuationSeries(ctx, "s1", 0)
	if len(fills) != 1 || len(inv) != 1 || len(val) != 1 {
		t.Fatalf("fills=%d inventory=%d valuations=%d, want 1 each", len(fills), len(inv), len(val))
	}
	t.Run("AllOrNothing", func(t *testing.T) {
		bad := engine.Batch{
			Orders: []engine.Order{order("s1", "o3", t0, engine.OrderOpen)},
			Fills:  []engine.Fill{fill(order("s1", "missing", t0, engine.OrderFilled), "f9", c)},
		}
		if err := db.SaveBatch(ctx, bad); err == nil {
			t.Fatal("a fill of an unknown order was accepted")
		}
		orders, _ := db.Orders(ctx, "s1")
		if len(orders) != 2 {
			t.Fatalf("orders=%d, want 2: the failed batch left a row", len(orders))
		}
	})
}

func ptr(f float64) *float64 { return &f }

// TestErrorCodes holds each store error to its domain code (cmd/neo maps
// the code to the exit code) and to its message, which must not change.
func TestErrorCodes(t *testing.T) {
	for _, tc := range []struct {
		err  error
		code string
		msg  string
	}{
		{&store.IntegrityError{Path: "/d/neo.db", Detail: "page 3"}, engine.EINTEGRITY,
			"database /d/neo.db failed its integrity check (page 3); nothing was written. Restore the last good backup with: neo restore --db /d/neo.db"},
		{&store.BadBackupError{DBPath: "/d/neo.db", Backup: "/d/b.db", Detail: "bad"}, engine.EINTEGRITY,
			"backup /d/b.db failed its integrity check (bad); nothing was changed. Pick another backup: neo restore --db /d/neo.db BACKUP (the newest good one is used when BACKUP is omitted)"},
		{&store.PathError{Path: "/d", Msg: "is a directory", IsDir: true}, engine.EINVALID, "database /d is a directory"},
		{&store.PathError{Path: "/d/x.db", Msg: "does not exist", NotExist: true}, engine.EPATH, "database /d/x.db does not exist"},
		{&store.ForeignError{Path: "/d/x.db", What: "a photo library"}, engine.EFOREIGN,
			"database /d/x.db is not a neo database: it seems to be a photo library; neo left it unchanged. Pass --db with another path (or move this file away)"},
		{&store.LockedError{Path: "/d/neo.db", PID: 42}, engine.ECONFLICT,
			"database /d/neo.db is in use by another neo process (pid 42); end that session first, or pass --db to use another database"},
		{store.ErrLocked, engine.ECONFLICT, "database is in use by another neo process"},
		{fmt.Errorf("close: %w", store.ErrCheckpointIncomplete), engine.EINCOMPLETE,
			"close: another process has the database open, so its write-ahead log could not be emptied"},
		{store.ErrDiskFull, engine.EINTERNAL, "database or disk is full (SQLITE_FULL)"},
	} {
		if got := engine.ErrorCode(fmt.Errorf("op: %w", tc.err)); got != tc.code {
			t.Errorf("%T %v: code %q, want %q", tc.err, tc.err, got, tc.code)
		}
		if got := tc.err.Error(); got != tc.msg {
			t.Errorf("%T: message changed:\n got %q\nwant %q", tc.err, got, tc.msg)
		}
	}
}

// TestCheckNotLocked: nil for a database nobody holds, a *LockedError with
// code ECONFLICT naming the holder while a writer has it open.
func TestCheckNotLocked(t *testing.T) {
	path := t.TempDir() + "/neo.db"
	if err := store.CheckNotLocked(path); err != nil {
		t.Fatalf("free database: %v", err)
	}
	db, err := store.Open(t.Context(), store.Options{Path: path, Lock: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(t.Context())
	err = store.CheckNotLocked(path)
	if engine.ErrorCode(err) != engine.ECONFLICT {
		t.Fatalf("held database: %v (code %q), want a conflict", err, engine.ErrorCode(err))
	}
}
