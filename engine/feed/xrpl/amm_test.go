package xrpl

import (
	"testing"
)

// ammEntryNode is a ModifiedNode of an AMM ledger entry (an AMMVote
// changed its fee); fee < 0 leaves TradingFee out, as rippled does for a
// fee of 0 (sfTradingFee is soeDEFAULT on ltAMM).
func ammEntryNode(account string, fee int) map[string]any {
	final := map[string]any{
		"Account": account, "Flags": 0, "OwnerNode": "0",
		"Asset":             map[string]any{"currency": "XRP"},
		"Asset2":            map[string]any{"currency": cur, "issuer": issuer},
		"LPTokenBalance":    map[string]any{"currency": "039C99CD9AB0B70B32ECDA51EAAE471625608EA2", "issuer": account, "value": "1000"},
		"VoteSlots":         []any{},
		"PreviousTxnID":     oid("prev"),
		"PreviousTxnLgrSeq": 99,
	}
	prev := map[string]any{"TradingFee": 500}
	if fee >= 0 {
		final["TradingFee"] = fee
		prev["TradingFee"] = 0
	}
	return map[string]any{"ModifiedNode": map[string]any{
		"LedgerEntryType": "AMM", "LedgerIndex": oid("amm" + account[1:6]),
		"FinalFields": final, "PreviousFields": prev,
	}}
}

// TestAMMTradingFeeVotedToZero: an AMMVote that brings the fee to 0 leaves
// TradingFee out of FinalFields; the pool's fee is then 0, not the old one.
// Another AMM's entry in the same metadata does not change ours.
func TestAMMTradingFeeVotedToZero(t *testing.T) {
	a := AMM{Account: ammAcct, XRPDrops: 400_000_000_000, Currency: Decimal{Mantissa: 1_000_000, Exponent: 0}, TradingFee: 500}
	apply := func(nodes ...map[string]any) {
		t.Helper()
		m, err := Decode(txMsg(t, 101, "V1", "AMMVote", nodes...))
		if err != nil {
			t.Fatal(err)
		}
		if _, swapped := a.ApplyTx(m.Tx, DefaultPair); swapped {
			t.Fatal("a vote is not a swap")
		}
	}
	apply(ammEntryNode(ammAcct, 250))
	if a.TradingFee != 250 {
		t.Fatalf("fee = %d after a vote to 250", a.TradingFee)
	}
	apply(ammEntryNode(ammAcct, -1))
	if a.TradingFee != 0 {
		t.Fatalf("fee = %d after a vote to 0 (TradingFee omitted), want 0", a.TradingFee)
	}
	apply(ammEntryNode(ammAcct, 120), ammEntryNode(bob, -1), ammEntryNode(alice, 900))
	if a.TradingFee != 120 {
		t.Fatalf("fee = %d: another AMM's entry changed ours (want 120)", a.TradingFee)
	}
}
