package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"neo/engine"
)

// OpenSession inserts the session row. Durable.
func (db *DB) OpenSession(ctx context.Context, s engine.Session) error {
	if err := checkFinite("session "+s.SessionID, "starting_xrp", s.StartingXRP, "starting_rlusd", s.StartingRLUSD, "starting_value", s.StartingValue); err != nil {
		return err
	}
	return db.durable(ctx, "open session "+s.SessionID, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO sessions (
			session_id, started_at, ended_at, ended_at_estimated, market_started_at, market_ended_at, last_write_at,
			mode, feed, config_json, app_version,
			starting_xrp, starting_rlusd, starting_value, ending_xrp, ending_rlusd, ending_value, halt_reason
		) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			s.SessionID, fmtTime(s.StartedAt), fmtTimePtr(s.EndedAt), boolInt(s.EndedAtEstimated),
			fmtTimePtr(s.MarketStartedAt), fmtTimePtr(s.MarketEndedAt), fmtTime(s.StartedAt),
			s.Mode, s.Feed, s.ConfigJSON, s.AppVersion,
			s.StartingXRP, s.StartingRLUSD, s.StartingValue,
			nullFloat(s.EndingXRP), nullFloat(s.EndingRLUSD), nullFloat(s.EndingValue), nullString(string(s.HaltReason)))
		if err != nil {
			return err
		}
		key, err := res.LastInsertId()
		if err != nil {
			return err
		}
		db.keys[s.SessionID] = key
		return nil
	})
}

// sessionKey is the session_key of the session with the text id, from the
// writer's cache or the database (inside tx: a session opened in the same
// group is seen). Only the writer goroutine calls it; runTx forgets the
// cache when a transaction rolls back.
func (db *DB) sessionKey(ctx context.Context, tx *sql.Tx, sessionID string) (int64, error) {
	if k, ok := db.keys[sessionID]; ok {
		return k, nil
	}
	var k int64
	err := tx.QueryRowContext(ctx, `SELECT session_key FROM sessions WHERE session_id = ?`, sessionID).Scan(&k)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("session %s: %w (open the session before writing its rows)", rowName(sessionID), engine.ErrNotFound)
	}
	if err != nil {
		return 0, err
	}
	db.keys[sessionID] = k
	return k, nil
}

// touchSession moves the session's market end forward to at (never back)
// and stamps last_write_at with the wall clock: a crash leaves the session
// row with its market span and the time of its last commit, which
// recovery uses.
func (db *DB) touchSession(ctx context.Context, tx *sql.Tx, key int64, at time.Time) error {
	_, err := db.txExec(ctx, tx, touchSessionSQL, fmtTime(at), fmtTime(db.now()), key)
	return err
}

const touchSessionSQL = `UPDATE sessions SET market_ended_at = max(IFNULL(market_ended_at, ''), ?1), last_write_at = ?2 WHERE session_key = ?3`

// marketSpan collects the latest market time of each session a write
// touches, for touchSession.
type marketSpan map[string]time.Time

func (m marketSpan) add(sessionID string, at time.Time) {
	if cur, ok := m[sessionID]; !ok || at.After(cur) {
		m[sessionID] = at
	}
}

// addOrder notes the market times of an order: its placement and, once it
// is closed, its end.
func (m marketSpan) addOrder(o engine.Order) {
	m.add(o.SessionID, o.MarketTime)
	if o.ClosedMarketTime != nil {
		m.add(o.SessionID, *o.ClosedMarketTime)
	}
}

// touch applies touchSession for every session in m.
func (m marketSpan) touch(ctx context.Context, db *DB, tx *sql.Tx) error {
	for id, at := range m {
		key, err := db.sessionKey(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := db.touchSession(ctx, tx, key, at); err != nil {
			return err
		}
	}
	return nil
}

// SaveOrders inserts or updates orders in one transaction. Durable.
func (db *DB) SaveOrders(ctx context.Context, orders ...engine.Order) error {
	if len(orders) == 0 {
		return nil
	}
	op := fmt.Sprintf("save %d orders", len(orders))
	if len(orders) == 1 {
		op = "save order " + orders[0].OrderID
	}
	return db.durable(ctx, op, func(ctx context.Context, tx *sql.Tx) error {
		span := marketSpan{}
		for _, o := range orders {
			if err := db.upsertOrder(ctx, tx, o, span); err != nil {
				return err
			}
		}
		return span.touch(ctx, db, tx)
	})
}

func (db *DB) upsertOrder(ctx context.Context, tx *sql.Tx, o engine.Order, span marketSpan) error {
	row, err := db.orderRow(ctx, tx, nil, o)
	if err != nil {
		return err
	}
	if o.Status != engine.OrderOpen {
		// The end of an order placed earlier (the common case: one
		// indexed UPDATE, cheaper than an upsert's failed insert); an
		// order recorded only at its end is inserted below.
		res, err := db.txExec(ctx, tx, closeOrderSQL, string(o.Status), msPtr(o.ClosedMarketTime), row[0], o.OrderID)
		if err != nil {
			return fmt.Errorf("order %s: %w", o.OrderID, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			if err != nil {
				return fmt.Errorf("order %s: %w", o.OrderID, err)
			}
			span.addOrder(o)
			return nil
		}
	}
	if _, err := db.txExec(ctx, tx, ordersInsert.single, row...); err != nil {
		return fmt.Errorf("order %s: %w", o.OrderID, err)
	}
	span.addOrder(o)
	return nil
}

// orderRow checks o and appends its row of orders to args, for the one-row
// upsert and the batches' multi-row ones alike.
func (db *DB) orderRow(ctx context.Context, tx *sql.Tx, args []any, o engine.Order) ([]any, error) {
	what := "order " + o.OrderID
	key, err := db.rowKey(ctx, tx, checkFinite(what, "price", o.Price, "qty_xrp", o.QtyXRP), what, o.SessionID)
	if err != nil {
		return args, err
	}
	return append(args, key, o.OrderID, string(o.Side), o.Price, o.QtyXRP, o.MarketTime.UnixMilli(), string(o.Status), msPtr(o.ClosedMarketTime)), nil
}

// RecordFill inserts the fill and updates its order in one transaction.
// Durable.
func (db *DB) RecordFill(ctx context.Context, f engine.Fill, o engine.Order) error {
	return db.durable(ctx, "record fill "+f.FillID, func(ctx context.Context, tx *sql.Tx) error {
		span := marketSpan{}
		if err := db.upsertOrder(ctx, tx, o, span); err != nil {
			return err
		}
		if err := db.insertFill(ctx, tx, f, span); err != nil {
			return err
		}
		return span.touch(ctx, db, tx)
	})
}

func (db *DB) insertFill(ctx context.Context, tx *sql.Tx, f engine.Fill, span marketSpan) error {
	if err := checkFinite("fill "+f.FillID, "price", f.Price, "qty_xrp", f.QtyXRP, "value_rlusd", f.ValueRLUSD, "fee_rlusd", f.FeeRLUSD); err != nil {
		return err
	}
	key, err := db.sessionKey(ctx, tx, f.SessionID)
	if err != nil {
		return fmt.Errorf("fill %s: %w", f.FillID, err)
	}
	_, err = db.txExec(ctx, tx, insertFillSQL,
		key, f.FillID, f.OrderID, f.MarketTime.UnixMilli(), string(f.Side), f.Price, f.QtyXRP, f.ValueRLUSD, f.FeeRLUSD)
	if err != nil {
		return fmt.Errorf("fill %s: %w", f.FillID, err)
	}
	span.add(f.SessionID, f.MarketTime)
	return nil
}

// SaveBatch writes the batch's orders (in order), fills, snapshots and
// session events in one transaction, and moves each session's market end
// to the batch's latest market time. Durable.
func (db *DB) SaveBatch(ctx context.Context, b engine.Batch) error {
	if b.Len() == 0 {
		return nil
	}
	op := fmt.Sprintf("batch of %d orders, %d fills, %d snapshots, %d events", len(b.Orders), len(b.Fills), len(b.Inventory)+len(b.Valuations), len(b.Events))
	return db.durable(ctx, op, func(ctx context.Context, tx *sql.Tx) error {
		span := marketSpan{}
		if err := db.saveOrders(ctx, tx, b.Orders, span); err != nil {
			return err
		}
		for _, f := range b.Fills {
			if err := db.insertFill(ctx, tx, f, span); err != nil {
				return err
			}
		}
		if err := db.saveSnapshots(ctx, tx, b.Inventory, b.Valuations, span); err != nil {
			return err
		}
		for _, e := range b.Events {
			if err := db.insertEvent(ctx, tx, e); err != nil {
				return err
			}
		}
		return span.touch(ctx, db, tx)
	})
}

// CloseSession writes ended_at, ending_* and halt_reason. Durable. Closing a
// session that is already closed with the same halt reason succeeds (a retry
// after a timeout); anything else that matches no open session fails.
func (db *DB) CloseSession(ctx context.Context, end engine.SessionEnd) error {
	if end.HaltReason == "" {
		return fmt.Errorf("close session %s: empty halt_reason", end.SessionID)
	}
	// The session must close whatever its figures: a non-finite one is
	// recorded as unknown (NULL) rather than refused.
	ending := func(name string, v float64) any {
		if !finite(v) {
			db.logger.Error("closing a session with a non-finite ending figure: recorded as unknown", "session", end.SessionID, "column", name, "value", v)
			return nil
		}
		return v
	}
	endXRP, endRLUSD, endValue := ending("ending_xrp", end.EndingXRP), ending("ending_rlusd", end.EndingRLUSD), ending("ending_value", end.EndingValue)
	var marketEnd any // NULL: keep what the batches recorded
	if !end.MarketEndedAt.IsZero() {
		marketEnd = fmtTime(end.MarketEndedAt)
	}
	return db.durable(ctx, "close session "+end.SessionID, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE sessions SET ended_at = ?1, ended_at_estimated = ?2,
			ending_xrp = ?3, ending_rlusd = ?4, ending_value = ?5, halt_reason = ?6,
			market_ended_at = max(IFNULL(market_ended_at, ''), IFNULL(?8, '')), last_write_at = ?1
			WHERE session_id = ?7 AND ended_at IS NULL`,
			fmtTime(end.EndedAt), boolInt(end.EndedAtEstimated), endXRP, endRLUSD, endValue,
			string(end.HaltReason), end.SessionID, marketEnd)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		var reason sql.NullString
		err = tx.QueryRowContext(ctx, `SELECT halt_reason FROM sessions WHERE session_id = ?`, end.SessionID).Scan(&reason)
		switch {
		case err == sql.ErrNoRows:
			return fmt.Errorf("session %s: %w", end.SessionID, engine.ErrNotFound)
		case err != nil:
			return err
		case reason.String == string(end.HaltReason):
			return nil
		default:
			return fmt.Errorf("session %s is already closed (halt_reason %s)", end.SessionID, reason.String)
		}
	})
}

// AddInventorySnapshot queues an inventory snapshot.
func (db *DB) AddInventorySnapshot(ctx context.Context, s engine.InventorySnapshot) error {
	return db.addSnapshot(ctx, "inventory snapshot of "+s.SessionID, inventoryInsert.single, s.SessionID, s.MarketTime,
		func(ctx context.Context, tx *sql.Tx) ([]any, error) { return db.inventoryRow(ctx, tx, nil, s) })
}

// AddValuationSnapshot queues a valuation snapshot.
func (db *DB) AddValuationSnapshot(ctx context.Context, s engine.ValuationSnapshot) error {
	return db.addSnapshot(ctx, "valuation snapshot of "+s.SessionID, valuationInsert.single, s.SessionID, s.MarketTime,
		func(ctx context.Context, tx *sql.Tx) ([]any, error) { return db.valuationRow(ctx, tx, nil, s) })
}

// addSnapshot queues the one-row insert (query) of a snapshot of the
// session taken at market time at, whose values row gives, and moves the
// session's market end to at.
func (db *DB) addSnapshot(ctx context.Context, op, query, sessionID string, at time.Time, row func(context.Context, *sql.Tx) ([]any, error)) error {
	return db.async(ctx, op, func(ctx context.Context, tx *sql.Tx) error {
		args, err := row(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := db.txExec(ctx, tx, query, args...); err != nil {
			return err
		}
		return marketSpan{sessionID: at}.touch(ctx, db, tx)
	})
}

// rowKey is the session_key of the row about to be written for the
// session, unless the row failed its check (checked, its error, comes
// first); what names the row when the session is not found.
func (db *DB) rowKey(ctx context.Context, tx *sql.Tx, checked error, what, sessionID string) (int64, error) {
	if checked != nil {
		return 0, checked
	}
	key, err := db.sessionKey(ctx, tx, sessionID)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	return key, nil
}

// checkInventory refuses a snapshot with a number that is not finite.
func checkInventory(s engine.InventorySnapshot) error {
	return checkFinite("inventory snapshot of "+s.SessionID, "mid_price", s.MidPrice, "xrp_balance", s.XRPBalance, "rlusd_balance", s.RLUSDBalance,
		"xrp_value_in_rlusd", s.XRPValueInRLUSD, "total_value_in_rlusd", s.TotalValueInRLUSD, "xrp_pct", s.XRPPct, "drift_pct", s.DriftPct,
		"drift_velocity_pct_per_min", s.DriftVelocityPctPerMin)
}

// inventoryRow checks s and appends its row of inventory_snapshots to args,
// for the one-row insert and the batches' multi-row ones alike.
func (db *DB) inventoryRow(ctx context.Context, tx *sql.Tx, args []any, s engine.InventorySnapshot) ([]any, error) {
	key, err := db.rowKey(ctx, tx, checkInventory(s), "inventory snapshot", s.SessionID)
	if err != nil {
		return args, err
	}
	return append(args, key, s.MarketTime.UnixMilli(), s.MidPrice, s.XRPBalance, s.RLUSDBalance, s.XRPValueInRLUSD,
		s.TotalValueInRLUSD, s.XRPPct, s.DriftPct, s.SkewTier, s.DriftVelocityPctPerMin), nil
}

// checkValuation refuses a snapshot with a number that is not finite (an
// absent anchor is not a number and passes).
func checkValuation(s engine.ValuationSnapshot) error {
	anchor := 0.0 // checked only when there is one
	if s.AnchorPrice != nil {
		anchor = *s.AnchorPrice
	}
	return checkFinite("valuation snapshot of "+s.SessionID, "mid_price", s.MidPrice, "anchor_price", anchor,
		"total_value_in_rlusd", s.TotalValueInRLUSD, "hold_value_in_rlusd", s.HoldValueInRLUSD, "pnl_rlusd", s.PnLRLUSD, "fees_rlusd", s.FeesRLUSD)
}

// valuationRow checks s and appends its row of valuation_snapshots to args,
// for the one-row insert and the batches' multi-row ones alike.
func (db *DB) valuationRow(ctx context.Context, tx *sql.Tx, args []any, s engine.ValuationSnapshot) ([]any, error) {
	key, err := db.rowKey(ctx, tx, checkValuation(s), "valuation snapshot", s.SessionID)
	if err != nil {
		return args, err
	}
	return append(args, key, s.MarketTime.UnixMilli(), s.MidPrice, nullFloat(s.AnchorPrice), s.TotalValueInRLUSD,
		s.HoldValueInRLUSD, s.PnLRLUSD, s.FeesRLUSD), nil
}

// AddEvent queues a session event.
func (db *DB) AddEvent(ctx context.Context, e engine.SessionEvent) error {
	return db.async(ctx, "event "+e.Kind+" of "+e.SessionID, func(ctx context.Context, tx *sql.Tx) error {
		return db.insertEvent(ctx, tx, e)
	})
}

const insertEventSQL = `INSERT INTO session_events (session_key, created_at, market_time, level, kind, message) VALUES (?, ?, ?, ?, ?, ?)`

func (db *DB) insertEvent(ctx context.Context, tx *sql.Tx, e engine.SessionEvent) error {
	key, err := db.sessionKey(ctx, tx, e.SessionID)
	if err != nil {
		return fmt.Errorf("event %s: %w", e.Kind, err)
	}
	_, err = db.txExec(ctx, tx, insertEventSQL, key, fmtTime(e.CreatedAt), e.MarketTime.UnixMilli(), e.Level, e.Kind, e.Message)
	return err
}

// txExec runs query in tx through the statement prepared for it when the
// database was opened (see prepareWrites); other queries run unprepared.
//
// A row's statement runs without ctx's cancellation (checked before it
// instead): with a cancellable context the driver starts a watcher
// goroutine and a progress handler for every statement, which was the
// largest single cost of a replay's writes after SQLite itself. A
// one-row statement is over in microseconds; the transaction's commit
// (where a stalled disk waits) still honours ctx.
func (db *DB) txExec(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	if st, ok := db.stmts[query]; ok {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		bg := context.WithoutCancel(ctx)
		return tx.StmtContext(bg, st).ExecContext(bg, args...)
	}
	return tx.ExecContext(ctx, query, args...)
}

// checkFinite refuses a write that would carry a non-finite number (the
// CHECKs of schema version 2 would too, with a raw SQL message; NaN would
// even pass them as NULL in a nullable column). pairs are name, value.
func checkFinite(what string, pairs ...any) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if v := pairs[i+1].(float64); !finite(v) {
			return fmt.Errorf("%s: %s is %v, not a finite number; not written (a bug upstream: please report it)", what, pairs[i], v)
		}
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// closeOrderSQL records the end of an open order.
const closeOrderSQL = `UPDATE orders SET status = ?1, closed_market_time = ?2 WHERE session_key = ?3 AND order_id = ?4 AND status = 'open'`

const insertFillSQL = `INSERT INTO fills (session_key, fill_id, order_id, market_time, side, price, qty_xrp, value_rlusd, fee_rlusd)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`

// writeStatements are prepared once on the write connection.
var writeStatements = []string{closeOrderSQL, insertFillSQL, insertEventSQL, touchSessionSQL}

// prepareWrites prepares writeStatements; it runs before the writer starts,
// while the one connection is free.
func (db *DB) prepareWrites(ctx context.Context) error {
	db.keys = map[string]int64{}
	db.stmts = make(map[string]*sql.Stmt, len(writeStatements)+len(batchStatements))
	for _, q := range append(writeStatements, batchStatements...) {
		st, err := db.w.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("prepare statements on %s: %w", db.path, err)
		}
		db.stmts[q] = st
	}
	return nil
}
