//go:build !windows

package main

import (
	"errors"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"
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

// hangupProbe returns a check of the terminal on fd, whose modes were just
// read: it says the terminal has gone away (an error) once reading its
// modes fails as on a hung-up terminal. This is the hangup of a process
// for which the terminal is not the controlling one (started under setsid,
// su -c, some supervisors): closing the window sends it no SIGHUP, its
// reads see only EOF (which Bubble Tea takes as the end of its input, and
// says nothing) and its writes and ioctls fail with EIO (Linux) or ENXIO.
// Any other error (none is expected) is not taken for a hangup.
func hangupProbe(fd int) func() error {
	return func() error {
		_, err := term.GetState(fd)
		for _, gone := range []error{syscall.EIO, syscall.ENXIO, syscall.ENOTTY, syscall.EBADF} {
			if errors.Is(err, gone) {
				return err
			}
		}
		return nil
	}
}
