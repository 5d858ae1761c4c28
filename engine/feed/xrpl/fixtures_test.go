package xrpl

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"testing"
)

// Fixture builders. The shapes follow the documented examples: the order
// book stream message and the transaction stream message of
// https://xrpl.org/docs/references/http-websocket-apis/public-api-methods/subscription-methods/subscribe
// (tx_json, meta.AffectedNodes, validated, ledger_index, close_time_iso,
// owner_funds in tx_json), the book_offers response of
// https://xrpl.org/docs/references/http-websocket-apis/public-api-methods/path-and-order-book-methods/book_offers
// and the amm_info response of .../amm_info. Account addresses are made up
// but well formed; ledger entry IDs are 64 hex digits.

const (
	issuer  = DefaultIssuer
	cur     = DefaultCurrency
	ammAcct = "rAMMpoolXXXXXXXXXXXXXXXXXXXXXXXXXX"
	alice   = "rAliceXXXXXXXXXXXXXXXXXXXXXXXXXXXX"
	bob     = "rBobXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"
)

// oid makes a 64-hex offer ID from a short name.
func oid(name string) string {
	h := fmt.Sprintf("%X", name)
	return h + strings.Repeat("0", 64-len(h))
}

// dirFor encodes a quality into a BookDirectory the way the ledger does:
// the last 64 bits are (exponent+100)<<56 | 16-digit mantissa.
func dirFor(q Decimal) string {
	q = normalize(q)
	v := uint64(q.Exponent+100)<<56 | uint64(q.Mantissa)
	return strings.Repeat("A", 48) + fmt.Sprintf("%016X", v)
}

// priceQuality returns the quality of an offer at price (currency per
// XRP): an ask's is price/1e6 per drop, a bid's 1e6/price drops per unit.
func priceQuality(t testing.TB, side Side, price string) Decimal {
	t.Helper()
	p, ok := new(big.Rat).SetString(price)
	if !ok {
		t.Fatalf("bad price %q", price)
	}
	if side == Ask {
		return ratQuality(p.Quo(p, big.NewRat(DropsPerXRP, 1)))
	}
	return ratQuality(p.Inv(p).Mul(p, big.NewRat(DropsPerXRP, 1)))
}

func iou(v string) map[string]any {
	return map[string]any{"currency": cur, "issuer": issuer, "value": v}
}

// offerFields builds TakerGets/TakerPays for an offer selling (Ask) or
// buying (Bid) xrpDrops at price: the issued leg is exact.
func offerFields(t testing.TB, side Side, xrpDrops int64, price string) (gets, pays any) {
	t.Helper()
	p, _ := new(big.Rat).SetString(price)
	v := new(big.Rat).Mul(p, big.NewRat(xrpDrops, DropsPerXRP))
	s := v.FloatString(12)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	drops := fmt.Sprint(xrpDrops)
	if side == Ask {
		return drops, iou(s)
	}
	return iou(s), drops
}

type offerSpec struct {
	id      string
	side    Side
	drops   int64
	price   string
	account string
	funded  int64 // XRP leg funded, 0 = fully
}

func (o offerSpec) fields(t testing.TB) map[string]any {
	gets, pays := offerFields(t, o.side, o.drops, o.price)
	acct := o.account
	if acct == "" {
		acct = alice
	}
	return map[string]any{
		"Account": acct, "BookDirectory": dirFor(priceQuality(t, o.side, o.price)),
		"BookNode": "0000000000000000", "Flags": 0, "LedgerEntryType": "Offer",
		"OwnerNode": "0000000000000000", "Sequence": 7, "TakerGets": gets, "TakerPays": pays,
	}
}

// bookOffer is an entry of book_offers / a snapshot.
func (o offerSpec) bookOffer(t testing.TB) map[string]any {
	f := o.fields(t)
	delete(f, "LedgerEntryType")
	f["LedgerEntryType"] = "Offer"
	f["index"] = oid(o.id)
	f["quality"] = priceQuality(t, o.side, o.price).String()
	if o.funded > 0 {
		g, p := offerFields(t, o.side, o.funded, o.price)
		f["taker_gets_funded"], f["taker_pays_funded"] = g, p
	}
	return f
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func created(t testing.TB, o offerSpec) map[string]any {
	return map[string]any{"CreatedNode": map[string]any{
		"LedgerEntryType": "Offer", "LedgerIndex": oid(o.id), "NewFields": o.fields(t),
	}}
}

// consumedNode is a ModifiedNode (partial) or DeletedNode (full) of an
// offer that went from prev to left drops.
func consumedNode(t testing.TB, o offerSpec, left int64) map[string]any {
	prev := o
	now := o
	now.drops = left
	pg, pp := offerFields(t, prev.side, prev.drops, prev.price)
	kind := "ModifiedNode"
	if left == 0 {
		kind = "DeletedNode"
	}
	return map[string]any{kind: map[string]any{
		"LedgerEntryType": "Offer", "LedgerIndex": oid(o.id),
		"FinalFields":    now.fields(t),
		"PreviousFields": map[string]any{"TakerGets": pg, "TakerPays": pp},
	}}
}

// cancelledNode is a DeletedNode without PreviousFields.
func cancelledNode(t testing.TB, o offerSpec) map[string]any {
	return map[string]any{"DeletedNode": map[string]any{
		"LedgerEntryType": "Offer", "LedgerIndex": oid(o.id), "FinalFields": o.fields(t),
	}}
}

func txMsg(t testing.TB, ledger uint32, hash, typ string, nodes ...map[string]any) []byte {
	t.Helper()
	return mustJSON(t, map[string]any{
		"type": "transaction", "validated": true, "status": "closed",
		"engine_result": "tesSUCCESS", "engine_result_code": 0,
		"hash": hash, "ledger_index": ledger, "ledger_hash": strings.Repeat("B", 64),
		"close_time_iso": "2026-12-01T12:00:00Z",
		"tx_json":        map[string]any{"Account": bob, "TransactionType": typ, "Fee": "12", "Sequence": 1},
		"meta":           map[string]any{"AffectedNodes": nodes, "TransactionIndex": 0, "TransactionResult": "tesSUCCESS"},
	})
}

func ledgerMsg(t testing.TB, n uint32) []byte {
	t.Helper()
	return mustJSON(t, map[string]any{
		"type": "ledgerClosed", "fee_base": 10, "ledger_hash": strings.Repeat("C", 64),
		"ledger_index": n, "ledger_time": 817_000_000 + 4*int64(n%1000), "network_id": 0,
		"reserve_base": 1_000_000, "reserve_inc": 200_000, "txn_count": 3,
		"validated_ledgers": fmt.Sprintf("32570-%d", n),
	})
}

func response(t testing.TB, id uint64, result any) []byte {
	t.Helper()
	return mustJSON(t, map[string]any{"id": id, "status": "success", "type": "response", "result": result})
}

func errResponse(t testing.TB, id uint64, code string) []byte {
	t.Helper()
	return mustJSON(t, map[string]any{"id": id, "status": "error", "type": "response", "error": code, "request": map[string]any{"id": id}})
}

// ammNodes are the metadata of a swap through the AMM: its AccountRoot
// balance and its trust line (the AMM is the low account here) move.
func ammNodes(prevDrops, drops int64, prevIOU, nowIOU string) []map[string]any {
	line := func(v string) map[string]any {
		return map[string]any{"currency": cur, "issuer": "rrrrrrrrrrrrrrrrrrrrBZbvji", "value": v}
	}
	lim := func(who string) map[string]any { return map[string]any{"currency": cur, "issuer": who, "value": "0"} }
	return []map[string]any{
		{"ModifiedNode": map[string]any{
			"LedgerEntryType": "AccountRoot", "LedgerIndex": oid("ammroot"),
			"FinalFields":    map[string]any{"Account": ammAcct, "Balance": fmt.Sprint(drops), "Flags": 0, "OwnerCount": 1, "Sequence": 0},
			"PreviousFields": map[string]any{"Balance": fmt.Sprint(prevDrops)},
		}},
		{"ModifiedNode": map[string]any{
			"LedgerEntryType": "RippleState", "LedgerIndex": oid("ammline"),
			"FinalFields":    map[string]any{"Balance": line(nowIOU), "Flags": 0, "HighLimit": lim(issuer), "LowLimit": lim(ammAcct)},
			"PreviousFields": map[string]any{"Balance": line(prevIOU)},
		}},
	}
}

func ammInfo(t testing.TB, id uint64, drops int64, value string, fee int) []byte {
	t.Helper()
	return response(t, id, map[string]any{
		"amm": map[string]any{
			"account": ammAcct, "amount": fmt.Sprint(drops), "amount2": iou(value),
			"lp_token":    map[string]any{"currency": "039C99CD9AB0B70B32ECDA51EAAE471625608EA2", "issuer": ammAcct, "value": "1000"},
			"trading_fee": fee,
		},
		"ledger_index": 100, "validated": true,
	})
}
