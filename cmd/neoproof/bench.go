package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"neo/cmd/internal/proofkit"
)

// benchSizes are the run sizes of the bench (default and --quick).
type benchSizes struct {
	shutdownRuns int
	benchtime    string // for the store's write benchmarks
	replayBars   int
	idle         time.Duration
	startupMB    [2]int
	memoryBars   [2]int
}

func sizesFor(o options) benchSizes {
	if o.quick {
		return benchSizes{shutdownRuns: 5, benchtime: "2000x", replayBars: 20_000, idle: 10 * time.Second, startupMB: [2]int{10, 50}, memoryBars: [2]int{20_000, 100_000}}
	}
	return benchSizes{shutdownRuns: 20, benchtime: "20000x", replayBars: 525_600, idle: 60 * time.Second, startupMB: [2]int{10, 500}, memoryBars: [2]int{100_000, 1_000_000}}
}

// benchTable is the table being filled; each section adds its rows, a
// failed section adds a row saying why.
type benchTable struct {
	*Table
	failed bool
}

func (t *benchTable) failRow(section string, err error) {
	t.failed = true
	t.Add(section, "FAILED", "", "", err.Error())
}

func bench(ctx context.Context, o options, stdout io.Writer) int {
	start := time.Now()
	sz := sizesFor(o)
	t := &benchTable{Table: &Table{Header: []string{"measure", "figure", "reference (same run)", "ratio / verdict", "how"}}}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 3))
	sections := []struct {
		name string
		fn   func(context.Context, options, benchSizes, *rand.Rand, *benchTable) error
	}{
		{"shutdown", benchShutdown},
		{"persistence", benchPersistence},
		{"replay", benchReplay},
		{"console", benchConsole},
		{"start-up", benchStartup},
		{"memory", benchMemory},
		{"xrpl", benchXRPL},
	}
	for _, s := range sections {
		if !o.selected(s.name) || ctx.Err() != nil {
			continue
		}
		t0 := time.Now()
		o.logf("bench %s: start", s.name)
		if err := s.fn(ctx, o, sz, rng, t); err != nil {
			t.failRow(s.name, err)
		}
		o.logf("bench %s: done (%s)", s.name, fmtDur(time.Since(t0)))
	}
	mode := "default"
	if o.quick {
		mode = "--quick"
	}
	t.Title = fmt.Sprintf("make bench — %s, %s, %s total", time.Now().UTC().Format("2006-01-02 15:04 UTC"), mode, fmtDur(time.Since(start)))
	t.Notes = append(t.Notes, machineNote())
	t.Write(stdout)
	if t.failed || ctx.Err() != nil {
		return 1
	}
	return 0
}

// stats returns the median and the worst of ds.
func stats(ds []time.Duration) (median, worst time.Duration) {
	if len(ds) == 0 {
		return 0, 0
	}
	c := append([]time.Duration(nil), ds...)
	sort.Slice(c, func(i, j int) bool { return c[i] < c[j] })
	return c[len(c)/2], c[len(c)-1]
}

// benchShutdown times SIGTERM → exit (headless) and q → exit (console),
// each run checked like the soak (exit 0, database closed cleanly).
func benchShutdown(ctx context.Context, o options, sz benchSizes, rng *rand.Rand, t *benchTable) error {
	const timeout, windows = 3 * time.Second, 5 * time.Second
	for _, k := range []struct {
		name    string
		console bool
		want    string
		trigger func(p *proofkit.Proc, c *proofkit.Console) error
	}{
		{"SIGTERM → exit (headless)", false, "signal_terminate", func(p *proofkit.Proc, c *proofkit.Console) error { return p.Signal(syscall.SIGTERM) }},
		{"q → exit (console on a pty)", true, "operator_quit", func(p *proofkit.Proc, c *proofkit.Console) error { _, err := c.PTY.Write([]byte("q")); return err }},
	} {
		var ds []time.Duration
		for i := 0; i < sz.shutdownRuns && ctx.Err() == nil; i++ {
			took, err := liveEnding(ctx, o, rng, time.Second, k.want, k.console, k.trigger, true, false)
			if err != nil {
				return fmt.Errorf("%s, run %d: %v", k.name, i+1, err)
			}
			ds = append(ds, took)
		}
		med, worst := stats(ds)
		verdict := "within both"
		if worst > timeout {
			verdict = "OVER shutdown_timeout"
		}
		t.Add("shutdown: "+k.name, fmt.Sprintf("median %s, worst %s of %d", fmtDur(med), fmtDur(worst), len(ds)),
			fmt.Sprintf("shutdown_timeout %s; Windows ~%s", fmtDur(timeout), fmtDur(windows)),
			fmt.Sprintf("worst = %.0f%% of the timeout; %s", 100*worst.Seconds()/timeout.Seconds(), verdict),
			"our clock from the trigger to the reaped process; each run also passes the soak's database checks")
	}
	return nil
}

// benchPersistence runs the store's write benchmarks (group commit against
// a bare prepared-insert loop on the same disk, in the same go test run).
func benchPersistence(ctx context.Context, o options, sz benchSizes, rng *rand.Rand, t *benchTable) error {
	res, err := runGoBench(ctx, o.repo, "./store/", "^BenchmarkWrite$", sz.benchtime)
	if err != nil {
		return err
	}
	get := func(name string) (float64, error) {
		r, ok := res["BenchmarkWrite/"+name]
		if !ok {
			return 0, fmt.Errorf("BenchmarkWrite/%s missing from the store's benchmarks", name)
		}
		return r.Metrics["rows/s"], nil
	}
	queued, err1 := get("GroupCommitQueued")
	durable, err2 := get("GroupCommitDurable64Callers")
	auto, err3 := get("AutocommitLoop")
	one, err4 := get("OneTransaction")
	for _, e := range []error{err1, err2, err3, err4} {
		if e != nil {
			return e
		}
	}
	how := fmt.Sprintf("go test -bench BenchmarkWrite -benchtime %s ./store/ (synchronous=FULL, WAL, $TMPDIR disk)", sz.benchtime)
	t.Add("persistence: group commit, queued rows", fmtRate(queued, "rows"),
		fmt.Sprintf("bare prepared insert, one transaction: %s; autocommit per row: %s", fmtRate(one, "rows"), fmtRate(auto, "rows")),
		fmt.Sprintf("%.2f× one transaction, %.1f× autocommit", queued/one, queued/auto), how)
	t.Add("persistence: group commit, durable fills (64 callers)", fmtRate(durable, "rows"),
		fmt.Sprintf("autocommit per row: %s", fmtRate(auto, "rows")),
		fmt.Sprintf("%.1f× autocommit", durable/auto), "each caller waits for its commit, as the engine does for fills")
	return nil
}

// benchConsole runs the View() benchmarks and measures a live console's
// idle CPU and terminal output under a pty that we drain.
func benchConsole(ctx context.Context, o options, sz benchSizes, rng *rand.Rand, t *benchTable) error {
	res, err := runGoBench(ctx, o.repo, "./tui/", "^Benchmark(LiveView|LiveViewColour|HistoryView|View200x60)$", "1s")
	if err != nil {
		return err
	}
	ns := func(name string) string {
		r, ok := res[name]
		if !ok {
			return "missing (" + name + ")"
		}
		return fmtDur(time.Duration(r.Metrics["ns/op"])) + fmt.Sprintf(", %s B/op", thousands(r.Metrics["B/op"]))
	}
	fps := func(name string) float64 {
		if r, ok := res[name]; ok && r.Metrics["ns/op"] > 0 {
			return 1e9 / r.Metrics["ns/op"]
		}
		return 0
	}
	t.Add("console: live View() 160×48", ns("BenchmarkLiveView"), "colour: "+ns("BenchmarkLiveViewColour"),
		fmt.Sprintf("%s views/s possible at refresh 4/s", thousands(fps("BenchmarkLiveView"))), "go test -bench ./tui/")
	h1, h2 := res["BenchmarkHistoryView/1000"], res["BenchmarkHistoryView/100000"]
	ratio := "?"
	if h1.Metrics["ns/op"] > 0 {
		ratio = fmt.Sprintf("%.2f× for 100× the sessions", h2.Metrics["ns/op"]/h1.Metrics["ns/op"])
	}
	t.Add("console: history View(), 100,000 sessions", ns("BenchmarkHistoryView/100000"), "1,000 sessions: "+ns("BenchmarkHistoryView/1000"), ratio, "go test -bench ./tui/")
	under := func(names ...string) string {
		for _, n := range names {
			if r, ok := res[n]; !ok || r.Metrics["ns/op"] >= 1e6 {
				return "goal < 1 ms: MISSED"
			}
		}
		return "goal < 1 ms: met"
	}
	t.Add("console: View() at 200×60, live (sim) and history (100,000 sessions)",
		"live "+ns("BenchmarkView200x60/live")+"; history "+ns("BenchmarkView200x60/history"),
		"live, XRPL feed with its book: "+ns("BenchmarkView200x60/live-xrpl"),
		under("BenchmarkView200x60/live", "BenchmarkView200x60/history", "BenchmarkView200x60/live-xrpl"), "go test -bench ./tui/")

	dir, cleanup, err := o.tempDir("idle")
	if err != nil {
		return err
	}
	defer cleanup()
	c, err := startConsole(o.bin, nil, "run", "--db", filepath.Join(dir, "neo.db"), "--speed", "1")
	if err != nil {
		return err
	}
	defer c.Close()
	l, err := consoleCPU(c, "idle console", 30*time.Second, 2*time.Second, sz.idle, c.Out.Total)
	if err != nil {
		return err
	}
	t.Add("console: idle CPU of a live session (--speed 1)", fmt.Sprintf("%.1f%% of a core", l.cpu), fmt.Sprintf("over %s", fmtDur(l.over)),
		"", "utime+stime from /proc/<pid>/stat, 160×48 pty")
	t.Add("console: bytes written to the terminal", fmtRate(float64(l.grew)/l.over.Seconds(), "B"), fmt.Sprintf("over %s", fmtDur(l.over)),
		"", "bytes read from the pty master (all drained)")
	return nil
}

// consoleLoad is what consoleCPU measured of a console: the share of a
// core its process used, the wall time it measured over, and how much the
// caller's counter grew meanwhile.
type consoleLoad struct {
	cpu  float64 // percent of a core
	over time.Duration
	grew int64
}

// consoleCPU waits up to ready for the console c to draw, lets it settle,
// and measures its process's utime+stime and count over window; then q must
// end it with exit 0. label names the console in an error.
func consoleCPU(c *proofkit.Console, label string, ready, settle, window time.Duration, count func() int64) (consoleLoad, error) {
	if _, err := c.Out.WaitFor("XRP", ready, c.Done); err != nil {
		return consoleLoad{}, fmt.Errorf("%s: %v", label, err)
	}
	time.Sleep(settle)
	pid := c.Cmd.Process.Pid
	t0, err := procCPUTicks(pid)
	if err != nil {
		return consoleLoad{}, err
	}
	n0, w0 := count(), time.Now()
	time.Sleep(window)
	t1, err := procCPUTicks(pid)
	if err != nil {
		return consoleLoad{}, err
	}
	n1, w := count(), time.Since(w0)
	c.PTY.Write([]byte("q"))
	if code, err := c.Wait(shutdownBound + 5*time.Second); err != nil || code != 0 {
		return consoleLoad{}, fmt.Errorf("%s: exit %d %v", label, code, err)
	}
	return consoleLoad{cpu: float64(t1-t0) / clockTicks / w.Seconds() * 100, over: w, grew: n1 - n0}, nil
}

// buildDB makes a database of about mb MiB: one session run by the binary,
// then valuation snapshots added with our own connection (the schema is the
// binary's).
func buildDB(ctx context.Context, o options, db string, mb int) error {
	res, err := proofkit.Run(ctx, "", o.bin, time.Minute, nil, "run", "--db", db, "--headless", "--speed", "0", "--duration", "10m")
	if err != nil || res.Code != 0 {
		return fmt.Errorf("seed session: exit %d %v: %s", res.Code, err, proofkit.Tail(res.Stderr, 200))
	}
	return writeBeside(ctx, db, "_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)", func(w *sql.DB, sid, started string) error {
		rows := min(max(mb*1600, 5000), 200_000) // about a quarter of mb per chunk
		for chunk := 0; ; chunk++ {
			var pages, size int64
			w.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages)
			w.QueryRowContext(ctx, "PRAGMA page_size").Scan(&size)
			if pages*size >= int64(mb)<<20 {
				return nil
			}
			_, err := w.ExecContext(ctx, `WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i < ?)
				INSERT INTO valuation_snapshots (session_key, market_time, mid_price, anchor_price, total_value_in_rlusd, hold_value_in_rlusd, pnl_rlusd, fees_rlusd)
				SELECT ?, CAST(round((julianday(?) - 2440587.5) * 86400000) AS INTEGER) + ? * ? + i, 2.3 + i * 1e-9, 2.3, 4600 + i * 1e-6, 4600, i * 1e-6, 0.01 FROM c`,
				rows, sid, strings.TrimSuffix(started, "Z"), chunk, rows)
			if err != nil {
				return fmt.Errorf("grow %s: %w", db, err)
			}
		}
	})
}

// benchMemory measures the peak RSS of two replays of different lengths.
func benchMemory(ctx context.Context, o options, sz benchSizes, rng *rand.Rand, t *benchTable) error {
	dir, cleanup, err := o.tempDir("memory")
	if err != nil {
		return err
	}
	defer cleanup()
	var rss [2]int64
	var took [2]time.Duration
	for i, n := range sz.memoryBars {
		d := filepath.Join(dir, fmt.Sprint(n))
		os.Mkdir(d, 0o700)
		csv := filepath.Join(d, "bars.csv")
		if err := proofkit.WriteBars(csv, 9, n); err != nil {
			return err
		}
		f, err := replayRun(ctx, o.bin, d, csv, n, true)
		if err != nil {
			return err
		}
		rss[i], took[i] = f.maxRSS, f.exitSpan
		os.RemoveAll(d)
	}
	t.Add(fmt.Sprintf("memory: peak RSS, %s-bar replay", thousands(float64(sz.memoryBars[1]))), fmtBytes(float64(rss[1]))+" ("+fmtDur(took[1])+")",
		fmt.Sprintf("%s bars: %s (%s)", thousands(float64(sz.memoryBars[0])), fmtBytes(float64(rss[0])), fmtDur(took[0])),
		fmt.Sprintf("%.2f× for %.0f× the bars", float64(rss[1])/float64(rss[0]), float64(sz.memoryBars[1])/float64(sz.memoryBars[0])),
		"getrusage Maxrss of the reaped process; --speed 0, full persistence on disk")
	return nil
}
