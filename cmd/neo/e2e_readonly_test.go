//go:build linux

package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"neo/engine"
	"neo/store"
)

// readOnlyReader prepares dir so that a reader may read its files but not
// write it, and returns how to run the binary as that reader: as root, the
// user nobody (root ignores permissions), else ourselves with dir made 0555.
// Every file in dir is made readable by all; the binary is copied into a
// directory the reader can reach, and tmp is a temporary directory it may
// write (TMPDIR).
func readOnlyReader(t *testing.T, dir string) (run func(args ...string) (int, string, string), tmp string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		os.Chmod(filepath.Join(dir, e.Name()), 0o644)
	}
	base := t.TempDir()
	tmp = filepath.Join(base, "tmp")
	bin := filepath.Join(base, "neo")
	data, err := os.ReadFile(neoBin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(tmp, 0o777); err != nil || os.WriteFile(bin, data, 0o755) != nil {
		t.Fatal("set up the reader's directories:", err)
	}
	var cred *syscall.Credential
	for _, d := range []string{base, filepath.Dir(base), tmp, dir, filepath.Dir(dir)} {
		os.Chmod(d, 0o755)
	}
	os.Chmod(tmp, 0o777)
	os.Mkdir(filepath.Join(base, "home"), 0o777)
	os.Chmod(filepath.Join(base, "home"), 0o777)
	if os.Geteuid() == 0 {
		cred = &syscall.Credential{Uid: 65534, Gid: 65534} // nobody
	} else {
		os.Chmod(dir, 0o555)
		t.Cleanup(func() { os.Chmod(dir, 0o700) })
	}
	return func(args ...string) (int, string, string) {
		t.Helper()
		var out, errOut bytes.Buffer
		cmd := exec.Command(bin, args...)
		cmd.Env = []string{"HOME=" + filepath.Join(base, "home"), "TMPDIR=" + tmp, "PATH=" + os.Getenv("PATH")}
		cmd.Stdout, cmd.Stderr = &out, &errOut
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return code, out.String(), errOut.String()
	}, tmp
}

// crashImage writes into dir a database with a session open and its commits
// still in the -wal (no -shm): the files a kill -9 leaves, as another user's.
func crashImage(t *testing.T, dir string) string {
	t.Helper()
	ctx := context.Background()
	src := filepath.Join(t.TempDir(), "neo.db")
	db, err := store.Open(ctx, store.Options{Path: src, Lock: true, CheckpointInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	s := engine.Session{SessionID: "crashed", StartedAt: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC), Mode: engine.ModePaper,
		Feed: "sim", ConfigJSON: "{}", AppVersion: "test", StartingXRP: 1000, StartingRLUSD: 2500, StartingValue: 5000}
	if err := db.OpenSession(ctx, s); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "neo.db")
	for _, sfx := range []string{"", "-wal"} {
		b, err := os.ReadFile(src + sfx)
		if err != nil || (sfx == "-wal" && len(b) <= 32) {
			t.Fatalf("no -wal with frames to copy (%v)", err)
		}
		if err := os.WriteFile(path+sfx, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// TestReadOnlyDirectoryReaders: a reader who may read neo.db but not write
// its directory (another user's database, a read-only mount) cannot let
// SQLite create the -shm a database in WAL mode needs; check, sessions and
// report read a private copy instead: exit 0, the check's "ok" never
// followed by a failure, nothing created beside the database, the copy gone
// afterwards. Both a cleanly closed database (no -wal) and a crash's (its
// commits in the -wal, no -shm).
func TestReadOnlyDirectoryReaders(t *testing.T) {
	for _, c := range []struct {
		name string
		make func(t *testing.T, dir string) string
	}{
		{"closed", func(t *testing.T, dir string) string { return mustStoreDB(t, dir, "s1") }},
		{"crash image", crashImage},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "ro")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			path := c.make(t, dir)
			run, tmp := readOnlyReader(t, dir)
			before := listDir(t, dir)
			code, out, errOut := run("check", "--db", path)
			if code != 0 || !strings.HasPrefix(out, "ok: ") || !strings.Contains(out, "crashed") || !strings.Contains(out, "left open") || errOut != "" {
				t.Fatalf("check: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
			}
			for _, args := range [][]string{{"sessions"}, {"sessions", "--json"}, {"report", "crashed"}} {
				code, out, errOut := run(append(args, "--db", path)...)
				if code != 0 || !strings.Contains(out, "crashed") || !strings.Contains(out, "left") {
					t.Fatalf("neo %v: exit %d\nstdout:\n%s\nstderr:\n%s", args, code, out, errOut)
				}
			}
			if after := listDir(t, dir); after != before {
				t.Fatalf("the directory changed:\nbefore %s\nafter  %s", before, after)
			}
			if left := listDir(t, tmp); left != "" {
				t.Fatalf("left in TMPDIR: %s", left)
			}
		})
	}
}

// listDir names dir's entries with their sizes.
func listDir(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range entries {
		if fi, err := e.Info(); err == nil {
			fmt.Fprintf(&b, "%s=%d@%s ", e.Name(), fi.Size(), fi.ModTime().Format(time.RFC3339Nano))
		}
	}
	return b.String()
}

// TestReadOnlyDirectoryUnreadableWAL: when the reader may not read the
// crash's -wal either, no copy can be made: check and sessions fail saying
// so and what to do (not "free some space"), and change nothing.
func TestReadOnlyDirectoryUnreadableWAL(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ro")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := crashImage(t, dir)
	run, _ := readOnlyReader(t, dir)
	if err := os.Chmod(path+"-wal", 0o200); err != nil {
		t.Fatal(err)
	}
	before := listDir(t, dir)
	code, out, errOut := run("check", "--db", path)
	if code != 1 || out != "" || !strings.Contains(errOut, "you may not read them") || strings.Contains(errOut, "free some space") {
		t.Fatalf("check: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	code, out, errOut = run("sessions", "--db", path)
	if code != 1 || out != "" || !strings.Contains(errOut, "cannot be read in place") || !strings.Contains(errOut, "the owner") {
		t.Fatalf("sessions: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if after := listDir(t, dir); after != before {
		t.Fatalf("the directory changed:\nbefore %s\nafter  %s", before, after)
	}
}
