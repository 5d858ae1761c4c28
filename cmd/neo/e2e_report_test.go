package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"neo/cmd/internal/proofkit"
)

// reportJSON is what the test reads of `neo report --json`, by its keys
// (the keys are the contract, not engine.Report's field names).
type reportJSON struct {
	SessionID     string     `json:"session_id"`
	MarketStart   *time.Time `json:"market_start"`
	MarketEnd     *time.Time `json:"market_end"`
	WallStartedAt time.Time  `json:"wall_started_at"`
	StartingValue float64    `json:"starting_value_rlusd"`
	EndingValue   float64    `json:"ending_value_rlusd"`
	Fills         struct {
		Count       int          `json:"count"`
		VolumeRLUSD float64      `json:"volume_rlusd"`
		Buy         reportSideJS `json:"buy"`
		Sell        reportSideJS `json:"sell"`
	} `json:"fills"`
	PnL struct {
		Total     float64 `json:"total_rlusd"`
		Trading   float64 `json:"trading_rlusd"`
		Fees      float64 `json:"fees_rlusd"`
		Inventory float64 `json:"inventory_rlusd"`
	} `json:"pnl"`
	Fees struct {
		Trading    float64 `json:"trading_rlusd"`
		NetworkXRP float64 `json:"network_xrp"`
	} `json:"fees"`
	Daily []struct {
		Day string  `json:"market_day"`
		PnL float64 `json:"pnl_rlusd"`
	} `json:"daily_pnl"`
}

type reportSideJS struct {
	Count       int     `json:"count"`
	VolumeXRP   float64 `json:"volume_xrp"`
	VolumeRLUSD float64 `json:"volume_rlusd"`
	AvgPrice    float64 `json:"avg_price"`
	FeesRLUSD   float64 `json:"fees_rlusd"`
}

// sideSums are a side's fills as the independent reader sums them.
type sideSums struct {
	count               int
	qty, value, fee, px float64
}

// dbFigures is what the test computes from the database itself.
type dbFigures struct {
	starting, ending float64
	side             map[string]sideSums
	// inventory is Σ xrp_balance × Δmid over the inventory snapshots in
	// the order written: the effect of price moves on the inventory.
	inventory          float64
	minMid, maxMid     float64
	inventorySnapshots int
}

// sessionFilter is the WHERE clause that selects one session's rows of a
// table: by session_id, or through session_key where the schema has one.
func sessionFilter(tb testing.TB, db *sql.DB, table string) string {
	tb.Helper()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM pragma_table_info(?) WHERE name = 'session_key'`, table).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	if n > 0 {
		return "session_key = (SELECT session_key FROM sessions WHERE session_id = ?)"
	}
	return "session_id = ?"
}

// readFigures computes a session's figures through proofkit's independent
// reader (a fresh read-only connection, not the store).
func readFigures(tb testing.TB, path, id string) dbFigures {
	tb.Helper()
	db, err := proofkit.OpenReader(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	f := dbFigures{side: map[string]sideSums{}}
	if err := db.QueryRowContext(ctx, `SELECT starting_value, ending_value FROM sessions WHERE session_id = ?`, id).Scan(&f.starting, &f.ending); err != nil {
		tb.Fatal(err)
	}
	rows, err := db.QueryContext(ctx, `SELECT side, count(*), sum(qty_xrp), sum(value_rlusd), sum(fee_rlusd) FROM fills WHERE `+
		sessionFilter(tb, db, "fills")+` GROUP BY side`, id)
	if err != nil {
		tb.Fatal(err)
	}
	for rows.Next() {
		var side string
		var s sideSums
		if err := rows.Scan(&side, &s.count, &s.qty, &s.value, &s.fee); err != nil {
			tb.Fatal(err)
		}
		s.px = s.value / s.qty
		f.side[side] = s
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	rows.Close()
	rows, err = db.QueryContext(ctx, `SELECT xrp_balance, mid_price FROM inventory_snapshots WHERE `+
		sessionFilter(tb, db, "inventory_snapshots")+` ORDER BY rowid`, id)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var prevX, prevMid float64
	for rows.Next() {
		var x, mid float64
		if err := rows.Scan(&x, &mid); err != nil {
			tb.Fatal(err)
		}
		if f.inventorySnapshots > 0 {
			f.inventory += prevX * (mid - prevMid)
			f.minMid, f.maxMid = math.Min(f.minMid, mid), math.Max(f.maxMid, mid)
		} else {
			f.minMid, f.maxMid = mid, mid
		}
		prevX, prevMid = x, mid
		f.inventorySnapshots++
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return f
}

// TestReportCommand replays a kline file headless (the run prints the
// short report), then checks `neo report` and `neo report --json` against
// figures computed from the database by an independent reader: fills and
// volume by side, the total P&L (ending − starting value), the identity
// trading + fees + inventory = total, and (on market time) the inventory
// part against Σ XRP × Δmid over the inventory snapshots, the market span
// within the file's and the daily P&L over its three market days. A second, later session is
// the default; the first is reached by its id; an unknown id is a usage
// error that points at 'neo sessions'.
func TestReportCommand(t *testing.T) {
	dir := t.TempDir()
	const bars = 3000 // 50 hours of one-minute bars: three UTC market days
	file := klineFile(t, dir, 41, 0.52, time.Minute, bars, 0, 0)
	fileStart := time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC) // klineFile's first bar
	fileEnd := fileStart.Add(bars * time.Minute)
	db := filepath.Join(dir, "neo.db")

	code, stdout, stderr := runNeo(t, nil, "run", "--db", db, "--headless", "--speed", "0", "--feed", "replay:"+file)
	if code != 0 {
		t.Fatalf("run: exit %d, want 0; stderr:\n%s", code, tail(stderr, 2000))
	}
	first := checkClosedCleanly(t, db, "feed_ended")
	if first.Fills == 0 {
		t.Fatalf("the replay made no fills; events:\n%s", strings.Join(first.Events, "\n"))
	}
	checkShortReport(t, stdout, first.ID, first.Fills)

	checkDefaultIsLatest(t, dir, db)

	// The first session by id, as text and as JSON.
	text, js, r := reportByID(t, db, first.ID)
	f := readFigures(t, db, first.ID)
	t.Logf("db: %+v; report: %+v", f, r)

	checkReportFigures(t, r, f, text, first.ID, first.Fills)

	// An unknown id: a usage error saying what to do.
	code, _, stderr = runNeo(t, nil, "report", "--db", db, "20990101T000000Z-000000")
	if code != exitUsage || !strings.Contains(stderr, "neo sessions") {
		t.Errorf("unknown id: exit %d, want %d, and a pointer to 'neo sessions'; stderr:\n%s", code, exitUsage, stderr)
	}

	// What needs market time: the span within the file, three market days,
	// and the mid at each fill. On wall time at --speed 0 many bars share
	// one millisecond, so a fill can be matched with an earlier bar's
	// snapshot and the split between trading and inventory is off.
	t.Run("market time", func(t *testing.T) {
		if r.MarketStart == nil || r.MarketEnd == nil {
			t.Fatalf("no market span: %s", js)
		}
		if r.MarketStart.Equal(r.WallStartedAt) {
			t.Skip("the report's times are still wall times: this holds once the market-time fields land (engine/report.go's time accessors)")
		}
		// The inventory part against the snapshots: equal up to the network
		// fees' valuation (XRP spent between snapshots, valued by the report at
		// the final mid), a few hundredths of an XRP over the mid's range.
		tol := 1e-6 + 2*r.Fees.NetworkXRP*(f.maxMid-f.minMid)
		if math.Abs(r.PnL.Inventory-f.inventory) > tol || f.inventorySnapshots < bars/2 {
			t.Errorf("inventory moves %v, Σ XRP × Δmid over %d snapshots %v (tolerance %v)", r.PnL.Inventory, f.inventorySnapshots, f.inventory, tol)
		}
		if r.MarketStart.Before(fileStart) || r.MarketEnd.After(fileEnd) || !r.MarketEnd.After(*r.MarketStart) {
			t.Errorf("market span %v → %v outside the file's %v → %v", r.MarketStart, r.MarketEnd, fileStart, fileEnd)
		}
		var sum float64
		for _, d := range r.Daily {
			sum += d.PnL
			if d.Day < fileStart.Format(time.DateOnly) || d.Day > fileEnd.Format(time.DateOnly) {
				t.Errorf("market day %s outside the file", d.Day)
			}
		}
		if len(r.Daily) != 3 || !close6(sum, r.PnL.Total) {
			t.Errorf("daily P&L %+v (sum %v), want 3 market days summing to %v", r.Daily, sum, r.PnL.Total)
		}
	})
}

// reportByID runs `neo report` on session id as text and as JSON (js, and
// decoded as r); both must exit 0.
func reportByID(t *testing.T, db, id string) (text, js string, r reportJSON) {
	t.Helper()
	code, text, stderr := runNeo(t, nil, "report", "--db", db, id)
	if code != 0 {
		t.Fatalf("neo report %s: exit %d; stderr:\n%s", id, code, stderr)
	}
	code, js, stderr = runNeo(t, nil, "report", "--db", db, "--json", id)
	if code != 0 {
		t.Fatalf("neo report --json: exit %d; stderr:\n%s", code, stderr)
	}
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		t.Fatalf("report JSON: %v\n%s", err, js)
	}
	return text, js, r
}

// checkDefaultIsLatest runs a later, short session: `neo report` without an
// id must report it.
func checkDefaultIsLatest(t *testing.T, dir, db string) {
	t.Helper()
	small := klineFile(t, dir, 42, 2.5, time.Minute, 60, 0, 0)
	if code, _, stderr := runNeo(t, nil, "run", "--db", db, "--headless", "--speed", "0", "--feed", "replay:"+small); code != 0 {
		t.Fatalf("second run: exit %d; stderr:\n%s", code, tail(stderr, 2000))
	}
	second := lastSession(t, db)
	code, out, stderr := runNeo(t, nil, "report", "--db", db)
	if code != 0 || !strings.HasPrefix(out, "Session "+second.ID+" ") {
		t.Fatalf("neo report: exit %d, want the latest session %s; stdout:\n%s\nstderr:\n%s", code, second.ID, out, stderr)
	}
}

// checkShortReport checks the headless run's short report: three lines on
// stdout (after the final log line on stderr) naming the session, its
// fills and the command for the whole report.
func checkShortReport(t *testing.T, stdout, id string, fills int) {
	t.Helper()
	if !strings.HasPrefix(stdout, "report "+id+": market ") || strings.Count(stdout, "\n") != 3 ||
		!strings.Contains(stdout, "P&L ") || !strings.Contains(stdout, "neo report "+id) {
		t.Fatalf("run's stdout is not the short report:\n%s", stdout)
	}
	if !strings.Contains(stdout, fmt.Sprintf("%s fills", thousands(fills))) {
		t.Fatalf("short report does not say %d fills:\n%s", fills, stdout)
	}
}

// checkReportFigures checks the report of session id (JSON r, text) against
// the figures read from the database: fills per side, values, the P&L
// split and the trading fees; the text must say the same.
func checkReportFigures(t *testing.T, r reportJSON, f dbFigures, text, id string, fills int) {
	t.Helper()
	if r.SessionID != id || r.Fills.Count != fills {
		t.Errorf("report of %s with %d fills, want %s with %d", r.SessionID, r.Fills.Count, id, fills)
	}
	for name, got := range map[string]reportSideJS{"buy": r.Fills.Buy, "sell": r.Fills.Sell} {
		w := f.side[name]
		if got.Count != w.count || !close6(got.VolumeXRP, w.qty) || !close6(got.VolumeRLUSD, w.value) ||
			!close6(got.FeesRLUSD, w.fee) || !close6(got.AvgPrice, w.px) {
			t.Errorf("%s: report %+v, database %+v", name, got, w)
		}
	}
	if !close6(r.StartingValue, f.starting) || !close6(r.EndingValue, f.ending) || !close6(r.PnL.Total, f.ending-f.starting) {
		t.Errorf("P&L %v (%v → %v), database %v → %v", r.PnL.Total, r.StartingValue, r.EndingValue, f.starting, f.ending)
	}
	if sum := r.PnL.Trading + r.PnL.Fees + r.PnL.Inventory; !close6(sum, r.PnL.Total) {
		t.Errorf("trading %v + fees %v + inventory %v = %v, total %v", r.PnL.Trading, r.PnL.Fees, r.PnL.Inventory, sum, r.PnL.Total)
	}
	if !close6(r.Fees.Trading, f.side["buy"].fee+f.side["sell"].fee) {
		t.Errorf("trading fees %v, database %v", r.Fees.Trading, f.side["buy"].fee+f.side["sell"].fee)
	}
	// The text says the same figures.
	for _, want := range []string{"Session " + id, "trading (spread capture)", "inventory moves", "max drawdown",
		"Daily P&L (UTC market days)", fmt.Sprintf("%+.4f", r.PnL.Total), thousands(fills)} {
		if !strings.Contains(text, want) {
			t.Errorf("report text lacks %q:\n%s", want, text)
		}
	}
}

// close6 compares report figures with the database's to a millionth of an
// RLUSD (the sums run in a different order).
func close6(a, b float64) bool { return math.Abs(a-b) <= 1e-6*math.Max(1, math.Abs(b)) }

// thousands is n with comma separators, as the report prints counts.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
