package xrpl

import (
	"testing"
)

// docBookStream is the order book stream example of
// https://xrpl.org/docs/references/http-websocket-apis/public-api-methods/subscription-methods/subscribe
// (API v2: tx_json, owner_funds inside tx_json), cut to the offer node and
// given the top-level fields the transaction-stream table documents
// (validated, ledger_index, hash, close_time_iso).
const docBookStream = `{
  "tx_json": {
    "Account": "rBTwLga3i2gz3doX6Gva3MgEV8ZCD8jjah", "Fee": "20", "Flags": 0,
    "LastLedgerSequence": 91826205, "OfferSequence": 156917168, "Sequence": 156917177,
    "TakerGets": "35992000000",
    "TakerPays": {"currency": "USD", "issuer": "rhub8VRN55s94qWKDv6jmDy1pUykJzF3wq", "value": "18570.025718376"},
    "TransactionType": "OfferCreate", "date": 783819060, "owner_funds": "36054185999"
  },
  "meta": {"AffectedNodes": [{"CreatedNode": {"LedgerEntryType": "Offer",
    "LedgerIndex": "C0A4B3E4E1D2B9A8F7E6D5C4B3A29180716253443526170819283746556473829",
    "NewFields": {"Account": "rBTwLga3i2gz3doX6Gva3MgEV8ZCD8jjah",
      "BookDirectory": "DFA3B6DDAB58C7E8E5D944E736DA4B7046C30E4F460FD9DE4B03F28CB71571C7",
      "Sequence": 156917177, "TakerGets": "35992000000",
      "TakerPays": {"currency": "USD", "issuer": "rhub8VRN55s94qWKDv6jmDy1pUykJzF3wq", "value": "18570.025718376"}}}}],
    "TransactionIndex": 3, "TransactionResult": "tesSUCCESS"},
  "type": "transaction", "validated": true, "status": "closed",
  "close_time_iso": "2024-11-01T23:31:00Z", "engine_result": "tesSUCCESS",
  "hash": "0C2DE2B3F1C1B4A9E8D7C6B5A4938271605F4E3D2C1B0A9988776655443322110",
  "ledger_index": 91826203
}`

func TestDecodeDocBookStream(t *testing.T) {
	m, err := Decode([]byte(docBookStream))
	if err != nil {
		t.Fatal(err)
	}
	tx := m.Tx
	if m.Kind != KindTransaction || tx == nil || !tx.Validated || tx.LedgerIndex != 91826203 || tx.Type != "OfferCreate" || tx.OwnerFunds != "36054185999" {
		t.Fatalf("decoded %+v / %+v", m, tx)
	}
	if len(tx.Nodes) != 1 || tx.Nodes[0].Action != Created || tx.Nodes[0].EntryType != "Offer" || tx.Nodes[0].Previous != nil {
		t.Fatalf("nodes %+v", tx.Nodes)
	}
	// The USD book: an ask of 35992 XRP, funded by owner_funds.
	b := NewBook(Pair{Currency: "USD", Issuer: "rhub8VRN55s94qWKDv6jmDy1pUykJzF3wq"})
	b.ApplyTx(tx)
	s := b.Snapshot()
	if len(s.Asks) != 1 || s.Asks[0].SizeDrops != 35992000000 || s.Asks[0].FundedDrops != 35992000000 {
		t.Fatalf("book %+v", s)
	}
}

// hummingbotV1Stream is the book stream message of Hummingbot's XRPL
// connector test (test/hummingbot/connector/exchange/xrpl/
// test_xrpl_api_order_book_data_source.py): API v1 shape ("transaction",
// no tx_json) and no "validated" field. The docs win: we ask for API v2 and
// apply only messages with "validated": true (the transaction-stream table
// of the subscribe page), so the fixture's message decodes (the v1 body is
// read as a fallback) but changes no book until it says validated.
const hummingbotV1Stream = `{"transaction": {"Account": "r2XdzWFVoHGfGVmXugtKhxMu3bqhsYiWK", "Fee": "10", "Flags": 786432,
  "Sequence": 84437780, "TakerGets": "502953",
  "TakerPays": {"currency": "534F4C4F00000000000000000000000000000000", "issuer": "rsoLo2S1kiGeCcn6hCUXVrCpGMWLrRrLZz", "value": "2.239836701211152"},
  "TransactionType": "OfferCreate", "date": 772640450},
 "meta": {"AffectedNodes": [{"ModifiedNode": {
   "FinalFields": {"Account": "rhqTdSsJAaEReRsR27YzddqyGoWTNMhEvC",
     "BookDirectory": "5C8970D155D65DB8FF49B291D7EFFA4A09F9E8A68D9974B25A07F01A195F8476", "BookNode": "0", "Flags": 0, "OwnerNode": "2", "Sequence": 71762948,
     "TakerGets": {"currency": "534F4C4F00000000000000000000000000000000", "issuer": "rsoLo2S1kiGeCcn6hCUXVrCpGMWLrRrLZz", "value": "42.50531785780174"},
     "TakerPays": "9497047"},
   "LedgerEntryType": "Offer",
   "PreviousFields": {"TakerGets": {"currency": "534F4C4F00000000000000000000000000000000", "issuer": "rsoLo2S1kiGeCcn6hCUXVrCpGMWLrRrLZz", "value": "44.756352009"}, "TakerPays": "10000000"},
   "LedgerIndex": "186D33545697D90A5F18C1541F2228A629435FC540D473574B3B75FEA7B4B88B"}}],
  "TransactionIndex": 0, "TransactionResult": "tesSUCCESS"},
 "type": "transaction", "ledger_index": 88954500}`

func TestDecodeHummingbotV1Fixture(t *testing.T) {
	m, err := Decode([]byte(hummingbotV1Stream))
	if err != nil {
		t.Fatal(err)
	}
	if m.Tx.Type != "OfferCreate" || m.Tx.Validated || len(m.Tx.Nodes) != 1 {
		t.Fatalf("decoded %+v", m.Tx)
	}
	// Validated, it is a partial consumption of a SOLO bid: the taker sold
	// 0.502953 XRP for 2.251034… SOLO.
	m.Tx.Validated = true
	b := NewBook(Pair{Currency: "534F4C4F00000000000000000000000000000000", Issuer: "rsoLo2S1kiGeCcn6hCUXVrCpGMWLrRrLZz"})
	ex := b.ApplyTx(m.Tx)
	if len(ex) != 1 || ex[0].Side != Ask || ex[0].XRPDrops != 502953 {
		t.Fatalf("executions %+v", ex)
	}
	if got := ex[0].Price.FloatString(6); got != "4.475635" { // (44.756352009 − 42.50531785780174) / 0.502953
		t.Fatalf("price %s SOLO per XRP", got)
	}
	// The unvalidated original changes nothing in the processor.
	p := NewProcessor(Pair{Currency: "534F4C4F00000000000000000000000000000000", Issuer: "rsoLo2S1kiGeCcn6hCUXVrCpGMWLrRrLZz"})
	p.Received(ledgerMsg(t, 88954500))
	if u := p.Received([]byte(hummingbotV1Stream)); u.Err != nil || p.open.txs != 0 {
		t.Fatalf("unvalidated message applied: %+v txs=%d", u, p.open.txs)
	}
}
