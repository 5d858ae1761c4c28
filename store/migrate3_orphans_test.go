package store_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"neo/store"
)

// orphanRows are rows an earlier neo could leave pointing at a session that
// is not there (written with foreign keys off, the session row lost): one
// of every kind.
var orphanRows = []string{
	`INSERT INTO orders VALUES ('gone-o1', 's-gone', 'buy', 2.5, 6, '2026-11-01T10:00:00.000Z', 'filled', '2026-11-01T10:00:01.000Z')`,
	`INSERT INTO fills VALUES ('gone-f1', 's-gone', 'gone-o1', '2026-11-01T10:00:01.000Z', 'buy', 2.5, 6, 15, 0.01)`,
	`INSERT INTO inventory_snapshots VALUES ('s-gone', '2026-11-01T10:00:02.000Z', 2.5, 1000, 2300, 2500, 4800, 52, 2, 0, 0.1)`,
	`INSERT INTO valuation_snapshots VALUES ('s-gone', '2026-11-01T10:00:03.000Z', 2.5, 2.5, 4800, 4800, 0, 0)`,
	`INSERT INTO session_events VALUES ('s-gone', '2026-11-01T10:00:04.000Z', 'info', 'k', 'an orphan event')`,
}

// Migration 3 drops no row: a row whose session does not exist is moved to
// damaged_values with its values, as a row whose time is not a time is, and
// every table's rows before = rows after + rows moved.
func TestMigrationToMarketTimeMovesOrphans(t *testing.T) {
	for _, v := range []int{1, 2} {
		t.Run(fmt.Sprintf("FromVersion%d", v), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "neo.db")
			mustExec(t, path, append(append(oldSchema(t, v), oldRows...), orphanRows...)...)
			tables := []string{"orders", "fills", "inventory_snapshots", "valuation_snapshots", "session_events"}
			before := map[string]int64{}
			for _, tb := range tables {
				before[tb] = count(t, path, "SELECT count(*) FROM "+tb)
			}
			MustClose(t, MustOpenDBAt(t, path, nil))
			if got := pragmaInt(t, path, "user_version"); got != int64(store.SchemaVersion()) {
				t.Fatalf("user_version %d after the migration", got)
			}
			for _, tb := range tables {
				after := count(t, path, "SELECT count(*) FROM "+tb)
				moved := count(t, path, "SELECT count(*) FROM damaged_values WHERE table_name = '"+tb+"'")
				if moved != 1 || after+moved != before[tb] {
					t.Errorf("%s: %d rows before, %d after, %d moved to damaged_values; want the orphan moved", tb, before[tb], after, moved)
				}
			}
		})
	}
}

func count(tb testing.TB, path, q string) int64 {
	tb.Helper()
	d := rawDB(tb, path)
	defer d.Close()
	var n int64
	if err := d.QueryRow(q).Scan(&n); err != nil {
		tb.Fatalf("%s: %v", q, err)
	}
	return n
}
