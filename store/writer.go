package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"neo/engine"
)

// request is one write for the writer goroutine. A request with apply == nil
// is a flush barrier.
type request struct {
	op    string                                      // what it writes, for errors and logs
	apply func(ctx context.Context, tx *sql.Tx) error // runs inside the group's transaction
	done  chan error                                  // nil for queued (Add*) writes
}

// durable queues fn and waits until its transaction has committed.
func (db *DB) durable(ctx context.Context, op string, fn func(ctx context.Context, tx *sql.Tx) error) error {
	r := &request{op: op, apply: fn, done: make(chan error, 1)}
	if err := db.enqueue(ctx, r); err != nil {
		return err
	}
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		// The write may still commit: it is in the writer's hands.
		return fmt.Errorf("%s: gave up waiting for the commit: %w", op, ctx.Err())
	}
}

// async queues fn to ride along with the next group.
func (db *DB) async(ctx context.Context, op string, fn func(ctx context.Context, tx *sql.Tx) error) error {
	return db.enqueue(ctx, &request{op: op, apply: fn})
}

// Flush returns once everything queued before it has committed. It reports
// queued writes that failed since the previous Flush (each was also logged
// at ERROR).
func (db *DB) Flush(ctx context.Context) error {
	if db.w == nil {
		return nil
	}
	r := &request{op: "flush", done: make(chan error, 1)}
	if err := db.enqueue(ctx, r); err != nil {
		if errors.Is(err, ErrClosed) {
			return nil
		}
		return err
	}
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("flush %s: %w", db.path, ctx.Err())
	}
}

// writerFaults lets the package's own tests act between enqueue's closing
// check and its send.
var writerFaults struct {
	afterClosingCheck func(db *DB)
}

func (db *DB) enqueue(ctx context.Context, r *request) error {
	if db.w == nil {
		return fmt.Errorf("%s: %w", r.op, ErrReadOnly)
	}
	db.sendMu.RLock()
	defer db.sendMu.RUnlock()
	if db.closing {
		return fmt.Errorf("%s: %w", r.op, ErrClosed)
	}
	if h := writerFaults.afterClosingCheck; h != nil {
		h(db)
	}
	// A write the queue has room for is queued even when ctx has already
	// ended: select would otherwise pick at random between the two and drop
	// a session row whose caller ran out of time in an earlier step.
	select {
	case db.queue <- r:
		return nil
	default:
	}
	// The queue is full. The writer is still running: Close stops it only
	// after this send, or after refusing it.
	select {
	case db.queue <- r:
		return nil
	case <-db.refuse:
		return fmt.Errorf("%s: %w", r.op, ErrClosed)
	case <-ctx.Done():
		// Nothing was taken: the caller still owns the write (a batch is
		// handed over again) and knows it by ErrNotQueued.
		return fmt.Errorf("%s: %w: %w", r.op, engine.ErrNotQueued, ctx.Err())
	}
}

// runWriter owns the write connection: it takes whatever is queued and
// commits it as one transaction (group commit).
func (db *DB) runWriter() {
	defer close(db.wdone)
	var asyncErr error // first failed queued write since the last flush
	group := make([]*request, 0, maxGroup)
	for {
		group = group[:0]
		select {
		case r := <-db.queue:
			group = append(group, r)
		case <-db.stop:
			// Close flushed before stopping; whatever raced in is
			// committed too, so that nothing queued is dropped.
			for {
				select {
				case r := <-db.queue:
					group = append(group, r)
					continue
				default:
				}
				break
			}
			if len(group) > 0 {
				db.commitGroup(group, &asyncErr)
			}
			return
		}
	drain:
		for len(group) < maxGroup {
			select {
			case r := <-db.queue:
				group = append(group, r)
			default:
				break drain
			}
		}
		db.commitGroup(group, &asyncErr)
	}
}

// commitGroup commits the writes of group in one transaction. If that fails,
// it retries them one by one so that each durable caller gets its own error
// and each failed queued write is logged with its cause.
func (db *DB) commitGroup(group []*request, asyncErr *error) {
	writes := make([]*request, 0, len(group))
	for _, r := range group {
		if r.apply != nil {
			writes = append(writes, r)
		}
	}
	if len(writes) > 0 {
		op := writes[0].op
		if len(writes) > 1 {
			op = fmt.Sprintf("group of %d writes", len(writes))
		}
		err := db.runTx(op, writes)
		if err == nil {
			for _, r := range writes {
				db.finish(r, nil, asyncErr)
			}
		} else if len(writes) == 1 {
			db.finish(writes[0], err, asyncErr)
		} else {
			db.logger.Debug("group commit failed, retrying one by one", "db", db.path, "writes", len(writes), "err", err)
			for _, r := range writes {
				db.finish(r, db.runTx(r.op, []*request{r}), asyncErr)
			}
		}
	}
	for _, r := range group {
		if r.apply == nil {
			r.done <- *asyncErr
			*asyncErr = nil
		}
	}
}

func (db *DB) finish(r *request, err error, asyncErr *error) {
	if err != nil {
		err = &WriteError{Path: db.path, Op: r.op, Err: err}
		if r.done == nil {
			db.logger.Error("queued write failed; the row is lost", "db", db.path, "write", r.op, "err", err)
			if *asyncErr == nil {
				*asyncErr = err
			}
		} else {
			db.logger.Error("write failed", "db", db.path, "write", r.op, "err", err)
		}
	}
	if r.done != nil {
		r.done <- err
	}
}

func (db *DB) runTx(op string, writes []*request) (err error) {
	ctx := db.wctx
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tx.Rollback()
			// A session key learnt in this transaction may be rolled back
			// with it.
			clear(db.keys)
		}
	}()
	for _, r := range writes {
		if err := r.apply(ctx, tx); err != nil {
			return err
		}
	}
	if f := db.faults.BeforeCommit; f != nil {
		if err := f(ctx, op); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// Pending returns how many writes wait in the queue (not yet in a
// transaction).
func (db *DB) Pending() int {
	if db.queue == nil {
		return 0
	}
	return len(db.queue)
}
