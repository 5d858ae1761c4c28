package xrpl

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"neo/engine"
)

// liveSession runs a live feed against the fake server through a
// reconnect, recording to path, and returns its events.
func liveSession(t *testing.T, path string) []engine.MarketEvent {
	t.Helper()
	clk := newFakeClock()
	fs := newFakeServer(t)
	f, err := OpenLive("xrpl:"+fs.url(), Config{Clock: clk, Rand: fixedRand}, path)
	if err != nil {
		t.Fatal(err)
	}
	var evs []engine.MarketEvent
	next := func() {
		t.Helper()
		evs = append(evs, nextEvent(t, f))
	}
	fc := fs.accept(t)
	fc.handshake(t, 100)
	waitStatus(t, f.client, "synced", func(s Status) bool { return s.Resyncs == 1 })
	fc.ledgers(t, 101, 101)
	fc.send(t, txMsg(t, 101, "T1", "Payment", consumedNode(t, fxAsk2, 20_000_000)))
	fc.ledgers(t, 102, 102)
	fc.send(t, txMsg(t, 102, "T2", "Payment", ammNodes(400_000_000_000, 400_100_000_000, "1000000", "999751")...))
	fc.send(t, txMsg(t, 102, "T3", "OfferCreate", created(t, offerSpec{id: "B7", side: Bid, drops: 9_000_000, price: "2.4993"})))
	fc.ledgers(t, 103, 103)
	next()
	next()
	fc.close(websocket.StatusGoingAway, "restart")
	clk.step(t, 300*time.Millisecond)
	fc = fs.accept(t)
	fc.handshake(t, 105)
	waitStatus(t, f.client, "resynced", func(s Status) bool { return s.Resyncs == 2 })
	fc.ledgers(t, 106, 106)
	fc.send(t, txMsg(t, 106, "T4", "OfferCreate", consumedNode(t, fxBid1, 0)))
	fc.ledgers(t, 107, 107)
	next()
	if err := f.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return evs
}

func replayAll(t *testing.T, path string) ([]engine.MarketEvent, error) {
	t.Helper()
	f, err := OpenReplayFeed(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var evs []engine.MarketEvent
	for {
		ev, err := f.Next(context.Background())
		if errors.Is(err, io.EOF) {
			return evs, nil
		}
		if err != nil {
			return evs, err
		}
		evs = append(evs, ev)
	}
}

// TestRecordReplay: a recorded live session (with a reconnect, AMM swaps
// and offer executions) replays to the same events and the same fills.
func TestRecordReplay(t *testing.T) {
	for _, name := range []string{"session.ndjson", "session.ndjson.gz"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), name)
			live := liveSession(t, path)
			if len(live) != 3 {
				t.Fatalf("live events = %d, want 3", len(live))
			}
			replayed, err := replayAll(t, path)
			if err != nil {
				t.Fatal(err)
			}
			if len(replayed) != len(live) {
				t.Fatalf("replay gave %d events, live %d", len(replayed), len(live))
			}
			for i := range live {
				if !reflect.DeepEqual(live[i], replayed[i]) {
					t.Fatalf("event %d differs:\nlive   %+v\nreplay %+v", i, live[i], replayed[i])
				}
			}
			for i, ev := range live {
				if ev.Anchor <= 0 || ev.Ledger == nil || !ev.Ledger.Live() || ev.Book == nil {
					t.Fatalf("event %d: anchor %v ledger %+v", i, ev.Anchor, ev.Ledger)
				}
			}
			if got := live[1].Anchor; got < 2.4987 || got > 2.4988 {
				t.Fatalf("anchor after the swap = %v, want 999751/400100", got)
			}
			// The same orders meet the same fills.
			orders := []engine.Order{{OrderID: "o1", Side: engine.Buy, Price: 2.4995, QtyXRP: 50}, {OrderID: "o2", Side: engine.Sell, Price: 2.4996, QtyXRP: 50}}
			a, b := NewExchange(), NewExchange()
			var fa, fb []engine.MatchFill
			for i := range live {
				fa = append(fa, a.Match(live[i], orders)...)
				fb = append(fb, b.Match(replayed[i], orders)...)
			}
			if !reflect.DeepEqual(fa, fb) || len(fa) == 0 {
				t.Fatalf("fills differ or none:\nlive   %+v\nreplay %+v", fa, fb)
			}
		})
	}
}

// TestReplayDetectsDivergence: a recording whose ledger lines do not match
// what the messages compute is refused with the line number.
func TestReplayDetectsDivergence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.ndjson")
	liveSession(t, path)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(raw), `"ev":"ledger","ledger":102`, `"ev":"ledger","ledger":999`, 1)
	if bad == string(raw) {
		t.Fatal("fixture: no ledger 102 line")
	}
	if err := os.WriteFile(path, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = replayAll(t, path)
	if err == nil || !strings.Contains(err.Error(), "diverge") || !strings.Contains(err.Error(), "s.ndjson:") {
		t.Fatalf("err = %v, want a divergence naming the line", err)
	}
}

func TestReplayRefusesOtherFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "prices.csv")
	os.WriteFile(path, []byte("time,open,high,low,close,volume\n"), 0o644)
	if _, err := OpenReplay(path); err == nil || !strings.Contains(err.Error(), "not an xrpl recording") {
		t.Fatalf("err = %v", err)
	}
	if IsRecording(path) {
		t.Fatal("a CSV file taken for a recording")
	}
}

func TestLiveFeedNameNamesEndpoints(t *testing.T) {
	f, err := OpenLive("xrpl", Config{Clock: newFakeClock(), Dialer: refuseDialer{}}, "")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, want := f.Name(), "xrpl:wss://xrplcluster.com,wss://s1.ripple.com,wss://s2.ripple.com"; got != want {
		t.Fatalf("Name = %q, want %q", got, want)
	}
}

// refuseDialer never connects (no network in tests).
type refuseDialer struct{}

func (refuseDialer) Dial(context.Context, string) (Conn, error) {
	return nil, errors.New("no network in tests")
}
