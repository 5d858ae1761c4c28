package engine_test

import (
	"errors"
	"fmt"
	"testing"

	"neo/engine"
)

// richError stands for an adapter's own error type that carries a code.
type richError struct{ pid int }

func (e *richError) Error() string     { return fmt.Sprintf("held by pid %d", e.pid) }
func (e *richError) ErrorCode() string { return engine.ECONFLICT }

func TestErrorCodeAndMessage(t *testing.T) {
	sentinel := engine.Errorf(engine.EINCOMPLETE, "wal kept by %s", "a reader")
	for _, tc := range []struct {
		name      string
		err       error
		code, msg string
	}{
		{"nil", nil, "", ""},
		{"plain", errors.New("disk on fire"), engine.EINTERNAL, "internal error: disk on fire"},
		{"coded", sentinel, engine.EINCOMPLETE, "wal kept by a reader"},
		{"wrapped", fmt.Errorf("close: %w", sentinel), engine.EINCOMPLETE, "wal kept by a reader"},
		{"rich type", fmt.Errorf("open: %w", &richError{pid: 42}), engine.ECONFLICT, "held by pid 42"},
		{"joined", errors.Join(errors.New("first"), fmt.Errorf("x: %w", &richError{pid: 7})), engine.ECONFLICT, "held by pid 7"},
		{"not found", engine.ErrNotFound, engine.ENOTFOUND, "not found"},
		{"config", fmt.Errorf("load: %w", &engine.ValidationError{Problems: []string{"a", "b"}}), engine.EINVALID, "a; b"},
	} {
		if got := engine.ErrorCode(tc.err); got != tc.code {
			t.Errorf("%s: ErrorCode = %q, want %q", tc.name, got, tc.code)
		}
		if got := engine.ErrorMessage(tc.err); got != tc.msg {
			t.Errorf("%s: ErrorMessage = %q, want %q", tc.name, got, tc.msg)
		}
	}
	// The message is the whole text: the code is not shown to people.
	if got := sentinel.Error(); got != "wal kept by a reader" {
		t.Errorf("Error() = %q", got)
	}
}
