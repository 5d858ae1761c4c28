package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// A database in WAL mode can be read in place only by a process that can
// open its -shm (the WAL index) or create it: SQLite's "Read-Only Databases"
// (https://www.sqlite.org/wal.html, section 5) need the -shm and -wal to
// exist already, or write permission on the directory, or the immutable
// flag. A reader whose user may read neo.db but not write its directory
// (another user's database) meets SQLITE_READONLY_DIRECTORY or
// SQLITE_CANTOPEN. immutable=1 would read the file without any lock: wrong
// and unsafe as soon as the owner's session writes or checkpoints it, which
// may start at any moment. So such a reader reads a private snapshot: the
// database and its -wal copied to a directory of its own (the system's
// temporary directory), with the files' sizes and modification times
// compared before and after the copy (a change, such as a checkpoint landing
// meanwhile, discards it and copies again), the -wal folded in. The copy is
// what the database held at that moment; it is deleted when the DB closes.

// snapshotTries is how many times a copy that changed under us is retried.
const snapshotTries = 3

// cannotShareWAL reports whether a read-only open of the database at path
// failed (err, the driver's error) only because this process may not open
// or create the -shm beside it, so that a private snapshot can be read
// instead: a read-only or cannot-open error, no hot journal (that message
// says what to do: describeOpenError), and a database file we can read.
func cannotShareWAL(path string, err error) bool {
	if isHotJournalReadOnly(err) || !(isReadOnlyErr(err) || isCantOpen(err)) || hotJournal(path) {
		return false
	}
	f, oerr := os.Open(path)
	if oerr != nil {
		return false
	}
	f.Close()
	return true
}

// openSnapshot opens the read pool on a private snapshot of the database
// (see above); cause is why it cannot be read in place.
func (db *DB) openSnapshot(ctx context.Context, cause error) error {
	dir, cp, err := takeSnapshot(ctx, db.path)
	if err != nil {
		return &PathError{Path: db.path, Msg: fmt.Sprintf("cannot be read in place (%v): SQLite needs to open %s-shm beside a database in WAL mode, or create it in %s, and you may not; "+
			"a private copy to read could not be made either (%v). Ask the owner (ls -l %s*) to make the directory writable for you, or to copy %s and its -wal somewhere you can read them and pass --db with the copy",
			cause, db.path, filepath.Dir(db.path), err, db.path, db.path)}
	}
	r, err := openReadPool(cp)
	if err != nil {
		os.RemoveAll(dir)
		return fmt.Errorf("read a private copy of %s: %w", db.path, err)
	}
	db.r, db.snapshot = r, dir
	return nil
}

// takeSnapshot copies the database at path and its -wal into a new private
// directory and folds the log into the copy. It returns the directory (the
// caller deletes it) and the copy's path.
func takeSnapshot(ctx context.Context, path string) (dir, cp string, err error) {
	for try := 1; ; try++ {
		dir, err = os.MkdirTemp("", ".neo-read-")
		if err != nil {
			return "", "", err
		}
		cp = filepath.Join(dir, filepath.Base(path))
		_, err = copySettled(ctx, path, cp, snapshotDuringCopy)
		if err == nil {
			return dir, cp, nil
		}
		os.RemoveAll(dir)
		if !errors.Is(err, errChanged) || try == snapshotTries || ctx.Err() != nil {
			return "", "", err
		}
	}
}

// snapshotDuringCopy lets the package's tests write to the database while
// it is copied; nil in production.
var snapshotDuringCopy func(path string)

// openReadPoolOrSnapshot opens the read pool on the database, or on a
// private snapshot of it when this process cannot share its WAL index
// (cannotShareWAL).
func (db *DB) openReadPoolOrSnapshot(ctx context.Context) error {
	r, err := openReadPoolRaw(db.path)
	if err == nil {
		db.r = r
		return nil
	}
	if cannotShareWAL(db.path, err) {
		return db.openSnapshot(ctx, err)
	}
	return describeOpenError(db.path, err)
}

// readPath is the file the read-only connections of db read: the database,
// or its private snapshot.
func (db *DB) readPath() string {
	if db.snapshot != "" {
		return filepath.Join(db.snapshot, filepath.Base(db.path))
	}
	return db.path
}

// dropSnapshot deletes the private snapshot, if any.
func (db *DB) dropSnapshot() {
	if db.snapshot != "" {
		os.RemoveAll(db.snapshot)
		db.snapshot = ""
	}
}

// openReadPoolRaw is openReadPool returning the driver's error as is.
func openReadPoolRaw(path string) (*sql.DB, error) {
	r, err := sql.Open("sqlite", dsn(path, "mode=ro",
		fmt.Sprintf("_pragma=busy_timeout(%d)", writerBusyTimeout),
		"_pragma=query_only(1)",
	))
	if err != nil {
		return nil, fmt.Errorf("open read pool %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	// A read, not only a connection: the first read opens the WAL index,
	// where a database in WAL mode that we cannot share fails.
	var v int64
	if err := r.QueryRow("PRAGMA schema_version").Scan(&v); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}
