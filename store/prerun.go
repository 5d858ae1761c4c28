package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// The pre-run backup of `neo run` (Options.PreRunBackup) is a copy of the
// database file taken inside Open, under the instance lock, before this
// process has opened a connection to the database and so before anything is
// written: the copy holds exactly what the database held when the run began,
// and no byte of the new session (Backup puts it in place before the engine
// writes the session row).
//
// Why a file copy is consistent here: the instance lock keeps every other
// neo writer out, and no connection of ours is open yet, so nothing can
// change the database file or its write-ahead log while we copy them. What
// may have them open is lock-free readers (neo history, sessions, check,
// backup), and readers never write either file (they are read-only
// connections: they can neither append to the log nor checkpoint it). As a
// defence against a program that ignores the lock, the files' sizes and
// modification times are compared before and after the copy; a change
// discards the copy and falls back to the online backup. The original is
// never checkpointed nor otherwise written before its check (a damaged
// database must stay byte-for-byte as it was), which is also why no reader's
// snapshot can hold the copy up: a write-ahead log with frames in it is
// copied too and folded into the copy, not into the original.
//
// Why one check serves twice: the copy is byte-identical to the database file
// (and its log, when there is one) as they stand, so PRAGMA quick_check of
// the copy reads the same b-trees as the startup check of the original would,
// and its "ok" is both that check and the backup's verification. When the
// copy fails the check, the original is checked directly before it is
// declared damaged (a copy spoilt by a failing disk must not send the user to
// restore): damaged means *IntegrityError as before (exit 3 with the restore
// command), the copy discarded; sound means the copy alone was bad, and the
// start goes on with the online backup (VACUUM INTO), which has its own check.

// preRunSuffix names the pre-run copy between Open and Backup
// (neo.db.bak.pending.locked.tmp): only an instance-lock holder writes it, so
// the next one deletes it as the leftover of a killed start, and a
// lock-free process spares it while it is recent (removeLeftovers).
const preRunSuffix = ".bak.pending" + lockedTmpSuffix

// preRunCopy is the verified pre-run copy waiting for Backup.
type preRunCopy struct {
	tmp    string // its temporary name; "" when there is none
	method string // how it was made: "reflink" or "copy", "+wal" when a log was folded in
}

// startTimes are the parts of Open that a start pays, for the log line
// "database opened" (make bench reports them).
type startTimes struct {
	copy    time.Duration // the pre-run copy: copy, log folded in, header, fsync
	check   time.Duration // quick_check (of the copy when there is one)
	migrate time.Duration // migrations (0 when none were due)
}

// sqliteMagic opens every SQLite database file.
var sqliteMagic = []byte("SQLite format 3\x00")

// preRunFaults lets the package's own tests write to the database while it
// is copied, or spoil the copy before its check; nil in production.
var preRunFaults struct {
	duringCopy func(path string) // after the copy, before the files' states are compared
	afterCopy  func(tmp string)
}

// takePreRunCopy makes the pre-run copy of the database and checks it (see
// above). checked reports whether the database's startup check is done (by
// the copy's check, or by the original's after a bad copy). err is the
// check's failure (*IntegrityError) or an interrupt. A copy that cannot be
// made (no space, a file that changed) is logged and yields checked=false,
// err=nil: the caller checks the original as before and Backup falls back to
// the online backup, which reports a lasting problem such as a full disk.
func (db *DB) takePreRunCopy(ctx context.Context) (checked bool, err error) {
	tmp := db.path + preRunSuffix
	removeWithJournals(tmp)
	if !db.preRunApplies() {
		return false, nil
	}
	t0 := time.Now()
	method, err := db.copyForPreRun(ctx, tmp)
	if err != nil {
		removeWithJournals(tmp)
		if ctx.Err() != nil {
			return false, fmt.Errorf("pre-run backup of %s: %w; nothing was written", db.path, ctx.Err())
		}
		db.logger.Warn("could not copy the database for the pre-run backup; checking it in place and backing it up online instead", "db", db.path, "err", err)
		return false, nil
	}
	if h := preRunFaults.afterCopy; h != nil {
		h(tmp)
	}
	// The copy's fsync (disk-bound) overlaps its check (CPU-bound).
	synced := make(chan error, 1)
	go func() { synced <- syncFile(tmp) }()
	t1 := time.Now()
	cerr := checkMapped(ctx, db.path, tmp)
	db.times.check = time.Since(t1)
	serr := <-synced
	db.times.copy = time.Since(t0) - db.times.check

	var ie *IntegrityError
	switch {
	case errors.As(cerr, &ie):
		removeWithJournals(tmp)
		t2 := time.Now()
		oerr := checkFile(ctx, db.path, false, true)
		db.times.check += time.Since(t2)
		if oerr != nil {
			return false, oerr // damaged, or interrupted: nothing was written
		}
		db.logger.Error("the copy of the database failed its check although the database passes it: the disk may be failing; backing up online instead (check the disk)", "db", db.path, "copy_check", ie.Detail)
		return true, nil
	case cerr != nil:
		removeWithJournals(tmp)
		if ctx.Err() != nil {
			return false, fmt.Errorf("pre-run backup of %s: %w; nothing was written", db.path, ctx.Err())
		}
		db.logger.Warn("could not check the copy of the database; checking it in place and backing it up online instead", "db", db.path, "err", cerr)
		return false, nil
	case serr != nil:
		// Checked, but not durable: the database passed its check; the
		// online backup will report the disk's problem if it lasts.
		removeWithJournals(tmp)
		db.logger.Warn("could not fsync the copy of the database; backing it up online instead", "db", db.path, "err", serr)
		return true, nil
	}
	db.mu.Lock()
	db.preRun = preRunCopy{tmp: tmp, method: method}
	db.mu.Unlock()
	return true, nil
}

// preRunApplies reports whether the database can be copied as a file: an
// SQLite file (anything else is left to the check and identify to name) with
// no rollback journal beside it (a hot journal is rolled back by the writer
// after the check, which checks a private copy rolled back the same way:
// check.go).
func (db *DB) preRunApplies() bool {
	if exists(db.path + "-journal") {
		return false
	}
	hdr := make([]byte, 100)
	err := withDatabaseFile(db.path, func(f *os.File) error {
		_, err := f.ReadAt(hdr, 0)
		return err
	})
	// Empty or shorter than a header: a new database, created after the
	// check, whose backup is the online one.
	return err == nil && bytes.HasPrefix(hdr, sqliteMagic)
}

// copyDatabaseFile copies the database file at src to dst (created 0600,
// must not exist): a reflink where the filesystem offers one, else io.Copy
// between two *os.File, which Go does with copy_file_range(2) on Linux (in
// the kernel, no round trip through user space).
func copyDatabaseFile(src, dst string) (method string, err error) {
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", err
	}
	defer func() {
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}()
	err = withDatabaseFile(src, func(in *os.File) error {
		if reflink(out, in) == nil {
			method = "reflink"
			return nil
		}
		method = "copy"
		if _, err := in.Seek(0, io.SeekStart); err != nil {
			return err
		}
		_, err := io.Copy(out, in)
		return err
	})
	return method, err
}

// fileState is what says a file was not written while we copied it.
type fileState struct {
	size  int64
	mtime time.Time
	ok    bool
}

func stateOf(path string) fileState {
	fi, err := os.Stat(path)
	if err != nil {
		return fileState{}
	}
	return fileState{size: fi.Size(), mtime: fi.ModTime(), ok: true}
}

// copyForPreRun copies the database (and its write-ahead log when it holds
// frames) to tmp and leaves tmp a database in journal_mode DELETE.
func (db *DB) copyForPreRun(ctx context.Context, tmp string) (string, error) {
	return copySettled(ctx, db.path, tmp, preRunFaults.duringCopy)
}

// errChanged: the database or its log changed while it was copied.
var errChanged = errors.New("the database changed during the copy")

// copySettled copies the database at src and its -wal (when it has
// frames) to dst, fails with errChanged when either changed meanwhile
// (during, a test hook, runs between the copy and that look), and leaves
// dst a database in journal_mode DELETE that reads with no -shm: the
// copied log folded in, or the header's WAL mark cleared (a file shorter
// than a header has none). It returns how the file was copied.
func copySettled(ctx context.Context, src, dst string, during func(path string)) (string, error) {
	dbBefore, walBefore := stateOf(src), stateOf(src+"-wal")
	method, err := copyDatabaseFile(src, dst)
	if err != nil {
		return "", err
	}
	withWAL := walBefore.ok && walBefore.size > 0
	if withWAL {
		if err := copyFile(src+"-wal", dst+"-wal"); err != nil {
			return "", err
		}
		method += "+wal"
	}
	if during != nil {
		during(src)
	}
	if stateOf(src) != dbBefore || stateOf(src+"-wal") != walBefore {
		return "", errChanged
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if withWAL {
		return method, foldWAL(ctx, dst)
	}
	if fi, err := os.Stat(dst); err != nil || fi.Size() < 100 {
		return method, err
	}
	return method, leaveWALMode(dst)
}

// foldWAL folds the copied write-ahead log into the copy and switches it to
// journal_mode DELETE, which checkpoints the whole log (nobody else has the
// copy open) and deletes it. Opening the copy is the same recovery of the
// log as opening the original would be. Any error fails the copy.
func foldWAL(ctx context.Context, tmp string) error {
	if err := switchToDelete(ctx, dsn(tmp)); err != nil {
		// Whatever failed (a log SQLite finds corrupt among others), the
		// copy may not hold what the log held: it must not stand in for
		// the original's check nor become the backup. The caller
		// discards it with its -wal and checks the original directly.
		return fmt.Errorf("fold the write-ahead log into the copy: %w", err)
	}
	os.Remove(tmp + "-wal")
	os.Remove(tmp + "-shm")
	return nil
}

// leaveWALMode marks the copy of a database whose write-ahead log is empty
// as a rollback-journal database, so that opening the backup leaves no -wal.
// Bytes 18 and 19 of the header (the file format write and read versions)
// are 2 for WAL and 1 for legacy (journal_mode DELETE)
// (https://www.sqlite.org/fileformat.html, section 1.3.3); they are what
// SQLite itself sets when it leaves WAL mode. We patch them rather than open
// the copy and run PRAGMA journal_mode = DELETE: the copy is ours and not
// yet visible, the patch writes two bytes where SQLite would open the copy
// read-write in WAL mode (creating a -wal and -shm beside it, more to clean
// up after a kill) and rewrite page 1 through a journal, and the check that
// follows reads the patched header.
func leaveWALMode(tmp string) error {
	f, err := os.OpenFile(tmp, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	v := make([]byte, 2)
	if _, err := f.ReadAt(v, 18); err != nil {
		f.Close()
		return err
	}
	if v[0] == 2 && v[1] == 2 {
		if _, err := f.WriteAt([]byte{1, 1}, 18); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}

// takePreRun hands the pending pre-run copy to its caller ("" when none).
func (db *DB) takePreRun() preRunCopy {
	db.mu.Lock()
	defer db.mu.Unlock()
	p := db.preRun
	db.preRun = preRunCopy{}
	return p
}

// dropPreRun deletes a pre-run copy that Backup never put in place (a start
// that failed after Open, or a caller that asked for the copy and never
// backed up).
func (db *DB) dropPreRun() {
	if p := db.takePreRun(); p.tmp != "" {
		removeWithJournals(p.tmp)
	}
}

// placePreRun puts the verified pre-run copy in place as dst: the fault hook,
// the link (publish), the directory's fsync. When dst is taken it returns
// errNameTaken and keeps the copy, handed back for Backup's next name; the
// copy is gone on any other failure.
func (db *DB) placePreRun(ctx context.Context, p preRunCopy, dst string) (err error) {
	op := "backup to " + dst
	defer func() {
		switch {
		case errors.Is(err, errNameTaken):
			db.mu.Lock()
			db.preRun = p
			db.mu.Unlock()
		case err != nil:
			removeWithJournals(p.tmp)
		}
	}()
	if h := db.faults.BeforeBackup; h != nil {
		if err := h(ctx, dst); err != nil {
			return &WriteError{Path: dst, Op: op, Err: err}
		}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w; nothing was written", op, err)
	}
	if err := publish(p.tmp, dst); err != nil { // errNameTaken when dst exists
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := syncDir(filepath.Dir(db.path)); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	db.logger.Info("backup written", "db", db.path, "backup", dst, "method", p.method)
	return nil
}
