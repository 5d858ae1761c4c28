//go:build !linux

package store

// inodeLock is empty where flock(2) on the database file is unsafe (the
// BSDs and macOS, where it interacts with SQLite's fcntl locks) or absent:
// there the lock file beside the canonical path is the whole lock.
type inodeLock struct{}

func lockInode(string) (*inodeLock, bool, int, error) { return nil, false, 0, nil }

func (*inodeLock) release() error { return nil }

func probeInode(string) (bool, int) { return false, 0 }

func inodeLockWorks(string) bool { return false }
