//go:build !faults

package main

import "neo/store"

// storeFaults is nil in release builds: fault injection exists only in
// binaries built with -tags faults, for the end-to-end tests.
func (m *Main) storeFaults() *store.Faults { return nil }
