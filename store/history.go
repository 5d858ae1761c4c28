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
	(SELECT count(*) FROM fills f WHERE f.session_id = s.session_id)`

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
	return out, nil
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
	return sum, nil
}

type scanner interface{ Scan(dest ...any) error }

func scanSession(sc scanner, sum *engine.SessionSummary, extra ...any) error {
	var (
		started                    string
		ended, reason              sql.NullString
		estimated                  int
		endXRP, endRLUSD, endValue sql.NullFloat64
	)
	s := &sum.Session
	dest := []any{&s.SessionID, &started, &ended, &estimated, &s.Mode, &s.Feed, &s.ConfigJSON, &s.AppVersion,
		&s.StartingXRP, &s.StartingRLUSD, &s.StartingValue, &endXRP, &endRLUSD, &endValue, &reason, &sum.FillCount}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return err
	}
	var err error
	if s.StartedAt, err = parseTime(started); err != nil {
		return err
	}
	if s.EndedAt, err = parseTimePtr(ended); err != nil {
		return err
	}
	s.EndedAtEstimated = estimated != 0
	s.EndingXRP, s.EndingRLUSD, s.EndingValue = floatPtr(endXRP), floatPtr(endRLUSD), floatPtr(endValue)
	s.HaltReason = engine.HaltReason(reason.String)
	return nil
}

// seriesQuery selects the rows of table for a session, at most maxPoints of
// them spread evenly (first and last included), oldest first.
func (db *DB) seriesQuery(ctx context.Context, table, cols, sessionID string, maxPoints int) (*sql.Rows, error) {
	var n int64
	if err := db.r.QueryRowContext(ctx, "SELECT count(*) FROM "+table+" WHERE session_id = ?", sessionID).Scan(&n); err != nil {
		return nil, err
	}
	m := int64(maxPoints)
	switch {
	case maxPoints <= 0 || n <= m:
		return db.r.QueryContext(ctx, "SELECT "+cols+" FROM "+table+" WHERE session_id = ? ORDER BY created_at, rowid", sessionID)
	case m == 1:
		return db.r.QueryContext(ctx, "SELECT "+cols+" FROM "+table+" WHERE session_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 1", sessionID)
	}
	// Row rn belongs to bucket rn*(m-1)/(n-1), 0..m-1; keep the first row of
	// each bucket: exactly m rows, rn = 0 and rn = n-1 among them.
	return db.r.QueryContext(ctx, `SELECT `+cols+` FROM (
			SELECT `+cols+`, row_number() OVER (ORDER BY created_at, rowid) - 1 AS rn
			FROM `+table+` WHERE session_id = ?)
		WHERE rn = 0 OR (rn * ?2) / ?3 <> ((rn - 1) * ?2) / ?3
		ORDER BY rn`, sessionID, m-1, n-1)
}

const inventoryColumns = `session_id, created_at, mid_price, xrp_balance, rlusd_balance, xrp_value_in_rlusd,
	total_value_in_rlusd, xrp_pct, drift_pct, skew_tier, drift_velocity_pct_per_min`

// InventorySeries returns at most maxPoints inventory snapshots spread evenly
// over the session, oldest first (maxPoints <= 0: all).
func (db *DB) InventorySeries(ctx context.Context, sessionID string, maxPoints int) ([]engine.InventorySnapshot, error) {
	rows, err := db.seriesQuery(ctx, "inventory_snapshots", inventoryColumns, sessionID, maxPoints)
	if err != nil {
		return nil, fmt.Errorf("inventory series of %s: %w", sessionID, err)
	}
	defer rows.Close()
	var out []engine.InventorySnapshot
	for rows.Next() {
		var s engine.InventorySnapshot
		var at string
		if err := rows.Scan(&s.SessionID, &at, &s.MidPrice, &s.XRPBalance, &s.RLUSDBalance, &s.XRPValueInRLUSD,
			&s.TotalValueInRLUSD, &s.XRPPct, &s.DriftPct, &s.SkewTier, &s.DriftVelocityPctPerMin); err != nil {
			return nil, fmt.Errorf("inventory series of %s: %w", sessionID, err)
		}
		if s.CreatedAt, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

const valuationColumns = `session_id, created_at, mid_price, anchor_price, total_value_in_rlusd,
	hold_value_in_rlusd, pnl_rlusd, fees_rlusd`

// ValuationSeries returns at most maxPoints valuation snapshots spread evenly
// over the session, oldest first (maxPoints <= 0: all).
func (db *DB) ValuationSeries(ctx context.Context, sessionID string, maxPoints int) ([]engine.ValuationSnapshot, error) {
	rows, err := db.seriesQuery(ctx, "valuation_snapshots", valuationColumns, sessionID, maxPoints)
	if err != nil {
		return nil, fmt.Errorf("valuation series of %s: %w", sessionID, err)
	}
	defer rows.Close()
	var out []engine.ValuationSnapshot
	for rows.Next() {
		var s engine.ValuationSnapshot
		var at string
		if err := rows.Scan(&s.SessionID, &at, &s.MidPrice, &s.AnchorPrice, &s.TotalValueInRLUSD,
			&s.HoldValueInRLUSD, &s.PnLRLUSD, &s.FeesRLUSD); err != nil {
			return nil, fmt.Errorf("valuation series of %s: %w", sessionID, err)
		}
		if s.CreatedAt, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Fills returns the session's first limit fills, oldest first; limit <= 0
// means all.
func (db *DB) Fills(ctx context.Context, sessionID string, limit int) ([]engine.Fill, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := db.r.QueryContext(ctx, `SELECT fill_id, session_id, order_id, executed_at, side, price, qty_xrp, value_rlusd, fee_rlusd
		FROM fills WHERE session_id = ? ORDER BY executed_at, rowid LIMIT ?`, sessionID, limit)
	if err != nil {
		return nil, fmt.Errorf("fills of %s: %w", sessionID, err)
	}
	defer rows.Close()
	var out []engine.Fill
	for rows.Next() {
		var f engine.Fill
		var at, side string
		if err := rows.Scan(&f.FillID, &f.SessionID, &f.OrderID, &at, &side, &f.Price, &f.QtyXRP, &f.ValueRLUSD, &f.FeeRLUSD); err != nil {
			return nil, fmt.Errorf("fills of %s: %w", sessionID, err)
		}
		f.Side = engine.Side(side)
		if f.ExecutedAt, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// Events returns the session's first limit events, oldest first; limit <= 0
// means all.
func (db *DB) Events(ctx context.Context, sessionID string, limit int) ([]engine.SessionEvent, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := db.r.QueryContext(ctx, `SELECT session_id, created_at, level, kind, message
		FROM session_events WHERE session_id = ? ORDER BY created_at, rowid LIMIT ?`, sessionID, limit)
	if err != nil {
		return nil, fmt.Errorf("events of %s: %w", sessionID, err)
	}
	defer rows.Close()
	var out []engine.SessionEvent
	for rows.Next() {
		var e engine.SessionEvent
		var at string
		if err := rows.Scan(&e.SessionID, &at, &e.Level, &e.Kind, &e.Message); err != nil {
			return nil, fmt.Errorf("events of %s: %w", sessionID, err)
		}
		if e.CreatedAt, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Orders returns the session's orders, oldest first.
func (db *DB) Orders(ctx context.Context, sessionID string) ([]engine.Order, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT order_id, session_id, side, price, qty_xrp, created_at, status, closed_at
		FROM orders WHERE session_id = ? ORDER BY created_at, rowid`, sessionID)
	if err != nil {
		return nil, fmt.Errorf("orders of %s: %w", sessionID, err)
	}
	defer rows.Close()
	var out []engine.Order
	for rows.Next() {
		var o engine.Order
		var at, side, status string
		var closed sql.NullString
		if err := rows.Scan(&o.OrderID, &o.SessionID, &side, &o.Price, &o.QtyXRP, &at, &status, &closed); err != nil {
			return nil, fmt.Errorf("orders of %s: %w", sessionID, err)
		}
		o.Side, o.Status = engine.Side(side), engine.OrderStatus(status)
		if o.CreatedAt, err = parseTime(at); err != nil {
			return nil, err
		}
		if o.ClosedAt, err = parseTimePtr(closed); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
