package xrpl

import (
	"context"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/coder/websocket"

	"neo/engine"
	"neo/engine/feed/xrpl/xrpltest"
)

// TestFeedAgainstTheMarket runs the live feed against xrpltest's
// autonomous market (its own implementation of the documented shapes):
// the mid is the market's, the anchor its pool price, sweeps are
// executions, a busy book is followed, and a dropped connection is
// reconnected without a ledger delivered twice.
func TestFeedAgainstTheMarket(t *testing.T) {
	m := xrpltest.NewMarket(xrpltest.MarketConfig{Interval: 50 * time.Millisecond, Busy: 40})
	defer m.Close()
	f, err := OpenLive("xrpl:"+m.URL(0), Config{Seed: 1, BackoffMin: 10 * time.Millisecond, BackoffMax: 50 * time.Millisecond}, "")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var last uint32
	execs := 0
	live := 0
	for i := 0; i < 40; i++ {
		ev := nextEvent(t, f)
		if ev.Ledger.Index <= last {
			t.Fatalf("ledger %d after %d: delivered twice or out of order", ev.Ledger.Index, last)
		}
		last = ev.Ledger.Index
		if math.Abs(ev.Mid()-m.Mid()) > 1e-9 {
			t.Fatalf("mid %v, the market's is %v", ev.Mid(), m.Mid())
		}
		if ev.Anchor != m.AMMPrice() {
			t.Fatalf("anchor %v, the pool's price is %v", ev.Anchor, m.AMMPrice())
		}
		execs += len(ev.Trades)
		if ev.Ledger.Live() {
			live++
		}
		if i == 20 {
			m.Drop(websocket.StatusGoingAway, "restarting")
		}
	}
	if execs == 0 || live == 0 {
		t.Fatalf("%d executions, %d LIVE ledgers in 40: the sweeps were not seen", execs, live)
	}
	if s := f.Status(); s.Reconnects < 1 {
		t.Fatalf("status %+v: want a reconnect after the drop", s)
	}
}

// recordMarket opens a live feed on xrpltest's market (a ledger every
// 20 ms) that records to name in a temp dir, and returns the feed and the
// recording's path. The market stops at the end of the test.
func recordMarket(t *testing.T, name string) (*Feed, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	m := xrpltest.NewMarket(xrpltest.MarketConfig{Interval: 20 * time.Millisecond})
	t.Cleanup(m.Close)
	f, err := OpenLive("xrpl:"+m.URL(0), Config{Seed: 1}, path)
	if err != nil {
		t.Fatal(err)
	}
	return f, path
}

// TestReplayEndsWhereTheSessionStopped: ledgers the recording session
// read but never applied (the engine had stopped) are not replayed: the
// replay ends at the ledger StopAt marked.
func TestReplayEndsWhereTheSessionStopped(t *testing.T) {
	f, path := recordMarket(t, "rec.ndjson.gz")
	var applied engine.MarketEvent
	for i := 0; i < 5; i++ {
		applied = nextEvent(t, f)
	}
	for i := 0; i < 3; i++ {
		nextEvent(t, f) // read, never applied
	}
	f.StopAt(applied)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	evs, err := replayAll(t, path)
	if err != nil {
		t.Fatal(err)
	}
	n := len(evs)
	var last engine.MarketEvent
	if n > 0 {
		last = evs[n-1]
	}
	if n != 5 || last.Ledger.Index != applied.Ledger.Index {
		t.Fatalf("replayed %d ledgers up to %d, want 5 up to %d", n, last.Ledger.Index, applied.Ledger.Index)
	}
}

// TestReplayStatusWhileReading: a replay's status is read by the session
// goroutine while the feed reader runs Next (go test -race).
func TestReplayStatusWhileReading(t *testing.T) {
	f, path := recordMarket(t, "rec.ndjson")
	for i := 0; i < 5; i++ {
		nextEvent(t, f)
	}
	f.Close()
	r, err := OpenReplayFeed(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			if _, err := r.Next(context.Background()); err != nil {
				return
			}
		}
	}()
	for {
		select {
		case <-done:
			if s := r.FeedStatus(); s.LedgerIndex == 0 || s.State != "LIVE" {
				t.Fatalf("replay status %+v: want the last ledger's", s)
			}
			return
		default:
			r.FeedStatus()
		}
	}
}

// TestTransactionOnTwoSubscriptionsCountsOnce: the market's sweeps also
// swap through the AMM, so each reaches the feed on the book stream and
// again on the AMM account's (as rippled sends it); every delivered ledger
// has exactly the market's executions, none twice.
func TestTransactionOnTwoSubscriptionsCountsOnce(t *testing.T) {
	m := xrpltest.NewMarket(xrpltest.MarketConfig{Interval: 20 * time.Millisecond, SwapXRP: 10})
	defer m.Close()
	f, err := OpenLive("xrpl:"+m.URL(0), Config{Seed: 1}, "")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	swept := 0
	for i := 0; i < 12; i++ {
		ev := nextEvent(t, f)
		want := m.Executions(ev.Ledger.Index)
		if len(ev.Trades) != want {
			t.Fatalf("ledger %d: %d trades, the market made %d", ev.Ledger.Index, len(ev.Trades), want)
		}
		if want > 0 {
			swept++
		}
	}
	if swept == 0 {
		t.Fatal("no sweep in 12 ledgers: nothing was tested")
	}
}

// TestTransactionsBeforeTheirLedgerClosed: a server that sends each
// ledger's transactions before its ledgerClosed (clio may) is followed
// without gaps: every ledger is delivered, with its executions.
func TestTransactionsBeforeTheirLedgerClosed(t *testing.T) {
	m := xrpltest.NewMarket(xrpltest.MarketConfig{Interval: 20 * time.Millisecond, TxFirst: true, SweepEvery: 1})
	defer m.Close()
	f, err := OpenLive("xrpl:"+m.URL(0), Config{Seed: 1}, "")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var last uint32
	for i := 0; i < 12; i++ {
		ev := nextEvent(t, f)
		if last != 0 && ev.Ledger.Index != last+1 {
			t.Fatalf("ledger %d after %d: ledgers lost", ev.Ledger.Index, last)
		}
		last = ev.Ledger.Index
		if want := m.Executions(ev.Ledger.Index); len(ev.Trades) != want || want == 0 {
			t.Fatalf("ledger %d: %d trades, the market made %d", ev.Ledger.Index, len(ev.Trades), want)
		}
	}
	for _, e := range f.TakeEvents() {
		if e.Kind == "gap" {
			t.Fatalf("gap event: %s", e.Message)
		}
	}
}
