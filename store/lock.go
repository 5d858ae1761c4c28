package store

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gofrs/flock"

	"neo/engine"
)

// ErrLocked means another process holds the instance lock of the database.
// Open and Restore wrap it with a *LockedError naming the path and holder.
// Its code is engine.ECONFLICT.
var ErrLocked error = engine.Errorf(engine.ECONFLICT, "database is in use by another neo process")

// LockedError says who holds the instance lock.
type LockedError struct {
	Path string // the database
	PID  int    // the holder's pid, 0 if unknown
}

// Error names the database and the holder.
func (e *LockedError) Error() string {
	who := "another neo process"
	if e.PID > 0 {
		who = fmt.Sprintf("another neo process (pid %d)", e.PID)
	}
	return fmt.Sprintf("database %s is in use by %s; end that session first, or pass --db to use another database", e.Path, who)
}

// Is makes errors.Is(err, ErrLocked) true.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// CheckNotLocked returns a *LockedError naming the holder when another
// process holds the instance lock of dbPath, and nil otherwise (a probe
// that fails counts as not held: the command that follows takes the lock
// or reports why it cannot). It takes no lock.
func CheckNotLocked(dbPath string) error {
	if held, pid, _ := LockHolder(dbPath); held {
		return &LockedError{Path: dbPath, PID: pid}
	}
	return nil
}

// instanceLock is what run, restore and backfill hold while they write. It
// has two parts, because a lock on a path string can be walked around:
//
//   - the lock file <db>.lock beside the database's canonical path (symlinks
//     resolved), which holds the owner's pid for the error message of others
//     and is the whole lock where the second part is unavailable;
//   - where the platform allows it (Linux), a BSD flock(2) on the database
//     file itself: one inode, one lock, whatever name reaches it (a hard
//     link, another spelling), and deleting or replacing the lock file does
//     not let a second writer in.
type instanceLock struct {
	f     *flock.Flock // the lock file
	pidfh *os.File     // a second handle on the lock file, for our pid
	path  string
	inode *inodeLock // nil where the platform has none, or no file yet
}

// LockPath returns the path of the instance lock file of the database at
// dbPath (the path as given; the lock itself is taken beside the database's
// canonical path).
func LockPath(dbPath string) string { return dbPath + ".lock" }

// canonicalPath returns the absolute path of the database with every
// symlink resolved, so that one file has one lock file and restore replaces
// the real file behind a symlink, not the symlink. For a database that does
// not exist yet, the directory is resolved.
func canonicalPath(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	// Resolve the path as the system will open it: "x/.." is the parent of
	// x's target when x is a symlink, which cleaning the string first (as
	// filepath.Abs does) would get wrong.
	raw := p
	if !filepath.IsAbs(raw) {
		wd, err := os.Getwd()
		if err != nil {
			return "", err
		}
		raw = wd + string(filepath.Separator) + raw
	}
	if r, err := filepath.EvalSymlinks(raw); err == nil {
		return r, nil
	}
	// A file yet to be created: resolve its directory, unclean too.
	if i := strings.LastIndexAny(raw, `/`+string(filepath.Separator)); i > 0 {
		if base := raw[i+1:]; base != "" && base != "." && base != ".." {
			if d, err := filepath.EvalSymlinks(raw[:i]); err == nil {
				return filepath.Join(d, base), nil
			}
		}
	}
	return abs, nil
}

// acquireLock takes the instance lock of the database at dbPath, which must
// be canonical. create makes the database file (0600) if missing, under the
// lock file's lock, so that the inode lock can be taken at once.
func acquireLock(dbPath string, create bool) (*instanceLock, error) {
	// `neo check`, `neo history` and every read-only close probe the locks
	// for an instant and write no pid; a start that meets such a probe tries
	// again shortly. The pid the lock file names may then be a process long
	// gone (a killed session's): that is a probe too.
	var err error
	for try := 0; ; try++ {
		var l *instanceLock
		l, err = tryLock(dbPath, create)
		var le *LockedError
		if err == nil || !errors.As(err, &le) || (le.PID != 0 && pidAlive(le.PID)) || try == lockProbeRetries {
			return l, err
		}
		time.Sleep(lockProbePause)
	}
}

// A probe holds a lock for microseconds: this many tries, this far apart,
// outlast one.
const (
	lockProbeRetries = 5
	lockProbePause   = 20 * time.Millisecond
)

func tryLock(dbPath string, create bool) (*instanceLock, error) {
	lp := LockPath(dbPath)
	if err := checkLockPath(dbPath, lp); err != nil {
		return nil, err
	}
	// No O_TRUNC, never through a symlink: the path may be something we did
	// not create.
	f := flock.New(lp, flock.SetFlag(os.O_CREATE|os.O_RDWR|noFollow), flock.SetPermissions(0o600))
	ok, err := f.TryLock()
	if err != nil {
		f.Close()
		if err := checkLockPath(dbPath, lp); err != nil {
			return nil, err // replaced by a symlink or a directory meanwhile
		}
		return nil, &PathError{Path: dbPath, Msg: fmt.Sprintf("cannot take its lock %s (%v); check that you may create and write files in %s", lp, unwrapPathErr(err), filepath.Dir(lp))}
	}
	if !ok {
		f.Close()
		pid := readLockPID(lp)
		if pid == 0 {
			_, pid = probeInode(dbPath)
		}
		return nil, &LockedError{Path: dbPath, PID: pid}
	}
	l := &instanceLock{f: f, path: lp}
	fail := func(err error) (*instanceLock, error) {
		l.release()
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		return fail(&PathError{Path: dbPath, Msg: fmt.Sprintf("cannot take its lock %s: %v", lp, unwrapPathErr(err))})
	}
	if !fi.Mode().IsRegular() || linkCount(fi) > 1 {
		return fail(foreignLockError(dbPath, lp, "is not a plain file of neo's own (a special file or a hard link to another file)"))
	}
	if create {
		if err := createFile(dbPath); err != nil {
			return fail(err)
		}
	}
	il, held, pid, err := lockInode(dbPath)
	if err != nil {
		return fail(err)
	}
	if held {
		return fail(&LockedError{Path: dbPath, PID: pid})
	}
	l.inode = il
	// Record our pid for whoever finds the lock taken: through a second
	// handle that must be the very file we locked (never a symlink's
	// target), written in place then cut to its length.
	if fh, err := os.OpenFile(lp, os.O_WRONLY|noFollow, 0); err == nil {
		if hi, err := fh.Stat(); err == nil && os.SameFile(hi, fi) {
			s := fmt.Sprintf("%d\n", os.Getpid())
			if _, err := fh.WriteAt([]byte(s), 0); err == nil {
				fh.Truncate(int64(len(s)))
			}
			l.pidfh = fh
		} else {
			fh.Close()
		}
	}
	return l, nil
}

// tryLockFileOnly takes the lock file's lock of the database at dbPath
// (canonical) without blocking, records no pid and leaves the database
// file's own lock alone: the short hold of a tidy-up by a read-only
// process, which a starting session waits out like a probe. ok is false
// when the lock is held or cannot be taken; release lets it go.
func tryLockFileOnly(dbPath string) (release func(), ok bool) {
	lp := LockPath(dbPath)
	if checkLockPath(dbPath, lp) != nil {
		return nil, false
	}
	f := flock.New(lp, flock.SetFlag(os.O_CREATE|os.O_RDWR|noFollow), flock.SetPermissions(0o600))
	ok, err := f.TryLock()
	if err != nil || !ok {
		f.Close()
		return nil, false
	}
	return func() {
		f.Unlock()
		f.Close()
	}, true
}

// checkLockPath refuses a lock path that neo must not open: a symlink (its
// target would be written), a directory or another special file.
func checkLockPath(dbPath, lp string) error {
	fi, err := os.Lstat(lp)
	if err != nil {
		return nil // missing (created next) or unreadable (the open says why)
	}
	switch {
	case fi.Mode()&os.ModeSymlink != 0:
		return foreignLockError(dbPath, lp, "is a symbolic link; neo never follows one there, so that its target is never written")
	case fi.IsDir():
		return foreignLockError(dbPath, lp, "is a directory, where neo keeps its lock file")
	case !fi.Mode().IsRegular():
		return foreignLockError(dbPath, lp, "is not a regular file")
	}
	return nil
}

func foreignLockError(dbPath, lp, what string) error {
	return &PathError{Path: dbPath, Msg: fmt.Sprintf("cannot be locked: its lock file %s %s; remove it (nothing of neo's is in it) and retry", lp, what)}
}

func (l *instanceLock) release() error {
	var first error
	if l.inode != nil {
		first = l.inode.release()
	}
	// Clear the pid so that a stale one is never reported, through the
	// handle we wrote it with (the path may have been replaced since).
	if l.pidfh != nil {
		l.pidfh.Truncate(0)
		l.pidfh.Close()
	}
	if err := l.f.Unlock(); err != nil && first == nil {
		first = fmt.Errorf("release lock %s: %w", l.path, err)
	}
	l.f.Close()
	return first
}

func readLockPID(lockPath string) int {
	f, err := os.OpenFile(lockPath, os.O_RDONLY|noFollow, 0)
	if err != nil {
		return 0
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 32))
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid < 0 {
		return 0
	}
	return pid
}

// LockHolder reports whether another process holds the instance lock of the
// database at dbPath, by whatever path it took it (a symlink, a hard link,
// another spelling), and its pid if known. It never creates a file and only
// probes the locks for an instant.
func LockHolder(dbPath string) (held bool, pid int, err error) {
	path, err := canonicalPath(dbPath)
	if err != nil {
		return false, 0, fmt.Errorf("probe lock of %s: %w", dbPath, err)
	}
	lp := LockPath(path)
	if fi, lerr := os.Lstat(lp); lerr == nil && fi.Mode().IsRegular() {
		f := flock.New(lp, flock.SetFlag(os.O_RDONLY|noFollow))
		ok, perr := f.TryRLock()
		switch {
		case perr != nil:
			err = fmt.Errorf("probe lock %s: %w", lp, perr)
		case ok:
			f.Unlock()
		default:
			held, pid = true, readLockPID(lp)
		}
		f.Close()
	}
	if ih, ipid := probeInode(path); ih {
		held, err = true, nil
		if pid == 0 {
			pid = ipid
		}
	}
	return held, pid, err
}
