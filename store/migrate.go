package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrations returns the embedded migrations in order; migration i (from 0)
// brings the schema to user_version i+1.
func migrations() ([]string, error) {
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

// migrate applies the pending migrations, one transaction each.
func (db *DB) migrate(ctx context.Context) error {
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
	for i := v; i < len(ms); i++ {
		if err := db.applyMigration(ctx, i+1, ms[i]); err != nil {
			return err
		}
		db.logger.Info("migrated database", "db", db.path, "version", i+1)
	}
	return nil
}

func (db *DB) applyMigration(ctx context.Context, version int, script string) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return &WriteError{Path: db.path, Op: fmt.Sprintf("migration %d", version), Err: err}
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, script); err != nil {
		return &WriteError{Path: db.path, Op: fmt.Sprintf("migration %d", version), Err: err}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", version)); err != nil {
		return &WriteError{Path: db.path, Op: fmt.Sprintf("migration %d", version), Err: err}
	}
	if err := tx.Commit(); err != nil {
		return &WriteError{Path: db.path, Op: fmt.Sprintf("migration %d", version), Err: err}
	}
	return nil
}

// checkSchemaVersion makes sure a read-only handle reads a schema it knows.
func (db *DB) checkSchemaVersion(ctx context.Context) error {
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
		return fmt.Errorf("database %s holds no neo sessions yet (schema version 0); start one with 'neo run'", db.path)
	default:
		return fmt.Errorf("database %s has schema version %d, older than %d; run 'neo run' or 'neo backfill' once to migrate it", db.path, v, want)
	}
}
