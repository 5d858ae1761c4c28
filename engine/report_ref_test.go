package engine

// The report as BuildReport computed it before the streaming pass (engine
// report.go at 7d7676d), kept as the reference the streaming pass must
// match figure for figure. Where the two passes differ only in how they
// find their inputs (each fill's mid, the latest valuation), the arithmetic
// on those inputs is report.go's own (report_test.go pins its figures).

import (
	"sort"
	"time"
)

// refBuildReport computes the report of one session from its records at full
// resolution: fills, inventory and valuation snapshots and events, in any
// order (they are sorted by market time here, stably).
func refBuildReport(s SessionSummary, fills []Fill, inv []InventorySnapshot, val []ValuationSnapshot, events []SessionEvent) Report {
	fills = sortedBy(fills, fillTime)
	inv = sortedBy(inv, inventoryTime)
	val = sortedBy(val, valuationTime)

	r := reportHeader(s)
	start, end := refReportMarketSpan(&r, s, fills, inv, val, events)
	pts := refValueCurve(&r, s, inv, val, start, end)
	r.FinalMid = refFinalMid(inv, val)
	trading := refFillStats(&r.Fills, fills, inv)
	r.Fees = refFeeStats(s, r.Fills, fills, inv, val)

	// The P&L split.
	r.PnL.TotalRLUSD = r.EndingValue - s.StartingValue
	r.PnL.TotalPct = pct(r.PnL.TotalRLUSD, s.StartingValue)
	r.PnL.TradingRLUSD = trading
	r.PnL.FeesRLUSD = -r.Fees.TotalRLUSD
	r.PnL.InventoryRLUSD = r.PnL.TotalRLUSD - r.PnL.TradingRLUSD - r.PnL.FeesRLUSD

	// Against holding the starting balances.
	r.Hold.HoldValueRLUSD = s.StartingValue
	if r.FinalMid > 0 {
		r.Hold.HoldValueRLUSD = s.StartingRLUSD + s.StartingXRP*r.FinalMid
	}
	r.Hold.HoldPnLRLUSD = r.Hold.HoldValueRLUSD - s.StartingValue
	r.Hold.ValueVsHoldRLUSD = r.EndingValue - r.Hold.HoldValueRLUSD

	r.MaxDrawdown = refMaxDrawdown(pts)
	r.SkewTiers = refTierTimes(inv, end)
	r.Daily = refDailyPnL(pts, s.StartingValue)
	r.Events = eventStats(events)
	return r
}

// refReportMarketSpan sets r's market span, as recorded on the session, else
// from the records, and returns its ends (nil when unknown).
func refReportMarketSpan(r *Report, s SessionSummary, fills []Fill, inv []InventorySnapshot, val []ValuationSnapshot, events []SessionEvent) (start, end *time.Time) {
	first, last, haveRecords := refRecordSpan(fills, inv, val, events)
	start, end = sessionMarketSpan(s.Session)
	if start == nil && haveRecords {
		start = &first
	}
	if end == nil && haveRecords {
		end = &last
	}
	r.MarketStart, r.MarketEnd = utcPtr(start), utcPtr(end)
	if start != nil && end != nil && end.After(*start) {
		r.MarketSpanSeconds = end.Sub(*start).Seconds()
	}
	return start, end
}

// refValueCurve returns the value over market time (the start, every snapshot,
// the end) and sets r's ending value: as recorded, else the curve's last
// point, else the starting value.
func refValueCurve(r *Report, s SessionSummary, inv []InventorySnapshot, val []ValuationSnapshot, start, end *time.Time) []valuePoint {
	var pts []valuePoint
	if start != nil {
		pts = append(pts, valuePoint{*start, s.StartingValue})
	}
	pts = append(pts, refMergeValues(inv, val)...)
	if s.EndingValue != nil && end != nil && (len(pts) == 0 || !end.Before(pts[len(pts)-1].at)) {
		pts = append(pts, valuePoint{*end, *s.EndingValue})
	}
	switch {
	case s.EndingValue != nil:
		r.EndingValue = *s.EndingValue
	case len(pts) > 0:
		r.EndingValue = pts[len(pts)-1].v
	default:
		r.EndingValue = s.StartingValue
	}
	return pts
}

// refFinalMid is the latest snapshot's mid (inventory snapshots win a tie: the
// shutdown writes both at one mid); 0 without snapshots.
func refFinalMid(inv []InventorySnapshot, val []ValuationSnapshot) float64 {
	var mid float64
	var lastMidAt time.Time
	if len(val) > 0 {
		mid, lastMidAt = val[len(val)-1].MidPrice, valuationTime(val[len(val)-1])
	}
	if len(inv) > 0 && !inventoryTime(inv[len(inv)-1]).Before(lastMidAt) {
		mid = inv[len(inv)-1].MidPrice
	}
	return mid
}

// refFillStats counts the fills per side into fs and returns the spread
// captured against the mid at each fill, found by refMidAt. The counting
// is the streaming pass's own (fillStats): what the reference checks is the
// mid each fill gets.
func refFillStats(fs *FillStats, fills []Fill, inv []InventorySnapshot) float64 {
	mids := make([]float64, len(fills))
	for i, f := range fills {
		mids[i] = refMidAt(inv, fillTime(f), f.Price)
	}
	return fillStats(fs, fills, mids)
}

// refFeeStats splits the fees as feeStats does, with the latest snapshot
// of each whole series.
func refFeeStats(s SessionSummary, fs FillStats, fills []Fill, inv []InventorySnapshot, val []ValuationSnapshot) FeeStats {
	var lastInv *InventorySnapshot
	if len(inv) > 0 {
		lastInv = &inv[len(inv)-1]
	}
	var lastVal *ValuationSnapshot
	if len(val) > 0 {
		lastVal = &val[len(val)-1]
	}
	return feeStats(s, fs, fills, lastInv, lastVal)
}

// refRecordSpan is the earliest and latest market time among the records.
func refRecordSpan(fills []Fill, inv []InventorySnapshot, val []ValuationSnapshot, events []SessionEvent) (first, last time.Time, ok bool) {
	see := func(t time.Time) {
		if !ok || t.Before(first) {
			first = t
		}
		if !ok || t.After(last) {
			last = t
		}
		ok = true
	}
	for _, f := range fills {
		see(fillTime(f))
	}
	for _, x := range inv {
		see(inventoryTime(x))
	}
	for _, x := range val {
		see(valuationTime(x))
	}
	for _, e := range events {
		see(eventTime(e))
	}
	return first, last, ok
}

// refMergeValues is the total value of every snapshot, inventory and
// valuation, in market-time order (both sorted already).
func refMergeValues(inv []InventorySnapshot, val []ValuationSnapshot) []valuePoint {
	out := make([]valuePoint, 0, len(inv)+len(val))
	i, j := 0, 0
	for i < len(inv) || j < len(val) {
		if j >= len(val) || (i < len(inv) && !inventoryTime(inv[i]).After(valuationTime(val[j]))) {
			out = append(out, valuePoint{inventoryTime(inv[i]), inv[i].TotalValueInRLUSD})
			i++
		} else {
			out = append(out, valuePoint{valuationTime(val[j]), val[j].TotalValueInRLUSD})
			j++
		}
	}
	return out
}

// refMidAt is the mid at a fill's market time: that of the first inventory
// snapshot at or after it, else of the latest one, else the fill's own
// price (no capture counted). The engine writes a snapshot with every fill
// at the mid of the event that filled it, and every snapshot of an event
// has that event's mid, so on market time (one time per event) this is
// exact. On wall time to the millisecond (sessions recorded before market
// time, replays at --speed 0) several events can share a time stamp and a
// fill may get an earlier event's mid: the split between trading and
// inventory is then approximate; the total and the fees are not affected.
// (Matching by balance instead does not work: when several quotes fill on
// one event, each fill's snapshot shows the balance after all of them.)
func refMidAt(inv []InventorySnapshot, at time.Time, price float64) float64 {
	i := sort.Search(len(inv), func(i int) bool { return !inventoryTime(inv[i]).Before(at) })
	switch {
	case i < len(inv):
		return inv[i].MidPrice
	case len(inv) > 0:
		return inv[len(inv)-1].MidPrice
	}
	return price
}

// refMaxDrawdown is the largest fall from a running peak.
func refMaxDrawdown(pts []valuePoint) Drawdown {
	var d Drawdown
	if len(pts) == 0 {
		return d
	}
	peak := pts[0]
	for _, p := range pts[1:] {
		if p.v > peak.v {
			peak = p
			continue
		}
		if dd := peak.v - p.v; dd > d.RLUSD {
			pa, ta := peak.at.UTC(), p.at.UTC()
			d = Drawdown{RLUSD: dd, Pct: pct(dd, peak.v), PeakValue: peak.v, TroughValue: p.v,
				PeakMarketTime: &pa, TroughMarketTime: &ta}
		}
	}
	return d
}

// refTierTimes is the market time at each skew tier, 0 to the highest seen:
// each inventory snapshot's tier holds until the next snapshot, the last
// one's until the end of the span.
func refTierTimes(inv []InventorySnapshot, end *time.Time) []TierTime {
	if len(inv) == 0 {
		return nil
	}
	top := 0
	for _, s := range inv {
		top = max(top, s.SkewTier)
	}
	durs := make([]time.Duration, top+1)
	var total time.Duration
	for i, s := range inv {
		var until time.Time
		switch {
		case i+1 < len(inv):
			until = inventoryTime(inv[i+1])
		case end != nil:
			until = *end
		default:
			until = inventoryTime(s)
		}
		if d := until.Sub(inventoryTime(s)); d > 0 && s.SkewTier >= 0 {
			durs[s.SkewTier] += d
			total += d
		}
	}
	out := make([]TierTime, len(durs))
	for t, d := range durs {
		out[t] = TierTime{Tier: t, Seconds: d.Seconds(), Pct: pct(d.Seconds(), total.Seconds())}
	}
	return out
}

// refDailyPnL is the P&L of each UTC market day that has a record.
func refDailyPnL(pts []valuePoint, startValue float64) []DayPnL {
	var out []DayPnL
	open := startValue
	for i, p := range pts {
		day := p.at.UTC().Format(time.DateOnly)
		if i+1 < len(pts) && pts[i+1].at.UTC().Format(time.DateOnly) == day {
			continue // not the day's last record
		}
		out = append(out, DayPnL{MarketDay: day, OpenValue: open, CloseValue: p.v, PnLRLUSD: p.v - open})
		open = p.v
	}
	return out
}
