//go:build !faults

package main

import "neo/store"

// storeFaults returns no fault hooks outside test builds.
func (m *Main) storeFaults() *store.Faults { return nil }
