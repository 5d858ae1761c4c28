package engine

import (
	"context"
	"errors"
	"time"
)

// Store is the storage a session needs. The SQLite adapter in package store
// implements it; tests swap in fakes.
//
// Durable methods return only after their transaction has committed (group
// commit may share that transaction with other callers). Add* methods queue
// a row that rides along with the next group; Flush waits for the queue.
type Store interface {
	History

	// Recover closes every session left open by a crash as unclean_exit
	// (README, "How the guarantees are kept") and returns what it changed.
	Recover(ctx context.Context) ([]Recovery, error)
	// Backup writes an online backup beside the database and applies the
	// retention; it returns the backup's path.
	Backup(ctx context.Context) (string, error)

	// OpenSession inserts the session row. Durable.
	OpenSession(ctx context.Context, s Session) error
	// SaveOrders inserts or updates orders (placement, cancel) in one
	// transaction. Durable.
	SaveOrders(ctx context.Context, orders ...Order) error
	// RecordFill inserts the fill and updates its order in one transaction.
	// Durable.
	RecordFill(ctx context.Context, f Fill, o Order) error
	// SaveBatch writes orders (upserted in the given order), then fills,
	// snapshots and events, in one transaction. Durable. An error that
	// wraps ErrNotQueued says that nothing of b was taken. The engine uses it to commit
	// the writes of one or more market events together.
	SaveBatch(ctx context.Context, b Batch) error
	// CloseSession writes ended_at, ending_* and halt_reason. Durable.
	CloseSession(ctx context.Context, end SessionEnd) error

	// AddInventorySnapshot queues an inventory snapshot.
	AddInventorySnapshot(ctx context.Context, s InventorySnapshot) error
	// AddValuationSnapshot queues a valuation snapshot.
	AddValuationSnapshot(ctx context.Context, s ValuationSnapshot) error
	// AddEvent queues a session event.
	AddEvent(ctx context.Context, e SessionEvent) error
	// Flush returns once everything queued before it has committed.
	Flush(ctx context.Context) error

	// Close flushes, stops the writer and the checkpointer, closes the read
	// pool, runs wal_checkpoint(TRUNCATE), closes the database and releases
	// the instance lock, in that order. It is bounded by ctx.
	Close(ctx context.Context) error
}

// Batch is a set of writes committed in one transaction by SaveBatch.
type Batch struct {
	Orders     []Order // upserted in this order, before the fills
	Fills      []Fill  // each fill's order is in Orders or already stored
	Inventory  []InventorySnapshot
	Valuations []ValuationSnapshot
	// Events are the session events the batch's market events caused (a
	// halt, a tier change, a data gap): they commit with the fills behind
	// them, never ahead.
	Events []SessionEvent
}

// Len is the number of rows in the batch.
func (b *Batch) Len() int {
	return len(b.Orders) + len(b.Fills) + len(b.Inventory) + len(b.Valuations) + len(b.Events)
}

// ErrNotQueued is wrapped by a Store's write that gave up before the store
// took it (its ctx ended while the write queue was full): nothing of it
// was written, so the caller still owns the write and may hand it over
// again.
var ErrNotQueued = errors.New("not queued")

// Recovery describes one session closed by Recover or by a backfill.
type Recovery struct {
	SessionID      string
	StartedAt      time.Time
	EndedAt        time.Time  // the estimate: the session's last write (wall clock)
	MarketEndedAt  *time.Time // the latest market time among its rows (nil: none)
	EndingXRP      *float64   // nil when the session has no inventory snapshot
	EndingRLUSD    *float64
	EndingValue    *float64
	OrdersCanceled int
}

// SortKey orders the session list: by start, by ending value or by profit.
// The history view shows its value ("sort started_at"); how a key becomes a
// query is the store's business.
type SortKey string

// Sort keys for SessionQuery.
const (
	SortStartedAt   SortKey = "started_at"
	SortEndingValue SortKey = "ending_value"
	SortPnL         SortKey = "pnl"
)

// Cursor marks a position in a sorted session list, so that the next page
// starts after the last row seen even while sessions are added: that row's
// sort value and session id. Only the store reads Value.
type Cursor struct {
	Value     string // the last row's sort value as text ("" when it has none)
	SessionID string
}

// SessionQuery selects a page of sessions.
type SessionQuery struct {
	Limit  int
	After  *Cursor // nil: first page
	Sort   SortKey // default SortStartedAt
	Asc    bool    // default newest/largest first
	Reason HaltReason
	Since  time.Time // zero: no lower bound on started_at
	Until  time.Time // zero: no upper bound on started_at
}

// SessionSummary is a session with figures the history list shows.
type SessionSummary struct {
	Session
	FillCount int
	Cursor    Cursor // position of this row, for the next page
	// Damage names what in the row could not be read (a time that is not a
	// time, a number that is not finite); those fields are zero or nil.
	// Empty for a sound row.
	Damage string
	// LeftOpen is set by the store for a session with no end recorded
	// whose process is gone (no process holds the database's instance
	// lock): left open by a crash, a kill or a power loss, not running.
	// neo backfill, or the next neo run, closes it as unclean_exit.
	LeftOpen bool
}

// History is the read side used by the console and `neo sessions`. It never
// writes and needs no lock.
type History interface {
	// ListSessions returns one page of sessions, after q.After.
	ListSessions(ctx context.Context, q SessionQuery) ([]SessionSummary, error)
	// GetSession returns one session; ErrNotFound if there is none.
	GetSession(ctx context.Context, sessionID string) (SessionSummary, error)
	// ValuationSeries returns at most maxPoints valuation snapshots spread
	// evenly over the session, oldest first.
	ValuationSeries(ctx context.Context, sessionID string, maxPoints int) ([]ValuationSnapshot, error)
	// InventorySeries returns at most maxPoints inventory snapshots spread
	// evenly over the session, oldest first.
	InventorySeries(ctx context.Context, sessionID string, maxPoints int) ([]InventorySnapshot, error)
	// Fills returns the session's fills, oldest first; limit <= 0 means all.
	Fills(ctx context.Context, sessionID string, limit int) ([]Fill, error)
	// Events returns the session's events, oldest first; limit <= 0 means all.
	Events(ctx context.Context, sessionID string, limit int) ([]SessionEvent, error)
	// EachInventory calls fn with every inventory snapshot of the session,
	// oldest first in market time, one at a time, so that the report reads
	// a long session without holding its series; an error from fn stops
	// the walk and is returned as is.
	EachInventory(ctx context.Context, sessionID string, fn func(InventorySnapshot) error) error
	// EachValuation is EachInventory for the valuation snapshots.
	EachValuation(ctx context.Context, sessionID string, fn func(ValuationSnapshot) error) error
}

// ErrNotFound is returned when a session does not exist (code ENOTFOUND).
var ErrNotFound error = Errorf(ENOTFOUND, "not found")
