package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"neo/cmd/internal/proofkit"
)

// rssSampler samples a process's VmRSS until it ends.
type rssSampler struct {
	samples []int64 // bytes
	hwm     int64
}

// sampleRSS samples pid every interval until done is closed.
func sampleRSS(pid int, interval time.Duration, done <-chan struct{}) *rssSampler {
	s := &rssSampler{}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if v, err := procStatus(pid, "VmRSS"); err == nil {
			s.samples = append(s.samples, v)
		}
		if v, err := procStatus(pid, "VmHWM"); err == nil {
			s.hwm = v
		}
		select {
		case <-done:
			return s
		case <-t.C:
		}
	}
}

// growth compares the RSS of the last quarter of the session with that of
// the second quarter (after warm-up): the peaks of both.
func (s *rssSampler) growth() (early, late int64, ok bool) {
	n := len(s.samples)
	if n < 8 {
		return 0, 0, false
	}
	peak := func(a []int64) int64 {
		c := append([]int64(nil), a...)
		sort.Slice(c, func(i, j int) bool { return c[i] < c[j] })
		return c[len(c)-1]
	}
	return peak(s.samples[n/4 : n/2]), peak(s.samples[3*n/4:]), true
}

// soakLongSession replays a long file at --speed 0 with full persistence,
// sampling RSS: memory must not grow with the session's length.
func soakLongSession(ctx context.Context, o options, rng *rand.Rand, r *row) {
	bars := int(1_000_000 * o.scale)
	if bars < 20_000 {
		bars = 20_000
	}
	dir, cleanup, err := o.tempDir("long")
	if err != nil {
		r.fail("%v", err)
		return
	}
	defer cleanup()
	csv := filepath.Join(dir, "bars.csv")
	if err := proofkit.WriteBars(csv, 5, bars); err != nil {
		r.fail("%v", err)
		return
	}
	db := filepath.Join(dir, "neo.db")
	cfg := writeTemp(dir, "cfg.toml", wideConfig)
	p, err := proofkit.Start("", o.bin, nil, "run", "--db", db, "--config", cfg, "--headless", "--speed", "0", "--feed", "replay:"+csv, "--log-format", "logfmt")
	if err != nil {
		r.fail("%v", err)
		return
	}
	defer p.Kill()
	s := sampleRSS(p.Cmd.Process.Pid, 250*time.Millisecond, p.Done)
	<-p.Done
	took := p.Exited.Sub(p.Started)
	os.Remove(csv)
	if p.Code != 0 {
		r.fail("%d bars: exit %d: %s", bars, p.Code, proofkit.Tail(p.ErrOut.String(), 300))
		return
	}
	st, err := checkClean(ctx, db, "feed_ended")
	if err != nil {
		r.fail("%d bars: %v", bars, err)
		return
	}
	early, late, ok := s.growth()
	fi, _ := os.Stat(db)
	r.Note = fmt.Sprintf("%s bars in %s (%s bars/s), %s fills, database %s; RSS peak %s, second-quarter peak %s, last-quarter peak %s (%d samples)",
		thousands(float64(bars)), fmtDur(took), thousands(float64(bars)/took.Seconds()), thousands(float64(st.Last().Fills)),
		fmtBytes(float64(fi.Size())), fmtBytes(float64(s.hwm)), fmtBytes(float64(early)), fmtBytes(float64(late)), len(s.samples))
	switch {
	case !ok:
		r.fail("too few RSS samples (%d) to judge growth", len(s.samples))
	case float64(late) > 1.25*float64(early)+16<<20:
		r.fail("RSS grew with the session: second-quarter peak %s, last-quarter peak %s", fmtBytes(float64(early)), fmtBytes(float64(late)))
	default:
		r.pass()
	}
}

// atof parses a float, 0 on error.
func atof(s string) float64 {
	f, _ := strconv.ParseFloat(s, 64)
	return f
}
