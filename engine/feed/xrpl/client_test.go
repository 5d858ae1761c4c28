package xrpl

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

func TestValidateEndpoint(t *testing.T) {
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"wss://xrplcluster.com", true},
		{"wss://s1.ripple.com:443/", true},
		{"ws://127.0.0.1:6006", true},
		{"ws://127.8.9.10:6006", true},
		{"ws://[::1]:6006", true},
		{"ws://localhost:6006", true},
		{"ws://s1.ripple.com", false},
		{"ws://10.0.0.1:6006", false},
		{"http://127.0.0.1:6006", false},
		{"https://xrplcluster.com", false},
		{"wss://user:pw@host", false},
		{"wss://", false},
		{"xrplcluster.com", false},
	} {
		if err := ValidateEndpoint(tc.url); (err == nil) != tc.ok {
			t.Errorf("ValidateEndpoint(%q) = %v, want ok=%v", tc.url, err, tc.ok)
		}
	}
}

// TestClientHappyPath: the documented start-up, then one event per
// completed ledger once the book is resynced.
func TestClientHappyPath(t *testing.T) {
	_, fs, c, fc := syncedClient(t)
	fc.ledgers(t, 101, 101)
	fc.send(t, txMsg(t, 101, "T1", "Payment", consumedNode(t, fxAsk2, 0)))
	fc.ledgers(t, 102, 102)
	d := nextLedger(t, c)
	if d.Result.Ledger.LedgerIndex != 101 || d.State != StateLive || d.Endpoint != fs.url() {
		t.Fatalf("delivered ledger %d state %s from %s", d.Result.Ledger.LedgerIndex, d.State, d.Endpoint)
	}
	if len(d.Result.Executions) != 1 || !d.Result.HasAMM {
		t.Fatalf("executions %d, AMM %v", len(d.Result.Executions), d.Result.HasAMM)
	}
	s := c.Status()
	if s.State != StateLive || s.LedgerIndex != 102 || s.Reconnects != 0 {
		t.Fatalf("status %+v", s)
	}
}

// TestReconnectRotationCooldown: a 1008 close rests the endpoint and the
// client rotates to the next with full-jitter backoff; the rested endpoint
// is skipped until its cooldown ends.
func TestReconnectRotationCooldown(t *testing.T) {
	clk := newFakeClock()
	a, b := newFakeServer(t), newFakeServer(t)
	c := newTestClient(t, clk, nil, a.url(), b.url())
	ca := a.accept(t)
	ca.handshake(t, 100)
	waitStatus(t, c, "synced", func(s Status) bool { return s.Resyncs == 1 })
	ca.close(websocket.StatusPolicyViolation, "threshold exceeded")
	// Backoff attempt 0: 0.3 × 1 s.
	clk.waitTimer(t, 300*time.Millisecond)
	st := c.Status()
	if st.RateLimits != 1 || st.State != StateReconnecting {
		t.Fatalf("after the 1008 close: %+v", st)
	}
	clk.Advance(300 * time.Millisecond)
	cb := b.accept(t)
	cb.handshake(t, 200)
	waitStatus(t, c, "resynced on b", func(s Status) bool { return s.Resyncs == 2 && s.Endpoint == b.url() })
	// b drops us; attempt 1: 0.3 × 2 s; a is cooling down: b again.
	cb.close(websocket.StatusGoingAway, "restart")
	clk.step(t, 600*time.Millisecond)
	cb2 := b.accept(t)
	a.noConnection(t)
	// After the cooldown (5 min) a is back in the rotation.
	cb2.expect(t, "server_info")
	cb2.close(websocket.StatusGoingAway, "restart")
	clk.waitTimer(t, 1200*time.Millisecond) // attempt 2: 0.3 × 4 s
	clk.Advance(5 * time.Minute)
	a.accept(t)
	evs := c.TakeEvents()
	for _, k := range []string{"connect", "rate_limit", "disconnect", "rotate"} {
		if !hasEvent(evs, k) {
			t.Errorf("no %s event in %s", k, kinds(evs))
		}
	}
	if got := c.Status().Reconnects; got != 3 {
		t.Fatalf("reconnects = %d, want 3", got)
	}
}

func TestBackoffBoundsAndReset(t *testing.T) {
	c, err := NewClient(Config{Endpoints: []string{"ws://127.0.0.1:1"}, Rand: func() float64 { return 0.999999 }})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		attempt int
		max     time.Duration
	}{{0, time.Second}, {1, 2 * time.Second}, {3, 8 * time.Second}, {6, 60 * time.Second}, {40, 60 * time.Second}} {
		got := c.backoff(tc.attempt)
		if got > tc.max || got < tc.max*99/100 {
			t.Errorf("backoff(%d) = %s, want just under %s", tc.attempt, got, tc.max)
		}
	}
	c.cfg.Rand = func() float64 { return 0 }
	if got := c.backoff(5); got != 0 {
		t.Errorf("full jitter can be 0, got %s", got)
	}
}

// TestHTTP429AndSlowDown: a 429 on connect and a slowDown error both cool
// the endpoint down.
func TestHTTP429AndSlowDown(t *testing.T) {
	clk := newFakeClock()
	a, b := newFakeServer(t), newFakeServer(t)
	a.setRefuse(http.StatusTooManyRequests)
	c := newTestClient(t, clk, nil, a.url(), b.url())
	clk.waitTimer(t, 300*time.Millisecond)
	if got := c.Status().RateLimits; got != 1 {
		t.Fatalf("rate limits after a 429 = %d", got)
	}
	clk.Advance(300 * time.Millisecond)
	cb := b.accept(t)
	si := cb.expect(t, "server_info")
	cb.replyError(t, si, "slowDown")
	clk.waitTimer(t, 600*time.Millisecond)
	if got := c.Status().RateLimits; got != 2 {
		t.Fatalf("rate limits after slowDown = %d", got)
	}
	// Both cooling down: the client waits for the first to come back.
	clk.Advance(600 * time.Millisecond)
	waitStatus(t, c, "waiting for a cooldown", func(s Status) bool { return strings.Contains(s.LastError, "cooling down") })
	// After its cooldown a is back (no longer refusing) but answers that
	// its last validated ledger is 2 min old: a lagging server is left too.
	a.setRefuse(0)
	clk.Advance(5 * time.Minute)
	ca := a.accept(t)
	si = ca.expect(t, "server_info")
	ca.reply(t, si, map[string]any{"info": map[string]any{"server_state": "full", "validated_ledger": map[string]any{"age": 120, "seq": 5}}})
	waitStatus(t, c, "left the lagging server", func(s Status) bool { return strings.Contains(s.LastError, "lags the network") })
}

// TestOversizedMessageReconnects: a message over the read limit is a
// protocol error: the client reconnects, it does not crash.
func TestOversizedMessageReconnects(t *testing.T) {
	clk := newFakeClock()
	fs := newFakeServer(t)
	c, err := NewClient(Config{Endpoints: []string{fs.url()}, Clock: clk, Rand: fixedRand, Dialer: WSDialer{ReadLimit: 4096}})
	if err != nil {
		t.Fatal(err)
	}
	c.Start(t.Context())
	t.Cleanup(func() { c.Close() })
	fc := fs.accept(t)
	for _, cmd := range []string{"server_info", "account_info", "amm_info", "subscribe"} {
		fc.expect(t, cmd)
	}
	fc.send(t, []byte(`{"type":"ledgerClosed","pad":"`+strings.Repeat("x", 8000)+`"}`))
	clk.waitTimer(t, 300*time.Millisecond)
	if s := c.Status(); !strings.Contains(s.LastError, "read limit") {
		t.Fatalf("last error %q, want the read limit", s.LastError)
	}
	clk.Advance(300 * time.Millisecond)
	fs.accept(t).expect(t, "server_info")
}

// TestSilentSocketPingsThenReconnects: after 10 s of silence the client
// pings; no answer within the request timeout drops the connection.
func TestSilentSocketPingsThenReconnects(t *testing.T) {
	clk, fs, c, fc := syncedClient(t)
	for range 10 {
		clk.step(t, time.Second)
	}
	fc.expect(t, "ping")
	for range 10 {
		clk.step(t, time.Second)
	}
	clk.waitTimer(t, 300*time.Millisecond) // reconnect backoff
	if s := c.Status(); !strings.Contains(s.LastError, "silent") {
		t.Fatalf("last error %q", s.LastError)
	}
	clk.Advance(300 * time.Millisecond)
	fs.accept(t)
}

// TestStaleDetection: a server that stays connected but publishes no
// ledger goes LIVE → DEGRADED (15 s) → STALE (StaleAfter, 30 s here). Pings
// are pushed out of the way (PingAfter 1 h): the silent-socket test covers
// them.
func TestStaleDetection(t *testing.T) {
	clk := newFakeClock()
	fs := newFakeServer(t)
	c, err := NewClient(Config{Endpoints: []string{fs.url()}, Clock: clk, Rand: fixedRand, StaleAfter: 30 * time.Second, PingAfter: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	c.Start(t.Context())
	t.Cleanup(func() { c.Close() })
	fc := fs.accept(t)
	fc.handshake(t, 100)
	fc.ledgers(t, 101, 101)
	waitStatus(t, c, "LIVE", func(s Status) bool { return s.State == StateLive })
	var seen []State
	for i := 0; i < 40 && c.Status().State != StateStale; i++ {
		clk.step(t, time.Second)
		clk.waitTimer(t, time.Second) // the tick ran
		if s := c.Status().State; len(seen) == 0 || seen[len(seen)-1] != s {
			seen = append(seen, s)
		}
	}
	want := []State{StateLive, StateDegraded, StateStale}
	if len(seen) != 3 || seen[0] != want[0] || seen[1] != want[1] || seen[2] != want[2] {
		t.Fatalf("states %v, want %v", seen, want)
	}
	if age := clk.Now().Sub(c.Status().LastLedgerAt); age <= 30*time.Second {
		t.Fatalf("stale at ledger age %s", age)
	}
}

// TestGapTriggersResync: a jump in ledgerClosed indexes stops publishing
// and fetches the book again.
func TestGapTriggersResync(t *testing.T) {
	_, _, c, fc := syncedClient(t)
	fc.ledgers(t, 101, 102)
	fc.ledgers(t, 105, 105) // 103 and 104 missing
	bo := fc.expect(t, "book_offers")
	if bo["ledger_index"] != "validated" {
		t.Fatalf("gap resync = %v", bo)
	}
	fc.send(t, bookPage(t, uint64(bo["id"].(float64)), 105, "", fxAsk1))
	bo = fc.expect(t, "book_offers")
	fc.send(t, bookPage(t, uint64(bo["id"].(float64)), 105, "", fxBid1))
	waitStatus(t, c, "resynced", func(s Status) bool { return s.Resyncs == 2 })
	fc.ledgers(t, 106, 107)
	if d := nextLedger(t, c); d.Result.Ledger.LedgerIndex != 101 {
		t.Fatalf("first ledger %d, want 101", d.Result.Ledger.LedgerIndex)
	}
	if d := nextLedger(t, c); d.Result.Ledger.LedgerIndex != 106 {
		t.Fatalf("after the gap, ledger %d, want 106 (102..105 unpublished)", d.Result.Ledger.LedgerIndex)
	}
	if !hasEvent(c.TakeEvents(), "gap") {
		t.Fatal("no gap event")
	}
}

// TestNotLiveUntilResynced: fresh validated ledgers do not make the feed
// LIVE before the book_offers resync of the connection completes.
func TestNotLiveUntilResynced(t *testing.T) {
	clk := newFakeClock()
	fs := newFakeServer(t)
	c := newTestClient(t, clk, nil, fs.url())
	fc := fs.accept(t)
	si := fc.expect(t, "server_info")
	fc.expect(t, "account_info")
	am := fc.expect(t, "amm_info")
	sub := fc.expect(t, "subscribe")
	fc.reply(t, si, map[string]any{"info": map[string]any{"server_state": "full"}})
	fc.replyError(t, am, "actNotFound")
	fc.reply(t, sub, map[string]any{"ledger_index": 100, "bids": []any{fxAsk1.bookOffer(t)}, "asks": []any{fxBid1.bookOffer(t)}})
	bo := fc.expect(t, "book_offers")
	fc.ledgers(t, 101, 102)
	s := waitStatus(t, c, "ledger 102 seen", func(s Status) bool { return s.LedgerIndex == 102 })
	if s.State == StateLive {
		t.Fatal("LIVE before the resync")
	}
	fc.send(t, bookPage(t, uint64(bo["id"].(float64)), 102, "", fxAsk1))
	bo = fc.expect(t, "book_offers")
	fc.send(t, bookPage(t, uint64(bo["id"].(float64)), 102, "", fxBid1))
	waitStatus(t, c, "resynced", func(s Status) bool { return s.Resyncs == 1 })
	fc.ledgers(t, 103, 104)
	d := nextLedger(t, c)
	if d.Result.Ledger.LedgerIndex != 103 || d.State != StateLive || d.Result.HasAMM {
		t.Fatalf("first ledger %d state %s AMM %v", d.Result.Ledger.LedgerIndex, d.State, d.Result.HasAMM)
	}
	if !hasEvent(c.TakeEvents(), "no_amm") {
		t.Fatal("no no_amm event")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// TestRecordingFailureIsAnError: a recording that cannot be written is
// reported once, at error level, and the feed goes on.
func TestRecordingFailureIsAnError(t *testing.T) {
	clk := newFakeClock()
	fs := newFakeServer(t)
	rec := NewRecorder(failWriter{}, DefaultPair, clk.Now())
	c := newTestClient(t, clk, rec, fs.url())
	fc := fs.accept(t)
	fc.expect(t, "server_info")
	clk.step(t, time.Second)
	clk.step(t, time.Second)
	s := waitStatus(t, c, "record error", func(s Status) bool { return strings.Contains(s.LastError, "disk full") })
	var n int
	for _, e := range c.TakeEvents() {
		if e.Kind == "record" {
			n++
			if e.Level != "error" {
				t.Fatalf("record event at %s", e.Level)
			}
		}
	}
	if n != 1 || s.State == StateReconnecting {
		t.Fatalf("%d record events, state %s", n, s.State)
	}
}

// TestSparseServer: a server that sends only the documented minimum — no
// BookDirectory (quality only), no ledger_index on book_offers, a
// subscribe snapshot under "offers", amm_info unknown — still gives
// events whose mid is its book's and whose anchor is 0.
func TestSparseServer(t *testing.T) {
	clk := newFakeClock()
	fs := newFakeServer(t)
	f, err := OpenLive("xrpl:"+fs.url(), Config{Clock: clk, Rand: fixedRand}, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	sparse := func(o offerSpec) map[string]any {
		m := o.bookOffer(t)
		delete(m, "BookDirectory")
		return m
	}
	fc := fs.accept(t)
	si := fc.expect(t, "server_info")
	ai := fc.expect(t, "account_info")
	am := fc.expect(t, "amm_info")
	sub := fc.expect(t, "subscribe")
	fc.reply(t, si, map[string]any{"info": map[string]any{}})
	fc.replyError(t, ai, "actNotFound")
	fc.replyError(t, am, "unknownCmd")
	fc.reply(t, sub, map[string]any{"ledger_index": 100, "offers": []any{sparse(fxAsk2)}})
	fc.ledgers(t, 101, 101)
	bo := fc.expect(t, "book_offers")
	fc.reply(t, bo, map[string]any{"offers": []any{sparse(fxAsk2), sparse(fxAsk1)}})
	bo = fc.expect(t, "book_offers")
	if bo["ledger_index"] != float64(101) {
		t.Fatalf("bids page pinned to %v, want the last validated ledger 101", bo["ledger_index"])
	}
	fc.reply(t, bo, map[string]any{"offers": []any{sparse(fxBid1), sparse(fxBid2)}})
	fc.ledgers(t, 102, 103)
	ev := nextEvent(t, f)
	if ev.Ledger.Index != 102 || ev.Bid != 2.499 || ev.Ask != 2.5 || ev.Anchor != 0 {
		t.Fatalf("event ledger %d bid %v ask %v anchor %v", ev.Ledger.Index, ev.Bid, ev.Ask, ev.Anchor)
	}
}

// TestScriptedPeriodicRefresh: ledgers every 4 s of fake time; after a
// minute the client refreshes (server_info, account_info, amm_info) and
// resyncs the book; a tooBusy answer sends it to the other endpoint.
func TestScriptedPeriodicRefresh(t *testing.T) {
	clk := newFakeClock()
	a, b := newFakeServer(t), newFakeServer(t)
	c := newTestClient(t, clk, nil, a.url(), b.url())
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(kinds(c.TakeEvents()))
		}
	})
	fc := a.accept(t)
	fc.handshake(t, 100)
	waitStatus(t, c, "synced", func(s Status) bool { return s.Resyncs == 1 })
	var script []step
	for n := uint32(101); n <= 116; n++ {
		script = append(script, step{after: 4 * time.Second, push: ledgerMsg(t, n)})
	}
	script = append(script, step{expect: "server_info", errCode: "tooBusy"})
	fc.play(t, c, clk, time.Second, script...)
	s := waitStatus(t, c, "rate limited", func(s Status) bool { return s.RateLimits == 1 })
	if s.LedgerIndex != 116 {
		t.Fatalf("ledger %d", s.LedgerIndex)
	}
	for i := 0; i < 15; i++ {
		if d := nextLedger(t, c); d.Result.Ledger.LedgerIndex != uint32(101+i) || d.State != StateLive {
			t.Fatalf("delivery %d: ledger %d in %s", i, d.Result.Ledger.LedgerIndex, d.State)
		}
	}
	clk.step(t, 300*time.Millisecond)
	b.accept(t).expect(t, "server_info")
}

// TestReconnectStorm: the server drops the connection after every couple
// of ledgers; the backoff grows, the feed keeps delivering, and no ledger
// is delivered twice even when the next server is behind.
func TestReconnectStorm(t *testing.T) {
	clk := newFakeClock()
	fs := newFakeServer(t)
	c := newTestClient(t, clk, nil, fs.url())
	var delivered []uint32
	backoff := 300 * time.Millisecond
	for cycle := range 5 {
		fc := fs.accept(t)
		base := uint32(100 + 3*cycle - 2*(cycle%2)) // odd cycles come back behind
		fc.handshake(t, base)
		waitStatus(t, c, "resynced", func(s Status) bool { return s.Resyncs == cycle+1 })
		fc.ledgers(t, base+1, base+3) // completes base+1 and base+2
		for n := base + 1; n <= base+2; n++ {
			if len(delivered) > 0 && n <= delivered[len(delivered)-1] {
				continue // already delivered by the previous server
			}
			delivered = append(delivered, nextLedger(t, c).Result.Ledger.LedgerIndex)
			if got := delivered[len(delivered)-1]; got != n {
				t.Fatalf("cycle %d: delivered %d, want %d (all: %v)", cycle, got, n, delivered)
			}
		}
		fc.close(websocket.StatusGoingAway, "storm")
		clk.step(t, backoff)
		backoff *= 2
	}
	if want := "[101 102 103 107 108 109 113 114]"; fmt.Sprint(delivered) != want {
		t.Fatalf("delivered %v, want %s", delivered, want)
	}
	if d, err := c.Next(canceled()); err == nil {
		t.Fatalf("a duplicate was queued: ledger %d", d.Result.Ledger.LedgerIndex)
	}
	if got := c.Status().Reconnects; got != 5 {
		t.Fatalf("reconnects %d", got)
	}
}

// canceled is a context that is already done: Next returns at once unless
// something is queued.
func canceled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}
