//go:build faults

package main

import (
	"context"
	"strings"

	"neo/store"
)

// storeFaults injects store failures named in NEO_FAULTS (test builds only,
// -tags faults):
//
//	close_full  the session-row write fails with SQLITE_FULL
//	close_hang  the session-row write hangs, ignoring its deadline
func (m *Main) storeFaults() *store.Faults {
	spec := m.Getenv("NEO_FAULTS")
	if spec == "" {
		return nil
	}
	return &store.Faults{
		BeforeCommit: func(ctx context.Context, op string) error {
			if !strings.HasPrefix(op, "close session") {
				return nil
			}
			switch spec {
			case "close_full":
				return store.ErrDiskFull
			case "close_hang":
				select {} // a disk that never answers
			}
			return nil
		},
	}
}
