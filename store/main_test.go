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
	// Re-executed as a reader, or as a start to kill, by the pre-run
	// backup tests.
	if path := os.Getenv(readerChildEnv); path != "" {
		os.Exit(readerChild(path))
	}
	if dir := os.Getenv(preRunChildEnv); dir != "" {
		os.Exit(preRunChild(dir))
	}
	os.Exit(m.Run())
}
