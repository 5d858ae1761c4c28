package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"neo/cmd/internal/proofkit"
)

// refCommit is the commit whose binary gives "today's figure": the tree
// before the store and the replay were reworked for speed. The Makefile's bench target builds it into
// bin/neo-ref and passes it as --ref-bin.
const refCommit = "2669f33"

// replayLimit bounds one replay run: a hung binary fails the row instead of
// the whole bench.
const replayLimit = 10 * time.Minute

// replayFig is one headless replay at --speed 0, timed two ways: by the
// binary's own log ("session started" → "session ended": the replay and the
// shutdown) and by our clock from the moment we read "session started" to
// the reaped process (adds the end-of-run report and the exit).
type replayFig struct {
	bars     int
	logSpan  time.Duration // binary's clock: "session started" → "session ended"
	exitSpan time.Duration // our clock: "session started" read → process reaped
	maxRSS   int64
	dbBytes  int64 // page_count × page_size after exit, by a fresh read-only connection
	pageSize int64
	db       string
}

// logRate is bars per second over the log span.
func (f replayFig) logRate() float64 { return float64(f.bars) / f.logSpan.Seconds() }

// exitRate is bars per second up to the process's exit.
func (f replayFig) exitRate() float64 { return float64(f.bars) / f.exitSpan.Seconds() }

// logTime is the time= field of the first logfmt line of log whose msg is
// msg: the binary's own clock at that event.
func logTime(log, msg string) (time.Time, error) {
	for _, line := range strings.Split(log, "\n") {
		if !strings.Contains(line, msg) {
			continue
		}
		f := parseLogfmt(line)
		if f["msg"] != msg {
			continue
		}
		ts, ok := f["time"]
		if !ok {
			return time.Time{}, fmt.Errorf("the %q log line has no time field: %q", msg, proofkit.Tail(line, 200))
		}
		t, err := time.Parse(time.RFC3339Nano, ts)
		if err != nil {
			return time.Time{}, fmt.Errorf("the %q log line's time %q: %v", msg, ts, err)
		}
		return t, nil
	}
	return time.Time{}, fmt.Errorf("no %q line in the log", msg)
}

// replayRun runs bin on csv headless at --speed 0 into a fresh database in
// dbDir, checks that it ended cleanly on feed_ended (strict: the current
// schema's guarantees, through checkClean; otherwise a check that holds on
// any schema, for the reference binary of an older commit), and measures it.
func replayRun(ctx context.Context, bin, dbDir, csv string, bars int, strict bool) (replayFig, error) {
	f := replayFig{bars: bars, db: filepath.Join(dbDir, "neo.db")}
	cfg := writeTemp(dbDir, "cfg.toml", wideConfig)
	p, err := proofkit.Start("", bin, nil, "run", "--db", f.db, "--config", cfg, "--headless", "--speed", "0", "--feed", "replay:"+csv, "--log-format", "logfmt")
	if err != nil {
		return f, err
	}
	defer p.Kill()
	began, err := p.ErrOut.WaitFor("session started", time.Minute, p.Done)
	if err != nil {
		return f, fmt.Errorf("%s: %v: %s", filepath.Base(bin), err, proofkit.Tail(p.ErrOut.String(), 300))
	}
	select {
	case <-p.Done:
	case <-ctx.Done():
		return f, ctx.Err()
	case <-time.After(replayLimit):
		return f, fmt.Errorf("%s: the replay of %d bars still runs after %s; killed", filepath.Base(bin), bars, replayLimit)
	}
	if p.Code != 0 {
		return f, fmt.Errorf("%s: replay of %d bars: exit %d: %s", filepath.Base(bin), bars, p.Code, proofkit.Tail(p.ErrOut.String(), 300))
	}
	if strict {
		_, err = checkClean(ctx, f.db, "feed_ended")
	} else {
		err = checkEndedAnySchema(ctx, f.db, "feed_ended")
	}
	if err != nil {
		return f, fmt.Errorf("%s: replay of %d bars: %v", filepath.Base(bin), bars, err)
	}
	log := p.ErrOut.String()
	t0, err := logTime(log, "session started")
	if err != nil {
		return f, err
	}
	t1, err := logTime(log, "session ended")
	if err != nil {
		return f, err
	}
	if f.logSpan = t1.Sub(t0); f.logSpan <= 0 {
		return f, fmt.Errorf("%s: \"session ended\" (%s) is not after \"session started\" (%s)", filepath.Base(bin), t1, t0)
	}
	f.exitSpan = p.Exited.Sub(began)
	if ru, ok := p.Cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		f.maxRSS = ru.Maxrss * 1024
	}
	f.dbBytes, f.pageSize, err = dbBytes(ctx, f.db)
	return f, err
}

// checkEndedAnySchema holds the part of a clean ending that every schema
// version shares: an empty WAL, quick_check ok and the newest session's
// halt_reason, read by a fresh read-only connection.
func checkEndedAnySchema(ctx context.Context, path, want string) error {
	if n := proofkit.WALSize(path); n != 0 {
		return fmt.Errorf("%s-wal holds %d bytes after exit, want none", path, n)
	}
	db, err := proofkit.OpenReader(path)
	if err != nil {
		return err
	}
	defer db.Close()
	if qc, err := proofkit.QuickCheck(ctx, db); err != nil || qc != "ok" {
		return fmt.Errorf("quick_check: %q %v", qc, err)
	}
	var reason sql.NullString
	if err := db.QueryRowContext(ctx, "SELECT halt_reason FROM sessions ORDER BY rowid DESC LIMIT 1").Scan(&reason); err != nil {
		return fmt.Errorf("read the newest session: %w", err)
	}
	if reason.String != want {
		return fmt.Errorf("halt_reason=%q, want %q", reason.String, want)
	}
	return nil
}

// dbBytes is page_count × page_size of path, by a fresh read-only
// connection (the size SQLite itself accounts for, WAL excluded: callers
// have checked that the WAL is empty).
func dbBytes(ctx context.Context, path string) (bytes, pageSize int64, err error) {
	db, err := proofkit.OpenReader(path)
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	var pages int64
	if err := db.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		return 0, 0, fmt.Errorf("page_count of %s: %w", path, err)
	}
	if err := db.QueryRowContext(ctx, "PRAGMA page_size").Scan(&pageSize); err != nil {
		return 0, 0, fmt.Errorf("page_size of %s: %w", path, err)
	}
	return pages * pageSize, pageSize, nil
}

// bareInsertChunk is how many rows are read from the source between two
// timed insert bursts: bounds our memory on a year's replay.
const bareInsertChunk = 50_000

// bareInsert copies every row of src (a database the binary wrote) into a
// fresh database dst with the same schema (tables and indexes, in creation
// order), page size, WAL, synchronous=FULL and foreign keys on, through one
// prepared INSERT per table, all in one transaction. It returns the time
// spent in the inserts and the commit (reading src is not counted) and the
// number of rows: the floor under any way of persisting the same rows.
func bareInsert(ctx context.Context, src, dst string) (took time.Duration, rows int64, err error) {
	_, pageSize, err := dbBytes(ctx, src)
	if err != nil {
		return 0, 0, err
	}
	in, err := proofkit.OpenReader(src)
	if err != nil {
		return 0, 0, err
	}
	defer in.Close()
	objs, err := readSchema(ctx, in, "main")
	if err != nil {
		return 0, 0, fmt.Errorf("read the schema of %s: %w", src, err)
	}

	out, err := sql.Open("sqlite", "file:"+dst+fmt.Sprintf("?_pragma=page_size(%d)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)", pageSize))
	if err != nil {
		return 0, 0, err
	}
	defer out.Close()
	out.SetMaxOpenConns(1)
	for _, o := range objs {
		if _, err := out.ExecContext(ctx, o.sql); err != nil {
			return 0, 0, fmt.Errorf("create %s %s in %s: %w", o.typ, o.name, dst, err)
		}
	}
	conn, err := out.Conn(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer conn.Close()
	start := time.Now()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, err
	}
	defer tx.Rollback()
	took = time.Since(start)
	for _, o := range objs {
		if o.typ != "table" {
			continue
		}
		n, d, err := copyTable(ctx, in, tx, o.name)
		if err != nil {
			return 0, 0, err
		}
		rows += n
		took += d
	}
	start = time.Now()
	if err := tx.Commit(); err != nil {
		return 0, 0, fmt.Errorf("commit the bare insert into %s: %w", dst, err)
	}
	return took + time.Since(start), rows, nil
}

// schemaObject is one table or index of a database's schema.
type schemaObject struct{ typ, name, sql string }

// readSchema reads the CREATE statements of schema's tables and indexes in
// creation order (parents before children), SQLite's own objects left out.
func readSchema(ctx context.Context, q proofkit.Queryer, schema string) ([]schemaObject, error) {
	objs, err := proofkit.Collect(ctx, q, func(r *sql.Rows) (o schemaObject, err error) {
		err = r.Scan(&o.typ, &o.name, &o.sql)
		return o, err
	}, fmt.Sprintf("SELECT type, name, sql FROM %q.sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%%' ORDER BY rowid", schema))
	if err != nil {
		return nil, err
	}
	if len(objs) == 0 {
		return nil, errors.New("no table in the schema")
	}
	return objs, nil
}

// bareInsertSelect is bareInsert without the driver: a fresh database dst
// with src's schema, src attached read-only and one INSERT … SELECT per
// table, in one transaction, so that every row crosses SQLite alone
// (reading src is counted: it is in the page cache, just read by
// bareInsert). It returns the time of the transaction.
func bareInsertSelect(ctx context.Context, src, dst string, pageSize int64) (time.Duration, error) {
	out, err := sql.Open("sqlite", "file:"+dst+fmt.Sprintf("?_pragma=page_size(%d)", pageSize)+"&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)")
	if err != nil {
		return 0, err
	}
	defer out.Close()
	out.SetMaxOpenConns(1)
	conn, err := out.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "ATTACH DATABASE ? AS src", "file:"+src+"?mode=ro"); err != nil {
		return 0, fmt.Errorf("attach %s: %w", src, err)
	}
	var tables []string
	objs, err := readSchema(ctx, conn, "src")
	if err != nil {
		return 0, err
	}
	for _, o := range objs {
		if _, err := conn.ExecContext(ctx, o.sql); err != nil {
			return 0, fmt.Errorf("create %s %s in %s: %w", o.typ, o.name, dst, err)
		}
		if o.typ == "table" {
			tables = append(tables, o.name)
		}
	}
	start := time.Now()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	for _, n := range tables {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("INSERT INTO main.%q SELECT * FROM src.%q ORDER BY rowid", n, n)); err != nil {
			return 0, fmt.Errorf("insert … select into %s: %w", n, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// copyTable inserts every row of table from in into tx, chunk by chunk in
// rowid order, and returns the rows and the time spent inserting.
func copyTable(ctx context.Context, in *sql.DB, tx *sql.Tx, table string) (rows int64, took time.Duration, err error) {
	var st *sql.Stmt
	defer func() {
		if st != nil {
			st.Close()
		}
	}()
	last := int64(-1 << 63)
	for {
		r, err := in.QueryContext(ctx, fmt.Sprintf("SELECT rowid, * FROM %q WHERE rowid > ? ORDER BY rowid LIMIT %d", table, bareInsertChunk), last)
		if err != nil {
			return 0, 0, fmt.Errorf("read %s: %w", table, err)
		}
		cols, _ := r.Columns()
		var chunk [][]any
		for r.Next() {
			v, err := scanValues(r, len(cols))
			if err != nil {
				r.Close()
				return 0, 0, fmt.Errorf("read %s: %w", table, err)
			}
			chunk = append(chunk, v[1:])
			last = v[0].(int64)
		}
		r.Close()
		if err := r.Err(); err != nil {
			return 0, 0, fmt.Errorf("read %s: %w", table, err)
		}
		if len(chunk) == 0 {
			return rows, took, nil
		}
		start := time.Now()
		if st == nil {
			q := fmt.Sprintf("INSERT INTO %q VALUES (?%s)", table, strings.Repeat(", ?", len(chunk[0])-1))
			if st, err = tx.PrepareContext(ctx, q); err != nil {
				return 0, 0, fmt.Errorf("prepare the insert into %s: %w", table, err)
			}
		}
		for _, v := range chunk {
			if _, err := st.ExecContext(ctx, v...); err != nil {
				return 0, 0, fmt.Errorf("insert into %s: %w", table, err)
			}
		}
		took += time.Since(start)
		rows += int64(len(chunk))
	}
}

// benchReplay is the replay rows: a year of one-minute bars (by
// default) replayed headless at --speed 0 with every order, fill and
// snapshot persisted, beside today's figure (the binary of refCommit, run
// on the same file in the same run when --ref-bin is given) and beside a
// bare SQLite insert of the same rows in one transaction; and the bytes of
// database per replayed bar.
func benchReplay(ctx context.Context, o options, sz benchSizes, rng *rand.Rand, t *benchTable) error {
	dir, cleanup, err := o.tempDir("replay")
	if err != nil {
		return err
	}
	defer cleanup()
	csv := filepath.Join(dir, "bars.csv")
	if err := proofkit.WriteBars(csv, 7, sz.replayBars); err != nil {
		return err
	}
	newDir, refDir := filepath.Join(dir, "new"), filepath.Join(dir, "ref")
	for _, d := range []string{newDir, refDir} {
		if err := os.Mkdir(d, 0o700); err != nil {
			return err
		}
	}
	rb := replayBench{bars: sz.replayBars, refBin: o.refBin,
		refNote: fmt.Sprintf("reference binary not given (`make bench` builds bin/neo-ref from %s; or pass --ref-bin PATH)", refCommit)}
	o.logf("bench replay: %s bars through %s", thousands(float64(sz.replayBars)), o.bin)
	if rb.f, err = replayRun(ctx, o.bin, newDir, csv, sz.replayBars, true); err != nil {
		return err
	}
	if o.refBin != "" {
		o.logf("bench replay: the same file through the reference %s", o.refBin)
		r, err := replayRun(ctx, o.refBin, refDir, csv, sz.replayBars, false)
		if err != nil {
			return fmt.Errorf("reference binary: %w", err)
		}
		rb.ref = &r
		rb.refVersion = binVersion(ctx, o.refBin)
		os.RemoveAll(refDir) // its database is ~1 KB a bar: free the disk early
	}
	o.logf("bench replay: bare insert of the same rows")
	if rb.bareTook, rb.bareRows, err = bareInsert(ctx, rb.f.db, filepath.Join(dir, "bare.db")); err != nil {
		return fmt.Errorf("bare insert: %w", err)
	}
	if rb.selTook, err = bareInsertSelect(ctx, rb.f.db, filepath.Join(dir, "bare-select.db"), rb.f.pageSize); err != nil {
		return fmt.Errorf("bare insert … select: %w", err)
	}
	rb.addSpeedRow(t)
	rb.addSizeRow(t)
	return nil
}

// replayBench is what benchReplay measured: the replay by the binary under
// test, the reference's (nil when no --ref-bin) and the bare inserts of
// the rows the first one wrote.
type replayBench struct {
	bars       int
	f          replayFig
	ref        *replayFig
	refBin     string
	refVersion string
	refNote    string // the reference cell when there is no reference
	bareTook   time.Duration
	bareRows   int64
	selTook    time.Duration
}

// addSpeedRow adds the replay's rate beside the reference's and the bare
// inserts', with the goals it meets or misses.
func (rb replayBench) addSpeedRow(t *benchTable) {
	f, ref := rb.f, rb.ref
	bareRate := float64(rb.bars) / rb.bareTook.Seconds()
	selRate := float64(rb.bars) / rb.selTook.Seconds()
	figure := fmt.Sprintf("%s (\"session started\" → \"session ended\" %s in its log); to exit %s (%s: the end-of-run report and the exit take %s)",
		fmtRate(f.logRate(), "bars"), fmtDur(f.logSpan), fmtDur(f.exitSpan), fmtRate(f.exitRate(), "bars"), fmtDur(f.exitSpan-f.logSpan))
	refs := []string{rb.refNote}
	verdicts := []string{"×today: n/a"}
	if ref != nil {
		refs[0] = fmt.Sprintf("today's figure (%s, %s): %s (%s in its log; to exit %s)", filepath.Base(rb.refBin), rb.refVersion,
			fmtRate(ref.logRate(), "bars"), fmtDur(ref.logSpan), fmtDur(ref.exitSpan))
		x := f.logRate() / ref.logRate()
		verdicts[0] = fmt.Sprintf("%.2f× today's (to exit %.2f×); goal ≥ 3.5×: %s", x, f.exitRate()/ref.exitRate(), metOr(x >= 3.5))
	}
	refs = append(refs, fmt.Sprintf("bare SQLite insert of the same %s rows in one transaction: %s (%s) by a prepared INSERT per row, %s (%s) by INSERT … SELECT (SQLite alone)",
		thousands(float64(rb.bareRows)), fmtRate(bareRate, "bars"), fmtDur(rb.bareTook), fmtRate(selRate, "bars"), fmtDur(rb.selTook)))
	verdicts = append(verdicts, fmt.Sprintf("%.0f%% of the bare insert's rate (per row), %.0f%% of INSERT … SELECT's", 100*f.logRate()/bareRate, 100*f.logRate()/selRate))
	if rb.bars >= 525_600 {
		verdicts = append(verdicts, "goal ≥ 50,000 bars/s: "+metOr(f.logRate() >= 50_000))
	}
	t.Add(fmt.Sprintf("replay: %s one-minute bars at --speed 0, headless, every order, fill and snapshot persisted", thousands(float64(rb.bars))),
		figure, strings.Join(refs, "; "), strings.Join(verdicts, "; "),
		"one generated file (seed 7) for both binaries, the wide-limits config, database on $TMPDIR's disk (WAL, synchronous=FULL); both ends checked: exit 0, feed_ended, WAL empty, quick_check ok; "+
			"the bare insert copies every row the session wrote into a fresh database with its schema, indexes and page size (WAL, synchronous=FULL, foreign keys on): one prepared INSERT per table through database/sql, reading not timed; then the same rows again by INSERT … SELECT from the attached session database")
}

// addSizeRow adds the database bytes per replayed bar beside the
// reference's, with the goal.
func (rb replayBench) addSizeRow(t *benchTable) {
	perBar := float64(rb.f.dbBytes) / float64(rb.bars)
	refCell, ratio := rb.refNote, ""
	if ref := rb.ref; ref != nil {
		refPerBar := float64(ref.dbBytes) / float64(ref.bars)
		refCell = fmt.Sprintf("today's figure (%s): %s B/bar (%s)", rb.refVersion, thousands(refPerBar), fmtBytes(float64(ref.dbBytes)))
		ratio = fmt.Sprintf("; %.2f× today's", perBar/refPerBar)
	}
	t.Add(fmt.Sprintf("replay: database bytes per replayed bar (%s bars)", thousands(float64(rb.bars))),
		fmt.Sprintf("%s B/bar (%s)", thousands(perBar), fmtBytes(float64(rb.f.dbBytes))), refCell,
		"goal ≤ 300 B/bar: "+metOr(perBar <= 300)+ratio,
		"page_count × page_size after the session, by a fresh read-only connection (proofkit, not the binary), WAL empty")
}

// binVersion is what `bin --version` says, flagged when it is not the
// commit of today's figure (a --ref-bin built from elsewhere).
func binVersion(ctx context.Context, bin string) string {
	res, err := proofkit.Run(ctx, "", bin, 30*time.Second, nil, "--version")
	v := strings.TrimSpace(res.Stdout)
	if err != nil || res.Code != 0 || v == "" {
		return "version unknown, NOT known to be " + refCommit
	}
	if !strings.Contains(v, refCommit) {
		return v + ", NOT " + refCommit
	}
	return v
}

// metOr is a goal's verdict.
func metOr(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

// errNoRefBin says why a --ref-bin path is refused.
var errNoRefBin = errors.New("the reference binary is not there")

// resolveRefBin makes --ref-bin absolute and checks that it is an
// executable file; "" stays "" (no reference run).
func resolveRefBin(p string) (string, error) {
	if p == "" {
		return "", nil
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	fi, err := os.Stat(abs)
	switch {
	case err != nil:
		return "", fmt.Errorf("%w: %v; build it with `make bin/neo-ref` (commit %s) or leave --ref-bin out", errNoRefBin, err, refCommit)
	case fi.IsDir() || fi.Mode().Perm()&0o111 == 0:
		return "", fmt.Errorf("%w: %s is not an executable file", errNoRefBin, abs)
	}
	return abs, nil
}
