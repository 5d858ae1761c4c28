package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"neo/engine"
)

// queryer is what a plan needs: the read pool or the writer's transaction.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// planRecovery finds the sessions left open and estimates their end: the
// last write of the session (fills, snapshots, events, orders, started_at).
func planRecovery(ctx context.Context, q queryer) ([]engine.Recovery, error) {
	rows, err := q.QueryContext(ctx, `SELECT s.session_id, s.started_at, max(s.started_at,
			IFNULL((SELECT max(executed_at) FROM fills WHERE session_id = s.session_id), ''),
			IFNULL((SELECT max(created_at) FROM inventory_snapshots WHERE session_id = s.session_id), ''),
			IFNULL((SELECT max(created_at) FROM valuation_snapshots WHERE session_id = s.session_id), ''),
			IFNULL((SELECT max(created_at) FROM session_events WHERE session_id = s.session_id), ''),
			IFNULL((SELECT max(created_at) FROM orders WHERE session_id = s.session_id), ''),
			IFNULL((SELECT max(closed_at) FROM orders WHERE session_id = s.session_id), '')),
			(SELECT count(*) FROM orders WHERE session_id = s.session_id AND status = 'open')
		FROM sessions s WHERE s.ended_at IS NULL ORDER BY s.started_at, s.session_id`)
	if err != nil {
		return nil, err
	}
	var out []engine.Recovery
	for rows.Next() {
		var r engine.Recovery
		var started, last string
		if err := rows.Scan(&r.SessionID, &started, &last, &r.OrdersCanceled); err != nil {
			rows.Close()
			return nil, err
		}
		if r.StartedAt, err = parseTime(started); err != nil {
			rows.Close()
			return nil, err
		}
		if r.EndedAt, err = parseTime(last); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		var xrp, rlusd, value float64
		err := q.QueryRowContext(ctx, `SELECT xrp_balance, rlusd_balance, total_value_in_rlusd FROM inventory_snapshots
			WHERE session_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 1`, out[i].SessionID).Scan(&xrp, &rlusd, &value)
		switch {
		case err == sql.ErrNoRows:
		case err != nil:
			return nil, err
		default:
			out[i].EndingXRP, out[i].EndingRLUSD, out[i].EndingValue = &xrp, &rlusd, &value
		}
	}
	return out, nil
}

// PlanRecovery returns what Recover would do, writing nothing (backfill's
// dry run).
func (db *DB) PlanRecovery(ctx context.Context) ([]engine.Recovery, error) {
	plan, err := planRecovery(ctx, db.r)
	if err != nil {
		return nil, fmt.Errorf("find sessions left open in %s: %w", db.path, err)
	}
	return plan, nil
}

// Recover closes every session left open by a crash as unclean_exit:
// ended_at = its last write (flagged estimated), ending_* from its last
// inventory snapshot, its open orders cancelled, and a session event saying
// so. It refuses while another process holds the instance lock (that
// session is alive). Running it again changes nothing.
func (db *DB) Recover(ctx context.Context) ([]engine.Recovery, error) {
	if db.w == nil {
		return nil, fmt.Errorf("recover sessions in %s: %w", db.path, ErrReadOnly)
	}
	if db.lock == nil {
		if held, pid, _ := LockHolder(db.path); held {
			return nil, &LockedError{Path: db.path, PID: pid}
		}
	}
	now := db.now().UTC()
	var done []engine.Recovery
	var strays int64
	err := db.durable(ctx, "recover sessions left open", func(ctx context.Context, tx *sql.Tx) error {
		plan, err := planRecovery(ctx, tx)
		if err != nil {
			return err
		}
		done = plan
		for _, r := range plan {
			if err := applyRecovery(ctx, tx, r, now); err != nil {
				return fmt.Errorf("session %s: %w", r.SessionID, err)
			}
		}
		// A session whose row was written but whose cancels were not (the
		// disk filled up between the two) is closed with orders still
		// open: cancel them as of the session's end.
		res, err := tx.ExecContext(ctx, `UPDATE orders SET status = 'cancelled',
			closed_at = (SELECT s.ended_at FROM sessions s WHERE s.session_id = orders.session_id)
			WHERE status = 'open' AND session_id IN (SELECT session_id FROM sessions WHERE ended_at IS NOT NULL)`)
		if err != nil {
			return fmt.Errorf("cancel orders left open in closed sessions: %w", err)
		}
		strays, _ = res.RowsAffected()
		return nil
	})
	if err != nil {
		return nil, err
	}
	if strays > 0 {
		db.logger.Warn("cancelled orders left open in sessions that were already closed", "db", db.path, "orders", strays)
	}
	for _, r := range done {
		db.logger.Warn("closed a session left open by a crash", "db", db.path, "session", r.SessionID,
			"halt_reason", engine.HaltUncleanExit, "ended_at_estimate", fmtTime(r.EndedAt), "orders_cancelled", r.OrdersCanceled)
	}
	return done, nil
}

func applyRecovery(ctx context.Context, tx *sql.Tx, r engine.Recovery, now time.Time) error {
	end := fmtTime(r.EndedAt)
	res, err := tx.ExecContext(ctx, `UPDATE orders SET status = 'cancelled', closed_at = ? WHERE session_id = ? AND status = 'open'`, end, r.SessionID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); int(n) != r.OrdersCanceled {
		return fmt.Errorf("cancelled %d open orders, planned %d", n, r.OrdersCanceled)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE sessions SET ended_at = ?, ended_at_estimated = 1,
		ending_xrp = ?, ending_rlusd = ?, ending_value = ?, halt_reason = ? WHERE session_id = ? AND ended_at IS NULL`,
		end, nullFloat(r.EndingXRP), nullFloat(r.EndingRLUSD), nullFloat(r.EndingValue), string(engine.HaltUncleanExit), r.SessionID); err != nil {
		return err
	}
	msg := fmt.Sprintf("session left open (crash, kill or power loss) closed by recovery at %s as %s: ended_at estimated from its last write, %d open orders cancelled",
		fmtTime(now), engine.HaltUncleanExit, r.OrdersCanceled)
	if r.EndingValue == nil {
		msg += ", no inventory snapshot so ending values unknown"
	}
	// Dated at the estimated end so that it sorts last among the session's
	// events; the message carries the real time of the recovery.
	return insertEvent(ctx, tx, engine.SessionEvent{SessionID: r.SessionID, CreatedAt: r.EndedAt,
		Level: engine.LevelWarn, Kind: "recovery", Message: msg})
}
