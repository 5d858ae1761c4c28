package main

import (
	"context"
	"database/sql"
	"errors"
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

// fillWatcher is an independent reader that polls a database while neo
// writes it and remembers every fill id it has seen committed.
type fillWatcher struct {
	path    string
	seen    map[string]bool
	lastRow int64
	stop    chan struct{}
	done    chan struct{}
	mu      sync.Mutex
}

// watchFills starts polling path every interval.
func watchFills(path string, seen map[string]bool, lastRow int64, interval time.Duration) *fillWatcher {
	w := &fillWatcher{path: path, seen: seen, lastRow: lastRow, stop: make(chan struct{}), done: make(chan struct{})}
	go w.run(interval)
	return w
}

func (w *fillWatcher) run(interval time.Duration) {
	defer close(w.done)
	var db *sql.DB
	defer func() {
		if db != nil {
			db.Close()
		}
	}()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if db == nil {
			if _, err := os.Stat(w.path); err == nil {
				db, _ = proofkit.OpenReader(w.path)
			}
		}
		if db != nil {
			w.poll(db)
		}
		select {
		case <-w.stop:
			return
		case <-t.C:
		}
	}
}

// poll reads the fills committed since the last poll. Errors while the
// writer creates the schema are expected and ignored.
func (w *fillWatcher) poll(db *sql.DB) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	rows, err := db.QueryContext(ctx, "SELECT rowid, fill_id FROM fills WHERE rowid > ? ORDER BY rowid", w.lastRow)
	if err != nil {
		return
	}
	defer rows.Close()
	w.mu.Lock()
	defer w.mu.Unlock()
	for rows.Next() {
		var id int64
		var fill string
		if rows.Scan(&id, &fill) == nil {
			w.seen[fill] = true
			w.lastRow = id
		}
	}
}

// halt stops the watcher and waits for it.
func (w *fillWatcher) halt() { close(w.stop); <-w.done }

// killStats add up the kill generations.
type killStats struct {
	debrisFails       int    // runs that failed only because a start left a kill's files
	otherFails        int    // runs that failed on anything else
	firstOther        string // the first of those
	seen              int
	recovered         int
	killedBeforeStart int
	staleFiles        int
	staleKinds        map[string]int
	staleBytes        int64
	generations       int
}

// killGeneration is how many kills share one database before a fresh one
// starts, so that the file (and each start's pre-run backup) stays small.
const killGeneration = 100

// soakKill kills a writing headless session at random moments, then checks
// with `neo check`, a fresh reader and the sqlite3 CLI that the file is
// sound and that every fill a reader saw committed is still there; the next
// start must recover the killed session as unclean_exit and remove what the
// kill left half-written (temporary backups, check copies).
func soakKill(ctx context.Context, o options, rng *rand.Rand, r *row) {
	kills := o.count(1000, 20)
	ks := killStats{staleKinds: map[string]int{}}
	for done := 0; done < kills && ctx.Err() == nil; done += killGeneration {
		killRun(ctx, o, rng, r, min(killGeneration, kills-done), &ks)
		ks.generations++
	}
	r.Note = fmt.Sprintf("%s fills seen committed by a polling reader, all present after every kill; %d killed sessions recovered as unclean_exit (ended_at_estimated=1, no open order); %d kills landed before \"session started\" (open, check, recovery, pre-run backup); %d databases of up to %d kills. \"Reported as committed\" = seen by an independent read-only connection polling every 5 ms while neo ran (neo prints no fill ids; see the store-child row for printed ids)",
		thousands(float64(ks.seen)), ks.recovered, ks.killedBeforeStart, ks.generations, killGeneration)
	if ks.debrisFails+ks.otherFails > 0 {
		r.Note += fmt.Sprintf("; failed runs: %d only because the next start left the kill's files, %d for anything else", ks.debrisFails, ks.otherFails)
		if ks.firstOther != "" {
			r.Note += " (first: " + ks.firstOther + ")"
		}
	}
	if ks.staleFiles > 0 {
		var kinds []string
		for k, n := range ks.staleKinds {
			kinds = append(kinds, fmt.Sprintf("%d %s", n, k))
		}
		sort.Strings(kinds)
		r.Note += fmt.Sprintf("; %d files/directories (%s: %s) left by kills and aged 2 h by neoproof were still there after the next start (then removed by neoproof to protect the disk)", ks.staleFiles, fmtBytes(float64(ks.staleBytes)), strings.Join(kinds, ", "))
	}
	if ks.seen == 0 {
		r.fail("no fill was ever seen: the case proves nothing")
	}
}

// debris lists what a killed neo may leave half-written beside the
// database: temporary backups and integrity-check copies.
func debris(dir string) map[string]int64 {
	out := map[string]int64{}
	es, _ := os.ReadDir(dir)
	for _, e := range es {
		n := e.Name()
		if strings.HasSuffix(n, ".tmp") || strings.HasSuffix(n, ".tmp-journal") || strings.HasPrefix(n, ".neo-check") {
			out[n] = du(filepath.Join(dir, n))
		}
	}
	return out
}

// debrisKind names the kind of a leftover file.
func debrisKind(name string) string {
	switch {
	case strings.HasPrefix(name, ".neo-check"):
		return "integrity-check copy directories (.neo-check-*)"
	case strings.HasSuffix(name, ".tmp-journal"):
		return "backup journals (*.tmp-journal)"
	}
	return "backup temporary files (*.bak.*.tmp)"
}

// du is the size of a file or a directory tree.
func du(p string) int64 {
	var n int64
	filepath.Walk(p, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return n
}

// killRun is one generation of kills on a fresh database.
func killRun(ctx context.Context, o options, rng *rand.Rand, r *row, kills int, ks *killStats) {
	dir, db, cfg, cleanup, err := o.sessionDir("kill", wideConfig+"[store]\nbackup_retention = 2\n")
	if err != nil {
		r.fail("%v", err)
		return
	}
	defer cleanup()
	g := &killGen{o: o, dir: dir, db: db, cfg: cfg, ks: ks, seen: map[string]bool{}, pending: map[string]bool{}, left: map[string]int64{}}
	defer func() { ks.seen += len(g.seen) }()
	defer func() { ks.recovered += g.recovered; ks.killedBeforeStart += g.killedBeforeStart }()
	for k := 0; k < kills && ctx.Err() == nil; k++ {
		err := g.kill(ctx, rng, k)
		ks.classify(err)
		r.record(err)
	}
	g.final(ctx, r)
}

// killGen is the state of one generation of kills on one database.
type killGen struct {
	o                 options
	dir, db, cfg      string
	ks                *killStats
	seen              map[string]bool  // fill ids a reader saw committed
	lastRow           int64            // the watchers' last fills rowid
	pending           map[string]bool  // sessions left open by a kill, to be recovered by the next start
	left              map[string]int64 // debris of earlier kills, to be cleaned by the next start
	recovered         int
	killedBeforeStart int
}

// checkCleaned checks that the debris of earlier kills is gone (removing
// what is not, to protect the disk) and counts what was left in ks.
func (g *killGen) checkCleaned() error {
	var stale []string
	var bytes int64
	for n, sz := range g.left {
		if _, err := os.Stat(filepath.Join(g.dir, n)); err == nil {
			stale = append(stale, n)
			bytes += sz
			os.RemoveAll(filepath.Join(g.dir, n))
		}
	}
	clear(g.left)
	if len(stale) == 0 {
		return nil
	}
	sort.Strings(stale)
	for _, n := range stale {
		g.ks.staleKinds[debrisKind(n)]++
	}
	g.ks.staleFiles += len(stale)
	g.ks.staleBytes += bytes
	return &debrisError{fmt.Errorf("the next start left %d files from the killed run in place (%s), e.g. %s", len(stale), fmtBytes(float64(bytes)), stale[0])}
}

// checkRecovered checks in st that every session a kill left open (but
// skip) was recovered as unclean_exit, estimated, with no open order.
func (g *killGen) checkRecovered(st proofkit.State, skip string) error {
	ids := make([]string, 0, len(g.pending))
	for id := range g.pending {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if id == skip {
			continue
		}
		s := st.ByID(id)
		switch {
		case s == nil:
			return fmt.Errorf("killed session %s vanished", id)
		case !s.EndedAt.Valid || s.HaltReason.String != "unclean_exit" || s.Estimated != 1:
			return fmt.Errorf("killed session %s after the next start: ended_at=%v halt_reason=%q ended_at_estimated=%d, want set, unclean_exit, 1",
				id, s.EndedAt.Valid, s.HaltReason.String, s.Estimated)
		case s.OpenOrders != 0:
			return fmt.Errorf("killed session %s keeps %d open orders after recovery", id, s.OpenOrders)
		}
		delete(g.pending, id)
		g.recovered++
	}
	return nil
}

// kill starts session k under a fill watcher and kills it at a random
// moment; when the session started first, what the previous kill left
// is checked meanwhile (recovered, cleaned). Then the killed file is
// checked.
func (g *killGen) kill(ctx context.Context, rng *rand.Rand, k int) error {
	speed := "0"
	if k%2 == 1 {
		speed = "50"
	}
	w := watchFills(g.db, g.seen, g.lastRow, 5*time.Millisecond)
	p, err := proofkit.Start("", g.o.bin, nil, "run", "--db", g.db, "--config", g.cfg, "--headless", "--speed", speed,
		"--duration", "1000h", "--seed", fmt.Sprint(1+rng.IntN(1_000_000)), "--log-format", "logfmt")
	if err != nil {
		w.halt()
		return err
	}
	// A random moment: during start-up and recovery, mid-commit,
	// mid-checkpoint, mid-backup.
	delay := time.Duration(rng.IntN(700)) * time.Millisecond
	var recErr error
	if _, err := p.ErrOut.WaitFor("session started", delay, p.Done); err == nil {
		// The start has recovered what the last kill left: check it
		// now, while this session writes (WAL readers do not block).
		if st, err := proofkit.ReadFile(ctx, g.db); err != nil {
			recErr = fmt.Errorf("reading during the next start: %v", err)
		} else {
			recErr = g.checkRecovered(st, "")
		}
		if err := g.checkCleaned(); err != nil && recErr == nil {
			recErr = err
		}
		time.Sleep(time.Until(p.Started.Add(delay)))
	} else {
		g.killedBeforeStart++
	}
	select {
	case <-p.Done:
		w.halt()
		return fmt.Errorf("neo exited by itself (code %d) before the kill: %s", p.Code, proofkit.Tail(p.ErrOut.String(), 300))
	default:
	}
	p.Signal(syscall.SIGKILL)
	<-p.Done
	w.halt()
	g.ageDebris()
	g.lastRow = w.lastRow
	if _, err := os.Stat(g.db); err != nil {
		return recErr // killed before the file was created
	}
	if err := g.checkKilledFile(ctx); err != nil {
		return err
	}
	return recErr // the checks of the start before this kill
}

// ageDebris notes what the kill left and ages it by two hours, so that a
// start that deletes interrupted files once they are old enough (no live
// process can still be writing them) must delete these.
func (g *killGen) ageDebris() {
	old := time.Now().Add(-2 * time.Hour)
	for n, sz := range debris(g.dir) {
		g.left[n] = sz
		filepath.Walk(filepath.Join(g.dir, n), func(p string, _ os.FileInfo, _ error) error { os.Chtimes(p, old, old); return nil })
	}
}

// checkKilledFile checks the killed database with `neo check` (which must
// not change it), a fresh reader and the sqlite3 CLI, checks that every
// fill seen committed is there, and notes the sessions left open.
func (g *killGen) checkKilledFile(ctx context.Context) error {
	if _, err := runUnchanged(ctx, g.o, g.db, 0, time.Minute, "check", "--db", g.db); err != nil {
		return fmt.Errorf("after the kill: %w", err)
	}
	st, err := proofkit.ReadFile(ctx, g.db)
	if err != nil {
		return fmt.Errorf("independent reader after the kill: %v", err)
	}
	if err := proofkit.CLIQuickCheck(ctx, g.db); err != nil {
		return err
	}
	if err := fillsPresent(ctx, g.db, g.seen); err != nil {
		return err
	}
	for _, s := range st.Sessions {
		if !s.EndedAt.Valid {
			g.pending[s.ID] = true
		}
	}
	return nil
}

// final runs one more start, which must recover the last kill's session,
// end cleanly, keep every fill and clean the last kill's debris.
func (g *killGen) final(ctx context.Context, r *row) {
	res, err := proofkit.Run(ctx, "", g.o.bin, time.Minute, nil, "run", "--db", g.db, "--config", g.cfg, "--headless", "--duration", "1s", "--speed", "0")
	switch {
	case err != nil:
		r.fail("final start: %v", err)
	case res.Code != 0:
		r.fail("final start: exit %d: %s", res.Code, proofkit.Tail(res.Stderr, 300))
	default:
		st, err := checkClean(ctx, g.db, "duration_reached")
		if err == nil {
			err = g.checkRecovered(st, "")
		}
		if err == nil {
			err = fillsPresent(ctx, g.db, g.seen)
		}
		if err == nil {
			err = g.checkCleaned()
		}
		if err != nil {
			g.ks.classify(err)
			r.fail("final start: %v", err)
		}
	}
}

// debrisError is a run whose only fault is what a kill left on disk.
type debrisError struct{ error }

// classify counts a failed run by kind.
func (ks *killStats) classify(err error) {
	var de *debrisError
	switch {
	case err == nil:
	case errors.As(err, &de):
		ks.debrisFails++
	default:
		ks.otherFails++
		if ks.firstOther == "" {
			ks.firstOther = err.Error()
		}
	}
}

// fillsPresent checks through a fresh reader that every fill id in seen is
// in the database.
func fillsPresent(ctx context.Context, path string, seen map[string]bool) error {
	db, err := proofkit.OpenReader(path)
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, "SELECT fill_id FROM fills")
	if err != nil {
		return err
	}
	defer rows.Close()
	have := make(map[string]bool, len(seen))
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return err
		}
		have[id] = true
	}
	var missing []string
	for id := range seen {
		if !have[id] {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("%d fills seen committed are missing, e.g. %s", len(missing), strings.Join(missing[:min(3, len(missing))], ", "))
	}
	return rows.Err()
}
