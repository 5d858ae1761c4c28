package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"neo/store"
)

// copyBackup copies a good backup to dst and sets its modification time.
func copyBackup(t *testing.T, src, dst string, mod time.Time) {
	t.Helper()
	copyTo(t, src, dst)
	if err := os.Chtimes(dst, mod, mod); err != nil {
		t.Fatal(err)
	}
}

// Backups named in the future (a clock that was ahead, a user's copies)
// never push the backup just written out of the retention.
func TestRetentionKeepsTheBackupJustWritten(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path, bak := MustGoodDB(t, dir)
	past := time.Now().Add(-time.Hour)
	for _, stamp := range []string{"29991231T235955Z", "29991231T235956Z", "29991231T235957Z", "29991231T235958Z"} {
		copyBackup(t, bak, path+".bak."+stamp, past)
	}
	db := MustOpenDBAt(t, path, func(o *store.Options) { o.BackupRetention = 3 })
	p, err := db.Backup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("the backup just written is gone: %v", err)
	}
	list, err := store.ListBackups(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 || list[0] != p {
		t.Fatalf("kept %v, want 3 with the new %s first", list, p)
	}
	t.Run("ClockAheadThenSetRight", func(t *testing.T) {
		// A backup modified in the future was written before the clock was
		// set right: it ranks below every backup written since.
		future := time.Now().Add(48 * time.Hour)
		ahead := path + ".bak.29991231T235959Z"
		copyBackup(t, bak, ahead, future)
		p2, err := db.Backup(ctx)
		if err != nil {
			t.Fatal(err)
		}
		list, _ := store.ListBackups(path)
		if len(list) != 3 || list[0] != p2 || list[1] != p {
			t.Fatalf("kept %v, want %s then %s first", list, p2, p)
		}
	})
}

// Many backups in one second get unique names, and each one returned exists.
func TestBackupNamesAreUnique(t *testing.T) {
	ctx := context.Background()
	fixed := t0
	db := MustOpenDBAt(t, filepath.Join(t.TempDir(), "neo.db"), func(o *store.Options) {
		o.BackupRetention = 10
		o.Now = func() time.Time { return fixed }
	})
	MustOpenSession(t, db, "s1", t0)
	seen := map[string]bool{}
	for i := range 14 {
		p, err := db.Backup(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if seen[p] {
			t.Fatalf("backup %d reused the name %s", i, p)
		}
		seen[p] = true
		if !strings.HasPrefix(filepath.Base(p), "neo.db.bak.20261125T120000Z") {
			t.Fatalf("name %s lost the neo.db.bak.YYYYMMDDTHHMMSSZ form", p)
		}
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("backup %d (%s) was deleted by its own retention: %v", i, p, err)
		}
	}
	if list, _ := store.ListBackups(db.Path()); len(list) != 10 {
		t.Fatalf("kept %d backups, want 10", len(list))
	}
}

// Restore's default is the most recently written good backup, whatever the
// names say, and the result says what it is.
func TestRestoreChoosesByWhenWritten(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path, bak := MustGoodDB(t, dir)
	userCopy := path + ".bak.29991231T235959Z"
	copyBackup(t, bak, userCopy, time.Now().Add(-24*time.Hour))
	chosen, _, err := store.ChooseBackup(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if chosen != bak {
		t.Fatalf("chose %s, want the most recently written %s", chosen, bak)
	}
	info, err := store.DescribeBackup(ctx, chosen)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(bak)
	if info.Sessions != 1 || !info.Written.Equal(fi.ModTime()) || info.Bytes != fi.Size() || info.Newest == "" {
		t.Fatalf("info=%+v, want 1 session written at %v", info, fi.ModTime())
	}
	res, err := store.Restore(ctx, path, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Backup != bak || res.Chosen.Sessions != 1 || res.Chosen.Path != bak {
		t.Fatalf("result=%+v, want %s with its description", res, bak)
	}
}

// A healthy database moved aside by restore is named for what it is.
func TestRestoreNamesWhatItMovesAside(t *testing.T) {
	ctx := context.Background()
	path, _ := MustGoodDB(t, t.TempDir())
	res, err := store.Restore(ctx, path, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.MovedAside) == 0 || !res.Healthy {
		t.Fatalf("result=%+v, want the healthy database moved aside", res)
	}
	for _, m := range res.MovedAside {
		if !strings.Contains(filepath.Base(m), ".replaced_") || strings.Contains(m, "malformed") {
			t.Fatalf("moved a healthy database aside as %s, want neo.db.replaced_<ts>", m)
		}
		if _, err := os.Stat(m); err != nil {
			t.Fatalf("%s: %v", m, err)
		}
	}
}

// The next lock holder removes what a killed restore or backup left,
// whatever command left it.
func TestLockHolderRemovesEveryLeftover(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "neo.db")
	MustClose(t, MustOpenDBAt(t, path, nil))
	left := []string{
		path + ".restore-tmp",
		path + ".bak.20260101T000000Z.locked.tmp-wal",
		path + ".bak.20260101T000000Z.locked.tmp-shm",
		path + ".bak.20260101T000000Z.locked.tmp-journal",
	}
	for _, p := range left {
		if err := os.WriteFile(p, make([]byte, 4096), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("Open", func(t *testing.T) {
		MustClose(t, MustOpenDBAt(t, path, nil))
		for _, p := range left {
			if _, err := os.Stat(p); !os.IsNotExist(err) {
				t.Fatalf("%s is still there (err %v)", p, err)
			}
		}
	})
	t.Run("Restore", func(t *testing.T) {
		path, _ := MustGoodDB(t, t.TempDir())
		stale := path + ".restore-tmp"
		os.WriteFile(stale, []byte("partial"), 0o600)
		if _, err := store.Restore(context.Background(), path, "", nil); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(stale); !os.IsNotExist(err) {
			t.Fatalf("%s is still there (err %v)", stale, err)
		}
	})
}

// A cancelled context (SIGINT, SIGTERM in cmd) leaves no temporary bytes.
func TestCancelledBackupAndRestoreLeaveNothing(t *testing.T) {
	leftovers := func(t *testing.T, dir string, keep ...string) {
		t.Helper()
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			n := e.Name()
			if strings.Contains(n, "tmp") {
				t.Fatalf("left %s behind", n)
			}
			_ = keep
		}
	}
	t.Run("BackupTo", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		db := MustOpenDBAt(t, filepath.Join(t.TempDir(), "neo.db"), func(o *store.Options) {
			o.Faults = &store.Faults{BeforeBackup: func(context.Context, string) error { cancel(); return nil }}
		})
		MustOpenSession(t, db, "s1", t0)
		out := t.TempDir()
		if err := db.BackupTo(ctx, filepath.Join(out, "b.db")); err == nil {
			t.Fatal("a cancelled backup reported success")
		}
		leftovers(t, out)
		if entries, _ := os.ReadDir(out); len(entries) != 0 {
			t.Fatalf("left %d files in %s", len(entries), out)
		}
	})
	t.Run("Restore", func(t *testing.T) {
		dir := t.TempDir()
		path, _ := MustGoodDB(t, dir)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		before := hashDBFiles(t, path)
		if _, err := store.Restore(ctx, path, "", nil); err == nil {
			t.Fatal("a cancelled restore reported success")
		}
		leftovers(t, dir)
		if got := hashDBFiles(t, path); len(got) != len(before) {
			t.Fatal("a cancelled restore changed the database")
		}
	})
}

// The size neo check reports includes the write-ahead log.
func TestDatabaseSizeIncludesTheLog(t *testing.T) {
	db := MustOpenDBWithSession(t)
	fi, err := os.Stat(db.Path())
	if err != nil {
		t.Fatal(err)
	}
	wi, err := os.Stat(db.Path() + "-wal")
	if err != nil || wi.Size() == 0 {
		t.Fatalf("no -wal to count (err %v)", err)
	}
	if got, want := store.DatabaseSize(db.Path()), fi.Size()+wi.Size(); got != want {
		t.Fatalf("DatabaseSize=%d, want %d (file %d + wal %d)", got, want, fi.Size(), wi.Size())
	}
}
