package store

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/gofrs/flock"
)

// ErrLocked means another process holds the instance lock neo.db.lock. Open
// and Restore wrap it with a *LockedError naming the path and holder.
var ErrLocked = errors.New("database is in use by another neo process")

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

// instanceLock is the advisory lock neo.db.lock held by run, restore and
// backfill. It holds the owner's pid for the error message of others.
type instanceLock struct {
	f    *flock.Flock
	path string
}

// LockPath returns the path of the instance lock of the database at dbPath.
func LockPath(dbPath string) string { return dbPath + ".lock" }

func acquireLock(dbPath string) (*instanceLock, error) {
	lp := LockPath(dbPath)
	f := flock.New(lp, flock.SetFlag(os.O_CREATE|os.O_RDWR), flock.SetPermissions(0o600))
	ok, err := f.TryLock()
	if err != nil {
		return nil, &PathError{Path: dbPath, Msg: fmt.Sprintf("cannot take its lock %s (%v); make the directory writable", lp, unwrapPathErr(err))}
	}
	if !ok {
		return nil, &LockedError{Path: dbPath, PID: readLockPID(lp)}
	}
	// Record our pid for whoever finds the lock taken. Best effort.
	if fh, err := os.OpenFile(lp, os.O_WRONLY|os.O_TRUNC, 0o600); err == nil {
		fmt.Fprintf(fh, "%d\n", os.Getpid())
		fh.Close()
	}
	return &instanceLock{f: f, path: lp}, nil
}

func (l *instanceLock) release() error {
	// Clear the pid so that a stale one is never reported.
	if fh, err := os.OpenFile(l.path, os.O_WRONLY|os.O_TRUNC, 0o600); err == nil {
		fh.Close()
	}
	if err := l.f.Unlock(); err != nil {
		return fmt.Errorf("release lock %s: %w", l.path, err)
	}
	return nil
}

func readLockPID(lockPath string) int {
	b, err := os.ReadFile(lockPath)
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0
	}
	return pid
}

// LockHolder reports whether another process holds the instance lock of the
// database at dbPath, and its pid if known. It never creates the lock file
// and only probes the lock for an instant.
func LockHolder(dbPath string) (held bool, pid int, err error) {
	lp := LockPath(dbPath)
	if _, err := os.Stat(lp); errors.Is(err, os.ErrNotExist) {
		return false, 0, nil
	}
	f := flock.New(lp, flock.SetFlag(os.O_RDONLY))
	ok, err := f.TryRLock()
	if err != nil {
		return false, 0, fmt.Errorf("probe lock %s: %w", lp, err)
	}
	if ok {
		f.Unlock()
		return false, 0, nil
	}
	return true, readLockPID(lp), nil
}
