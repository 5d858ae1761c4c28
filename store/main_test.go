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
	os.Exit(m.Run())
}
