//go:build !windows

package main

import (
	"os"
	"os/signal"
	"syscall"
)

// shutdownSignals are the signals that end a command through its shutdown
// path: SIGINT, SIGTERM, SIGQUIT (Ctrl+\ must not dump goroutines and leave
// a session open) and SIGHUP, the last only when it is not ignored so that
// nohup keeps working.
func shutdownSignals() []os.Signal {
	sigs := []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGQUIT}
	if !signal.Ignored(syscall.SIGHUP) {
		sigs = append(sigs, syscall.SIGHUP)
	}
	return sigs
}
