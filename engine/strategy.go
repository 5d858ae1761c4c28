package engine

import "math"

// QuoteIntent is a price and size the strategy wants on one side.
type QuoteIntent struct {
	Side   Side
	Price  float64
	QtyXRP float64
}

// Quotes is what the strategy wants resting: at most one order a side.
type Quotes struct {
	Centre float64      // anchor clamped around the mid
	Bid    *QuoteIntent // nil: do not quote this side
	Ask    *QuoteIntent
	Tier   int
}

// Centre clamps the anchor to within maxDivergenceBps of the mid. With no
// anchor (0) the centre is the mid.
func Centre(mid, anchor, maxDivergenceBps float64) float64 {
	if anchor <= 0 {
		return mid
	}
	lo := mid * (1 - maxDivergenceBps/1e4)
	hi := mid * (1 + maxDivergenceBps/1e4)
	return math.Min(math.Max(anchor, lo), hi)
}

// DivergenceBps is the anchor's distance from the mid in basis points.
func DivergenceBps(mid, anchor float64) float64 {
	if anchor <= 0 || mid <= 0 {
		return 0
	}
	return (anchor - mid) / mid * 1e4
}

// MakeQuotes computes the quotes for a centre and an inventory drift: each side
// base_size_rlusd at half_spread_bps from the centre, both shifted against
// the drift by the tier's skew; at the top tier only the side that reduces
// the drift quotes.
func MakeQuotes(cfg StrategyConfig, centre, driftPct float64) Quotes {
	return MakeQuotesAtTier(cfg, centre, driftPct, SkewTier(driftPct, cfg.SkewTierThresholdsPct))
}

// MakeQuotesAtTier is MakeQuotes at a given skew tier: the engine passes
// its hysteretic tier (NextSkewTier), so that quotes, snapshots and
// tier_change events agree.
func MakeQuotesAtTier(cfg StrategyConfig, centre, driftPct float64, tier int) Quotes {
	q := Quotes{Centre: centre, Tier: tier}
	if centre <= 0 {
		return q
	}
	skew := 0.0
	if tier > 0 && tier <= len(cfg.SkewTierBps) {
		skew = cfg.SkewTierBps[tier-1]
	}
	// Long XRP (drift > 0): shift both quotes down so that selling is more
	// likely and buying less; short XRP: up.
	if driftPct > 0 {
		skew = -skew
	}
	shifted := centre * (1 + skew/1e4)
	bid := shifted * (1 - cfg.HalfSpreadBps/1e4)
	ask := shifted * (1 + cfg.HalfSpreadBps/1e4)
	top := len(cfg.SkewTierThresholdsPct) > 0 && tier == len(cfg.SkewTierThresholdsPct)
	if !top || driftPct < 0 {
		q.Bid = &QuoteIntent{Side: Buy, Price: bid, QtyXRP: cfg.BaseSizeRLUSD / bid}
	}
	if !top || driftPct > 0 {
		q.Ask = &QuoteIntent{Side: Sell, Price: ask, QtyXRP: cfg.BaseSizeRLUSD / ask}
	}
	return q
}
