package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"neo/engine"
	"neo/store"
)

func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDBWithSession(t)

	var stop atomic.Bool
	var wg sync.WaitGroup
	var written atomic.Int64
	for w := range 4 {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				o := order("s1", fmt.Sprintf("o%d-%d", w, i), t0, engine.OrderFilled)
				if err := db.RecordFill(ctx, fill(o, fmt.Sprintf("f%d-%d", w, i), t0), o); err != nil {
					t.Error(err)
					return
				}
				db.AddInventorySnapshot(ctx, inventory("s1", t0, 1, 1))
				written.Add(1)
			}
		})
	}
	// Wait for the writers with a deadline: a writer that fails stops
	// counting, and the test must say so rather than hang.
	deadline := time.Now().Add(2 * time.Minute)
	for written.Load() < 50 {
		if time.Now().After(deadline) {
			stop.Store(true)
			wg.Wait()
			t.Fatalf("the writers made %d writes in 2 minutes, want 50 (see their errors above)", written.Load())
		}
		time.Sleep(time.Millisecond)
	}
	var backups []string
	for i := range 3 {
		p := filepath.Join(t.TempDir(), fmt.Sprintf("b%d.db", i))
		if err := db.BackupTo(ctx, p); err != nil {
			t.Fatal(err)
		}
		backups = append(backups, p)
	}
	stop.Store(true)
	wg.Wait()

	for _, p := range backups {
		t.Run(filepath.Base(p), func(t *testing.T) {
			if err := store.CheckFile(ctx, p, true); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Stat(p)
			if err != nil || fi.Mode().Perm() != 0o600 {
				t.Fatalf("mode=%v err=%v, want 0600", fi.Mode(), err)
			}
			raw := rawDB(t, p)
			var mode string
			if err := raw.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "delete" {
				t.Fatalf("journal_mode=%q err=%v, want delete", mode, err)
			}
			var fills, filled, orphans int
			raw.QueryRow("SELECT count(*) FROM fills").Scan(&fills)
			raw.QueryRow("SELECT count(*) FROM orders WHERE status = 'filled'").Scan(&filled)
			raw.QueryRow("SELECT count(*) FROM fills f LEFT JOIN orders o USING (order_id) WHERE o.order_id IS NULL").Scan(&orphans)
			if fills == 0 || fills != filled || orphans != 0 {
				t.Fatalf("fills=%d filled orders=%d orphans=%d: not a consistent point", fills, filled, orphans)
			}
			rows, err := raw.Query("PRAGMA foreign_key_check")
			if err != nil {
				t.Fatal(err)
			}
			if rows.Next() {
				t.Fatal("foreign_key_check found violations")
			}
			rows.Close()
			raw.Close()
			if _, err := os.Stat(p + "-wal"); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("opening the backup left %s-wal", p)
			}
		})
	}
}

func TestBackupRetention(t *testing.T) {
	ctx := context.Background()
	clock := t0
	db := MustOpenDBAt(t, filepath.Join(t.TempDir(), "neo.db"), func(o *store.Options) {
		o.BackupRetention = 3
		o.Now = func() time.Time { clock = clock.Add(time.Second); return clock }
	})
	MustOpenSession(t, db, "s1", t0)
	var made []string
	for range 5 {
		p, err := db.Backup(ctx)
		if err != nil {
			t.Fatal(err)
		}
		made = append(made, p)
	}
	if got, want := filepath.Base(made[0]), "neo.db.bak.20261125T120001Z"; got != want {
		t.Fatalf("name=%s, want %s", got, want)
	}
	list, err := store.ListBackups(db.Path())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{made[4], made[3], made[2]}
	if fmt.Sprint(list) != fmt.Sprint(want) {
		t.Fatalf("kept %v, want the newest 3 %v", list, want)
	}
	t.Run("SameSecond", func(t *testing.T) {
		clock = clock.Add(-time.Second) // the next backup gets the previous name
		p, err := db.Backup(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if p == made[4] {
			t.Fatal("a backup overwrote another")
		}
		list, _ := store.ListBackups(db.Path())
		if list[0] != p {
			t.Fatalf("newest=%s, want %s", list[0], p)
		}
	})
	t.Run("DiskFull", func(t *testing.T) {
		db2 := MustOpenDBAt(t, filepath.Join(t.TempDir(), "neo.db"), func(o *store.Options) {
			o.Faults = &store.Faults{BeforeBackup: func(context.Context, string) error { return store.ErrDiskFull }}
		})
		_, err := db2.Backup(ctx)
		if !store.IsDiskFull(err) {
			t.Fatalf("err=%v, want disk full", err)
		}
		list, _ := store.ListBackups(db2.Path())
		entries, _ := os.ReadDir(filepath.Dir(db2.Path()))
		for _, e := range entries {
			if filepath.Ext(e.Name()) == ".tmp" {
				t.Fatalf("left %s behind", e.Name())
			}
		}
		if len(list) != 0 {
			t.Fatalf("backups=%v after a failed backup", list)
		}
	})
}
