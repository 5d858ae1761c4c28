package xrpl

import (
	"testing"
)

// FuzzDecodeMessage holds the decoder and the processor to "never panic,
// whatever the server sends": every input is decoded and then fed to a
// processor with a synced book and a pending request of each kind.
func FuzzDecodeMessage(f *testing.F) {
	t := &testing.T{}
	seeds := [][]byte{
		ledgerMsg(t, 101),
		txMsg(t, 101, "T1", "Payment", consumedNode(t, fxAsk2, 0), consumedNode(t, fxAsk1, 60_000_000)),
		txMsg(t, 101, "T2", "Payment", ammNodes(400_000_000_000, 400_100_000_000, "1000000", "999751")...),
		txMsg(t, 101, "T3", "OfferCancel", cancelledNode(t, fxBid2)),
		bookPage(t, 5, 100, "M1", fxAsk1, fxBid1),
		ammInfo(t, 3, 1, "1", 1),
		errResponse(t, 1, "slowDown"),
		[]byte(`{"id":2,"status":"success","type":"response","warning":"load","result":{"account_data":{"TransferRate":1002000000,"TickSize":5}}}`),
		[]byte(`{"type":"transaction","validated":true,"ledger_index":"101","meta":{"AffectedNodes":[{"ModifiedNode":{"LedgerEntryType":"Offer","FinalFields":{"TakerGets":"-1","TakerPays":{"currency":"X","value":"1e-99"}},"PreviousFields":{"TakerGets":"5"}}}]}}`),
		[]byte(`{"id":4,"type":"response","result":{"ledger_index":100,"bids":[{"TakerGets":"1","TakerPays":{"currency":"524C555344000000000000000000000000000000","issuer":"rMxCKbEDwqr76QuheSUMdEGf4B9xJ8m5De","value":"9999999999999999e80"},"index":"A","BookDirectory":"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"}]}}`),
		[]byte(`null`), []byte(`[]`), []byte(`"x"`), []byte(`{"type":"ledgerClosed"}`),
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Decode(data)
		if err == nil && m.Kind == KindLedgerClosed && m.Ledger == nil {
			t.Fatal("ledgerClosed without a ledger")
		}
		p := NewProcessor(DefaultPair)
		p.Connected()
		for i, body := range []string{
			`{"id":1,"command":"server_info"}`, `{"id":2,"command":"account_info"}`,
			`{"id":3,"command":"amm_info"}`, `{"id":4,"command":"subscribe"}`,
			`{"id":5,"command":"book_offers","taker_gets":{"currency":"XRP"},"ledger_index":"validated"}`,
		} {
			if err := p.Sent([]byte(body)); err != nil {
				t.Fatalf("seed request %d: %v", i, err)
			}
		}
		p.Received(ledgerMsg(t, 100))
		p.Received(data)
		p.Received(ledgerMsg(t, 101))
		p.Received(data)
		p.Received(ledgerMsg(t, 102))
		s := p.Book()
		s.Levels(Bid, 5)
		s.Levels(Ask, 5)
	})
}
