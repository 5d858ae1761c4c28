//go:build unix

package main

import (
	"bytes"
	"os"
	"os/exec"
	"testing"
)

// runToClosedPipe runs the binary with stdout a pipe whose reader is already
// gone (neo ... | head -0), and returns its exit code and stderr.
func runToClosedPipe(t *testing.T, args ...string) (int, string) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	defer w.Close()
	var stderr bytes.Buffer
	cmd := exec.Command(neoBin, args...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	cmd.Stdout, cmd.Stderr = w, &stderr
	err = cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, stderr.String()
}

// TestClosedStdoutIsQuiet: a command whose stdout reader went away
// (neo sessions | head -1) ends quietly with exit 0, as Unix tools do on
// EPIPE, whatever it prints: a table, JSON, CSV, a report, a config.
func TestClosedStdoutIsQuiet(t *testing.T) {
	db := mustStoreDB(t, t.TempDir(), "closed-1")
	for _, args := range [][]string{
		{"sessions"}, {"sessions", "--json"}, {"sessions", "--csv"},
		{"report", "closed-1"}, {"report", "closed-1", "--json"},
		{"check"}, {"version"}, {"run", "--print-config"},
	} {
		code, stderr := runToClosedPipe(t, append(args, "--db", db)...)
		if code != 0 || stderr != "" {
			t.Errorf("neo %v to a closed pipe: exit %d, stderr %q; want 0 and nothing", args, code, stderr)
		}
	}
}
