package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"neo/cmd/internal/proofkit"
)

// row is the outcome of one soak case: runs, passes, failures and the
// first failure's detail.
type row struct {
	Name      string
	Runs      int
	Passed    int
	Failed    int
	Skipped   string // why the case did not run (then Runs is 0)
	FirstFail string
	Note      string
	Elapsed   time.Duration
}

// pass records a passing run.
func (r *row) pass() { r.Runs++; r.Passed++ }

// fail records a failing run; the first detail is kept.
func (r *row) fail(format string, args ...any) {
	r.Runs++
	r.Failed++
	if r.FirstFail == "" {
		r.FirstFail = fmt.Sprintf("run %d: ", r.Runs) + fmt.Sprintf(format, args...)
	}
}

// record counts a run from its error.
func (r *row) record(err error) {
	if err != nil {
		r.fail("%v", err)
		return
	}
	r.pass()
}

// soakCase is one row of the soak table.
type soakCase struct {
	name string
	run  func(ctx context.Context, o options, rng *rand.Rand, r *row)
	bg   bool // runs beside the others (the long session)
}

// soakCases are the rows of the soak table, in the order they run and print:
// the exit paths and the lock routes are a row per path and per route.
func soakCases() []soakCase {
	cases := []soakCase{{name: "long session", run: soakLongSession, bg: true}}
	cases = append(cases, exitPathCases()...)
	cases = append(cases,
		soakCase{name: "kill -9", run: soakKill},
		soakCase{name: "kill -9, store child (ids printed after commit)", run: soakStoreCrash},
		soakCase{name: "corruption", run: soakCorruption},
		soakCase{name: "env: full disk", run: soakFullDisk},
		soakCase{name: "env: read-only directory", run: soakReadOnlyDir},
		soakCase{name: "env: second instance", run: soakSecondInstance},
		soakCase{name: "env: database path is a directory", run: soakDBIsDir},
	)
	cases = append(cases, lockCases()...)
	return append(cases,
		soakCase{name: "start-up signals", run: soakStartSignal},
		soakCase{name: "backup retention, skewed clock", run: soakBackupSkew},
		soakCase{name: "interrupted backup/restore", run: soakInterrupted},
		soakCase{name: "xrpl: reconnect storm", run: soakXRPLStorm},
		soakCase{name: "xrpl: silent socket", run: soakXRPLSilent},
		soakCase{name: "xrpl: rate-limit closes (1008) and rotation", run: soakXRPLRateLimit},
		soakCase{name: "fuzzing", run: soakFuzz},
	)
}

func soak(ctx context.Context, o options, stdout io.Writer) int {
	start := time.Now()
	cases := soakCases()
	seed := uint64(time.Now().UnixNano())
	o.logf("soak: binary %s, SOAK_SCALE=%g, seed %d", o.bin, o.scale, seed)
	rows := make([]*row, len(cases))
	var bg sync.WaitGroup
	for i, c := range cases {
		rows[i] = &row{Name: c.name}
		if !o.selected(c.name) {
			rows[i] = nil
			continue
		}
		r := rows[i]
		rng := rand.New(rand.NewPCG(seed, uint64(i)))
		do := func() {
			t0 := time.Now()
			o.logf("%s: start", c.name)
			c.run(ctx, o, rng, r)
			r.Elapsed = time.Since(t0)
			o.logf("%s: %d runs, %d passed, %d failed %s (%s)", c.name, r.Runs, r.Passed, r.Failed, r.FirstFail, fmtDur(r.Elapsed))
		}
		if c.bg {
			bg.Add(1)
			go func() { defer bg.Done(); do() }()
			continue
		}
		do()
		if ctx.Err() != nil {
			break
		}
	}
	bg.Wait()
	t := soakTable(rows)
	t.Title = fmt.Sprintf("make soak — %s, SOAK_SCALE=%g, %s total", time.Now().UTC().Format("2006-01-02 15:04 UTC"), o.scale, fmtDur(time.Since(start)))
	t.Notes = append(t.Notes, machineNote())
	t.Write(stdout)
	for _, r := range rows {
		if r != nil && (r.Failed > 0 || (r.Runs == 0 && r.Skipped == "")) {
			return 1
		}
	}
	if ctx.Err() != nil {
		return 1
	}
	return 0
}

// soakTable renders the rows.
func soakTable(rows []*row) *Table {
	t := &Table{Header: []string{"case", "runs", "passed", "failed", "elapsed", "first failure / notes"}}
	for _, r := range rows {
		if r == nil {
			continue
		}
		detail := r.FirstFail
		if r.Skipped != "" {
			detail = "SKIPPED: " + r.Skipped
		}
		if r.Note != "" {
			if detail != "" {
				detail += " — "
			}
			detail += r.Note
		}
		t.Add(r.Name, fmt.Sprint(r.Runs), fmt.Sprint(r.Passed), fmt.Sprint(r.Failed), fmtDur(r.Elapsed), detail)
	}
	return t
}

// machineNote describes where the figures were taken.
func machineNote() string {
	host, _ := os.Hostname()
	cli := proofkit.SQLiteCLI()
	if cli == "" {
		cli = "not installed (modernc reader only)"
	}
	return fmt.Sprintf("machine: %s, %d CPUs, %s; sqlite3 CLI: %s", host, numCPU(), goVersion(), cli)
}

// repeat runs one check n times (fewer when ctx ends), each in a fresh
// temporary directory named after name, and records each outcome.
func (r *row) repeat(ctx context.Context, o options, n int, name string, check func(i int, dir string) error) {
	for i := 0; i < n && ctx.Err() == nil; i++ {
		r.record(func() error {
			dir, cleanup, err := o.tempDir(name)
			if err != nil {
				return err
			}
			defer cleanup()
			return check(i, dir)
		}())
	}
}
