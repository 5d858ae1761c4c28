package xrpl

import (
	"fmt"
	"testing"
)

// BenchmarkDecode measures messages decoded per second: a book-stream
// transaction with two consumed offers, a created one and the AMM's nodes.
func BenchmarkDecode(b *testing.B) {
	t := &testing.T{}
	nodes := append([]map[string]any{consumedNode(t, fxAsk2, 0), consumedNode(t, fxAsk1, 60_000_000), created(t, offerSpec{id: "N1", side: Bid, drops: 1_000_000, price: "2.49"})},
		ammNodes(400_000_000_000, 400_100_000_000, "1000000", "999751")...)
	raw := txMsg(t, 101, "T1", "Payment", nodes...)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(raw); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// busyLedger builds a book of 400 offers and a ledger of 250 transactions,
// each consuming one offer partly and creating another: 500 offer changes.
func busyLedger(b *testing.B) (start [][]byte, ledger [][]byte) {
	t := &testing.T{}
	var asks, bids []offerSpec
	for i := range 200 {
		asks = append(asks, offerSpec{id: fmt.Sprintf("a%d", i), side: Ask, drops: 100_000_000, price: fmt.Sprintf("2.5%03d", i)})
		bids = append(bids, offerSpec{id: fmt.Sprintf("b%d", i), side: Bid, drops: 100_000_000, price: fmt.Sprintf("2.4%03d", 999-i)})
	}
	start = append(start, bookPage(t, 1, 100, "", asks...), bookPage(t, 2, 100, "", bids...), ledgerMsg(t, 101))
	for i := range 250 {
		o := asks[i%200]
		if i%2 == 1 {
			o = bids[i%200]
		}
		ledger = append(ledger, txMsg(t, 101, fmt.Sprintf("T%d", i), "OfferCreate",
			consumedNode(t, o, 99_000_000),
			created(t, offerSpec{id: fmt.Sprintf("n%d", i), side: o.side, drops: 5_000_000, price: o.price})))
	}
	ledger = append(ledger, ledgerMsg(t, 102))
	return start, ledger
}

// BenchmarkBusyLedger measures busy ledgers (500 offer changes) processed
// per second: decode, apply to the book, assemble, snapshot the book, and
// run the fill rules for four resting quotes.
func BenchmarkBusyLedger(b *testing.B) {
	start, ledger := busyLedger(b)
	quotes := []PaperQuote{
		{ID: "q1", Side: Bid, Price: 2.4995, QtyXRP: 50, PlacedLedger: 100},
		{ID: "q2", Side: Ask, Price: 2.5005, QtyXRP: 50, PlacedLedger: 100},
		{ID: "q3", Side: Bid, Price: 2.49, QtyXRP: 50, PlacedLedger: 100},
		{ID: "q4", Side: Ask, Price: 2.51, QtyXRP: 50, PlacedLedger: 100},
	}
	b.ReportAllocs()
	var changes int
	for b.Loop() {
		b.StopTimer()
		p := NewProcessor(DefaultPair)
		p.Connected()
		p.subbed = true
		p.Sent([]byte(`{"id":1,"command":"book_offers","taker_gets":{"currency":"XRP"},"ledger_index":"validated"}`))
		p.Sent([]byte(`{"id":2,"command":"book_offers","taker_gets":{"currency":"RLUSD"},"ledger_index":100}`))
		for _, m := range start {
			p.Received(m)
		}
		if !p.Synced() {
			b.Fatal("not synced")
		}
		m := NewMatcher()
		b.StartTimer()
		var res []LedgerResult
		for _, msg := range ledger {
			res = append(res, p.Received(msg).Ledgers...)
		}
		if len(res) != 1 || res[0].Txs != 250 {
			b.Fatalf("ledgers %d", len(res))
		}
		m.Ledger(&res[0], quotes, true)
		changes = 2 * res[0].Txs
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ledgers/s")
	b.ReportMetric(float64(changes), "offer-changes/ledger")
}
