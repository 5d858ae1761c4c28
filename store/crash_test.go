package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"neo/engine"
	"neo/store"
)

const crashChildEnv = "NEO_STORE_CRASH_CHILD"

// crashChild is the child process of TestCrashSafety: it recovers what the
// previous child left open, opens a session and records fills as fast as it
// can, printing each fill id once its commit has returned, until killed.
func crashChild(dir string) int {
	ctx := context.Background()
	db, err := openRetrying(store.Options{Path: filepath.Join(dir, "neo.db"), Lock: true, CheckpointInterval: 5 * time.Millisecond},
		100, func(err error) bool { return err != nil })
	if err != nil {
		fmt.Fprintln(os.Stderr, "child open:", err)
		return 1
	}
	if _, err := db.Recover(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "child recover:", err)
		return 1
	}
	sid := fmt.Sprintf("s-%d", os.Getpid())
	now := time.Now().UTC()
	if err := db.OpenSession(ctx, newSession(sid, now)); err != nil {
		fmt.Fprintln(os.Stderr, "child session:", err)
		return 1
	}
	for i := 0; ; i++ {
		at := now.Add(time.Duration(i) * time.Millisecond)
		o := order(sid, fmt.Sprintf("o-%d-%d", os.Getpid(), i), at, engine.OrderFilled)
		f := fill(o, fmt.Sprintf("f-%d-%d", os.Getpid(), i), at)
		if err := db.RecordFill(ctx, f, o); err != nil {
			fmt.Fprintln(os.Stderr, "child fill:", err)
			return 1
		}
		os.Stdout.WriteString(f.FillID + "\n")
		if i%3 == 0 {
			db.AddInventorySnapshot(ctx, inventory(sid, at, 1000, 2500))
			db.AddEvent(ctx, engine.SessionEvent{SessionID: sid, CreatedAt: at, Level: "info", Kind: "k", Message: strings.Repeat("x", 200)})
		}
	}
}

// crashKills is how many times TestCrashSafety kills a child; SOAK_KILLS
// overrides it.
func crashKills(t *testing.T) int {
	if s := os.Getenv("SOAK_KILLS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("SOAK_KILLS=%q: %v", s, err)
		}
		return n
	}
	return defaultCrashKills
}

// killRand is the source of a test's random kill moments, seeded from the
// clock or, to replay a failing run, from NEO_TEST_SEED; the seed is
// logged. stream tells the tests' sequences apart.
func killRand(t *testing.T, stream uint64) *rand.Rand {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("NEO_TEST_SEED"); v != "" {
		s, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("NEO_TEST_SEED=%q: %v", v, err)
		}
		seed = s
	}
	t.Logf("seed %d (rerun with NEO_TEST_SEED=%d)", seed, seed)
	return rand.New(rand.NewPCG(seed, stream))
}

func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes; skipped with -short")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "neo.db")
	committed := map[string]bool{}
	kills := crashKills(t)
	rng := killRand(t, 7)
	for k := range kills {
		cmd := childCommand(crashChildEnv + "=" + dir)
		r := startChild(t, cmd)
		lines := make(chan []string, 1)
		go func() {
			var got []string
			for {
				line, err := r.ReadString('\n')
				if err != nil {
					break // a partial last line was not a confirmed commit
				}
				got = append(got, strings.TrimSuffix(line, "\n"))
			}
			lines <- got
		}()
		// A random moment: during open and recovery, mid-commit, mid-checkpoint.
		time.Sleep(time.Duration(rng.IntN(120_000)) * time.Microsecond)
		cmd.Process.Signal(syscall.SIGKILL)
		got := <-lines
		cmd.Wait()
		for _, id := range got {
			committed[id] = true
		}
		verifyCrashDB(t, path, committed, k)
	}
	t.Logf("%d kills, %d fills confirmed", kills, len(committed))
	if len(committed) == 0 {
		t.Fatal("no child ever confirmed a fill; the test proves nothing")
	}
	verifyWithCLI(t, path, committed)
}

// verifyCrashDB checks, through a fresh database/sql handle, that the
// database is sound and holds every confirmed fill.
func verifyCrashDB(t *testing.T, path string, committed map[string]bool, kill int) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		if len(committed) == 0 {
			return // killed before the file existed
		}
		t.Fatalf("kill %d: %v", kill, err)
	}
	raw := rawDB(t, path)
	defer raw.Close()
	var res string
	if err := raw.QueryRow("PRAGMA quick_check").Scan(&res); err != nil || res != "ok" {
		t.Fatalf("kill %d: quick_check=%q err=%v", kill, res, err)
	}
	if len(committed) == 0 {
		return
	}
	present := map[string]bool{}
	rows, err := raw.Query("SELECT fill_id FROM fills")
	if err != nil {
		t.Fatalf("kill %d: %v", kill, err)
	}
	for rows.Next() {
		var id string
		rows.Scan(&id)
		present[id] = true
	}
	rows.Close()
	for id := range committed {
		if !present[id] {
			t.Fatalf("kill %d: fill %s was confirmed committed but is missing", kill, id)
		}
	}
}

// verifyWithCLI repeats the check with the sqlite3 program when there is one.
func verifyWithCLI(t *testing.T, path string, committed map[string]bool) {
	t.Helper()
	bin, err := exec.LookPath("sqlite3")
	if err != nil {
		t.Log("sqlite3 not on PATH: CLI check skipped")
		return
	}
	out, err := exec.Command(bin, path, "PRAGMA quick_check;").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("sqlite3 quick_check: %s %v", out, err)
	}
	out, err = exec.Command(bin, path, "SELECT fill_id FROM fills;").Output()
	if err != nil {
		t.Fatalf("sqlite3 select: %v", err)
	}
	present := map[string]bool{}
	for _, l := range strings.Split(string(out), "\n") {
		present[strings.TrimSpace(l)] = true
	}
	for id := range committed {
		if !present[id] {
			t.Fatalf("sqlite3: confirmed fill %s missing", id)
		}
	}
}
