package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"neo/cmd/internal/proofkit"
)

// corruptBase is a directory holding a sound database and its backups, the
// template of each damaged copy.
type corruptBase struct {
	dir          string
	backupDigest string // content digest of the newest backup
	wal          bool   // the database has WAL content
}

// newestBackup returns the newest neo.db.bak.* in dir by name (their names
// carry the UTC time) then by modification time.
func newestBackup(db string) (string, error) {
	list, _ := filepath.Glob(db + ".bak.*")
	if len(list) == 0 {
		return "", errors.New("no backup beside " + db)
	}
	sort.Slice(list, func(i, j int) bool {
		fi, _ := os.Stat(list[i])
		fj, _ := os.Stat(list[j])
		if !fi.ModTime().Equal(fj.ModTime()) {
			return fi.ModTime().Before(fj.ModTime())
		}
		return list[i] < list[j]
	})
	return list[len(list)-1], nil
}

// makeCorruptBases builds the two templates: a closed database with a fresh
// `neo backup`, and one left with WAL content by a kill -9.
func makeCorruptBases(ctx context.Context, o options, root string) (clean, wal corruptBase, err error) {
	clean.dir = filepath.Join(root, "base")
	db := filepath.Join(clean.dir, "neo.db")
	res, err := proofkit.Run(ctx, "", o.bin, 2*time.Minute, nil, "run", "--db", db, "--headless", "--speed", "0", "--duration", "3h", "--seed", "11")
	if err != nil || res.Code != 0 {
		return clean, wal, fmt.Errorf("base session: exit %d %v: %s", res.Code, err, proofkit.Tail(res.Stderr, 300))
	}
	time.Sleep(1100 * time.Millisecond) // a backup name of its own second
	res, err = proofkit.Run(ctx, "", o.bin, time.Minute, nil, "backup", "--db", db)
	if err != nil || res.Code != 0 {
		return clean, wal, fmt.Errorf("neo backup: exit %d %v: %s", res.Code, err, proofkit.Tail(res.Stdout+res.Stderr, 300))
	}
	bak, err := newestBackup(db)
	if err != nil {
		return clean, wal, err
	}
	if clean.backupDigest, err = contentDigest(ctx, bak); err != nil {
		return clean, wal, fmt.Errorf("read the backup %s: %w", bak, err)
	}
	if d, err := contentDigest(ctx, db); err != nil || d != clean.backupDigest {
		return clean, wal, fmt.Errorf("neo backup %s does not hold what the database holds (digest %s vs %s, %v)", bak, clean.backupDigest, d, err)
	}

	wal.dir = filepath.Join(root, "walbase")
	wal.wal = true
	if err := copyDB(clean.dir, wal.dir); err != nil {
		return clean, wal, err
	}
	wdb := filepath.Join(wal.dir, "neo.db")
	time.Sleep(1100 * time.Millisecond)
	p, err := proofkit.Start("", o.bin, nil, "run", "--db", wdb, "--config", writeTemp(wal.dir, "cfg.toml", wideConfig), "--headless", "--speed", "0", "--duration", "1000h", "--log-format", "logfmt")
	if err != nil {
		return clean, wal, err
	}
	if _, err := p.ErrOut.WaitFor("session started", 30*time.Second, p.Done); err != nil {
		p.Kill()
		return clean, wal, fmt.Errorf("WAL base: %v", err)
	}
	time.Sleep(700 * time.Millisecond)
	p.Signal(syscall.SIGKILL)
	<-p.Done
	os.Remove(wdb + "-shm")
	if proofkit.WALSize(wdb) == 0 {
		return clean, wal, errors.New("WAL base: the killed session left no WAL content")
	}
	bak, err = newestBackup(wdb)
	if err != nil {
		return clean, wal, err
	}
	if wal.backupDigest, err = contentDigest(ctx, bak); err != nil {
		return clean, wal, err
	}
	return clean, wal, nil
}

// writeTemp writes a small file and returns its path.
func writeTemp(dir, name, content string) string {
	p := filepath.Join(dir, name)
	os.WriteFile(p, []byte(content), 0o600)
	return p
}

// copyDB copies neo.db, its -wal and its backups from src to a new dst.
func copyDB(src, dst string) error {
	if err := os.MkdirAll(dst, 0o700); err != nil {
		return err
	}
	list, _ := filepath.Glob(filepath.Join(src, "neo.db*"))
	for _, f := range list {
		name := filepath.Base(f)
		if strings.HasSuffix(name, "-shm") || strings.HasSuffix(name, ".lock") {
			continue
		}
		if err := copyFile(f, filepath.Join(dst, name)); err != nil {
			return err
		}
	}
	return nil
}

// oracleSaysDamaged runs quick_check on a throwaway copy of the damaged files
// with the sqlite3 CLI (or the modernc reader without it): only damage that
// SQLite itself sees counts.
func oracleSaysDamaged(ctx context.Context, dir, tmp string) (bool, string) {
	os.RemoveAll(tmp)
	if err := copyDB(dir, tmp); err != nil {
		return false, err.Error()
	}
	for _, b := range mustGlob(filepath.Join(tmp, "neo.db.bak.*")) {
		os.Remove(b)
	}
	db := filepath.Join(tmp, "neo.db")
	if cli := proofkit.SQLiteCLI(); cli != "" {
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		out, err := execOutput(ctx, cli, "-batch", db, "PRAGMA quick_check;")
		return err != nil || strings.TrimSpace(out) != "ok", proofkit.Tail(out, 120)
	}
	st, err := proofkit.ReadFile(ctx, db)
	if err != nil {
		return true, err.Error()
	}
	return st.QuickCheck != "ok", st.QuickCheck
}

func mustGlob(pattern string) []string {
	l, _ := filepath.Glob(pattern)
	return l
}

// soakCorruption damages copies of a sound database and checks that `neo
// check` and `neo run` refuse each with exit 3 without touching it, and
// that `neo restore --yes` brings the newest backup back.
func soakCorruption(ctx context.Context, o options, rng *rand.Rand, r *row) {
	n := o.count(100, 8)
	root, cleanup, err := o.tempDir("corrupt")
	if err != nil {
		r.fail("%v", err)
		return
	}
	defer cleanup()
	clean, wal, err := makeCorruptBases(ctx, o, root)
	if err != nil {
		r.fail("setup: %v", err)
		return
	}
	redraws := 0
	kinds := make([]int, damageKinds)
	for i := 0; i < n && ctx.Err() == nil; i++ {
		kind := i % damageKinds
		base := clean
		if kind == damageTornWAL {
			base = wal
		}
		dir := filepath.Join(root, fmt.Sprintf("copy%d", i))
		db := filepath.Join(dir, "neo.db")
		var desc string
		for try := 0; ; try++ {
			os.RemoveAll(dir)
			if err := copyDB(base.dir, dir); err != nil {
				r.fail("copy: %v", err)
				return
			}
			var d string
			var err error
			if kind == damageTornWAL {
				var w []byte
				if w, err = os.ReadFile(db + "-wal"); err == nil {
					if w, d, err = tearWAL(w, rng); err == nil {
						err = writeDamaged(db+"-wal", w)
					}
				}
			} else {
				var b []byte
				if b, err = os.ReadFile(db); err == nil {
					if b, d, err = damageDB(b, kind, rng); err == nil {
						err = writeDamaged(db, b)
					}
				}
			}
			if err != nil {
				r.fail("damage %s: %v", damageNames[kind], err)
				return
			}
			if bad, _ := oracleSaysDamaged(ctx, dir, filepath.Join(root, "oracle")); bad {
				desc = damageNames[kind] + ": " + d
				break
			}
			redraws++
			if try > 50 {
				r.fail("%s: 50 damages in a row that SQLite does not see", damageNames[kind])
				return
			}
		}
		kinds[kind]++
		err := checkDamagedCopy(ctx, o, db, base)
		if err != nil {
			err = fmt.Errorf("%s: %v", desc, err)
		}
		r.record(err)
		if err == nil && !o.keep {
			os.RemoveAll(dir)
		}
	}
	r.Note = fmt.Sprintf("%d structural, %d zeroed-page, %d truncated, %d torn-WAL copies; %d draws that SQLite's own quick_check (sqlite3 CLI on a throwaway copy) found sound were redrawn. A WAL only cut mid-frame is sound by design (SQLite ignores the torn tail), so each torn-WAL copy also holds a torn page image with a valid checksum",
		kinds[0], kinds[1], kinds[2], kinds[3], redraws)
}

// checkDamagedCopy is one run of the corruption case.
func checkDamagedCopy(ctx context.Context, o options, db string, base corruptBase) error {
	damaged := hashFiles(db)
	if _, err := runUnchanged(ctx, o, db, 3, 2*time.Minute, "check", "--db", db); err != nil {
		return err
	}
	res, err := runUnchanged(ctx, o, db, 3, 2*time.Minute, "run", "--db", db, "--headless", "--speed", "0", "--duration", "1m")
	if err != nil {
		return err
	}
	if !strings.Contains(res.Stderr+res.Stdout, "neo restore") {
		return fmt.Errorf("neo run refused but did not name the restore command: %s", proofkit.Tail(res.Stderr, 200))
	}
	res, err = proofkit.Run(ctx, "", o.bin, 2*time.Minute, nil, "restore", "--db", db, "--yes")
	if err != nil {
		return err
	}
	if res.Code != 0 {
		return fmt.Errorf("neo restore --yes: exit %d, want 0: %s", res.Code, proofkit.Tail(res.Stdout+res.Stderr, 200))
	}
	if n := proofkit.WALSize(db); n != 0 {
		return fmt.Errorf("after restore a %d-byte -wal sits beside the restored file", n)
	}
	if err := proofkit.CLIQuickCheck(ctx, db); err != nil {
		return fmt.Errorf("after restore: %v", err)
	}
	digest, err := contentDigest(ctx, db)
	if err != nil {
		return fmt.Errorf("after restore: %v", err)
	}
	if digest != base.backupDigest {
		return fmt.Errorf("after restore the content digest is %s, the newest backup's is %s", digest, base.backupDigest)
	}
	aside := mustGlob(db + ".malformed_*")
	found := false
	for _, a := range aside {
		if !strings.HasSuffix(a, "-wal") && !strings.HasSuffix(a, "-shm") && hashFiles(a) == damaged {
			found = true
		}
	}
	if !found {
		return fmt.Errorf("the damaged file (and its -wal) was not kept intact as neo.db.malformed_*: found %v", aside)
	}
	return nil
}
