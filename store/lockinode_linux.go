//go:build linux

package store

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// On Linux the instance lock also lives on the database file itself: a BSD
// flock(2), which is independent of the POSIX fcntl locks SQLite takes on
// the same file. (On the BSDs and macOS the two kinds interact, so there the
// lock file alone is the lock.)
//
// A handle on the database file is never closed: closing any descriptor of
// a file drops every POSIX lock the process holds on it, which would pull
// SQLite's locks from under a connection still open in this process. Handles
// are kept per inode and reused, so a process holds at most as many as it
// ever held at once per database file.

type fileKey struct{ dev, ino uint64 }

type keptFile struct {
	f    *os.File
	busy bool
}

var kept struct {
	sync.Mutex
	files map[fileKey][]*keptFile
}

// takeHandle returns an idle kept handle on the file at path, or opens one.
// ok is false when the file does not exist.
func takeHandle(path string) (kf *keptFile, key fileKey, ok bool, err error) {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		if errors.Is(err, syscall.ENOENT) {
			return nil, key, false, nil
		}
		return nil, key, false, &PathError{Path: path, Msg: fmt.Sprintf("cannot be locked (%v); check its permissions", err)}
	}
	key = fileKey{uint64(st.Dev), st.Ino}
	kept.Lock()
	defer kept.Unlock()
	for _, k := range kept.files[key] {
		if !k.busy {
			k.busy = true
			return k, key, true, nil
		}
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, key, false, nil
		}
		return nil, key, false, &PathError{Path: path, Msg: fmt.Sprintf("cannot be opened to lock it (%v); make it readable with: chmod u+r %s", unwrapPathErr(err), path)}
	}
	if err := syscall.Fstat(int(f.Fd()), &st); err == nil {
		key = fileKey{uint64(st.Dev), st.Ino}
	}
	if kept.files == nil {
		kept.files = map[fileKey][]*keptFile{}
	}
	kf = &keptFile{f: f, busy: true}
	kept.files[key] = append(kept.files[key], kf)
	return kf, key, true, nil
}

func putHandle(kf *keptFile) {
	kept.Lock()
	kf.busy = false
	kept.Unlock()
}

// inodeLock is an exclusive flock on the database file.
type inodeLock struct {
	kf *keptFile
}

// lockInode takes the inode lock of the database at path. It returns nil
// (and no error) when the file does not exist yet, and held with the
// holder's pid when another open file description has it.
func lockInode(path string) (l *inodeLock, held bool, pid int, err error) {
	if networkFS(path) {
		return nil, false, 0, nil
	}
	kf, key, ok, err := takeHandle(path)
	if err != nil || !ok {
		return nil, false, 0, err
	}
	if err := flockNB(kf.f, syscall.LOCK_EX); err != nil {
		putHandle(kf)
		if errWouldBlock(err) {
			return nil, true, lockOwner(key), nil
		}
		return nil, false, 0, &PathError{Path: path, Msg: fmt.Sprintf("cannot be locked (%v)", err)}
	}
	return &inodeLock{kf: kf}, false, 0, nil
}

func (l *inodeLock) release() error {
	err := flockNB(l.kf.f, syscall.LOCK_UN)
	putHandle(l.kf)
	if err != nil {
		return fmt.Errorf("release the lock on the database file: %w", err)
	}
	return nil
}

// probeInode reports whether someone holds the inode lock of the database
// at path, and the holder's pid when the system says.
func probeInode(path string) (held bool, pid int) {
	if networkFS(path) {
		return false, 0
	}
	kf, key, ok, err := takeHandle(path)
	if err != nil || !ok {
		return false, 0
	}
	defer putHandle(kf)
	if err := flockNB(kf.f, syscall.LOCK_SH); err != nil {
		if errWouldBlock(err) {
			return true, lockOwner(key)
		}
		return false, 0
	}
	flockNB(kf.f, syscall.LOCK_UN)
	return false, 0
}

func flockNB(f *os.File, how int) error {
	for {
		err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		if err != syscall.EINTR {
			return err
		}
	}
}

func errWouldBlock(err error) bool {
	return errors.Is(err, syscall.EWOULDBLOCK) || errors.Is(err, syscall.EAGAIN)
}

// lockOwner returns the pid holding an exclusive flock on the file, read
// from /proc/locks ("1: FLOCK ADVISORY WRITE 1234 08:02:5678 0 EOF"), or 0.
// It is how a second writer that came by a hard link, or after the lock file
// was deleted, still names the running process.
func lockOwner(key fileKey) int {
	f, err := os.Open("/proc/locks")
	if err != nil {
		return 0
	}
	defer f.Close()
	major := (key.dev>>8)&0xfff | (key.dev>>32)&^uint64(0xfff)
	minor := key.dev&0xff | (key.dev>>12)&^uint64(0xff)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) < 6 || fs[1] != "FLOCK" || fs[3] != "WRITE" { // a waiter's line reads "-> FLOCK"
			continue
		}
		id := strings.Split(fs[5], ":")
		if len(id) != 3 {
			continue
		}
		ma, e1 := strconv.ParseUint(id[0], 16, 64)
		mi, e2 := strconv.ParseUint(id[1], 16, 64)
		ino, e3 := strconv.ParseUint(id[2], 10, 64)
		if e1 != nil || e2 != nil || e3 != nil || ma != major || mi != minor || ino != key.ino {
			continue
		}
		if pid, err := strconv.Atoi(fs[4]); err == nil && pid > 0 {
			return pid
		}
	}
	return 0
}

// inodeLockWorks reports whether the database file at path carries the
// inode lock, so that probing it alone says whether a neo process holds the
// database.
func inodeLockWorks(path string) bool { return !networkFS(path) }

// networkFS reports whether path is on NFS or SMB/CIFS, where Linux emulates
// flock(2) with fcntl locks: there a whole-file flock would collide with
// SQLite's own locks, so the lock file alone is the lock (SQLite's WAL mode
// is not safe on those filesystems anyway).
func networkFS(path string) bool {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return false
	}
	switch uint32(st.Type) {
	case 0x6969, // NFS
		0x517B,     // SMB
		0xFF534D42, // CIFS
		0xFE534D42: // SMB2
		return true
	}
	return false
}
