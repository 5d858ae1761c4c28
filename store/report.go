package store

// The report's reads: a session's snapshots streamed one row at a time, so
// that the report of a long session (a year of one-minute bars is a
// million rows of each series) takes memory for one row, not the series.

import (
	"context"
	"database/sql"
	"fmt"

	"neo/engine"
)

// EachInventory calls fn with every inventory snapshot of the session, oldest
// first in market time (then in the order written), one row at a time.
// Damaged rows (a number that is not finite) are skipped, as the series
// readers skip them. An error from fn stops the walk and is returned as is.
func (db *DB) EachInventory(ctx context.Context, sessionID string, fn func(engine.InventorySnapshot) error) error {
	rows, err := db.seriesQuery(ctx, "inventory_snapshots", inventoryColumns, sessionID, 0)
	return each(rows, err, fmt.Sprintf("read the inventory snapshots of %s from %s", sessionID, db.path), scanInventory(sessionID), fn)
}

// EachValuation calls fn with every valuation snapshot of the session, as
// EachInventory does with the inventory snapshots.
func (db *DB) EachValuation(ctx context.Context, sessionID string, fn func(engine.ValuationSnapshot) error) error {
	rows, err := db.seriesQuery(ctx, "valuation_snapshots", valuationColumns, sessionID, 0)
	return each(rows, err, fmt.Sprintf("read the valuation snapshots of %s from %s", sessionID, db.path), scanValuation(sessionID), fn)
}

// each is collect without the slice: it hands each sound row to fn as it is
// scanned. Errors of the read are named by what; fn's are returned as is.
func each[T any](rows *sql.Rows, err error, what string, scan func(*sql.Rows) (T, bool, error), fn func(T) error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	for rows.Next() {
		v, ok, err := scan(rows)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if !ok {
			continue
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}
