package store_test

import (
	"fmt"
	"testing"

	"neo/engine"
	"neo/store"
)

// TestErrorCodes holds each store error to its domain code (cmd/neo maps
// the code to the exit code) and to its message, which must not change.
func TestErrorCodes(t *testing.T) {
	for _, tc := range []struct {
		err  error
		code string
		msg  string
	}{
		{&store.IntegrityError{Path: "/d/neo.db", Detail: "page 3"}, engine.EINTEGRITY,
			"database /d/neo.db failed its integrity check (page 3); nothing was written. Restore the last good backup with: neo restore --db /d/neo.db"},
		{&store.BadBackupError{DBPath: "/d/neo.db", Backup: "/d/b.db", Detail: "bad"}, engine.EINTEGRITY,
			"backup /d/b.db failed its integrity check (bad); nothing was changed. Pick another backup: neo restore --db /d/neo.db BACKUP (the newest good one is used when BACKUP is omitted)"},
		{&store.PathError{Path: "/d", Msg: "is a directory", IsDir: true}, engine.EINVALID, "database /d is a directory"},
		{&store.PathError{Path: "/d/x.db", Msg: "does not exist", NotExist: true}, engine.EPATH, "database /d/x.db does not exist"},
		{&store.ForeignError{Path: "/d/x.db", What: "a photo library"}, engine.EFOREIGN,
			"database /d/x.db is not a neo database: it seems to be a photo library; neo left it unchanged. Pass --db with another path (or move this file away)"},
		{&store.LockedError{Path: "/d/neo.db", PID: 42}, engine.ECONFLICT,
			"database /d/neo.db is in use by another neo process (pid 42); end that session first, or pass --db to use another database"},
		{store.ErrLocked, engine.ECONFLICT, "database is in use by another neo process"},
		{fmt.Errorf("close: %w", store.ErrCheckpointIncomplete), engine.EINCOMPLETE,
			"close: another process has the database open, so its write-ahead log could not be emptied"},
		{store.ErrDiskFull, engine.EINTERNAL, "database or disk is full (SQLITE_FULL)"},
	} {
		if got := engine.ErrorCode(fmt.Errorf("op: %w", tc.err)); got != tc.code {
			t.Errorf("%T %v: code %q, want %q", tc.err, tc.err, got, tc.code)
		}
		if got := tc.err.Error(); got != tc.msg {
			t.Errorf("%T: message changed:\n got %q\nwant %q", tc.err, got, tc.msg)
		}
	}
}

// TestCheckNotLocked: nil for a database nobody holds, a *LockedError with
// code ECONFLICT naming the holder while a writer has it open.
func TestCheckNotLocked(t *testing.T) {
	path := t.TempDir() + "/neo.db"
	if err := store.CheckNotLocked(path); err != nil {
		t.Fatalf("free database: %v", err)
	}
	db, err := store.Open(t.Context(), store.Options{Path: path, Lock: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(t.Context())
	err = store.CheckNotLocked(path)
	if engine.ErrorCode(err) != engine.ECONFLICT {
		t.Fatalf("held database: %v (code %q), want a conflict", err, engine.ErrorCode(err))
	}
}
