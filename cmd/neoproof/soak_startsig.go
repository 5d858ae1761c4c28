package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"neo/cmd/internal/proofkit"
)

// startSigGeneration is how many signalled starts share one database, so
// that later starts also recover, migrate-check and back up a file with
// history.
const startSigGeneration = 10

// startSigMoment is the window after exec in which the signal lands: it
// covers opening, quick_check, recovery, the pre-run backup and the first
// writes of the session.
const startSigMoment = 400 * time.Millisecond

// startSigEarly is the narrower window of every other pair of runs: a
// start takes a few tens of milliseconds on an idle machine, so most of a
// 400 ms window would land in the running session.
const startSigEarly = 50 * time.Millisecond

// soakStartSignal sends SIGTERM or SIGINT (alternately) at a random moment
// 0-400 ms after exec of a headless `neo run`. Every run must exit 0 (a
// clean operator stop) and, by a fresh reader and the sqlite3 CLI, leave no
// session open and every session ended by the signal it got, with an empty
// WAL.
func soakStartSignal(ctx context.Context, o options, rng *rand.Rand, r *row) {
	seed := rng.Uint64()
	o.logf("start signals: seed %d", seed)
	local := rand.New(rand.NewPCG(seed, 8))
	n := o.count(120, 8)
	t := &startSigRow{o: o, codes: map[int]int{}, reasons: map[string]string{}, reported: map[string]bool{}}
	defer func() {
		if t.cleanup != nil {
			t.cleanup()
		}
	}()
	for i := 0; i < n && ctx.Err() == nil; i++ {
		if i%startSigGeneration == 0 {
			if err := t.newDatabase(); err != nil {
				r.fail("%v", err)
				return
			}
		}
		sig, want := syscall.SIGTERM, "signal_terminate"
		if i%2 == 1 {
			sig, want = syscall.SIGINT, "signal_interrupt"
		}
		window := startSigMoment
		if i%4 >= 2 {
			window = startSigEarly // a start on this machine takes a few tens of ms
		}
		moment := time.Duration(local.Int64N(int64(window) + 1))
		r.record(logFailure(o, "start-up signals", i+1, t.try(ctx, local, sig, want, moment)))
	}
	r.Note = fmt.Sprintf("seed %d; SIGTERM/SIGINT alternately at uniform moments 0-%d ms (half the runs) or 0-%d ms after exec, headless at --speed 1 or 10, %d starts per database; exit codes: %s; %d sessions left open; %d signals landed before \"session started\"; %d runs died of the signal after printing or touching files %v (a failure); %d died of it having printed nothing and changed nothing on disk %v (the signal beat the Go runtime; not counted as a failure)",
		seed, startSigMoment.Milliseconds(), startSigEarly.Milliseconds(), startSigGeneration, fmtCodes(t.codes), t.open, t.beforeSession, len(t.diedAt), t.diedAt, len(t.preRuntime), t.preRuntime)
}

// startSigRow is the state of the start-up signals row: the current
// database and what the runs add up to.
type startSigRow struct {
	o             options
	db, cfg       string
	cleanup       func()
	codes         map[int]int
	open          int
	beforeSession int
	diedAt        []string          // moments of the runs killed by the signal after touching the files
	preRuntime    []string          // moments of the runs killed by the signal before touching anything
	reasons       map[string]string // session id → the reason its signal must leave
	reported      map[string]bool   // sessions already counted as faulty (a later start recovers them)
}

// newDatabase replaces the database (and its config) with a fresh one.
func (t *startSigRow) newDatabase() error {
	if t.cleanup != nil {
		t.cleanup()
	}
	var dir string
	var err error
	if dir, t.cleanup, err = t.o.tempDir("startsig"); err != nil {
		return err
	}
	t.db = filepath.Join(dir, "neo.db")
	t.cfg = filepath.Join(dir, "cfg.toml")
	os.WriteFile(t.cfg, []byte(wideConfig+"[store]\nbackup_retention = 2\n"), 0o600)
	clear(t.reasons)
	clear(t.reported)
	return nil
}

// try starts a headless `neo run` and sends it sig at moment after exec:
// it must exit 0 (or die of the signal having done nothing), leave an
// empty WAL and every new session ended with the reason want.
func (t *startSigRow) try(ctx context.Context, local *rand.Rand, sig syscall.Signal, want string, moment time.Duration) error {
	label := fmt.Sprintf("%s at %d ms after exec", sig, moment.Milliseconds())
	before, err := t.sessionIDs(ctx)
	if err != nil {
		return fmt.Errorf("%s: before the start: %v", label, err)
	}
	dirBefore := dirFingerprint(filepath.Dir(t.db)) // after our read: readers touch -shm
	// --speed 1 or 10: at 10 the first event is due at once, so a signal
	// lands as often between the session row and the loop's first event.
	speed := []string{"1", "10"}[local.IntN(2)]
	p, err := proofkit.Start("", t.o.bin, nil, "run", "--db", t.db, "--config", t.cfg, "--headless", "--speed", speed,
		"--duration", "1000h", "--seed", fmt.Sprint(1+local.IntN(1_000_000)), "--log-format", "logfmt")
	if err != nil {
		return err
	}
	defer p.Kill()
	if !p.SignalAt(moment, sig) {
		return fmt.Errorf("%s: neo exited by itself (code %d) before the signal: %s", label, p.Code, proofkit.Tail(p.ErrOut.String(), 300))
	}
	// The moment the signal was really sent (a loaded machine
	// oversleeps), for the failure details.
	moment = time.Since(p.Started)
	label = fmt.Sprintf("%s at %d ms after exec", sig, moment.Milliseconds())
	code, werr := p.Wait(shutdownBound + 10*time.Second)
	t.codes[code]++
	if werr != nil {
		return fmt.Errorf("%s: %v", label, werr)
	}
	started := strings.Contains(p.ErrOut.String(), `msg="session started"`)
	if !started {
		t.beforeSession++
	}
	faults := t.exitFaults(p, code, moment, dirBefore)
	if n := proofkit.WALSize(t.db); n != 0 {
		faults = append(faults, fmt.Sprintf("%s-wal holds %d bytes after exit", filepath.Base(t.db), n))
	}
	more, err := t.sessionFaults(ctx, before, want)
	if err != nil {
		return fmt.Errorf("%s: %v", label, err)
	}
	faults = append(faults, more...)
	if len(faults) > 0 {
		return fmt.Errorf("%s (session started: %v): %s", label, started, strings.Join(faults, "; "))
	}
	return nil
}

// sessionIDs are the sessions in the database, if there is one yet.
func (t *startSigRow) sessionIDs(ctx context.Context) (map[string]bool, error) {
	ids := map[string]bool{}
	if _, err := os.Stat(t.db); err != nil {
		return ids, nil
	}
	st, err := proofkit.ReadFileIfAny(ctx, t.db)
	if err != nil {
		return nil, err
	}
	for _, s := range st.Sessions {
		ids[s.ID] = true
	}
	return ids, nil
}

// exitFaults judges the exit code: 0 passes; death by the signal passes
// only when the program had printed nothing and nothing on disk changed
// (the signal beat the runtime's handler).
func (t *startSigRow) exitFaults(p *proofkit.Proc, code int, moment time.Duration, dirBefore string) []string {
	switch code {
	case 0:
	case -1:
		after := dirFingerprint(filepath.Dir(t.db))
		if after == dirBefore && strings.TrimSpace(p.ErrOut.String()+p.Out.String()) == "" {
			// The signal arrived before the program could have
			// a handler (the runtime was still loading): it had
			// printed nothing and nothing on disk changed, so
			// nothing is left to account for.
			t.preRuntime = append(t.preRuntime, fmt.Sprintf("%d ms", moment.Milliseconds()))
			return nil
		}
		t.diedAt = append(t.diedAt, fmt.Sprintf("%d ms", moment.Milliseconds()))
		return []string{fmt.Sprintf("killed by the signal itself after it had printed %q or touched the files (before: %q, after: %q)", proofkit.Tail(p.ErrOut.String()+p.Out.String(), 200), dirBefore, after)}
	default:
		return []string{fmt.Sprintf("exit %d, want 0; log %q", code, proofkit.Tail(p.ErrOut.String(), 200))}
	}
	return nil
}

// sessionFaults checks by a fresh reader and the sqlite3 CLI that no
// session is open and that each ended with the reason of the signal it got
// (sessions not in before got want); a session is reported once.
func (t *startSigRow) sessionFaults(ctx context.Context, before map[string]bool, want string) ([]string, error) {
	if _, err := os.Stat(t.db); err != nil {
		return nil, nil
	}
	st, err := proofkit.ReadFileIfAny(ctx, t.db)
	if err != nil {
		return nil, fmt.Errorf("independent reader: %v", err)
	}
	var faults []string
	for _, s := range st.Sessions {
		if !before[s.ID] {
			t.reasons[s.ID] = want
		}
		if t.reported[s.ID] {
			continue
		}
		switch {
		case !s.EndedAt.Valid:
			t.open++
			t.reported[s.ID] = true
			faults = append(faults, fmt.Sprintf("session %s left open (ended_at NULL)", s.ID))
		case s.HaltReason.String != t.reasons[s.ID]:
			t.reported[s.ID] = true
			faults = append(faults, fmt.Sprintf("session %s halt_reason=%q, want %q", s.ID, s.HaltReason.String, t.reasons[s.ID]))
		}
	}
	if cli := proofkit.SQLiteCLI(); cli != "" && t.open == 0 && len(st.Sessions) > 0 {
		out, err := proofkit.CLIQuery(ctx, cli, t.db, "SELECT count(*) FROM sessions WHERE ended_at IS NULL;")
		if err != nil {
			return nil, err
		}
		if out != "0" {
			faults = append(faults, fmt.Sprintf("sqlite3 CLI counts %s open sessions", out))
		}
		// A session stopped before its first event was applied still ends
		// where it started: no snapshot at mid 0 or before its market start
		// (one such read as a -50 % loss at year 1).
		out, err = proofkit.CLIQuery(ctx, cli, t.db, impossibleSnapshots)
		if err != nil {
			return nil, err
		}
		if out != "0" {
			faults = append(faults, fmt.Sprintf("sqlite3 CLI counts %s snapshots at mid <= 0 or before their session's market start", out))
		}
	}
	return faults, nil
}

// impossibleSnapshots counts the inventory and valuation snapshots that no
// market event can have made: at a mid of 0 or less, or stamped before
// their session's first market event.
const impossibleSnapshots = `SELECT count(*) FROM (
  SELECT i.market_time AS t, i.mid_price AS m, s.market_started_at AS a FROM inventory_snapshots i JOIN sessions s USING (session_key)
  UNION ALL
  SELECT v.market_time, v.mid_price, s.market_started_at FROM valuation_snapshots v JOIN sessions s USING (session_key)
) WHERE m <= 0 OR strftime('%s', a) IS NULL OR t < CAST(strftime('%s', a) AS INTEGER) * 1000;`

// fmtCodes renders exit-code counts as "0×38, 1×2" (-1 = killed by a
// signal), sorted by code.
func fmtCodes(codes map[int]int) string {
	if len(codes) == 0 {
		return "none"
	}
	return fmtCounts(codes, func(k, n int) string { return fmt.Sprintf("%d×%d", k, n) })
}

// dirFingerprint names and hashes every file of dir but -shm files (every
// reader maps and touches them), so that a run that changed nothing on
// disk can be told from one that did.
func dirFingerprint(dir string) string {
	es, _ := os.ReadDir(dir)
	var b strings.Builder
	for _, e := range es {
		if strings.HasSuffix(e.Name(), "-shm") {
			continue
		}
		p := filepath.Join(dir, e.Name())
		fi, err := os.Lstat(p)
		if err != nil {
			continue
		}
		fmt.Fprintf(&b, "%s %d %d %s\n", e.Name(), fi.Size(), fi.ModTime().UnixNano(), hashFiles(p))
	}
	return b.String()
}

// logFailure passes err through, logging it as a progress line when it is
// a failure, so that every failed run is on record and not only the
// table's first.
func logFailure(o options, row string, run int, err error) error {
	if err != nil {
		o.logf("%s: run %d: %v", row, run, err)
	}
	return err
}
