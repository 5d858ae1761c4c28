package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"neo/engine"
	"neo/store"
)

const sqlite3CLI = "/usr/bin/sqlite3"

// cli runs the sqlite3 command-line shell on path (an independent reader
// and writer: not our driver); ok is false when it is not installed.
func cli(tb testing.TB, path, script string) (out string, ok bool) {
	tb.Helper()
	if _, err := os.Stat(sqlite3CLI); err != nil {
		return "", false
	}
	b, err := exec.Command(sqlite3CLI, path, script).CombinedOutput()
	if err != nil {
		tb.Fatalf("sqlite3 %s: %v\n%s", path, err, b)
	}
	return strings.TrimSpace(string(b)), true
}

// mustExec runs SQL on path through an independent handle of our driver.
func mustExec(tb testing.TB, path string, stmts ...string) {
	tb.Helper()
	d := rawDB(tb, path)
	for _, s := range stmts {
		if _, err := d.Exec(s); err != nil {
			tb.Fatalf("%s: %v", s, err)
		}
	}
	d.Close()
}

func schemaV1(tb testing.TB) string {
	tb.Helper()
	b, err := os.ReadFile("migrations/0001_init.sql")
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func pragmaInt(tb testing.TB, path, pragma string) int64 {
	tb.Helper()
	d := rawDB(tb, path)
	defer d.Close()
	var v int64
	if err := d.QueryRow("PRAGMA " + pragma).Scan(&v); err != nil {
		tb.Fatal(err)
	}
	return v
}

// Issue 8 item 7: a SQLite file that is not neo's is refused by every way
// in (run's Open, the read-only Open of sessions and history, check) and
// left byte for byte as it was, without a -wal or -shm beside it.
func TestForeignDatabaseIsRefusedUnchanged(t *testing.T) {
	tests := []struct {
		name  string
		setup []string
		want  []string // in the message
	}{
		{"OtherTables", []string{"CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT)", "CREATE TABLE notes (body TEXT)",
			"INSERT INTO contacts (name) VALUES ('ann')"}, []string{"application_id 0x00000000", "user_version 0", "tables: contacts, notes"}},
		{"SessionsOfOtherColumns", []string{"CREATE TABLE sessions (id INTEGER PRIMARY KEY, user TEXT, expires INTEGER)",
			"INSERT INTO sessions (user, expires) VALUES ('bob', 1)"}, []string{"tables: sessions"}},
		{"OtherApplicationID", append([]string{"PRAGMA application_id = 1196444487", "PRAGMA user_version = 1"}, strings.Split(schemaV1(t), ";\n")...),
			[]string{"application_id 0x47504B47, an OGC GeoPackage"}},
		{"NeoTablesWrongColumns", []string{"PRAGMA user_version = 1", "CREATE TABLE sessions (session_id TEXT PRIMARY KEY, started_at TEXT)"},
			[]string{"user_version 1", "neo's tables at that version are fills, inventory_snapshots"}},
		{"NewerThanNeo", []string{"PRAGMA user_version = 99", "CREATE TABLE sessions (session_id TEXT)"}, []string{"user_version 99"}},
		{"OnlyUserVersion", []string{"PRAGMA user_version = 7"}, []string{"user_version 7, no tables"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertForeignRefusedUnchanged(t, tt.setup, tt.want) })
	}
}

// foreignWays are the ways in that must refuse a foreign file.
var foreignWays = []struct {
	name string
	run  func(ctx context.Context, path string) error
}{
	{"Open", openWriterAndClose},
	{"OpenReadOnly", openReaderAndClose},
	{"Identify", store.Identify},
}

// openWriterAndClose opens path as neo run does and closes it at once.
func openWriterAndClose(ctx context.Context, path string) error {
	db, err := store.Open(ctx, store.Options{Path: path, Lock: true, CheckpointInterval: -1})
	if err == nil {
		db.Close(ctx)
	}
	return err
}

// openReaderAndClose opens path read-only, as sessions and history do, and
// closes it at once.
func openReaderAndClose(ctx context.Context, path string) error {
	db, err := store.Open(ctx, store.Options{Path: path, ReadOnly: true})
	if err == nil {
		db.Close(ctx)
	}
	return err
}

// assertForeignRefusedUnchanged builds a foreign file of setup (in
// journal_mode DELETE) and wants every way in to refuse it with a message
// holding each of want, and the file as it was.
func assertForeignRefusedUnchanged(t *testing.T, setup, want []string) {
	path := filepath.Join(t.TempDir(), "other.db")
	mustExec(t, path, setup...)
	before := hashFile(t, path)
	mode, haveCLI := cli(t, path, "PRAGMA journal_mode")
	if haveCLI && mode != "delete" {
		t.Fatalf("setup: journal_mode %q", mode)
	}
	ctx := context.Background()
	for _, way := range foreignWays {
		assertForeignRefusal(t, way.name, way.run(ctx, path), path, before, want)
	}
	if err := store.CheckFile(ctx, path, true); err != nil {
		t.Fatalf("CheckFile: %v (the file is a sound SQLite database)", err)
	}
	if haveCLI {
		if mode, _ := cli(t, path, "PRAGMA journal_mode"); mode != "delete" {
			t.Fatalf("sqlite3 sees journal_mode %q after the refusals, want delete", mode)
		}
		if got, _ := cli(t, path, "PRAGMA application_id"); got == "1313165105" {
			t.Fatal("sqlite3 sees neo's mark on a foreign file")
		}
	}
	if got := hashFile(t, path); got != before {
		t.Fatal("the file changed")
	}
}

// assertForeignRefusal wants err, what way gave on the foreign file at
// path, to be a *store.ForeignError whose message holds each of want and
// says what to do, and the file to hash to before with nothing beside it.
func assertForeignRefusal(t *testing.T, way string, err error, path, before string, want []string) {
	t.Helper()
	var fe *store.ForeignError
	if !errors.As(err, &fe) {
		t.Fatalf("%s: err=%v, want a *store.ForeignError", way, err)
	}
	msg := err.Error()
	for _, w := range append(want, "is not a neo database", "Pass --db with another path", path) {
		if !strings.Contains(msg, w) {
			t.Fatalf("%s: %q\nwant it to contain %q", way, msg, w)
		}
	}
	if strings.Contains(msg, "holds no neo sessions") {
		t.Fatalf("%s: %q claims it is a neo database", way, msg)
	}
	if got := hashFile(t, path); got != before {
		t.Fatalf("%s changed the file", way)
	}
	for _, side := range []string{"-wal", "-shm", "-journal"} {
		if _, err := os.Stat(path + side); err == nil {
			t.Fatalf("%s left %s%s", way, path, side)
		}
	}
}

// A new database and one made by an earlier neo (user_version 1, no mark)
// are neo's: marked NEO1, migrated, every row kept.
func TestNewAndEarlierDatabasesAreMarked(t *testing.T) {
	ctx := context.Background()
	t.Run("New", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "neo.db")
		MustClose(t, MustOpenDBAt(t, path, nil))
		if got := pragmaInt(t, path, "application_id"); got != store.ApplicationID {
			t.Fatalf("application_id %#x, want %#x", got, store.ApplicationID)
		}
		if got := pragmaInt(t, path, "user_version"); got != int64(store.SchemaVersion()) {
			t.Fatalf("user_version %d, want %d", got, store.SchemaVersion())
		}
		MustClose(t, MustOpenDBAt(t, path, nil)) // and reopens
	})
	t.Run("EmptyFile", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "neo.db")
		if err := os.WriteFile(path, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		MustClose(t, MustOpenDBAt(t, path, nil))
		if got := pragmaInt(t, path, "application_id"); got != store.ApplicationID {
			t.Fatalf("application_id %#x", got)
		}
	})
	t.Run("EarlierVersion", func(t *testing.T) {
		path := oldDatabase(t, false)
		db := MustOpenDBAt(t, path, nil)
		list, err := db.ListSessions(ctx, engine.SessionQuery{Asc: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].SessionID != "old-1" || list[1].SessionID != "old-2" || list[1].StartingValue != 4300 || *list[1].EndingValue != 4301.5 || list[1].FillCount != 1 {
			t.Fatalf("sessions after the migration: %+v", list)
		}
		MustClose(t, db)
		if got := pragmaInt(t, path, "application_id"); got != store.ApplicationID {
			t.Fatalf("application_id %#x, want %#x", got, store.ApplicationID)
		}
		if out, ok := cli(t, path, "PRAGMA integrity_check; PRAGMA foreign_key_check; PRAGMA user_version; PRAGMA application_id;"+
			"SELECT count(*) FROM sessions; SELECT count(*) FROM orders; SELECT count(*) FROM fills;"+
			"SELECT count(*) FROM inventory_snapshots; SELECT count(*) FROM valuation_snapshots; SELECT count(*) FROM session_events;"+
			"SELECT count(*) FROM damaged_values; SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL;"); ok {
			want := strings.Join([]string{"ok", "3", "1313165105", "2", "2", "1", "2", "1", "1", "0", "8"}, "\n")
			if out != want {
				t.Fatalf("sqlite3 sees after the migration:\n%s\nwant\n%s", out, want)
			}
		}
	})
}

// oldDatabase writes a database as the first neo did (schema version 1, no
// mark) with two sessions, orders, a fill and snapshots; withInf adds what
// a replay bar at 1e306 left: an infinite starting value and snapshot.
func oldDatabase(tb testing.TB, withInf bool) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "neo.db")
	stmts := append(strings.Split(schemaV1(tb), ";\n"),
		"PRAGMA user_version = 1",
		`INSERT INTO sessions VALUES ('old-1', '2026-01-01T00:00:00.000Z', '2026-01-01T01:00:00.000Z', 0, 'paper', 'sim', '{}', 'v1', 1000, 2000, 4300, 1000, 2000, 4300, 'operator_quit')`,
		`INSERT INTO sessions VALUES ('old-2', '2026-01-02T00:00:00.000Z', '2026-01-02T01:00:00.000Z', 0, 'paper', 'sim', '{}', 'v1', 1000, 2000, 4300, 1001, 1999, 4301.5, 'operator_quit')`,
		`INSERT INTO orders VALUES ('o1', 'old-2', 'buy', 2.3, 10, '2026-01-02T00:00:01.000Z', 'filled', '2026-01-02T00:00:02.000Z')`,
		`INSERT INTO orders VALUES ('o2', 'old-2', 'sell', 2.31, 10, '2026-01-02T00:00:01.000Z', 'cancelled', '2026-01-02T00:00:03.000Z')`,
		`INSERT INTO fills VALUES ('f1', 'old-2', 'o1', '2026-01-02T00:00:02.000Z', 'buy', 2.3, 10, 23, 0.01)`,
		`INSERT INTO inventory_snapshots VALUES ('old-2', '2026-01-02T00:00:01.000Z', 2.3, 1000, 2000, 2300, 4300, 53.4, 0.1, 0, 0)`,
		`INSERT INTO inventory_snapshots VALUES ('old-2', '2026-01-02T00:00:02.000Z', 2.3, 1010, 1977, 2323, 4300, 54, 0.2, 0, 0.01)`,
		`INSERT INTO valuation_snapshots VALUES ('old-2', '2026-01-02T00:00:01.000Z', 2.3, 2.3, 4300, 4300, 0, 0)`,
		`INSERT INTO session_events VALUES ('old-1', '2026-01-01T00:00:00.000Z', 'info', 'session_start', 'started')`,
	)
	if withInf {
		stmts = append(stmts,
			`INSERT INTO sessions VALUES ('old-inf', '2026-01-03T00:00:00.000Z', NULL, 0, 'paper', 'replay:huge.csv', '{}', 'v1', 1000, 2000, 9e999, NULL, NULL, NULL, NULL)`,
			`INSERT INTO orders VALUES ('o-inf', 'old-inf', 'buy', 1e306, 1e-303, '2026-01-03T00:00:01.000Z', 'open', NULL)`,
			`INSERT INTO inventory_snapshots VALUES ('old-inf', '2026-01-03T00:00:01.000Z', 1e306, 1000, 2000, 9e999, 9e999, 100, 50, 3, 0)`,
			`INSERT INTO session_events VALUES ('old-inf', '2026-01-03T00:00:00.000Z', 'info', 'session_start', 'started')`,
		)
	}
	mustExec(tb, path, stmts...)
	return path
}

// mustListSessions lists the sessions by q and wants n of them (none lost)
// and their JSON export to work.
func mustListSessions(t *testing.T, db *store.DB, q engine.SessionQuery, n int) {
	t.Helper()
	list, err := db.ListSessions(context.Background(), q)
	if err != nil {
		t.Fatalf("ListSessions: %v", err)
	}
	if len(list) != n {
		t.Fatalf("%d sessions, want %d (none lost)", len(list), n)
	}
	if _, err := json.Marshal(list); err != nil {
		t.Fatalf("the JSON export fails: %v", err)
	}
}

// reopenTampered closes db, runs stmts on its file through SQL (writes the
// store itself would refuse) and opens it again read-only, until the test
// ends.
func reopenTampered(t *testing.T, db *store.DB, stmts ...string) *store.DB {
	t.Helper()
	MustClose(t, db)
	mustExec(t, db.Path(), stmts...)
	r, err := store.Open(context.Background(), store.Options{Path: db.Path(), ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(context.Background()) })
	return r
}

// damagedLines is db's DamagedRows, one line of text each.
func damagedLines(t *testing.T, db *store.DB) []string {
	t.Helper()
	damaged, err := db.DamagedRows(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, d := range damaged {
		lines = append(lines, d.String())
	}
	return lines
}

// Issue 8 item 8: a database written before the CHECKs with an infinite
// value migrates (the session kept, the value set aside and named) and
// every reader, the JSON export included, works on it; no new non-finite
// value can be written to it.
func TestInfiniteValuesFromAnOldDatabase(t *testing.T) {
	ctx := context.Background()
	path := oldDatabase(t, true)
	db := MustOpenDBAt(t, path, nil)

	mustListSessions(t, db, engine.SessionQuery{}, 3)
	inf, err := db.GetSession(ctx, "old-inf")
	if err != nil {
		t.Fatal(err)
	}
	if inf.StartingValue != 0 || !strings.Contains(inf.Damage, "session old-inf: starting_value") {
		t.Fatalf("damaged session: value %v, damage %q", inf.StartingValue, inf.Damage)
	}
	for _, sort := range []engine.SortKey{engine.SortStartedAt, engine.SortPnL, engine.SortEndingValue} {
		if _, err := db.ListSessions(ctx, engine.SessionQuery{Sort: sort}); err != nil {
			t.Fatalf("sort %s: %v", sort, err)
		}
	}
	if inv, err := db.InventorySeries(ctx, "old-inf", 0); err != nil || len(inv) != 0 {
		t.Fatalf("inventory of the damaged session: %v, %v", inv, err)
	}
	if inv, err := db.InventorySeries(ctx, "old-2", 0); err != nil || len(inv) != 2 {
		t.Fatalf("inventory of a sound session: %v, %v", inv, err)
	}
	text := strings.Join(damagedLines(t, db), "\n")
	for _, w := range []string{"sessions old-inf: starting_value is missing", "starting_value=9.0e+999", "inventory_snapshots old-inf at 2026-01-03T00:00:01.000Z: not finite"} {
		if !strings.Contains(text, w) {
			t.Fatalf("DamagedRows:\n%s\nwant a line with %q", text, w)
		}
	}
	// The session is still open: recovery closes it.
	rec, err := db.Recover(ctx)
	if err != nil || len(rec) != 1 || rec[0].SessionID != "old-inf" {
		t.Fatalf("Recover: %+v, %v", rec, err)
	}
	assertNoNonFiniteWrites(t, db, path)
}

// assertNoNonFiniteWrites wants no new non-finite value written to the
// database at path, open as db, by the store or by SQL; it closes db.
// sqlite3 must then find the file sound, with 3 sessions, 2 inventory
// snapshots and 2 damaged values.
func assertNoNonFiniteWrites(t *testing.T, db *store.DB, path string) {
	t.Helper()
	s := newSession("new-inf", t0)
	s.StartingValue = posInf()
	if err := db.OpenSession(context.Background(), s); err == nil || !strings.Contains(err.Error(), "starting_value is +Inf, not a finite number") {
		t.Fatalf("OpenSession with +Inf: %v", err)
	}
	MustClose(t, db)
	raw := rawDB(t, path)
	for _, q := range []string{
		`INSERT INTO inventory_snapshots VALUES ((SELECT session_key FROM sessions WHERE session_id = 'old-2'), 1767312009000, 2.3, 1000, 2000, 9e999, 4300, 53.4, 0.1, 0, 0)`,
		`UPDATE sessions SET starting_value = -9e999 WHERE session_id = 'old-1'`,
		`UPDATE sessions SET ending_value = 9e999 WHERE session_id = 'old-1'`,
		`UPDATE fills SET fee_rlusd = 9e999`,
		`UPDATE orders SET price = 9e999`,
		`UPDATE valuation_snapshots SET pnl_rlusd = -9e999`,
	} {
		if _, err := raw.Exec(q); err == nil || !strings.Contains(err.Error(), "CHECK constraint failed") {
			t.Fatalf("%s: err=%v, want a CHECK failure", q, err)
		}
	}
	raw.Close()
	if out, ok := cli(t, path, "PRAGMA integrity_check; PRAGMA foreign_key_check; SELECT count(*) FROM sessions; SELECT count(*) FROM inventory_snapshots; SELECT count(*) FROM damaged_values"); ok {
		if want := "ok\n3\n2\n2"; out != want {
			t.Fatalf("sqlite3 sees:\n%s\nwant\n%s", out, want)
		}
	}
}

func posInf() float64 { var z float64; return 1 / z }

// Rows that somehow hold a non-finite number despite the CHECKs (written
// with ignore_check_constraints) do not break the readers.
func TestReadersSurviveNonFiniteRows(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	MustOpenSession(t, db, "good", t0)
	MustOpenSession(t, db, "bad", t0.Add(time.Hour))
	o := order("bad", "bad-o1", t0.Add(time.Hour+time.Second), engine.OrderFilled)
	if err := db.RecordFill(ctx, fill(o, "bad-f1", t0.Add(time.Hour+2*time.Second)), o); err != nil {
		t.Fatal(err)
	}
	if err := db.AddInventorySnapshot(ctx, inventory("bad", t0.Add(time.Hour+3*time.Second), 1000, 2500)); err != nil {
		t.Fatal(err)
	}
	r := reopenTampered(t, db, "PRAGMA ignore_check_constraints = ON",
		"UPDATE sessions SET starting_value = 9e999, ending_value = -9e999, ended_at = '2026-11-25T14:00:00.000Z', halt_reason = 'operator_quit' WHERE session_id = 'bad'",
		"UPDATE fills SET value_rlusd = 9e999",
		"UPDATE inventory_snapshots SET total_value_in_rlusd = 9e999")
	mustListSessions(t, r, engine.SessionQuery{Sort: engine.SortPnL}, 2)
	bad, err := r.GetSession(ctx, "bad")
	if err != nil {
		t.Fatal(err)
	}
	if bad.EndingValue != nil || !strings.Contains(bad.Damage, "starting_value +Inf is not a finite number") || !strings.Contains(bad.Damage, "ending_value -Inf") {
		t.Fatalf("bad session: ending %v, damage %q", bad.EndingValue, bad.Damage)
	}
	if fills, err := r.Fills(ctx, "bad", 0); err != nil || len(fills) != 0 {
		t.Fatalf("fills: %v, %v (the damaged one is left out)", fills, err)
	}
	if inv, err := r.InventorySeries(ctx, "bad", 0); err != nil || len(inv) != 0 {
		t.Fatalf("inventory: %v, %v", inv, err)
	}
	if damaged := damagedLines(t, r); len(damaged) != 3 {
		t.Fatalf("DamagedRows: %v, want the session, the fill and the snapshot", damaged)
	}
}

// Issue 8 item 9: one row with a time that is not a time blocks nothing:
// the readers name it, recovery skips it (and closes the others), check
// lists it. Branchy because it walks every reader over the one bad row.
func TestBadTimeRowBlocksNothing(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	MustOpenSession(t, db, "garbage", t0)
	MustOpenSession(t, db, "open", t0.Add(time.Hour))
	if err := db.AddEvent(ctx, engine.SessionEvent{SessionID: "open", CreatedAt: t0.Add(2 * time.Hour), Level: engine.LevelInfo, Kind: "x", Message: "m"}); err != nil {
		t.Fatal(err)
	}
	if err := db.AddEvent(ctx, engine.SessionEvent{SessionID: "open", CreatedAt: t0.Add(3 * time.Hour), Level: engine.LevelInfo, Kind: "x", Message: "late"}); err != nil {
		t.Fatal(err)
	}
	r := reopenTampered(t, db, "UPDATE sessions SET started_at = 'garbage-time' WHERE session_id = 'garbage'",
		"UPDATE session_events SET created_at = 'zzz' WHERE message = 'late'")
	list, err := r.ListSessions(ctx, engine.SessionQuery{})
	if err != nil {
		t.Fatalf("ListSessions: %v", err)
	}
	var garbage *engine.SessionSummary
	for i := range list {
		if list[i].SessionID == "garbage" {
			garbage = &list[i]
		}
	}
	if len(list) != 2 || garbage == nil {
		t.Fatalf("sessions: %+v", list)
	}
	if want := `session garbage: started_at "garbage-time" is not a time`; garbage.Damage != want {
		t.Fatalf("damage %q, want %q", garbage.Damage, want)
	}
	if _, err := r.GetSession(ctx, "garbage"); err != nil {
		t.Fatalf("GetSession: %v", err)
	}
	if evs, err := r.Events(ctx, "open", 0); err != nil || len(evs) != 1 {
		t.Fatalf("events: %v, %v (the one with a bad time left out)", evs, err)
	}
	plan, err := r.PlanRecovery(ctx)
	if err != nil || len(plan) != 1 || plan[0].SessionID != "open" || !plan[0].EndedAt.Equal(t0.Add(2*time.Hour)) {
		t.Fatalf("PlanRecovery: %+v, %v (want the sound session, ended at its last well-formed write)", plan, err)
	}
	lines := damagedLines(t, r)
	want := []string{`sessions garbage: started_at "garbage-time" is not a time`, `session_events open at zzz: created_at 'zzz' is not a time`}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("DamagedRows:\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	r.Close(ctx)

	// A start (Open with the lock, then Recover) is not blocked.
	w := MustOpenDBAt(t, db.Path(), nil)
	rec, err := w.Recover(ctx)
	if err != nil || len(rec) != 1 || rec[0].SessionID != "open" {
		t.Fatalf("Recover: %+v, %v", rec, err)
	}
	MustClose(t, w)
}

// schemaOf returns the schema of the database at path as SQLite keeps it,
// one line per object, normalised (quotes and whitespace), sorted.
func schemaOf(tb testing.TB, path string) string {
	tb.Helper()
	d := rawDB(tb, path)
	defer d.Close()
	rows, err := d.Query("SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY type, name")
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var typ, name, tbl, sql string
		if err := rows.Scan(&typ, &name, &tbl, &sql); err != nil {
			tb.Fatal(err)
		}
		sql = strings.Join(strings.Fields(strings.ReplaceAll(sql, `"`, "")), " ")
		out = append(out, typ+" "+name+" on "+tbl+": "+sql)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return strings.Join(out, "\n")
}

// A new database gets schema.sql at once; it must be what the migrations
// build step by step from version 1 (an earlier neo's database).
func TestBaselineEqualsMigrations(t *testing.T) {
	fresh := filepath.Join(t.TempDir(), "neo.db")
	MustClose(t, MustOpenDBAt(t, fresh, nil))
	migrated := filepath.Join(t.TempDir(), "neo.db")
	mustExec(t, migrated, append(strings.Split(schemaV1(t), ";\n"), "PRAGMA user_version = 1")...)
	MustClose(t, MustOpenDBAt(t, migrated, nil))
	a, b := schemaOf(t, fresh), schemaOf(t, migrated)
	if a != b {
		t.Fatalf("schema.sql builds\n%s\n\nthe migrations build\n%s", a, b)
	}
	for _, p := range []string{fresh, migrated} {
		if v := pragmaInt(t, p, "user_version"); v != int64(store.SchemaVersion()) {
			t.Fatalf("%s: user_version %d", p, v)
		}
		if id := pragmaInt(t, p, "application_id"); id != store.ApplicationID {
			t.Fatalf("%s: application_id %#x", p, id)
		}
	}
}
