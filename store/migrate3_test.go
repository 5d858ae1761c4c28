package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"neo/engine"
	"neo/store"
)

// oldSchema returns the SQL that built a database of schema version v (1 or
// 2) as the neo of that version did, from the migrations it shipped (they
// are never edited once released).
func oldSchema(tb testing.TB, v int) []string {
	tb.Helper()
	var stmts []string
	for _, f := range []string{"migrations/0001_init.sql", "migrations/0002_finite_reals.sql"}[:v] {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		stmts = append(stmts, string(b))
	}
	stmts = append(stmts, fmt.Sprintf("PRAGMA user_version = %d", v))
	if v >= 2 {
		stmts = append(stmts, fmt.Sprintf("PRAGMA application_id = %d", store.ApplicationID))
	}
	return stmts
}

// oldRows fills a v1/v2 database with what an earlier neo wrote: three
// sessions (one left open by a crash), 600 orders in every state, fills,
// snapshots with and without an anchor (0), events. Times are wall times.
var oldRows = []string{
	`INSERT INTO sessions VALUES ('s-a', '2026-11-01T10:00:00.000Z', '2026-11-01T10:07:00.000Z', 0, 'paper', 'replay:x.csv', '{}', 'v2', 1000, 2300, 4600, 1010, 2280, 4603.5, 'feed_ended')`,
	`INSERT INTO sessions VALUES ('s-b', '2026-11-02T10:00:00.000Z', '2026-11-02T11:00:00.000Z', 1, 'paper', 'sim', '{}', 'v2', 1000, 2300, 4600, 990, 2330, 4601.25, 'unclean_exit')`,
	`INSERT INTO sessions VALUES ('s-c', '2026-11-03T10:00:00.000Z', NULL, 0, 'paper', 'sim', '{}', 'v2', 1000, 2300, 4600, NULL, NULL, NULL, NULL)`,
	`WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 600)
	 INSERT INTO orders SELECT 's-' || char(97 + i % 3) || '-o' || i, 's-' || char(97 + i % 3), CASE i % 2 WHEN 0 THEN 'buy' ELSE 'sell' END,
		2.3 + i * 0.0001, 6 + i * 0.001, strftime('%Y-%m-%dT%H:%M:%fZ', '2026-11-01T10:00:00.000Z', '+' || (i % 3) || ' days', '+' || (i * 0.25) || ' seconds'),
		CASE WHEN i % 5 = 0 THEN 'filled' WHEN i % 7 = 0 AND i % 3 = 2 THEN 'open' ELSE 'cancelled' END,
		CASE WHEN i % 7 = 0 AND i % 3 = 2 AND i % 5 <> 0 THEN NULL
			ELSE strftime('%Y-%m-%dT%H:%M:%fZ', '2026-11-01T10:00:00.000Z', '+' || (i % 3) || ' days', '+' || (i * 0.25 + 1.5) || ' seconds') END
	 FROM c`,
	`INSERT INTO fills SELECT replace(order_id, '-o', '-f'), session_id, order_id, closed_at, side, price, qty_xrp, price * qty_xrp, price * qty_xrp * 1e-4
	 FROM orders WHERE status = 'filled'`,
	`WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 300)
	 INSERT INTO inventory_snapshots SELECT 's-' || char(97 + i % 3), strftime('%Y-%m-%dT%H:%M:%fZ', '2026-11-01T10:00:00.000Z', '+' || (i % 3) || ' days', '+' || i || ' seconds'),
		2.3 + i * 1e-5, 1000 + i, 2300 - i, (1000 + i) * 2.3, 4600 + i * 0.01, 50 + i * 0.01, i * 0.01, i % 3, i * 1e-3 FROM c`,
	`WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 200)
	 INSERT INTO valuation_snapshots SELECT 's-' || char(97 + i % 3), strftime('%Y-%m-%dT%H:%M:%fZ', '2026-11-01T10:00:00.000Z', '+' || (i % 3) || ' days', '+' || i || ' seconds'),
		2.3 + i * 1e-5, CASE WHEN i % 3 = 0 THEN 0 ELSE 2.3 + i * 2e-5 END, 4600 + i * 0.01, 4600, i * 0.01, i * 1e-4 FROM c`,
	`WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 40)
	 INSERT INTO session_events SELECT 's-' || char(97 + i % 3), strftime('%Y-%m-%dT%H:%M:%fZ', '2026-11-01T10:00:00.000Z', '+' || (i % 3) || ' days', '+' || (i * 3) || ' seconds'),
		'info', 'k' || i, 'message ' || i FROM c`,
}

// figures are the counts and sums of every table, through an independent
// read-only connection: before the migration over the text times, after
// it over the market times (old rows: market time = their wall time).
func figures(tb testing.TB, path string, v3 bool) string {
	tb.Helper()
	d, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		tb.Fatal(err)
	}
	defer d.Close()
	ms := func(col string) string {
		if v3 {
			return col
		}
		return "CAST(round((julianday(" + col + ") - 2440587.5) * 86400000) AS INTEGER)"
	}
	t := func(old, new string) string {
		if v3 {
			return new
		}
		return old
	}
	sid := t("session_id", "(SELECT session_id FROM sessions s WHERE s.session_key = x.session_key)")
	queries := []string{
		`SELECT count(*), group_concat(session_id || ' ' || started_at || ' ' || IFNULL(ended_at, '-') || ' ' || ` +
			t("started_at || ' ' || IFNULL(ended_at, '-')", "market_started_at || ' ' || IFNULL(market_ended_at, '-')") +
			` || ' ' || IFNULL(ending_value, '-'), ';') FROM (SELECT * FROM sessions ORDER BY session_id)`,
		`SELECT count(*), sum(price), sum(qty_xrp), sum(` + ms(t("created_at", "market_time")) + `), sum(` + ms(t("closed_at", "closed_market_time")) + `),
			sum(status = 'open'), sum(status = 'filled'), group_concat(DISTINCT ` + sid + `) FROM orders x`,
		`SELECT count(*), sum(price), sum(value_rlusd), sum(fee_rlusd), sum(` + ms(t("executed_at", "market_time")) + `), count(DISTINCT order_id) FROM fills x`,
		`SELECT count(*), sum(mid_price), sum(xrp_balance), sum(total_value_in_rlusd), sum(skew_tier), sum(` + ms(t("created_at", "market_time")) + `) FROM inventory_snapshots x`,
		`SELECT count(*), sum(mid_price), sum(IFNULL(anchor_price, 0)), sum(pnl_rlusd), sum(` + ms(t("created_at", "market_time")) + `) FROM valuation_snapshots x`,
		`SELECT count(*), group_concat(` + sid + ` || ' ' || created_at || ' ' || kind, ';') FROM session_events x`,
	}
	var out []string
	for _, q := range queries {
		rows, err := d.Query(q)
		if err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
		for rows.Next() {
			vals := scanValues(tb, rows)
			parts := make([]string, len(vals))
			for i, v := range vals {
				parts[i] = fmt.Sprintf("%v", v)
			}
			out = append(out, strings.Join(parts, " | "))
		}
		rows.Close()
	}
	return strings.Join(out, "\n")
}

// Issue 11 item 1: a database made by an earlier neo (schema version 1, and
// version 2 as today's main makes it) migrates in place to version 3 in one
// transaction, after a backup of the file as it was, and keeps every row:
// counts and sums compared through an independent reader and the sqlite3
// shell. Old rows' market time is their wall time; an anchor of 0 is no
// anchor (NULL).
func TestMigrationToMarketTimeKeepsEveryRow(t *testing.T) {
	for _, v := range []int{1, 2} {
		t.Run(fmt.Sprintf("FromVersion%d", v), func(t *testing.T) { migrateKeepingEveryRow(t, v) })
	}
}

// migrationCLICounts is the sqlite3 script whose answer the migration must
// not change: the row counts of every table and the orders' total value.
const migrationCLICounts = "SELECT count(*) FROM orders; SELECT count(*) FROM fills; SELECT count(*) FROM inventory_snapshots; " +
	"SELECT count(*) FROM valuation_snapshots; SELECT count(*) FROM session_events; SELECT printf('%.6f', sum(price * qty_xrp)) FROM orders;"

// migrateKeepingEveryRow builds a version v database of oldRows, opens it
// (which migrates it) and checks the migrated file, the backup taken
// before the migration and what the readers see.
func migrateKeepingEveryRow(t *testing.T, v int) {
	path := filepath.Join(t.TempDir(), "neo.db")
	mustExec(t, path, append(oldSchema(t, v), oldRows...)...)
	before := figures(t, path, false)
	if !strings.HasPrefix(before, "3 | ") || !strings.Contains(before, "\n600 | ") {
		t.Fatalf("the old database is not as built:\n%s", before)
	}
	cliBefore, haveCLI := cli(t, path, migrationCLICounts)

	db := MustOpenDBAt(t, path, nil)
	MustClose(t, db)

	if got := pragmaInt(t, path, "user_version"); got != int64(store.SchemaVersion()) {
		t.Fatalf("user_version %d after the migration", got)
	}
	after := figures(t, path, true)
	if after != before {
		t.Fatalf("the figures changed in the migration:\nbefore\n%s\nafter\n%s", before, after)
	}
	if haveCLI {
		out, _ := cli(t, path, "PRAGMA integrity_check; PRAGMA foreign_key_check; "+migrationCLICounts+
			" SELECT count(*) FROM valuation_snapshots WHERE anchor_price IS NULL; SELECT count(*) FROM damaged_values;")
		if want := "ok\n" + cliBefore + "\n66\n0"; out != want {
			t.Fatalf("sqlite3 sees after the migration:\n%s\nwant\n%s", out, want)
		}
	}
	assertPreMigrationBackup(t, path, v, before)
	assertMigratedReaders(t, path)
}

// assertPreMigrationBackup wants the one backup of path to be the version v
// file as it was before the migration, with the figures before.
func assertPreMigrationBackup(t *testing.T, path string, v int, before string) {
	t.Helper()
	baks, err := store.ListBackups(path)
	if err != nil || len(baks) != 1 {
		t.Fatalf("backups %v, %v: want the one taken before the migration", baks, err)
	}
	if got := pragmaInt(t, baks[0], "user_version"); got != int64(v) {
		t.Fatalf("the backup has user_version %d, want %d (the file before the migration)", got, v)
	}
	if fb := figures(t, baks[0], false); fb != before {
		t.Fatalf("the pre-migration backup differs:\n%s\nwant\n%s", fb, before)
	}
}

// assertMigratedReaders wants the readers to see the old rows in market
// time, and recovery to close the session left open.
func assertMigratedReaders(t *testing.T, path string) {
	t.Helper()
	ctx := context.Background()
	r := MustOpenDBAt(t, path, nil)
	s, err := r.GetSession(ctx, "s-a")
	if err != nil || s.MarketStartedAt == nil || !s.MarketStartedAt.Equal(s.StartedAt) || !s.MarketEndedAt.Equal(*s.EndedAt) || s.FillCount == 0 {
		t.Fatalf("session s-a: %+v, %v", s, err)
	}
	rec, err := r.Recover(ctx)
	if err != nil || len(rec) != 1 || rec[0].SessionID != "s-c" || rec[0].OrdersCanceled == 0 {
		t.Fatalf("Recover: %+v, %v", rec, err)
	}
	// s-a's snapshots had anchor 0 (none), s-b's an anchor.
	for id, want := range map[string]bool{"s-a": false, "s-b": true} {
		assertAnchors(t, r, id, want)
	}
	var evs []engine.SessionEvent
	if evs, err = r.Events(ctx, "s-b", 0); err != nil || len(evs) == 0 || !evs[0].MarketTime.Equal(evs[0].CreatedAt) {
		t.Fatalf("events of s-b: %+v, %v", evs, err)
	}
	MustClose(t, r)
}

// assertAnchors wants session id to have valuations, every one of them
// with an anchor price if want and none if not.
func assertAnchors(t *testing.T, db *store.DB, id string, want bool) {
	t.Helper()
	vals, err := db.ValuationSeries(context.Background(), id, 0)
	if err != nil || len(vals) == 0 {
		t.Fatalf("valuations of %s: %d, %v", id, len(vals), err)
	}
	for _, v := range vals {
		if (v.AnchorPrice != nil) != want {
			t.Fatalf("valuation of %s at %v: anchor %v, want one: %v", id, v.MarketTime, v.AnchorPrice, want)
		}
	}
}
