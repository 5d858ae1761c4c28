package proofkit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the independent reader
)

// OpenReader opens a fresh read-only connection pool on path with
// modernc.org/sqlite: not the project's store, not its settings. A missing
// file is an error (opening would not create it, but say so early).
func OpenReader(path string) (*sql.DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// Queryer runs a query: a *sql.DB, *sql.Conn or *sql.Tx.
type Queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Collect runs query with args through q and returns what scan makes of
// each row, in order.
func Collect[T any](ctx context.Context, q Queryer, scan func(*sql.Rows) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// scanString scans a row of one text column.
func scanString(r *sql.Rows) (s string, err error) {
	err = r.Scan(&s)
	return s, err
}

// Session is what the independent reader sees of one session. The fields
// after Fills are read only by ReadFileDetail.
type Session struct {
	ID          string
	StartedAt   string
	EndedAt     sql.NullString
	Estimated   int
	HaltReason  sql.NullString
	EndingValue sql.NullFloat64
	EndingXRP   sql.NullFloat64
	OpenOrders  int
	Fills       int

	Inventory  int      // inventory snapshots
	Valuations int      // valuation snapshots
	Events     []string // "kind: message", oldest first
}

// State is the independent reader's view of a database.
type State struct {
	QuickCheck string
	Sessions   []Session // oldest first
	NoSchema   bool      // the file has no sessions table yet (ReadFileIfAny)
}

// Last is the newest session (nil if none).
func (s State) Last() *Session {
	if len(s.Sessions) == 0 {
		return nil
	}
	return &s.Sessions[len(s.Sessions)-1]
}

// ByID finds a session (nil if absent).
func (s State) ByID(id string) *Session {
	for i := range s.Sessions {
		if s.Sessions[i].ID == id {
			return &s.Sessions[i]
		}
	}
	return nil
}

// AllClosed says which session, if any, has an open order or no ended_at.
func (s State) AllClosed() error {
	for _, x := range s.Sessions {
		if x.OpenOrders != 0 {
			return fmt.Errorf("session %s has %d open orders", x.ID, x.OpenOrders)
		}
		if !x.EndedAt.Valid {
			return fmt.Errorf("session %s has ended_at NULL", x.ID)
		}
	}
	return nil
}

// QuickCheck runs PRAGMA quick_check through db and returns its lines
// joined; anything but "ok" is also an error.
func QuickCheck(ctx context.Context, db *sql.DB) (string, error) {
	lines, err := Collect(ctx, db, scanString, "PRAGMA quick_check")
	if err != nil {
		return "", fmt.Errorf("quick_check: %w", err)
	}
	qc := strings.Join(lines, "; ")
	if qc != "ok" {
		return qc, fmt.Errorf("quick_check says %q", Tail(qc, 200))
	}
	return qc, nil
}

// sessionsQuery reads every session, oldest first; %s takes the detail
// columns.
const sessionsQuery = `SELECT session_id, started_at, ended_at, ended_at_estimated, halt_reason, ending_value, ending_xrp,
	(SELECT count(*) FROM orders o WHERE o.session_key = s.session_key AND o.status = 'open'),
	(SELECT count(*) FROM fills f WHERE f.session_key = s.session_key)%s
	FROM sessions s ORDER BY started_at, rowid`

const detailColumns = `,
	(SELECT count(*) FROM inventory_snapshots i WHERE i.session_key = s.session_key),
	(SELECT count(*) FROM valuation_snapshots v WHERE v.session_key = s.session_key)`

// ReadState runs quick_check and reads every session through db.
func ReadState(ctx context.Context, db *sql.DB) (State, error) {
	return readState(ctx, db, false)
}

func readState(ctx context.Context, db *sql.DB, detail bool) (State, error) {
	var st State
	var err error
	if st.QuickCheck, err = QuickCheck(ctx, db); err != nil {
		return st, err
	}
	extra := ""
	if detail {
		extra = detailColumns
	}
	st.Sessions, err = Collect(ctx, db, func(rows *sql.Rows) (Session, error) {
		var s Session
		dest := []any{&s.ID, &s.StartedAt, &s.EndedAt, &s.Estimated, &s.HaltReason, &s.EndingValue, &s.EndingXRP, &s.OpenOrders, &s.Fills}
		if detail {
			dest = append(dest, &s.Inventory, &s.Valuations)
		}
		return s, rows.Scan(dest...)
	}, fmt.Sprintf(sessionsQuery, extra))
	if err != nil {
		return st, fmt.Errorf("read sessions: %w", err)
	}
	if !detail {
		return st, nil
	}
	for i := range st.Sessions {
		if st.Sessions[i].Events, err = readEvents(ctx, db, st.Sessions[i].ID); err != nil {
			return st, err
		}
	}
	return st, nil
}

func readEvents(ctx context.Context, db *sql.DB, id string) ([]string, error) {
	out, err := Collect(ctx, db, func(rows *sql.Rows) (string, error) {
		var k, msg string
		err := rows.Scan(&k, &msg)
		return k + ": " + msg, err
	}, `SELECT kind, message FROM session_events WHERE session_key = (SELECT session_key FROM sessions WHERE session_id = ?) ORDER BY market_time, rowid`, id)
	if err != nil {
		return nil, fmt.Errorf("read the events of %s: %w", id, err)
	}
	return out, nil
}

// ReadFile opens path with a fresh reader, runs quick_check, reads every
// session and closes it.
func ReadFile(ctx context.Context, path string) (State, error) {
	return readFile(ctx, path, false)
}

// ReadFileDetail is ReadFile with each session's snapshot counts and events.
func ReadFileDetail(ctx context.Context, path string) (State, error) {
	return readFile(ctx, path, true)
}

func readFile(ctx context.Context, path string, detail bool) (State, error) {
	db, err := OpenReader(path)
	if err != nil {
		return State{}, err
	}
	defer db.Close()
	return readState(ctx, db, detail)
}

// ReadFileIfAny is ReadFile for a file that may not have its schema yet (a
// run stopped early): such a file must pass quick_check and has no session.
func ReadFileIfAny(ctx context.Context, path string) (State, error) {
	db, err := OpenReader(path)
	if err != nil {
		return State{}, err
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'sessions'").Scan(&n); err != nil {
		return State{}, fmt.Errorf("read the schema: %w", err)
	}
	if n == 0 {
		var qc string
		if err := db.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&qc); err != nil || qc != "ok" {
			return State{}, fmt.Errorf("quick_check of a file without a schema: %q %v", qc, err)
		}
		return State{QuickCheck: qc, NoSchema: true}, nil
	}
	return readState(ctx, db, false)
}

// WALSize is the size of path-wal (0 when absent).
func WALSize(path string) int64 {
	fi, err := os.Stat(path + "-wal")
	if err != nil {
		return 0
	}
	return fi.Size()
}

// SQLiteCLI is the path of the sqlite3 program, "" when not installed.
func SQLiteCLI() string {
	p, err := exec.LookPath("sqlite3")
	if err != nil {
		return ""
	}
	return p
}

// CLIQuery runs query with the sqlite3 CLI at cli in read-only batch mode
// and returns its trimmed output.
func CLIQuery(ctx context.Context, cli, path, query string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, cli, "-readonly", "-batch", path, query).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("sqlite3 %s: %v: %s", query, err, Tail(string(out), 200))
	}
	return strings.TrimSpace(string(out)), nil
}

// CLIQuickCheck runs quick_check with the sqlite3 CLI (nil when it is not
// installed).
func CLIQuickCheck(ctx context.Context, path string) error {
	cli := SQLiteCLI()
	if cli == "" {
		return nil
	}
	out, err := CLIQuery(ctx, cli, path, "PRAGMA quick_check;")
	if err != nil {
		return err
	}
	if out != "ok" {
		return fmt.Errorf("sqlite3 CLI quick_check: %q", Tail(out, 200))
	}
	return nil
}

// CLIOpenSessions counts the sessions with no ended_at as the sqlite3 CLI
// sees them; ok is false when the CLI is not installed.
func CLIOpenSessions(ctx context.Context, path string) (n int, ok bool, err error) {
	cli := SQLiteCLI()
	if cli == "" {
		return 0, false, nil
	}
	out, err := CLIQuery(ctx, cli, path, "SELECT count(*) FROM sessions WHERE ended_at IS NULL;")
	if err != nil {
		return 0, true, err
	}
	if _, err := fmt.Sscan(out, &n); err != nil {
		return 0, true, fmt.Errorf("sqlite3 CLI open sessions: %q", Tail(out, 200))
	}
	return n, true, nil
}

// CheckClosed holds the guarantees of a clean ending against the database
// after the process has exited: the WAL is empty, quick_check is ok (both
// readers), and the newest session has ended_at, ending_value, no open
// order and the wanted halt_reason (which the sqlite3 CLI, when installed,
// reads too). The state is read with ReadFile.
func CheckClosed(ctx context.Context, path, want string) (State, error) {
	if n := WALSize(path); n != 0 {
		return State{}, fmt.Errorf("%s-wal holds %d bytes after exit, want none", path, n)
	}
	st, err := ReadFile(ctx, path)
	if err != nil {
		return st, err
	}
	s := st.Last()
	if s != nil && s.HaltReason.String != want {
		// Name what the session recorded, for the failure's reader.
		if d, err := ReadFileDetail(ctx, path); err == nil && len(d.Sessions) == len(st.Sessions) {
			s.Events = d.Last().Events
		}
	}
	switch {
	case s == nil:
		return st, errors.New("no session in the database")
	case s.HaltReason.String != want:
		return st, fmt.Errorf("halt_reason=%q, want %q; events:\n%s", s.HaltReason.String, want, strings.Join(s.Events, "\n"))
	case !s.EndedAt.Valid:
		return st, errors.New("ended_at is NULL")
	case !s.EndingValue.Valid:
		return st, errors.New("ending_value is NULL")
	case s.OpenOrders != 0:
		return st, fmt.Errorf("session %s has %d open orders", s.ID, s.OpenOrders)
	}
	if cli := SQLiteCLI(); cli != "" {
		out, err := CLIQuery(ctx, cli, path, "PRAGMA quick_check; SELECT halt_reason FROM sessions ORDER BY started_at DESC, rowid DESC LIMIT 1;")
		if err != nil {
			return st, err
		}
		if out != "ok\n"+want {
			return st, fmt.Errorf("sqlite3 CLI says %q, want ok and %s", out, want)
		}
	}
	return st, nil
}
