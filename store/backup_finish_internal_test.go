package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// A temporary backup file that vanished before it was finished (deleted by
// hand, or as another process's leftover) is an error, not an empty file
// that passes quick_check and becomes a "backup".
func TestFinishBackupFileOfAVanishedFile(t *testing.T) {
	tmp := filepath.Join(t.TempDir(), "neo.db.bak.20260101T000000Z.tmp")
	err := finishBackupFile(context.Background(), tmp)
	if err == nil {
		t.Fatal("finishing a backup file that does not exist succeeded")
	}
	t.Log(err)
	if _, err := os.Stat(tmp); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("finishing it created %s (err %v)", tmp, err)
	}
}
