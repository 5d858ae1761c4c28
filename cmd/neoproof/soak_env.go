package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"neo/cmd/internal/proofkit"
)

// nobody is the unprivileged user the read-only case runs as under root
// (root ignores permission bits).
const nobodyID = 65534

// soakFullDisk runs sessions on a small tmpfs until the disk fills: neo
// must stop with exit 1 and a sound file, and the session must be closed
// (engine_error) or recovered by the next start (unclean_exit).
func soakFullDisk(ctx context.Context, o options, rng *rand.Rand, r *row) {
	if os.Geteuid() != 0 {
		r.Skipped = "needs root to mount a small tmpfs; run `sudo -E go run ./cmd/neoproof soak --only 'full disk'` to include it"
		return
	}
	n := o.count(5, 2)
	midSession := 0
	r.repeat(ctx, o, n, "full", func(_ int, dir string) error {
		mnt := filepath.Join(dir, "mnt")
		os.Mkdir(mnt, 0o700)
		size := 1024 + rng.IntN(3072) // KiB
		if out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%dk,mode=0700", size), "tmpfs", mnt).CombinedOutput(); err != nil {
			r.Skipped = fmt.Sprintf("mount tmpfs failed (%v: %s)", err, strings.TrimSpace(string(out)))
			r.Runs--
			return nil
		}
		defer exec.Command("umount", "-l", mnt).Run()
		db := filepath.Join(mnt, "neo.db")
		cfg := filepath.Join(dir, "cfg.toml")
		os.WriteFile(cfg, []byte(wideConfig), 0o600)
		res, err := proofkit.Run(ctx, "", o.bin, 2*time.Minute, nil, "run", "--db", db, "--config", cfg, "--headless", "--speed", "0",
			"--duration", "1000h", "--seed", fmt.Sprint(1+rng.IntN(1_000_000)))
		if err != nil {
			return err
		}
		if res.Code != 1 {
			return fmt.Errorf("tmpfs %d KiB: exit %d, want 1: %s", size, res.Code, proofkit.Tail(res.Stderr, 300))
		}
		if strings.Contains(res.Stderr, "session started") {
			midSession++
		}
		if !strings.Contains(strings.ToLower(res.Stderr), "full") {
			return fmt.Errorf("tmpfs %d KiB: exit 1 but the log never says the disk is full: %s", size, proofkit.Tail(res.Stderr, 300))
		}
		st, err := proofkit.ReadFile(ctx, db)
		if err != nil {
			return fmt.Errorf("tmpfs %d KiB: after the full disk: %v", size, err)
		}
		if err := proofkit.CLIQuickCheck(ctx, db); err != nil {
			return err
		}
		if s := st.Last(); s != nil && s.EndedAt.Valid && s.HaltReason.String != "engine_error" {
			return fmt.Errorf("tmpfs %d KiB: halt_reason=%q, want engine_error (or left open for recovery)", size, s.HaltReason.String)
		}
		// Make room (grow the tmpfs) and start again: nothing may stay open.
		if out, err := exec.Command("mount", "-o", "remount,size=256m", mnt).CombinedOutput(); err != nil {
			return fmt.Errorf("grow the tmpfs: %v: %s", err, out)
		}
		res, err = proofkit.Run(ctx, "", o.bin, time.Minute, nil, "run", "--db", db, "--config", cfg, "--headless", "--speed", "0", "--duration", "1s")
		if err != nil {
			return err
		}
		if res.Code != 0 {
			return fmt.Errorf("tmpfs %d KiB: the start after freeing space: exit %d: %s", size, res.Code, proofkit.Tail(res.Stderr, 300))
		}
		st, err = checkClean(ctx, db, "duration_reached")
		if err != nil {
			return fmt.Errorf("tmpfs %d KiB: after freeing space: %v", size, err)
		}
		first := st.Sessions[0]
		if first.HaltReason.String != "engine_error" && first.HaltReason.String != "unclean_exit" {
			return fmt.Errorf("tmpfs %d KiB: the session that met the full disk ended as %q", size, first.HaltReason.String)
		}
		return nil
	})
	r.Note = fmt.Sprintf("%d of %d runs met the full disk after \"session started\"; ", midSession, r.Runs) + "tmpfs of 1-4 MiB mounted by neoproof; pass = exit 1, the log says full, quick_check ok, and after the tmpfs is grown the next start succeeds with the session closed as engine_error or recovered as unclean_exit"
}

// asNobody makes cmd run as an unprivileged user when we are root.
func asNobody(cmd *exec.Cmd) {
	if os.Geteuid() == 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobodyID, Gid: nobodyID}}
	}
}

// soakReadOnlyDir runs neo on a database in a directory it cannot write:
// exit 1 with a message, and the file untouched.
func soakReadOnlyDir(ctx context.Context, o options, rng *rand.Rand, r *row) {
	n := o.count(5, 2)
	if os.Geteuid() == 0 {
		// nobody must be able to reach and execute the binary.
		if err := exec.Command("su", "-s", "/bin/sh", "nobody", "-c", "test -x "+o.bin).Run(); err != nil {
			r.Note = "the binary is not executable by nobody; checked as root, where permissions do not bind"
		}
	}
	r.repeat(ctx, o, n, "rodir", func(i int, root string) error {
		os.Chmod(root, 0o755)
		dir := filepath.Join(root, "data")
		db := filepath.Join(dir, "neo.db")
		res, err := proofkit.Run(ctx, "", o.bin, time.Minute, nil, "run", "--db", db, "--headless", "--speed", "0", "--duration", "10m")
		if err != nil || res.Code != 0 {
			return fmt.Errorf("setup session: exit %d %v", res.Code, err)
		}
		fresh := i%2 == 1 // a path whose database does not exist yet
		if fresh {
			db = filepath.Join(dir, "new.db")
		}
		if os.Geteuid() == 0 {
			filepath.Walk(dir, func(p string, _ os.FileInfo, _ error) error { return os.Chown(p, nobodyID, nobodyID) })
		}
		os.Chmod(dir, 0o555)
		before := listDir(dir)
		hash := hashFiles(db)
		cmd := exec.CommandContext(ctx, o.bin, "run", "--db", db, "--headless", "--speed", "0", "--duration", "10m")
		asNobody(cmd)
		out, err := cmd.CombinedOutput()
		code := proofkit.ExitCode(err)
		if code != 1 {
			return fmt.Errorf("fresh=%v: exit %d, want 1: %s", fresh, code, proofkit.Tail(string(out), 300))
		}
		if !strings.Contains(string(out), dir) {
			return fmt.Errorf("fresh=%v: the message does not name the directory: %s", fresh, proofkit.Tail(string(out), 300))
		}
		if h := hashFiles(db); h != hash {
			return fmt.Errorf("fresh=%v: the database changed (%s → %s)", fresh, hash, h)
		}
		if after := listDir(dir); after != before {
			return fmt.Errorf("fresh=%v: the directory changed: %s → %s", fresh, before, after)
		}
		return nil
	})
	if r.Note == "" {
		r.Note = "directory mode 0555 (run as nobody under root); an existing database and a new path in turn; pass = exit 1, message names the directory, nothing changed"
	}
}

// listDir names a directory's entries with their sizes.
func listDir(dir string) string {
	es, _ := os.ReadDir(dir)
	var parts []string
	for _, e := range es {
		fi, err := e.Info()
		if err == nil {
			parts = append(parts, fmt.Sprintf("%s:%d", e.Name(), fi.Size()))
		}
	}
	return strings.Join(parts, ",")
}

// soakSecondInstance starts a second `neo run` (and `neo restore`) on a
// database in use: both must exit 4 at once, and the first session must
// end cleanly.
func soakSecondInstance(ctx context.Context, o options, rng *rand.Rand, r *row) {
	n := o.count(5, 2)
	r.repeat(ctx, o, n, "second", func(_ int, dir string) error {
		db := filepath.Join(dir, "neo.db")
		p, err := proofkit.Start("", o.bin, nil, "run", "--db", db, "--headless", "--speed", "1", "--log-format", "logfmt")
		if err != nil {
			return err
		}
		defer p.Kill()
		if _, err := p.ErrOut.WaitFor("session started", 30*time.Second, p.Done); err != nil {
			return err
		}
		time.Sleep(time.Duration(rng.IntN(1000)) * time.Millisecond)
		for _, args := range [][]string{
			{"run", "--db", db, "--headless", "--speed", "0", "--duration", "10m"},
			{"restore", "--db", db, "--yes"},
			{"backfill", "--db", db},
		} {
			res, err := proofkit.Run(ctx, "", o.bin, 30*time.Second, nil, args...)
			if err != nil {
				return err
			}
			if res.Code != 4 {
				return fmt.Errorf("second `neo %s`: exit %d, want 4: %s", args[0], res.Code, proofkit.Tail(res.Stdout+res.Stderr, 300))
			}
		}
		p.Signal(syscall.SIGTERM)
		if code, err := p.Wait(shutdownBound + 5*time.Second); err != nil || code != 0 {
			return fmt.Errorf("first instance after SIGTERM: exit %d %v", code, err)
		}
		_, err = checkClean(ctx, db, "signal_terminate")
		return err
	})
	r.Note = "second run, restore and backfill against a live session; pass = exit 4 each, then the first ends cleanly"
}

// soakDBIsDir points --db at a directory: a usage or runtime error that
// names the path, and nothing created inside it.
func soakDBIsDir(ctx context.Context, o options, rng *rand.Rand, r *row) {
	n := o.count(5, 2)
	r.repeat(ctx, o, n, "isdir", func(_ int, dir string) error {
		db := filepath.Join(dir, "neo.db")
		os.Mkdir(db, 0o700)
		cmdArgs := [][]string{
			{"run", "--db", db, "--headless", "--speed", "0", "--duration", "10m"},
			{"check", "--db", db},
		}
		for _, args := range cmdArgs {
			res, err := proofkit.Run(ctx, "", o.bin, 30*time.Second, nil, args...)
			if err != nil {
				return err
			}
			if res.Code != 1 && res.Code != 2 {
				return fmt.Errorf("`neo %s`: exit %d, want 1 or 2: %s", args[0], res.Code, proofkit.Tail(res.Stdout+res.Stderr, 300))
			}
			if !strings.Contains(res.Stdout+res.Stderr, db) {
				return fmt.Errorf("`neo %s`: the message does not name %s: %s", args[0], db, proofkit.Tail(res.Stdout+res.Stderr, 300))
			}
			if l := listDir(db); l != "" {
				return fmt.Errorf("`neo %s` wrote into the directory: %s", args[0], l)
			}
		}
		return nil
	})
	r.Note = "run and check with --db naming a directory; pass = exit 1 or 2, message names the path, the directory stays empty"
}
