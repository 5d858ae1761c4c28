//go:build faults

package main

import (
	"context"
	"fmt"
	"time"

	"github.com/charmbracelet/log"

	"neo/engine"
	"neo/store"
)

// withFaults wraps the store with the failure named in NEO_FAULTS (test
// builds only, -tags faults):
//
//	close_full  the session-row write fails with SQLITE_FULL
//	close_hang  the session-row write hangs, ignoring its deadline
//	open_slow   the session row commits at once but its acknowledgement
//	            takes 2 s (logged as "fault: session row committed"): a
//	            caller that stops waiting when its ctx ends sees an error
//	            for a row that is in the database
func (m *Main) withFaults(st engine.Store, logger *log.Logger) engine.Store {
	switch spec := m.Getenv("NEO_FAULTS"); spec {
	case "close_full", "close_hang", "open_slow":
		return &faultyStore{Store: st, spec: spec, logger: logger}
	}
	return st
}

type faultyStore struct {
	engine.Store
	spec   string
	logger *log.Logger
}

// OpenSession models the store's durable write as the engine sees it: the
// write is in the writer's hands and commits, while the waiter gives up
// when its ctx ends (store/writer.go durable).
func (f *faultyStore) OpenSession(ctx context.Context, s engine.Session) error {
	if f.spec != "open_slow" {
		return f.Store.OpenSession(ctx, s)
	}
	if err := f.Store.OpenSession(context.WithoutCancel(ctx), s); err != nil {
		return err
	}
	f.logger.Warn("fault: session row committed; acknowledgement delayed", "session", s.SessionID)
	select {
	case <-time.After(2 * time.Second):
		return nil
	case <-ctx.Done():
		return fmt.Errorf("open session %s: gave up waiting for the commit: %w", s.SessionID, ctx.Err())
	}
}

func (f *faultyStore) CloseSession(ctx context.Context, end engine.SessionEnd) error {
	switch f.spec {
	case "open_slow":
		return f.Store.CloseSession(ctx, end)
	case "close_hang":
		select {} // a disk that never answers
	}
	return store.ErrDiskFull
}

// storeFaults returns the store fault named in NEO_STORE_FAULTS (test builds
// only, -tags faults):
//
//	full  every commit and backup fails with SQLITE_FULL
func (m *Main) storeFaults() *store.Faults {
	if m.Getenv("NEO_STORE_FAULTS") != "full" {
		return nil
	}
	full := func(context.Context, string) error { return store.ErrDiskFull }
	return &store.Faults{BeforeCommit: full, BeforeBackup: full}
}
