package store_test

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"neo/store"
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

// childCommand is the test binary run as the child named by env (KEY=value
// pairs), which TestMain dispatches on; its stderr is the test's.
func childCommand(env ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	return cmd
}

// startChild starts cmd (from childCommand); read its output from the
// reader returned.
func startChild(t *testing.T, cmd *exec.Cmd) *bufio.Reader {
	t.Helper()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return bufio.NewReader(out)
}

// openRetrying opens the database as a child does after a killed one: the
// killed child's lock goes with its process, so while retry(err) it tries
// again every 10 ms, tries times in all.
func openRetrying(opts store.Options, tries int, retry func(error) bool) (db *store.DB, err error) {
	for range tries {
		db, err = store.Open(context.Background(), opts)
		if !retry(err) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	return db, err
}
