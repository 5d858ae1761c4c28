//go:build !unix

package store

import "os"

// noFollow is 0 where open has no O_NOFOLLOW; checkLockPath's Lstat
// refuses a symlink before the open.
const noFollow = 0

// linkCount returns 1: hard links to a lock file are only checked on unix.
func linkCount(os.FileInfo) uint64 { return 1 }

// pidAlive is true where a process cannot be tested for cheaply: the lock
// holder is then taken at its word.
func pidAlive(int) bool { return true }
