package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"neo/engine"
	"neo/store"
)

const goodFills = 3000

// MustGoodDB builds a closed, healthy database with goodFills fills and a
// backup of it, in dir. It returns the database path and the backup path.
func MustGoodDB(tb testing.TB, dir string) (string, string) {
	tb.Helper()
	path := filepath.Join(dir, "neo.db")
	MustCreateDB(tb, path, "s1")
	raw := rawDB(tb, path)
	tx, err := raw.Begin()
	if err != nil {
		tb.Fatal(err)
	}
	for i := range goodFills {
		o := order("s1", fmt.Sprint("o", i), t0, engine.OrderFilled)
		tx.Exec(`INSERT INTO orders VALUES (1, ?, 'buy', 2.5, 6, 1795607999000, 'filled', 1795608000000)`, o.OrderID)
		if _, err := tx.Exec(`INSERT INTO fills VALUES (1, ?, ?, 1795608000000, 'buy', 2.5, 6, 15, 0.01)`, fmt.Sprint("f", i), o.OrderID); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	raw.Close()
	db := MustOpenDBAt(tb, path, nil)
	bak, err := db.Backup(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	MustClose(tb, db)
	return path, bak
}

// rootPage returns the root page number of a table or index.
func rootPage(tb testing.TB, path, name string) int {
	tb.Helper()
	raw := rawDB(tb, path)
	defer raw.Close()
	var p int
	if err := raw.QueryRow("SELECT rootpage FROM sqlite_schema WHERE name = ?", name).Scan(&p); err != nil {
		tb.Fatal(err)
	}
	return p
}

const pageSize = 4096

func writeAt(tb testing.TB, path string, off int64, b []byte) {
	tb.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(b, off); err != nil {
		tb.Fatal(err)
	}
}

// damages are ways to break a good database file in its structure.
var damages = []struct {
	name   string
	damage func(tb testing.TB, path string)
}{
	{"PageTypeByte", func(tb testing.TB, path string) {
		p := rootPage(tb, path, "fills")
		writeAt(tb, path, int64(p-1)*pageSize, []byte{0x77})
	}},
	{"ZeroedPage", func(tb testing.TB, path string) {
		p := rootPage(tb, path, "fills_session_time")
		writeAt(tb, path, int64(p-1)*pageSize, make([]byte, pageSize))
	}},
	{"Truncated", func(tb testing.TB, path string) {
		fi, _ := os.Stat(path)
		if err := os.Truncate(path, fi.Size()/2); err != nil {
			tb.Fatal(err)
		}
	}},
	{"NotSQLite", func(tb testing.TB, path string) {
		if err := os.WriteFile(path, []byte(strings.Repeat("this is not a database\n", 500)), 0o600); err != nil {
			tb.Fatal(err)
		}
	}},
}

type fileHashes map[string]string

func hashDBFiles(tb testing.TB, path string) fileHashes {
	tb.Helper()
	h := fileHashes{}
	for _, s := range []string{"", "-wal", "-shm"} {
		h[s] = hashFile(tb, path+s)
	}
	return h
}

func TestCorruption(t *testing.T) {
	ctx := context.Background()
	template := t.TempDir()
	goodPath, goodBak := MustGoodDB(t, template)
	if err := store.CheckFile(ctx, goodPath, true); err != nil {
		t.Fatalf("the good database fails its check: %v", err)
	}

	for _, d := range damages {
		t.Run(d.name, func(t *testing.T) {
			path := copyGoodDB(t, goodPath, goodBak)
			d.damage(t, path)
			assertDamagedAndUntouched(t, path)
			assertRestores(t, path, 1)
		})
	}

	t.Run("StaleWAL", func(t *testing.T) {
		path := copyGoodDB(t, goodPath, goodBak)
		// Leave a live -wal and -shm beside the file: copy them from a
		// database that is open with committed, uncheckpointed writes.
		live := filepath.Join(t.TempDir(), "neo.db")
		copyTo(t, goodPath, live)
		db := MustOpenDBAt(t, live, nil)
		for i := range 30 {
			db.AddEvent(ctx, engine.SessionEvent{SessionID: "s1", CreatedAt: t0, Level: "info", Kind: "k", Message: fmt.Sprint(i)})
		}
		if err := db.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		copyTo(t, live+"-wal", path+"-wal")
		copyTo(t, live+"-shm", path+"-shm")
		MustClose(t, db)
		// Damage a page that the log does not carry.
		p := rootPage(t, goodPath, "fills")
		writeAt(t, path, int64(p-1)*pageSize, make([]byte, pageSize))

		assertDamagedAndUntouched(t, path)
		assertRestores(t, path, 3)
		for _, s := range []string{"-wal", "-shm"} {
			if _, err := os.Stat(path + s); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("%s still beside the restored database", path+s)
			}
		}
	})
}

func copyTo(tb testing.TB, src, dst string) {
	tb.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		tb.Fatal(err)
	}
}

// copyGoodDB copies a good database and its backup (from MustGoodDB) into
// a new temporary directory and returns the copy's path.
func copyGoodDB(tb testing.TB, goodPath, goodBak string) string {
	tb.Helper()
	dir := tb.TempDir()
	path := filepath.Join(dir, "neo.db")
	copyTo(tb, goodPath, path)
	copyTo(tb, goodBak, filepath.Join(dir, filepath.Base(goodBak)))
	return path
}

// assertDamagedAndUntouched checks that CheckFile and Open both refuse the
// file with an IntegrityError naming the restore command, and that neither
// changed a byte of it or of its -wal and -shm.
func assertDamagedAndUntouched(t *testing.T, path string) {
	t.Helper()
	ctx := context.Background()
	before := hashDBFiles(t, path)
	for _, full := range []bool{false, true} {
		err := store.CheckFile(ctx, path, full)
		var ie *store.IntegrityError
		if !errors.As(err, &ie) {
			t.Fatalf("CheckFile(full=%v)=%v, want IntegrityError", full, err)
		}
		if want := "neo restore --db " + path; !strings.Contains(err.Error(), want) {
			t.Fatalf("message %q does not name %q", err, want)
		}
	}
	_, err := store.Open(ctx, store.Options{Path: path, Lock: true, CheckpointInterval: -1})
	var ie *store.IntegrityError
	if !errors.As(err, &ie) {
		t.Fatalf("Open=%v, want IntegrityError", err)
	}
	if got := hashDBFiles(t, path); fmt.Sprint(got) != fmt.Sprint(before) {
		t.Fatalf("files changed by the check:\nbefore %v\nafter  %v", before, got)
	}
}

// assertRestores restores the newest backup and checks the result.
func assertRestores(t *testing.T, path string, movedAside int) {
	t.Helper()
	ctx := context.Background()
	before := hashDBFiles(t, path)
	res, err := store.Restore(ctx, path, "", nil)
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	if got := len(res.MovedAside); got != movedAside {
		t.Fatalf("moved aside %v, want %d files", res.MovedAside, movedAside)
	}
	// What was moved aside is byte-for-byte what was there.
	for _, m := range res.MovedAside {
		suffix := ""
		for _, s := range []string{"-wal", "-shm"} {
			if strings.HasSuffix(m, s) {
				suffix = s
			}
		}
		if !strings.Contains(m, ".malformed_") {
			t.Fatalf("moved aside as %s, want neo.db.malformed_<ts>", m)
		}
		if got := hashFile(t, m); got != before[suffix] {
			t.Fatalf("%s differs from the original %s", m, path+suffix)
		}
	}
	if err := store.CheckFile(ctx, path, true); err != nil {
		t.Fatalf("restored database: %v", err)
	}
	db, err := store.Open(ctx, store.Options{Path: path, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	fills, err := db.Fills(ctx, "s1", 0)
	if err != nil || len(fills) != goodFills {
		t.Fatalf("restored fills=%d err=%v, want %d", len(fills), err, goodFills)
	}
}

func TestRestore(t *testing.T) {
	ctx := context.Background()
	t.Run("RefusesWhileLocked", func(t *testing.T) {
		dir := t.TempDir()
		path, _ := MustGoodDB(t, dir)
		db := MustOpenDBAt(t, path, nil)
		before := hashDBFiles(t, path)
		_, err := store.Restore(ctx, path, "", nil)
		if !errors.Is(err, store.ErrLocked) {
			t.Fatalf("err=%v, want ErrLocked", err)
		}
		MustClose(t, db)
		_ = before
	})
	t.Run("SkipsDamagedBackups", func(t *testing.T) {
		dir := t.TempDir()
		path, bak := MustGoodDB(t, dir)
		newer := path + ".bak.29991231T235959Z"
		os.WriteFile(newer, []byte("garbage"), 0o600)
		res, err := store.Restore(ctx, path, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Backup != bak || len(res.Skipped) != 1 || res.Skipped[0] != newer {
			t.Fatalf("result=%+v, want %s restored and %s skipped", res, bak, newer)
		}
	})
	t.Run("ExplicitBadBackup", func(t *testing.T) {
		dir := t.TempDir()
		path, _ := MustGoodDB(t, dir)
		bad := filepath.Join(dir, "bad.bak")
		os.WriteFile(bad, []byte("garbage"), 0o600)
		before := hashDBFiles(t, path)
		_, err := store.Restore(ctx, path, bad, nil)
		var be *store.BadBackupError
		if !errors.As(err, &be) {
			t.Fatalf("err=%v, want BadBackupError", err)
		}
		if got := hashDBFiles(t, path); fmt.Sprint(got) != fmt.Sprint(before) {
			t.Fatal("a refused restore changed the database")
		}
	})
	t.Run("NoBackup", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "neo.db")
		if _, err := store.Restore(ctx, path, "", nil); err == nil || !strings.Contains(err.Error(), "no backup") {
			t.Fatalf("err=%v, want 'no backup'", err)
		}
	})
}

// TestNotSQLiteFile: a file that does not begin with SQLite's header and has
// no neo backup beside it is another kind of file (--db names the wrong
// one): *ForeignError from CheckFile and from every Open, never the restore
// advice; it stays unchanged. With a neo backup beside it, it is a neo
// database whose header was overwritten: *IntegrityError naming restore.
func TestNotSQLiteFile(t *testing.T) {
	ctx := context.Background()
	for _, text := range []string{"hello\n", strings.Repeat("this is not a database\n", 500)} {
		path := filepath.Join(t.TempDir(), "text.db")
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		opens := map[string]func() error{
			"CheckFile": func() error { return store.CheckFile(ctx, path, false) },
			"Open read-only": func() error {
				_, err := store.Open(ctx, store.Options{Path: path, ReadOnly: true})
				return err
			},
			"Open to write": func() error {
				_, err := store.Open(ctx, store.Options{Path: path, Lock: true, PreRunBackup: true, CheckpointInterval: -1})
				return err
			},
		}
		for name, open := range opens {
			err := open()
			var fe *store.ForeignError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), "not an SQLite database") || strings.Contains(err.Error(), "restore") {
				t.Fatalf("%s of a %d-byte text file: %v; want ForeignError saying it is not an SQLite database", name, len(text), err)
			}
		}
		if got, _ := os.ReadFile(path); string(got) != text {
			t.Fatal("the file was changed")
		}
	}

	dir := t.TempDir()
	path, _ := MustGoodDB(t, dir)
	writeAt(t, path, 0, []byte("hello, world\n\x00\x00\x00"))
	err := store.CheckFile(ctx, path, false)
	var ie *store.IntegrityError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "neo restore --db "+path) {
		t.Fatalf("CheckFile of a neo database whose header was overwritten: %v; want IntegrityError naming restore", err)
	}
	_, err = store.Open(ctx, store.Options{Path: path, ReadOnly: true})
	if !errors.As(err, &ie) {
		t.Fatalf("Open of a neo database whose header was overwritten: %v; want IntegrityError", err)
	}
}
