package xrpl

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"neo/engine"
	"neo/engine/feed/xrpl/xrpltest"
)

// waitLimit bounds every wait on an observable event in these tests (a
// deadline, not a timing assertion).
const waitLimit = 10 * time.Second

// fakeClock is a Clock that moves only when a test advances it.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	timers  []*fakeTimer
	changed chan struct{}
}

type fakeTimer struct {
	clk *fakeClock
	c   chan time.Time
	at  time.Time
	d   time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC), changed: make(chan struct{})}
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) NewTimer(d time.Duration) Timer {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := &fakeTimer{clk: f, c: make(chan time.Time, 1), at: f.now.Add(d), d: d}
	f.timers = append(f.timers, t)
	f.notifyLocked()
	return t
}

func (f *fakeClock) notifyLocked() {
	close(f.changed)
	f.changed = make(chan struct{})
}

func (t *fakeTimer) C() <-chan time.Time { return t.c }

func (t *fakeTimer) Stop() bool {
	f := t.clk
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, x := range f.timers {
		if x == t {
			f.timers = append(f.timers[:i], f.timers[i+1:]...)
			f.notifyLocked()
			return true
		}
	}
	return false
}

// Advance moves time on and fires the timers that are due.
func (f *fakeClock) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
	keep := f.timers[:0]
	for _, t := range f.timers {
		if !t.at.After(f.now) {
			t.c <- f.now
			continue
		}
		keep = append(keep, t)
	}
	f.timers = keep
	f.notifyLocked()
}

// waitTimer blocks until a timer of duration d is pending.
func (f *fakeClock) waitTimer(t *testing.T, d time.Duration) {
	t.Helper()
	deadline := time.After(waitLimit)
	for {
		f.mu.Lock()
		for _, x := range f.timers {
			if x.d == d {
				f.mu.Unlock()
				return
			}
		}
		ch := f.changed
		f.mu.Unlock()
		select {
		case <-ch:
		case <-deadline:
			f.mu.Lock()
			var ds []time.Duration
			for _, x := range f.timers {
				ds = append(ds, x.d)
			}
			f.mu.Unlock()
			t.Fatalf("no %s timer was started within %s (pending: %v)", d, waitLimit, ds)
		}
	}
}

// step waits for a timer of duration d (the client's housekeeping tick, a
// backoff) and fires it.
func (f *fakeClock) step(t *testing.T, d time.Duration) {
	t.Helper()
	f.waitTimer(t, d)
	f.Advance(d)
}

// fakeServer and fakeConn are the scripted server of xrpltest, with the
// short names these tests use.
type fakeServer struct{ *xrpltest.Scripted }

type fakeConn struct{ *xrpltest.Conn }

func newFakeServer(t *testing.T) *fakeServer { return &fakeServer{xrpltest.NewScripted(t)} }

func (fs *fakeServer) url() string                                  { return fs.URL() }
func (fs *fakeServer) setRefuse(code int)                           { fs.SetRefuse(code) }
func (fs *fakeServer) accept(t *testing.T) *fakeConn                { return &fakeConn{fs.Accept(t)} }
func (fs *fakeServer) noConnection(t *testing.T)                    { fs.NoConnection(t) }
func (fc *fakeConn) expect(t *testing.T, cmd string) map[string]any { return fc.Expect(t, cmd) }
func (fc *fakeConn) send(t *testing.T, raw []byte)                  { fc.Send(t, raw) }
func (fc *fakeConn) reply(t *testing.T, req map[string]any, result any) {
	fc.Reply(t, req, result)
}
func (fc *fakeConn) replyError(t *testing.T, req map[string]any, code string) {
	fc.ReplyError(t, req, code)
}
func (fc *fakeConn) close(code websocket.StatusCode, reason string) { fc.Close(code, reason) }

// handshake plays the documented start-up: server_info, account_info,
// amm_info, subscribe with a both-sided snapshot at ledger, the AMM account
// subscription, and the book_offers resync (asks then bids, one page each).
func (fc *fakeConn) handshake(t *testing.T, ledger uint32) {
	t.Helper()
	fc.handshakeAs(t, ledger, map[string]any{"server_state": "full", "load_factor": 1, "validated_ledger": map[string]any{"age": 1, "seq": ledger}})
}

// handshakeAs is handshake with server_info answering info.
func (fc *fakeConn) handshakeAs(t *testing.T, ledger uint32, info map[string]any) {
	t.Helper()
	si := fc.expect(t, "server_info")
	ai := fc.expect(t, "account_info")
	am := fc.expect(t, "amm_info")
	sub := fc.expect(t, "subscribe")
	fc.reply(t, si, map[string]any{"info": info})
	fc.reply(t, ai, map[string]any{"account_data": map[string]any{"Account": issuer, "TransferRate": 1002000000}, "ledger_index": ledger})
	fc.send(t, ammInfo(t, uint64(am["id"].(float64)), 400_000_000_000, "1000000", 500))
	acc := fc.expect(t, "subscribe")
	if a, _ := acc["accounts"].([]any); len(a) != 1 || a[0] != ammAcct {
		t.Fatalf("want a subscription to the AMM account, got %v", acc)
	}
	fc.reply(t, acc, map[string]any{})
	fc.reply(t, sub, map[string]any{
		"ledger_index": ledger, "ledger_time": 817000000, "fee_base": 10, "reserve_base": 1000000, "reserve_inc": 200000,
		"bids": []any{fxAsk1.bookOffer(t)}, "asks": []any{fxBid1.bookOffer(t)},
	})
	bo := fc.expect(t, "book_offers")
	if bo["ledger_index"] != "validated" || bo["limit"] != float64(100) {
		t.Fatalf("first book_offers = %v, want ledger_index validated, limit 100", bo)
	}
	fc.send(t, bookPage(t, uint64(bo["id"].(float64)), ledger, "", fxAsk1, fxAsk2))
	bo = fc.expect(t, "book_offers")
	if bo["ledger_index"] != float64(ledger) {
		t.Fatalf("bids page = %v, want pinned to ledger %d", bo, ledger)
	}
	fc.send(t, bookPage(t, uint64(bo["id"].(float64)), ledger, "", fxBid1, fxBid2))
}

// ledgers pushes ledgerClosed for from..to.
func (fc *fakeConn) ledgers(t *testing.T, from, to uint32) {
	t.Helper()
	for n := from; n <= to; n++ {
		fc.send(t, ledgerMsg(t, n))
	}
}

// nextLedger waits for the client's next delivered ledger.
func nextLedger(t *testing.T, c *Client) Delivered {
	t.Helper()
	return waitNext(t, c.Next, c.Status)
}

// nextEvent waits for the feed's next event.
func nextEvent(t *testing.T, f *Feed) engine.MarketEvent {
	t.Helper()
	return waitNext(t, f.Next, f.Status)
}

// waitNext returns what next gives within waitLimit, or fails the test
// with the error and the status.
func waitNext[T, S any](t *testing.T, next func(context.Context) (T, error), status func() S) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	v, err := next(ctx)
	if err != nil {
		t.Fatalf("Next: %v (status %+v)", err, status())
	}
	return v
}

// waitStatus waits until cond holds for the client's status.
func waitStatus(t *testing.T, c *Client, what string, cond func(Status) bool) Status {
	t.Helper()
	deadline := time.After(waitLimit)
	for {
		ch := c.Changed()
		s := c.Status()
		if cond(s) {
			return s
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("status never reached %s: %+v", what, s)
		}
	}
}

func hasEvent(evs []Event, kind string) bool {
	for _, e := range evs {
		if e.Kind == kind {
			return true
		}
	}
	return false
}

func kinds(evs []Event) string {
	var k []string
	for _, e := range evs {
		k = append(k, fmt.Sprintf("%s(%s)", e.Kind, e.Message))
	}
	return strings.Join(k, ", ")
}

// fixedRand makes backoff deterministic: every draw is 0.3, so the
// delays (0.3 s, 0.6 s, 1.2 s, 2.4 s …) never equal the 1 s tick.
func fixedRand() float64 { return 0.3 }

// syncedClient starts a client on a new fake server and plays the
// documented start-up at ledger 100: it returns once the book is resynced.
func syncedClient(t *testing.T) (*fakeClock, *fakeServer, *Client, *fakeConn) {
	t.Helper()
	clk := newFakeClock()
	fs := newFakeServer(t)
	c := newTestClient(t, clk, nil, fs.url())
	fc := fs.accept(t)
	fc.handshake(t, 100)
	waitStatus(t, c, "resynced", func(s Status) bool { return s.Resyncs == 1 })
	return clk, fs, c, fc
}

func newTestClient(t *testing.T, clk *fakeClock, rec *Recorder, urls ...string) *Client {
	t.Helper()
	c, err := NewClient(Config{Endpoints: urls, Clock: clk, Rand: fixedRand, Recorder: rec, StaleAfter: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	c.Start(context.Background())
	t.Cleanup(func() { c.Close() })
	return c
}

// step is one line of a fake-server script.
type step struct {
	after   time.Duration        // first let this much fake time pass, tick by tick
	expect  string               // wait for a request with this command…
	reply   any                  // …and answer it with this result (id echoed)
	errCode string               // …or with this error code
	push    []byte               // send this message
	close   websocket.StatusCode // close with this code and reason
	reason  string
}

// play runs a script on a connection; tick is the client's housekeeping
// period (delays advance the fake clock one tick at a time so the client
// sees every second pass). After each push it waits until the client has
// received it, so that fake time never runs ahead of the socket.
func (fc *fakeConn) play(t *testing.T, c *Client, clk *fakeClock, tick time.Duration, script ...step) {
	t.Helper()
	for _, s := range script {
		for d := time.Duration(0); d < s.after; d += tick {
			clk.step(t, tick)
		}
		if s.expect != "" {
			req := fc.expect(t, s.expect)
			switch {
			case s.errCode != "":
				fc.replyError(t, req, s.errCode)
			case s.reply != nil:
				fc.reply(t, req, s.reply)
			}
		}
		if s.push != nil {
			n := c.Status().Messages
			fc.send(t, s.push)
			waitStatus(t, c, "message received", func(st Status) bool { return st.Messages > n })
		}
		if s.close != 0 {
			fc.close(s.close, s.reason)
		}
	}
}
