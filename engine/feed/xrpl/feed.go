package xrpl

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"neo/engine"
)

// Feed is the engine.Feed of the live XRP Ledger (or of a recording of it):
// one MarketEvent per completed validated ledger.
//
//   - Time is the ledger's close time (market time; never the wall clock).
//   - Bid and Ask are the best funded levels of the real book after the
//     ledger. A side that is empty keeps its last price (an empty side has
//     never been seen on XRP/RLUSD; the first event waits for both).
//   - Anchor is the AMM pool price; 0 when the pair has no AMM (the engine
//     then quotes around the mid and its anchor guards have nothing to
//     check).
//   - Trades are the ledger's real executions: offers consumed and AMM
//     swaps, with the taker's side.
//   - Book (top BookDepth levels), Ledger (fees, reserves, issuer settings,
//     feed state) and Detail (*LedgerResult, for the paper fill rules) are
//     set on every event.
type Feed struct {
	name string
	src  interface {
		Next(context.Context) (Delivered, error)
	}
	client *Client
	replay *Replayer
	rec    *Recorder
	cancel context.CancelFunc

	lastBid, lastAsk float64
	end              uint32 // replay: the last ledger the recording session applied (0: all)
	stopped          bool

	// A replay's status as of the last ledger Next returned: Next runs on
	// the engine's feed reader, Status on the session goroutine.
	mu           sync.Mutex
	replayStatus Status
}

var (
	_ engine.Feed        = (*Feed)(nil)
	_ engine.FeedStopper = (*Feed)(nil)
)

// BookDepth is how many levels per side an event carries.
const BookDepth = 10

// OpenLive starts a live feed. spec is the --feed value ("xrpl" or
// "xrpl:URL,URL…"); recordPath, if not empty, receives the recording.
func OpenLive(spec string, cfg Config, recordPath string) (*Feed, error) {
	eps, err := ParseSpec(spec)
	if err != nil {
		return nil, err
	}
	if len(eps) > 0 {
		cfg.Endpoints = eps
	}
	cfg.defaults()
	// The name stored in sessions.feed names the endpoints, so that "xrpl"
	// is recorded as the servers it meant that day.
	f := &Feed{name: "xrpl:" + strings.Join(cfg.Endpoints, ",")}
	if recordPath != "" {
		rec, err := CreateRecording(recordPath, cfg.Pair, cfg.Clock.Now())
		if err != nil {
			return nil, err
		}
		cfg.Recorder = rec
		f.rec = rec
	}
	c, err := NewClient(cfg)
	if err != nil {
		f.rec.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	c.Start(ctx)
	f.client, f.src, f.cancel = c, c, cancel
	return f, nil
}

// ParseSpec reads "xrpl" (default endpoints: nil) or "xrpl:URL[,URL…]".
func ParseSpec(spec string) ([]string, error) {
	if spec == "xrpl" {
		return nil, nil
	}
	rest, ok := strings.CutPrefix(spec, "xrpl:")
	if !ok || rest == "" {
		return nil, fmt.Errorf("feed %q: use --feed xrpl or --feed xrpl:wss://host[,wss://host…]", sanitize(spec))
	}
	var eps []string
	for _, u := range strings.Split(rest, ",") {
		u = strings.TrimSpace(u)
		if err := ValidateEndpoint(u); err != nil {
			return nil, err
		}
		eps = append(eps, u)
	}
	return eps, nil
}

// OpenReplayFeed opens a recording as a feed ("xrpl-replay:FILE").
func OpenReplayFeed(path string) (*Feed, error) {
	end, err := endLedger(path)
	if err != nil {
		return nil, err
	}
	r, err := OpenReplay(path)
	if err != nil {
		return nil, err
	}
	return &Feed{name: "xrpl-replay:" + path, src: r, replay: r, end: end}, nil
}

// Name is the feed as stored in sessions.feed: "xrpl:URL,…" with the
// endpoints in use, or "xrpl-replay:FILE".
func (f *Feed) Name() string { return f.name }

// Next returns the event of the next completed ledger.
func (f *Feed) Next(ctx context.Context) (engine.MarketEvent, error) {
	for {
		d, err := f.src.Next(ctx)
		if err != nil {
			return engine.MarketEvent{}, err
		}
		if f.end != 0 && d.Result.Ledger.LedgerIndex > f.end {
			return engine.MarketEvent{}, io.EOF // the recording session stopped before this ledger
		}
		if f.replay != nil {
			f.mu.Lock()
			f.replayStatus = Status{State: d.State, Endpoint: sanitize(d.Endpoint), LedgerIndex: d.Result.Ledger.LedgerIndex,
				LedgerClose: d.Result.CloseTime(), HasAMM: d.Result.HasAMM, Interruptions: d.Interruptions}
			f.mu.Unlock()
		}
		ev, ok := f.event(d)
		if ok {
			return ev, nil
		}
	}
}

func (f *Feed) event(d Delivered) (engine.MarketEvent, bool) {
	r := &d.Result
	book := BookView(r.After.At(r.Ledger.LedgerTime), BookDepth) // expired offers are not liquidity
	if len(book.Bids) > 0 {
		f.lastBid = book.Bids[0].Price
	}
	if len(book.Asks) > 0 {
		f.lastAsk = book.Asks[0].Price
	}
	if f.lastBid <= 0 || f.lastAsk <= 0 {
		return engine.MarketEvent{}, false // no two-sided book yet
	}
	ev := engine.MarketEvent{
		Time: r.CloseTime(), Bid: f.lastBid, Ask: f.lastAsk,
		Book: &book,
		Ledger: &engine.LedgerInfo{
			Index: r.Ledger.LedgerIndex, CloseTime: r.CloseTime(),
			BaseFeeDrops: r.Ledger.FeeBase, LoadFactor: r.LoadFactor,
			ReserveBaseDrops: r.Ledger.ReserveBase, ReserveIncDrops: r.Ledger.ReserveInc,
			TransferRate: r.Issuer.TransferRate, TickSize: r.Issuer.TickSize,
			AMMTradingFee: r.AMM.TradingFee, State: d.State.String(), Endpoint: sanitize(d.Endpoint),
			Interruptions: d.Interruptions,
		},
		Detail: r,
	}
	if r.HasAMM && r.AMM.Present() {
		ev.Anchor = ratFloat(r.AMM.Price())
	}
	for _, ex := range r.Executions {
		side := engine.Sell
		if ex.Side == Bid {
			side = engine.Buy
		}
		ev.Trades = append(ev.Trades, engine.Trade{Side: side, Price: ratFloat(ex.Price), QtyXRP: float64(ex.XRPDrops) / DropsPerXRP})
	}
	return ev, true
}

// BookView converts the top n funded levels of a book state.
func BookView(s BookState, n int) engine.BookView {
	conv := func(side Side) []engine.BookLevel {
		var out []engine.BookLevel
		for _, l := range s.Levels(side, n) {
			out = append(out, engine.BookLevel{Price: ratFloat(l.Price), QtyXRP: float64(l.FundedDrops) / DropsPerXRP, Offers: l.Offers})
		}
		return out
	}
	return engine.BookView{Bids: conv(Bid), Asks: conv(Ask)}
}

// Status is the feed's health for a console. A replay reports the state
// recorded with the last ledger Next returned.
func (f *Feed) Status() Status {
	if f.client != nil {
		return f.client.Status()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.replayStatus
}

// Changed is closed at the next status change (live feeds; a replay never
// changes on its own and returns nil).
func (f *Feed) Changed() <-chan struct{} {
	if f.client != nil {
		return f.client.Changed()
	}
	return nil
}

// TakeEvents returns the connection events (connects, reconnects, resyncs,
// rate limits, rotations, state changes) since the last call: the lead
// writes them as session_events.
func (f *Feed) TakeEvents() []Event {
	if f.client != nil {
		return f.client.TakeEvents()
	}
	return nil
}

// StopAt marks the end of the recording: the session applied ledgers up
// to last's and reads no more (engine.FeedStopper). A replay of the
// recording ends there.
func (f *Feed) StopAt(last engine.MarketEvent) {
	if f.rec == nil || f.stopped || last.Ledger == nil {
		return
	}
	f.stopped = true
	f.rec.write(recLine{At: time.Now(), Ev: "end", Ledger: last.Ledger.Index}, true)
}

// Close stops the client (or closes the recording being replayed) and
// flushes the recording; it returns the first error.
func (f *Feed) Close() error {
	var err error
	if f.client != nil {
		f.cancel()
		err = f.client.Close()
	}
	if f.replay != nil {
		if e := f.replay.Close(); err == nil {
			err = e
		}
	}
	if e := f.rec.Close(); err == nil {
		err = e
	}
	return err
}
