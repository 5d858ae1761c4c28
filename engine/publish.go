package engine

// Publishing: the console reads the engine only through State and Changed.
// The session goroutine builds a new immutable *State (publish) at most once
// per refresh_rate, or at once for a change of status or a shutdown step,
// and swaps it in; it never waits for a reader.

import (
	"sync"
	"time"
)

// publishing is what only the console's State is built from (the screen's
// history and counters) and the publish cadence the loop keeps.
type publishing struct {
	pub          *publisher
	status       Status
	lastPublish  time.Time
	dirty        bool      // something changed since the last publish
	lastTickWall time.Time // wall time the last market event arrived
	lastHistAt   time.Time // market time of the last chart sample
	hist         *ring
	fillCount    int
	volume       float64
	recentFills  []Fill // newest first
	events       []SessionEvent
	pubErr       string
}

// State returns the latest published state.
func (e *Engine) State() *State { return e.pub.load() }

// Changed returns a channel closed at the next publish.
func (e *Engine) Changed() <-chan struct{} { return e.pub.notify() }

// publish builds and publishes a new State, at most once per refresh_rate
// unless forced.
func (e *Engine) publish(force bool) {
	now := e.now()
	if !force && now.Sub(e.lastPublish) < e.cfg.Console.RefreshRate.Duration {
		e.dirty = true
		return
	}
	e.lastPublish = now
	e.dirty = false
	m := e.lastMarket() // the first event until the loop applies one
	mid := m.Mid()
	s := &State{
		SessionID:     e.sessionID,
		Mode:          ModePaper,
		Feed:          e.feed.Name(),
		Status:        e.status, // setPaused keeps it Paused while paused
		StartedAt:     e.startedAt,
		Config:        e.cfg,
		MarketTime:    m.Time,
		LastTickWall:  e.lastTickWall,
		Bid:           m.Bid,
		Ask:           m.Ask,
		Mid:           mid,
		Anchor:        anchorOf(m),
		Centre:        Centre(mid, m.Anchor, e.cfg.Strategy.AnchorMaxDivergenceBps),
		DivergenceBps: DivergenceBps(mid, m.Anchor),
		Bar:           m.Bar, // never changed after the feed made it: shared
		StartingXRP:   e.startXRP,
		StartingRLUSD: e.startRLUSD,
		StartingValue: e.startValue,
		Inventory:     e.inventorySnapshot(mid, m.Time),
		Valuation:     e.valuationSnapshot(m),
		FillCount:     e.fillCount,
		VolumeRLUSD:   e.volume,
		History:       e.hist.values(),
		Quotes:        e.paper.Open(),
		RecentFills:   append([]Fill(nil), e.recentFills...),
		Events:        append([]SessionEvent(nil), e.events...),
		ShutdownSteps: append([]ShutdownStep(nil), e.steps...),
		Err:           e.pubErr,
	}
	if e.status == StatusShuttingDown || e.status == StatusEnded {
		s.HaltReason = e.haltReason()
	}
	s.QuoteRemainingXRP = make(map[string]float64, len(s.Quotes))
	for _, o := range s.Quotes {
		s.QuoteRemainingXRP[o.OrderID] = e.paper.Remaining(o.OrderID)
	}
	// The event's book and ledger are never changed after the feed made
	// them: the state may share them.
	s.Book, s.Ledger = m.Book, m.Ledger
	if h, ok := e.feed.(FeedHealth); ok {
		fs := h.FeedStatus()
		if !fs.LastLedgerAt.IsZero() {
			fs.LedgerAge = now.Sub(fs.LastLedgerAt)
		}
		s.FeedStatus = &fs
	}
	e.pub.store(s)
}

// publisher holds the latest *State and a channel that is closed and
// replaced on each publish (litestream's Notify pattern): readers grab the
// channel, then read the state, so bursts coalesce and the engine never
// waits for a reader.
type publisher struct {
	mu      sync.Mutex
	state   *State
	changed chan struct{}
}

func newPublisher(initial *State) *publisher {
	return &publisher{state: initial, changed: make(chan struct{})}
}

func (p *publisher) load() *State {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state
}

func (p *publisher) notify() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.changed
}

func (p *publisher) store(s *State) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.state = s
	close(p.changed)
	p.changed = make(chan struct{})
}

// ring is a fixed-size history of chart samples, oldest first when read.
type ring struct {
	buf  []HistorySample
	next int
	full bool
}

func newRing(n int) *ring { return &ring{buf: make([]HistorySample, n)} }

func (r *ring) add(v HistorySample) {
	r.buf[r.next] = v
	r.next = (r.next + 1) % len(r.buf)
	if r.next == 0 {
		r.full = true
	}
}

func (r *ring) values() []HistorySample {
	if !r.full {
		return append([]HistorySample(nil), r.buf[:r.next]...)
	}
	out := make([]HistorySample, 0, len(r.buf))
	out = append(out, r.buf[r.next:]...)
	return append(out, r.buf[:r.next]...)
}

// historyStep is the market time between two chart samples.
const historyStep = 5 * time.Second

// historyLen is how many chart samples the state keeps (20 minutes).
const historyLen = 240

// recentFillsKept is how many of the newest fills the state carries: enough
// to fill the fills table of a tall (60-row) console.
const recentFillsKept = 60
