package main

import (
	"bytes"
	"errors"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncWriter collects a child's output safely across goroutines.
type syncWriter struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// waitForLog waits until the output contains s (a hang guard, not a timing
// assertion).
func waitForLog(tb testing.TB, w *syncWriter, s string) {
	tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(w.String(), s) {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %q in:\n%s", s, w.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitExit waits for the process to exit within limit (the contract's
// bound: shutdown_timeout plus one second) and returns its exit code.
func waitExit(tb testing.TB, cmd *exec.Cmd, limit time.Duration) int {
	tb.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			tb.Fatal(err)
		}
		return 0
	case <-time.After(limit):
		_ = cmd.Process.Kill()
		<-done
		tb.Fatalf("process did not exit within %s", limit)
		return -1
	}
}
