package xrpltest

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// Default pair: XRP against RLUSD.
const (
	Issuer   = "rMxCKbEDwqr76QuheSUMdEGf4B9xJ8m5De"
	Currency = "524C555344000000000000000000000000000000"
	AMMAcct  = "rAMMpoolXXXXXXXXXXXXXXXXXXXXXXXXXX"
	maker    = "rMakerXXXXXXXXXXXXXXXXXXXXXXXXXXXX"
	taker    = "rTakerXXXXXXXXXXXXXXXXXXXXXXXXXXXX"
	busyAcct = "rBusyXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"
)

// MarketConfig shapes a Market. Zero values take the defaults given.
type MarketConfig struct {
	Interval    time.Duration // wall time between validated ledgers (250ms)
	Seed        uint64        // the busy offers' randomness (1)
	Mid         string        // book mid price, RLUSD per XRP ("2.3")
	StepBps     int64         // distance of level k from the mid: k × StepBps (10)
	Levels      int           // levels per side (5)
	LevelXRP    int64         // XRP per level (500)
	SweepEvery  int           // every Nth ledger a taker sweeps one side, alternating (3; <0: never)
	SweepLevels int           // levels a sweep consumes (3: 30 bps, past a 25 bps quote)
	ThinXRP     int64         // XRP of the deepest swept level, so paper quotes fill in parts (4)
	PoolXRP     int64         // AMM pool, XRP (400000)
	PoolValue   string        // AMM pool, RLUSD ("920400": price 2.301)
	TradingFee  int           // AMM fee in 1/100000 (500)
	SwapXRP     int64         // XRP a sweep also trades through the AMM, in the same transaction (0: none, the pool is static)
	TxFirst     bool          // send a ledger's transactions before its ledgerClosed, as clio may (its feeds run on separate strands)
	NoAMM       bool          // amm_info answers actNotFound
	Transfer    uint32        // issuer TransferRate (0: none)
	TickSize    int           // issuer TickSize (0: none)
	Busy        int           // extra offer changes per ledger far from the touch (0)
	StartLedger uint32        // first ledger index (90000000)
	CloseStep   uint32        // market seconds between ledger close times (4)
}

func (c *MarketConfig) defaults() {
	def := func(v *int64, d int64) {
		if *v == 0 {
			*v = d
		}
	}
	if c.Interval <= 0 {
		c.Interval = 250 * time.Millisecond
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.Mid == "" {
		c.Mid = "2.3"
	}
	def(&c.StepBps, 10)
	if c.Levels == 0 {
		c.Levels = 5
	}
	def(&c.LevelXRP, 500)
	if c.SweepEvery == 0 {
		c.SweepEvery = 3
	}
	if c.SweepLevels == 0 {
		c.SweepLevels = 3
	}
	def(&c.ThinXRP, 4)
	def(&c.PoolXRP, 400000)
	if c.PoolValue == "" {
		c.PoolValue = "920400"
	}
	if c.TradingFee == 0 {
		c.TradingFee = 500
	}
	if c.StartLedger == 0 {
		c.StartLedger = 90_000_000
	}
	if c.CloseStep == 0 {
		c.CloseStep = 4
	}
}

// offer is one resting offer of the market's book.
type offer struct {
	id    string
	ask   bool  // sells XRP (TakerGets is XRP)
	drops int64 // XRP size
	price *big.Rat
	acct  string
	seq   uint32
}

// Market is an autonomous fake XRPL server on loopback: a validated
// ledger every Interval, an XRP/RLUSD book of fixed levels that takers
// sweep and makers refill (so the mid never moves), an AMM pool (static
// unless sweeps also swap through it, SwapXRP), the documented answers to
// the requests a feed sends, and each transaction once per subscription
// of a connection it matches (the book, an account). Faults are
// injected by the caller: Drop closes every connection with a code,
// SetSilent keeps sockets open but sends nothing, Refuse answers
// upgrades with an HTTP status. Several endpoints (AddEndpoint) serve the
// same ledgers.
type Market struct {
	cfg MarketConfig
	rng *rand.Rand

	mu      sync.Mutex // the book, the ledger and every write to a connection
	ledger  uint32
	book    []*offer            // in arrival order; an offer never changes once made
	hist    map[uint32][]*offer // the book at the end of recent ledgers
	busy    []*offer            // the busy offers of the last ledger
	nextID  uint64
	seq     uint32
	conns   map[*mconn]bool
	silent  bool
	refuse  refusal
	sent    uint64               // messages written
	sentAt  map[uint32]time.Time // when each ledgerClosed was written
	changes uint64               // offer changes published
	execs   map[uint32]int       // executions (offers consumed, swaps) of recent ledgers
	pool    pool                 // the AMM's sides now

	srvs   []*httptest.Server
	cancel context.CancelFunc
	done   chan struct{}
}

type mconn struct {
	c        *websocket.Conn
	endpoint int
	subbed   bool            // the ledger stream and the book
	accounts map[string]bool // accounts subscribed to
}

// pool is the AMM's two sides: drops of XRP and the RLUSD value.
type pool struct {
	drops int64
	value *big.Rat
}

// published is a validated transaction and the subscriptions it matches.
// rippled sends it once per kind of matching subscription:
// NetworkOPsImp::pubValidatedTransaction publishes to the book's listeners
// (OrderBookDB::processTxn, only for tesSUCCESS, once per connection
// however many offers it touches) and then pubAccountTransaction to the
// listeners of the accounts it affects (once per connection), so a
// connection subscribed to both gets it twice
// (rippled src/xrpld/app/misc/NetworkOPs.cpp, src/xrpld/app/ledger/OrderBookDB.cpp).
type published struct {
	raw      []byte
	book     bool     // it touches an offer of the book
	accounts []string // the accounts it affects
}

// NewMarket starts a market with one endpoint; Close stops it.
func NewMarket(cfg MarketConfig) *Market {
	cfg.defaults()
	m := &Market{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, 7)), ledger: cfg.StartLedger, conns: map[*mconn]bool{}, hist: map[uint32][]*offer{}, sentAt: map[uint32]time.Time{}, execs: map[uint32]int{}, done: make(chan struct{})}
	m.pool = pool{drops: cfg.PoolXRP * 1_000_000, value: rat(cfg.PoolValue)}
	mid := rat(cfg.Mid)
	for k := 1; k <= cfg.Levels; k++ {
		m.book = append(m.book, m.newOffer(true, k, mid), m.newOffer(false, k, mid))
	}
	m.hist[m.ledger] = append([]*offer(nil), m.book...)
	m.AddEndpoint()
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	go m.run(ctx)
	return m
}

// AddEndpoint serves the same market on another loopback port and
// returns its URL (ws://127.0.0.1:PORT).
func (m *Market) AddEndpoint() string {
	i := len(m.srvs)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { m.handle(w, r, i) }))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic("xrpltest: listen on loopback: " + err.Error())
	}
	srv.Listener = l
	srv.Start()
	m.srvs = append(m.srvs, srv)
	return m.URL(i)
}

// URL is endpoint i's address.
func (m *Market) URL(i int) string { return "ws" + strings.TrimPrefix(m.srvs[i].URL, "http") }

// Close stops the ledgers and every endpoint.
func (m *Market) Close() {
	m.cancel()
	<-m.done
	m.mu.Lock()
	for c := range m.conns {
		c.c.CloseNow()
	}
	m.mu.Unlock()
	for _, s := range m.srvs {
		s.CloseClientConnections()
		s.Close()
	}
}

// Mid is the book's mid price: (best bid + best ask) / 2, exact.
func (m *Market) Mid() float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	var bid, ask *big.Rat
	for _, o := range m.book {
		if o.ask && (ask == nil || o.price.Cmp(ask) < 0) {
			ask = o.price
		}
		if !o.ask && (bid == nil || o.price.Cmp(bid) > 0) {
			bid = o.price
		}
	}
	f, _ := new(big.Rat).Quo(new(big.Rat).Add(bid, ask), big.NewRat(2, 1)).Float64()
	return f
}

// AMMPrice is the pool's price now: RLUSD per XRP.
func (m *Market) AMMPrice() float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, _ := new(big.Rat).Quo(m.pool.value, big.NewRat(m.pool.drops, 1_000_000)).Float64()
	return f
}

// Executions is the number of executions (offers consumed, AMM swaps) in
// ledger n, for recent ledgers.
func (m *Market) Executions(n uint32) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.execs[n]
}

// Ledger is the last validated ledger's index.
func (m *Market) Ledger() uint32 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.ledger
}

// Stats are the messages written and offer changes published so far.
func (m *Market) Stats() (messages, changes uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.sent, m.changes
}

// SentAt is when ledgerClosed(n) was written (zero if unknown): ledger
// n-1 is complete for a client from then on.
func (m *Market) SentAt(n uint32) time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.sentAt[n]
}

// Drop closes every open connection with code and reason (1008 "threshold
// exceeded" is a rate limit; 1001 a server going away).
func (m *Market) Drop(code websocket.StatusCode, reason string) int {
	m.mu.Lock()
	cs := make([]*mconn, 0, len(m.conns))
	for c := range m.conns {
		cs = append(cs, c)
		delete(m.conns, c)
	}
	m.mu.Unlock()
	for _, c := range cs {
		go c.c.Close(code, reason) // the close handshake waits for the peer
	}
	return len(cs)
}

// SetSilent stops (or resumes) every write: sockets stay open, nothing
// arrives, pings go unanswered.
func (m *Market) SetSilent(silent bool) {
	m.mu.Lock()
	m.silent = silent
	m.mu.Unlock()
}

// Refuse answers new upgrades with this HTTP status (429); 0 accepts.
func (m *Market) Refuse(code int) { m.refuse.set(code) }

func rat(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic("xrpltest: bad decimal " + s)
	}
	return r
}

// levelPrice is level k's price: mid × (1 ± k × StepBps / 10000).
func (m *Market) levelPrice(ask bool, k int, mid *big.Rat) *big.Rat {
	d := big.NewRat(int64(k)*m.cfg.StepBps, 10000)
	if !ask {
		d.Neg(d)
	}
	return d.Mul(mid, d.Add(d, big.NewRat(1, 1)))
}

func (m *Market) newOffer(ask bool, k int, mid *big.Rat) *offer {
	size := m.cfg.LevelXRP * 1_000_000
	if k == m.cfg.SweepLevels && m.cfg.ThinXRP > 0 {
		size = m.cfg.ThinXRP * 1_000_000
	}
	return m.offerAt(ask, size, m.levelPrice(ask, k, mid), maker)
}

func (m *Market) offerAt(ask bool, drops int64, price *big.Rat, acct string) *offer {
	m.nextID++
	m.seq++
	return &offer{id: fmt.Sprintf("%064X", m.nextID), ask: ask, drops: drops, price: price, acct: acct, seq: m.seq}
}

func (m *Market) run(ctx context.Context) {
	defer close(m.done)
	t := time.NewTicker(m.cfg.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			m.close()
		}
	}
}

// close validates the next ledger: its ledgerClosed, then its
// transactions (the order rippled publishes them in).
func (m *Market) close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ledger++
	n := m.ledger
	var txs []published
	if m.cfg.SweepEvery > 0 && int(n-m.cfg.StartLedger)%m.cfg.SweepEvery == 0 {
		txs = append(txs, m.sweep(n, (n/uint32(m.cfg.SweepEvery))%2 == 0)...)
	}
	if m.cfg.Busy > 0 {
		txs = append(txs, m.churn(n)...)
	}
	m.hist[n] = append([]*offer(nil), m.book...)
	delete(m.hist, n-histLedgers)
	delete(m.execs, n-histLedgers)
	lc := m.ledgerClosed(n, len(txs))
	m.sentAt[n] = time.Now()
	delete(m.sentAt, n-histLedgers)
	for c := range m.conns {
		m.publishLocked(c, lc, txs)
	}
}

// publishLocked sends a connection the ledgerClosed (ledger stream) and
// then each transaction once per kind of subscription it matches: the book
// and the accounts (see published).
func (m *Market) publishLocked(c *mconn, ledgerClosed []byte, txs []published) {
	if !m.cfg.TxFirst && c.subbed && !m.writeLocked(c, ledgerClosed) {
		return
	}
	defer func() {
		if m.cfg.TxFirst && c.subbed {
			m.writeLocked(c, ledgerClosed)
		}
	}()
	for _, tx := range txs {
		if c.subbed && tx.book && !m.writeLocked(c, tx.raw) {
			return
		}
		for _, a := range tx.accounts {
			if c.accounts[a] {
				if !m.writeLocked(c, tx.raw) {
					return
				}
				break
			}
		}
	}
}

// sweep is a taker consuming SweepLevels levels of one side (and trading
// SwapXRP through the AMM) in one OfferCreate, and the maker refilling
// them in another.
func (m *Market) sweep(n uint32, asks bool) []published {
	mid := rat(m.cfg.Mid)
	var consumed, created []map[string]any
	kept := m.book[:0]
	var gone []*offer
	for _, o := range m.book {
		if o.ask == asks && m.levelOf(o, mid) <= m.cfg.SweepLevels && o.acct == maker {
			gone = append(gone, o)
			continue
		}
		kept = append(kept, o)
	}
	m.book = kept
	for _, o := range gone {
		consumed = append(consumed, map[string]any{"DeletedNode": map[string]any{
			"LedgerEntryType": "Offer", "LedgerIndex": o.id,
			"FinalFields":    m.fields(o, 0),
			"PreviousFields": prevAmounts(o),
		}})
		k := m.levelOf(o, mid)
		no := m.newOffer(asks, k, mid)
		m.book = append(m.book, no)
		created = append(created, map[string]any{"CreatedNode": map[string]any{
			"LedgerEntryType": "Offer", "LedgerIndex": no.id, "NewFields": m.fields(no, no.drops),
		}})
	}
	m.changes += uint64(len(consumed) + len(created))
	m.execs[n] += len(consumed)
	if m.cfg.SwapXRP > 0 {
		consumed = append(consumed, m.swap(asks)...)
		m.execs[n]++
	}
	return []published{m.tx(n, taker, "OfferCreate", consumed), m.tx(n, maker, "OfferCreate", created)}
}

// swap trades SwapXRP through the pool (out of it when the taker buys XRP)
// at constant product, the RLUSD side rounded to 6 decimals, and returns
// the metadata of the AMM account's AccountRoot and trust line (the AMM is
// the low account: a positive Balance is held by it).
func (m *Market) swap(buyXRP bool) []map[string]any {
	before := m.pool
	d := m.cfg.SwapXRP * 1_000_000
	if buyXRP {
		d = -d
	}
	after := pool{drops: before.drops + d}
	v := new(big.Rat).Mul(before.value, big.NewRat(before.drops, after.drops))
	after.value = rat(v.FloatString(6))
	m.pool = after
	line := func(v *big.Rat) map[string]any {
		return map[string]any{"currency": Currency, "issuer": "rrrrrrrrrrrrrrrrrrrrBZbvji", "value": decimal(v)}
	}
	limit := func(who string) map[string]any {
		return map[string]any{"currency": Currency, "issuer": who, "value": "0"}
	}
	return []map[string]any{
		{"ModifiedNode": map[string]any{
			"LedgerEntryType": "AccountRoot", "LedgerIndex": strings.Repeat("A", 64),
			"FinalFields":    map[string]any{"Account": AMMAcct, "Balance": fmt.Sprint(after.drops), "Flags": 0, "OwnerCount": 1, "Sequence": 0},
			"PreviousFields": map[string]any{"Balance": fmt.Sprint(before.drops)},
		}},
		{"ModifiedNode": map[string]any{
			"LedgerEntryType": "RippleState", "LedgerIndex": strings.Repeat("D", 64),
			"FinalFields":    map[string]any{"Balance": line(after.value), "Flags": 0, "HighLimit": limit(Issuer), "LowLimit": limit(AMMAcct)},
			"PreviousFields": map[string]any{"Balance": line(before.value)},
		}},
	}
}

// levelOf recovers the level of a maker offer from its price.
func (m *Market) levelOf(o *offer, mid *big.Rat) int {
	for k := 1; k <= m.cfg.Levels; k++ {
		if m.levelPrice(o.ask, k, mid).Cmp(o.price) == 0 {
			return k
		}
	}
	return m.cfg.Levels + 1
}

// churn cancels the last ledger's busy offers and places as many new
// ones 2 to 5 % away from the mid: Busy offer changes, one a
// transaction each.
func (m *Market) churn(n uint32) []published {
	var out []published
	mid := rat(m.cfg.Mid)
	for _, o := range m.busy {
		for i, b := range m.book {
			if b == o {
				m.book = append(m.book[:i], m.book[i+1:]...)
				break
			}
		}
		out = append(out, m.tx(n, busyAcct, "OfferCancel", []map[string]any{{"DeletedNode": map[string]any{
			"LedgerEntryType": "Offer", "LedgerIndex": o.id, "FinalFields": m.fields(o, o.drops),
		}}}))
	}
	m.busy = m.busy[:0]
	// Half new, half the last ledger's cancelled: Busy changes a ledger
	// from the second one on.
	for i := 0; i < (m.cfg.Busy+1)/2; i++ {
		ask := m.rng.IntN(2) == 0
		bps := 200 + m.rng.Int64N(300)
		d := big.NewRat(bps, 10000)
		if !ask {
			d.Neg(d)
		}
		p := d.Mul(mid, d.Add(d, big.NewRat(1, 1)))
		o := m.offerAt(ask, (1+m.rng.Int64N(50))*1_000_000, p, busyAcct)
		m.book = append(m.book, o)
		m.busy = append(m.busy, o)
		out = append(out, m.tx(n, busyAcct, "OfferCreate", []map[string]any{{"CreatedNode": map[string]any{
			"LedgerEntryType": "Offer", "LedgerIndex": o.id, "NewFields": m.fields(o, o.drops),
		}}}))
	}
	m.changes += uint64(len(out))
	return out
}

// fields are an offer's ledger fields with drops of XRP left.
func (m *Market) fields(o *offer, drops int64) map[string]any {
	gets, pays := amounts(o, drops)
	return map[string]any{
		"Account": o.acct, "BookDirectory": directory(quality(o)), "BookNode": "0",
		"Flags": 0, "OwnerNode": "0", "Sequence": o.seq, "TakerGets": gets, "TakerPays": pays,
	}
}

func prevAmounts(o *offer) map[string]any {
	gets, pays := amounts(o, o.drops)
	return map[string]any{"TakerGets": gets, "TakerPays": pays}
}

// amounts are TakerGets and TakerPays of an offer with drops of XRP: an
// ask gives XRP (a drops string), a bid gives RLUSD (an issued amount).
func amounts(o *offer, drops int64) (gets, pays any) {
	v := new(big.Rat).Mul(o.price, big.NewRat(drops, 1_000_000))
	iou := map[string]any{"currency": Currency, "issuer": Issuer, "value": decimal(v)}
	if o.ask {
		return fmt.Sprint(drops), iou
	}
	return iou, fmt.Sprint(drops)
}

// decimal writes v exactly (the market's prices and sizes have few
// decimals, well inside an issued amount's 16 significant digits).
func decimal(v *big.Rat) string {
	s := v.FloatString(15)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// histLedgers is how many ledgers of book history a pinned book_offers
// page can be answered from.
const histLedgers = 32

// quality is TakerPays / TakerGets: RLUSD per drop for an ask, drops per
// RLUSD for a bid.
func quality(o *offer) *big.Rat {
	q := new(big.Rat).Quo(o.price, big.NewRat(1_000_000, 1))
	if !o.ask {
		q.Inv(q)
	}
	return q
}

// directory encodes a quality as the ledger's BookDirectory: 48 hex
// digits of book base, then (exponent+100) << 56 | 16-digit mantissa.
func directory(q *big.Rat) string {
	mant, exp := mantissa(q)
	return strings.Repeat("B", 48) + fmt.Sprintf("%016X", uint64(exp+100)<<56|mant)
}

// mantissa truncates q > 0 to m × 10^exp with 10^15 <= m < 10^16.
func mantissa(q *big.Rat) (uint64, int) {
	lo, hi := big.NewInt(1_000_000_000_000_000), big.NewInt(10_000_000_000_000_000)
	exp := 0
	r := new(big.Rat).Set(q)
	ten := big.NewRat(10, 1)
	for {
		i := new(big.Int).Quo(r.Num(), r.Denom())
		switch {
		case i.Cmp(hi) >= 0:
			r.Quo(r, ten)
			exp++
		case i.Cmp(lo) < 0:
			r.Mul(r, ten)
			exp--
		default:
			return i.Uint64(), exp
		}
	}
}

// rippleEpoch is 2000-01-01T00:00:00Z in Unix seconds.
const rippleEpoch = 946684800

// closeTime is ledger n's close time in seconds since the Ripple epoch.
func (m *Market) closeTime(n uint32) uint32 {
	return 817_000_000 + (n-m.cfg.StartLedger)*m.cfg.CloseStep
}

func (m *Market) ledgerClosed(n uint32, txs int) []byte {
	return mustJSON(map[string]any{
		"type": "ledgerClosed", "fee_base": 10, "ledger_hash": fmt.Sprintf("%064X", n),
		"ledger_index": n, "ledger_time": m.closeTime(n), "network_id": 0,
		"reserve_base": 1_000_000, "reserve_inc": 200_000, "txn_count": txs,
		"validated_ledgers": fmt.Sprintf("%d-%d", m.cfg.StartLedger-1000, n),
	})
}

func (m *Market) tx(n uint32, acct, typ string, nodes []map[string]any) published {
	m.seq++
	raw := mustJSON(map[string]any{
		"type": "transaction", "validated": true, "status": "closed",
		"engine_result": "tesSUCCESS", "engine_result_code": 0,
		"hash": fmt.Sprintf("%064X", uint64(n)<<20|uint64(m.seq)), "ledger_index": n,
		"ledger_hash":    fmt.Sprintf("%064X", n),
		"close_time_iso": time.Unix(rippleEpoch+int64(m.closeTime(n)), 0).UTC().Format(time.RFC3339),
		"tx_json":        map[string]any{"Account": acct, "TransactionType": typ, "Fee": "12", "Sequence": m.seq},
		"meta":           map[string]any{"AffectedNodes": nodes, "TransactionIndex": 0, "TransactionResult": "tesSUCCESS"},
	})
	book, accounts := affected(acct, nodes)
	return published{raw: raw, book: book, accounts: accounts}
}

// affected tells whether a transaction's metadata touches an offer (all
// the market's offers are of its one book) and which accounts it affects:
// its sender and the accounts named in the entries it touched (Account,
// Owner, the issuers of a trust line's limits), as rippled's
// TxMeta::getAffectedAccounts collects them.
func affected(sender string, nodes []map[string]any) (book bool, accounts []string) {
	seen := map[string]bool{sender: true}
	accounts = append(accounts, sender)
	add := func(v any) {
		if a, ok := v.(string); ok && a != "" && !seen[a] {
			seen[a] = true
			accounts = append(accounts, a)
		}
	}
	for _, wrap := range nodes {
		for _, node := range wrap {
			nm, _ := node.(map[string]any)
			book = book || nm["LedgerEntryType"] == "Offer"
			for _, k := range []string{"FinalFields", "NewFields"} {
				f, _ := nm[k].(map[string]any)
				add(f["Account"])
				add(f["Owner"])
				for _, lim := range []string{"HighLimit", "LowLimit"} {
					l, _ := f[lim].(map[string]any)
					add(l["issuer"])
				}
			}
		}
	}
	return book, accounts
}

// bookOffer is an offer as book_offers and a snapshot list it.
func (m *Market) bookOffer(o *offer) map[string]any {
	f := m.fields(o, o.drops)
	f["LedgerEntryType"] = "Offer"
	f["index"] = o.id
	mant, exp := mantissa(quality(o))
	f["quality"] = fmt.Sprintf("%de%d", mant, exp)
	return f
}

// side lists one side of the book in book order: better quality first
// (a lower TakerPays/TakerGets), oldest first within a quality.
func (m *Market) side(book []*offer, asks bool) []map[string]any {
	var os []*offer
	for _, o := range book {
		if o.ask == asks {
			os = append(os, o)
		}
	}
	for i := 1; i < len(os); i++ {
		for j := i; j > 0 && quality(os[j]).Cmp(quality(os[j-1])) < 0; j-- {
			os[j], os[j-1] = os[j-1], os[j]
		}
	}
	out := make([]map[string]any, len(os))
	for i, o := range os {
		out[i] = m.bookOffer(o)
	}
	return out
}

func (m *Market) handle(w http.ResponseWriter, r *http.Request, endpoint int) {
	c := m.refuse.accept(w, r)
	if c == nil {
		return
	}
	mc := &mconn{c: c, endpoint: endpoint}
	m.mu.Lock()
	m.conns[mc] = true
	m.mu.Unlock()
	defer func() {
		m.mu.Lock()
		delete(m.conns, mc)
		m.mu.Unlock()
		c.CloseNow()
	}()
	readRequests(c, func(req map[string]any) {
		m.mu.Lock()
		if m.conns[mc] {
			m.writeLocked(mc, m.answer(mc, req))
		}
		m.mu.Unlock()
	})
}

// writeLocked writes one message unless the market is silent; a failed
// write drops the connection.
func (m *Market) writeLocked(c *mconn, raw []byte) bool {
	if m.silent {
		return true
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.c.Write(ctx, websocket.MessageText, raw); err != nil {
		delete(m.conns, c)
		go c.c.CloseNow()
		return false
	}
	m.sent++
	return true
}

// pageSize is the most offers a book_offers page holds here.
const pageSize = 100

func (m *Market) answer(c *mconn, req map[string]any) []byte {
	id := ID(req)
	n := m.ledger
	switch req["command"] {
	case "server_info":
		return Response(id, map[string]any{"info": map[string]any{
			"server_state": "full", "load_factor": 1, "build_version": "2.3.0",
			"validated_ledger": map[string]any{"age": 1, "seq": n, "base_fee_xrp": 0.00001, "reserve_base_xrp": 1, "reserve_inc_xrp": 0.2},
		}})
	case "account_info":
		data := map[string]any{"Account": Issuer, "Balance": "100000000", "Flags": 0, "LedgerEntryType": "AccountRoot", "Sequence": 1}
		if m.cfg.Transfer != 0 {
			data["TransferRate"] = m.cfg.Transfer
		}
		if m.cfg.TickSize != 0 {
			data["TickSize"] = m.cfg.TickSize
		}
		return Response(id, map[string]any{"account_data": data, "ledger_index": n, "validated": true})
	case "amm_info":
		if m.cfg.NoAMM {
			return ErrResponse(id, "actNotFound")
		}
		iou := map[string]any{"currency": Currency, "issuer": Issuer, "value": decimal(m.pool.value)}
		return Response(id, map[string]any{"amm": map[string]any{
			"account": AMMAcct, "amount": fmt.Sprint(m.pool.drops), "amount2": iou,
			"lp_token":    map[string]any{"currency": "039C99CD9AB0B70B32ECDA51EAAE471625608EA2", "issuer": AMMAcct, "value": "1000"},
			"trading_fee": m.cfg.TradingFee,
		}, "ledger_index": n, "validated": true})
	case "subscribe":
		return m.subscribe(c, id, req)
	case "book_offers":
		gets, _ := req["taker_gets"].(map[string]any)
		at := n
		if li, ok := req["ledger_index"].(float64); ok {
			at = uint32(li) // pinned: markers are only valid on their ledger
		}
		book, ok := m.hist[at]
		if !ok {
			return ErrResponse(id, "lgrNotFound")
		}
		offers := m.side(book, gets["currency"] == "XRP")
		start := 0
		if mk, ok := req["marker"].(string); ok {
			fmt.Sscanf(mk, "page%d", &start)
		}
		start = min(max(start, 0), len(offers))
		res := map[string]any{"ledger_index": at, "validated": true}
		end := min(start+pageSize, len(offers))
		res["offers"] = offers[start:end]
		if end < len(offers) {
			res["marker"] = fmt.Sprintf("page%d", end)
		}
		return Response(id, res)
	case "ping":
		return Response(id, map[string]any{})
	}
	return ErrResponse(id, "unknownCmd")
}

// subscribe answers a subscription: accounts are remembered (their
// transactions are sent, see publishLocked); the book (with the ledger
// stream) is answered with its snapshot.
func (m *Market) subscribe(c *mconn, id uint64, req map[string]any) []byte {
	n := m.ledger
	if accts, ok := req["accounts"].([]any); ok {
		if c.accounts == nil {
			c.accounts = map[string]bool{}
		}
		for _, a := range accts {
			if s, ok := a.(string); ok {
				c.accounts[s] = true
			}
		}
	}
	if _, ok := req["books"]; !ok {
		return Response(id, map[string]any{})
	}
	c.subbed = true
	// both:true: the book as requested (taker_gets XRP: the asks)
	// under "bids", the reverse book under "asks".
	return Response(id, map[string]any{
		"ledger_index": n, "ledger_hash": fmt.Sprintf("%064X", n), "ledger_time": m.closeTime(n),
		"fee_base": 10, "reserve_base": 1_000_000, "reserve_inc": 200_000,
		"validated_ledgers": fmt.Sprintf("%d-%d", m.cfg.StartLedger-1000, n),
		"bids":              m.side(m.book, true), "asks": m.side(m.book, false),
	})
}

// refusal is the HTTP status a server answers upgrades with instead of
// accepting them (a rate limit on connect); 0 accepts. It is safe for
// concurrent use.
type refusal struct {
	mu   sync.Mutex
	code int
}

func (f *refusal) set(code int) {
	f.mu.Lock()
	f.code = code
	f.mu.Unlock()
}

// accept upgrades a client's request to a WebSocket, or answers it with
// the refusal's status when that is not 0. It returns nil when there is
// no connection to serve.
func (f *refusal) accept(w http.ResponseWriter, r *http.Request) *websocket.Conn {
	f.mu.Lock()
	code := f.code
	f.mu.Unlock()
	if code != 0 {
		http.Error(w, "slow down", code)
		return nil
	}
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return nil
	}
	c.SetReadLimit(1 << 20)
	return c
}

// readRequests passes each request read from c to fn until the connection
// fails; a message that is not a JSON object is skipped.
func readRequests(c *websocket.Conn, fn func(req map[string]any)) {
	for {
		_, data, err := c.Read(context.Background())
		if err != nil {
			return
		}
		var req map[string]any
		if json.Unmarshal(data, &req) != nil {
			continue
		}
		fn(req)
	}
}
