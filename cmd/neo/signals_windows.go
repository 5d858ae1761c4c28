//go:build windows

package main

import (
	"os"
	"syscall"
)

// shutdownSignals are the signals that end a command through its shutdown
// path. Windows delivers only these two (Ctrl+C and Ctrl+Break as SIGINT;
// closing the console window, logging off and shutting down as SIGTERM).
func shutdownSignals() []os.Signal {
	return []os.Signal{os.Interrupt, syscall.SIGTERM}
}

// hangupProbe is nil on Windows: closing the console window reaches the
// process as SIGTERM (shutdownSignals), so there is no terminal to watch.
func hangupProbe(int) func() error { return nil }
