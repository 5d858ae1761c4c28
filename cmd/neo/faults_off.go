//go:build !faults

package main

import "neo/engine"

// withFaults returns st unchanged in release builds: fault injection exists
// only in binaries built with -tags faults, for the end-to-end tests.
func (m *Main) withFaults(st engine.Store) engine.Store { return st }
