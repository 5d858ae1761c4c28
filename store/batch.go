package store

// Multi-row writes for SaveBatch. A replay at full speed commits hundreds
// of orders and snapshots per transaction; each statement costs a trip
// through database/sql and the driver (binding, locks, allocations) that
// was, per row, as much as SQLite's own work. Rows go in statements of
// chunkRows rows each (the rest one by one), and the states of one order
// within a batch (placed, then cancelled or filled a few events later)
// become one row.

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"neo/engine"
)

// chunkRows is how many rows one multi-row INSERT carries.
const chunkRows = 32

// multiInsert is a one-row INSERT and its chunkRows-row form.
type multiInsert struct {
	single, chunk string
	cols          int
}

// newMultiInsert builds the statements from head ("INSERT INTO t (a, b)"),
// the column count and tail (an ON CONFLICT clause or "").
func newMultiInsert(head string, cols int, tail string) multiInsert {
	group := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	groups := make([]string, chunkRows)
	for i := range groups {
		groups[i] = group
	}
	return multiInsert{
		single: head + " VALUES " + group + tail,
		chunk:  head + " VALUES " + strings.Join(groups, ", ") + tail,
		cols:   cols,
	}
}

// exec inserts the rows whose values are laid out one after the other in
// args.
func (m multiInsert) exec(ctx context.Context, db *DB, tx *sql.Tx, args []any) error {
	n := len(args) / m.cols
	i := 0
	for ; i+chunkRows <= n; i += chunkRows {
		if _, err := db.txExec(ctx, tx, m.chunk, args[i*m.cols:(i+chunkRows)*m.cols]...); err != nil {
			return err
		}
	}
	for ; i < n; i++ {
		if _, err := db.txExec(ctx, tx, m.single, args[i*m.cols:(i+1)*m.cols]...); err != nil {
			return err
		}
	}
	return nil
}

var (
	// ordersInsert places an order or records its end; an order that is
	// closed already is never reopened nor changed.
	ordersInsert = newMultiInsert(`INSERT INTO orders (session_key, order_id, side, price, qty_xrp, market_time, status, closed_market_time)`, 8,
		` ON CONFLICT (session_key, order_id) DO UPDATE SET
			side = excluded.side, price = excluded.price, qty_xrp = excluded.qty_xrp,
			status = excluded.status, closed_market_time = excluded.closed_market_time
		WHERE orders.status = 'open'`)
	inventoryInsert = newMultiInsert(`INSERT INTO inventory_snapshots (session_key, market_time, mid_price, xrp_balance,
		rlusd_balance, xrp_value_in_rlusd, total_value_in_rlusd, xrp_pct, drift_pct, skew_tier, drift_velocity_pct_per_min)`, 11, "")
	valuationInsert = newMultiInsert(`INSERT INTO valuation_snapshots (session_key, market_time, mid_price, anchor_price,
		total_value_in_rlusd, hold_value_in_rlusd, pnl_rlusd, fees_rlusd)`, 8, "")
)

// batchStatements are prepared with the other writes (prepareWrites): the
// one-row forms serve the one-by-one writes too.
var batchStatements = []string{ordersInsert.single, ordersInsert.chunk, inventoryInsert.single, inventoryInsert.chunk,
	valuationInsert.single, valuationInsert.chunk}

// coalesceOrders folds the states of each order in orders into one, as the
// one-by-one upserts would have left it: the later state replaces an open
// one (keeping its placement time); a closed order no longer changes.
// fresh says whether the order's first state in the batch is open (it is
// inserted; the others were placed in an earlier batch and are updated).
func coalesceOrders(orders []engine.Order) (out []engine.Order, fresh []bool) {
	type key struct{ session, order string }
	at := make(map[key]int, len(orders))
	for _, o := range orders {
		k := key{o.SessionID, o.OrderID}
		i, seen := at[k]
		if !seen {
			at[k] = len(out)
			out = append(out, o)
			fresh = append(fresh, o.Status == engine.OrderOpen)
			continue
		}
		if out[i].Status == engine.OrderOpen {
			placed := out[i].MarketTime
			out[i] = o
			out[i].MarketTime = placed
		}
	}
	return out, fresh
}

// saveOrders writes a batch's orders: the new ones in multi-row upserts,
// the ends of earlier ones one by one (upsertOrder).
func (db *DB) saveOrders(ctx context.Context, tx *sql.Tx, orders []engine.Order, span marketSpan) error {
	folded, fresh := coalesceOrders(orders)
	args := make([]any, 0, len(folded)*ordersInsert.cols)
	for i, o := range folded {
		if !fresh[i] {
			if err := db.upsertOrder(ctx, tx, o, span); err != nil {
				return err
			}
			continue
		}
		var err error
		if args, err = db.orderRow(ctx, tx, args, o); err != nil {
			return err
		}
		span.addOrder(o)
	}
	if err := ordersInsert.exec(ctx, db, tx, args); err != nil {
		return fmt.Errorf("orders: %w", err)
	}
	return nil
}

// saveSnapshots writes a batch's snapshots in multi-row inserts.
func (db *DB) saveSnapshots(ctx context.Context, tx *sql.Tx, inv []engine.InventorySnapshot, val []engine.ValuationSnapshot, span marketSpan) error {
	err := insertRows(ctx, db, tx, inventoryInsert, "inventory snapshots", inv, func(args []any, s engine.InventorySnapshot) ([]any, error) {
		span.add(s.SessionID, s.MarketTime)
		return db.inventoryRow(ctx, tx, args, s)
	})
	if err != nil {
		return err
	}
	return insertRows(ctx, db, tx, valuationInsert, "valuation snapshots", val, func(args []any, s engine.ValuationSnapshot) ([]any, error) {
		span.add(s.SessionID, s.MarketTime)
		return db.valuationRow(ctx, tx, args, s)
	})
}

// insertRows writes rows with m, in multi-row statements: row appends the
// values of one (checked) to args. what names the rows in an error.
func insertRows[T any](ctx context.Context, db *DB, tx *sql.Tx, m multiInsert, what string, rows []T, row func(args []any, r T) ([]any, error)) error {
	args := make([]any, 0, len(rows)*m.cols)
	for _, r := range rows {
		var err error
		if args, err = row(args, r); err != nil {
			return err
		}
	}
	if err := m.exec(ctx, db, tx, args); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}
