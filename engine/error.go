package engine

import (
	"errors"
	"fmt"
)

// Error codes of neo (the benbjohnson/wtf error.go pattern). The store
// returns errors that carry one of these codes; cmd/neo maps a code to an
// exit code, so that the classification lives in the domain and the command
// layer needs no adapter's error types. The set is small on purpose: a code
// exists only where a caller acts differently on it.
const (
	// EINVALID is a request the operator must change: a bad flag, config or
	// path (a directory given as the database). Exit 2.
	EINVALID = "invalid"
	// EFOREIGN is a database that is another program's (or not neo's
	// schema): --db names the wrong file. Exit 2.
	EFOREIGN = "foreign"
	// EINTEGRITY is a database or backup that failed its integrity check.
	// Nothing was written. Exit 3.
	EINTEGRITY = "integrity"
	// ECONFLICT is a database in use by another neo process (its instance
	// lock is held). Exit 4.
	ECONFLICT = "conflict"
	// EPATH is a database path that cannot be used as it is (missing,
	// permissions, a lock file that is not neo's). Exit 1: the message says
	// what to change.
	EPATH = "path"
	// EINCOMPLETE is a final checkpoint that another process's reader kept
	// from emptying the write-ahead log. Nothing is lost: a session that
	// ends with only this still ends cleanly.
	EINCOMPLETE = "incomplete"
	// ENOTFOUND is a session that does not exist.
	ENOTFOUND = "not_found"
	// EINTERNAL is every other failure (the disk, the driver, a bug). Exit 1.
	EINTERNAL = "internal"
)

// Error is an error with a code and the message the operator reads. Adapters
// with richer errors (the holder's pid, the restore command) keep their own
// types and carry a code by implementing ErrorCode() string.
type Error struct {
	Code    string // one of the E* codes
	Message string // what happened and what to do
}

// Error returns the message alone: the code is for programs, not for people.
func (e *Error) Error() string { return e.Message }

// ErrorCode returns the code; it makes *Error a coded error for ErrorCode.
func (e *Error) ErrorCode() string { return e.Code }

// Errorf returns an *Error with the code and the formatted message. It does
// not wrap: use it for sentinels and final messages.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// coded is any error that names its code: *Error and the store's own types.
type coded interface {
	error
	ErrorCode() string
}

// ErrorCode returns the code of the first coded error in err's chain (a
// joined error is searched depth first), "" for nil and EINTERNAL for an
// error that carries no code.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var c coded
	if errors.As(err, &c) {
		return c.ErrorCode()
	}
	return EINTERNAL
}

// onlyIncomplete reports whether err, and every error joined in it, is
// EINCOMPLETE: a final checkpoint another process's reader kept from
// emptying the write-ahead log, which loses nothing.
func onlyIncomplete(err error) bool {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			if !onlyIncomplete(e) {
				return false
			}
		}
		return len(j.Unwrap()) > 0
	}
	return ErrorCode(err) == EINCOMPLETE
}
