package xrpl

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Processor is the protocol core of the feed: it turns the messages a
// server sent (and the requests we sent it) into completed validated
// ledgers. It does no I/O and reads no clock, so the live client and the
// replayer drive it through the same calls and get the same results.
//
// Ledger assembly: the server publishes ledgerClosed(N) and then N's
// validated transactions (rippled NetworkOPsImp::pubLedger sends the ledger
// stream message before calling pubValidatedTransaction for each of the
// ledger's transactions; the xrpl.org subscribe page does not state the
// order). So ledger N is complete when ledgerClosed(N+1) arrives; then one
// LedgerResult is published. clio does not keep that order: it publishes
// the ledger and the transaction feeds on separate strands of its
// subscription workers (src/feed/SubscriptionManager.hpp,
// impl/SingleFeedBase.cpp, impl/TransactionFeed.cpp), so transactions of
// N+1 can arrive before ledgerClosed(N+1): they are held (at most
// maxEarly) until it comes. Only a transaction of a later ledger, more
// than maxEarly held, or a ledgerClosed that skips an index is a gap.
//
// Book state: a snapshot (subscribe, then book_offers pages pinned to one
// validated ledger R) plus the metadata of every validated transaction of a
// later ledger. Transactions of the last few ledgers are kept so that a
// snapshot that lands while the stream is ahead of it can be caught up.
type Processor struct {
	pair   Pair
	book   *Book
	amm    AMM
	hasAMM bool
	issuer IssuerFacts
	load   float64 // server load_factor (1 = normal)

	base    uint32 // ledger the book reflects, 0 = no book yet
	synced  bool   // book complete and no gap since
	open    *openLedger
	recent  []*Tx               // validated txs of the last ledgers, for catch-up
	seen    map[string]struct{} // the hashes of the txs in recent (see keep)
	early   []*Tx               // txs that came before their ledgerClosed (see hold)
	pending map[uint64]pendingReq
	resync  *resyncRun
	gen     int  // resync generation: a newer resync supersedes
	subbed  bool // the book subscription was answered on this connection
	ammSub  bool // the AMM account subscription was asked on this connection
	noAMM   bool // amm_info said the pair has no AMM
	// emitted is the last ledger published, kept across connections: a
	// server behind the previous one must not publish a ledger twice
	// (its trades would fill paper orders twice).
	emitted uint32
}

type openLedger struct {
	info      LedgerClosed
	before    BookState
	execs     []Execution // in transaction order; a tx's AMM swap first
	emittable bool
	txs       int
}

type reqKind int

const (
	reqOther reqKind = iota
	reqServerInfo
	reqAccountInfo
	reqAMMInfo
	reqSubscribe
	reqBookOffers
	reqPing
)

type pendingReq struct {
	kind   reqKind
	side   Side   // book_offers: which book
	ledger uint32 // book_offers: pinned ledger, 0 = "validated"
	gen    int
}

type resyncRun struct {
	gen    int
	ledger uint32
	asks   []BookOffer
	bids   []BookOffer
}

// keepLedgers is how many ledgers of transactions are kept for catch-up.
const keepLedgers = 16

// maxEarly bounds the transactions of the next ledger held until its
// ledgerClosed arrives; one more is a gap.
const maxEarly = 4096

// bookPageLimit is the book_offers page size (at most 100: larger pages
// cost more against the server's rate limit).
const bookPageLimit = 100

// NewProcessor returns a processor for the pair.
func NewProcessor(p Pair) *Processor {
	return &Processor{pair: p, book: NewBook(p), load: 1, pending: make(map[uint64]pendingReq), seen: make(map[string]struct{})}
}

// LedgerResult is one completed validated ledger.
type LedgerResult struct {
	Ledger     LedgerClosed
	Before     BookState // the book when the ledger opened
	After      BookState // the book when it closed
	Executions []Execution
	AMM        AMM
	HasAMM     bool
	Issuer     IssuerFacts
	LoadFactor float64
	Txs        int
}

// Update is what one received message changed.
type Update struct {
	Ledgers []LedgerResult
	// FollowUps are requests the processor needs sent next (further
	// book_offers pages). The live client sends them; a replay ignores
	// them, the recording holds what was actually sent.
	FollowUps []Request
	// Response is set when the message answered one of our requests.
	Response *Message
	Command  string // the command the response answered
	// Gap is set when ledgers were missed: resync.
	Gap bool
	// LedgerClosed is the index of a ledgerClosed message: a new validated
	// ledger (the feed's heartbeat).
	LedgerClosed uint32
	// ServerState is server_info's server_state when this answered it, and
	// ValidatedAge its validated_ledger.age (-1 when not reported).
	ServerState  string
	ValidatedAge time.Duration
	// Synced is set when a resync completed.
	Synced bool
	// RateLimited is set for slowDown / tooBusy errors: leave the endpoint.
	RateLimited bool
	// Unhealthy is set for noNetwork / noClosed / noCurrent /
	// amendmentBlocked: the server is out of step; try another.
	Unhealthy bool
	// LoadWarning is set for "warning":"load".
	LoadWarning bool
	// NoAMM is set when amm_info answered actNotFound: no anchor.
	NoAMM bool
	// SubscribeFailed is set when a subscribe (the ledger stream and the
	// book, or the AMM account) was answered with an error: this
	// connection will not deliver the streams; leave it.
	SubscribeFailed bool
	// Err is a protocol error the caller should log (malformed message,
	// failed request); the processor has already recovered from it.
	Err error
}

// Request is a command to send, without id and api_version (the client
// adds them).
type Request map[string]any

func currencySpec(p Pair) map[string]any {
	return map[string]any{"currency": p.Currency, "issuer": p.Issuer}
}

var xrpSpec = map[string]any{"currency": "XRP"}

// StartRequests are the requests of a fresh connection, in order:
// server_info (is the server synced), account_info of the issuer (transfer
// fee, tick size), amm_info of the pair (pool, fee, AMM account) and
// subscribe (ledger stream, both sides of the book with a snapshot). The
// AMM account is subscribed once amm_info names it (subscribeAMM).
func (p *Processor) StartRequests() []Request {
	return []Request{p.ServerInfoRequest(), p.AccountInfoRequest(), p.AMMInfoRequest(), p.SubscribeRequest()}
}

// ServerInfoRequest asks for the server's state, validated ledger age and
// load factor.
func (p *Processor) ServerInfoRequest() Request {
	return Request{"command": "server_info"}
}

// AccountInfoRequest asks for the issuer's settings at the validated ledger.
func (p *Processor) AccountInfoRequest() Request {
	return Request{"command": "account_info", "account": p.pair.Issuer, "ledger_index": "validated"}
}

// AMMInfoRequest asks for the pair's AMM at the validated ledger.
func (p *Processor) AMMInfoRequest() Request {
	return Request{"command": "amm_info", "asset": xrpSpec, "asset2": currencySpec(p.pair), "ledger_index": "validated"}
}

// SubscribeRequest subscribes to the ledger stream and both sides of the
// book, with a snapshot
// (https://xrpl.org/docs/references/http-websocket-apis/public-api-methods/subscription-methods/subscribe).
// The snapshot is one page, so its answer starts a resync.
func (p *Processor) SubscribeRequest() Request {
	return Request{"command": "subscribe", "streams": []string{"ledger"}, "books": []any{map[string]any{
		"taker_gets": xrpSpec, "taker_pays": currencySpec(p.pair), "snapshot": true, "both": true,
	}}}
}

// subscribeAMM subscribes to the AMM account's transactions: swaps that
// only touch the pool never appear on the book stream.
func (p *Processor) subscribeAMM() Request {
	return Request{"command": "subscribe", "accounts": []string{p.amm.Account}}
}

// ResyncRequest is the first book_offers page of a resync: the asks at the
// latest validated ledger. The bids follow pinned to the same ledger.
func (p *Processor) ResyncRequest() Request {
	return bookOffersReq(p.pair, Ask, 0, nil)
}

func bookOffersReq(p Pair, side Side, ledger uint32, marker json.RawMessage) Request {
	r := Request{"command": "book_offers", "limit": bookPageLimit}
	if side == Ask {
		r["taker_gets"], r["taker_pays"] = xrpSpec, currencySpec(p)
	} else {
		r["taker_gets"], r["taker_pays"] = currencySpec(p), xrpSpec
	}
	if ledger == 0 {
		r["ledger_index"] = "validated"
	} else {
		// Markers are only valid on the ledger that issued them
		// (https://xrpl.org/docs/references/http-websocket-apis/api-conventions/markers-and-pagination).
		r["ledger_index"] = ledger
	}
	if len(marker) > 0 {
		r["marker"] = marker
	}
	return r
}

// Connected forgets everything tied to the previous connection: pending
// requests, the open ledger, a running resync. The book is kept for display
// but is not trusted until the next resync.
func (p *Processor) Connected() {
	clear(p.pending)
	p.open = nil
	p.resync = nil
	p.synced = false
	p.subbed = false
	p.ammSub = false
	p.recent = p.recent[:0]
	clear(p.seen)
	p.early = nil
}

// NeedsResync reports whether the book must be fetched again: subscribed,
// not in sync and no resync running (a gap, or a resync that failed).
func (p *Processor) NeedsResync() bool { return p.subbed && !p.synced && p.resync == nil }

// Resyncing reports whether a resync is running.
func (p *Processor) Resyncing() bool { return p.resync != nil }

// Synced reports whether the book is complete and followed without a gap.
func (p *Processor) Synced() bool { return p.synced }

// Pending returns the number of requests awaiting an answer.
func (p *Processor) Pending() int { return len(p.pending) }

// AMM returns the pool as last seen and whether the pair has one.
func (p *Processor) AMM() (AMM, bool) { return p.amm, p.hasAMM }

// Book returns the current book state.
func (p *Processor) Book() BookState { return p.book.Snapshot() }

// Sent registers a request exactly as written to the socket (JSON with id),
// so that its answer can be interpreted.
func (p *Processor) Sent(body []byte) error {
	var r struct {
		ID          uint64          `json:"id"`
		Command     string          `json:"command"`
		TakerGets   json.RawMessage `json:"taker_gets"`
		LedgerIndex json.RawMessage `json:"ledger_index"`
		Marker      json.RawMessage `json:"marker"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return fmt.Errorf("sent request: %w", err)
	}
	if r.ID == 0 {
		return errors.New("sent request has no id")
	}
	pr := pendingReq{kind: requestKind(r.Command)}
	if pr.kind == reqBookOffers {
		var tg struct {
			Currency string `json:"currency"`
		}
		_ = json.Unmarshal(r.TakerGets, &tg)
		pr.side = Bid // the offers that give the issued currency: bids
		if tg.Currency == "XRP" {
			pr.side = Ask
		}
		var li flexUint
		if len(r.LedgerIndex) > 0 {
			_ = li.UnmarshalJSON(r.LedgerIndex)
		}
		pr.ledger = uint32(li)
		if pr.side == Ask && pr.ledger == 0 && len(r.Marker) == 0 {
			// The first page of a new resync supersedes any running one.
			p.gen++
			p.resync = &resyncRun{gen: p.gen}
		}
		pr.gen = p.gen
	}
	p.pending[r.ID] = pr
	return nil
}

// TimedOut drops a request that got no answer in time. A lost book_offers
// page aborts the resync: the caller starts another.
func (p *Processor) TimedOut(id uint64) {
	pr, ok := p.pending[id]
	if !ok {
		return
	}
	delete(p.pending, id)
	if pr.kind == reqBookOffers && p.resync != nil && p.resync.gen == pr.gen {
		p.resync = nil
	}
}

// Received handles one message from the server.
func (p *Processor) Received(data []byte) Update {
	m, err := Decode(data)
	if err != nil {
		return Update{Err: err}
	}
	var u Update
	if m.Warning == "load" {
		u.LoadWarning = true
	}
	switch m.Kind {
	case KindResponse:
		p.response(&m, &u)
	case KindLedgerClosed:
		u.LedgerClosed = m.Ledger.LedgerIndex
		p.ledgerClosed(*m.Ledger, &u)
	case KindTransaction:
		p.transaction(m.Tx, &u)
	}
	return u
}

func (p *Processor) response(m *Message, u *Update) {
	pr, ok := p.pending[m.ID]
	if !ok {
		return // not ours, or already timed out
	}
	delete(p.pending, m.ID)
	u.Response = m
	u.Command = commandName(pr.kind)
	if m.Status == "error" || m.Error != "" {
		p.failed(m, pr, u)
		return
	}
	switch pr.kind {
	case reqServerInfo:
		var r ServerInfoResult
		if err := json.Unmarshal(m.Result, &r); err != nil {
			u.Err = fmt.Errorf("server_info result: %w", err)
			return
		}
		u.ServerState = r.Info.ServerState
		u.ValidatedAge = -1
		if vl := r.Info.ValidatedLedger; vl != nil {
			u.ValidatedAge = time.Duration(vl.Age * float64(time.Second))
		}
		if r.Info.LoadFactor > 0 {
			p.load = r.Info.LoadFactor
		}
	case reqAccountInfo:
		var r AccountInfoResult
		if err := json.Unmarshal(m.Result, &r); err != nil {
			u.Err = fmt.Errorf("account_info result: %w", err)
			return
		}
		p.issuer = IssuerFacts{TransferRate: r.AccountData.TransferRate, TickSize: r.AccountData.TickSize}
	case reqAMMInfo:
		var r AMMInfoResult
		if err := json.Unmarshal(m.Result, &r); err != nil {
			u.Err = fmt.Errorf("amm_info result: %w", err)
			return
		}
		a, ok := AMMFromInfo(r, p.pair)
		if !ok {
			u.Err = errors.New("amm_info: the pool is not XRP against the configured currency; running without an anchor")
			u.NoAMM = true
			p.hasAMM = false
			return
		}
		if p.amm.Account != a.Account {
			p.ammSub = false
		}
		p.amm, p.hasAMM = a, true
		if !p.ammSub {
			p.ammSub = true
			u.FollowUps = append(u.FollowUps, p.subscribeAMM())
		}
	case reqSubscribe:
		p.subscribed(m, u)
	case reqBookOffers:
		p.bookPage(m, pr, u)
	}
}

// commandNames names the command of each kind of request.
var commandNames = [...]string{
	reqOther:       "other",
	reqServerInfo:  "server_info",
	reqAccountInfo: "account_info",
	reqAMMInfo:     "amm_info",
	reqSubscribe:   "subscribe",
	reqBookOffers:  "book_offers",
	reqPing:        "ping",
}

func commandName(k reqKind) string { return commandNames[k] }

// requestKind is the kind of request of a command; reqOther for one the
// processor does not interpret.
func requestKind(command string) reqKind {
	for k, name := range commandNames {
		if name == command {
			return reqKind(k)
		}
	}
	return reqOther
}

func (p *Processor) failed(m *Message, pr pendingReq, u *Update) {
	code := sanitize(m.Error)
	u.Err = fmt.Errorf("%s failed: %s %s", commandName(pr.kind), code, clip(m.ErrorMessage))
	switch m.Error {
	case "slowDown", "tooBusy":
		u.RateLimited = true
	case "noNetwork", "noClosed", "noCurrent", "amendmentBlocked":
		// The server does not follow the network (universal errors,
		// https://xrpl.org/docs/references/http-websocket-apis/api-conventions/error-formatting).
		u.Unhealthy = true
	}
	switch pr.kind {
	case reqAMMInfo:
		if m.Error == "actNotFound" {
			u.NoAMM = p.hasAMM || !p.noAMM // report the change, not every refresh
			p.hasAMM, p.noAMM = false, true
			u.Err = nil
			if u.NoAMM {
				u.Err = errors.New("amm_info: actNotFound, the pair has no AMM; running without an anchor")
			}
		}
	case reqBookOffers:
		if p.resync != nil && p.resync.gen == pr.gen {
			p.resync = nil
		}
	case reqSubscribe:
		u.SubscribeFailed = true
	}
}

func (p *Processor) subscribed(m *Message, u *Update) {
	var r SubscribeResult
	if err := json.Unmarshal(m.Result, &r); err != nil {
		u.Err = fmt.Errorf("subscribe result: %w", err)
		return
	}
	if r.Offers == nil && r.Bids == nil && r.Asks == nil {
		return // the accounts subscription: no fields
	}
	// A snapshot: a first picture of the book for display; the book is
	// trusted only after a book_offers resync (the snapshot is one page).
	p.subbed = true
	if !p.synced {
		p.book.Reset(r.Offers, r.Bids, r.Asks)
		p.base = uint32(r.LedgerIndex)
	}
	u.FollowUps = append(u.FollowUps, p.ResyncRequest())
}

func (p *Processor) bookPage(m *Message, pr pendingReq, u *Update) {
	rs := p.resync
	if rs == nil || rs.gen != pr.gen {
		return // superseded
	}
	var r BookOffersResult
	if err := json.Unmarshal(m.Result, &r); err != nil {
		p.resync = nil
		u.Err = fmt.Errorf("book_offers result: %w (resync abandoned)", err)
		return
	}
	if rs.ledger == 0 {
		rs.ledger = uint32(r.LedgerIndex)
		if rs.ledger == 0 {
			// The docs promise ledger_index for a "validated" request; a
			// server that leaves it out answered from its latest
			// validated ledger, which is the last ledgerClosed we saw.
			if p.open != nil {
				rs.ledger = p.open.info.LedgerIndex
			} else {
				rs.ledger = p.base
			}
		}
		if rs.ledger == 0 {
			p.resync = nil
			u.Err = errors.New("book_offers: no ledger_index in the answer and no ledger seen yet (resync abandoned; retried)")
			return
		}
	}
	if pr.side == Ask {
		rs.asks = append(rs.asks, r.Offers...)
	} else {
		rs.bids = append(rs.bids, r.Offers...)
	}
	switch {
	case len(r.Marker) > 0 && string(r.Marker) != "null":
		u.FollowUps = append(u.FollowUps, bookOffersReq(p.pair, pr.side, rs.ledger, r.Marker))
	case pr.side == Ask:
		u.FollowUps = append(u.FollowUps, bookOffersReq(p.pair, Bid, rs.ledger, nil))
	default:
		p.commit(rs, u)
	}
}

// commit installs a resync's book (as of ledger R) and catches it up with
// the kept transactions of later ledgers.
func (p *Processor) commit(rs *resyncRun, u *Update) {
	p.resync = nil
	p.book.Reset(rs.asks, rs.bids)
	p.base = rs.ledger
	o := p.open
	for _, tx := range p.recent {
		if tx.LedgerIndex > rs.ledger && (o == nil || tx.LedgerIndex < o.info.LedgerIndex) {
			p.book.ApplyTx(tx)
		}
	}
	if o != nil {
		if o.info.LedgerIndex > rs.ledger {
			// Rebuild the open ledger on the new book: its offer
			// executions again from metadata, its AMM swaps as seen (the
			// pool is not part of the resync).
			o.before = p.book.Snapshot()
			old := o.execs
			o.execs = nil
			for _, tx := range p.recent {
				if tx.LedgerIndex != o.info.LedgerIndex {
					continue
				}
				for _, ex := range old {
					if ex.Source == "amm" && ex.TxHash == tx.Hash {
						o.execs = append(o.execs, ex)
					}
				}
				o.execs = append(o.execs, p.book.ApplyTx(tx)...)
			}
			o.emittable = true
		} else {
			o.emittable = false // its transactions are in the snapshot
		}
	}
	p.synced = true
	u.Synced = true
}

func (p *Processor) ledgerClosed(l LedgerClosed, u *Update) {
	o := p.open
	var now *BookState // the book as ledger o left it, when taken already
	switch {
	case o != nil && l.LedgerIndex <= o.info.LedgerIndex:
		return // repeated or old
	case o != nil && l.LedgerIndex == o.info.LedgerIndex+1:
		if o.emittable && p.synced && o.info.LedgerIndex > p.emitted {
			r := p.result(o)
			u.Ledgers = append(u.Ledgers, r)
			p.emitted = o.info.LedgerIndex
			now = &r.After
		}
	case o != nil:
		u.Gap = true
		p.synced = false
	case p.base != 0 && l.LedgerIndex > p.base+1 && p.synced:
		u.Gap = true
		p.synced = false
	}
	if now == nil {
		b := p.book.Snapshot()
		now = &b
	}
	// The book ledger o left is the one ledger l starts from: one snapshot
	// serves both (snapshots are never changed once taken).
	p.open = &openLedger{info: l, before: *now, emittable: p.synced && l.LedgerIndex > p.base}
	p.prune(l.LedgerIndex)
	p.flushEarly(u)
}

// hold keeps a transaction of the ledger after the open one (or of any
// ledger before the first ledgerClosed) until that ledger's ledgerClosed
// arrives; past maxEarly it is a gap, and what was held is kept for a
// resync's catch-up.
func (p *Processor) hold(tx *Tx, u *Update) {
	if len(p.early) < maxEarly {
		p.early = append(p.early, tx)
		return
	}
	if p.open != nil {
		u.Gap = p.synced || u.Gap
		p.synced = false
	}
	for _, e := range p.early {
		p.keep(e)
	}
	p.early = nil
	p.keep(tx)
}

// flushEarly applies the held transactions once a ledgerClosed opened a
// ledger; those of a ledger it skipped are only kept for catch-up.
func (p *Processor) flushEarly(u *Update) {
	early := p.early
	p.early = nil
	for _, tx := range early {
		if tx.LedgerIndex < p.open.info.LedgerIndex {
			p.keep(tx)
			continue
		}
		p.transaction(tx, u)
	}
}

func (p *Processor) result(o *openLedger) LedgerResult {
	return LedgerResult{
		Ledger: o.info, Before: o.before, After: p.book.Snapshot(), Executions: o.execs,
		AMM: p.amm, HasAMM: p.hasAMM, Issuer: p.issuer, LoadFactor: p.load, Txs: o.txs,
	}
}

func (p *Processor) prune(current uint32) {
	keep := p.recent[:0]
	for _, tx := range p.recent {
		if tx.LedgerIndex+keepLedgers > current {
			keep = append(keep, tx)
		} else {
			delete(p.seen, tx.Hash) // seen holds the hashes of recent
		}
	}
	for i := len(keep); i < len(p.recent); i++ {
		p.recent[i] = nil
	}
	p.recent = keep
}

// keep adds a validated transaction to recent; false when a transaction
// with its hash is there already (a transaction's hash is unique in a
// validated ledger, so a second one is the same transaction delivered
// again).
func (p *Processor) keep(tx *Tx) bool {
	if tx.Hash != "" {
		if _, dup := p.seen[tx.Hash]; dup {
			return false
		}
		p.seen[tx.Hash] = struct{}{}
	}
	p.recent = append(p.recent, tx)
	return true
}

// transaction applies a validated transaction of the open ledger once.
// rippled sends a transaction to a connection once per kind of
// subscription that matches it: NetworkOPsImp::pubValidatedTransaction
// publishes to the book's listeners (OrderBookDB::processTxn, tesSUCCESS
// only) and then calls pubAccountTransaction for the accounts
// (src/xrpld/app/misc/NetworkOPs.cpp); clio's TransactionFeed::pub clears
// its notified set between the account and the book signals
// (src/feed/impl/TransactionFeed.cpp). We subscribe to the book and to the
// AMM account, so a transaction that crosses an offer and swaps through the
// pool arrives twice; the second copy is skipped by its hash.
func (p *Processor) transaction(tx *Tx, u *Update) {
	if tx == nil || !tx.Validated || tx.LedgerIndex == 0 {
		return // only validated outcomes are final
	}
	o := p.open
	if o == nil || tx.LedgerIndex == o.info.LedgerIndex+1 {
		p.hold(tx, u) // its ledgerClosed may still come (clio)
		return
	}
	if tx.LedgerIndex != o.info.LedgerIndex {
		// Ahead: a ledger in between never came. Behind, not a copy and
		// not in the snapshot: clio's transaction feed lagged its ledger
		// feed and the ledger went out without it. Either way the book
		// missed it: a gap (the resync's catch-up applies it from recent).
		ahead := tx.LedgerIndex > o.info.LedgerIndex
		if p.keep(tx) && (ahead || tx.LedgerIndex > p.base) {
			u.Gap = p.synced || u.Gap
			p.synced = false
		}
		return
	}
	if !p.keep(tx) {
		return // delivered again: applied already
	}
	o.txs++
	if tx.LedgerIndex <= p.base {
		return // already in the snapshot
	}
	p.issuer.applyIssuer(tx, p.pair.Issuer)
	if p.hasAMM {
		if ex, ok := p.amm.ApplyTx(tx, p.pair); ok {
			o.execs = append(o.execs, ex)
		}
	}
	o.execs = append(o.execs, p.book.ApplyTx(tx)...)
}

// CloseTime is the ledger's close time: the market time of its event.
func (r LedgerResult) CloseTime() time.Time { return r.Ledger.CloseTime() }

// String is for logs.
func (r LedgerResult) String() string {
	return "ledger " + strconv.FormatUint(uint64(r.Ledger.LedgerIndex), 10)
}
