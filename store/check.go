package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
)

// IntegrityError means a database failed PRAGMA quick_check or
// integrity_check (or is not an SQLite database at all). Nothing was written.
type IntegrityError struct {
	Path   string
	Detail string
}

// Error names the damage and the exact restore command.
func (e *IntegrityError) Error() string {
	return fmt.Sprintf("database %s failed its integrity check (%s); nothing was written. Restore the last good backup with: neo restore --db %s",
		e.Path, oneLine(e.Detail), e.Path)
}

// RestoreCommand is the command that restores the newest good backup.
func (e *IntegrityError) RestoreCommand() string { return "neo restore --db " + e.Path }

// Check runs quick_check (or integrity_check when full) on the open
// database through the read pool. It returns *IntegrityError unless the
// answer is exactly one row "ok".
func (db *DB) Check(ctx context.Context, full bool) error {
	conn, err := db.r.Conn(ctx)
	if err != nil {
		return fmt.Errorf("check %s: %w", db.path, err)
	}
	defer conn.Close()
	return runCheck(ctx, conn, db.path, full)
}

// CheckFile checks the database at path without ever modifying it or its
// -wal and -shm files. Use it before Open, for `neo check` and on backups.
func CheckFile(ctx context.Context, path string, full bool) error {
	held, _, _ := LockHolder(path)
	return notSQLite(path, checkFile(ctx, path, full, !held))
}

// notSQLite turns the *IntegrityError of a database file that does not
// begin with SQLite's header ("SQLite format 3\0",
// https://www.sqlite.org/fileformat.html, section 1.3) into a
// *ForeignError when no neo backup lies beside it: --db names some other
// file (a text file, another program's data), and sending the user to
// restore a backup that does not exist cannot help. With backups beside it,
// it is a neo database whose first bytes were overwritten: damage, with the
// restore advice. Any other error is returned as is.
func notSQLite(path string, err error) error {
	var ie *IntegrityError
	if !errors.As(err, &ie) {
		return err
	}
	hdr := make([]byte, len(sqliteMagic))
	f, oerr := os.Open(path)
	if oerr != nil {
		return err
	}
	n, _ := io.ReadFull(f, hdr)
	f.Close()
	if n == 0 || bytes.Equal(hdr[:n], sqliteMagic[:n]) {
		return err // empty, or SQLite's header (whole or cut short)
	}
	if backups, lerr := ListBackups(path); lerr != nil || len(backups) > 0 {
		return &IntegrityError{Path: ie.Path, Detail: ie.Detail + "; it does not begin with SQLite's header, so its first bytes were overwritten"}
	}
	return &ForeignError{Path: path, What: "a file of another kind, not an SQLite database (it does not begin with SQLite's header \"SQLite format 3\", and no neo backup " +
		filepath.Base(path) + ".bak.* lies beside it, so it is not a neo database with a damaged header)"}
}

// checkFile checks path. quiet says no other process has the database open
// for writing (we hold the lock or nobody does); then the file is read
// without touching it: directly when there is no write-ahead log, else from a
// private copy of the file and its log. A live database is read through an
// ordinary read-only connection, which sees a consistent snapshot.
func checkFile(ctx context.Context, path string, full, quiet bool) error {
	fi, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return &PathError{Path: path, Msg: "does not exist; pass --db with the right path", NotExist: true}
		}
		return &PathError{Path: path, Msg: fmt.Sprintf("cannot be read (%v)", unwrapPathErr(err))}
	}
	if fi.IsDir() {
		return &PathError{Path: path, Msg: "is a directory, not a database file; pass --db with a file path", IsDir: true}
	}
	if !quiet {
		return checkURI(ctx, path, dsn(path, "mode=ro", "_pragma=busy_timeout(5000)"), full)
	}
	if hasFrames(path+"-wal") || hotJournal(path) {
		return checkCopy(ctx, path, full)
	}
	// immutable: no locks, no -shm, no -wal, no journal; the file is only
	// read. Never with a rollback journal beside it: immutable reads the
	// file as it stands, without rolling back the transaction the journal
	// undoes, and a killed writer's half-written pages look like damage.
	return checkURI(ctx, path, dsn(path, "mode=ro", "immutable=1"), full)
}

// hasFrames reports whether the file at p exists and is not empty (a -wal
// with frames in it, or a journal with a transaction to roll back).
func hasFrames(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Size() > 0
}

// hotJournal reports whether a rollback journal that is not empty lies
// beside the database at path: a transaction killed half-way, which the
// next read-write connection rolls back before it reads anything.
func hotJournal(path string) bool { return hasFrames(path + "-journal") }

// checkCopy copies the database and its log or rollback journal to a
// private directory and checks the copy through a read-write connection, so
// that opening it (which replays the log or rolls the journal back) changes
// nothing beside the original.
func checkCopy(ctx context.Context, path string, full bool) error {
	return withPrivateCopy(path, func(cp string) error {
		return checkURI(ctx, path, dsn(cp, "_pragma=busy_timeout(5000)"), full)
	})
}

// withPrivateCopy copies the database at path with its -wal and -journal to
// a private directory, calls fn with the copy's path and deletes the copy.
func withPrivateCopy(path string, fn func(cp string) error) error {
	// Beside the database first (same disk, usually room), else the
	// system's temporary directory.
	var errs []error
	for _, parent := range []string{filepath.Dir(path), ""} {
		tmp, err := os.MkdirTemp(parent, ".neo-check-")
		if err != nil {
			errs = append(errs, err)
			continue
		}
		cp := filepath.Join(tmp, "neo.db")
		err = copyFile(path, cp)
		for _, s := range []string{"-wal", "-journal"} {
			if err == nil {
				err = copyFile(path+s, cp+s)
			}
		}
		if err != nil {
			os.RemoveAll(tmp)
			errs = append(errs, err)
			continue
		}
		err = fn(cp)
		os.RemoveAll(tmp)
		return err
	}
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	if last := errs[len(errs)-1]; errors.Is(last, os.ErrPermission) {
		// The copy to the temporary directory failed on a file we may not
		// read (another user's -wal): space is not the problem.
		return fmt.Errorf("check %s: could not copy it and its -wal or -journal to check them without changing them (%s); you may not read them: ask the owner (ls -l %s*) to run the check, or to make them readable", path, strings.Join(msgs, "; "), path)
	}
	return fmt.Errorf("check %s: could not copy it and its -wal or -journal to check them without changing them (%s); free some space and retry", path, strings.Join(msgs, "; "))
}

func checkURI(ctx context.Context, path, uri string, full bool) error {
	d, err := sql.Open("sqlite", uri)
	if err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	defer d.Close()
	d.SetMaxOpenConns(1)
	conn, err := d.Conn(ctx)
	if err != nil {
		if isCorrupt(err) {
			return &IntegrityError{Path: path, Detail: err.Error()}
		}
		return fmt.Errorf("check %s: %w", path, err)
	}
	defer conn.Close()
	return runCheck(ctx, conn, path, full)
}

// maxCheckRows bounds how many problems a check collects.
const maxCheckRows = 20

func runCheck(ctx context.Context, conn *sql.Conn, path string, full bool) error {
	q := fmt.Sprintf("PRAGMA quick_check(%d)", maxCheckRows)
	if full {
		q = fmt.Sprintf("PRAGMA integrity_check(%d)", maxCheckRows)
	}
	got, err := queryStrings(ctx, conn, q)
	if err != nil {
		return checkErr(path, err)
	}
	if len(got) == 1 && got[0] == "ok" {
		return nil
	}
	if len(got) == 0 {
		return &IntegrityError{Path: path, Detail: "the check returned no rows"}
	}
	return &IntegrityError{Path: path, Detail: strings.Join(got, "; ")}
}

func checkErr(path string, err error) error {
	if isCorrupt(err) {
		return &IntegrityError{Path: path, Detail: err.Error()}
	}
	return fmt.Errorf("check %s: %w", path, err)
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// copyFileCtx is copyFile that fsyncs dst and stops (removing dst) when
// ctx is done: for a restore.
func copyFileCtx(ctx context.Context, src, dst string) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			out.Close()
			os.Remove(dst)
		}
	}()
	buf := make([]byte, 1<<20)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, rerr := in.Read(buf)
		if n > 0 {
			if _, err := out.Write(buf[:n]); err != nil {
				return err
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return rerr
		}
	}
	if err := out.Sync(); err != nil {
		return err
	}
	return out.Close()
}

// DatabaseSize returns the bytes the database at path occupies with its
// write-ahead log (the file alone understates a live database).
func DatabaseSize(path string) int64 {
	var n int64
	for _, s := range []string{"", "-wal"} {
		if fi, err := os.Stat(path + s); err == nil && fi.Mode().IsRegular() {
			n += fi.Size()
		}
	}
	return n
}

// copyFile copies src to dst (created 0600, must not exist), for a private
// copy: not fsynced. A missing src is not an error when dst is a -wal, -shm
// or -journal.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) && (strings.HasSuffix(src, "-wal") || strings.HasSuffix(src, "-shm") || strings.HasSuffix(src, "-journal")) {
			return nil
		}
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// mmapSize is the mapping a check of a private copy asks for: all of it up
// to SQLite's default cap (0x7fff0000), so that pages are read in place
// rather than copied out of the page cache one read(2) at a time (a quarter
// less time for quick_check on a big file).
const mmapSize = 0x7fff0000

// checkMapped runs quick_check on tmp, a private copy of the database at
// path that nobody else writes, reading it memory-mapped. An I/O error on a
// mapped page is a fault (SIGBUS), not an error code: it is turned into an
// error here, and the handles of the check are left open rather than closed
// under SQLite code that stopped half-way (the copy is deleted and the
// process moves on to the unmapped check of the original).
func checkMapped(ctx context.Context, path, tmp string) (err error) {
	d, err := sql.Open("sqlite", dsn(tmp, "mode=ro", "immutable=1", fmt.Sprintf("_pragma=mmap_size(%d)", mmapSize)))
	if err != nil {
		return fmt.Errorf("check %s: %w", tmp, err)
	}
	d.SetMaxOpenConns(1)
	conn, err := d.Conn(ctx)
	if err != nil {
		d.Close()
		if isCorrupt(err) {
			return &IntegrityError{Path: path, Detail: err.Error()}
		}
		return fmt.Errorf("check %s: %w", tmp, err)
	}
	faulted := true
	old := debug.SetPanicOnFault(true)
	defer func() {
		debug.SetPanicOnFault(old)
		if !faulted {
			return
		}
		// A fault on a mapped page panics with a runtime.Error that has
		// the faulting address (debug.SetPanicOnFault); anything else is
		// not ours to swallow.
		r := recover()
		if _, ok := r.(interface{ Addr() uintptr }); !ok {
			panic(r)
		}
		err = fmt.Errorf("check %s: reading it faulted (%v): an I/O error of the disk, or the file was cut short", tmp, r)
	}()
	err = runCheck(ctx, conn, path, false)
	faulted = false
	conn.Close()
	d.Close()
	return err
}
