package proofkit

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFileDigest(t *testing.T) {
	dir := t.TempDir()
	if d, err := FileDigest(filepath.Join(dir, "missing")); d != "absent" || err != nil {
		t.Fatalf("a missing file: %q, %v; want absent", d, err)
	}
	p := filepath.Join(dir, "abc")
	if err := os.WriteFile(p, []byte("abc"), 0o600); err != nil {
		t.Fatal(err)
	}
	if d, err := FileDigest(p); d != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" || err != nil {
		t.Fatalf("sha256 of abc: %q, %v", d, err)
	}
	if _, err := FileDigest(dir); err == nil {
		t.Fatal("a directory digested without an error")
	}
}
