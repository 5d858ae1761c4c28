package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// CheckpointResult is the answer of PRAGMA wal_checkpoint(TRUNCATE).
type CheckpointResult struct {
	Busy               bool // the checkpoint could not finish: a reader or writer was in the way
	LogFrames          int  // frames in the write-ahead log (-1 if not in WAL mode)
	CheckpointedFrames int  // frames copied back into the database
	Duration           time.Duration
}

// Partial reports whether the checkpoint left frames in the log.
func (r CheckpointResult) Partial() bool {
	return r.Busy || r.CheckpointedFrames < r.LogFrames
}

// Checkpoint runs wal_checkpoint(TRUNCATE) on its own connection with a
// short busy timeout, so that a reader holding an old snapshot never stalls
// the writer for long. A partial result is logged at WARN and returned
// without error.
func (db *DB) Checkpoint(ctx context.Context) (CheckpointResult, error) {
	if db.cp == nil {
		return CheckpointResult{}, fmt.Errorf("checkpoint %s: %w", db.path, ErrReadOnly)
	}
	res, err := checkpointOn(ctx, db.cp)
	if err != nil {
		db.logger.Error("checkpoint failed", "db", db.path, "err", err)
		return res, fmt.Errorf("checkpoint %s: %w", db.path, err)
	}
	if res.Partial() {
		db.logger.Warn("checkpoint was partial; will retry at the next interval", "db", db.path,
			"busy", res.Busy, "log", res.LogFrames, "checkpointed", res.CheckpointedFrames)
	} else {
		db.logger.Debug("checkpoint", "db", db.path, "frames", res.LogFrames, "took", res.Duration)
	}
	return res, nil
}

func checkpointOn(ctx context.Context, d *sql.DB) (CheckpointResult, error) {
	start := time.Now()
	var busy int
	var res CheckpointResult
	err := d.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &res.LogFrames, &res.CheckpointedFrames)
	res.Busy = busy != 0
	res.Duration = time.Since(start)
	return res, err
}

// runCheckpointer checkpoints every interval until Close.
func (db *DB) runCheckpointer(interval time.Duration) {
	defer close(db.cpdone)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-db.wctx.Done():
			return
		case <-db.stop:
			return
		case <-t.C:
			db.Checkpoint(db.wctx)
		}
	}
}
