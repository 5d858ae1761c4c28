//go:build !linux

package store

import (
	"errors"
	"os"
)

// withDatabaseFile runs fn on a read-only handle of the database file at
// path.
func withDatabaseFile(path string, fn func(f *os.File) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return fn(f)
}

// reflink is Linux's FICLONE; elsewhere the copy is a plain one.
func reflink(dst, src *os.File) error { return errors.ErrUnsupported }
