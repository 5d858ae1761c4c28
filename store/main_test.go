package store_test

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	// Re-executed as a child process by the crash test.
	if dir := os.Getenv(crashChildEnv); dir != "" {
		os.Exit(crashChild(dir))
	}
	// Re-executed as a child process that holds the lock, by the lock tests.
	if path := os.Getenv(lockChildEnv); path != "" {
		os.Exit(lockChild(path))
	}
	os.Exit(m.Run())
}
