package xrpl

import (
	"encoding/json"
	"fmt"
	"testing"
)

// driver runs a Processor the way the client does: it numbers and
// registers requests and feeds messages.
type driver struct {
	t      *testing.T
	p      *Processor
	nextID uint64
	sent   map[uint64]Request
	ups    []Update
}

func newDriver(t *testing.T) *driver {
	d := &driver{t: t, p: NewProcessor(DefaultPair), sent: map[uint64]Request{}}
	d.p.Connected()
	return d
}

func (d *driver) send(r Request) uint64 {
	d.t.Helper()
	d.nextID++
	body := map[string]any{"id": d.nextID, "api_version": 2}
	for k, v := range r {
		body[k] = v
	}
	if err := d.p.Sent(mustJSON(d.t, body)); err != nil {
		d.t.Fatal(err)
	}
	d.sent[d.nextID] = r
	return d.nextID
}

func (d *driver) recv(raw []byte) Update {
	d.t.Helper()
	u := d.p.Received(raw)
	d.ups = append(d.ups, u)
	return u
}

// bookPage answers a book_offers request.
func bookPage(t *testing.T, id uint64, ledger uint32, marker string, offers ...offerSpec) []byte {
	list := []map[string]any{}
	for _, o := range offers {
		list = append(list, o.bookOffer(t))
	}
	res := map[string]any{"ledger_index": ledger, "ledger_hash": "AB", "offers": list, "validated": true}
	if marker != "" {
		res["marker"] = marker
	}
	return response(t, id, res)
}

var (
	fxAsk1 = offerSpec{id: "A1", side: Ask, drops: 100_000_000, price: "2.5010"}
	fxAsk2 = offerSpec{id: "A2", side: Ask, drops: 50_000_000, price: "2.5000"}
	fxBid1 = offerSpec{id: "B1", side: Bid, drops: 80_000_000, price: "2.4990"}
	fxBid2 = offerSpec{id: "B2", side: Bid, drops: 30_000_000, price: "2.4980"}
)

// start runs the start-up exchange to a synced book at ledger 100.
func (d *driver) start() {
	t := d.t
	t.Helper()
	for _, r := range d.p.StartRequests() {
		d.send(r)
	}
	d.recv(response(t, 1, map[string]any{"info": map[string]any{"server_state": "full", "load_factor": 1.5, "validated_ledger": map[string]any{"age": 2, "seq": 100}}}))
	d.recv(response(t, 2, map[string]any{"account_data": map[string]any{"Account": issuer, "TransferRate": 1002000000, "TickSize": 5}, "ledger_index": 100}))
	u := d.recv(ammInfo(t, 3, 400_000_000_000, "1000000", 500))
	if len(u.FollowUps) != 1 || u.FollowUps[0]["command"] != "subscribe" {
		t.Fatalf("amm_info follow-ups = %v, want the AMM account subscription", u.FollowUps)
	}
	d.send(u.FollowUps[0]) // id 5 after subscribe's 4
	u = d.recv(response(t, 4, map[string]any{
		"ledger_index": 100, "ledger_time": 817000000, "fee_base": 10, "reserve_base": 1000000, "reserve_inc": 200000,
		"bids": []any{fxAsk1.bookOffer(t)}, "asks": []any{fxBid1.bookOffer(t)},
	}))
	if len(u.FollowUps) != 1 || u.FollowUps[0]["command"] != "book_offers" || u.FollowUps[0]["ledger_index"] != "validated" {
		t.Fatalf("subscribe follow-ups = %v, want book_offers at validated", u.FollowUps)
	}
	if d.p.Synced() {
		t.Fatal("synced on the subscribe snapshot alone")
	}
	d.recv(response(t, 5, map[string]any{}))
	id := d.send(u.FollowUps[0])
	u = d.recv(bookPage(t, id, 100, "M1", fxAsk2))
	if r := u.FollowUps[0]; string(r["marker"].(json.RawMessage)) != `"M1"` || r["ledger_index"] != uint32(100) {
		t.Fatalf("next page = %v, want marker M1 pinned to ledger 100", r)
	}
	id = d.send(u.FollowUps[0])
	u = d.recv(bookPage(t, id, 100, "", fxAsk1))
	if r := u.FollowUps[0]; r["taker_pays"].(map[string]any)["currency"] != "XRP" {
		t.Fatalf("after the asks, want the bids page, got %v", r)
	}
	id = d.send(u.FollowUps[0])
	u = d.recv(bookPage(t, id, 100, "", fxBid1, fxBid2))
	if !u.Synced || !d.p.Synced() {
		t.Fatal("not synced after the last page")
	}
	if got := len(d.p.Book().Asks) + len(d.p.Book().Bids); got != 4 {
		t.Fatalf("book holds %d offers, want 4", got)
	}
}

func TestLedgerAssembly(t *testing.T) {
	d := newDriver(t)
	d.start()
	if u := d.recv(ledgerMsg(t, 101)); len(u.Ledgers) != 0 {
		t.Fatal("ledger published on its own ledgerClosed: its transactions come after it")
	}
	d.recv(txMsg(t, 101, "T1", "Payment", consumedNode(t, fxAsk2, 0)))
	// Not validated (a proposed transaction): ignored.
	unval := txMsg(t, 101, "T9", "Payment", consumedNode(t, fxBid1, 0))
	var m map[string]any
	_ = json.Unmarshal(unval, &m)
	m["validated"] = false
	d.recv(mustJSON(t, m))
	// An AMM swap: 100 XRP in, 249 RLUSD out.
	d.recv(txMsg(t, 101, "T2", "Payment", ammNodes(400_000_000_000, 400_100_000_000, "1000000", "999751")...))
	u := d.recv(ledgerMsg(t, 102))
	if len(u.Ledgers) != 1 {
		t.Fatalf("ledgerClosed(102) published %d ledgers, want 1 (101)", len(u.Ledgers))
	}
	r := u.Ledgers[0]
	if r.Ledger.LedgerIndex != 101 || r.Txs != 2 {
		t.Fatalf("published ledger %d with %d txs", r.Ledger.LedgerIndex, r.Txs)
	}
	if len(r.Executions) != 2 || r.Executions[0].Source != "offer" || r.Executions[1].Source != "amm" {
		t.Fatalf("executions = %+v", r.Executions)
	}
	if got := r.Executions[1].Price.FloatString(2); got != "2.49" || r.Executions[1].Side != Ask {
		t.Fatalf("AMM swap price %s side %v, want 2.49 taker sell", got, r.Executions[1].Side)
	}
	if len(r.Before.Asks) != 2 || len(r.After.Asks) != 1 {
		t.Fatalf("asks before/after = %d/%d, want 2/1", len(r.Before.Asks), len(r.After.Asks))
	}
	if len(r.After.Bids) != 2 {
		t.Fatal("an unvalidated transaction changed the book")
	}
	if got := r.AMM.Price().FloatString(6); got != "2.498753" { // 999751 / 400100
		t.Fatalf("AMM price = %s", got)
	}
	if r.AMM.TradingFee != 500 || r.Issuer.TransferRate != 1002000000 || r.Issuer.TickSize != 5 {
		t.Fatalf("facts: fee %d rate %d tick %d", r.AMM.TradingFee, r.Issuer.TransferRate, r.Issuer.TickSize)
	}
	if got := r.CloseTime().Unix(); got != rippleEpoch+817_000_000+4*101 {
		t.Fatalf("close time = %d", got)
	}
}

func TestLedgerGapStopsPublishingUntilResync(t *testing.T) {
	d := newDriver(t)
	d.start()
	d.recv(ledgerMsg(t, 101))
	d.recv(ledgerMsg(t, 102))
	u := d.recv(ledgerMsg(t, 104)) // 103 never came
	if !u.Gap || d.p.Synced() {
		t.Fatalf("gap not detected: %+v", u)
	}
	if len(u.Ledgers) != 0 {
		t.Fatal("published the ledger before a gap")
	}
	if u := d.recv(ledgerMsg(t, 105)); len(u.Ledgers) != 0 {
		t.Fatal("published while out of sync")
	}
	// Resync: the snapshot is of ledger 104, while the stream already
	// delivered a transaction of 105; it must be re-applied.
	d.recv(txMsg(t, 105, "T5", "OfferCreate", created(t, offerSpec{id: "A9", side: Ask, drops: 1_000_000, price: "2.4995"})))
	id := d.send(d.p.ResyncRequest())
	d.recv(bookPage(t, id, 104, "", fxAsk1))
	id = d.send(bookOffersReq(DefaultPair, Bid, 104, nil))
	if u := d.recv(bookPage(t, id, 104, "", fxBid1)); !u.Synced {
		t.Fatal("resync did not complete")
	}
	u = d.recv(ledgerMsg(t, 106))
	if len(u.Ledgers) != 1 || u.Ledgers[0].Ledger.LedgerIndex != 105 {
		t.Fatalf("after resync, want ledger 105 published, got %+v", u.Ledgers)
	}
	if got := len(u.Ledgers[0].After.Asks); got != 2 {
		t.Fatalf("ledger 105 after = %d asks, want 2 (snapshot + the caught-up create)", got)
	}
}

func TestErrorsAndWarnings(t *testing.T) {
	d := newDriver(t)
	for _, r := range d.p.StartRequests() {
		d.send(r)
	}
	u := d.recv(errResponse(t, 3, "actNotFound"))
	if !u.NoAMM || u.Err == nil {
		t.Fatalf("amm_info actNotFound: %+v", u)
	}
	if _, ok := d.p.AMM(); ok {
		t.Fatal("AMM present after actNotFound")
	}
	u = d.recv(errResponse(t, 1, "slowDown"))
	if !u.RateLimited {
		t.Fatal("slowDown not reported as a rate limit")
	}
	u = d.recv(errResponse(t, 2, "tooBusy"))
	if !u.RateLimited {
		t.Fatal("tooBusy not reported as a rate limit")
	}
	// A refresh that says the same thing again is not news.
	id := d.send(Request{"command": "amm_info"})
	if u := d.recv(errResponse(t, id, "actNotFound")); u.NoAMM || u.Err != nil {
		t.Fatalf("second actNotFound reported again: %+v", u)
	}
	id = d.send(Request{"command": "server_info"})
	if u := d.recv(errResponse(t, id, "noNetwork")); !u.Unhealthy {
		t.Fatal("noNetwork not reported as an unhealthy server")
	}
	id = d.send(d.p.SubscribeRequest())
	if u := d.recv(errResponse(t, id, "invalid_API_version")); !u.SubscribeFailed || u.Unhealthy || u.RateLimited {
		t.Fatalf("a refused subscribe: %+v", u)
	}
	raw := mustJSON(t, map[string]any{"id": 4, "status": "success", "type": "response", "warning": "load", "result": map[string]any{}})
	if u := d.recv(raw); !u.LoadWarning {
		t.Fatal("warning:load not reported")
	}
	if u := d.recv([]byte("{not json")); u.Err == nil {
		t.Fatal("malformed message not reported")
	}
	if d.p.Pending() != 0 {
		t.Fatalf("%d requests still pending", d.p.Pending())
	}
}

func TestResyncTimeoutAbandons(t *testing.T) {
	d := newDriver(t)
	id := d.send(d.p.ResyncRequest())
	if !d.p.Resyncing() {
		t.Fatal("no resync under way after its request")
	}
	d.p.TimedOut(id)
	if d.p.Resyncing() {
		t.Fatal("a lost page left the resync under way: none would ever start again")
	}
	if u := d.recv(bookPage(t, id, 100, "", fxAsk1)); len(u.FollowUps) != 0 || u.Response != nil {
		t.Fatalf("answer after timeout was used: %+v", u)
	}
}

// TestResyncMidLedgerKeepsItsTrades: a periodic resync that lands while a
// ledger is open rebuilds that ledger on the new book without losing its
// AMM swap or its offer executions.
func TestResyncMidLedgerKeepsItsTrades(t *testing.T) {
	d := newDriver(t)
	d.start()
	d.recv(ledgerMsg(t, 101))
	d.recv(txMsg(t, 101, "T1", "Payment", ammNodes(400_000_000_000, 400_100_000_000, "1000000", "999751")...))
	d.recv(txMsg(t, 101, "T2", "Payment", consumedNode(t, fxAsk2, 10_000_000)))
	id := d.send(d.p.ResyncRequest())
	d.recv(bookPage(t, id, 100, "", fxAsk1, fxAsk2))
	id = d.send(bookOffersReq(DefaultPair, Bid, 100, nil))
	if u := d.recv(bookPage(t, id, 100, "", fxBid1)); !u.Synced {
		t.Fatal("resync did not complete")
	}
	u := d.recv(ledgerMsg(t, 102))
	if len(u.Ledgers) != 1 {
		t.Fatalf("published %d ledgers", len(u.Ledgers))
	}
	ex := u.Ledgers[0].Executions
	if len(ex) != 2 || ex[0].Source != "amm" || ex[1].Source != "offer" || ex[1].XRPDrops != 40_000_000 {
		t.Fatalf("executions after a mid-ledger resync: %+v", ex)
	}
	if got := len(u.Ledgers[0].After.Bids); got != 1 {
		t.Fatalf("bids after = %d, want the resynced 1", got)
	}
}

// TestNoLedgerTwiceAcrossConnections: after a reconnect to a server that is
// behind, ledgers already published are not published again.
func TestNoLedgerTwiceAcrossConnections(t *testing.T) {
	d := newDriver(t)
	d.start()
	d.recv(ledgerMsg(t, 101))
	d.recv(txMsg(t, 101, "T1", "Payment", consumedNode(t, fxAsk2, 0)))
	d.recv(ledgerMsg(t, 102))
	d.recv(ledgerMsg(t, 103)) // publishes 101 and 102
	d.p.Connected()
	// The new server's validated ledger is 100.
	id := d.send(d.p.ResyncRequest())
	d.recv(bookPage(t, id, 100, "", fxAsk1, fxAsk2))
	id = d.send(bookOffersReq(DefaultPair, Bid, 100, nil))
	d.recv(bookPage(t, id, 100, "", fxBid1))
	var got []uint32
	for n := uint32(101); n <= 104; n++ {
		if n == 101 {
			d.recv(ledgerMsg(t, n))
			d.recv(txMsg(t, 101, "T1", "Payment", consumedNode(t, fxAsk2, 0)))
			continue
		}
		for _, l := range d.recv(ledgerMsg(t, n)).Ledgers {
			got = append(got, l.Ledger.LedgerIndex)
		}
	}
	if len(got) != 1 || got[0] != 103 {
		t.Fatalf("published %v after the reconnect, want only [103]", got)
	}
}

// TestTransactionDeliveredTwiceAppliesOnce: a transaction that consumes a
// book offer and swaps through the AMM reaches us on the book stream and
// again on the AMM account's (rippled publishes to each matching kind of
// subscription); it counts once.
func TestTransactionDeliveredTwiceAppliesOnce(t *testing.T) {
	d := newDriver(t)
	d.start()
	d.recv(ledgerMsg(t, 101))
	nodes := append([]map[string]any{consumedNode(t, fxAsk2, 0)}, ammNodes(400_000_000_000, 400_100_000_000, "1000000", "999751")...)
	tx := txMsg(t, 101, "T1", "Payment", nodes...)
	d.recv(tx) // the book stream
	d.recv(tx) // the AMM account's
	u := d.recv(ledgerMsg(t, 102))
	if len(u.Ledgers) != 1 {
		t.Fatalf("published %d ledgers", len(u.Ledgers))
	}
	r := u.Ledgers[0]
	if len(r.Executions) != 2 || r.Txs != 1 {
		t.Fatalf("%d executions in %d txs, want 2 in 1 (the offer and the swap, once): %+v", len(r.Executions), r.Txs, r.Executions)
	}
	// The same when a resync rebuilds the open ledger from the kept
	// transactions.
	d.recv(tx) // late third copy of a published ledger's: ignored
	d.recv(ledgerMsg(t, 103))
	tx2 := txMsg(t, 103, "T2", "Payment", nodes...)
	d.recv(tx2)
	d.recv(tx2)
	id := d.send(d.p.ResyncRequest())
	d.recv(bookPage(t, id, 102, "", fxAsk1, fxAsk2))
	id = d.send(bookOffersReq(DefaultPair, Bid, 102, nil))
	d.recv(bookPage(t, id, 102, "", fxBid1))
	u = d.recv(ledgerMsg(t, 104))
	if len(u.Ledgers) != 1 || len(u.Ledgers[0].Executions) != 2 || u.Ledgers[0].Txs != 1 {
		t.Fatalf("after a resync: %+v", u.Ledgers)
	}
}

// TestTransactionBeforeItsLedgerClosed: clio may send a transaction of
// ledger N+1 before ledgerClosed(N+1) (its ledger and transaction feeds run
// on separate strands). It is held for ledger N+1, not taken as a gap; a
// transaction of a ledger further on, or more than maxEarly held, is one.
func TestTransactionBeforeItsLedgerClosed(t *testing.T) {
	d := newDriver(t)
	d.start()
	d.recv(ledgerMsg(t, 101))
	d.recv(txMsg(t, 101, "T1", "Payment", consumedNode(t, fxAsk2, 0)))
	if u := d.recv(txMsg(t, 102, "T2", "Payment", consumedNode(t, fxBid1, 0))); u.Gap || !d.p.Synced() {
		t.Fatalf("a transaction of the next ledger before its ledgerClosed taken as a gap: %+v", u)
	}
	u := d.recv(ledgerMsg(t, 102))
	if u.Gap || len(u.Ledgers) != 1 || len(u.Ledgers[0].Executions) != 1 || u.Ledgers[0].Executions[0].TxHash != "T1" {
		t.Fatalf("ledger 101: %+v", u)
	}
	u = d.recv(ledgerMsg(t, 103))
	if len(u.Ledgers) != 1 || u.Ledgers[0].Ledger.LedgerIndex != 102 {
		t.Fatalf("ledger 102 not published: %+v", u)
	}
	if ex := u.Ledgers[0].Executions; len(ex) != 1 || ex[0].TxHash != "T2" || u.Ledgers[0].Txs != 1 {
		t.Fatalf("ledger 102's executions %+v, want T2's, held until its ledgerClosed", ex)
	}
	if got := len(u.Ledgers[0].After.Bids); got != 1 {
		t.Fatalf("bids after 102 = %d, want 1 (B1 consumed)", got)
	}
	// Two ledgers ahead is a gap.
	if u := d.recv(txMsg(t, 105, "T5", "Payment")); !u.Gap || d.p.Synced() {
		t.Fatalf("a transaction two ledgers ahead: %+v", u)
	}
}

// TestEarlyTransactionsBounded: more than maxEarly transactions of the next
// ledger without its ledgerClosed is a gap.
func TestEarlyTransactionsBounded(t *testing.T) {
	d := newDriver(t)
	d.start()
	d.recv(ledgerMsg(t, 101))
	for i := range maxEarly {
		if u := d.recv(txMsg(t, 102, fmt.Sprintf("E%d", i), "Payment")); u.Gap {
			t.Fatalf("gap after %d held transactions", i+1)
		}
	}
	if u := d.recv(txMsg(t, 102, "LAST", "Payment")); !u.Gap || d.p.Synced() {
		t.Fatalf("%d held transactions and no gap", maxEarly+1)
	}
}

// TestHeldTransactionOfASkippedLedger: a ledgerClosed that skips the ledger
// of a held transaction is a gap; the transaction is kept for the resync's
// catch-up.
func TestHeldTransactionOfASkippedLedger(t *testing.T) {
	d := newDriver(t)
	d.start()
	d.recv(ledgerMsg(t, 101))
	d.recv(txMsg(t, 102, "T2", "OfferCreate", created(t, offerSpec{id: "A9", side: Ask, drops: 1_000_000, price: "2.4995"})))
	if u := d.recv(ledgerMsg(t, 103)); !u.Gap || d.p.Synced() {
		t.Fatalf("ledger 102 skipped and no gap: %+v", u)
	}
	id := d.send(d.p.ResyncRequest())
	d.recv(bookPage(t, id, 101, "", fxAsk1))
	id = d.send(bookOffersReq(DefaultPair, Bid, 101, nil))
	if u := d.recv(bookPage(t, id, 101, "", fxBid1)); !u.Synced {
		t.Fatal("resync did not complete")
	}
	u := d.recv(ledgerMsg(t, 104))
	if len(u.Ledgers) != 1 || len(u.Ledgers[0].After.Asks) != 2 {
		t.Fatalf("ledger 103 after the resync at 101: %+v, want A1 and the held A9", u.Ledgers)
	}
}

// TestTransactionAfterItsLedgerWasPublished: clio's transaction feed can
// also lag its ledger feed, so a transaction of a ledger already published
// may come after the next ledgerClosed. The book missed it: a gap (the
// resync rebuilds the book), never a silent drop. A copy of a transaction
// already applied is no gap.
func TestTransactionAfterItsLedgerWasPublished(t *testing.T) {
	d := newDriver(t)
	d.start()
	d.recv(ledgerMsg(t, 101))
	d.recv(txMsg(t, 101, "T1", "Payment", consumedNode(t, fxAsk2, 0)))
	d.recv(ledgerMsg(t, 102))
	if u := d.recv(txMsg(t, 101, "T1", "Payment", consumedNode(t, fxAsk2, 0))); u.Gap || !d.p.Synced() {
		t.Fatalf("a copy of an applied transaction taken as a gap: %+v", u)
	}
	if u := d.recv(txMsg(t, 101, "LATE", "Payment", consumedNode(t, fxBid1, 0))); !u.Gap || d.p.Synced() {
		t.Fatalf("a transaction of a published ledger dropped without a gap: %+v", u)
	}
}
