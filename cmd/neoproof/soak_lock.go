package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"neo/cmd/internal/proofkit"
)

// lockRoute is one way a second `neo run` may reach a database that a
// running session holds.
type lockRoute struct {
	name string
	// first is the --db of the running session, relative to dir/real (its
	// working directory) or absolute.
	first func(real string) string
	// second prepares the route while the first session runs on
	// real/neo.db and returns the --db of the second start (run in real).
	second func(dir, real string) (string, error)
}

var lockRoutes = []lockRoute{
	{"symlink in another directory", absDB, func(dir, real string) (string, error) {
		link := filepath.Join(dir, "other", "neo.db")
		return link, os.Symlink(filepath.Join(real, "neo.db"), link)
	}},
	{"hard link in another directory", absDB, func(dir, real string) (string, error) {
		link := filepath.Join(dir, "other", "neo.db")
		return link, os.Link(filepath.Join(real, "neo.db"), link)
	}},
	{"spelling ./x/../neo.db", relDB, func(dir, real string) (string, error) {
		return "./x/../neo.db", os.Mkdir(filepath.Join(real, "x"), 0o700)
	}},
	{"absolute path (first started as neo.db)", relDB, func(dir, real string) (string, error) {
		return filepath.Join(real, "neo.db"), nil
	}},
	{"lock file deleted", absDB, func(dir, real string) (string, error) {
		db := filepath.Join(real, "neo.db")
		return db, os.Remove(db + ".lock")
	}},
	{"lock file replaced", absDB, func(dir, real string) (string, error) {
		db := filepath.Join(real, "neo.db")
		if err := os.Remove(db + ".lock"); err != nil {
			return db, err
		}
		return db, os.WriteFile(db+".lock", nil, 0o600)
	}},
}

func absDB(real string) string { return filepath.Join(real, "neo.db") }
func relDB(string) string      { return "neo.db" }

// lockCases are the rows of the lock routes, one per route, and the lock
// file that is a symlink.
func lockCases() []soakCase {
	var cases []soakCase
	for _, rt := range lockRoutes {
		cases = append(cases, soakCase{name: "lock: " + rt.name, run: func(ctx context.Context, o options, rng *rand.Rand, r *row) {
			soakLockRoute(ctx, o, rng, r, rt)
		}})
	}
	return append(cases,
		soakCase{name: "lock: neo.db.lock is a symlink", run: soakLockSymlink},
		soakCase{name: "lock: restore through a symlink", run: soakRestoreSymlink},
	)
}

// soakLockRoute starts a session on real/neo.db, opens the route while it
// runs and starts a second `neo run` through it: the second start must exit
// 4 naming the running pid, and the first must end cleanly with its row the
// only one in the file (read by a fresh reader and the sqlite3 CLI).
func soakLockRoute(ctx context.Context, o options, rng *rand.Rand, r *row, rt lockRoute) {
	n := o.count(10, 2)
	writers, unnamed := 0, 0
	r.repeat(ctx, o, n, "lock", func(_ int, dir string) error {
		real := filepath.Join(dir, "real")
		for _, d := range []string{real, filepath.Join(dir, "other")} {
			if err := os.Mkdir(d, 0o700); err != nil {
				return err
			}
		}
		cfg := filepath.Join(dir, "cfg.toml")
		if err := os.WriteFile(cfg, []byte(wideConfig), 0o600); err != nil {
			return err
		}
		first, err := startSession(real, o.bin, rt.first(real), cfg, rng)
		if err != nil {
			return err
		}
		defer first.Kill()
		time.Sleep(time.Duration(rng.IntN(500)) * time.Millisecond)
		second, err := rt.second(dir, real)
		if err != nil {
			return fmt.Errorf("prepare the route: %v", err)
		}
		res, err := proofkit.Run(ctx, real, o.bin, time.Minute, nil, "run", "--db", second, "--config", cfg, "--headless",
			"--speed", "0", "--duration", "1s", "--log-format", "logfmt")
		if err != nil {
			return fmt.Errorf("second start: %v", err)
		}
		pid := first.Cmd.Process.Pid
		var fault error
		switch {
		case res.Code != 4 && (res.Code == 0 || strings.Contains(res.Stderr, "session started")):
			writers++
			fault = fmt.Errorf("second writer: `neo run --db %s` exit %d beside the running session (pid %d); log %q", second, res.Code, pid, proofkit.Tail(res.Stderr, 200))
		case res.Code != 4:
			fault = fmt.Errorf("second start through %s: exit %d, want 4; output %q", second, res.Code, proofkit.Tail(res.Stdout+res.Stderr, 300))
		case !namesPID(res.Stdout+res.Stderr, pid):
			unnamed++
			fault = fmt.Errorf("second start exit 4 but its message does not name the running pid %d: %q", pid, proofkit.Tail(res.Stdout+res.Stderr, 300))
		}
		// The first session must end cleanly whatever the second did.
		first.Signal(syscall.SIGTERM)
		code, werr := first.Wait(shutdownBound + 5*time.Second)
		if werr != nil || code != 0 {
			return joinFault(fault, fmt.Errorf("first session after SIGTERM: exit %d %v; log %q", code, werr, proofkit.Tail(first.ErrOut.String(), 300)))
		}
		st, err := checkClean(ctx, filepath.Join(real, "neo.db"), "signal_terminate")
		if err != nil {
			return joinFault(fault, fmt.Errorf("first session: %v", err))
		}
		if len(st.Sessions) != 1 {
			return joinFault(fault, fmt.Errorf("the file holds %d sessions after one session and one refused start, want 1", len(st.Sessions)))
		}
		return fault
	})
	r.Note = fmt.Sprintf("%d second writers in %d tries; %d refusals did not name the running pid. Pass = the second `neo run --db <route>` exits 4 naming the pid, and the first ends by SIGTERM with exit 0 and its row the only one (fresh reader + sqlite3 CLI)", writers, r.Runs, unnamed)
}

// soakLockSymlink makes neo.db.lock a symlink (to a file with content, or
// dangling) before a start: the target must keep its bytes (or stay
// absent), and the start must be refused with a message naming the lock
// file, writing no session.
func soakLockSymlink(ctx context.Context, o options, rng *rand.Rand, r *row) {
	n := o.count(10, 2)
	changed := 0
	r.repeat(ctx, o, n, "locklink", func(i int, dir string) error {
		db := filepath.Join(dir, "neo.db")
		elsewhere := filepath.Join(dir, "elsewhere")
		os.Mkdir(elsewhere, 0o700)
		target := filepath.Join(elsewhere, "precious.txt")
		content := make([]byte, 1+rng.IntN(4096))
		for k := range content {
			content[k] = byte(rng.IntN(256))
		}
		dangling := i%2 == 1
		if !dangling {
			if err := os.WriteFile(target, content, 0o600); err != nil {
				return err
			}
		}
		if err := os.Symlink(target, db+".lock"); err != nil {
			return err
		}
		res, err := proofkit.Run(ctx, "", o.bin, time.Minute, nil, "run", "--db", db, "--headless", "--speed", "0", "--duration", "1s", "--log-format", "logfmt")
		if err != nil {
			return err
		}
		got, rerr := os.ReadFile(target)
		switch {
		case dangling && rerr == nil:
			changed++
			return fmt.Errorf("dangling lock symlink: neo created its target %s (%d bytes); exit %d", target, len(got), res.Code)
		case !dangling && !bytes.Equal(got, content):
			changed++
			return fmt.Errorf("the lock symlink's target changed: %d bytes before, %d after (%v); exit %d", len(content), len(got), rerr, res.Code)
		}
		if res.Code != 1 && res.Code != 2 && res.Code != 4 {
			return fmt.Errorf("start with neo.db.lock a symlink: exit %d, want a refusal (1, 2 or 4); log %q", res.Code, proofkit.Tail(res.Stderr, 300))
		}
		if !strings.Contains(res.Stdout+res.Stderr, "neo.db.lock") {
			return fmt.Errorf("refused (exit %d) without naming the lock file: %q", res.Code, proofkit.Tail(res.Stdout+res.Stderr, 300))
		}
		if _, err := os.Stat(db); err == nil {
			st, err := proofkit.ReadFile(ctx, db)
			if err != nil {
				return fmt.Errorf("after the refusal: %v", err)
			}
			if len(st.Sessions) != 0 {
				return fmt.Errorf("refused (exit %d) but %d sessions were written", res.Code, len(st.Sessions))
			}
		}
		return nil
	})
	r.Note = fmt.Sprintf("`ln -s TARGET neo.db.lock` then `neo run`, TARGET alternately a file of random bytes and absent: %d targets written in %d tries. Pass = target unchanged (or still absent), exit 1, 2 or 4 naming neo.db.lock, no session written", changed, r.Runs)
}

// startSession starts a headless live session in dir on db and waits for
// "session started".
func startSession(dir, bin, db, cfg string, rng *rand.Rand) (*proofkit.Proc, error) {
	p, err := proofkit.Start(dir, bin, nil, "run", "--db", db, "--config", cfg, "--headless", "--speed", "1",
		"--duration", "1000h", "--seed", fmt.Sprint(1+rng.IntN(1_000_000)), "--log-format", "logfmt")
	if err != nil {
		return nil, err
	}
	if _, err := p.ErrOut.WaitFor("session started", 30*time.Second, p.Done); err != nil {
		p.Kill()
		return nil, fmt.Errorf("first session: %v; log %q", err, proofkit.Tail(p.ErrOut.String(), 300))
	}
	return p, nil
}

// namesPID reports whether s holds pid as a whole number (not inside a
// longer one such as a timestamp).
func namesPID(s string, pid int) bool {
	re := regexp.MustCompile(`(^|[^0-9])` + strconv.Itoa(pid) + `([^0-9]|$)`)
	return re.MatchString(s)
}

// joinFault keeps the first fault of a run and adds a later one.
func joinFault(first, later error) error {
	if first == nil {
		return later
	}
	return fmt.Errorf("%v; and %v", first, later)
}

// soakRestoreSymlink runs two sessions on real/neo.db, then
// `neo restore --yes --db other/neo.db` through a symlink to it: the link
// must stay a link and the real file must now hold the restored backup
// (the sessions before the second start), read by a fresh reader.
func soakRestoreSymlink(ctx context.Context, o options, rng *rand.Rand, r *row) {
	n := o.count(5, 2)
	r.repeat(ctx, o, n, "restorelink", func(_ int, dir string) error {
		real, other := filepath.Join(dir, "real"), filepath.Join(dir, "other")
		os.Mkdir(real, 0o700)
		os.Mkdir(other, 0o700)
		db, link := filepath.Join(real, "neo.db"), filepath.Join(other, "neo.db")
		var backup string // the pre-run backup of the second session
		for k := 0; k < 2; k++ {
			res, err := proofkit.Run(ctx, "", o.bin, time.Minute, nil, "run", "--db", db, "--headless", "--speed", "0", "--duration", "1s",
				"--seed", fmt.Sprint(1+rng.IntN(1_000_000)), "--log-format", "logfmt")
			if err != nil || res.Code != 0 {
				return fmt.Errorf("session %d: exit %d %v: %s", k+1, res.Code, err, proofkit.Tail(res.Stderr, 300))
			}
			if b := logValues(res.Stderr, "backup written", "backup"); len(b) == 1 {
				backup = b[0]
			}
		}
		if backup == "" {
			return fmt.Errorf("the second session logged no \"backup written\" line")
		}
		if err := os.Symlink(db, link); err != nil {
			return err
		}
		res, err := proofkit.Run(ctx, "", o.bin, time.Minute, nil, "restore", "--db", link, "--yes", backup)
		if err != nil {
			return err
		}
		if res.Code != 0 {
			return fmt.Errorf("restore through the symlink: exit %d: %s", res.Code, proofkit.Tail(res.Stdout+res.Stderr, 300))
		}
		if fi, err := os.Lstat(link); err != nil {
			return fmt.Errorf("restore through %s removed the symlink: %v", link, err)
		} else if fi.Mode()&os.ModeSymlink == 0 {
			return fmt.Errorf("restore through %s replaced the symlink with a regular file instead of restoring the database behind it", link)
		}
		st, err := proofkit.ReadFile(ctx, db)
		if err != nil {
			return fmt.Errorf("the real database after the restore: %v", err)
		}
		if len(st.Sessions) != 1 {
			return fmt.Errorf("the real database holds %d sessions after the restore, want 1 (the backup taken before the second session)", len(st.Sessions))
		}
		return proofkit.CLIQuickCheck(ctx, db)
	})
	r.Note = "two sessions on real/neo.db, then `neo restore --yes --db other/neo.db` (a symlink to it) BACKUP, BACKUP the second session's pre-run backup; pass = exit 0, the link is still a link, the real file holds the backup's one session"
}
