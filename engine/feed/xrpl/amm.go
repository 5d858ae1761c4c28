package xrpl

import (
	"encoding/json"
	"math/big"
)

// AMM is the pool of the pair's automated market maker, kept from amm_info
// and then from the metadata of transactions that touch the AMM account
// (the feed subscribes to that account: swaps that go only through the AMM
// never show on the book stream).
type AMM struct {
	Account    string
	XRPDrops   int64
	Currency   Decimal // issued-currency side of the pool
	TradingFee int64   // in 1/100000 (1 = 0.001 %)
}

// Present reports whether the pair has an AMM with both sides funded.
func (a *AMM) Present() bool {
	return a != nil && a.Account != "" && a.XRPDrops > 0 && a.Currency.Sign() > 0
}

// Price is the pool's spot price, issued currency per XRP, exactly; nil
// without a pool.
func (a *AMM) Price() *big.Rat {
	if !a.Present() {
		return nil
	}
	r := a.Currency.Rat()
	return r.Mul(r, big.NewRat(DropsPerXRP, a.XRPDrops))
}

// AMMFromInfo reads amm_info's pool, classifying amount and amount2 by
// type: the XRP one is a drops string.
func AMMFromInfo(res AMMInfoResult, p Pair) (AMM, bool) {
	a1, err1 := ParseAmount(res.AMM.Amount)
	a2, err2 := ParseAmount(res.AMM.Amount2)
	if err1 != nil || err2 != nil || res.AMM.Account == "" {
		return AMM{}, false
	}
	if !a1.XRP {
		a1, a2 = a2, a1
	}
	if !a1.XRP || !p.isOurs(a2) {
		return AMM{}, false
	}
	return AMM{Account: res.AMM.Account, XRPDrops: a1.Drops, Currency: a2.Value, TradingFee: res.AMM.TradingFee}, true
}

// ammLiquidityTx are the AMM transaction types that move both pool sides
// without being a trade.
var ammLiquidityTx = map[string]bool{
	"AMMCreate": true, "AMMDeposit": true, "AMMWithdraw": true,
	"AMMDelete": true, "AMMClawback": true,
}

// issuedField is a RippleState limit or balance: an issued amount object.
type issuedField struct {
	Currency string `json:"currency"`
	Issuer   string `json:"issuer"`
	Value    string `json:"value"`
}

// ApplyTx updates the pool from a validated transaction and returns the
// swap it made, if any: the AMM account's XRP balance (its AccountRoot) and
// its trust line to the issuer (a RippleState whose Balance is from the low
// account's side) moving in opposite directions.
func (a *AMM) ApplyTx(tx *Tx, p Pair) (Execution, bool) {
	if a == nil || a.Account == "" {
		return Execution{}, false
	}
	var dXRP int64
	dIOU := new(big.Rat)
	touched := false
	for i := range tx.Nodes {
		n := &tx.Nodes[i]
		switch n.EntryType {
		case "AccountRoot":
			if d, ok := a.applyAccountRoot(n); ok {
				dXRP += d
				touched = true
			}
		case "RippleState":
			if a.applyLine(n, p, dIOU) {
				touched = true
			}
		case "AMM":
			a.applyFee(n)
		}
	}
	if !touched || ammLiquidityTx[tx.Type] {
		return Execution{}, false
	}
	return swap(tx.Hash, dXRP, dIOU)
}

// applyFee takes the trading fee from the pool's AMM entry (created or
// modified; another AMM a payment went through is not ours). ltAMM
// declares sfTradingFee soeDEFAULT (rippled
// include/xrpl/protocol/detail/ledger_entries.macro): a fee of 0 is left
// out of the entry, so FinalFields without TradingFee mean 0.
func (a *AMM) applyFee(n *Node) {
	if n.Action == Deleted || n.Final.Account != a.Account {
		return
	}
	a.TradingFee = 0
	if n.Final.TradingFee != nil {
		a.TradingFee = *n.Final.TradingFee
	}
}

// applyAccountRoot takes the pool's XRP side from the AMM account's
// AccountRoot Balance (drops); it returns the change and whether the node
// was the AMM account's.
func (a *AMM) applyAccountRoot(n *Node) (int64, bool) {
	if n.Final.Account != a.Account || len(n.Final.Balance) == 0 {
		return 0, false
	}
	fin, err := ParseAmount(n.Final.Balance)
	if err != nil || !fin.XRP {
		return 0, false
	}
	var d int64
	if n.Previous != nil && len(n.Previous.Balance) > 0 {
		if prev, err := ParseAmount(n.Previous.Balance); err == nil && prev.XRP {
			d = fin.Drops - prev.Drops
		}
	}
	a.XRPDrops = fin.Drops
	return d, true
}

// applyLine takes the pool's currency side from the AMM's trust line to the
// issuer (zero when the line is deleted), adds the change as held by the
// AMM to dIOU, and reports whether the node was that line.
func (a *AMM) applyLine(n *Node, p Pair, dIOU *big.Rat) bool {
	sign, ok := a.lineSide(n.Final, p)
	if !ok {
		return false
	}
	fin, ok := lineBalance(n.Final.Balance)
	if !ok {
		return false
	}
	hold := fin
	if sign < 0 {
		hold.Mantissa = -hold.Mantissa
	}
	if n.Previous != nil && len(n.Previous.Balance) > 0 {
		if prev, ok := lineBalance(n.Previous.Balance); ok {
			d := new(big.Rat).Sub(fin.Rat(), prev.Rat())
			if sign < 0 {
				d.Neg(d)
			}
			dIOU.Add(dIOU, d)
		}
	}
	if n.Action == Deleted {
		hold = Decimal{}
	}
	a.Currency = hold
	return true
}

// swap is the execution of a transaction that moved the pool's sides in
// opposite directions by dXRP drops and dIOU (both as held by the pool);
// false when it was not a swap (one side unchanged, or both in or both out).
func swap(hash string, dXRP int64, dIOU *big.Rat) (Execution, bool) {
	if dXRP == 0 || dIOU.Sign() == 0 || (dXRP > 0) == (dIOU.Sign() > 0) {
		return Execution{}, false
	}
	x := dXRP
	if x < 0 {
		x = -x
	}
	price := new(big.Rat).Abs(dIOU)
	price.Mul(price, big.NewRat(DropsPerXRP, x))
	side := Ask // XRP into the pool: the taker sold XRP
	if dXRP < 0 {
		side = Bid
	}
	return Execution{Source: "amm", Side: side, XRPDrops: x, Price: price, TxHash: hash}, true
}

// lineSide tells whether a trust line is the AMM's line in the pair's
// currency, and from which side: +1 when the AMM is the low account (a
// positive Balance is held by it), -1 when it is the high account.
func (a *AMM) lineSide(f *Fields, p Pair) (int, bool) {
	var hi, lo issuedField
	if json.Unmarshal(f.HighLimit, &hi) != nil || json.Unmarshal(f.LowLimit, &lo) != nil {
		return 0, false
	}
	if hi.Currency != p.Currency || lo.Currency != p.Currency {
		return 0, false
	}
	switch {
	case lo.Issuer == a.Account && hi.Issuer == p.Issuer:
		return 1, true
	case hi.Issuer == a.Account && lo.Issuer == p.Issuer:
		return -1, true
	}
	return 0, false
}

func lineBalance(raw json.RawMessage) (Decimal, bool) {
	var b issuedField
	if json.Unmarshal(raw, &b) != nil || b.Value == "" {
		return Decimal{}, false
	}
	d, err := ParseDecimal(b.Value)
	return d, err == nil
}

// IssuerFacts are the issuer settings that cost a trader: the transfer fee
// on every transfer of the currency between non-issuers, and the tick size
// to which offer qualities are rounded up (QuoteQuality).
type IssuerFacts struct {
	TransferRate uint64 // 0 or 1e9 = none; 1002000000 = 0.2 %
	// TickSize is 3 to 15 when set; 0 = none: qualities keep all 16
	// significant digits (rippled's Quality::maxTickSize is 16,
	// include/xrpl/protocol/Quality.h).
	TickSize uint8
}

// TransferFee is the transfer fee as a fraction (1002000000 → 0.002).
func (f IssuerFacts) TransferFee() float64 {
	if f.TransferRate <= 1_000_000_000 {
		return 0
	}
	return float64(f.TransferRate-1_000_000_000) / 1e9
}

// applyIssuer picks up AccountSet changes of the issuer from metadata.
func (f *IssuerFacts) applyIssuer(tx *Tx, issuer string) {
	for i := range tx.Nodes {
		n := &tx.Nodes[i]
		if n.EntryType != "AccountRoot" || n.Final.Account != issuer || n.Action == Deleted {
			continue
		}
		// FinalFields hold the whole entry: a field absent there is unset.
		f.TransferRate, f.TickSize = 0, 0
		if n.Final.TransferRate != nil {
			f.TransferRate = *n.Final.TransferRate
		}
		if n.Final.TickSize != nil {
			f.TickSize = *n.Final.TickSize
		}
	}
}
