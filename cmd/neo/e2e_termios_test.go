//go:build !windows

package main

import (
	"fmt"

	"golang.org/x/term"
)

// fmtState renders a terminal state for comparison (term.State wraps the
// platform's termios, whose fields are all comparable values).
func fmtState(s *term.State) string { return fmt.Sprintf("%+v", *s) }
