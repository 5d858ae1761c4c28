package engine

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/log"
)

// chanFeed is a live feed for engine tests: Next blocks until the test
// sends an event; its health and connection events are set by the test.
type chanFeed struct {
	ch     chan MarketEvent
	mu     sync.Mutex
	status FeedStatus
	events []FeedEvent
}

func newChanFeed() *chanFeed {
	return &chanFeed{ch: make(chan MarketEvent, 16), status: FeedStatus{State: "LIVE", Endpoint: "ws://127.0.0.1:1"}}
}

func (f *chanFeed) Name() string { return "xrpl:test" }
func (f *chanFeed) Next(ctx context.Context) (MarketEvent, error) {
	select {
	case ev, ok := <-f.ch:
		if !ok {
			return MarketEvent{}, io.EOF
		}
		return ev, nil
	case <-ctx.Done():
		return MarketEvent{}, ctx.Err()
	}
}
func (f *chanFeed) FeedStatus() FeedStatus {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.status
}
func (f *chanFeed) TakeFeedEvents() []FeedEvent {
	f.mu.Lock()
	defer f.mu.Unlock()
	ev := f.events
	f.events = nil
	return ev
}
func (f *chanFeed) set(state string, reconnects int, evs ...FeedEvent) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status.State, f.status.Reconnects = state, reconnects
	f.events = append(f.events, evs...)
}

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// ledgerEvent is the event of ledger n in feed state st.
func ledgerEvent(n uint32, st string, interruptions uint64) MarketEvent {
	at := t0.Add(time.Duration(n) * 4 * time.Second)
	return MarketEvent{Time: at, Bid: 2.299, Ask: 2.301, Anchor: 2.3,
		Book:   &BookView{Bids: []BookLevel{{Price: 2.299, QtyXRP: 500, Offers: 1}}, Asks: []BookLevel{{Price: 2.301, QtyXRP: 500, Offers: 1}}},
		Ledger: &LedgerInfo{Index: n, CloseTime: at, BaseFeeDrops: 10, LoadFactor: 1, ReserveBaseDrops: 1_000_000, ReserveIncDrops: 200_000, State: st, Interruptions: interruptions}}
}

func startLive(t *testing.T, f Feed, st *memStore, cfg Config, m Matcher, live bool) *Engine {
	t.Helper()
	e := mustStartWith(t, Options{Config: cfg, Feed: f, Store: st, Logger: slog.New(log.New(&syncBuffer{})), Matcher: m, LiveFeed: live, Speed: 1000})
	t.Cleanup(func() { e.RequestClose(HaltOperatorQuit); <-e.Done() })
	return e
}

// TestLiveFeedPullsQuotesWhileNotLive: the health check pulls the quotes
// (cancelled and recorded) as soon as the feed leaves LIVE, none is placed
// meanwhile, and they return with the next LIVE ledger. The feed's
// connection events become session events.
func TestLiveFeedPullsQuotesWhileNotLive(t *testing.T) {
	f := newChanFeed()
	st := newMemStore()
	f.ch <- ledgerEvent(1, "LIVE", 0)
	e := startLive(t, f, st, testConfig(), nil, true)
	waitFor(t, e, func(s *State) bool { return len(s.Quotes) == 2 && s.FeedStatus != nil && s.Book != nil })
	if s := e.State(); s.FeedStatus.Endpoint != "ws://127.0.0.1:1" || s.Ledger.Index != 1 || len(s.Book.Bids) != 1 {
		t.Fatalf("state feed %+v ledger %+v book %+v", s.FeedStatus, s.Ledger, s.Book)
	}

	f.set("RECONNECTING", 1, FeedEvent{Level: "warn", Kind: "disconnect", Message: "server closed"})
	waitFor(t, e, func(s *State) bool { return len(s.Quotes) == 0 && s.FeedStatus.State == "RECONNECTING" })
	if n := st.openOrders(); n != 0 {
		t.Fatalf("%d orders open in the store while the feed reconnects", n)
	}
	// A ledger delivered while still resyncing places nothing.
	f.set("DEGRADED", 1)
	f.ch <- ledgerEvent(2, "DEGRADED", 1)
	waitFor(t, e, func(s *State) bool { return s.Ledger != nil && s.Ledger.Index == 2 })
	if q := e.State().Quotes; len(q) != 0 {
		t.Fatalf("%d quotes placed on a DEGRADED ledger", len(q))
	}
	f.set("LIVE", 1, FeedEvent{Level: "info", Kind: "connect", Message: "connected"})
	f.ch <- ledgerEvent(3, "LIVE", 1)
	waitFor(t, e, func(s *State) bool { return len(s.Quotes) == 2 && s.Ledger.Index == 3 })
	e.RequestClose(HaltOperatorQuit)
	<-e.Done()
	kinds := st.eventKinds()
	if kinds["feed_disconnect"] != 1 || kinds["feed_connect"] != 1 || kinds["feed_quoting"] < 2 {
		t.Fatalf("session events %v: want feed_disconnect, feed_connect and feed_quoting (pulled, resumed)", kinds)
	}
}

// TestInterruptionPullsQuotesAtTheNextEvent: without the health check (a
// replay), a ledger that says the feed left LIVE since the last one pulls
// the quotes before its fills, so a replay ends where the live session
// did.
func TestInterruptionPullsQuotesAtTheNextEvent(t *testing.T) {
	f := newChanFeed()
	st := newMemStore()
	f.ch <- ledgerEvent(1, "LIVE", 0)
	f.ch <- ledgerEvent(2, "LIVE", 1) // the feed was not LIVE in between
	f.ch <- ledgerEvent(3, "LIVE", 1)
	close(f.ch)
	e := startLive(t, f, st, testConfig(), fillAll{}, false)
	if r := waitDone(t, e); r.Reason != HaltFeedEnded {
		t.Fatalf("reason %q, want feed_ended", r.Reason)
	}
	filled := map[string]bool{}
	for _, fl := range st.fills {
		filled[fl.OrderID] = true
	}
	first := "o1" // order ids are unique within their session
	if o := st.orders[first]; o.Status != OrderCancelled || filled[first] {
		t.Fatalf("first order %+v filled=%v: want it pulled (cancelled) before ledger 2's fills", o, filled[first])
	}
	if len(st.fills) != 2 {
		t.Fatalf("%d fills, want the two quotes placed at ledger 2 filled at ledger 3", len(st.fills))
	}
}

// fillAll fills every open order in full at its price.
type fillAll struct{}

func (fillAll) Match(ev MarketEvent, open []Order) []MatchFill {
	var out []MatchFill
	for _, o := range open {
		out = append(out, MatchFill{OrderID: o.OrderID, Price: o.Price, QtyXRP: o.QtyXRP})
	}
	return out
}

// tickPricer moves every quote to a fixed price.
type tickPricer struct{ fillAll }

func (tickPricer) QuotePrice(ev MarketEvent, side Side, price float64) float64 {
	if side == Buy {
		return 2.25
	}
	return 2.35
}

// TestQuotesTakeTheMarketsPrice: a Matcher that is a QuotePricer sets the
// price the quotes rest at (the XRPL tick size).
func TestQuotesTakeTheMarketsPrice(t *testing.T) {
	f := newChanFeed()
	st := newMemStore()
	f.ch <- ledgerEvent(1, "LIVE", 0)
	close(f.ch)
	e := startLive(t, f, st, testConfig(), tickPricer{}, false)
	waitDone(t, e)
	if len(st.orders) != 2 {
		t.Fatalf("%d orders, want 2", len(st.orders))
	}
	for _, q := range st.orders {
		if (q.Side == Buy && q.Price != 2.25) || (q.Side == Sell && q.Price != 2.35) {
			t.Fatalf("quote %+v: want the pricer's price", q)
		}
	}
}

// TestLiveFeedSilentHaltsStale: a live feed whose Next blocks halts the
// session as stale_feed after stale_feed_after of wall time, although the
// health check wakes the loop every second meanwhile.
func TestLiveFeedSilentHaltsStale(t *testing.T) {
	f := newChanFeed()
	st := newMemStore()
	cfg := testConfig()
	cfg.Risk.StaleFeedAfter = D(2500 * time.Millisecond)
	f.ch <- ledgerEvent(1, "LIVE", 0)
	e := mustStartWith(t, Options{Config: cfg, Feed: f, Store: st, Logger: slog.New(log.New(&syncBuffer{})), LiveFeed: true})
	r := waitDone(t, e)
	if r.Reason != HaltStaleFeed {
		t.Fatalf("reason %q, want stale_feed", r.Reason)
	}
	h := &harness{e: e, store: st}
	checkClosed(t, h, HaltStaleFeed)
	var found bool
	for _, ev := range st.events {
		found = found || (ev.Kind == "stale_feed" && strings.Contains(ev.Message, "2.5s"))
	}
	if !found {
		t.Fatalf("no stale_feed event naming the limit")
	}
}
