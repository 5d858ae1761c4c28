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

func TestErrorCode(t *testing.T) {
	sentinel := engine.Errorf(engine.EINCOMPLETE, "wal kept by %s", "a reader")
	for _, tc := range []struct {
		name string
		err  error
		code string
	}{
		{"nil", nil, ""},
		{"plain", errors.New("disk on fire"), engine.EINTERNAL},
		{"coded", sentinel, engine.EINCOMPLETE},
		{"wrapped", fmt.Errorf("close: %w", sentinel), engine.EINCOMPLETE},
		{"rich type", fmt.Errorf("open: %w", &richError{pid: 42}), engine.ECONFLICT},
		{"joined", errors.Join(errors.New("first"), fmt.Errorf("x: %w", &richError{pid: 7})), engine.ECONFLICT},
		{"not found", engine.ErrNotFound, engine.ENOTFOUND},
		{"config", fmt.Errorf("load: %w", &engine.ValidationError{Problems: []string{"a", "b"}}), engine.EINVALID},
	} {
		if got := engine.ErrorCode(tc.err); got != tc.code {
			t.Errorf("%s: ErrorCode = %q, want %q", tc.name, got, tc.code)
		}
	}
	// The message is the whole text: the code is not shown to people.
	if got := sentinel.Error(); got != "wal kept by a reader" {
		t.Errorf("Error() = %q", got)
	}
}
