//go:build !windows

package main

import (
	"context"
	"database/sql"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"neo/cmd/internal/proofkit"
	"neo/engine/feed/xrpl/xrpltest"
)

// The live XRPL feed end to end: the built binary against xrpltest's
// autonomous market on loopback (no network).

// xrplConfig writes a config for a fast fake market (backoff up to 200 ms)
// and returns its path.
func xrplConfig(tb testing.TB, dir, staleAfter string) string {
	return writeFile(tb, dir, "xrpl.toml", proofkit.FastXRPLConfig(staleAfter, "200ms"))
}

// startXRPL starts neo with args, collecting its output; the test's end
// kills it if still running.
func startXRPL(tb testing.TB, args ...string) *proofkit.Proc {
	tb.Helper()
	p, err := proofkit.Start("", neoBin, nil, args...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(p.Kill)
	return p
}

// fillRow is a fill with its order, as the independent reader sees it.
type fillRow struct {
	Order                  string // order id without the session prefix
	Side                   string
	Price, Qty, Value, Fee float64
	OrderPrice, OrderQty   float64
	OrderStatus            string
}

// readFills reads a session's fills in order, with their orders.
func readFills(tb testing.TB, dbPath, session string) []fillRow {
	tb.Helper()
	db, err := sql.Open("sqlite", "file:"+dbPath+"?mode=ro")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	out, err := proofkit.Collect(context.Background(), db, func(rows *sql.Rows) (r fillRow, err error) {
		err = rows.Scan(&r.Order, &r.Side, &r.Price, &r.Qty, &r.Value, &r.Fee, &r.OrderPrice, &r.OrderQty, &r.OrderStatus)
		r.Order = strings.TrimPrefix(r.Order, session)
		return r, err
	}, `SELECT f.order_id, f.side, f.price, f.qty_xrp, f.value_rlusd, f.fee_rlusd, o.price, o.qty_xrp, o.status
		FROM fills f JOIN orders o ON o.session_key = f.session_key AND o.order_id = f.order_id
		WHERE f.session_key = (SELECT session_key FROM sessions WHERE session_id = ?) ORDER BY f.rowid`, session)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// sessionFacts reads the feed column and the valuation prices of a session.
func sessionFacts(tb testing.TB, dbPath, session string) (feed string, mids, anchors []float64) {
	tb.Helper()
	db, err := sql.Open("sqlite", "file:"+dbPath+"?mode=ro")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if err := db.QueryRowContext(ctx, `SELECT feed FROM sessions WHERE session_id = ?`, session).Scan(&feed); err != nil {
		tb.Fatal(err)
	}
	// No anchor is NULL; 0 here, which the callers' checks refuse.
	rows, err := db.QueryContext(ctx, `SELECT mid_price, IFNULL(anchor_price, 0) FROM valuation_snapshots
		WHERE session_key = (SELECT session_key FROM sessions WHERE session_id = ?)`, session)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var m, a float64
		if err := rows.Scan(&m, &a); err != nil {
			tb.Fatal(err)
		}
		mids, anchors = append(mids, m), append(anchors, a)
	}
	return feed, mids, anchors
}

// waitSession polls the database (read-only, independent) until cond
// holds for the newest session; the deadline is a hang guard.
func waitSession(tb testing.TB, dbPath, what string, cond func(sessionRow) bool) sessionRow {
	tb.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err := os.Stat(dbPath); err == nil {
			if all := readSessions(tb, dbPath); len(all) > 0 && cond(all[len(all)-1]) {
				return all[len(all)-1]
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func countEvents(s sessionRow, prefix string) int {
	n := 0
	for _, e := range s.Events {
		if strings.HasPrefix(e, prefix) {
			n++
		}
	}
	return n
}

// TestXRPLLiveSessionAndItsReplay: a headless session on the fake market
// quotes around the market's mid and the pool's price, fills where the
// rules say (at its own price, at most the swept thin level each time,
// so in parts), survives the server closing every connection, ends
// cleanly on SIGTERM (no order open, empty WAL, sqlite3 agrees), and its
// --record replayed with xrpl-replay: ends with the same value and fills.
func TestXRPLLiveSessionAndItsReplay(t *testing.T) {
	m := xrpltest.NewMarket(xrpltest.MarketConfig{Interval: 100 * time.Millisecond, CloseStep: 1, Transfer: 1_002_000_000})
	defer m.Close()
	dir := t.TempDir()
	db := filepath.Join(dir, "neo.db")
	rec := filepath.Join(dir, "live.ndjson.gz")
	cfg := xrplConfig(t, dir, "30s")
	live := runLiveThroughADrop(t, m, db, cfg, rec)
	checkLiveValuations(t, m, db, live.ID)
	fills := readFills(t, db, live.ID)
	checkLiveFills(t, fills)
	checkReplayMatches(t, filepath.Join(dir, "replay.db"), cfg, rec, live, fills)
}

// runLiveThroughADrop runs a headless session on m, recording to rec,
// until it has fills both before and after the server drops every
// connection, then ends it with SIGTERM and checks it closed cleanly and
// noted the disconnect. It returns the session.
func runLiveThroughADrop(t *testing.T, m *xrpltest.Market, db, cfg, rec string) sessionRow {
	t.Helper()
	p := startXRPL(t, "run", "--db", db, "--config", cfg, "--headless", "--log-format", "logfmt",
		"--feed", "xrpl:"+m.URL(0), "--record", rec, "--seed", "7")
	waitForLog(t, p.ErrOut, "session started")
	s := waitSession(t, db, "fills before the drop", func(s sessionRow) bool { return s.Fills >= 3 })
	before := s.Fills
	if n := m.Drop(websocket.StatusGoingAway, "restarting"); n == 0 {
		t.Fatalf("no connection to drop")
	}
	waitSession(t, db, "a reconnect and fills after it", func(s sessionRow) bool {
		return countEvents(s, "feed_connect") >= 2 && s.Fills >= before+3
	})
	if err := p.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := waitExit(t, p, 10*time.Second); code != 0 {
		t.Fatalf("exit %d, want 0; stderr:\n%s", code, p.ErrOut.String())
	}
	live := checkClosedCleanly(t, db, "signal_terminate")
	if countEvents(live, "feed_disconnect") < 1 {
		t.Fatalf("no feed_disconnect event; events:\n%s", strings.Join(live.Events, "\n"))
	}
	return live
}

// checkLiveValuations checks that the session records m's endpoint as its
// feed and values at the book's mid, with the pool's price as the anchor.
func checkLiveValuations(t *testing.T, m *xrpltest.Market, db, session string) {
	t.Helper()
	feed, mids, anchors := sessionFacts(t, db, session)
	if feed != "xrpl:"+m.URL(0) {
		t.Fatalf("sessions.feed = %q, want the endpoint", feed)
	}
	for i := range mids {
		if math.Abs(mids[i]-m.Mid()) > 1e-9 || anchors[i] != m.AMMPrice() {
			t.Fatalf("valuation %d: mid %v anchor %v, want the book's mid %v and the pool's price %v", i, mids[i], anchors[i], m.Mid(), m.AMMPrice())
		}
	}
}

// checkLiveFills checks the live session's fills: each at its order's
// price, at most the swept thin level, a buy paying the transfer fee, and
// some order filled in parts.
func checkLiveFills(t *testing.T, fills []fillRow) {
	t.Helper()
	parts := map[string]int{}
	for _, f := range fills {
		// Rule 3: a sweep past our quote fills us at our price, capped at
		// the executed size (the thin level: 4 XRP).
		if f.Price != f.OrderPrice || f.Qty > 4+1e-9 {
			t.Fatalf("fill %+v: want the order's price and at most the 4 XRP executed", f)
		}
		// The transfer fee (0.2 %) is paid on the RLUSD we send.
		if wantFee := f.Value * (1e-4 + 0.002); f.Side == "buy" && math.Abs(f.Fee-wantFee) > 1e-9 {
			t.Fatalf("buy fill %+v: fee %v, want fee_bps plus the transfer fee = %v", f, f.Fee, wantFee)
		}
		parts[f.Order]++
	}
	partial := 0
	for _, n := range parts {
		if n > 1 {
			partial++
		}
	}
	if partial == 0 {
		t.Fatalf("no order filled in parts among %d fills", len(fills))
	}
}

// checkReplayMatches replays the recording rec into the database db2 and
// checks that it ends with the live session's value and fills.
func checkReplayMatches(t *testing.T, db2, cfg, rec string, live sessionRow, fills []fillRow) {
	t.Helper()
	code, _, stderr := runNeo(t, nil, "run", "--db", db2, "--config", cfg, "--headless", "--speed", "0", "--feed", "xrpl-replay:"+rec)
	if code != 0 {
		t.Fatalf("replay exit %d; stderr:\n%s", code, stderr)
	}
	rep := checkClosedCleanly(t, db2, "feed_ended")
	if rep.EndingValue.Float64 != live.EndingValue.Float64 || rep.EndingXRP.Float64 != live.EndingXRP.Float64 {
		t.Fatalf("replay ending value %v (xrp %v), live %v (xrp %v)", rep.EndingValue.Float64, rep.EndingXRP.Float64, live.EndingValue.Float64, live.EndingXRP.Float64)
	}
	rfills := readFills(t, db2, rep.ID)
	if len(rfills) != len(fills) {
		t.Fatalf("replay has %d fills, live %d", len(rfills), len(fills))
	}
	for i := range fills {
		if rfills[i] != fills[i] {
			t.Fatalf("fill %d: replay %+v, live %+v", i, rfills[i], fills[i])
		}
	}
}

// TestXRPLSilentServerHaltsStale: a server that keeps its socket open and
// sends nothing ends the session as stale_feed (exit 5) through the
// shutdown path.
func TestXRPLSilentServerHaltsStale(t *testing.T) {
	m := xrpltest.NewMarket(xrpltest.MarketConfig{Interval: 100 * time.Millisecond, CloseStep: 1})
	defer m.Close()
	dir := t.TempDir()
	db := filepath.Join(dir, "neo.db")
	p := startXRPL(t, "run", "--db", db, "--config", xrplConfig(t, dir, "6s"), "--headless", "--log-format", "logfmt", "--feed", "xrpl:"+m.URL(0))
	waitForLog(t, p.ErrOut, "session started")
	m.SetSilent(true)
	if code := waitExit(t, p, 30*time.Second); code != 5 {
		t.Fatalf("exit %d, want 5; stderr:\n%s", code, p.ErrOut.String())
	}
	s := checkClosedCleanly(t, db, "stale_feed")
	if countEvents(s, "feed_quoting") == 0 {
		t.Fatalf("the quotes were not pulled while the feed was silent; events:\n%s", strings.Join(s.Events, "\n"))
	}
}

// TestXRPLFlags: --record only with the live feed, no --speed but 1 with
// it, ws:// only on loopback (exit 2 each, nothing written).
func TestXRPLFlags(t *testing.T) {
	db := filepath.Join(t.TempDir(), "neo.db")
	for _, args := range [][]string{
		{"--feed", "sim", "--record", "x.ndjson"},
		{"--feed", "xrpl", "--speed", "0"},
		{"--feed", "xrpl:ws://example.com"},
		{"--feed", "xrpl:https://example.com"},
	} {
		code, _, stderr := runNeo(t, nil, append([]string{"run", "--db", db, "--headless"}, args...)...)
		if code != 2 {
			t.Fatalf("%v: exit %d, want 2; stderr:\n%s", args, code, stderr)
		}
	}
	if _, err := os.Stat(db); err == nil {
		t.Fatalf("a refused run created the database")
	}
}

// TestXRPLConsole: under a real pty the console shows the live feed's
// state and ends cleanly on q with the terminal restored.
func TestXRPLConsole(t *testing.T) {
	m := xrpltest.NewMarket(xrpltest.MarketConfig{Interval: 100 * time.Millisecond, CloseStep: 1})
	defer m.Close()
	r := startConsole(t, "--config", xrplConfig(t, t.TempDir(), "30s"), "--feed", "xrpl:"+m.URL(0))
	r.waitScreen(t, " #9000") // the header's feed status: ledger,
	r.waitScreen(t, " rtt ")  // round trip and reconnects
	r.PTY.Write([]byte("q"))
	if code := r.wait(t); code != 0 {
		t.Fatalf("exit %d, want 0; output tail:\n%s", code, tail(r.Out.String(), 2000))
	}
	checkClosedCleanly(t, r.db, "operator_quit")
	r.checkTerminalRestored(t)
}
