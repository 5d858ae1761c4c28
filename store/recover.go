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

// timeShape is a GLOB that every time neo writes matches; a value that does
// not (a damaged row) must not win a max() over times.
const timeShape = `'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*'`

// wellFormed is col when it is a well-formed time, else ”.
func wellFormed(col string) string {
	return `CASE WHEN ` + col + ` GLOB ` + timeShape + ` THEN ` + col + ` ELSE '' END`
}

// lastMarket is the latest market time (ms) of table's rows of the session.
func lastMarket(table string) string {
	return `IFNULL((SELECT max(market_time) FROM ` + table + ` WHERE session_key = s.session_key), -1e18)`
}

// msOfText is the SQL for a text time as milliseconds since the epoch
// (NULL when it is not a time).
func msOfText(col string) string {
	return `CAST(round((julianday(` + col + `) - 2440587.5) * 86400000) AS INTEGER)`
}

// planRecovery finds the sessions left open and estimates their end: in
// wall time, the session's last commit (last_write_at, stamped with every
// batch) or its last event, whichever is later; in market time, the
// latest market time among its rows. A session whose started_at is not a
// time cannot be closed honestly: it is left open and named in skipped (neo
// check lists it) instead of blocking every start.
func planRecovery(ctx context.Context, q queryer) (plan []engine.Recovery, skipped []string, err error) {
	rows, err := q.QueryContext(ctx, `SELECT s.session_id, s.started_at, max(
			`+wellFormed("s.started_at")+`,
			`+wellFormed("IFNULL(s.last_write_at, '')")+`,
			IFNULL((SELECT max(`+wellFormed("created_at")+`) FROM session_events WHERE session_key = s.session_key), '')),
			max(IFNULL(`+msOfText("s.market_ended_at")+`, -1e18), IFNULL(`+msOfText("s.market_started_at")+`, -1e18),
				`+lastMarket("fills")+`, `+lastMarket("inventory_snapshots")+`,
				`+lastMarket("valuation_snapshots")+`, `+lastMarket("session_events")+`),
			(SELECT count(*) FROM orders WHERE session_key = s.session_key AND status = 'open')
		FROM sessions s WHERE s.ended_at IS NULL ORDER BY s.started_at, s.session_id`)
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var r engine.Recovery
		var started, last string
		var market float64
		if err := rows.Scan(&r.SessionID, &started, &last, &market, &r.OrdersCanceled); err != nil {
			rows.Close()
			return nil, nil, err
		}
		if r.StartedAt, err = parseTime(started); err != nil {
			skipped = append(skipped, fmt.Sprintf("session %s: started_at %v; left open", rowName(r.SessionID), err))
			continue
		}
		if r.EndedAt, err = parseTime(last); err != nil {
			skipped = append(skipped, fmt.Sprintf("session %s: last write %v; left open", rowName(r.SessionID), err))
			continue
		}
		if market > -1e18 {
			t := fromMS(int64(market))
			r.MarketEndedAt = &t
		}
		plan = append(plan, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	for i := range plan {
		var xrp, rlusd, value float64
		err := q.QueryRowContext(ctx, `SELECT xrp_balance, rlusd_balance, total_value_in_rlusd FROM inventory_snapshots
			WHERE session_key = (SELECT session_key FROM sessions WHERE session_id = ?)
			ORDER BY market_time DESC, rowid DESC LIMIT 1`, plan[i].SessionID).Scan(&xrp, &rlusd, &value)
		switch {
		case err == sql.ErrNoRows:
		case err != nil:
			return nil, nil, err
		case !finite(xrp, rlusd, value):
			// A damaged snapshot: the ending values stay unknown.
		default:
			plan[i].EndingXRP, plan[i].EndingRLUSD, plan[i].EndingValue = &xrp, &rlusd, &value
		}
	}
	return plan, skipped, nil
}

// PlanRecovery returns what Recover would do, writing nothing (backfill's
// dry run).
func (db *DB) PlanRecovery(ctx context.Context) ([]engine.Recovery, error) {
	plan, _, err := planRecovery(ctx, db.r)
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
	var skipped []string
	var strays int64
	err := db.durable(ctx, "recover sessions left open", func(ctx context.Context, tx *sql.Tx) error {
		plan, skip, err := planRecovery(ctx, tx)
		if err != nil {
			return err
		}
		done, skipped = plan, skip
		for _, r := range plan {
			if err := db.applyRecovery(ctx, tx, r, now); err != nil {
				return fmt.Errorf("session %s: %w", r.SessionID, err)
			}
		}
		// A session whose row was written but whose cancels were not (the
		// disk filled up between the two) is closed with orders still
		// open: cancel them as of the session's end.
		res, err := tx.ExecContext(ctx, `UPDATE orders SET status = 'cancelled',
			closed_market_time = max(market_time, IFNULL((SELECT `+msOfText("s.market_ended_at")+` FROM sessions s WHERE s.session_key = orders.session_key), market_time))
			WHERE status = 'open' AND session_key IN (SELECT session_key FROM sessions WHERE ended_at IS NOT NULL)`)
		if err != nil {
			return fmt.Errorf("cancel orders left open in closed sessions: %w", err)
		}
		strays, _ = res.RowsAffected()
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, s := range skipped {
		db.logger.Warn("a session left open cannot be closed: its row is damaged; run 'neo check' for the list", "db", db.path, "problem", s)
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

// applyRecovery closes one session of the plan: its open orders cancelled
// at its market end, the session row, and an event saying so.
func (db *DB) applyRecovery(ctx context.Context, tx *sql.Tx, r engine.Recovery, now time.Time) error {
	end := fmtTime(r.EndedAt)
	var marketEnd any
	marketAt := r.StartedAt // a session with no market time at all: its start
	if r.MarketEndedAt != nil {
		marketAt = *r.MarketEndedAt
		marketEnd = fmtTime(marketAt)
	}
	res, err := tx.ExecContext(ctx, `UPDATE orders SET status = 'cancelled', closed_market_time = max(market_time, ?)
		WHERE session_key = (SELECT session_key FROM sessions WHERE session_id = ?) AND status = 'open'`, marketAt.UnixMilli(), r.SessionID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); int(n) != r.OrdersCanceled {
		return fmt.Errorf("cancelled %d open orders, planned %d", n, r.OrdersCanceled)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE sessions SET ended_at = ?, ended_at_estimated = 1,
		ending_xrp = ?, ending_rlusd = ?, ending_value = ?, halt_reason = ?, market_ended_at = IFNULL(?, market_ended_at)
		WHERE session_id = ? AND ended_at IS NULL`,
		end, nullFloat(r.EndingXRP), nullFloat(r.EndingRLUSD), nullFloat(r.EndingValue), string(engine.HaltUncleanExit), marketEnd, r.SessionID); err != nil {
		return err
	}
	msg := fmt.Sprintf("session left open (crash, kill or power loss) closed by recovery at %s as %s: ended_at estimated from its last write, %d open orders cancelled",
		fmtTime(now), engine.HaltUncleanExit, r.OrdersCanceled)
	if r.EndingValue == nil {
		msg += ", no inventory snapshot so ending values unknown"
	}
	// Dated at the estimated end (wall and market) so that it sorts last
	// among the session's events; the message carries the real time of
	// the recovery.
	return db.insertEvent(ctx, tx, engine.SessionEvent{SessionID: r.SessionID, CreatedAt: r.EndedAt, MarketTime: marketAt,
		Level: engine.LevelWarn, Kind: "recovery", Message: msg})
}
