package proofkit

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
)

// FileDigest is the SHA-256 of the file at path in hex, "absent" when there
// is no such file: two equal digests mean the file did not change.
func FileDigest(path string) (string, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return "absent", nil
	}
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
