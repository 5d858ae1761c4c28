package xrpl

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"neo/engine/feed/xrpl/xrpltest"
)

// TestServerOutOfStepIsLeft: a server_info answer that shows the server
// does not follow the network ends the session, and the endpoint rests
// 30 s before the client dials it again.
func TestServerOutOfStepIsLeft(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer func(t *testing.T, fc *fakeConn, si map[string]any)
		want   string
	}{{
		name: "server_state connected",
		answer: func(t *testing.T, fc *fakeConn, si map[string]any) {
			fc.reply(t, si, map[string]any{"info": map[string]any{"server_state": "connected"}})
		},
		want: `server state "connected": not following the network`,
	}, {
		name: "tracking without a validated ledger",
		answer: func(t *testing.T, fc *fakeConn, si map[string]any) {
			fc.reply(t, si, map[string]any{"info": map[string]any{"server_state": "tracking"}})
		},
		want: `server state "tracking": not following the network`,
	}, {
		name: "validated ledger older than StaleAfter",
		answer: func(t *testing.T, fc *fakeConn, si map[string]any) {
			fc.reply(t, si, map[string]any{"info": map[string]any{"server_state": "full", "validated_ledger": map[string]any{"age": 120, "seq": 100}}})
		},
		want: "validated ledger is 2m0s old",
	}, {
		name: "noNetwork",
		answer: func(t *testing.T, fc *fakeConn, si map[string]any) {
			fc.replyError(t, si, "noNetwork")
		},
		want: "server out of step",
	}, {
		name: "subscribe refused",
		answer: func(t *testing.T, fc *fakeConn, si map[string]any) {
			fc.reply(t, si, map[string]any{"info": map[string]any{"server_state": "full", "validated_ledger": map[string]any{"age": 1, "seq": 100}}})
			fc.expect(t, "account_info")
			fc.expect(t, "amm_info")
			fc.replyError(t, fc.expect(t, "subscribe"), "invalid_API_version")
		},
		want: "subscription refused: subscribe failed: invalid_API_version",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			clk := newFakeClock()
			fs := newFakeServer(t)
			c := newTestClient(t, clk, nil, fs.url())
			fc := fs.accept(t)
			tc.answer(t, fc, fc.expect(t, "server_info"))
			waitStatus(t, c, "disconnected", func(s Status) bool {
				return s.Reconnects == 1 && strings.Contains(s.LastError, tc.want)
			})
			clk.waitTimer(t, 300*time.Millisecond) // backoff
			clk.Advance(300 * time.Millisecond)
			waitStatus(t, c, "resting", func(s Status) bool {
				return strings.Contains(s.LastError, "every endpoint is cooling down; waiting 30s")
			})
			clk.waitTimer(t, 30*time.Second-300*time.Millisecond)
			clk.Advance(30*time.Second - 300*time.Millisecond)
			fs.accept(t).expect(t, "server_info")
		})
	}
}

// TestPeriodicRefreshAndLoadWarning: a minute into a synced session the
// client asks server_info, account_info and amm_info again and resyncs the
// book; a "warning":"load" answer is logged and the next refresh is
// skipped, the one after goes ahead.
func TestPeriodicRefreshAndLoadWarning(t *testing.T) {
	clk := newFakeClock()
	fs := newFakeServer(t)
	var buf bytes.Buffer
	rec := NewRecorder(&buf, DefaultPair, clk.Now())
	c := newTestClient(t, clk, rec, fs.url())
	fc := fs.accept(t)
	fc.handshake(t, 100)
	waitStatus(t, c, "synced", func(s Status) bool { return s.Resyncs == 1 })
	n := uint32(101)
	ledgersFor := func(d time.Duration) []step {
		var script []step
		for ; d > 0; d -= 4 * time.Second {
			script = append(script, step{after: 4 * time.Second, push: ledgerMsg(t, n)})
			n++
		}
		return script
	}
	fc.play(t, c, clk, time.Second, ledgersFor(60*time.Second)...)
	si := fc.expect(t, "server_info")
	warned := bytes.Replace(xrpltest.Response(xrpltest.ID(si), map[string]any{"info": map[string]any{"server_state": "full"}}), []byte(`{`), []byte(`{"warning":"load",`), 1)
	fc.send(t, warned)
	fc.expect(t, "account_info")
	fc.expect(t, "amm_info")
	if bo := fc.expect(t, "book_offers"); bo["ledger_index"] != "validated" {
		t.Fatalf("refresh resync = %v", bo)
	}
	waitStatus(t, c, "load warning", func(s Status) bool { return strings.Contains(s.LastError, `"warning":"load"`) })
	fc.play(t, c, clk, time.Second, ledgersFor(124*time.Second)...)
	fc.expect(t, "server_info")
	c.Close()

	var at []string
	start := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	sc := bufio.NewScanner(&buf)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l struct {
			At  time.Time `json:"at"`
			Ev  string    `json:"ev"`
			Msg struct {
				Command string `json:"command"`
			} `json:"msg"`
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		if l.Ev == "send" && l.Msg.Command == "server_info" {
			at = append(at, l.At.Sub(start).String())
		}
	}
	if got, want := strings.Join(at, " "), "0s 1m0s 3m0s"; got != want {
		t.Fatalf("server_info sent at %s, want %s (the refresh at 2m0s skipped for the load warning)", got, want)
	}
}

// TestTrackingServerIsUsed: server_state "tracking" is "in agreement with
// the network" (xrpl.org, xrpld-server-states): with a recent validated
// ledger the session goes on and the feed goes LIVE.
func TestTrackingServerIsUsed(t *testing.T) {
	clk := newFakeClock()
	fs := newFakeServer(t)
	c := newTestClient(t, clk, nil, fs.url())
	fc := fs.accept(t)
	fc.handshakeAs(t, 100, map[string]any{"server_state": "tracking", "load_factor": 1, "validated_ledger": map[string]any{"age": 3, "seq": 100}})
	waitStatus(t, c, "resynced", func(s Status) bool { return s.Resyncs == 1 })
	fc.ledgers(t, 101, 102)
	if d := nextLedger(t, c); d.Result.Ledger.LedgerIndex != 101 || d.State != StateLive {
		t.Fatalf("delivered ledger %d in %s", d.Result.Ledger.LedgerIndex, d.State)
	}
	if s := c.Status(); s.Reconnects != 0 {
		t.Fatalf("left a tracking server: %+v", s)
	}
}

// TestSubscribeUnansweredRotates: a subscribe that gets no answer within
// the request timeout ends the session; the client goes to the next
// endpoint and rests this one.
func TestSubscribeUnansweredRotates(t *testing.T) {
	clk := newFakeClock()
	a, b := newFakeServer(t), newFakeServer(t)
	c := newTestClient(t, clk, nil, a.url(), b.url())
	fa := a.accept(t)
	si := fa.expect(t, "server_info")
	fa.reply(t, si, map[string]any{"info": map[string]any{"server_state": "full", "validated_ledger": map[string]any{"age": 1, "seq": 100}}})
	for _, cmd := range []string{"account_info", "amm_info", "subscribe"} {
		fa.expect(t, cmd)
	}
	for range 10 {
		clk.step(t, time.Second)
	}
	s := waitStatus(t, c, "left", func(s Status) bool { return s.Reconnects == 1 })
	if !strings.Contains(s.LastError, "subscribe got no answer") {
		t.Fatalf("last error %q", s.LastError)
	}
	clk.step(t, 300*time.Millisecond) // backoff
	b.accept(t).expect(t, "server_info")
	if !hasEvent(c.TakeEvents(), "rotate") {
		t.Fatal("no rotate event")
	}
}
