//go:build faults

package main

import (
	"context"

	"neo/engine"
	"neo/store"
)

// withFaults wraps the store with the failure named in NEO_FAULTS (test
// builds only, -tags faults):
//
//	close_full  the session-row write fails with SQLITE_FULL
//	close_hang  the session-row write hangs, ignoring its deadline
func (m *Main) withFaults(st engine.Store) engine.Store {
	switch spec := m.Getenv("NEO_FAULTS"); spec {
	case "close_full", "close_hang":
		return &faultyStore{Store: st, spec: spec}
	}
	return st
}

type faultyStore struct {
	engine.Store
	spec string
}

func (f *faultyStore) CloseSession(ctx context.Context, end engine.SessionEnd) error {
	if f.spec == "close_hang" {
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
