//go:build !windows

package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"neo/engine"
	"neo/store"
)

func reportRate(b *testing.B, start time.Time) {
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "rows/s")
}

// rawWriter opens a bare handle with the store's pragmas and schema.
func rawWriter(b *testing.B) *sql.DB {
	b.Helper()
	db := MustOpenDB(b) // creates the schema
	MustOpenSession(b, db, "s1", t0)
	MustClose(b, db)
	raw, err := sql.Open("sqlite", "file:"+db.Path()+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_pragma=busy_timeout(5000)")
	if err != nil {
		b.Fatal(err)
	}
	raw.SetMaxOpenConns(1)
	b.Cleanup(func() { raw.Close() })
	return raw
}

// insertInventory writes one snapshot of the only session (session_key 1:
// the foreign key refuses any other) at market time ? (Unix ms).
const insertInventory = `INSERT INTO inventory_snapshots (session_key, market_time, mid_price, xrp_balance, rlusd_balance,
	xrp_value_in_rlusd, total_value_in_rlusd, xrp_pct, drift_pct, skew_tier, drift_velocity_pct_per_min)
	VALUES (1, ?, 2.5, 1000, 2500, 2500, 5000, 50, 0, 0, 0)`

// BenchmarkWrite compares the store's group commit with a bare prepared
// insert loop, one autocommit per row, and with one big transaction.
func BenchmarkWrite(b *testing.B) {
	ctx := context.Background()
	b.Run("GroupCommitQueued", func(b *testing.B) {
		db := MustOpenDB(b)
		MustOpenSession(b, db, "s1", t0)
		b.ResetTimer()
		start := time.Now()
		for i := range b.N {
			if err := db.AddInventorySnapshot(ctx, inventory("s1", t0.Add(time.Duration(i)), 1000, 2500)); err != nil {
				b.Fatal(err)
			}
		}
		if err := db.Flush(ctx); err != nil {
			b.Fatal(err)
		}
		reportRate(b, start)
	})
	b.Run("GroupCommitDurable64Callers", func(b *testing.B) {
		db := MustOpenDB(b)
		MustOpenSession(b, db, "s1", t0)
		b.ResetTimer()
		start := time.Now()
		var wg sync.WaitGroup
		per := (b.N + 63) / 64
		for w := range 64 {
			wg.Go(func() {
				for i := w * per; i < min(b.N, (w+1)*per); i++ {
					o := order("s1", fmt.Sprint("o", i), t0, engine.OrderFilled)
					if err := db.RecordFill(ctx, fill(o, fmt.Sprint("f", i), t0), o); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		reportRate(b, start)
	})
	b.Run("AutocommitLoop", func(b *testing.B) {
		raw := rawWriter(b)
		stmt, err := raw.Prepare(insertInventory)
		if err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		start := time.Now()
		for i := range b.N {
			if _, err := stmt.Exec(t0.UnixMilli() + int64(i)); err != nil {
				b.Fatal(err)
			}
		}
		reportRate(b, start)
	})
	b.Run("OneTransaction", func(b *testing.B) {
		raw := rawWriter(b)
		b.ResetTimer()
		start := time.Now()
		tx, err := raw.Begin()
		if err != nil {
			b.Fatal(err)
		}
		stmt, err := tx.Prepare(insertInventory)
		if err != nil {
			b.Fatal(err)
		}
		for i := range b.N {
			if _, err := stmt.Exec(t0.UnixMilli() + int64(i)); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
		reportRate(b, start)
	})
}

// BenchmarkDurableFillLatency is the commit latency of one RecordFill with
// nobody else writing (ns/op).
func BenchmarkDurableFillLatency(b *testing.B) {
	ctx := context.Background()
	db := MustOpenDB(b)
	MustOpenSession(b, db, "s1", t0)
	b.ResetTimer()
	for i := range b.N {
		o := order("s1", fmt.Sprint("o", i), t0, engine.OrderFilled)
		if err := db.RecordFill(ctx, fill(o, fmt.Sprint("f", i), t0), o); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQuickCheck200MB times CheckFile (quick_check) on a database of
// about 200 MB of fills, built first (untimed).
func BenchmarkQuickCheck200MB(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	var fs syscall.Statfs_t
	if err := syscall.Statfs(dir, &fs); err == nil && fs.Bavail*uint64(fs.Bsize) < 1<<30 {
		b.Skip("less than 1 GiB free for the 200 MB database")
	}
	path := filepath.Join(dir, "neo.db")
	db := MustOpenDBAt(b, path, nil)
	MustOpenSession(b, db, "s1", t0)
	MustClose(b, db)
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=synchronous(OFF)&_pragma=foreign_keys(0)")
	if err != nil {
		b.Fatal(err)
	}
	raw.SetMaxOpenConns(1)
	for chunk := 0; ; chunk++ {
		var pages, size int64
		raw.QueryRow("PRAGMA page_count").Scan(&pages)
		raw.QueryRow("PRAGMA page_size").Scan(&size)
		if pages*size >= 200<<20 {
			b.Logf("built %d MB", pages*size>>20)
			break
		}
		tx, _ := raw.Begin()
		stmt, _ := tx.Prepare(`INSERT INTO fills VALUES (?, 's1', ?, ?, 'buy', 2.5, 6, 15, 0.01)`)
		for i := range 100_000 {
			n := chunk*100_000 + i
			if _, err := stmt.Exec(fmt.Sprintf("fill-%012d-%s", n, "0123456789abcdef"), fmt.Sprintf("order-%012d", n),
				t0.Add(time.Duration(n)*time.Millisecond).Format(store.TimeLayout)); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	raw.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	raw.Close()
	b.ResetTimer()
	for range b.N {
		if err := store.CheckFile(ctx, path, false); err != nil {
			b.Fatal(err)
		}
	}
}
