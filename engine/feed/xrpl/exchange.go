package xrpl

import "neo/engine"

// The engine's side of the feed: Feed implements engine.FeedHealth and
// engine.FeedEventSource, and Exchange is the engine.Matcher (with
// engine.QuotePricer) of the live fill rules. The engine cannot import
// this package (it imports the engine), so cmd/neo hands it these.

var (
	_ engine.FeedHealth      = (*Feed)(nil)
	_ engine.FeedEventSource = (*Feed)(nil)
	_ engine.Matcher         = (*Exchange)(nil)
	_ engine.QuotePricer     = (*Exchange)(nil)
)

// FeedStatus is Status in the engine's terms, for State.FeedStatus.
func (f *Feed) FeedStatus() engine.FeedStatus {
	s := f.Status()
	return engine.FeedStatus{
		Endpoint: s.Endpoint, State: s.State.String(),
		LedgerIndex: s.LedgerIndex, LastLedgerAt: s.LastLedgerAt,
		RTT: s.RTT, Messages: s.Messages, Reconnects: s.Reconnects,
		RateLimits: s.RateLimits, Resyncs: s.Resyncs,
		LastError: sanitize(s.LastError), HasAMM: s.HasAMM,
	}
}

// TakeFeedEvents is TakeEvents in the engine's terms: the connection
// events the engine records as session events.
func (f *Feed) TakeFeedEvents() []engine.FeedEvent {
	evs := f.TakeEvents()
	if len(evs) == 0 {
		return nil
	}
	out := make([]engine.FeedEvent, len(evs))
	for i, e := range evs {
		out[i] = engine.FeedEvent{Level: e.Level, Kind: e.Kind, Message: sanitize(e.Message)}
	}
	return out
}

// Exchange applies the live fill rules (Matcher, fill.go) to the engine's
// paper orders: give it to engine.Options.Matcher for the xrpl and
// xrpl-replay feeds. Match sees every event of the feed, in order: an
// order first seen at the event of ledger N was placed after ledger N-1
// and is live from ledger N.
type Exchange struct {
	m      *Matcher
	placed map[string]uint32 // the ledger each open order was placed after
}

// NewExchange returns the live paper exchange's rules, with no order seen.
func NewExchange() *Exchange {
	return &Exchange{m: NewMatcher(), placed: make(map[string]uint32)}
}

// Match returns the fills of the open orders (QtyXRP = what is left of
// each) at this event: several for one order when it fills in parts; none
// if the event is not from this feed or the feed was not LIVE.
func (x *Exchange) Match(ev engine.MarketEvent, open []engine.Order) []engine.MatchFill {
	r, ok := ev.Detail.(*LedgerResult)
	if !ok || ev.Ledger == nil {
		return nil
	}
	n := r.Ledger.LedgerIndex
	quotes := make([]PaperQuote, 0, len(open))
	price := make(map[string]float64, len(open))
	for _, o := range open {
		pl, ok := x.placed[o.OrderID]
		if !ok {
			pl = n - 1
			x.placed[o.OrderID] = pl
		}
		price[o.OrderID] = o.Price
		side := Bid
		if o.Side == engine.Sell {
			side = Ask
		}
		quotes = append(quotes, PaperQuote{ID: o.OrderID, Side: side, Price: o.Price, QtyXRP: o.QtyXRP, PlacedLedger: pl})
	}
	for id := range x.placed {
		if _, still := price[id]; !still {
			delete(x.placed, id)
		}
	}
	var out []engine.MatchFill
	for _, f := range x.m.Ledger(r, quotes, ev.Ledger.Live()) {
		p := f.Price
		if !f.Taker {
			// A maker fill is at our price: the order's, as placed (it
			// was already ticked by QuotePrice; the rules' exact quality
			// can differ from it in the last bit of a float).
			p = price[f.QuoteID]
		}
		out = append(out, engine.MatchFill{OrderID: f.QuoteID, Price: p, QtyXRP: f.QtyXRP})
	}
	return out
}

// QuotePrice is the price a quote rests at on the ledger: its quality
// rounded up to the issuer's TickSize (TickPrice): an ask at or above the
// price asked, a bid at or below. Events without ledger
// facts leave the price as it is.
func (x *Exchange) QuotePrice(ev engine.MarketEvent, side engine.Side, price float64) float64 {
	if ev.Ledger == nil {
		return price
	}
	s := Bid
	if side == engine.Sell {
		s = Ask
	}
	if p := TickPrice(s, price, ev.Ledger.TickSize); p > 0 {
		return p
	}
	return price
}

// ConfigFrom is the client configuration of the [xrpl] config table.
// Dialer, Clock, Rand, Seed and Recorder are left to the caller.
func ConfigFrom(x engine.XRPLConfig) Config {
	return Config{
		Endpoints:      append([]string(nil), x.Endpoints...),
		Pair:           Pair{Currency: x.Currency, Issuer: x.Issuer},
		RequestTimeout: x.RequestTimeout.Duration,
		PingAfter:      x.PingAfter.Duration,
		LiveWithin:     x.LiveWithin.Duration,
		StaleAfter:     x.StaleAfter.Duration,
		DialTimeout:    x.DialTimeout.Duration,
		BackoffMin:     x.BackoffMin.Duration,
		BackoffMax:     x.BackoffMax.Duration,
		HealthyReset:   x.HealthyReset.Duration,
		Cooldown:       x.Cooldown.Duration,
		ResyncEvery:    x.ResyncEvery.Duration,
	}
}
