package store

import (
	"errors"
	"fmt"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"neo/engine"
)

// The codes of the store's errors (engine/error.go), in one place: cmd/neo
// maps a code to an exit code and needs none of these types. The sentinels
// ErrLocked and ErrCheckpointIncomplete are *engine.Error values with
// ECONFLICT and EINCOMPLETE.

// ErrorCode is engine.EINTEGRITY: the command layer exits 3.
func (e *IntegrityError) ErrorCode() string { return engine.EINTEGRITY }

// ErrorCode is engine.EINTEGRITY: a backup that fails its check is damage
// too (exit 3).
func (e *BadBackupError) ErrorCode() string { return engine.EINTEGRITY }

// ErrorCode is engine.EFOREIGN: --db names another program's file (exit 2).
func (e *ForeignError) ErrorCode() string { return engine.EFOREIGN }

// ErrorCode is engine.ECONFLICT: another neo process holds the database
// (exit 4).
func (e *LockedError) ErrorCode() string { return engine.ECONFLICT }

// ErrorCode is engine.EINVALID for a directory (--db names the wrong thing:
// exit 2) and engine.EPATH for every other unusable path (exit 1).
func (e *PathError) ErrorCode() string {
	if e.IsDir {
		return engine.EINVALID
	}
	return engine.EPATH
}

// sqliteCode returns the primary SQLite result code in err, or 0.
func sqliteCode(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() & 0xff
	}
	return 0
}

func isCorrupt(err error) bool {
	c := sqliteCode(err)
	return c == sqlite3.SQLITE_CORRUPT || c == sqlite3.SQLITE_NOTADB
}

func isFull(err error) bool {
	return errors.Is(err, ErrDiskFull) || sqliteCode(err) == sqlite3.SQLITE_FULL
}

func isReadOnlyErr(err error) bool { return sqliteCode(err) == sqlite3.SQLITE_READONLY }

// isHotJournalReadOnly reports SQLITE_READONLY_ROLLBACK: the database has a
// hot journal that must be rolled back before it can be read, and this
// process may not write it (https://www.sqlite.org/rescode.html#readonly_rollback).
func isHotJournalReadOnly(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == sqlite3.SQLITE_READONLY_ROLLBACK
}

func isCantOpen(err error) bool { return sqliteCode(err) == sqlite3.SQLITE_CANTOPEN }

func isBusy(err error) bool {
	c := sqliteCode(err)
	return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
}

// WriteError is a write that did not commit. Its message says what to do.
type WriteError struct {
	Path string // the database
	Op   string // what was being written
	Err  error
}

// Error says what failed to commit and what to do.
func (e *WriteError) Error() string {
	switch {
	case isFull(e.Err):
		return fmt.Sprintf("%s: disk full writing %s (%v); free space on that disk and retry (this write was not saved, earlier ones are safe)", e.Op, e.Path, e.Err)
	case isReadOnlyErr(e.Err):
		return fmt.Sprintf("%s: %s is read-only (%v); make the file and its directory writable and retry", e.Op, e.Path, e.Err)
	case isBusy(e.Err):
		return fmt.Sprintf("%s: %s is busy (%v); another program holds a write lock on it", e.Op, e.Path, e.Err)
	}
	return fmt.Sprintf("%s: write to %s failed: %v", e.Op, e.Path, e.Err)
}

// Unwrap returns the driver error.
func (e *WriteError) Unwrap() error { return e.Err }

// IsDiskFull reports whether err is (or wraps) SQLITE_FULL.
func IsDiskFull(err error) bool { return isFull(err) }
