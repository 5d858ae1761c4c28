//go:build !faults

package main

import (
	"github.com/charmbracelet/log"

	"neo/engine"
	"neo/store"
)

// withFaults returns st unchanged in release builds: fault injection exists
// only in binaries built with -tags faults, for the end-to-end tests.
func (m *Main) withFaults(st engine.Store, _ *log.Logger) engine.Store { return st }

// storeFaults returns no fault hooks outside test builds.
func (m *Main) storeFaults() *store.Faults { return nil }
