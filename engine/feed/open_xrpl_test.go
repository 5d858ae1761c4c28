package feed

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"neo/engine/feed/xrpl"
)

func TestOpenXRPLSpecs(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ spec, errHas string }{
		{"xrpl:ws://10.0.0.1:6006", "only allowed to loopback"},
		{"xrpl:", "use --feed xrpl"},
		{"xrpl-replay:", "names no file"},
		{"xrpl-replay:/does/not/exist", "open recording"},
		{"xrplx", "xrpl-replay:FILE"},
	} {
		if _, err := Open(tc.spec, Options{Seed: 1, Start: start}); err == nil || !strings.Contains(err.Error(), tc.errHas) {
			t.Errorf("Open(%q) = %v, want an error containing %q", tc.spec, err, tc.errHas)
		}
	}
	f, err := Open("xrpl:ws://127.0.0.1:1", Options{Seed: 1, Start: start})
	if err != nil {
		t.Fatal(err)
	}
	if f.Name() != "xrpl:ws://127.0.0.1:1" {
		t.Fatalf("Name = %q", f.Name())
	}
	if err := f.(io.Closer).Close(); err != nil {
		t.Fatal(err)
	}
}

// TestOpenReplayDetectsRecording: replay:FILE hands an XRPL recording to
// the XRPL replayer instead of the CSV reader.
func TestOpenReplayDetectsRecording(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rec.ndjson")
	fh, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	rec := xrpl.NewRecorder(fh, xrpl.DefaultPair, time.Now())
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	fh.Close()
	f, err := Open("replay:"+path, Options{Seed: 1, Start: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	defer f.(io.Closer).Close()
	if _, ok := f.(*xrpl.Feed); !ok {
		t.Fatalf("replay: of a recording opened %T", f)
	}
	if _, err := f.Next(context.Background()); !errors.Is(err, io.EOF) {
		t.Fatalf("empty recording: %v, want EOF", err)
	}
}
