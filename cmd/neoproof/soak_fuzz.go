package main

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"neo/cmd/internal/proofkit"
)

// fuzzTarget is one fuzz function of the project.
type fuzzTarget struct {
	pkg  string // ./engine/feed
	name string // FuzzReplayCSV
}

var fuzzFunc = regexp.MustCompile(`(?m)^func (Fuzz\w+)\(\w+ \*testing\.F\)`)

// findFuzzTargets walks the module for Fuzz functions in _test.go files.
func findFuzzTargets(repo string) ([]fuzzTarget, error) {
	var out []fuzzTarget
	err := filepath.WalkDir(repo, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); p != repo && (strings.HasPrefix(n, ".") || n == "testdata" || n == "bin" || n == "dist") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(repo, filepath.Dir(p))
		for _, m := range fuzzFunc.FindAllSubmatch(b, -1) {
			out = append(out, fuzzTarget{pkg: "./" + filepath.ToSlash(rel), name: string(m[1])})
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].pkg+out[i].name < out[j].pkg+out[j].name })
	return out, err
}

// soakFuzz runs each fuzz target for the fuzz time; one run per target,
// passing when `go test -fuzz` exits 0.
func soakFuzz(ctx context.Context, o options, rng *rand.Rand, r *row) {
	d := o.fuzzTime
	if d == 0 {
		d = time.Duration(float64(2*time.Minute) * o.scale).Round(time.Second)
		if d < 5*time.Second {
			d = 5 * time.Second
		}
	}
	targets, err := findFuzzTargets(o.repo)
	if err != nil || len(targets) == 0 {
		r.fail("no fuzz target found under %s (%v); pass --repo", o.repo, err)
		return
	}
	var notes []string
	for _, t := range targets {
		if ctx.Err() != nil {
			return
		}
		cctx, cancel := context.WithTimeout(ctx, d+5*time.Minute)
		// Minimising each new interesting input may take 60 s by default,
		// during which nothing else runs: with one worker and a short fuzz
		// time, a target spent most of its time there (1,495 execs in 24 s).
		minimize := max(time.Second, d/10).String()
		cmd := exec.CommandContext(cctx, "go", "test", "-run", "^$", "-fuzz", "^"+t.name+"$", "-fuzztime", d.String(),
			"-fuzzminimizetime", minimize, "-parallel", fmt.Sprint(max(1, numCPU()-1)), t.pkg)
		cmd.Dir = o.repo
		out, err := cmd.CombinedOutput()
		cancel()
		execs := lastExecs(string(out))
		if err != nil && deadlineRace(string(out)) {
			// A pass: the target ran its time and found nothing.
			r.pass()
			notes = append(notes, fmt.Sprintf("%s (%s) %s execs, ended by go#75804's deadline race (no failing input)", t.name, t.pkg, execs))
			continue
		}
		if err != nil {
			r.fail("%s %s: %v: %s", t.pkg, t.name, err, proofkit.Tail(string(out), 400))
			notes = append(notes, fmt.Sprintf("%s FAILED", t.name))
			continue
		}
		r.pass()
		notes = append(notes, fmt.Sprintf("%s (%s) %s execs", t.name, t.pkg, execs))
	}
	r.Note = fmt.Sprintf("%s each: %s", d, strings.Join(notes, "; "))
}

// deadlineRace reports whether a failed `go test -fuzz` run is Go 1.26's
// coordinator race at the end of -fuzztime (golang/go#75804, fixed in Go
// 1.27): the run fails with a bare "context deadline exceeded" and writes no
// failing input. A real finding always names the input it wrote.
func deadlineRace(out string) bool {
	return strings.Contains(out, "\n    context deadline exceeded\n") &&
		!strings.Contains(out, "Failing input written to")
}

var execsRe = regexp.MustCompile(`execs: (\d+)`)

// lastExecs finds the last "execs: N" in go test -fuzz output.
func lastExecs(out string) string {
	last := "?"
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		if m := execsRe.FindStringSubmatch(sc.Text()); m != nil {
			last = thousands(atof(m[1]))
		}
	}
	return last
}
