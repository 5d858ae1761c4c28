package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
)

// ApplicationID marks a database as neo's: PRAGMA application_id =
// 0x4E454F31 ("NEO1"), written with the first migration (or when an
// unmarked neo database of an earlier version is adopted).
const ApplicationID = 0x4E454F31

// ForeignError is a non-empty database file that is not neo's: another
// program's SQLite database, or a database whose tables are not neo's.
// Nothing was written to it. The command layer exits 2 (usage error): the
// --db path names the wrong file.
type ForeignError struct {
	Path string
	// What says what the file seems to be.
	What string
}

// Error says what the file seems to be and what to do.
func (e *ForeignError) Error() string {
	return fmt.Sprintf("database %s is not a neo database: it seems to be %s; neo left it unchanged. Pass --db with another path (or move this file away)",
		e.Path, e.What)
}

// fileKind is what identify found.
type fileKind int

const (
	kindEmpty   fileKind = iota // no schema, no mark: a new database
	kindNeo                     // marked NEO1
	kindAdopted                 // unmarked, but neo's schema at user_version >= 1: mark it
)

// Identify returns *ForeignError when the database at path is a non-empty
// SQLite database that is not neo's, nil when it is neo's (of any version)
// or empty. It never writes: without a write-ahead log the file is read as
// immutable; with one that no process writes (a crash's), from a private
// copy, as CheckFile reads it (a reader that may not create the -shm beside
// it could not read it in place). `neo check` calls it after CheckFile.
func Identify(ctx context.Context, path string) error {
	live := false // a -wal with frames that a running process writes
	if hasFrames(path + "-wal") {
		live, _, _ = LockHolder(path)
	}
	if hotJournal(path) || (hasFrames(path+"-wal") && !live) {
		_, err := identifyCopy(ctx, path)
		return err
	}
	uri := dsn(path, "mode=ro", "immutable=1")
	if live {
		uri = dsn(path, "mode=ro", fmt.Sprintf("_pragma=busy_timeout(%d)", writerBusyTimeout))
	}
	_, err := identifyAt(ctx, uri, path)
	return err
}

// identify reads the header fields and the schema of the database at path
// through a read-only connection (so before anything writes, even the
// switch to WAL) and says whose it is, or returns *ForeignError.
func identify(ctx context.Context, path string) (fileKind, error) {
	return identifyAt(ctx, dsn(path, "mode=ro", fmt.Sprintf("_pragma=busy_timeout(%d)", writerBusyTimeout)), path)
}

// identifyAt is identifyOn through a connection of its own to uri, a
// connection string for the database at path (or a copy of it).
func identifyAt(ctx context.Context, uri, path string) (fileKind, error) {
	d, err := sql.Open("sqlite", uri)
	if err != nil {
		return 0, fmt.Errorf("open database %s: %w", path, err)
	}
	defer d.Close()
	d.SetMaxOpenConns(1)
	return identifyOn(ctx, d, path)
}

// identifyCopy is identify of the database at path as SQLite will read it
// once its hot journal is rolled back: of a private copy, rolled back by a
// read-write connection, so that the original stays as it is until the
// check has passed. (A read-only connection cannot roll a journal back and
// fails; an immutable one reads the half-written file.)
func identifyCopy(ctx context.Context, path string) (kind fileKind, err error) {
	err = withPrivateCopy(path, func(cp string) error {
		kind, err = identifyAt(ctx, dsn(cp, "_pragma=busy_timeout(5000)"), path)
		return err
	})
	return kind, err
}

func identifyOn(ctx context.Context, q queryer, path string) (fileKind, error) {
	var appID, version int64
	if err := q.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
		return 0, describeOpenError(path, err)
	}
	if err := q.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return 0, describeOpenError(path, err)
	}
	if appID == ApplicationID {
		return kindNeo, nil
	}
	tables, err := tableColumns(ctx, q)
	if err != nil {
		return 0, describeOpenError(path, err)
	}
	if appID == 0 && version == 0 && len(tables) == 0 {
		var objects int
		if err := q.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&objects); err != nil {
			return 0, describeOpenError(path, err)
		}
		if objects == 0 {
			return kindEmpty, nil
		}
	}
	what := describeForeign(appID, version, tables)
	if appID != 0 || version < 1 || version > int64(SchemaVersion()) {
		return 0, &ForeignError{Path: path, What: what}
	}
	want, err := schemaAt(ctx, int(version))
	if err != nil {
		return 0, err
	}
	if !sameSchema(tables, want) {
		return 0, &ForeignError{Path: path, What: what + "; neo's tables at that version are " + strings.Join(sortedKeys(want), ", ")}
	}
	return kindAdopted, nil
}

// tableColumns returns the ordinary tables of the database (not SQLite's
// own) and their column names.
func tableColumns(ctx context.Context, q queryer) (map[string][]string, error) {
	names, err := queryStrings(ctx, q, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]string, len(names))
	for _, n := range names {
		if out[n], err = queryStrings(ctx, q, "SELECT name FROM pragma_table_info(?) ORDER BY cid", n); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// queryStrings returns the one text column of a query's rows.
func queryStrings(ctx context.Context, q queryer, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// schemaAt builds neo's schema at version v in memory and returns its
// tables and columns: what an unmarked neo database of that version holds.
func schemaAt(ctx context.Context, v int) (map[string][]string, error) {
	ms, err := migrations()
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	d, err := sql.Open("sqlite", "file::memory:")
	if err != nil {
		return nil, err
	}
	defer d.Close()
	d.SetMaxOpenConns(1)
	for i := 0; i < v && i < len(ms); i++ {
		if _, err := d.ExecContext(ctx, ms[i]); err != nil {
			return nil, fmt.Errorf("migration %d in memory: %w", i+1, err)
		}
	}
	return tableColumns(ctx, d)
}

func sameSchema(got, want map[string][]string) bool {
	if len(got) != len(want) {
		return false
	}
	for t, cols := range want {
		g, ok := got[t]
		if !ok || strings.Join(g, ",") != strings.Join(cols, ",") {
			return false
		}
	}
	return true
}

// describeForeign says what a database that is not neo's seems to be.
func describeForeign(appID, version int64, tables map[string][]string) string {
	var b strings.Builder
	b.WriteString("a SQLite database of another program (")
	fmt.Fprintf(&b, "application_id 0x%08X", uint32(appID))
	if s := knownApplicationIDs[uint32(appID)]; s != "" {
		b.WriteString(", " + s)
	}
	fmt.Fprintf(&b, ", user_version %d", version)
	names := sortedKeys(tables)
	switch {
	case len(names) == 0:
		b.WriteString(", no tables")
	case len(names) > 8:
		fmt.Fprintf(&b, ", %d tables: %s, …", len(names), strings.Join(names[:8], ", "))
	default:
		b.WriteString(", tables: " + strings.Join(names, ", "))
	}
	b.WriteString(")")
	// Names come from the file: keep them printable and on one line.
	return oneLine(printable(b.String()))
}

// knownApplicationIDs names a few marks that other programs register
// (https://www.sqlite.org/src/file?name=magic.txt).
var knownApplicationIDs = map[uint32]string{
	0x47504b47: "an OGC GeoPackage",
	0x4d504258: "an MBTiles file",
}

func sortedKeys(m map[string][]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
