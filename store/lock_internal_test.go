package store

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/charmbracelet/log"
)

// A read-only database file is the file's problem, not its directory's.
// (Tested on the message: as root the open itself would succeed.)
func TestReadOnlyFileMessage(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "neo.db")
	if err := os.WriteFile(path, nil, 0o400); err != nil {
		t.Fatal(err)
	}
	err := writeOpenError(path, &os.PathError{Op: "open", Path: path, Err: syscall.EACCES})
	if msg := err.Error(); !strings.Contains(msg, "read-only file") || !strings.Contains(msg, "chmod u+w "+path) || strings.Contains(msg, "make "+dir) {
		t.Fatalf("message %q, want the file named read-only and chmod u+w", msg)
	}
	missing := filepath.Join(dir, "new.db")
	err = writeOpenError(missing, &os.PathError{Op: "open", Path: missing, Err: syscall.EACCES})
	if !strings.Contains(err.Error(), "make "+dir+" writable") {
		t.Fatalf("message %q, want the directory named when the file must be created", err)
	}
}

// Real open of a read-only file, where permissions apply (not as root).
func TestReadOnlyFileOpen(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores file modes")
	}
	path := filepath.Join(t.TempDir(), "neo.db")
	if err := os.WriteFile(path, nil, 0o400); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), Options{Path: path, Lock: true, CheckpointInterval: -1})
	if err == nil || !strings.Contains(err.Error(), "chmod u+w") {
		t.Fatalf("err=%v, want chmod u+w", err)
	}
}

// A -wal left by a full disk is not blamed on another reader.
func TestWALLeftMessage(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    error
		res    CheckpointResult
		want   string
		reader bool
	}{
		{"DiskFull", fmt.Errorf("final: %w", ErrDiskFull), CheckpointResult{}, "disk full", false},
		{"Failed", fmt.Errorf("some I/O error"), CheckpointResult{}, "final checkpoint failed", false},
		{"Busy", nil, CheckpointResult{Busy: true, LogFrames: 3}, "another reader", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			db := &DB{path: "/x/neo.db", logger: log.New(&buf)}
			db.logWALLeft(tc.err, tc.res, 4096)
			out := buf.String()
			if !strings.Contains(out, tc.want) || strings.Contains(out, "another reader") != tc.reader {
				t.Fatalf("logged %q, want %q (another reader: %v)", out, tc.want, tc.reader)
			}
		})
	}
}

// An interrupted copy removes its partial file.
func TestCopyFileCtxCancelled(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	if err := os.WriteFile(src, make([]byte, 3<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dst := filepath.Join(dir, "dst")
	if err := copyFileCtx(ctx, src, dst); err == nil {
		t.Fatal("a cancelled copy reported success")
	}
	if _, err := os.Stat(dst); !os.IsNotExist(err) {
		t.Fatalf("the partial copy is still there (err %v)", err)
	}
	if err := copyFileCtx(context.Background(), src, dst); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(dst); fi.Size() != 3<<20 {
		t.Fatalf("copied %d bytes", fi.Size())
	}
}
