package main

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"neo/cmd/internal/proofkit"
)

// skewedBackups are planted beside the database before the starts: names
// from a clock that was once ahead, and copies a user made. They are aged
// an hour (mtime), so an order by time cannot call them newer than the
// backups the starts write.
var skewedBackups = []string{
	"neo.db.bak.20990101T000000Z",
	"neo.db.bak.20991231T235959Z",
	"neo.db.bak.20991231T235959Z-7",
	"neo.db.bak.21000101T000000Z",
	"neo.db.bak.mine",
	"neo.db.bak.20250101T000000Z.orig",
}

// soakBackupSkew starts sessions back to back (more than ten a second on
// an idle machine) on a database with retention 2 and future-named
// backups beside it: the backup each start names in its log ("backup
// written") must exist after it exits and never reuse a name; then
// `neo restore --yes` on a copy must restore the newest real backup and
// say which file it chose; then concurrent `neo backup`s must write
// distinct names.
func soakBackupSkew(ctx context.Context, o options, rng *rand.Rand, r *row) {
	dir, db, cfg, cleanup, err := o.backupSessionDir(ctx, "skew", 2, "1s")
	if err != nil {
		r.fail("%v", err)
		return
	}
	defer cleanup()
	run := func(extra ...string) (proofkit.Result, error) {
		return proofkit.Run(ctx, "", o.bin, time.Minute, []string{"NEO_CONFIG=" + cfg}, append(extra, "--db", db)...)
	}
	if err := plantSkewedBackups(dir, db); err != nil {
		r.fail("%v", err)
		return
	}
	n := o.count(24, 12)
	starts := skewStarts{seen: map[string]bool{}}
	perSecond := map[int64]int{}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		perSecond[time.Now().Unix()]++
		r.record(starts.start(ctx, o, rng, db, cfg, i))
	}
	busiest := 0
	for _, c := range perSecond {
		busiest = max(busiest, c)
	}
	planted := 0
	for _, p := range skewedBackups {
		if _, err := os.Stat(filepath.Join(dir, p)); err == nil {
			planted++
		}
	}
	// Restore on a copy: the newest real backup, the choice explained.
	chose := "not run"
	if ctx.Err() == nil {
		chose, err = restoreNewestOnCopy(ctx, o, dir, starts.written)
		r.record(err)
	}
	// Concurrent lock-free backups: distinct names.
	var burstNote string
	if ctx.Err() == nil {
		burstNote, err = concurrentBackups(run)
		r.record(err)
		if err != nil {
			burstNote += " (" + err.Error() + ")"
		}
	}
	r.Note = fmt.Sprintf("retention 2, %d future-named or user-copied backups planted (mtime 1 h ago), %d still there at the end; %d back-to-back starts, up to %d in one second; pass = the backup each start logs exists after it, names never reused; then restore --yes on a copy must pick the last start's backup and explain the choice (it said: %q); %s",
		len(skewedBackups), planted, n, busiest, proofkit.Tail(chose, 160), burstNote)
}

// backupSessionDir is sessionDir with the wide config and the given
// backup_retention, and a first headless session of duration (market time,
// at --speed 0) already recorded in its database.
func (o options) backupSessionDir(ctx context.Context, name string, retention int, duration string) (dir, db, cfg string, cleanup func(), err error) {
	dir, db, cfg, cleanup, err = o.sessionDir(name, fmt.Sprintf("%s[store]\nbackup_retention = %d\n", wideConfig, retention))
	if err != nil {
		return "", "", "", nil, err
	}
	res, err := proofkit.Run(ctx, "", o.bin, time.Minute, nil, "run", "--db", db, "--config", cfg, "--headless", "--speed", "0", "--duration", duration)
	if err != nil || res.Code != 0 {
		cleanup()
		return "", "", "", nil, fmt.Errorf("first session: exit %d %v: %s", res.Code, err, proofkit.Tail(res.Stderr, 300))
	}
	return dir, db, cfg, cleanup, nil
}

// plantSkewedBackups copies db to every name of skewedBackups beside it,
// aged an hour.
func plantSkewedBackups(dir, db string) error {
	old := time.Now().Add(-time.Hour)
	for _, n := range skewedBackups {
		p := filepath.Join(dir, n)
		if err := copyFile(db, p); err != nil {
			return fmt.Errorf("plant %s: %v", n, err)
		}
		os.Chtimes(p, old, old)
	}
	return nil
}

// skewStarts are the back-to-back starts of the skew row: the backup names
// seen so far, and the backups in the order the starts wrote them.
type skewStarts struct {
	seen    map[string]bool
	written []string
}

// start runs start i: it must exit 0, log exactly one "backup written"
// under a name never seen before, and that backup must exist after it.
func (st *skewStarts) start(ctx context.Context, o options, rng *rand.Rand, db, cfg string, i int) error {
	res, err := proofkit.Run(ctx, "", o.bin, time.Minute, nil, "run", "--db", db, "--config", cfg, "--headless", "--speed", "0",
		"--duration", "1s", "--seed", fmt.Sprint(1+rng.IntN(1_000_000)), "--log-format", "logfmt")
	if err != nil {
		return err
	}
	if res.Code != 0 {
		return fmt.Errorf("start %d: exit %d, want 0: %s", i+1, res.Code, proofkit.Tail(res.Stderr, 300))
	}
	logged := logValues(res.Stderr, "backup written", "backup")
	if len(logged) != 1 {
		return fmt.Errorf("start %d: %d \"backup written\" log lines, want 1: %s", i+1, len(logged), proofkit.Tail(res.Stderr, 300))
	}
	b := logged[0]
	if st.seen[b] {
		return fmt.Errorf("start %d: backup name %s reused (a backup of an earlier start was overwritten)", i+1, filepath.Base(b))
	}
	st.seen[b] = true
	st.written = append(st.written, b)
	if _, err := os.Stat(b); err != nil {
		deleted := ""
		if ds := logValues(res.Stderr, "deleted old backup", "backup"); len(ds) > 0 {
			deleted = "; the start's retention deleted " + strings.Join(baseNames(ds), ", ")
		}
		return fmt.Errorf("start %d: the backup just written, %s, is gone after the start (%v)%s", i+1, filepath.Base(b), err, deleted)
	}
	return nil
}

// restoreNewestOnCopy runs `neo restore --yes` on a copy of dir: it must
// restore the newest surviving backup of written, name it and say why (its
// sessions), and the restored database must hold that backup's records.
// chose is the tail of what restore said.
func restoreNewestOnCopy(ctx context.Context, o options, dir string, written []string) (chose string, err error) {
	last := ""
	for _, b := range written {
		if _, err := os.Stat(b); err == nil {
			last = b
		}
	}
	cp := filepath.Join(dir, "copy")
	if err := copyDir(dir, cp); err != nil {
		return "not run", err
	}
	cdb := filepath.Join(cp, "neo.db")
	res, err := proofkit.Run(ctx, "", o.bin, time.Minute, nil, "restore", "--db", cdb, "--yes")
	if err != nil {
		return "not run", err
	}
	out := res.Stdout + res.Stderr
	chose = proofkit.Tail(out, 400)
	if res.Code != 0 {
		return chose, fmt.Errorf("restore on a copy: exit %d: %s", res.Code, proofkit.Tail(out, 300))
	}
	if last == "" {
		return chose, fmt.Errorf("no backup written by the %d starts survived; restore on a copy chose: %q", len(written), proofkit.Tail(out, 300))
	}
	want := filepath.Base(last)
	if !strings.Contains(out, want) {
		return chose, fmt.Errorf("restore on a copy does not name the newest real backup %s: %q", want, proofkit.Tail(out, 400))
	}
	if !strings.Contains(strings.ToLower(out), "session") {
		return chose, fmt.Errorf("restore names %s but not why (its time, its sessions): %q", want, proofkit.Tail(out, 400))
	}
	got, err := contentDigest(ctx, cdb)
	if err != nil {
		return chose, fmt.Errorf("restored copy: %v", err)
	}
	exp, err := contentDigest(ctx, filepath.Join(cp, want))
	if err != nil {
		return chose, fmt.Errorf("backup %s: %v", want, err)
	}
	if got != exp {
		return chose, fmt.Errorf("the restored database does not hold %s's records (digest %s, want %s); restore said %q", want, got, exp, proofkit.Tail(out, 300))
	}
	return chose, nil
}

// backupBurst is how many lock-free `neo backup`s concurrentBackups starts
// at once.
const backupBurst = 12

// concurrentBackups runs backupBurst `neo backup`s at once through run:
// each must exit 0 with a name of its own, or 4 (refused as in use). note
// says what they did, whatever the outcome.
func concurrentBackups(run func(extra ...string) (proofkit.Result, error)) (note string, err error) {
	const burst = backupBurst
	var wg sync.WaitGroup
	results := make([]proofkit.Result, burst)
	errs := make([]error, burst)
	t0 := time.Now()
	for k := range burst {
		wg.Add(1)
		go func() { defer wg.Done(); results[k], errs[k] = run("backup") }()
	}
	wg.Wait()
	names := map[string]int{}
	defer func() {
		note = fmt.Sprintf("%d concurrent `neo backup`s in %s reported %d distinct names (pass = each exits 0 with its own name, or 4 refused as in use)", burst, fmtDur(time.Since(t0)), len(names))
	}()
	refused := 0
	for k, res := range results {
		if errs[k] != nil {
			return "", errs[k]
		}
		if res.Code == 4 { // serialised: "in use", a clean refusal
			refused++
			continue
		}
		if res.Code != 0 {
			return "", fmt.Errorf("concurrent `neo backup`: exit %d: %s", res.Code, proofkit.Tail(res.Stdout+res.Stderr, 300))
		}
		for _, l := range strings.Split(res.Stdout, "\n") {
			if rest, ok := strings.CutPrefix(l, "wrote "); ok {
				if i := strings.Index(rest, " ("); i > 0 {
					names[rest[:i]]++
				}
			}
		}
	}
	for nm, c := range names {
		if c > 1 {
			return "", fmt.Errorf("%d concurrent `neo backup`s reported the same name %s", c, filepath.Base(nm))
		}
	}
	if len(names) != burst-refused {
		return "", fmt.Errorf("%d concurrent `neo backup`s (%d refused with exit 4) reported %d names", burst, refused, len(names))
	}
	return "", nil
}

// baseNames maps paths to their base names.
func baseNames(ps []string) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = filepath.Base(p)
	}
	return out
}

// copyDir copies the regular files of src (not the lock file) into a new
// directory dst.
func copyDir(src, dst string) error {
	if err := os.Mkdir(dst, 0o700); err != nil {
		return err
	}
	es, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range es {
		if !e.Type().IsRegular() || strings.HasSuffix(e.Name(), ".lock") {
			continue
		}
		if err := copyFile(filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// padRows × ~1 KB of session_events make the interrupted commands' database
// some tens of MB.
const padRows = 30_000

// interruptSignals are the endings of an interrupted backup or restore, in
// turn.
var interruptSignals = []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGKILL}

// soakInterrupted interrupts `neo backup` and `neo restore --yes` on a
// database of some tens of MB at random moments, by SIGINT, SIGTERM, SIGHUP
// and kill -9 in turn. After a catchable signal nothing temporary may be
// left; after kill -9 the next lock holder (`neo run --duration 1s`) must
// remove what was left (aged 2 h first, as in the kill row, so that a
// start may spare the files of a lock-free command still running). The
// database must keep every record.
func soakInterrupted(ctx context.Context, o options, rng *rand.Rand, r *row) {
	dir, db, cfg, cleanup, err := o.backupSessionDir(ctx, "interrupt", 3, "10m")
	if err != nil {
		r.fail("%v", err)
		return
	}
	defer cleanup()
	if err := padDatabase(ctx, db, padRows); err != nil {
		r.fail("pad the database: %v", err)
		return
	}
	size := fileSizeOf(db)
	// Time each command once, whole, to spread the moments over its run.
	took := map[string]time.Duration{}
	for _, op := range []string{"backup", "restore"} {
		res, err := proofkit.Run(ctx, "", o.bin, 5*time.Minute, []string{"NEO_CONFIG=" + cfg}, opArgs(op, db)...)
		if err != nil || res.Code != 0 {
			r.fail("a whole `neo %s`: exit %d %v: %s", op, res.Code, err, proofkit.Tail(res.Stdout+res.Stderr, 300))
			return
		}
		took[op] = res.Took
		removeAside(dir)
	}
	n := o.count(40, 8)
	t := interruptTally{perSig: map[int]int{}}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		op := []string{"backup", "restore"}[i%2]
		sig := interruptSignals[(i/2)%len(interruptSignals)]
		moment := time.Duration(rng.Int64N(int64(took[op])*6/5 + 1))
		r.record(t.interrupt(ctx, o, dir, db, cfg, op, sig, moment))
	}
	r.Note = fmt.Sprintf("database %s; a whole backup took %s, a whole restore %s; moments uniform over 1.2× that; runs per signal: %s; %d commands finished before their signal; temporary files left: %s after SIGINT/SIGTERM/SIGHUP (before any next start), %s after the next lock holder (every leftover aged 2 h first)",
		fmtBytes(float64(size)), fmtDur(took["backup"]), fmtDur(took["restore"]), fmtSignals(t.perSig), t.finishedFirst, fmtBytes(float64(t.leftCaught)), fmtBytes(float64(t.leftAfterNext)))
}

// interruptTally adds up the interrupted-command row's tries for its note.
type interruptTally struct {
	leftCaught, leftAfterNext int64       // bytes of temporaries left
	finishedFirst             int         // commands done before their signal
	perSig                    map[int]int // runs per signal number
}

// interrupt runs `neo op`, sends sig at moment, then the next lock holder:
// no temporary file may be left after a catchable signal, none after the
// next start, and the database must keep every padding row.
func (t *interruptTally) interrupt(ctx context.Context, o options, dir, db, cfg, op string, sig syscall.Signal, moment time.Duration) error {
	label := fmt.Sprintf("`neo %s` + %s at %d ms", op, sigName(sig), moment.Milliseconds())
	t.perSig[int(sig)]++
	p, err := proofkit.Start("", o.bin, []string{"NEO_CONFIG=" + cfg}, opArgs(op, db)...)
	if err != nil {
		return err
	}
	defer p.Kill()
	if !p.SignalAt(moment, sig) {
		t.finishedFirst++
	}
	if _, err := p.Wait(time.Minute); err != nil {
		return fmt.Errorf("%s: %v", label, err)
	}
	var faults []string
	left := leftovers(dir)
	// Aged 2 h whatever left them, so that what the next start
	// leaves measures the next start alone.
	old := time.Now().Add(-2 * time.Hour)
	for nm := range left {
		filepath.Walk(filepath.Join(dir, nm), func(p string, _ os.FileInfo, _ error) error { os.Chtimes(p, old, old); return nil })
	}
	if sig != syscall.SIGKILL && len(left) > 0 {
		b := sumBytes(left)
		t.leftCaught += b
		faults = append(faults, fmt.Sprintf("the command left %s in %d temporary files after %s (%s)", fmtBytes(float64(b)), len(left), sigName(sig), strings.Join(sortedKeys(left), ", ")))
	}
	res, err := proofkit.Run(ctx, "", o.bin, 5*time.Minute, nil, "run", "--db", db, "--config", cfg, "--headless", "--speed", "0", "--duration", "1s")
	if err != nil {
		return fmt.Errorf("%s: next start: %v", label, err)
	}
	if res.Code != 0 {
		faults = append(faults, fmt.Sprintf("next `neo run --duration 1s`: exit %d: %s", res.Code, proofkit.Tail(res.Stderr, 200)))
	}
	if after := leftovers(dir); len(after) > 0 {
		b := sumBytes(after)
		t.leftAfterNext += b
		faults = append(faults, fmt.Sprintf("after the next start %s remain in %d temporary files (%s)", fmtBytes(float64(b)), len(after), strings.Join(sortedKeys(after), ", ")))
		for nm := range after {
			os.RemoveAll(filepath.Join(dir, nm)) // protect the disk for the next tries
		}
	}
	if err := padIntact(ctx, db); err != nil {
		faults = append(faults, err.Error())
	}
	removeAside(dir)
	if len(faults) > 0 {
		return fmt.Errorf("%s: %s", label, strings.Join(faults, "; "))
	}
	return nil
}

// opArgs are the arguments of an interrupted command (the config comes
// from NEO_CONFIG: backup and restore have no --config flag).
func opArgs(op, db string) []string {
	if op == "restore" {
		return []string{"restore", "--db", db, "--yes"}
	}
	return []string{"backup", "--db", db}
}

// sigName names a signal as operators write it.
func sigName(s syscall.Signal) string {
	switch s {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	case syscall.SIGKILL:
		return "kill -9"
	case syscall.SIGQUIT:
		return "SIGQUIT"
	}
	return s.String()
}

// isLeftover reports whether a file name beside the database is a
// temporary file of an interrupted command: backup temporaries and their
// journals, restore's copy, integrity-check copies, and the usual ways of
// naming a temporary (hidden, "partial") so that a renamed one still
// counts.
func isLeftover(name string) bool {
	l := strings.ToLower(name)
	for _, s := range []string{"tmp", "temp", "partial"} {
		if strings.Contains(l, s) {
			return true
		}
	}
	// Hidden files are how temporaries are often named (.neo-check-*).
	return strings.HasSuffix(l, "-journal") || strings.HasPrefix(l, ".")
}

// leftovers lists the temporary files in dir with their sizes.
func leftovers(dir string) map[string]int64 {
	out := map[string]int64{}
	es, _ := os.ReadDir(dir)
	for _, e := range es {
		if isLeftover(e.Name()) {
			out[e.Name()] = du(filepath.Join(dir, e.Name()))
		}
	}
	return out
}

// removeAside deletes what restore moved aside (never deleted by neo), so
// that tens of MB per restore do not pile up.
func removeAside(dir string) {
	es, _ := os.ReadDir(dir)
	for _, e := range es {
		if n := e.Name(); strings.HasPrefix(n, "neo.db.") && (strings.Contains(n, "malformed_") || strings.Contains(n, "replaced_")) {
			os.Remove(filepath.Join(dir, n))
		}
	}
}

func sumBytes(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

func sortedKeys(m map[string]int64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func fileSizeOf(p string) int64 {
	fi, err := os.Stat(p)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// padKind marks the padding events so that padIntact can count them.
const padKind = "neoproof_padding"

// padDatabase adds rows of ~1 KB session events to the first session of
// db (a neo database no process holds), then checkpoints.
func padDatabase(ctx context.Context, path string, rows int) error {
	return writeBeside(ctx, path, "_pragma=busy_timeout(5000)", func(db *sql.DB, id, at string) error {
		if _, err := db.ExecContext(ctx, `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < ?)
			INSERT INTO session_events (session_key, created_at, market_time, level, kind, message)
			SELECT ?, ?, 0, 'info', ?, hex(randomblob(500)) FROM c`, rows, id, at, padKind); err != nil {
			return fmt.Errorf("insert padding: %w", err)
		}
		return nil
	})
}

// padIntact checks through a fresh reader that quick_check is ok and every
// padding row is still there.
func padIntact(ctx context.Context, path string) error {
	rd, err := proofkit.OpenReader(path)
	if err != nil {
		return fmt.Errorf("open the database after the next start: %v", err)
	}
	defer rd.Close()
	var qc string
	if err := rd.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&qc); err != nil || qc != "ok" {
		return fmt.Errorf("quick_check after the next start: %q %v", qc, err)
	}
	var c int
	if err := rd.QueryRowContext(ctx, "SELECT count(*) FROM session_events WHERE kind = ?", padKind).Scan(&c); err != nil {
		return fmt.Errorf("count the padding: %v", err)
	}
	if c != padRows {
		return fmt.Errorf("the database holds %d of the %d padding rows", c, padRows)
	}
	return nil
}

// fmtSignals renders per-signal counts as "SIGHUP 2, SIGINT 4, …" in
// signal-number order.
func fmtSignals(m map[int]int) string {
	return fmtCounts(m, func(k, n int) string { return fmt.Sprintf("%s %d", sigName(syscall.Signal(k)), n) })
}
