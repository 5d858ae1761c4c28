package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

// The migrator's row count refuses a migration that loses a row without
// moving it to damaged_values, and accepts one that moved it.
func TestCheckRowsKeptCatchesALostRow(t *testing.T) {
	ctx := context.Background()
	d, err := sql.Open("sqlite", dsn(filepath.Join(t.TempDir(), "x.db")))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	d.SetMaxOpenConns(1)
	for _, q := range []string{
		`CREATE TABLE damaged_values (table_name TEXT, row_key TEXT, detail TEXT, found_at TEXT)`,
		`CREATE TABLE orders (id)`, `INSERT INTO orders VALUES (1), (2), (3)`,
	} {
		if _, err := d.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	tx, err := d.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	before, err := tableCounts(ctx, tx)
	if err != nil || before["orders"] != 3 || len(before) != 1 {
		t.Fatalf("counts %v, %v", before, err)
	}
	step := func(q string) {
		if _, err := tx.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	step(`DELETE FROM orders WHERE id = 1`)
	step(`INSERT INTO damaged_values VALUES ('orders', '1', 'x, row moved here by migration 3: id=1', '')`)
	if _, err := checkRowsKept(ctx, tx, 3, before); err != nil {
		t.Fatalf("a moved row: %v", err)
	}
	step(`DELETE FROM orders WHERE id = 2`)
	// Moved by another migration: does not count for this one.
	step(`INSERT INTO damaged_values VALUES ('orders', '2', 'x, row moved here by migration 2: id=2', '')`)
	_, err = checkRowsKept(ctx, tx, 3, before)
	if err == nil || !strings.Contains(err.Error(), "orders had 3 rows, has 1 and moved 1") {
		t.Fatalf("a lost row: %v", err)
	}
}
