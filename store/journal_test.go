package store_test

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"neo/engine"
	"neo/store"
)

// mustHotJournal leaves, in a new directory, neo.db with a hot rollback
// journal beside it: a database in journal_mode DELETE (a restored backup)
// whose writer was killed mid-transaction, after it had spilled pages to the
// file. The pages the journal holds the originals of are overwritten with
// garbage in the copy, so that reading the file without rolling the journal
// back finds it damaged, always; SQLite rolls the journal back and finds it
// sound. The database holds one session, "s1", with fills.
func mustHotJournal(t *testing.T) string {
	t.Helper()
	src, _ := MustGoodDB(t, t.TempDir())
	d, err := sql.Open("sqlite", "file:"+src+"?_pragma=journal_mode(DELETE)&_pragma=cache_size(10)")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	d.SetMaxOpenConns(1)
	tx, err := d.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	// A transaction bigger than the cache spills to the file before it
	// commits: the file then holds pages of an uncommitted transaction.
	for _, q := range []string{
		`DELETE FROM fills`,
		`CREATE TABLE junk (b BLOB)`,
		`WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 500) INSERT INTO junk SELECT randomblob(3000) FROM c`,
	} {
		if _, err := tx.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "neo.db")
	copyTo(t, src, path)
	copyTo(t, src+"-journal", path+"-journal")
	garbleJournaledPages(t, path)
	return path
}

// garbleJournaledPages overwrites, in the database at path, every page whose
// original its -journal holds (https://www.sqlite.org/fileformat.html,
// section 4.1: a header padded to the sector size, then records of a page
// number, the page and a checksum).
func garbleJournaledPages(t *testing.T, path string) {
	t.Helper()
	j, err := os.ReadFile(path + "-journal")
	if err != nil {
		t.Fatal(err)
	}
	if len(j) < 28 {
		t.Fatalf("journal of %d bytes: no transaction spilled", len(j))
	}
	sector := int(binary.BigEndian.Uint32(j[20:]))
	pageSize := int(binary.BigEndian.Uint32(j[24:]))
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	garbage := make([]byte, pageSize)
	for i := range garbage {
		garbage[i] = 0xA5
	}
	n := 0
	for off := sector; off+4+pageSize+4 <= len(j); off += 4 + pageSize + 4 {
		pg := int64(binary.BigEndian.Uint32(j[off:]))
		if pg == 0 {
			break
		}
		if _, err := f.WriteAt(garbage, (pg-1)*int64(pageSize)); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n == 0 {
		t.Fatal("the journal holds no page")
	}
	t.Logf("garbled %d journaled pages (page size %d, sector %d)", n, pageSize, sector)
}

// A database with a hot journal is what SQLite makes of it once the journal
// is rolled back: the checks see that, not the half-written file.
func TestHotJournalIsRolledBackForTheCheck(t *testing.T) {
	ctx := context.Background()
	path := mustHotJournal(t)
	if err := store.CheckFile(ctx, path, false); err != nil {
		t.Fatalf("CheckFile of a database with a hot journal: %v", err)
	}
	if _, err := os.Stat(path + "-journal"); err != nil {
		t.Fatalf("the check touched the journal: %v", err)
	}
	db := MustOpenDBAt(t, path, func(o *store.Options) { o.PreRunBackup = true })
	got, err := db.ListSessions(ctx, engine.SessionQuery{Limit: 10})
	if err != nil || len(got) != 1 {
		t.Fatalf("sessions after the rollback: %d, %v; want 1", len(got), err)
	}
	bak, err := db.Backup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	MustClose(t, db)
	if err := store.CheckFile(ctx, bak, true); err != nil {
		t.Fatalf("the pre-run backup: %v", err)
	}
}

// A reader (neo sessions, history, report) of a database with a hot journal
// changes nothing (a checker may be copying the file without the lock) and
// says what to do; a writable open (neo backfill) rolls the journal back,
// after which readers see the database.
func TestReaderOfAHotJournalIsToldWhatToDo(t *testing.T) {
	ctx := context.Background()
	path := mustHotJournal(t)
	before := hashFile(t, path)
	_, err := store.Open(ctx, store.Options{Path: path, ReadOnly: true})
	if err == nil || !strings.Contains(err.Error(), "hot journal") || !strings.Contains(err.Error(), "neo backfill") {
		t.Fatalf("read-only open of a database with a hot journal: %v; want the hot journal named and neo backfill offered", err)
	}
	if hashFile(t, path) != before {
		t.Fatal("the reader changed the database")
	}
	if _, err := os.Stat(path + "-journal"); err != nil {
		t.Fatalf("the reader touched the journal: %v", err)
	}

	MustClose(t, MustOpenDBAt(t, path, nil)) // what neo backfill does first
	db, err := store.Open(ctx, store.Options{Path: path, ReadOnly: true})
	if err != nil {
		t.Fatalf("read-only open after the rollback: %v", err)
	}
	got, err := db.ListSessions(ctx, engine.SessionQuery{Limit: 10})
	MustClose(t, db)
	if err != nil || len(got) != 1 {
		t.Fatalf("sessions: %d, %v; want 1", len(got), err)
	}
}

// Restore moves a hot journal aside with its database: left beside the
// restored backup, it would be rolled into it at the next open.
func TestRestoreMovesTheJournalAside(t *testing.T) {
	ctx := context.Background()
	path := mustHotJournal(t)
	// A good backup beside it.
	_, bak := MustGoodDB(t, t.TempDir())
	dst := path + ".bak.20260101T000000Z"
	copyTo(t, bak, dst)
	res, err := store.Restore(ctx, path, dst, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-journal"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the old database's journal is still beside the restored one (err %v); moved aside: %v", err, res.MovedAside)
	}
	found := false
	for _, m := range res.MovedAside {
		found = found || strings.HasSuffix(m, "-journal")
	}
	if !found {
		t.Fatalf("moved aside %v: no -journal", res.MovedAside)
	}
	if err := store.CheckFile(ctx, path, true); err != nil {
		t.Fatalf("the restored database: %v", err)
	}
	db := MustOpenDBAt(t, path, nil)
	if err := db.Check(ctx, true); err != nil {
		t.Fatalf("the restored database after its first open: %v", err)
	}
	MustClose(t, db)
}
