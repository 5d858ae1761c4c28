package engine

import (
	"context"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"sync"
	"time"
)

// memStore is an in-memory Store for engine tests. Function fields inject
// faults (litestream's mock style).
type memStore struct {
	mu          sync.Mutex
	sessions    map[string]*Session
	orders      map[string]Order
	fills       []Fill
	inventory   []InventorySnapshot
	valuations  []ValuationSnapshot
	events      []SessionEvent
	closed      bool
	backups     int
	recoverList []Recovery
	// landed is, for each event as it reached the store, how many stored
	// fills were older (in market time) than the event.
	landed []landing

	CloseSessionFn func(ctx context.Context, end SessionEnd) error
	SaveBatchFn    func(ctx context.Context, b Batch) error
	BackupFn       func(ctx context.Context) (string, error)
	CloseErr       error // what Close returns, after closing
}

func newMemStore() *memStore {
	return &memStore{sessions: map[string]*Session{}, orders: map[string]Order{}}
}

var _ Store = (*memStore)(nil)

// fault runs an injected fault function of the store, if there is one,
// and returns its error.
func fault[T any](ctx context.Context, fn func(context.Context, T) error, arg T) error {
	if fn == nil {
		return nil
	}
	return fn(ctx, arg)
}

func (m *memStore) Recover(ctx context.Context) ([]Recovery, error) { return m.recoverList, nil }
func (m *memStore) Backup(ctx context.Context) (string, error) {
	if m.BackupFn != nil {
		return m.BackupFn(ctx)
	}
	m.backups++
	return "/tmp/neo.db.bak.test", nil
}
func (m *memStore) OpenSession(ctx context.Context, s Session) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sessions[s.SessionID] = &s
	return nil
}
func (m *memStore) SaveOrders(ctx context.Context, orders ...Order) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, o := range orders {
		m.orders[o.OrderID] = o
	}
	return nil
}
func (m *memStore) RecordFill(ctx context.Context, f Fill, o Order) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fills = append(m.fills, f)
	m.orders[o.OrderID] = o
	return nil
}
func (m *memStore) CloseSession(ctx context.Context, end SessionEnd) error {
	if err := fault(ctx, m.CloseSessionFn, end); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.sessions[end.SessionID]
	if s == nil {
		return ErrNotFound
	}
	at, market := end.EndedAt, end.MarketEndedAt
	s.EndedAt, s.MarketEndedAt = &at, &market
	s.EndingXRP, s.EndingRLUSD, s.EndingValue = &end.EndingXRP, &end.EndingRLUSD, &end.EndingValue
	s.HaltReason = end.HaltReason
	return nil
}
func (m *memStore) AddInventorySnapshot(ctx context.Context, s InventorySnapshot) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.inventory = append(m.inventory, s)
	return nil
}
func (m *memStore) AddValuationSnapshot(ctx context.Context, s ValuationSnapshot) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.valuations = append(m.valuations, s)
	return nil
}
func (m *memStore) AddEvent(ctx context.Context, e SessionEvent) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.events = append(m.events, e)
	m.land(e)
	return nil
}

// landing is a session event as it reached the store and the number of
// fills older than it that the store held then.
type landing struct {
	ev          SessionEvent
	olderStored int
}

// land records ev's landing; m.mu is held.
func (m *memStore) land(ev SessionEvent) {
	n := 0
	for _, f := range m.fills {
		if f.MarketTime.Before(ev.MarketTime) {
			n++
		}
	}
	m.landed = append(m.landed, landing{ev: ev, olderStored: n})
}

// fillCount is how many fills the store holds.
func (m *memStore) fillCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.fills)
}
func (m *memStore) Flush(ctx context.Context) error { return nil }
func (m *memStore) Close(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	return m.CloseErr
}
func (m *memStore) ListSessions(ctx context.Context, q SessionQuery) ([]SessionSummary, error) {
	return nil, nil
}
func (m *memStore) GetSession(ctx context.Context, id string) (SessionSummary, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.sessions[id]
	if s == nil {
		return SessionSummary{}, ErrNotFound
	}
	return SessionSummary{Session: *s}, nil
}
func (m *memStore) ValuationSeries(ctx context.Context, id string, n int) ([]ValuationSnapshot, error) {
	return nil, nil
}
func (m *memStore) InventorySeries(ctx context.Context, id string, n int) ([]InventorySnapshot, error) {
	return nil, nil
}
func (m *memStore) EachInventory(context.Context, string, func(InventorySnapshot) error) error {
	return nil
}
func (m *memStore) EachValuation(context.Context, string, func(ValuationSnapshot) error) error {
	return nil
}
func (m *memStore) Fills(ctx context.Context, id string, limit int) ([]Fill, error) { return nil, nil }
func (m *memStore) Events(ctx context.Context, id string, limit int) ([]SessionEvent, error) {
	return nil, nil
}

func (m *memStore) openOrders() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, o := range m.orders {
		if o.Status == OrderOpen {
			n++
		}
	}
	return n
}

func (m *memStore) session() Session {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range m.sessions {
		return *s
	}
	return Session{}
}

func (m *memStore) eventKinds() map[string]int {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]int{}
	for _, e := range m.events {
		out[e.Kind]++
	}
	return out
}

// walkFeed is a small deterministic market for engine tests: a random walk
// with taker prints that reach a few tens of bps past the touch.
type walkFeed struct {
	rng     *rand.Rand
	t       time.Time
	mid     float64
	anchor  float64
	step    time.Duration
	n, max  int // max events (0: endless)
	errAt   int // return errFeed at this event (0: never)
	panicAt int // panic at this event (0: never)
	gapAt   int // jump market time by gap at this event
	gap     time.Duration
	drift   float64 // per-event log drift of the mid
	anchorF func(mid float64) float64
	spikeAt int // at this event bid and ask jump to spike (0: never)
	spike   float64
}

var errFeed = errors.New("feed broke: injected")

func newWalkFeed(seed uint64) *walkFeed {
	return &walkFeed{
		rng:  rand.New(rand.NewPCG(seed, 1)),
		t:    time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		mid:  2.3,
		step: 250 * time.Millisecond,
	}
}

func (f *walkFeed) Name() string { return "test-walk" }

func (f *walkFeed) Next(ctx context.Context) (MarketEvent, error) {
	f.n++
	if f.max > 0 && f.n > f.max {
		return MarketEvent{}, io.EOF
	}
	if f.errAt > 0 && f.n == f.errAt {
		return MarketEvent{}, errFeed
	}
	if f.panicAt > 0 && f.n == f.panicAt {
		panic("injected panic in the feed")
	}
	f.t = f.t.Add(f.step)
	if f.gapAt > 0 && f.n == f.gapAt {
		f.t = f.t.Add(f.gap)
	}
	f.mid *= math.Exp(f.drift + 0.0003*f.rng.NormFloat64())
	if f.anchor == 0 {
		f.anchor = f.mid
	}
	f.anchor += (f.mid - f.anchor) * 0.05
	anchor := f.anchor
	if f.anchorF != nil {
		anchor = f.anchorF(f.mid)
	}
	ev := MarketEvent{Time: f.t, Bid: f.mid * 0.9998, Ask: f.mid * 1.0002, Anchor: anchor}
	if f.spikeAt > 0 && f.n == f.spikeAt {
		ev.Bid, ev.Ask = f.spike*0.9998, f.spike*1.0002
	}
	if f.rng.Float64() < 0.3 {
		depth := f.rng.ExpFloat64() * 0.0015
		tr := Trade{Side: Buy, Price: ev.Ask * (1 + depth), QtyXRP: 100}
		if f.rng.IntN(2) == 0 {
			tr = Trade{Side: Sell, Price: ev.Bid * (1 - depth), QtyXRP: 100}
		}
		ev.Trades = []Trade{tr}
	}
	return ev, nil
}

func (m *memStore) SaveBatch(ctx context.Context, b Batch) error {
	if err := fault(ctx, m.SaveBatchFn, b); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, o := range b.Orders {
		m.orders[o.OrderID] = o
	}
	m.fills = append(m.fills, b.Fills...)
	m.inventory = append(m.inventory, b.Inventory...)
	m.valuations = append(m.valuations, b.Valuations...)
	m.events = append(m.events, b.Events...)
	for _, ev := range b.Events {
		m.land(ev)
	}
	return nil
}
