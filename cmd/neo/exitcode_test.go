package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/charmbracelet/log"

	"neo/engine"
	"neo/store"
)

// TestStoreExit holds the exit code and the message of every store error
// kind now that cmd classifies them by domain code (engine/error.go), not by
// the store's types.
func TestStoreExit(t *testing.T) {
	locked := &store.LockedError{Path: "/d/neo.db", PID: 42}
	for _, tc := range []struct {
		err  error
		code int
	}{
		{&store.IntegrityError{Path: "/d/neo.db", Detail: "page 3"}, exitCorrupt},
		{&store.BadBackupError{DBPath: "/d/neo.db", Backup: "/d/b.db", Detail: "bad"}, exitCorrupt},
		{locked, exitLocked},
		{fmt.Errorf("open /d/neo.db: %w", locked), exitLocked},
		{store.ErrLocked, exitLocked},
		{&store.PathError{Path: "/d", Msg: "is a directory", IsDir: true}, exitUsage},
		{&store.PathError{Path: "/d/x.db", Msg: "does not exist", NotExist: true}, exitRuntime},
		{&store.ForeignError{Path: "/d/x.db", What: "a photo library"}, exitUsage},
		{fmt.Errorf("close: %w", store.ErrCheckpointIncomplete), exitRuntime},
		{store.ErrDiskFull, exitRuntime},
		{engine.ErrNotFound, exitRuntime},
		{errors.New("disk on fire"), exitRuntime},
		{exitf(exitUsage, "--db is empty"), exitUsage},
	} {
		got := storeExit(tc.err)
		var ee *exitError
		if !errors.As(got, &ee) {
			t.Fatalf("%v: storeExit returned %T, want *exitError", tc.err, got)
		}
		if ee.code != tc.code {
			t.Errorf("%T %v: exit %d, want %d", tc.err, tc.err, ee.code, tc.code)
		}
		if got.Error() != tc.err.Error() {
			t.Errorf("%T: message %q, want %q", tc.err, got.Error(), tc.err.Error())
		}
	}
	if storeExit(nil) != nil {
		t.Error("storeExit(nil) is not nil")
	}
}

// TestResultCode: any error is exit 1; a risk halt is 5. (A final
// checkpoint left incomplete is no error: the engine keeps it out of the
// result; engine's TestCheckpointIncompleteIsNoFailure.)
func TestResultCode(t *testing.T) {
	for _, tc := range []struct {
		name string
		res  engine.Result
		code int
	}{
		{"clean", engine.Result{Reason: engine.HaltOperatorQuit}, exitOK},
		{"an error", engine.Result{Reason: engine.HaltOperatorQuit, Err: errors.New("flush")}, exitRuntime},
		{"locked is a failure", engine.Result{Reason: engine.HaltOperatorQuit, Err: store.ErrLocked}, exitRuntime},
		{"engine error", engine.Result{Reason: engine.HaltEngineError}, exitRuntime},
		{"risk halt", engine.Result{Reason: engine.HaltMaxDrawdown}, exitRiskHalt},
	} {
		if got := resultCode(tc.res); got != tc.code {
			t.Errorf("%s: exit %d, want %d", tc.name, got, tc.code)
		}
	}
}

// An engine_error with no error of its own (the console broke) says where
// the cause is, never "ended with an error: <nil>".
func TestFinishEngineErrorWithoutCause(t *testing.T) {
	var logs bytes.Buffer
	m := &Main{Stdout: io.Discard, Stderr: io.Discard}
	err := m.finish(engine.Result{SessionID: "s1", Reason: engine.HaltEngineError}, log.New(&logs), false)
	if err == nil || strings.Contains(err.Error(), "<nil>") || !strings.Contains(err.Error(), "engine_error") {
		t.Fatalf("err = %v; want it to name engine_error and where the cause is", err)
	}
	if !strings.Contains(logs.String(), "ERRO") {
		t.Fatalf("closing line not at ERROR: %q", logs.String())
	}
}
