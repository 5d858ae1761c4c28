package tui

import (
	"context"

	"neo/engine"
)

// Controller is what the console needs of a running engine: its published
// state, the end of its shutdown path, and two requests that return at once.
// *engine.Engine satisfies it; the tests drive a fake.
type Controller interface {
	// State returns the latest published state (never nil once started).
	State() *engine.State
	// Changed returns a channel closed at the next publish; grab it before
	// reading State so that no change is missed.
	Changed() <-chan struct{}
	// RequestClose asks for the shutdown path; the first reason wins.
	RequestClose(reason engine.HaltReason)
	// SetPaused stops or resumes quoting.
	SetPaused(paused bool)
	// Done is closed when the shutdown path has finished.
	Done() <-chan struct{}
}

// History is what the console reads of the recorded sessions; it never
// writes. The store satisfies it; the tests use a fake.
type History interface {
	// ListSessions returns one page of sessions (keyset pagination).
	ListSessions(ctx context.Context, q engine.SessionQuery) ([]engine.SessionSummary, error)
	// GetSession returns one session.
	GetSession(ctx context.Context, sessionID string) (engine.SessionSummary, error)
	// ValuationSeries returns at most maxPoints valuation snapshots, oldest first.
	ValuationSeries(ctx context.Context, sessionID string, maxPoints int) ([]engine.ValuationSnapshot, error)
	// InventorySeries returns at most maxPoints inventory snapshots, oldest first.
	InventorySeries(ctx context.Context, sessionID string, maxPoints int) ([]engine.InventorySnapshot, error)
	// Fills returns the session's fills, oldest first; limit <= 0 means all.
	Fills(ctx context.Context, sessionID string, limit int) ([]engine.Fill, error)
	// Events returns the session's events, oldest first; limit <= 0 means all.
	Events(ctx context.Context, sessionID string, limit int) ([]engine.SessionEvent, error)
	// EachInventory streams every inventory snapshot, oldest first (the report).
	EachInventory(ctx context.Context, sessionID string, fn func(engine.InventorySnapshot) error) error
	// EachValuation streams every valuation snapshot, oldest first (the report).
	EachValuation(ctx context.Context, sessionID string, fn func(engine.ValuationSnapshot) error) error
}
