package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the independent reader
)

// openReader opens a fresh read-only connection pool on path with
// modernc.org/sqlite: not the project's store, not its settings.
func openReader(path string) (*sql.DB, error) {
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

// session is what the independent reader sees of one session.
type session struct {
	ID         string
	StartedAt  string
	EndedAt    sql.NullString
	Estimated  int
	HaltReason sql.NullString
	EndingVal  sql.NullFloat64
	OpenOrders int
	Fills      int
}

// dbState is the independent reader's view of a database.
type dbState struct {
	QuickCheck string
	Sessions   []session
}

// last is the newest session (nil if none).
func (s dbState) last() *session {
	if len(s.Sessions) == 0 {
		return nil
	}
	return &s.Sessions[len(s.Sessions)-1]
}

// byID finds a session.
func (s dbState) byID(id string) *session {
	for i := range s.Sessions {
		if s.Sessions[i].ID == id {
			return &s.Sessions[i]
		}
	}
	return nil
}

// readState runs quick_check and reads every session through db.
func readState(ctx context.Context, db *sql.DB) (dbState, error) {
	var st dbState
	rows, err := db.QueryContext(ctx, "PRAGMA quick_check")
	if err != nil {
		return st, fmt.Errorf("quick_check: %w", err)
	}
	var lines []string
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			rows.Close()
			return st, fmt.Errorf("quick_check: %w", err)
		}
		lines = append(lines, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return st, fmt.Errorf("quick_check: %w", err)
	}
	st.QuickCheck = strings.Join(lines, "; ")
	if st.QuickCheck != "ok" {
		return st, fmt.Errorf("quick_check says %q", tail(st.QuickCheck, 200))
	}
	rows, err = db.QueryContext(ctx, `SELECT session_id, started_at, ended_at, ended_at_estimated, halt_reason, ending_value,
		(SELECT count(*) FROM orders o WHERE o.session_key = s.session_key AND o.status = 'open'),
		(SELECT count(*) FROM fills f WHERE f.session_key = s.session_key)
		FROM sessions s ORDER BY started_at, rowid`)
	if err != nil {
		return st, fmt.Errorf("read sessions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s session
		if err := rows.Scan(&s.ID, &s.StartedAt, &s.EndedAt, &s.Estimated, &s.HaltReason, &s.EndingVal, &s.OpenOrders, &s.Fills); err != nil {
			return st, fmt.Errorf("read sessions: %w", err)
		}
		st.Sessions = append(st.Sessions, s)
	}
	return st, rows.Err()
}

// readFile opens path with a fresh reader, reads its state and closes it.
func readFile(ctx context.Context, path string) (dbState, error) {
	db, err := openReader(path)
	if err != nil {
		return dbState{}, err
	}
	defer db.Close()
	return readState(ctx, db)
}

// walSize is the size of path-wal (0 when absent).
func walSize(path string) int64 {
	fi, err := os.Stat(path + "-wal")
	if err != nil {
		return 0
	}
	return fi.Size()
}

// sqliteCLI is the path of the sqlite3 program, "" when not installed.
func sqliteCLI() string {
	p, err := exec.LookPath("sqlite3")
	if err != nil {
		return ""
	}
	return p
}

// cliQuery runs SQL with the sqlite3 CLI in read-only mode; "" CLI means
// skipped.
func cliQuery(ctx context.Context, cli, path, query string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, cli, "-readonly", "-batch", path, query).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("sqlite3 %s: %v: %s", query, err, tail(string(out), 200))
	}
	return strings.TrimSpace(string(out)), nil
}

// checkClean holds the guarantees of a clean ending against the database
// after the process has exited: the WAL is empty, quick_check is ok (both
// readers), the newest session has ended_at, ending_value and the wanted
// halt_reason, and no session has an open order or a NULL ended_at.
func checkClean(ctx context.Context, path, want string) (dbState, error) {
	if n := walSize(path); n != 0 {
		return dbState{}, fmt.Errorf("%s-wal holds %d bytes after exit, want none", path, n)
	}
	st, err := readFile(ctx, path)
	if err != nil {
		return st, err
	}
	s := st.last()
	if s == nil {
		return st, errors.New("no session in the database")
	}
	switch {
	case s.HaltReason.String != want:
		return st, fmt.Errorf("halt_reason=%q, want %q", s.HaltReason.String, want)
	case !s.EndedAt.Valid:
		return st, errors.New("ended_at is NULL")
	case !s.EndingVal.Valid:
		return st, errors.New("ending_value is NULL")
	}
	for _, x := range st.Sessions {
		if x.OpenOrders != 0 {
			return st, fmt.Errorf("session %s has %d open orders", x.ID, x.OpenOrders)
		}
		if !x.EndedAt.Valid {
			return st, fmt.Errorf("session %s has ended_at NULL", x.ID)
		}
	}
	if cli := sqliteCLI(); cli != "" {
		out, err := cliQuery(ctx, cli, path, "PRAGMA quick_check; SELECT halt_reason FROM sessions ORDER BY started_at DESC, rowid DESC LIMIT 1;")
		if err != nil {
			return st, err
		}
		if out != "ok\n"+want {
			return st, fmt.Errorf("sqlite3 CLI says %q, want ok and %s", out, want)
		}
	}
	return st, nil
}

// cliQuickCheck runs quick_check with the sqlite3 CLI (nil when it is not
// installed).
func cliQuickCheck(ctx context.Context, path string) error {
	cli := sqliteCLI()
	if cli == "" {
		return nil
	}
	out, err := cliQuery(ctx, cli, path, "PRAGMA quick_check;")
	if err != nil {
		return err
	}
	if out != "ok" {
		return fmt.Errorf("sqlite3 CLI quick_check: %q", tail(out, 200))
	}
	return nil
}

// hashFiles hashes path and its -wal (absent files hash as "absent").
func hashFiles(path string) string {
	var parts []string
	for _, p := range []string{path, path + "-wal"} {
		f, err := os.Open(p)
		if err != nil {
			parts = append(parts, "absent")
			continue
		}
		h := sha256.New()
		io.Copy(h, f)
		f.Close()
		parts = append(parts, hex.EncodeToString(h.Sum(nil))[:16])
	}
	return strings.Join(parts, "+")
}

// contentTables are the tables whose rows make a database's content digest.
var contentTables = []string{"sessions", "orders", "fills", "inventory_snapshots", "valuation_snapshots", "session_events"}

// contentDigest hashes every row of every table of the schema in rowid
// order, through a fresh reader: two files with the same digest hold the
// same records.
func contentDigest(ctx context.Context, path string) (string, error) {
	db, err := openReader(path)
	if err != nil {
		return "", err
	}
	defer db.Close()
	h := sha256.New()
	for _, t := range contentTables {
		rows, err := db.QueryContext(ctx, "SELECT * FROM "+t+" ORDER BY rowid")
		if err != nil {
			return "", fmt.Errorf("read %s: %w", t, err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		n := 0
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return "", err
			}
			fmt.Fprintf(h, "%s%v\n", t, vals)
			n++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s:%d\n", t, n)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// copyFile copies src to dst (mode 0600).
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
