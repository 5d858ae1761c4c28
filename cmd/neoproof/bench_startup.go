package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"neo/cmd/internal/proofkit"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// startupRuns is how many starts are timed per database size; the row shows
// their median (the machine is shared, one start is noise).
const startupRuns = 3

// startupFig is one timed start: exec to "session started" by our clock, and
// the parts the binary logs (empty when it does not log them).
type startupFig struct {
	started                                                 time.Duration
	check, copy, method, migrations, open, backup, recovery string
}

// benchStartup times `neo check` and headless starts (to "session started",
// the first tick) on two database sizes, with the parts of the start the
// binary logs: the open ("database opened": the integrity check, the
// pre-run copy, the migrations), the pre-run backup and the recovery.
func benchStartup(ctx context.Context, o options, sz benchSizes, rng *rand.Rand, t *benchTable) error {
	dir, cleanup, err := o.tempDir("startup")
	if err != nil {
		return err
	}
	defer cleanup()
	type sizeFig struct {
		size  int64
		check time.Duration
		runs  []startupFig
	}
	var figs [2]sizeFig
	for i, mb := range sz.startupMB {
		d := filepath.Join(dir, fmt.Sprint(mb))
		db := filepath.Join(d, "neo.db")
		if err := buildDB(ctx, o, db, mb); err != nil {
			return err
		}
		fi, _ := os.Stat(db)
		figs[i].size = fi.Size()
		res, err := proofkit.Run(ctx, "", o.bin, 10*time.Minute, nil, "check", "--db", db)
		if err != nil || res.Code != 0 {
			return fmt.Errorf("neo check on %d MB: exit %d %v: %s", mb, res.Code, err, proofkit.Tail(res.Stdout+res.Stderr, 200))
		}
		figs[i].check = res.Took
		for range startupRuns {
			f, err := timeStart(o, db, mb)
			if err != nil {
				return err
			}
			figs[i].runs = append(figs[i].runs, f)
			// Only the newest backup is needed: keep the disk in check.
			olds, _ := filepath.Glob(db + ".bak.*")
			slices.Sort(olds)
			for _, b := range olds[:max(len(olds)-1, 0)] {
				os.Remove(b)
			}
		}
	}
	median := func(runs []startupFig) startupFig {
		s := slices.Clone(runs)
		slices.SortFunc(s, func(a, b startupFig) int { return int(a.started - b.started) })
		return s[len(s)/2]
	}
	for i := range figs {
		f := figs[i]
		m := median(f.runs)
		var all []string
		for _, r := range f.runs {
			all = append(all, fmtDur(r.started))
		}
		ref, verdict := "", ""
		if i == 1 {
			ref = fmt.Sprintf("%s database: %s to first tick", fmtBytes(float64(figs[0].size)), fmtDur(median(figs[0].runs).started))
			verdict = startupVerdict(f.size, m.started)
		}
		na := func(s string) string {
			if s == "" {
				return "n/a"
			}
			return s
		}
		parts := fmt.Sprintf("open %s (quick_check %s, pre-run copy %s [%s], migrations %s), pre-run backup %s, recovery %s; `neo check` alone %s",
			na(m.open), na(m.check), na(m.copy), na(m.method), na(m.migrations), na(m.backup), na(m.recovery), fmtDur(f.check))
		t.Add(fmt.Sprintf("start-up: %s database, headless", fmtBytes(float64(f.size))),
			fmt.Sprintf("%s to first tick (\"session started\"), median of %s", fmtDur(m.started), strings.Join(all, ", ")), ref, verdict,
			parts+"; our clock: exec → log line on stderr, parts from the binary's log; database grown with valuation snapshots by our own connection")
	}
	return nil
}

// timeStart runs one headless start on db and reads its parts from the log.
func timeStart(o options, db string, mb int) (startupFig, error) {
	var f startupFig
	p, err := proofkit.Start("", o.bin, nil, "run", "--db", db, "--headless", "--speed", "0", "--duration", "1s", "--log-format", "logfmt")
	if err != nil {
		return f, err
	}
	st, err := p.ErrOut.WaitFor("session started", 10*time.Minute, p.Done)
	<-p.Done
	if err != nil {
		return f, fmt.Errorf("start on %d MB: %v: %s", mb, err, proofkit.Tail(p.ErrOut.String(), 300))
	}
	if p.Code != 0 {
		return f, fmt.Errorf("start on %d MB: exit %d: %s", mb, p.Code, proofkit.Tail(p.ErrOut.String(), 300))
	}
	f.started = st.Sub(p.Started)
	log := p.ErrOut.String()
	first := func(msg, key string) string {
		if v := logValues(log, msg, key); len(v) > 0 {
			return v[0]
		}
		return ""
	}
	f.open = first("database opened", "took")
	f.check = first("database opened", "check")
	f.copy = first("database opened", "backup_copy")
	f.method = first("database opened", "backup_method")
	f.migrations = first("database opened", "migrations")
	f.backup = first("pre-run backup: done", "took")
	f.recovery = first("recovery: done", "took")
	return f, nil
}

// startupVerdict is the goal for a start on a big database: at most
// 1.5 s to "session started" on 500 MiB, pre-run backup included. Smaller
// databases (--quick) are not judged.
func startupVerdict(size int64, started time.Duration) string {
	if size < 500<<20 {
		return fmt.Sprintf("goal ≤ 1.5 s is set for 500 MiB; %s not judged (run without --quick)", fmtBytes(float64(size)))
	}
	return "goal ≤ 1.5 s on 500 MiB: " + metOr(started <= 1500*time.Millisecond)
}
