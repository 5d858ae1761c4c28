package store_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/charmbracelet/log"

	"neo/store"
)

// theirs stands for a backup that another process published under the name
// ours was about to take, after our last look at that name.
var theirs = []byte("another process's backup")

// takeNameOnce returns fault hooks that, the first time a backup is about
// to be published, put another file under its name.
func takeNameOnce(t *testing.T, taken *string) *store.Faults {
	var once sync.Once
	return &store.Faults{BeforeBackup: func(_ context.Context, dst string) error {
		once.Do(func() {
			*taken = dst
			if err := os.WriteFile(dst, theirs, 0o600); err != nil {
				t.Error(err)
			}
		})
		return nil
	}}
}

// A backup never replaces another: a name taken after our look sends
// Backup to the next name, with the other backup left as it was, for the
// online backup and for the pre-run copy (which is kept for the next name,
// not dropped).
func TestBackupNeverReplacesAnother(t *testing.T) {
	for _, preRun := range []bool{false, true} {
		name := map[bool]string{false: "Online", true: "PreRun"}[preRun]
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			path, _ := MustGoodDB(t, t.TempDir())
			var taken string
			var logs bytes.Buffer
			db := MustOpenDBAt(t, path, func(o *store.Options) {
				o.PreRunBackup = preRun
				o.Faults = takeNameOnce(t, &taken)
				o.Logger = log.New(&logs)
			})
			bak, err := db.Backup(ctx)
			if err != nil {
				t.Fatalf("backup: %v", err)
			}
			if taken == "" || bak == taken {
				t.Fatalf("backup %s; the name taken was %q", bak, taken)
			}
			if b, err := os.ReadFile(taken); err != nil || !bytes.Equal(b, theirs) {
				t.Fatalf("the other backup at %s was replaced (%q, %v)", taken, b, err)
			}
			MustClose(t, db)
			if err := store.CheckFile(ctx, bak, true); err != nil {
				t.Fatalf("our backup: %v", err)
			}
			if preRun && !strings.Contains(logs.String(), "method=") {
				t.Fatalf("the pre-run copy was not what was put in place:\n%s", logs.String())
			}
			for _, p := range []string{bak + ".tmp", bak + ".locked.tmp", path + ".bak.pending.locked.tmp"} {
				if _, err := os.Stat(p); err == nil {
					t.Errorf("%s left behind", p)
				}
			}
		})
	}
}
