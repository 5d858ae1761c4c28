package store_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/gofrs/flock"

	"neo/store"
)

// A start that meets a read-only command's momentary probe of the lock
// file tries again, even when the lock file still names a killed session's
// pid: that pid holds nothing. Before, the start gave up at once with
// "in use by another neo process (pid N)" for a process long gone.
func TestStartOutlastsAProbeBehindADeadPID(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("pid liveness is not tested on Windows")
	}
	path := filepath.Join(t.TempDir(), "neo.db")
	db := MustOpenDBAt(t, path, nil)
	if err := db.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Skip("no `true` to make a dead pid:", err)
	}
	if err := os.WriteFile(store.LockPath(path), fmt.Appendf(nil, "%d\n", gone.Process.Pid), 0o600); err != nil {
		t.Fatal(err)
	}
	probe := flock.New(store.LockPath(path))
	if ok, err := probe.TryLock(); !ok || err != nil {
		t.Fatalf("probe lock: %v %v", ok, err)
	}
	go func() {
		time.Sleep(30 * time.Millisecond) // a probe's instant, well inside the start's retries
		probe.Unlock()
	}()
	db2, err := store.Open(context.Background(), store.Options{Path: path, Lock: true, CheckpointInterval: -1})
	if err != nil {
		t.Fatalf("a start behind a probe and a dead pid: %v", err)
	}
	db2.Close(context.Background())
}
