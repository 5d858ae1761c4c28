package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"regexp"
	"time"

	"neo/cmd/internal/proofkit"
)

var crashSummary = regexp.MustCompile(`(\d+) kills, (\d+) fills confirmed`)

// soakStoreCrash runs the store's own child-process crash test under the
// soak tag: a child records fills through the store and prints each fill id
// only after its commit returned; the parent kills it at random moments and
// checks every printed id with a fresh handle and the sqlite3 CLI. It is
// the literal form of "every fill reported as committed is present".
func soakStoreCrash(ctx context.Context, o options, rng *rand.Rand, r *row) {
	kills := o.count(1000, 50)
	cctx, cancel := context.WithTimeout(ctx, 30*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(cctx, "go", "test", "-tags", "soak", "-count", "1", "-run", "^TestCrashSafety$", "-v", "./store/")
	cmd.Dir = o.repo
	cmd.Env = append(os.Environ(), fmt.Sprintf("SOAK_KILLS=%d", kills))
	out, err := cmd.CombinedOutput()
	m := crashSummary.FindStringSubmatch(string(out))
	if err != nil || m == nil {
		r.fail("go test -tags soak -run TestCrashSafety ./store/ (SOAK_KILLS=%d): %v: %s", kills, err, proofkit.Tail(string(out), 400))
		return
	}
	r.Runs, r.Passed = int(atof(m[1])), int(atof(m[1]))
	r.Note = fmt.Sprintf("store child process prints each fill id after its commit returns; %s ids confirmed, all present after every kill (fresh handle and sqlite3 CLI); SOAK_KILLS=%d", thousands(atof(m[2])), kills)
}
