package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"neo/cmd/internal/proofkit"
)

// startConsole starts neo under the kit's pseudo-terminal with COLORTERM
// unset, so that every run draws with the same colour profile.
func startConsole(bin string, env []string, args ...string) (*proofkit.Console, error) {
	return proofkit.StartConsole(bin, append([]string{"COLORTERM="}, env...), args...)
}

// execOutput runs a program and returns its combined output.
func execOutput(ctx context.Context, name string, args ...string) (string, error) {
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	return string(out), err
}

// checkClean is the kit's CheckClosed plus the soak's stricter rule: no
// session of the file, not only the newest, is left open or with an open
// order.
func checkClean(ctx context.Context, path, want string) (proofkit.State, error) {
	st, err := proofkit.CheckClosed(ctx, path, want)
	if err != nil {
		return st, err
	}
	return st, st.AllClosed()
}

// runUnchanged runs neo with args (bounded by limit), wants exit code want,
// and wants db and its -wal byte for byte as they were before.
func runUnchanged(ctx context.Context, o options, db string, want int, limit time.Duration, args ...string) (proofkit.Result, error) {
	before := hashFiles(db)
	res, err := proofkit.Run(ctx, "", o.bin, limit, nil, args...)
	if err != nil {
		return res, err
	}
	if res.Code != want {
		return res, fmt.Errorf("neo %s: exit %d, want %d: %s", args[0], res.Code, want, proofkit.Tail(res.Stdout+res.Stderr, 300))
	}
	if after := hashFiles(db); after != before {
		return res, fmt.Errorf("neo %s changed the files (%s → %s)", args[0], before, after)
	}
	return res, nil
}

// hashFiles hashes path and its -wal, 16 hex digits each ("absent" for a
// missing file, "unreadable" and the error for one that cannot be read, so
// that a read error is never taken for a missing file).
func hashFiles(path string) string {
	var parts []string
	for _, p := range []string{path, path + "-wal"} {
		d, err := proofkit.FileDigest(p)
		if err != nil {
			parts = append(parts, "unreadable("+err.Error()+")")
			continue
		}
		parts = append(parts, d[:min(16, len(d))])
	}
	return strings.Join(parts, "+")
}

// contentTables are the tables whose rows make a database's content digest.
var contentTables = []string{"sessions", "orders", "fills", "inventory_snapshots", "valuation_snapshots", "session_events"}

// contentDigest hashes every row of every table of the schema in rowid
// order, through a fresh reader: two files with the same digest hold the
// same records.
func contentDigest(ctx context.Context, path string) (string, error) {
	db, err := proofkit.OpenReader(path)
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
		n := 0
		for rows.Next() {
			vals, err := scanValues(rows, len(cols))
			if err != nil {
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

// writeBeside opens the neo database at path with a connection of its own
// (pragmas are the DSN's query), runs write with the key and started_at of
// its first session, then checkpoints the WAL away. No neo process may
// hold the file.
func writeBeside(ctx context.Context, path, pragmas string, write func(db *sql.DB, key, startedAt string) error) error {
	db, err := sql.Open("sqlite", "file:"+path+"?"+pragmas)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var key, at string
	if err := db.QueryRowContext(ctx, "SELECT session_key, started_at FROM sessions ORDER BY rowid LIMIT 1").Scan(&key, &at); err != nil {
		return fmt.Errorf("find a session: %w", err)
	}
	if err := write(db, key, at); err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	return err
}

// scanValues scans the current row of r, which has n columns, into one
// value per column.
func scanValues(r *sql.Rows, n int) ([]any, error) {
	v := make([]any, n)
	p := make([]any, n)
	for i := range v {
		p[i] = &v[i]
	}
	return v, r.Scan(p...)
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
