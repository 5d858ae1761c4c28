package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"neo/engine"
	"neo/engine/textsafe"
	"neo/store"
)

// storeExit maps a store error to its exit code (README, "Exit codes") by its domain
// code (engine/error.go): cmd needs none of the store's error types. An
// error that already carries an exit code and no domain code keeps it.
func storeExit(err error) error {
	if err == nil {
		return nil
	}
	if code, ok := codeExit[engine.ErrorCode(err)]; ok {
		return exitErr(code, err)
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return err
	}
	return exitErr(exitRuntime, err)
}

// codeExit is the exit code of each domain error code that has its own.
// EINVALID is a directory given as the database and EFOREIGN another
// program's database: --db names the wrong file, a usage error.
var codeExit = map[string]int{
	engine.EINVALID:   exitUsage,
	engine.EFOREIGN:   exitUsage,
	engine.EINTEGRITY: exitCorrupt,
	engine.ECONFLICT:  exitLocked,
}

// clean makes text from the database or the file system safe for the
// terminal: textsafe.Line, neo's one sanitiser.
func clean(s string) string { return textsafe.Line(s) }

// humanBytes formats a size.
func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

func round(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(10 * time.Millisecond)
}

// openReadOnly opens the database for reading: no lock, works beside a
// running session.
func (m *Main) openReadOnly(ctx context.Context) (*store.DB, error) {
	path, err := m.dbPath()
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, store.Options{Path: path, ReadOnly: true, Faults: m.storeFaults()})
	if err != nil {
		return nil, storeExit(err)
	}
	return db, nil
}

func closeQuietly(db *store.DB) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	db.Close(ctx)
}

// withBoolFlag completes c as a command that takes no arguments and one
// boolean flag, name, whose value run gets.
func withBoolFlag(c *cobra.Command, name, usage string, run func(ctx context.Context, on bool) error) *cobra.Command {
	var on bool
	c.Args = cobra.NoArgs
	c.RunE = func(cmd *cobra.Command, _ []string) error { return run(cmd.Context(), on) }
	c.Flags().BoolVar(&on, name, false, usage)
	return c
}

// ---- neo sessions ----

func (m *Main) sessionsCmd() *cobra.Command {
	var asJSON, asCSV bool
	var limit int
	c := &cobra.Command{
		Use:   "sessions",
		Short: "Print past sessions (newest first)",
		Long: `Print past sessions, newest first: a table, or JSON or CSV with the
database's column names. Read-only: it works beside a running session.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if asJSON && asCSV {
				return exitf(exitUsage, "--json and --csv exclude each other; pick one")
			}
			if limit < 0 {
				return exitf(exitUsage, "--limit %d: give 0 (all) or a positive number", limit)
			}
			return m.sessions(cmd.Context(), asJSON, asCSV, limit)
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON (one array)")
	c.Flags().BoolVar(&asCSV, "csv", false, "print CSV with a header row")
	c.Flags().IntVar(&limit, "limit", 50, "most sessions to print (0 = all)")
	return c
}

func (m *Main) sessions(ctx context.Context, asJSON, asCSV bool, limit int) error {
	db, err := m.openReadOnly(ctx)
	if err != nil {
		return err
	}
	defer closeQuietly(db)
	var list []engine.SessionSummary
	q := engine.SessionQuery{Limit: store.DefaultListLimit}
	for {
		page, err := db.ListSessions(ctx, q)
		if err != nil {
			return exitErr(exitRuntime, err)
		}
		list = append(list, page...)
		if len(page) < q.Limit || (limit > 0 && len(list) >= limit) {
			break
		}
		c := page[len(page)-1].Cursor
		q.After = &c
	}
	if limit > 0 && len(list) > limit {
		list = list[:limit]
	}
	switch {
	case asJSON:
		return writeSessionsJSON(m.Stdout, list)
	case asCSV:
		return writeSessionsCSV(m.Stdout, list)
	}
	if len(list) == 0 {
		fmt.Fprintf(m.Stdout, "no sessions recorded in %s\n", clean(db.Path()))
		return nil
	}
	if err := writeSessionsTable(m.Stdout, list); err != nil {
		return err
	}
	for _, s := range list {
		if s.LeftOpen {
			fmt.Fprintln(m.Stdout, leftOpenHint(db.Path()))
			break
		}
	}
	return nil
}

// leftOpenHint says what "left open" means and what closes such a session.
func leftOpenHint(path string) string {
	return fmt.Sprintf("left open: not running (no neo process holds the database; a crash, kill or power loss); close as unclean_exit with: neo backfill --db %s (or start 'neo run', which does it)", clean(path))
}

// sessionRecord is a session as JSON and CSV show it: the column names of
// the database plus fill_count.
type sessionRecord struct {
	SessionID        string   `json:"session_id"`
	StartedAt        string   `json:"started_at"`
	EndedAt          *string  `json:"ended_at"`
	EndedAtEstimated bool     `json:"ended_at_estimated"`
	MarketStartedAt  *string  `json:"market_started_at"` // market time of the first event
	MarketEndedAt    *string  `json:"market_ended_at"`   // market time of the last event recorded
	Mode             string   `json:"mode"`
	Feed             string   `json:"feed"`
	AppVersion       string   `json:"app_version"`
	StartingXRP      float64  `json:"starting_xrp"`
	StartingRLUSD    float64  `json:"starting_rlusd"`
	StartingValue    float64  `json:"starting_value"`
	EndingXRP        *float64 `json:"ending_xrp"`
	EndingRLUSD      *float64 `json:"ending_rlusd"`
	EndingValue      *float64 `json:"ending_value"`
	HaltReason       *string  `json:"halt_reason"`
	FillCount        int      `json:"fill_count"`
	ConfigJSON       string   `json:"config_json"`
	// Damage names what in the row could not be read (its fields are zero
	// or null); absent for a sound row. JSON only.
	Damage string `json:"damage,omitempty"`
	// LeftOpen: no end recorded and no process holds the database: left
	// open by a crash, not running (ended_at stays null until neo backfill
	// or the next neo run closes it).
	LeftOpen bool `json:"left_open"`
}

var sessionRecordHeader = []string{"session_id", "started_at", "ended_at", "ended_at_estimated", "mode", "feed",
	"app_version", "starting_xrp", "starting_rlusd", "starting_value", "ending_xrp", "ending_rlusd", "ending_value",
	"halt_reason", "fill_count", "config_json", "market_started_at", "market_ended_at", "left_open"}

func toRecord(s engine.SessionSummary) sessionRecord {
	r := sessionRecord{SessionID: s.SessionID, StartedAt: s.StartedAt.UTC().Format(store.TimeLayout),
		EndedAtEstimated: s.EndedAtEstimated, Mode: s.Mode, Feed: s.Feed, AppVersion: s.AppVersion,
		StartingXRP: s.StartingXRP, StartingRLUSD: s.StartingRLUSD, StartingValue: s.StartingValue,
		EndingXRP: s.EndingXRP, EndingRLUSD: s.EndingRLUSD, EndingValue: s.EndingValue,
		FillCount: s.FillCount, ConfigJSON: s.ConfigJSON, Damage: s.Damage, LeftOpen: s.LeftOpen}
	opt := func(t *time.Time) *string {
		if t == nil {
			return nil
		}
		v := t.UTC().Format(store.TimeLayout)
		return &v
	}
	r.EndedAt, r.MarketStartedAt, r.MarketEndedAt = opt(s.EndedAt), opt(s.MarketStartedAt), opt(s.MarketEndedAt)
	if s.HaltReason != "" {
		h := string(s.HaltReason)
		r.HaltReason = &h
	}
	return r
}

// writeSessionsJSON writes the sessions as one JSON array. The data stays
// exact: what encoding/json would pass raw and a terminal could act on (C1
// controls, DEL, bidi controls) is written as \uXXXX escapes, which decode
// to the same text.
func writeSessionsJSON(w io.Writer, list []engine.SessionSummary) error {
	recs := make([]sessionRecord, 0, len(list))
	for _, s := range list {
		recs = append(recs, toRecord(s))
	}
	return writeJSON(w, recs)
}

// writeJSON writes v as indented JSON, terminal-safe (jsonSafe).
func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return exitf(exitRuntime, "write JSON: %w", err)
	}
	if _, err := w.Write(append(jsonSafe(b), '\n')); err != nil {
		return exitf(exitRuntime, "write JSON: %w", err)
	}
	return nil
}

// writeSessionsCSV writes the sessions as CSV with a header row. Text fields
// pass through textsafe.Line whatever stdout is (a file today is a terminal
// tomorrow: cat, less): a control character or escape sequence cannot be
// legitimate in an id, a mode, a feed or a reason. config_json is JSON and
// keeps its data exactly (jsonSafe escapes instead of removing).
func writeSessionsCSV(w io.Writer, list []engine.SessionSummary) error {
	cw := csv.NewWriter(w)
	cw.Write(sessionRecordHeader)
	optF := func(f *float64) string {
		if f == nil {
			return ""
		}
		return strconv.FormatFloat(*f, 'f', -1, 64)
	}
	optS := func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	}
	num := func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
	for _, s := range list {
		r := toRecord(s)
		cw.Write([]string{clean(r.SessionID), r.StartedAt, optS(r.EndedAt), strconv.FormatBool(r.EndedAtEstimated), clean(r.Mode), clean(r.Feed),
			clean(r.AppVersion), num(r.StartingXRP), num(r.StartingRLUSD), num(r.StartingValue), optF(r.EndingXRP), optF(r.EndingRLUSD),
			optF(r.EndingValue), clean(optS(r.HaltReason)), strconv.Itoa(r.FillCount), string(jsonSafe([]byte(r.ConfigJSON))),
			optS(r.MarketStartedAt), optS(r.MarketEndedAt), strconv.FormatBool(r.LeftOpen)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return exitf(exitRuntime, "write CSV: %w", err)
	}
	return nil
}

// fmtSpan is a duration for the table, as `neo report` writes one
// ("4.26s", "1h02m05s", "365d 00h00m").
func fmtSpan(d time.Duration) string { return engine.FormatSeconds(d.Seconds()) }

func writeSessionsTable(w io.Writer, list []engine.SessionSummary) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	// Wall clock (when it ran) beside market time (what it traded over).
	fmt.Fprintln(tw, "SESSION\tSTARTED (UTC)\tDURATION\tMARKET FROM (UTC)\tMARKET SPAN\tREASON\tSTART VALUE\tEND VALUE\tPNL\tFILLS\tFEED")
	for _, s := range list {
		dur, reason, end, pnl := "running", "-", "-", "-"
		mFrom, mSpan := "-", "-"
		if s.MarketStartedAt != nil {
			mFrom = s.MarketStartedAt.UTC().Format("2006-01-02 15:04:05")
			if s.MarketEndedAt != nil {
				mSpan = fmtSpan(s.MarketEndedAt.Sub(*s.MarketStartedAt))
			}
		}
		if s.LeftOpen {
			dur = "left open"
		}
		if s.EndedAt != nil {
			dur = fmtSpan(s.EndedAt.Sub(s.StartedAt))
			if s.EndedAtEstimated {
				dur = "~" + dur
			}
		}
		if s.HaltReason != "" {
			reason = string(s.HaltReason)
		}
		if s.EndingValue != nil {
			end = fmt.Sprintf("%.2f", *s.EndingValue)
			pnl = engine.Signed(*s.EndingValue-s.StartingValue, 2)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%.2f\t%s\t%s\t%d\t%s\n", clean(s.SessionID), s.StartedAt.UTC().Format("2006-01-02 15:04:05"),
			dur, mFrom, mSpan, clean(reason), s.StartingValue, end, pnl, s.FillCount, clean(s.Feed))
	}
	if err := tw.Flush(); err != nil {
		return exitf(exitRuntime, "write table: %w", err)
	}
	return nil
}

// ---- neo check ----

func (m *Main) checkCmd() *cobra.Command {
	return withBoolFlag(&cobra.Command{
		Use:   "check",
		Short: "Integrity check and open-session report",
		Long: `Run PRAGMA quick_check (integrity_check with --full) on the database without
changing it, then report sessions left open. Exit 3 when the check fails.`,
	}, "full", "run integrity_check (slower, thorough) instead of quick_check", m.check)
}

func (m *Main) check(ctx context.Context, full bool) error {
	path, err := m.dbPath()
	if err != nil {
		return err
	}
	kind := "quick_check"
	if full {
		kind = "integrity_check"
	}
	start := time.Now()
	if err := store.CheckFile(ctx, path, full); err != nil {
		return storeExit(err)
	}
	if err := store.Identify(ctx, path); err != nil {
		return storeExit(err)
	}
	took := time.Since(start)
	// Everything that can fail runs before "ok" is printed: a check that
	// says "passed" and then exits non-zero reads as both.
	db, err := store.Open(ctx, store.Options{Path: path, ReadOnly: true, Faults: m.storeFaults()})
	if engine.ErrorCode(err) == engine.ENOTFOUND {
		// The file has no neo schema (identified above as not foreign): a
		// first start stopped before it wrote anything leaves such an
		// empty file. Sound, and nothing to recover.
		m.printCheckOK(path, kind, took)
		fmt.Fprintln(m.Stdout, "no neo sessions yet (an empty database): nothing left open")
		return nil
	}
	if err != nil {
		return storeExit(err)
	}
	defer closeQuietly(db)
	damaged, err := db.DamagedRows(ctx)
	if err != nil {
		return exitErr(exitRuntime, err)
	}
	open, err := db.PlanRecovery(ctx)
	if err != nil {
		return exitErr(exitRuntime, err)
	}
	m.printCheckOK(path, kind, took)
	for _, d := range damaged {
		fmt.Fprintf(m.Stdout, "damaged: %s\n", clean(d.String()))
	}
	if len(damaged) > 0 {
		fmt.Fprintf(m.Stdout, "%d damaged rows: readers skip them or show them as damaged; 'neo restore' brings back a backup from before the damage\n", len(damaged))
	}
	m.printOpenSessions(path, open)
	return nil
}

// printCheckOK prints check's "ok" line.
func (m *Main) printCheckOK(path, kind string, took time.Duration) {
	fmt.Fprintf(m.Stdout, "ok: %s passed %s (%s, %s)\n", clean(path), kind, humanBytes(store.DatabaseSize(path)), round(took))
}

// printOpenSessions prints check's report of the sessions left open: running
// while a process holds the lock, else left open by a crash.
func (m *Main) printOpenSessions(path string, open []engine.Recovery) {
	if len(open) == 0 {
		fmt.Fprintln(m.Stdout, "no sessions left open")
		return
	}
	held, pid, _ := store.LockHolder(path)
	for _, r := range open {
		if held {
			who := "another neo process"
			if pid > 0 {
				who = fmt.Sprintf("neo pid %d", pid)
			}
			fmt.Fprintf(m.Stdout, "open: session %s started %s is running (%s holds the lock)\n",
				clean(r.SessionID), r.StartedAt.Format(store.TimeLayout), who)
			continue
		}
		fmt.Fprintf(m.Stdout, "open: session %s started %s was left open (crash, kill or power loss); last write %s\n",
			clean(r.SessionID), r.StartedAt.Format(store.TimeLayout), r.EndedAt.Format(store.TimeLayout))
	}
	if !held {
		fmt.Fprintf(m.Stdout, "close them as unclean_exit with: neo backfill --db %s (or start 'neo run', which does it)\n", clean(path))
	}
}

// ---- neo backup ----

func (m *Main) backupCmd() *cobra.Command {
	var to string
	c := &cobra.Command{
		Use:   "backup",
		Short: "Online backup now",
		Long: `Write a consistent online backup beside the database
(neo.db.bak.YYYYMMDDTHHMMSSZ, newest backup_retention kept) or to --to PATH.
Works beside a running session.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.backup(cmd.Context(), to)
		},
	}
	c.Flags().StringVar(&to, "to", "", "write the backup to PATH instead (no retention applied)")
	return c
}

func (m *Main) backup(ctx context.Context, to string) (err error) {
	// A signal cancels the copy; the store removes its temporary file.
	sup := m.newSupervisor()
	defer sup.stop()
	ctx, interrupted := sup.interruptible(ctx)
	defer func() {
		if sig := interrupted(); sig != nil && err != nil {
			err = exitf(exitRuntime, "backup interrupted by %s: no backup was written", sig)
		}
	}()
	path, err := m.dbPath()
	if err != nil {
		return err
	}
	cfg, _, err := m.loadConfig("")
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, store.Options{Path: path, ReadOnly: true, BackupRetention: cfg.Store.BackupRetention, Faults: m.storeFaults()})
	if err != nil {
		return storeExit(err)
	}
	defer closeQuietly(db)
	fmt.Fprintf(m.Stdout, "backing up %s (%s)...\n", clean(path), humanBytes(fileSize(path)+fileSize(path+"-wal")))
	start := time.Now()
	dest := to
	if to != "" {
		err = db.BackupTo(ctx, to)
		if dest, _ = filepath.Abs(to); dest == "" {
			dest = to
		}
	} else {
		dest, err = db.Backup(ctx)
	}
	if err != nil {
		return storeExit(err)
	}
	fmt.Fprintf(m.Stdout, "wrote %s (%s in %s)\n", clean(dest), humanBytes(fileSize(dest)), round(time.Since(start)))
	return nil
}

// ---- neo restore ----

func (m *Main) restoreCmd() *cobra.Command {
	var yes bool
	c := &cobra.Command{
		Use:   "restore [BACKUP]",
		Short: "Restore a backup (default: newest that passes the check)",
		Long: `Replace the database with a backup: the newest neo.db.bak.* that passes the
check, or BACKUP. The current database and its -wal/-shm are moved aside
together as neo.db.replaced_<timestamp> (neo.db.malformed_<timestamp> when it
fails its check), never deleted. Asks for
confirmation unless --yes.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			backup := ""
			if len(args) == 1 {
				backup = args[0]
			}
			return m.restore(cmd.Context(), backup, yes)
		},
	}
	c.Flags().BoolVar(&yes, "yes", false, "do not ask for confirmation")
	return c
}

func (m *Main) restore(ctx context.Context, backup string, yes bool) error {
	path, err := m.dbPath()
	if err != nil {
		return err
	}
	if err := store.CheckNotLocked(path); err != nil {
		return storeExit(err)
	}
	if backup == "" {
		chosen, skipped, err := store.ChooseBackup(ctx, path)
		for _, s := range skipped {
			fmt.Fprintf(m.Stdout, "skipped %s: it fails the integrity check\n", clean(s))
		}
		if err != nil {
			return storeExit(err)
		}
		backup = chosen
		if info, err := store.DescribeBackup(ctx, chosen); err == nil {
			fmt.Fprintf(m.Stdout, "chose %s: the most recently written backup that passes the check (written %s, %s, %d sessions, newest started %s)\n",
				clean(chosen), info.Written.UTC().Format(time.RFC3339), humanBytes(info.Bytes), info.Sessions, clean(info.Newest))
		}
	} else if backup, err = filepath.Abs(backup); err != nil {
		return exitf(exitUsage, "backup path: %v", err)
	} else if err := statBackup(backup, path, store.ListBackups); err != nil {
		return err
	}
	if !yes {
		in, ok := m.Stdin.(*os.File)
		if !ok || !term.IsTerminal(int(in.Fd())) {
			return exitf(exitUsage, "restore replaces %s with %s: confirm with --yes (stdin is not a terminal, so neo cannot ask)", path, clean(backup))
		}
		fmt.Fprintf(m.Stderr, "Restore %s (%s) over %s?\nThe current database and its -wal/-shm will be moved aside as %s.replaced_<timestamp> (malformed_ if it fails its check). [y/N] ",
			clean(backup), humanBytes(fileSize(backup)), clean(path), clean(filepath.Base(path)))
		line, _ := bufio.NewReader(m.Stdin).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" {
			return exitf(exitRuntime, "restore cancelled; nothing was changed")
		}
	}
	// From the confirmation on (a signal at the prompt still ends the
	// process at once), a signal cancels the restore: the store removes
	// its temporary file and leaves the database as it was.
	sup := m.newSupervisor()
	defer sup.stop()
	ctx, interrupted := sup.interruptible(ctx)
	res, err := store.Restore(ctx, path, backup, nil)
	if sig := interrupted(); sig != nil && err != nil {
		if len(res.MovedAside) > 0 {
			return exitf(exitRuntime, "restore interrupted by %s after the backup was put in place (the old database is %s): %v; run 'neo check' to see where it stands",
				sig, res.MovedAside[0], err)
		}
		return exitf(exitRuntime, "restore interrupted by %s: %v", sig, err)
	}
	if err != nil {
		return storeExit(err)
	}
	for _, a := range res.MovedAside {
		fmt.Fprintf(m.Stdout, "moved aside: %s\n", clean(a))
	}
	fmt.Fprintf(m.Stdout, "restored %s to %s (%s in %s); it passes the integrity check\n",
		clean(res.Backup), clean(path), humanBytes(res.Bytes), round(res.Duration))
	return nil
}

// ---- neo backfill ----

func (m *Main) backfillCmd() *cobra.Command {
	return withBoolFlag(&cobra.Command{
		Use:   "backfill",
		Short: "Estimate ended_at for sessions left open",
		Long: `Close every session left open by a crash as unclean_exit: ended_at estimated
from its last write (flagged ended_at_estimated), ending values from its last
inventory snapshot, its open orders cancelled. --dry-run prints what would
change and writes nothing.`,
	}, "dry-run", "print what would change, write nothing", m.backfill)
}

func (m *Main) backfill(ctx context.Context, dry bool) error {
	path, err := m.dbPath()
	if err != nil {
		return err
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return exitf(exitRuntime, "database %s does not exist; nothing to backfill (pass --db with the right path)", path)
	}
	db, err := store.Open(ctx, store.Options{Path: path, ReadOnly: dry, Lock: true, CheckpointInterval: -1, Faults: m.storeFaults()})
	if err != nil {
		return storeExit(err)
	}
	var list []engine.Recovery
	if dry {
		list, err = db.PlanRecovery(ctx)
	} else {
		list, err = db.Recover(ctx)
	}
	cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if cerr := db.Close(cctx); err == nil {
		err = cerr
	}
	if err != nil {
		return storeExit(err)
	}
	if len(list) == 0 {
		fmt.Fprintf(m.Stdout, "no sessions left open in %s; nothing to do\n", clean(path))
		return nil
	}
	verb := "closed"
	if dry {
		verb = "would close"
	}
	for _, r := range list {
		value := "unknown (no inventory snapshot)"
		if r.EndingValue != nil {
			value = fmt.Sprintf("%.2f RLUSD", *r.EndingValue)
		}
		fmt.Fprintf(m.Stdout, "%s session %s (started %s) as unclean_exit: ended_at ~%s (estimated), ending_value %s, %d open orders cancelled\n",
			verb, clean(r.SessionID), r.StartedAt.Format(store.TimeLayout), r.EndedAt.Format(store.TimeLayout), value, r.OrdersCanceled)
	}
	if dry {
		fmt.Fprintf(m.Stdout, "dry run: nothing was written; run 'neo backfill --db %s' to apply\n", clean(path))
	}
	return nil
}
