package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"neo/engine"
	"sort"
	"strings"
	"sync"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// baseline is the newest schema in one piece, for new databases (see
// schema.sql).
//
//go:embed schema.sql
var baseline string

// migrations returns the embedded migrations in order; migration i (from 0)
// brings the schema to user_version i+1.
var migrations = sync.OnceValues(readMigrations)

func readMigrations() ([]string, error) {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	out := make([]string, 0, len(names))
	for _, n := range names {
		b, err := migrationFS.ReadFile(n)
		if err != nil {
			return nil, err
		}
		out = append(out, string(b))
	}
	return out, nil
}

// SchemaVersion is the user_version this build writes.
func SchemaVersion() int {
	m, _ := migrations()
	return len(m)
}

// migrate applies the pending migrations and marks the database as neo's
// (application_id), all in one transaction: an upgrade happens whole or not
// at all, and a new database costs one commit. kind is what identify found
// before anything was written.
func (db *DB) migrate(ctx context.Context, kind fileKind) error {
	ms, err := migrations()
	if err != nil {
		return fmt.Errorf("read migrations: %w", err)
	}
	var v int
	if err := db.w.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return describeOpenError(db.path, err)
	}
	if v > len(ms) {
		return fmt.Errorf("database %s has schema version %d, newer than this neo knows (%d); upgrade neo", db.path, v, len(ms))
	}
	if v == len(ms) && kind != kindAdopted {
		return nil
	}
	// Already at this version when adopted: the mark is all that is missing.
	scripts := ms[v:]
	fresh := kind == kindEmpty && v == 0
	if fresh {
		// A new database: the newest schema at once, not every step to it.
		scripts = []string{baseline}
	}
	if v >= 1 && v < len(ms) {
		// An upgrade rewrites every table: a backup of the file as it was
		// comes first. With a pre-run copy (taken in Open before anything
		// writes: prerun.go) that copy is put in place here, and the
		// session's pre-run backup is then a fresh one of the migrated
		// file; otherwise (backfill, restore tests) one is written now. A
		// failed backup stops the upgrade with nothing changed.
		bak, err := db.Backup(ctx)
		if err != nil {
			return fmt.Errorf("backup before migrating %s from schema version %d to %d failed, so nothing was changed: %w", db.path, v, len(ms), err)
		}
		db.logger.Info("backup before the migration written", "db", db.path, "backup", bak, "version", v)
	}
	if err := db.applyMigrationsTo(ctx, v, len(ms), scripts); err != nil {
		return err
	}
	switch {
	case fresh:
		db.logger.Info("created database", "db", db.path, "version", len(ms))
	case v < len(ms):
		db.logger.Info("migrated database", "db", db.path, "from", v, "to", len(ms))
	}
	if kind == kindAdopted {
		db.logger.Info("adopted a neo database of an earlier version: marked it as neo's", "db", db.path, "application_id", fmt.Sprintf("0x%08X", ApplicationID))
	}
	if v >= 1 && v < 2 && len(ms) >= 2 {
		db.reportDamage(ctx)
	}
	return nil
}

// foreignKeysOff is the line by which a migration asks for foreign keys to
// be off around its transaction (a table rebuild; SQLite ignores the
// pragma inside a transaction).
const foreignKeysOff = "-- neo:foreign_keys_off"

// applyMigrationsTo runs scripts (migrations from+1 … to, or the baseline)
// and sets user_version = to and application_id, in one transaction.
func (db *DB) applyMigrationsTo(ctx context.Context, from, to int, scripts []string) (err error) {
	op := fmt.Sprintf("migration %d", to)
	if to-from > 1 {
		op = fmt.Sprintf("migrations %d to %d", from+1, to)
	}
	rebuild := false
	for _, sc := range scripts {
		rebuild = rebuild || strings.Contains(sc, foreignKeysOff)
	}
	if rebuild {
		if _, err := db.w.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
			return &WriteError{Path: db.path, Op: op, Err: err}
		}
		defer func() {
			// The writer's one connection keeps this setting: without it
			// the session would write with no foreign key enforced.
			if _, ferr := db.w.ExecContext(context.WithoutCancel(ctx), "PRAGMA foreign_keys = ON"); ferr != nil && err == nil {
				err = &WriteError{Path: db.path, Op: op + ": switch foreign keys back on", Err: ferr}
			}
		}()
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return &WriteError{Path: db.path, Op: op, Err: err}
	}
	defer tx.Rollback()
	before, err := tableCounts(ctx, tx)
	if err != nil {
		return &WriteError{Path: db.path, Op: op, Err: err}
	}
	for i, sc := range scripts {
		n := from + 1 + i
		if _, err := tx.ExecContext(ctx, sc); err != nil {
			return &WriteError{Path: db.path, Op: fmt.Sprintf("migration %d", n), Err: err}
		}
		// What one migration leaves is what the next one starts from.
		if before, err = checkRowsKept(ctx, tx, n, before); err != nil {
			return fmt.Errorf("migration %d of %s: %w; nothing was changed (the database is as it was). Report this with the file attached, or keep using the neo that made it", n, db.path, err)
		}
	}
	if rebuild {
		if err := foreignKeyCheck(ctx, tx); err != nil {
			return &WriteError{Path: db.path, Op: op, Err: err}
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", to)); err != nil {
		return &WriteError{Path: db.path, Op: op, Err: err}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d", ApplicationID)); err != nil {
		return &WriteError{Path: db.path, Op: op, Err: err}
	}
	if err := tx.Commit(); err != nil {
		return &WriteError{Path: db.path, Op: op, Err: err}
	}
	return nil
}

// tableCounts counts the rows of every table of neo's (damaged_values
// aside) in the transaction's snapshot.
func tableCounts(ctx context.Context, tx *sql.Tx) (map[string]int64, error) {
	names, err := queryStrings(ctx, tx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name <> 'damaged_values'`)
	if err != nil {
		return nil, err
	}
	counts := make(map[string]int64, len(names))
	for _, n := range names {
		var c int64
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM "`+strings.ReplaceAll(n, `"`, `""`)+`"`).Scan(&c); err != nil {
			return nil, err
		}
		counts[n] = c
	}
	return counts, nil
}

// checkRowsKept fails unless migration n kept every row of every table it
// found (before): each table's rows now plus the rows the migration moved
// to damaged_values ("row moved here by migration n") equal its rows
// before. A migration that drops rows silently is a bug, and its
// transaction must not commit. It returns the counts now.
func checkRowsKept(ctx context.Context, tx *sql.Tx, n int, before map[string]int64) (map[string]int64, error) {
	after, err := tableCounts(ctx, tx)
	if err != nil {
		return nil, err
	}
	damaged := hasTable(ctx, tx, "damaged_values")
	names := make([]string, 0, len(before))
	for t := range before {
		names = append(names, t)
	}
	sort.Strings(names)
	var bad []string
	for _, t := range names {
		now, ok := after[t]
		if !ok {
			bad = append(bad, fmt.Sprintf("table %s is gone (%d rows)", t, before[t]))
			continue
		}
		var moved int64
		if damaged {
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM damaged_values WHERE table_name = ? AND instr(detail, ?) > 0`,
				t, fmt.Sprintf("row moved here by migration %d:", n)).Scan(&moved); err != nil {
				return nil, err
			}
		}
		if now+moved != before[t] {
			bad = append(bad, fmt.Sprintf("%s had %d rows, has %d and moved %d to damaged_values: %d unaccounted for", t, before[t], now, moved, before[t]-now-moved))
		}
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("it would lose rows (%s)", strings.Join(bad, "; "))
	}
	return after, nil
}

func hasTable(ctx context.Context, tx *sql.Tx, name string) bool {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`, name).Scan(&n)
	return err == nil && n > 0
}

// foreignKeyCheck fails if a rebuild left a row whose parent is missing.
func foreignKeyCheck(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return err
	}
	defer rows.Close()
	var bad []string
	for rows.Next() && len(bad) < 5 {
		var table, parent string
		var rowid sql.NullInt64
		var fk int
		if err := rows.Scan(&table, &rowid, &parent, &fk); err != nil {
			return err
		}
		bad = append(bad, fmt.Sprintf("%s row %d has no %s", table, rowid.Int64, parent))
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(bad) > 0 {
		return fmt.Errorf("foreign key check after the rebuild failed (%s); nothing was changed", strings.Join(bad, "; "))
	}
	return nil
}

// reportDamage logs what migration 2 found not finite and set aside.
func (db *DB) reportDamage(ctx context.Context) {
	rows, err := db.w.QueryContext(ctx, "SELECT table_name, row_key, detail FROM damaged_values ORDER BY rowid")
	if err != nil {
		return
	}
	defer rows.Close()
	for rows.Next() {
		var table, key, detail string
		if rows.Scan(&table, &key, &detail) == nil {
			db.logger.Warn("migration found a value that is not a finite number", "db", db.path, "table", table, "row", key, "detail", detail)
		}
	}
}

// checkSchemaVersion makes sure a read-only handle reads a schema it knows.
func (db *DB) checkSchemaVersion(ctx context.Context) error {
	if _, err := identifyOn(ctx, db.r, db.path); err != nil {
		return err
	}
	var v int
	if err := db.r.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return describeOpenError(db.path, err)
	}
	switch want := SchemaVersion(); {
	case v == want:
		return nil
	case v > want:
		return fmt.Errorf("database %s has schema version %d, newer than this neo knows (%d); upgrade neo", db.path, v, want)
	case v == 0:
		return &NoSchemaError{Path: db.path}
	default:
		return fmt.Errorf("database %s has schema version %d, older than %d; run 'neo run' or 'neo backfill' once to migrate it", db.path, v, want)
	}
}

// NoSchemaError means the database has no neo schema yet: a new, empty file
// (a first start stopped before it wrote anything, or a file made by hand).
// It holds nothing to read; `neo run` makes the schema.
type NoSchemaError struct{ Path string }

// Error says what the file is and what to do.
func (e *NoSchemaError) Error() string {
	return fmt.Sprintf("database %s holds no neo sessions yet (schema version 0); start one with 'neo run'", e.Path)
}

// ErrorCode is ENOTFOUND: there is nothing to read.
func (e *NoSchemaError) ErrorCode() string { return engine.ENOTFOUND }
