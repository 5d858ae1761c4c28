//go:build faults

package main

import (
	"context"

	"neo/store"
)

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
