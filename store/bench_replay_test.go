//go:build !windows

package store_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"neo/engine"
	"neo/engine/feed"
	"neo/store"
)

// replayBars is the size of BenchmarkReplayYear: a year of one-minute bars
// unless NEO_BENCH_BARS says otherwise.
func replayBars(b *testing.B) int {
	if s := os.Getenv("NEO_BENCH_BARS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			b.Fatalf("NEO_BENCH_BARS=%q: want a positive number of bars", s)
		}
		return n
	}
	return 525_600
}

// BenchmarkReplayYear replays a year of one-minute bars (the sample
// market's walk) at full speed through the engine into the store, with
// the default config but risk limits wide enough to reach the end: every
// order, fill and snapshot persisted, synchronous=FULL, WAL. It reports
// bars/s and the database's bytes per bar (page_count × page_size after
// the session), and, as the physical reference, the rate of a bare
// prepared INSERT of the same rows into the same schema in one
// transaction (ref-bars/s). Run with -bench only (-benchtime 1x).
func BenchmarkReplayYear(b *testing.B) {
	ctx := context.Background()
	bars := replayBars(b)
	dir := b.TempDir()
	csv := filepath.Join(dir, "year.csv")
	f, err := os.Create(csv)
	if err != nil {
		b.Fatal(err)
	}
	if err := feed.WriteSampleBars(f, feed.SampleSeed, feed.SampleStart(), bars, time.Minute); err != nil {
		b.Fatal(err)
	}
	f.Close()
	cfg := engine.DefaultConfig()
	cfg.Strategy.AnchorMaxDivergenceBps = 10000
	cfg.Strategy.AnchorDivergenceHaltAfter = engine.D(24 * time.Hour)
	cfg.Risk.MaxDrawdownPct, cfg.Risk.MaxDriftPct, cfg.Risk.StaleFeedAfter = 99, 49.9, engine.D(24*time.Hour)
	b.ResetTimer()
	for i := range b.N {
		path := filepath.Join(dir, "neo"+strconv.Itoa(i)+".db")
		db, err := store.Open(ctx, store.Options{Path: path, Lock: true, CheckpointInterval: -1})
		if err != nil {
			b.Fatal(err)
		}
		rf, err := feed.OpenReplay(csv)
		if err != nil {
			b.Fatal(err)
		}
		e, err := engine.New(engine.Options{Config: cfg, Feed: rf, Store: db, Speed: 0, AppVersion: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if err := e.Start(ctx); err != nil {
			b.Fatal(err)
		}
		<-e.Done()
		took := time.Since(start)
		rf.Close()
		if r := e.Result(); r.Err != nil || r.Reason != engine.HaltFeedEnded {
			b.Fatalf("replay ended %s: %v", r.Reason, r.Err)
		}
		b.ReportMetric(float64(bars)/took.Seconds(), "bars/s")
		raw := rawDB(b, path)
		var pages, size int64
		raw.QueryRow("PRAGMA page_count").Scan(&pages)
		raw.QueryRow("PRAGMA page_size").Scan(&size)
		b.ReportMetric(float64(pages*size)/float64(bars), "bytes/bar")
		b.StopTimer()
		ref := bareInsert(b, raw, filepath.Join(dir, "ref"+strconv.Itoa(i)+".db"))
		b.ReportMetric(float64(bars)/ref.Seconds(), "ref-bars/s")
		raw.Close()
		b.StartTimer()
	}
}

// bareInsert copies every row of src's tables into a fresh database with
// neo's schema (synchronous=FULL, WAL) through one prepared INSERT per
// table in one transaction, and returns how long the inserts and the
// commit took: the floor under any way of persisting the same rows.
func bareInsert(b *testing.B, src *sql.DB, path string) time.Duration {
	b.Helper()
	MustClose(b, MustOpenDBAt(b, path, nil)) // the schema
	dst, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)")
	if err != nil {
		b.Fatal(err)
	}
	defer dst.Close()
	dst.SetMaxOpenConns(1)
	type table struct {
		name string
		cols int
	}
	tables := []table{{"sessions", 0}, {"orders", 8}, {"fills", 9}, {"inventory_snapshots", 11}, {"valuation_snapshots", 8}, {"session_events", 6}}
	var rows [][][]any
	for _, t := range tables {
		r, err := src.Query("SELECT * FROM " + t.name + " ORDER BY rowid")
		if err != nil {
			b.Fatal(err)
		}
		var all [][]any
		for r.Next() {
			all = append(all, scanValues(b, r))
		}
		r.Close()
		rows = append(rows, all)
	}
	start := time.Now()
	tx, err := dst.Begin()
	if err != nil {
		b.Fatal(err)
	}
	for i, t := range tables {
		if len(rows[i]) == 0 {
			continue
		}
		q := "INSERT INTO " + t.name + " VALUES (?" + repeat(", ?", len(rows[i][0])-1) + ")"
		st, err := tx.Prepare(q)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range rows[i] {
			if _, err := st.Exec(r...); err != nil {
				b.Fatal(err)
			}
		}
		st.Close()
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

func repeat(s string, n int) string {
	out := ""
	for range n {
		out += s
	}
	return out
}
