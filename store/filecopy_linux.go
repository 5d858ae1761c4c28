//go:build linux

package store

import (
	"io/fs"
	"os"
	"syscall"
)

// withDatabaseFile runs fn on a read-only handle of the database file at
// path, a kept one: closing a descriptor of the database file would drop
// every POSIX lock this process's SQLite connections hold on it (see
// lockinode_linux.go). fn must not close it and reads with ReadAt, or from
// the start after seeking there.
func withDatabaseFile(path string, fn func(f *os.File) error) error {
	kf, _, ok, err := takeHandle(path)
	if err != nil {
		return err
	}
	if !ok {
		return &fs.PathError{Op: "open", Path: path, Err: fs.ErrNotExist}
	}
	defer putHandle(kf)
	return fn(kf.f)
}

// ficlone is the FICLONE ioctl (_IOW(0x94, 9, int)).
const ficlone = 0x40049409

// reflink makes dst share src's extents, copy-on-write, where the filesystem
// offers it (btrfs, XFS, bcachefs; not ext4): a copy of any size at once.
func reflink(dst, src *os.File) error {
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, dst.Fd(), ficlone, src.Fd()); errno != 0 {
		return errno
	}
	return nil
}
