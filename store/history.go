package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"neo/engine"
)

// DefaultListLimit is the page size of ListSessions when the query sets none.
const DefaultListLimit = 100

const sessionColumns = `s.session_id, s.started_at, s.ended_at, s.ended_at_estimated, s.mode, s.feed,
	s.config_json, s.app_version, s.starting_xrp, s.starting_rlusd, s.starting_value,
	s.ending_xrp, s.ending_rlusd, s.ending_value, s.halt_reason,
	(SELECT count(*) FROM fills f WHERE f.session_key = s.session_key),
	s.market_started_at, s.market_ended_at`

// nullSortValue stands for NULL in numeric sort keys: below every real value.
const nullSortValue = -math.MaxFloat64

// sortExpr returns the SQL of a sort key and whether it is numeric.
func sortExpr(k engine.SortKey) (string, bool, error) {
	switch k {
	case "", engine.SortStartedAt:
		return "s.started_at", false, nil
	case engine.SortEndingValue:
		return fmt.Sprintf("IFNULL(s.ending_value, %g)", nullSortValue), true, nil
	case engine.SortPnL:
		return fmt.Sprintf("IFNULL(s.ending_value - s.starting_value, %g)", nullSortValue), true, nil
	}
	return "", false, fmt.Errorf("unknown sort key %q; use started_at, ending_value or pnl", k)
}

// ListSessions returns one page of sessions, keyset-paginated over the sort
// value and session id.
func (db *DB) ListSessions(ctx context.Context, q engine.SessionQuery) ([]engine.SessionSummary, error) {
	key, numeric, err := sortExpr(q.Sort)
	if err != nil {
		return nil, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultListLimit
	}
	var where []string
	var args []any
	if q.Reason != "" {
		where = append(where, "s.halt_reason = ?")
		args = append(args, string(q.Reason))
	}
	if !q.Since.IsZero() {
		where = append(where, "s.started_at >= ?")
		args = append(args, fmtTime(q.Since))
	}
	if !q.Until.IsZero() {
		where = append(where, "s.started_at < ?")
		args = append(args, fmtTime(q.Until))
	}
	cmp, dir := "<", "DESC"
	if q.Asc {
		cmp, dir = ">", "ASC"
	}
	if q.After != nil {
		var v any = q.After.Value
		if numeric {
			f := nullSortValue
			if q.After.Value != "" {
				if f, err = strconv.ParseFloat(q.After.Value, 64); err != nil {
					return nil, fmt.Errorf("bad cursor value %q: %w", q.After.Value, err)
				}
			}
			v = f
		}
		where = append(where, fmt.Sprintf("(%[1]s %[2]s ? OR (%[1]s = ? AND s.session_id %[2]s ?))", key, cmp))
		args = append(args, v, v, q.After.SessionID)
	}
	query := "SELECT " + sessionColumns + ", " + key + " FROM sessions s"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += fmt.Sprintf(" ORDER BY %s %s, s.session_id %s LIMIT ?", key, dir, dir)
	args = append(args, limit)

	rows, err := db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list sessions in %s: %w", db.path, err)
	}
	defer rows.Close()
	var out []engine.SessionSummary
	for rows.Next() {
		var sum engine.SessionSummary
		var keyText string
		var keyNum float64
		var keyDest any = &keyText
		if numeric {
			keyDest = &keyNum
		}
		if err := scanSession(rows, &sum, keyDest); err != nil {
			return nil, fmt.Errorf("list sessions in %s: %w", db.path, err)
		}
		sum.Cursor = engine.Cursor{Value: keyText, SessionID: sum.SessionID}
		if numeric {
			sum.Cursor.Value = ""
			if keyNum != nullSortValue {
				sum.Cursor.Value = strconv.FormatFloat(keyNum, 'g', -1, 64)
			}
		}
		out = append(out, sum)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list sessions in %s: %w", db.path, err)
	}
	db.markLeftOpen(out)
	return out, nil
}

// markLeftOpen sets LeftOpen on the sessions with no end recorded when no
// process holds the instance lock: their process is gone (what neo check
// reports as "left open"). The lock is only probed, never taken, and only
// when such a session is in the list.
func (db *DB) markLeftOpen(list []engine.SessionSummary) {
	probed, gone := false, false
	for i := range list {
		if list[i].EndedAt != nil {
			continue
		}
		if !probed {
			probed, gone = true, db.nobodyRuns()
		}
		list[i].LeftOpen = gone
	}
}

// nobodyRuns reports whether no process holds the instance lock of the
// database, as far as a probe can tell: false while this process holds it
// (a running session's own console), and false when the probe of the lock
// file failed (unreadable) and there is no lock on the database file itself
// to ask instead (off Linux, network filesystems).
func (db *DB) nobodyRuns() bool {
	if db.lock != nil {
		return false
	}
	held, _, err := LockHolder(db.path)
	return !held && (err == nil || inodeLockWorks(db.path))
}

// GetSession returns one session; engine.ErrNotFound if there is none.
func (db *DB) GetSession(ctx context.Context, sessionID string) (engine.SessionSummary, error) {
	var sum engine.SessionSummary
	row := db.r.QueryRowContext(ctx, "SELECT "+sessionColumns+", s.started_at FROM sessions s WHERE s.session_id = ?", sessionID)
	var key string
	if err := scanSession(row, &sum, &key); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return sum, fmt.Errorf("session %s: %w", sessionID, engine.ErrNotFound)
		}
		return sum, fmt.Errorf("get session %s from %s: %w", sessionID, db.path, err)
	}
	sum.Cursor = engine.Cursor{Value: key, SessionID: sum.SessionID}
	one := []engine.SessionSummary{sum}
	db.markLeftOpen(one)
	return one[0], nil
}

type scanner interface{ Scan(dest ...any) error }

// scanSession reads a session row. A field that cannot be read (a time that
// is not a time, a number that is not finite or missing) does not fail the
// row: it is left zero or nil and named in sum.Damage, so that one damaged
// row cannot block every listing of the database.
func scanSession(sc scanner, sum *engine.SessionSummary, extra ...any) error {
	var (
		started                    string
		ended, reason              sql.NullString
		estimated                  int
		startXRP, startRLUSD       sql.NullFloat64
		startValue                 sql.NullFloat64
		endXRP, endRLUSD, endValue sql.NullFloat64
		mStarted, mEnded           sql.NullString
	)
	s := &sum.Session
	dest := []any{&s.SessionID, &started, &ended, &estimated, &s.Mode, &s.Feed, &s.ConfigJSON, &s.AppVersion,
		&startXRP, &startRLUSD, &startValue, &endXRP, &endRLUSD, &endValue, &reason, &sum.FillCount, &mStarted, &mEnded}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return err
	}
	var damage []string
	var err error
	if s.StartedAt, err = parseTime(started); err != nil {
		damage = append(damage, "started_at "+err.Error())
	}
	if s.EndedAt, err = parseTimePtr(ended); err != nil {
		damage = append(damage, "ended_at "+err.Error())
	}
	if s.MarketStartedAt, err = parseTimePtr(mStarted); err != nil {
		damage = append(damage, "market_started_at "+err.Error())
	}
	if s.MarketEndedAt, err = parseTimePtr(mEnded); err != nil {
		damage = append(damage, "market_ended_at "+err.Error())
	}
	s.EndedAtEstimated = estimated != 0
	for _, f := range []struct {
		name string
		v    sql.NullFloat64
		dst  *float64
	}{{"starting_xrp", startXRP, &s.StartingXRP}, {"starting_rlusd", startRLUSD, &s.StartingRLUSD}, {"starting_value", startValue, &s.StartingValue}} {
		switch {
		case !f.v.Valid:
			damage = append(damage, f.name+" is missing (set aside as not finite)")
		case !finite(f.v.Float64):
			damage = append(damage, fmt.Sprintf("%s %v is not a finite number", f.name, f.v.Float64))
		default:
			*f.dst = f.v.Float64
		}
	}
	for _, f := range []struct {
		name string
		v    sql.NullFloat64
		dst  **float64
	}{{"ending_xrp", endXRP, &s.EndingXRP}, {"ending_rlusd", endRLUSD, &s.EndingRLUSD}, {"ending_value", endValue, &s.EndingValue}} {
		if f.v.Valid && !finite(f.v.Float64) {
			damage = append(damage, fmt.Sprintf("%s %v is not a finite number", f.name, f.v.Float64))
			continue
		}
		*f.dst = floatPtr(f.v)
	}
	s.HaltReason = engine.HaltReason(reason.String)
	if len(damage) > 0 {
		sum.Damage = "session " + rowName(s.SessionID) + ": " + strings.Join(damage, "; ")
	}
	return nil
}

// keyOf is the SQL of the session_key of the session whose text id is
// the query's first argument.
const keyOf = `(SELECT session_key FROM sessions WHERE session_id = ?1)`

// seriesQuery selects the rows of table for a session, at most maxPoints of
// them spread evenly (first and last included), oldest first in market
// time.
func (db *DB) seriesQuery(ctx context.Context, table, cols, sessionID string, maxPoints int) (*sql.Rows, error) {
	all := "SELECT " + cols + " FROM " + table + " WHERE session_key = " + keyOf + " ORDER BY market_time, rowid"
	if maxPoints <= 0 {
		return db.r.QueryContext(ctx, all, sessionID)
	}
	var n int64
	if err := db.r.QueryRowContext(ctx, "SELECT count(*) FROM "+table+" WHERE session_key = "+keyOf, sessionID).Scan(&n); err != nil {
		return nil, err
	}
	m := int64(maxPoints)
	switch {
	case n <= m:
		return db.r.QueryContext(ctx, all, sessionID)
	case m == 1:
		return db.r.QueryContext(ctx, "SELECT "+cols+" FROM "+table+" WHERE session_key = "+keyOf+" ORDER BY market_time DESC, rowid DESC LIMIT 1", sessionID)
	}
	// Row rn belongs to bucket rn*(m-1)/(n-1), 0..m-1; keep the first row of
	// each bucket: exactly m rows, rn = 0 and rn = n-1 among them.
	return db.r.QueryContext(ctx, `SELECT `+cols+` FROM (
			SELECT `+cols+`, row_number() OVER (ORDER BY market_time, rowid) - 1 AS rn
			FROM `+table+` WHERE session_key = `+keyOf+`)
		WHERE rn = 0 OR (rn * ?2) / ?3 <> ((rn - 1) * ?2) / ?3
		ORDER BY rn`, sessionID, m-1, n-1)
}

const inventoryColumns = `market_time, mid_price, xrp_balance, rlusd_balance, xrp_value_in_rlusd,
	total_value_in_rlusd, xrp_pct, drift_pct, skew_tier, drift_velocity_pct_per_min`

// InventorySeries returns at most maxPoints inventory snapshots spread evenly
// over the session, oldest first (maxPoints <= 0: all).
func (db *DB) InventorySeries(ctx context.Context, sessionID string, maxPoints int) ([]engine.InventorySnapshot, error) {
	rows, err := db.seriesQuery(ctx, "inventory_snapshots", inventoryColumns, sessionID, maxPoints)
	return collect(rows, err, "inventory series of "+sessionID, scanInventory(sessionID))
}

// scanInventory reads a row of inventoryColumns of the session; not ok
// when a number is not finite.
func scanInventory(sessionID string) func(*sql.Rows) (engine.InventorySnapshot, bool, error) {
	return func(rows *sql.Rows) (s engine.InventorySnapshot, ok bool, err error) {
		var at int64
		if err := rows.Scan(&at, &s.MidPrice, &s.XRPBalance, &s.RLUSDBalance, &s.XRPValueInRLUSD,
			&s.TotalValueInRLUSD, &s.XRPPct, &s.DriftPct, &s.SkewTier, &s.DriftVelocityPctPerMin); err != nil {
			return s, false, err
		}
		s.SessionID, s.MarketTime = sessionID, fromMS(at)
		return s, finite(s.MidPrice, s.XRPBalance, s.RLUSDBalance, s.XRPValueInRLUSD,
			s.TotalValueInRLUSD, s.XRPPct, s.DriftPct, s.DriftVelocityPctPerMin), nil
	}
}

const valuationColumns = `market_time, mid_price, anchor_price, total_value_in_rlusd,
	hold_value_in_rlusd, pnl_rlusd, fees_rlusd`

// ValuationSeries returns at most maxPoints valuation snapshots spread evenly
// over the session, oldest first (maxPoints <= 0: all).
func (db *DB) ValuationSeries(ctx context.Context, sessionID string, maxPoints int) ([]engine.ValuationSnapshot, error) {
	rows, err := db.seriesQuery(ctx, "valuation_snapshots", valuationColumns, sessionID, maxPoints)
	return collect(rows, err, "valuation series of "+sessionID, scanValuation(sessionID))
}

// scanValuation reads a row of valuationColumns of the session; not ok
// when a number is not finite.
func scanValuation(sessionID string) func(*sql.Rows) (engine.ValuationSnapshot, bool, error) {
	return func(rows *sql.Rows) (s engine.ValuationSnapshot, ok bool, err error) {
		var at int64
		var anchor sql.NullFloat64
		if err := rows.Scan(&at, &s.MidPrice, &anchor, &s.TotalValueInRLUSD,
			&s.HoldValueInRLUSD, &s.PnLRLUSD, &s.FeesRLUSD); err != nil {
			return s, false, err
		}
		s.SessionID, s.MarketTime, s.AnchorPrice = sessionID, fromMS(at), floatPtr(anchor)
		return s, finite(s.MidPrice, anchor.Float64, s.TotalValueInRLUSD, s.HoldValueInRLUSD, s.PnLRLUSD, s.FeesRLUSD), nil
	}
}

// Fills returns the session's first limit fills, oldest first in market
// time; limit <= 0 means all.
func (db *DB) Fills(ctx context.Context, sessionID string, limit int) ([]engine.Fill, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := db.r.QueryContext(ctx, `SELECT fill_id, order_id, market_time, side, price, qty_xrp, value_rlusd, fee_rlusd
		FROM fills WHERE session_key = `+keyOf+` ORDER BY market_time, rowid LIMIT ?2`, sessionID, limit)
	return collect(rows, err, "fills of "+sessionID, func(rows *sql.Rows) (f engine.Fill, ok bool, err error) {
		var at int64
		var side string
		if err := rows.Scan(&f.FillID, &f.OrderID, &at, &side, &f.Price, &f.QtyXRP, &f.ValueRLUSD, &f.FeeRLUSD); err != nil {
			return f, false, err
		}
		f.SessionID, f.Side, f.MarketTime = sessionID, engine.Side(side), fromMS(at)
		return f, finite(f.Price, f.QtyXRP, f.ValueRLUSD, f.FeeRLUSD), nil
	})
}

// Events returns the session's first limit events, oldest first in market
// time (then in the order they were written); limit <= 0 means all.
func (db *DB) Events(ctx context.Context, sessionID string, limit int) ([]engine.SessionEvent, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := db.r.QueryContext(ctx, `SELECT created_at, market_time, level, kind, message
		FROM session_events WHERE session_key = `+keyOf+` ORDER BY market_time, rowid LIMIT ?2`, sessionID, limit)
	return collect(rows, err, "events of "+sessionID, func(rows *sql.Rows) (e engine.SessionEvent, ok bool, err error) {
		var at string
		var mt int64
		if err := rows.Scan(&at, &mt, &e.Level, &e.Kind, &e.Message); err != nil {
			return e, false, err
		}
		e.SessionID, e.MarketTime = sessionID, fromMS(mt)
		e.CreatedAt, err = parseTime(at)
		return e, err == nil, nil
	})
}

// Orders returns the session's orders, oldest first in market time.
func (db *DB) Orders(ctx context.Context, sessionID string) ([]engine.Order, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT order_id, side, price, qty_xrp, market_time, status, closed_market_time
		FROM orders WHERE session_key = `+keyOf+` ORDER BY market_time, rowid`, sessionID)
	return collect(rows, err, "orders of "+sessionID, func(rows *sql.Rows) (o engine.Order, ok bool, err error) {
		var at int64
		var side, status string
		var closed sql.NullInt64
		if err := rows.Scan(&o.OrderID, &side, &o.Price, &o.QtyXRP, &at, &status, &closed); err != nil {
			return o, false, err
		}
		o.SessionID, o.Side, o.Status = sessionID, engine.Side(side), engine.OrderStatus(status)
		o.MarketTime, o.ClosedMarketTime = fromMS(at), fromMSPtr(closed)
		return o, finite(o.Price, o.QtyXRP), nil
	})
}

// collect reads the rows of a session's list (or the error that selecting
// them returned) with scan. A row scan reports as not ok is damaged (a time
// that is not a time, a number that is not finite: see DamagedRows) and is
// left out; what names the read in errors.
func collect[T any](rows *sql.Rows, err error, what string, scan func(*sql.Rows) (T, bool, error)) ([]T, error) {
	var out []T
	if err := each(rows, err, what, scan, func(v T) error { out = append(out, v); return nil }); err != nil {
		return nil, err
	}
	return out, nil
}

// DamagedRow is a row that readers skip or show as damaged: a time that is
// not a time, a number that is not finite, or a value that migration 2 set
// aside.
type DamagedRow struct {
	Table   string
	Row     string // the row's key: session id, order id, fill id or "session at time"
	Problem string // what is wrong, with the offending text quoted
}

// String is one line for `neo check`: table, row and problem, control
// characters escaped.
func (d DamagedRow) String() string {
	return fmt.Sprintf("%s %s: %s", printable(d.Table), rowName(d.Row), printable(d.Problem))
}

// maxDamagedPerQuery bounds how many rows of each kind DamagedRows lists.
const maxDamagedPerQuery = 50

// strictTimeShape is timeShape with the ranges of month, day and clock.
const strictTimeShape = `'[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]*'`

// DamagedRows lists the rows that readers cannot show as they are (at most
// 50 of each kind): every session is read through the readers' own checks,
// the other tables by the shape of their times and the finiteness of their
// numbers, plus what migration 2 set aside in damaged_values. `neo check`
// prints them.
func (db *DB) DamagedRows(ctx context.Context) ([]DamagedRow, error) {
	var out []DamagedRow
	rows, err := db.r.QueryContext(ctx, "SELECT "+sessionColumns+" FROM sessions s ORDER BY s.rowid")
	if err != nil {
		return nil, fmt.Errorf("list damaged rows in %s: %w", db.path, err)
	}
	n := 0
	for rows.Next() && n < maxDamagedPerQuery {
		var sum engine.SessionSummary
		if err := scanSession(rows, &sum); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list damaged rows in %s: %w", db.path, err)
		}
		if sum.Damage != "" {
			n++
			out = append(out, DamagedRow{Table: "sessions", Row: sum.SessionID,
				Problem: strings.TrimPrefix(sum.Damage, "session "+rowName(sum.SessionID)+": ")})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list damaged rows in %s: %w", db.path, err)
	}

	notFinite := func(cols ...string) string {
		var parts []string
		for _, c := range cols {
			parts = append(parts, "abs("+c+") >= 9e999")
		}
		return strings.Join(parts, " OR ")
	}
	badTime := func(col string) string {
		return "(" + col + " IS NOT NULL AND " + col + " NOT GLOB " + strictTimeShape + ")"
	}
	// Market times are INTEGER columns of STRICT tables: always a number.
	// Rows are named by their session's text id.
	const sid = "(SELECT session_id FROM sessions WHERE session_key = t.session_key)"
	const at = sid + " || ' at ' || strftime('%Y-%m-%dT%H:%M:%fZ', t.market_time / 1000.0, 'unixepoch')"
	checks := []struct {
		table, key string
		reals      []string
		timeCols   []string
	}{
		{"orders", sid + " || ' ' || t.order_id", []string{"price", "qty_xrp"}, nil},
		{"fills", sid + " || ' ' || t.fill_id", []string{"price", "qty_xrp", "value_rlusd", "fee_rlusd"}, nil},
		{"inventory_snapshots", at, []string{"mid_price", "xrp_balance", "rlusd_balance",
			"xrp_value_in_rlusd", "total_value_in_rlusd", "xrp_pct", "drift_pct", "drift_velocity_pct_per_min"}, nil},
		{"valuation_snapshots", at, []string{"mid_price", "anchor_price", "total_value_in_rlusd",
			"hold_value_in_rlusd", "pnl_rlusd", "fees_rlusd"}, nil},
		{"session_events", sid + " || ' at ' || t.created_at", nil, []string{"created_at"}},
	}
	for _, c := range checks {
		var conds, probs []string
		for _, t := range c.timeCols {
			conds = append(conds, badTime(t))
			probs = append(probs, "CASE WHEN "+badTime(t)+" THEN '"+t+" ' || quote(substr("+t+", 1, 60)) || ' is not a time; ' ELSE '' END")
		}
		for _, r := range c.reals {
			conds = append(conds, notFinite(r))
			probs = append(probs, "CASE WHEN "+notFinite(r)+" THEN '"+r+" ' || quote("+r+") || ' is not a finite number; ' ELSE '' END")
		}
		q := fmt.Sprintf("SELECT %s, %s FROM %s t WHERE %s ORDER BY t.rowid LIMIT %d",
			c.key, strings.Join(probs, " || "), c.table, strings.Join(conds, " OR "), maxDamagedPerQuery)
		if err := db.collectDamaged(ctx, q, c.table, &out); err != nil {
			return nil, err
		}
	}
	var has int
	if err := db.r.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'damaged_values'").Scan(&has); err != nil {
		return nil, fmt.Errorf("list damaged rows in %s: %w", db.path, err)
	}
	if has > 0 {
		q := fmt.Sprintf("SELECT row_key, detail || ' (found ' || found_at || ')', table_name FROM damaged_values ORDER BY rowid LIMIT %d", maxDamagedPerQuery)
		if err := db.collectDamaged(ctx, q, "", &out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// collectDamaged appends the rows of q (key, problem[, table]) to out.
func (db *DB) collectDamaged(ctx context.Context, q, table string, out *[]DamagedRow) error {
	rows, err := db.r.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("list damaged rows in %s: %w", db.path, err)
	}
	defer rows.Close()
	for rows.Next() {
		d := DamagedRow{Table: table}
		var key sql.NullString
		dest := []any{&key, &d.Problem}
		if table == "" {
			dest = append(dest, &d.Table)
		}
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("list damaged rows in %s: %w", db.path, err)
		}
		d.Row = key.String
		d.Problem = strings.TrimSuffix(d.Problem, "; ")
		*out = append(*out, d)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list damaged rows in %s: %w", db.path, err)
	}
	return nil
}
