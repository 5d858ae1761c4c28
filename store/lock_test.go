package store_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"neo/store"
)

// mustRefuseSecondWriter opens the database by path while another handle
// holds it and wants ErrLocked naming pid, with the file left alone.
func mustRefuseSecondWriter(t *testing.T, path string, pid int) {
	t.Helper()
	db, err := store.Open(context.Background(), store.Options{Path: path, Lock: true, CheckpointInterval: -1})
	if err == nil {
		db.Close(context.Background())
		t.Fatalf("a second writer opened %s while the first runs", path)
	}
	var le *store.LockedError
	if !errors.As(err, &le) || !errors.Is(err, store.ErrLocked) {
		t.Fatalf("err=%v, want a LockedError", err)
	}
	if pid != 0 && le.PID != pid {
		t.Fatalf("err=%v names pid %d, want %d", err, le.PID, pid)
	}
	held, hpid, herr := store.LockHolder(path)
	if !held || herr != nil || (pid != 0 && hpid != pid) {
		t.Fatalf("LockHolder(%s)=%v,%d,%v, want held by %d", path, held, hpid, herr, pid)
	}
}

func linuxOnly(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the lock on the database file itself is Linux-only (see lockinode_other.go)")
	}
}

// lockRoutes are ways for a second writer to reach the database file at
// real while it is held: another path to the file, or a lock file deleted
// or replaced. Each makes its way and returns the path to open.
var lockRoutes = []struct {
	name      string
	linuxOnly bool
	route     func(t *testing.T, real string) (string, error)
}{
	{"SymlinkToFile", false, func(t *testing.T, real string) (string, error) {
		link := filepath.Join(t.TempDir(), "link.db")
		return link, os.Symlink(real, link)
	}},
	{"SymlinkedDirectory", false, func(t *testing.T, real string) (string, error) {
		link := filepath.Join(t.TempDir(), "link")
		return filepath.Join(link, "neo.db"), os.Symlink(filepath.Dir(real), link)
	}},
	{"HardLink", true, func(t *testing.T, real string) (string, error) {
		hard := filepath.Join(t.TempDir(), "other.db")
		return hard, os.Link(real, hard)
	}},
	{"DeletedLockFile", true, func(_ *testing.T, real string) (string, error) {
		return real, os.Remove(store.LockPath(real))
	}},
	{"ReplacedLockFile", true, func(_ *testing.T, real string) (string, error) {
		fresh := real + ".new"
		if err := os.WriteFile(fresh, nil, 0o600); err != nil {
			return "", err
		}
		return real, os.Rename(fresh, store.LockPath(real))
	}},
}

// One database file is one lock, whatever path reaches it: one short
// subtest per route (lockRoutes, spellings, a hard link after Close).
func TestLockByAnyRoute(t *testing.T) {
	me := os.Getpid()
	for _, r := range lockRoutes {
		t.Run(r.name, func(t *testing.T) {
			if r.linuxOnly {
				linuxOnly(t)
			}
			real := filepath.Join(t.TempDir(), "neo.db")
			MustOpenDBAt(t, real, nil)
			path, err := r.route(t, real)
			if err != nil {
				t.Fatal(err)
			}
			mustRefuseSecondWriter(t, path, me)
		})
	}
	t.Run("Spelling", func(t *testing.T) {
		// x/.. is where x's target's parent is, not the lexical parent.
		dir := t.TempDir()
		real := filepath.Join(dir, "neo.db")
		if err := os.Mkdir(filepath.Join(dir, "sub"), 0o700); err != nil {
			t.Fatal(err)
		}
		MustOpenDBAt(t, real, nil)
		other := t.TempDir()
		if err := os.Symlink(filepath.Join(dir, "sub"), filepath.Join(other, "x")); err != nil {
			t.Fatal(err)
		}
		t.Chdir(other)
		mustRefuseSecondWriter(t, "./x/../neo.db", me)
		if err := os.Mkdir(filepath.Join(dir, "y"), 0o700); err != nil {
			t.Fatal(err)
		}
		mustRefuseSecondWriter(t, filepath.Join(dir, "y", "..", ".", "neo.db"), me)
		if _, err := os.Stat(filepath.Join(other, "neo.db")); err == nil {
			t.Fatal("a second database was created at the lexical spelling")
		}
	})
	t.Run("ReleasedAfterClose", func(t *testing.T) {
		dir := t.TempDir()
		real := filepath.Join(dir, "neo.db")
		db := MustOpenDBAt(t, real, nil)
		hard := filepath.Join(dir, "hard.db")
		if err := os.Link(real, hard); err != nil {
			t.Fatal(err)
		}
		MustClose(t, db)
		if held, _, err := store.LockHolder(hard); held || err != nil {
			t.Fatalf("LockHolder=%v,%v after Close, want free", held, err)
		}
		MustClose(t, MustOpenDBAt(t, hard, nil))
		MustClose(t, MustOpenDBAt(t, real, nil))
	})
}

// The lock file is never followed through a symlink nor truncated, and a
// path neo cannot use as its lock says what it is and what to do. Branchy
// by design: one subtest per kind of foreign file.
func TestLockFileRefusesForeignFiles(t *testing.T) {
	open := func(path string) error {
		db, err := store.Open(context.Background(), store.Options{Path: path, Lock: true, CheckpointInterval: -1})
		if err == nil {
			db.Close(context.Background())
		}
		return err
	}
	// linked makes the lock file a link (by link: os.Symlink, os.Link) to
	// a file of the user's, opens the database and wants the file intact;
	// it returns Open's error.
	linked := func(t *testing.T, link func(oldname, newname string) error, content string) error {
		t.Helper()
		dir := t.TempDir()
		path := filepath.Join(dir, "neo.db")
		mine := filepath.Join(dir, "mine.txt")
		if err := os.WriteFile(mine, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := link(mine, store.LockPath(path)); err != nil {
			t.Fatal(err)
		}
		err := open(path)
		if b, _ := os.ReadFile(mine); string(b) != content {
			t.Fatalf("the linked file now holds %q", b)
		}
		return err
	}
	t.Run("Symlink", func(t *testing.T) {
		err := linked(t, os.Symlink, "do not truncate me\n")
		if err == nil || !strings.Contains(err.Error(), "symbolic link") || !strings.Contains(err.Error(), "remove it") {
			t.Fatalf("err=%v, want a refusal naming the symlink and saying to remove it", err)
		}
	})
	t.Run("Directory", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "neo.db")
		if err := os.Mkdir(store.LockPath(path), 0o700); err != nil {
			t.Fatal(err)
		}
		err := open(path)
		if err == nil || !strings.Contains(err.Error(), "is a directory") || !strings.Contains(err.Error(), "remove it") || strings.Contains(err.Error(), "writable") {
			t.Fatalf("err=%v, want 'is a directory ... remove it' and no advice about permissions", err)
		}
	})
	t.Run("HardLinkToAnotherFile", func(t *testing.T) {
		if runtime.GOOS == "windows" {
			t.Skip("link counts are checked on unix")
		}
		if err := linked(t, os.Link, "notes\n"); err == nil || !strings.Contains(err.Error(), "remove it") {
			t.Fatalf("err=%v, want a refusal", err)
		}
	})
	t.Run("ExistingLockFileKeepsWorking", func(t *testing.T) {
		// A lock file left by an earlier run (with a stale pid) is reused.
		path := filepath.Join(t.TempDir(), "neo.db")
		if err := os.WriteFile(store.LockPath(path), []byte("999999999\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		db := MustOpenDBAt(t, path, nil)
		b, _ := os.ReadFile(store.LockPath(path))
		if got, want := string(b), fmt.Sprintf("%d\n", os.Getpid()); got != want {
			t.Fatalf("lock file holds %q, want %q", got, want)
		}
		MustClose(t, db)
		if b, _ := os.ReadFile(store.LockPath(path)); len(b) != 0 {
			t.Fatalf("lock file holds %q after Close, want empty", b)
		}
	})
}

// Restore through a symlink replaces the real database, not the symlink.
func TestRestoreThroughSymlink(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	real, bak := MustGoodDB(t, dir)
	linkDir := t.TempDir()
	link := filepath.Join(linkDir, "neo.db")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	res, err := store.Restore(ctx, link, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Backup != bak {
		t.Fatalf("restored %s, want %s", res.Backup, bak)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("%s is no longer a symlink (mode %v, err %v)", link, fi.Mode(), err)
	}
	for _, m := range res.MovedAside {
		if filepath.Dir(m) != filepath.Dir(real) {
			t.Fatalf("moved aside %s, want it beside the real file %s", m, real)
		}
	}
	if err := store.CheckFile(ctx, real, false); err != nil {
		t.Fatal(err)
	}
}

const lockChildEnv = "NEO_STORE_LOCK_CHILD"

// lockChild holds the lock of the database at path until stdin closes.
func lockChild(path string) int {
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{Path: path, Lock: true, CheckpointInterval: -1})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("locked")
	io.Copy(io.Discard, os.Stdin)
	if err := db.Close(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// Another process holding the lock is seen by every route, and named.
func TestLockAcrossProcesses(t *testing.T) {
	linuxOnly(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "neo.db")
	MustClose(t, MustOpenDBAt(t, path, nil))
	cmd := childCommand(lockChildEnv + "=" + path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := startChild(t, cmd)
	defer cmd.Wait()
	defer stdin.Close()
	ready := make(chan string, 1)
	go func() {
		line, _ := stdout.ReadString('\n')
		ready <- line
	}()
	select {
	case line := <-ready:
		if line != "locked\n" {
			t.Fatalf("child said %q, want locked", line)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("the child did not take the lock within 2 minutes")
	}
	pid := cmd.Process.Pid
	hard := filepath.Join(t.TempDir(), "hard.db")
	if err := os.Link(path, hard); err != nil {
		t.Fatal(err)
	}
	mustRefuseSecondWriter(t, path, pid)
	mustRefuseSecondWriter(t, hard, pid)
	os.Remove(store.LockPath(path))
	mustRefuseSecondWriter(t, path, pid)
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v", err)
	}
	MustClose(t, MustOpenDBAt(t, hard, nil))
}
