package engine

// The session report: figures computed from what a session recorded, by a
// pure function (BuildReport) so that `neo report`, the end of a headless
// run and the console's detail view show the same numbers.
//
// The P&L split follows the value of the portfolio at the mid,
// V = RLUSD + XRP × mid. A fill of q XRP at value v (= price × q) with fee f,
// at mid m, changes V by q×m − v − f for a buy and v − q×m − f for a sell:
// the first part is the spread captured against the mid (trading), the fee
// is a cost (fees). Network fees are XRP leaving the balance (fees). Between
// those, V moves only with the mid: XRP × Δmid, the effect of price moves on
// the inventory (inventory), computed as the remainder of the total P&L, so
// that trading + fees + inventory = total holds by construction; the tests
// check the remainder against a hand computation of XRP × Δmid.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"neo/engine/textsafe"
)

// Record times. Each reader below is the one place that says which time of
// a record the report uses; all must be market times.

// fillTime is a fill's market time.
func fillTime(f Fill) time.Time { return f.MarketTime }

// inventoryTime is an inventory snapshot's market time.
func inventoryTime(s InventorySnapshot) time.Time { return s.MarketTime }

// valuationTime is a valuation snapshot's market time.
func valuationTime(s ValuationSnapshot) time.Time { return s.MarketTime }

// eventTime is a session event's market time.
func eventTime(e SessionEvent) time.Time { return e.MarketTime }

// sessionMarketSpan is the session's recorded market span: its first market
// event and its last (nil when unknown; the report then takes the span of
// the records). Sessions recorded before market time have their wall span
// here (schema migration 3).
func sessionMarketSpan(s Session) (start, end *time.Time) {
	return s.MarketStartedAt, s.MarketEndedAt
}

// Report is the session report. Its JSON keys are stable (snake_case);
// times are RFC 3339 in UTC, and each key says whether it is market time
// (the feed's clock: a bar's time, a ledger's close) or wall time (the
// machine's clock while the session ran). Money is in RLUSD unless the key
// says XRP.
type Report struct {
	SessionID string `json:"session_id"`
	Feed      string `json:"feed"`
	Running   bool   `json:"running"` // no end recorded
	// LeftOpen: running, but no process holds the database any more (a
	// crash, kill or power loss; SessionSummary.LeftOpen).
	LeftOpen   bool    `json:"left_open"`
	HaltReason *string `json:"halt_reason"` // null while running
	// Damage names what in the session row could not be read (those
	// figures are zero); absent for a sound row.
	Damage string `json:"damage,omitempty"`

	// Market span: from the first market event to the last.
	MarketStart       *time.Time `json:"market_start"`
	MarketEnd         *time.Time `json:"market_end"`
	MarketSpanSeconds float64    `json:"market_span_seconds"`
	WallStartedAt     time.Time  `json:"wall_started_at"`
	WallEndedAt       *time.Time `json:"wall_ended_at"`

	StartingXRP   float64  `json:"starting_xrp"`
	StartingRLUSD float64  `json:"starting_rlusd"`
	StartingValue float64  `json:"starting_value_rlusd"`
	EndingXRP     *float64 `json:"ending_xrp"`
	EndingRLUSD   *float64 `json:"ending_rlusd"`
	EndingValue   float64  `json:"ending_value_rlusd"` // the recorded ending value, or the latest snapshot's while running
	FinalMid      float64  `json:"final_mid"`          // the latest snapshot's mid (0: none recorded)

	Fills FillStats `json:"fills"`
	PnL   PnLSplit  `json:"pnl"`
	Fees  FeeStats  `json:"fees"`
	Hold  HoldStats `json:"hold"`

	MaxDrawdown Drawdown   `json:"max_drawdown"`
	SkewTiers   []TierTime `json:"skew_tiers"`
	Daily       []DayPnL   `json:"daily_pnl"`
	Events      EventStats `json:"events"`
}

// SideStats are the fills of one side.
type SideStats struct {
	Count       int     `json:"count"`
	VolumeXRP   float64 `json:"volume_xrp"`
	VolumeRLUSD float64 `json:"volume_rlusd"`
	AvgPrice    float64 `json:"avg_price"` // volume-weighted; 0 without fills
	FeesRLUSD   float64 `json:"fees_rlusd"`
}

// FillStats are the fills by side and in all.
type FillStats struct {
	Count       int       `json:"count"`
	VolumeRLUSD float64   `json:"volume_rlusd"`
	Buy         SideStats `json:"buy"`
	Sell        SideStats `json:"sell"`
}

// PnLSplit is the total P&L (ending value − starting value) in three parts
// whose sum is the total: Trading + Fees + Inventory = Total.
type PnLSplit struct {
	TotalRLUSD float64 `json:"total_rlusd"`
	TotalPct   float64 `json:"total_pct"` // of the starting value
	// TradingRLUSD is the spread captured: each fill's value against the
	// mid at the fill.
	TradingRLUSD float64 `json:"trading_rlusd"`
	// FeesRLUSD is minus what trading and network fees cost.
	FeesRLUSD float64 `json:"fees_rlusd"`
	// InventoryRLUSD is the remainder: the effect of price moves on the
	// inventory held.
	InventoryRLUSD float64 `json:"inventory_rlusd"`
}

// FeeStats are the fees paid (positive numbers).
type FeeStats struct {
	TradingRLUSD float64 `json:"trading_rlusd"`
	// NetworkXRP is the ledger's per-transaction cost paid up to the
	// latest snapshot (a running session's too); NetworkRLUSD is its value
	// at that snapshot's mid.
	NetworkXRP   float64 `json:"network_xrp"`
	NetworkRLUSD float64 `json:"network_rlusd"`
	TotalRLUSD   float64 `json:"total_rlusd"`
}

// HoldStats compare the session with holding the starting balances.
type HoldStats struct {
	HoldValueRLUSD   float64 `json:"hold_value_rlusd"`    // starting balances at the final mid
	HoldPnLRLUSD     float64 `json:"hold_pnl_rlusd"`      // hold value − starting value
	ValueVsHoldRLUSD float64 `json:"value_vs_hold_rlusd"` // ending value − hold value
}

// Drawdown is the largest fall of the total value from a peak to a later
// trough. Zero (and no times) when the value never fell.
type Drawdown struct {
	RLUSD            float64    `json:"rlusd"`
	Pct              float64    `json:"pct"` // of the peak
	PeakValue        float64    `json:"peak_value_rlusd"`
	TroughValue      float64    `json:"trough_value_rlusd"`
	PeakMarketTime   *time.Time `json:"peak_market_time"`
	TroughMarketTime *time.Time `json:"trough_market_time"`
}

// TierTime is the market time spent at one skew tier: from each inventory
// snapshot to the next (the last to the end of the market span).
type TierTime struct {
	Tier    int     `json:"tier"`
	Seconds float64 `json:"seconds"`
	Pct     float64 `json:"pct"` // of the time covered by snapshots
}

// DayPnL is the P&L across one UTC day of market time: the value at the
// day's last record against the value at the previous day's last record
// (the starting value for the first day). Days with no record are absent;
// the next day's P&L spans them.
type DayPnL struct {
	MarketDay  string  `json:"market_day"` // 2006-01-02, UTC
	OpenValue  float64 `json:"open_value_rlusd"`
	CloseValue float64 `json:"close_value_rlusd"`
	PnLRLUSD   float64 `json:"pnl_rlusd"`
}

// EventStats count the session's events of note.
type EventStats struct {
	Total       int `json:"total"`
	Warnings    int `json:"warnings"`
	Errors      int `json:"errors"`
	TierChanges int `json:"tier_changes"`
	DataGaps    int `json:"data_gaps"`
}

// valuePoint is the total value at a market time.
type valuePoint struct {
	at time.Time
	v  float64
}

// BuildReport computes the report of one session from its records at full
// resolution: fills, inventory and valuation snapshots and events, in any
// order (they are sorted by market time here, stably). It is the slice form
// of the one streaming pass LoadReport makes over a stored session.
func BuildReport(s SessionSummary, fills []Fill, inv []InventorySnapshot, val []ValuationSnapshot, events []SessionEvent) Report {
	r, _ := streamReport(s, fills, events, eachOf(sortedBy(inv, inventoryTime)), eachOf(sortedBy(val, valuationTime)))
	return r // sorted slices yield no error
}

// LoadReport reads one session and everything its report needs from h, at
// full resolution (every fill, snapshot and event), and builds the report:
// what `neo report` and the console's detail view show. The snapshots are
// streamed, one at a time, in market-time order: the memory it takes grows
// with the fills, the market days and the skew tiers, not with the
// snapshots (a year of one-minute bars is a million of each). ErrNotFound
// (wrapped) when there is no such session.
func LoadReport(ctx context.Context, h History, sessionID string) (Report, error) {
	sum, err := h.GetSession(ctx, sessionID)
	if err != nil {
		return Report{}, err
	}
	fills, err := h.Fills(ctx, sessionID, 0) // 0: all
	if err != nil {
		return Report{}, err
	}
	events, err := h.Events(ctx, sessionID, 0)
	if err != nil {
		return Report{}, err
	}
	inv := func(fn func(InventorySnapshot) error) error { return h.EachInventory(ctx, sessionID, fn) }
	val := func(fn func(ValuationSnapshot) error) error { return h.EachValuation(ctx, sessionID, fn) }
	r, err := streamReport(sum, fills, events, inv, val)
	if err != nil {
		return Report{}, fmt.Errorf("report of session %s: %w", sessionID, err)
	}
	return r, nil
}

// walk calls fn with each record of a series in market-time order; an error
// from fn stops it and is returned.
type walk[T any] func(fn func(T) error) error

// eachOf walks a slice.
func eachOf[T any](xs []T) walk[T] {
	return func(fn func(T) error) error {
		for _, x := range xs {
			if err := fn(x); err != nil {
				return err
			}
		}
		return nil
	}
}

// errStopWalk is what a pulled walk's callback returns when its consumer
// stops early.
var errStopWalk = errors.New("walk stopped")

// puller reads a walk one record at a time (iter.Pull: the two series are
// merged by market time, each with its own query), checking the order.
type puller[T any] struct {
	what string
	at   func(T) time.Time
	next func() (T, error, bool)
	stop func()
	cur  T    // the record under the cursor, when ok
	ok   bool // false at the end of the series
	last time.Time
	seen bool
}

// pull starts reading w and moves to its first record.
func pull[T any](what string, w walk[T], at func(T) time.Time) (*puller[T], error) {
	seq := func(yield func(T, error) bool) {
		err := w(func(x T) error {
			if !yield(x, nil) {
				return errStopWalk
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStopWalk) {
			var zero T
			yield(zero, err)
		}
	}
	p := &puller[T]{what: what, at: at}
	p.next, p.stop = iter.Pull2(seq)
	return p, p.advance()
}

// advance moves to the next record; an error when the series fails or goes
// back in market time (the merge below relies on the order).
func (p *puller[T]) advance() error {
	x, err, ok := p.next()
	if err != nil {
		p.ok = false
		return err // the reader's error says what it read
	}
	p.cur, p.ok = x, ok
	if !ok {
		return nil
	}
	t := p.at(x)
	if p.seen && t.Before(p.last) {
		p.ok = false
		return fmt.Errorf("the %s go back in market time (%s after %s): the reader must return them oldest first",
			p.what, t.UTC().Format(time.RFC3339Nano), p.last.UTC().Format(time.RFC3339Nano))
	}
	p.last, p.seen = t, true
	return nil
}

// streamReport computes the report in one pass over the snapshots in
// market-time order, holding only the fills (sorted here), the events, one
// snapshot of each series, a value per market day and a duration per tier.
func streamReport(s SessionSummary, fills []Fill, events []SessionEvent, inv walk[InventorySnapshot], val walk[ValuationSnapshot]) (Report, error) {
	fills = sortedBy(fills, fillTime)
	ip, err := pull("inventory snapshots", inv, inventoryTime)
	defer ip.stop()
	if err != nil {
		return Report{}, err
	}
	vp, err := pull("valuation snapshots", val, valuationTime)
	defer vp.stop()
	if err != nil {
		return Report{}, err
	}

	r := reportHeader(s)
	// The records' span: the first is known now (the series are in order),
	// the last once they are read.
	span := firstSpan(fills, events, ip, vp)
	start, end := sessionMarketSpan(s.Session)
	if start == nil && span.ok {
		first := span.first
		start = &first
	}

	// The value over market time: the start, every snapshot, the end.
	m := snapshotMerge{mids: newFillMids(fills)}
	m.curve.open = s.StartingValue
	if start != nil {
		m.curve.add(valuePoint{*start, s.StartingValue})
	}
	if err := m.run(ip, vp); err != nil {
		return Report{}, err
	}
	m.seeLast(&span)
	if end == nil && span.ok {
		last := span.last
		end = &last
	}
	r.MarketStart, r.MarketEnd = utcPtr(start), utcPtr(end)
	if start != nil && end != nil && end.After(*start) {
		r.MarketSpanSeconds = end.Sub(*start).Seconds()
	}
	r.EndingValue = m.curve.finish(s, end)

	r.FinalMid = finalMid(m.lastInv, m.lastVal)
	trading := fillStats(&r.Fills, fills, m.mids.done(m.lastInv))
	r.Fees = feeStats(s, r.Fills, fills, m.lastInv, m.lastVal)
	r.PnL = pnlSplit(s.StartingValue, r.EndingValue, trading, r.Fees)
	r.Hold = holdStats(s, r.EndingValue, r.FinalMid)
	r.MaxDrawdown = m.curve.drawdown
	r.SkewTiers = m.tiers.done(end)
	r.Daily = m.curve.days()
	r.Events = eventStats(events)
	return r, nil
}

// firstSpan is the span of the fills and events and of the first snapshot
// of each series (the snapshots' last is seen once they are read).
func firstSpan(fills []Fill, events []SessionEvent, ip *puller[InventorySnapshot], vp *puller[ValuationSnapshot]) timeSpan {
	var span timeSpan
	span.seeFills(fills)
	for _, e := range events {
		span.see(eventTime(e))
	}
	if ip.ok {
		span.see(inventoryTime(ip.cur))
	}
	if vp.ok {
		span.see(valuationTime(vp.cur))
	}
	return span
}

// snapshotMerge folds the two snapshot series, merged by market time, into
// the value curve, the skew tiers and the fills' mids, keeping the last
// snapshot of each series.
type snapshotMerge struct {
	curve   valueFold
	tiers   tierFold
	mids    *fillMids
	lastInv *InventorySnapshot
	lastVal *ValuationSnapshot
}

// run reads both series to their ends in market-time order.
func (m *snapshotMerge) run(ip *puller[InventorySnapshot], vp *puller[ValuationSnapshot]) error {
	for ip.ok || vp.ok {
		// Inventory first on a tie, as the merge always did.
		if ip.ok && (!vp.ok || !inventoryTime(ip.cur).After(valuationTime(vp.cur))) {
			m.inventory(ip.cur)
			if err := ip.advance(); err != nil {
				return err
			}
			continue
		}
		m.valuation(vp.cur)
		if err := vp.advance(); err != nil {
			return err
		}
	}
	return nil
}

// inventory folds one inventory snapshot: a value point, its skew tier and
// the mid of the fills up to it.
func (m *snapshotMerge) inventory(x InventorySnapshot) {
	m.curve.add(valuePoint{inventoryTime(x), x.TotalValueInRLUSD})
	m.tiers.add(x)
	m.mids.see(x)
	m.lastInv = &x
}

// valuation folds one valuation snapshot: a value point.
func (m *snapshotMerge) valuation(x ValuationSnapshot) {
	m.curve.add(valuePoint{valuationTime(x), x.TotalValueInRLUSD})
	m.lastVal = &x
}

// seeLast adds the last snapshot of each series to span.
func (m *snapshotMerge) seeLast(span *timeSpan) {
	if m.lastInv != nil {
		span.see(inventoryTime(*m.lastInv))
	}
	if m.lastVal != nil {
		span.see(valuationTime(*m.lastVal))
	}
}

// finish ends the curve at the session row's ending value, at end, unless
// that is before its last point, and returns the ending value: the session
// row's, else the curve's last point, else the starting value.
func (f *valueFold) finish(s SessionSummary, end *time.Time) float64 {
	if s.EndingValue != nil && end != nil && (f.n == 0 || !end.Before(f.last.at)) {
		f.add(valuePoint{*end, *s.EndingValue})
	}
	switch {
	case s.EndingValue != nil:
		return *s.EndingValue
	case f.n > 0:
		return f.last.v
	default:
		return s.StartingValue
	}
}

// pnlSplit splits the total P&L into trading, fees and the inventory
// remainder, so that the three sum to the total by construction.
func pnlSplit(startingValue, endingValue, trading float64, fees FeeStats) PnLSplit {
	var p PnLSplit
	p.TotalRLUSD = endingValue - startingValue
	p.TotalPct = pct(p.TotalRLUSD, startingValue)
	p.TradingRLUSD = trading
	p.FeesRLUSD = -fees.TotalRLUSD
	p.InventoryRLUSD = p.TotalRLUSD - p.TradingRLUSD - p.FeesRLUSD
	return p
}

// holdStats compares the session with holding its starting balances,
// valued at the final mid (at the starting value without one).
func holdStats(s SessionSummary, endingValue, finalMid float64) HoldStats {
	var h HoldStats
	h.HoldValueRLUSD = s.StartingValue
	if finalMid > 0 {
		h.HoldValueRLUSD = s.StartingRLUSD + s.StartingXRP*finalMid
	}
	h.HoldPnLRLUSD = h.HoldValueRLUSD - s.StartingValue
	h.ValueVsHoldRLUSD = endingValue - h.HoldValueRLUSD
	return h
}

// reportHeader copies what the session row says as recorded: identity,
// wall-clock span, balances, halt reason and the market event count.
func reportHeader(s SessionSummary) Report {
	r := Report{
		SessionID:     s.SessionID,
		Feed:          s.Feed,
		Running:       s.Running(),
		LeftOpen:      s.LeftOpen,
		Damage:        s.Damage,
		WallStartedAt: s.StartedAt.UTC(),
		WallEndedAt:   utcPtr(s.EndedAt),
		StartingXRP:   s.StartingXRP,
		StartingRLUSD: s.StartingRLUSD,
		StartingValue: s.StartingValue,
		EndingXRP:     s.EndingXRP,
		EndingRLUSD:   s.EndingRLUSD,
	}
	if s.HaltReason != "" {
		h := string(s.HaltReason)
		r.HaltReason = &h
	}
	return r
}

// timeSpan is the earliest and latest market time among the records seen.
type timeSpan struct {
	first, last time.Time
	ok          bool
}

func (sp *timeSpan) see(t time.Time) {
	if !sp.ok || t.Before(sp.first) {
		sp.first = t
	}
	if !sp.ok || t.After(sp.last) {
		sp.last = t
	}
	sp.ok = true
}

// seeFills sees the first and last of sorted fills.
func (sp *timeSpan) seeFills(fills []Fill) {
	if len(fills) > 0 {
		sp.see(fillTime(fills[0]))
		sp.see(fillTime(fills[len(fills)-1]))
	}
}

// finalMid is the latest snapshot's mid (inventory snapshots win a tie: the
// shutdown writes both at one mid); 0 without snapshots.
func finalMid(lastInv *InventorySnapshot, lastVal *ValuationSnapshot) float64 {
	var mid float64
	var lastMidAt time.Time
	if lastVal != nil {
		mid, lastMidAt = lastVal.MidPrice, valuationTime(*lastVal)
	}
	if lastInv != nil && !inventoryTime(*lastInv).Before(lastMidAt) {
		mid = lastInv.MidPrice
	}
	return mid
}

// fillMids finds the mid at each fill's market time: that of the first
// inventory snapshot at or after it, else of the latest one, else the
// fill's own price (no capture counted). The engine writes a snapshot with
// every fill at the mid of the event that filled it, and every snapshot of
// an event has that event's mid, so on market time (one time per event)
// this is exact. On wall time to the millisecond (sessions recorded before
// market time, replays at --speed 0) several events can share a time stamp
// and a fill may get an earlier event's mid: the split between trading and
// inventory is then approximate; the total and the fees are not affected.
// (Matching by balance instead does not work: when several quotes fill on
// one event, each fill's snapshot shows the balance after all of them.)
// The snapshots come in market-time order; the fills are sorted, so one
// pointer into them suffices.
type fillMids struct {
	fills []Fill
	mids  []float64
	next  int // the first fill without a mid yet
}

func newFillMids(fills []Fill) *fillMids {
	return &fillMids{fills: fills, mids: make([]float64, len(fills))}
}

// see gives x's mid to every fill not after it that has none yet.
func (m *fillMids) see(x InventorySnapshot) {
	for m.next < len(m.fills) && !inventoryTime(x).Before(fillTime(m.fills[m.next])) {
		m.mids[m.next] = x.MidPrice
		m.next++
	}
}

// done gives the fills after the last snapshot its mid (their own price
// without one) and returns the mids, one per fill.
func (m *fillMids) done(lastInv *InventorySnapshot) []float64 {
	for ; m.next < len(m.fills); m.next++ {
		m.mids[m.next] = m.fills[m.next].Price
		if lastInv != nil {
			m.mids[m.next] = lastInv.MidPrice
		}
	}
	return m.mids
}

// fillStats counts the fills per side into fs and returns the spread
// captured against the mid at each fill (mids[i] is fill i's).
func fillStats(fs *FillStats, fills []Fill, mids []float64) (trading float64) {
	for i, f := range fills {
		side := &fs.Buy
		capture := mids[i]*f.QtyXRP - f.ValueRLUSD
		if f.Side == Sell {
			side = &fs.Sell
			capture = -capture
		}
		trading += capture
		side.Count++
		side.VolumeXRP += f.QtyXRP
		side.VolumeRLUSD += f.ValueRLUSD
		side.FeesRLUSD += f.FeeRLUSD
	}
	for _, side := range []*SideStats{&fs.Buy, &fs.Sell} {
		if side.VolumeXRP > 0 {
			side.AvgPrice = side.VolumeRLUSD / side.VolumeXRP
		}
	}
	fs.Count = fs.Buy.Count + fs.Sell.Count
	fs.VolumeRLUSD = fs.Buy.VolumeRLUSD + fs.Sell.VolumeRLUSD
	return trading
}

// feeStats splits the fees: trading fees from the fills; network fees as
// of the latest snapshot of either series (networkFees), valued at its
// mid.
func feeStats(s SessionSummary, fs FillStats, fills []Fill, lastInv *InventorySnapshot, lastVal *ValuationSnapshot) FeeStats {
	var fee FeeStats
	fee.TradingRLUSD = fs.Buy.FeesRLUSD + fs.Sell.FeesRLUSD
	fee.NetworkXRP, fee.NetworkRLUSD = networkFees(s, fills, lastInv, lastVal)
	fee.TotalRLUSD = fee.TradingRLUSD + fee.NetworkRLUSD
	return fee
}

// halfDropXRP is half the smallest XRP amount (a drop): a network-fee
// figure below it is float noise, not a fee.
const halfDropXRP = 0.5e-6

// networkFees is the network fees paid up to the latest snapshot, in XRP
// and in RLUSD at that snapshot's mid. XRP leaves the balance only by a
// sell or a network fee, and enters it only by a buy, so an inventory
// snapshot holds them exactly: the starting XRP plus the XRP bought minus
// the XRP sold up to it, less its XRP balance. Inventory snapshots come
// with every fill and every snapshot_interval, so a running session's
// figure is as fresh as its value. A valuation snapshot later than the
// last inventory snapshot (they have their own interval) has the newer
// figure: its fees_rlusd less the trading fees so far. So does one when
// the session row is damaged (its starting XRP reads as zero) or the
// balance does not add up.
func networkFees(s SessionSummary, fills []Fill, lastInv *InventorySnapshot, lastVal *ValuationSnapshot) (xrp, rlusd float64) {
	if lastInv != nil && s.Damage == "" && (lastVal == nil || !inventoryTime(*lastInv).Before(valuationTime(*lastVal))) {
		n := s.StartingXRP - lastInv.XRPBalance
		for _, f := range fills {
			if fillTime(f).After(inventoryTime(*lastInv)) {
				break // sorted
			}
			if f.Side == Buy {
				n += f.QtyXRP
			} else {
				n -= f.QtyXRP
			}
		}
		switch {
		case n >= halfDropXRP:
			return n, n * lastInv.MidPrice
		case n > -halfDropXRP:
			return 0, 0
		}
	}
	if lastVal == nil {
		return 0, 0
	}
	var tradingSoFar float64
	for _, f := range fills {
		if !fillTime(f).After(valuationTime(*lastVal)) {
			tradingSoFar += f.FeeRLUSD
		}
	}
	n := lastVal.FeesRLUSD - tradingSoFar
	if !(n > 1e-12) {
		return 0, 0
	}
	if lastVal.MidPrice > 0 {
		xrp = n / lastVal.MidPrice
	}
	return xrp, n
}

// eventStats counts the session's events by level and by kind of note.
func eventStats(events []SessionEvent) EventStats {
	var st EventStats
	for _, e := range events {
		st.Total++
		switch e.Level {
		case LevelWarn:
			st.Warnings++
		case LevelError:
			st.Errors++
		}
		switch e.Kind {
		case "tier_change":
			st.TierChanges++
		case "data_gap":
			st.DataGaps++
		}
	}
	return st
}

// sortedBy returns xs sorted stably by at, copying only when out of order.
func sortedBy[T any](xs []T, at func(T) time.Time) []T {
	if sort.SliceIsSorted(xs, func(i, j int) bool { return at(xs[i]).Before(at(xs[j])) }) {
		return xs
	}
	out := append([]T(nil), xs...)
	sort.SliceStable(out, func(i, j int) bool { return at(out[i]).Before(at(out[j])) })
	return out
}

// valueFold reads the value curve one point at a time, in market-time
// order: the largest fall from a running peak, and the value at each UTC
// market day's last point (the P&L of each day that has a record).
type valueFold struct {
	n        int        // points seen
	last     valuePoint // the latest point
	peak     valuePoint
	drawdown Drawdown
	open     float64 // the value the current day opened at: the previous day's close
	daily    []DayPnL
	closed   bool // the last day is closed: no more points
}

func (f *valueFold) add(p valuePoint) {
	if f.n == 0 {
		f.peak = p
	} else {
		if p.v > f.peak.v {
			f.peak = p
		} else if dd := f.peak.v - p.v; dd > f.drawdown.RLUSD {
			pa, ta := f.peak.at.UTC(), p.at.UTC()
			f.drawdown = Drawdown{RLUSD: dd, Pct: pct(dd, f.peak.v), PeakValue: f.peak.v, TroughValue: p.v,
				PeakMarketTime: &pa, TroughMarketTime: &ta}
		}
		if !sameDay(f.last.at, p.at) {
			f.closeDay()
		}
	}
	f.last = p
	f.n++
}

// closeDay closes the day of the latest point at its value.
func (f *valueFold) closeDay() {
	day := f.last.at.UTC().Format(time.DateOnly)
	f.daily = append(f.daily, DayPnL{MarketDay: day, OpenValue: f.open, CloseValue: f.last.v, PnLRLUSD: f.last.v - f.open})
	f.open = f.last.v
}

// days closes the last day and returns the daily P&L.
func (f *valueFold) days() []DayPnL {
	if f.n > 0 && !f.closed {
		f.closeDay()
		f.closed = true
	}
	return f.daily
}

// sameDay reports whether a and b fall on one UTC day.
func sameDay(a, b time.Time) bool {
	ay, am, ad := a.UTC().Date()
	by, bm, bd := b.UTC().Date()
	return ay == by && am == bm && ad == bd
}

// tierFold reads the inventory snapshots in market-time order for the time
// at each skew tier, 0 to the highest seen: each snapshot's tier holds
// until the next snapshot, the last one's until the end of the span.
type tierFold struct {
	durs  []time.Duration
	total time.Duration
	top   int
	prev  InventorySnapshot
	seen  bool
}

func (f *tierFold) add(s InventorySnapshot) {
	if f.seen {
		f.hold(f.prev, inventoryTime(s))
	}
	f.top = max(f.top, s.SkewTier)
	f.prev, f.seen = s, true
}

// hold counts s's tier from s to until.
func (f *tierFold) hold(s InventorySnapshot, until time.Time) {
	if d := until.Sub(inventoryTime(s)); d > 0 && s.SkewTier >= 0 {
		for len(f.durs) <= s.SkewTier {
			f.durs = append(f.durs, 0)
		}
		f.durs[s.SkewTier] += d
		f.total += d
	}
}

// done holds the last snapshot's tier until end (nil: no time) and returns
// the time at each tier; nil without snapshots.
func (f *tierFold) done(end *time.Time) []TierTime {
	if !f.seen {
		return nil
	}
	if end != nil {
		f.hold(f.prev, *end)
	}
	f.seen = false // done once
	out := make([]TierTime, f.top+1)
	for t := range out {
		var d time.Duration
		if t < len(f.durs) {
			d = f.durs[t]
		}
		out[t] = TierTime{Tier: t, Seconds: d.Seconds(), Pct: pct(d.Seconds(), f.total.Seconds())}
	}
	return out
}

// pct is 100 × part / whole, 0 when whole is 0.
func pct(part, whole float64) float64 {
	if whole == 0 {
		return 0
	}
	return 100 * part / whole
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// ---- text ----

// reportTime is how the text shows a time: UTC to the second.
const reportTime = "2006-01-02 15:04:05Z"

// WriteText writes the full report as aligned plain text (no colours): what
// `neo report` prints, and what the console may restyle. Labels are
// left-aligned, figures right-aligned in columns; text from the database is
// sanitised.
func (r Report) WriteText(w io.Writer) error {
	var b strings.Builder
	writeHeaderText(&b, r)
	writeFillsText(&b, r)
	writeMoneyText(&b, r)
	writeTimesText(&b, r)
	fmt.Fprintf(&b, "\nEvents: %d (%d warnings, %d errors), %d tier changes, %d data gaps\n",
		r.Events.Total, r.Events.Warnings, r.Events.Errors, r.Events.TierChanges, r.Events.DataGaps)
	_, err := io.WriteString(w, b.String())
	return err
}

// reportLabelWidth is the width of the report's label column, one for every table
// below the header so that the figures line up.
const reportLabelWidth = 33

// writeHeaderText writes the session line, any damage warning and the spans.
func writeHeaderText(b *strings.Builder, r Report) {
	fmt.Fprintf(b, "Session %s  (%s)\n", textsafe.Line(r.SessionID), textsafe.Line(r.Feed))
	status, open := "running", "(running)"
	switch {
	case r.HaltReason != nil:
		status = textsafe.Line(*r.HaltReason)
	case r.LeftOpen:
		status, open = "left open, not running (crash, kill or power loss)", "(left open)"
	}
	if r.Damage != "" {
		fmt.Fprintf(b, "  warning: the session row is damaged (%s): those figures read as zero\n", textsafe.Line(r.Damage))
	}
	var wallSecs float64
	if r.WallEndedAt != nil {
		wallSecs = r.WallEndedAt.Sub(r.WallStartedAt).Seconds()
	}
	writeTable(b, [][]string{
		{"  ended as", status},
		{"  market span", spanText(r.MarketStart, r.MarketEnd, r.MarketSpanSeconds, open)},
		{"  wall clock", spanText(&r.WallStartedAt, r.WallEndedAt, wallSecs, open)},
	}, 0, false)
	b.WriteString("\n")
}

// writeFillsText writes the fills table: per side and all.
func writeFillsText(b *strings.Builder, r Report) {
	fills := [][]string{{"Fills", "fills", "XRP", "RLUSD", "avg price", "fees RLUSD"}}
	for _, x := range []struct {
		name string
		s    SideStats
	}{{"  buy", r.Fills.Buy}, {"  sell", r.Fills.Sell}} {
		avg := "-"
		if x.s.Count > 0 {
			avg = Thousands(x.s.AvgPrice, PriceDecimals(x.s.AvgPrice))
		}
		fills = append(fills, []string{x.name, Thousands(float64(x.s.Count), 0), Thousands(x.s.VolumeXRP, 6),
			Thousands(x.s.VolumeRLUSD, 4), avg, Thousands(x.s.FeesRLUSD, 4)})
	}
	fills = append(fills, []string{"  all", Thousands(float64(r.Fills.Count), 0), Thousands(r.Fills.Buy.VolumeXRP+r.Fills.Sell.VolumeXRP, 6),
		Thousands(r.Fills.VolumeRLUSD, 4), "", Thousands(r.Fees.TradingRLUSD, 4)})
	writeTable(b, fills, reportLabelWidth, true)
	b.WriteString("\n")
}

// writeMoneyText writes the P&L split, the value against holding and the drawdown.
func writeMoneyText(b *strings.Builder, r Report) {
	money := [][]string{
		{"P&L", "RLUSD", ""},
		{"  trading (spread capture)", Signed(r.PnL.TradingRLUSD, 4), ""},
		{"  fees", Signed(r.PnL.FeesRLUSD, 4), ""},
		{"    trading fees", Signed(-r.Fees.TradingRLUSD, 4), ""},
		{fmt.Sprintf("    network fees (%s XRP)", Thousands(r.Fees.NetworkXRP, 6)), Signed(-r.Fees.NetworkRLUSD, 4), ""},
		{"  inventory moves", Signed(r.PnL.InventoryRLUSD, 4), ""},
		{"  total", Signed(r.PnL.TotalRLUSD, 4), Signed(r.PnL.TotalPct, 3) + " %"},
		nil,
		{"Value", "RLUSD", ""},
		{"  starting", Thousands(r.StartingValue, 4), ""},
		{"  ending", Thousands(r.EndingValue, 4), ""},
		{"  holding the starting balances", Thousands(r.Hold.HoldValueRLUSD, 4), ""},
		{"  value vs hold", Signed(r.Hold.ValueVsHoldRLUSD, 4), ""},
		{"  max drawdown", Signed(-r.MaxDrawdown.RLUSD, 4), Signed(-r.MaxDrawdown.Pct, 3) + " %"},
	}
	writeTable(b, money, reportLabelWidth, true)
	if r.MaxDrawdown.PeakMarketTime != nil {
		fmt.Fprintf(b, "    peak %s at %s, trough %s at %s (market time)\n",
			Thousands(r.MaxDrawdown.PeakValue, 4), r.MaxDrawdown.PeakMarketTime.Format(reportTime),
			Thousands(r.MaxDrawdown.TroughValue, 4), r.MaxDrawdown.TroughMarketTime.Format(reportTime))
	}
	b.WriteString("\n")
}

// writeTimesText writes the time in each skew tier and the daily P&L.
func writeTimesText(b *strings.Builder, r Report) {
	times := [][]string{{"Skew tiers (market time)", "time", "share"}}
	if len(r.SkewTiers) == 0 {
		times = append(times, []string{"  no inventory snapshot", "", ""})
	}
	for _, t := range r.SkewTiers {
		times = append(times, []string{fmt.Sprintf("  tier %d", t.Tier), FormatSeconds(t.Seconds), fmt.Sprintf("%.1f %%", t.Pct)})
	}
	times = append(times, nil, []string{"Daily P&L (UTC market days)", "RLUSD", "close value"})
	if len(r.Daily) == 0 {
		times = append(times, []string{"  no record", "", ""})
	}
	for _, d := range r.Daily {
		times = append(times, []string{"  " + d.MarketDay, Signed(d.PnLRLUSD, 4), Thousands(d.CloseValue, 4)})
	}
	writeTable(b, times, reportLabelWidth, true)
}

// writeTable writes rows with the first column left-aligned (at least
// labelWidth wide) and the others right-aligned (left-aligned when
// rightAlign is false), two spaces apart; a nil row is a blank line.
func writeTable(b *strings.Builder, rows [][]string, labelWidth int, rightAlign bool) {
	var widths []int
	for _, row := range rows {
		for i, c := range row {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	if len(widths) > 0 {
		widths[0] = max(widths[0], labelWidth)
	}
	for _, row := range rows {
		var line strings.Builder
		for i, c := range row {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			switch {
			case i == 0:
				line.WriteString(c + pad)
			case rightAlign:
				line.WriteString("  " + pad + c)
			default:
				line.WriteString("  " + c + pad)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
}

// Short is the report in three lines, for the end of a headless run.
func (r Report) Short() string {
	var b strings.Builder
	fmt.Fprintf(&b, "report %s: market %s; %s fills (buy %s, sell %s), volume %s RLUSD\n",
		textsafe.Line(r.SessionID), spanText(r.MarketStart, r.MarketEnd, r.MarketSpanSeconds, "(running)"),
		Thousands(float64(r.Fills.Count), 0), Thousands(float64(r.Fills.Buy.Count), 0), Thousands(float64(r.Fills.Sell.Count), 0),
		Thousands(r.Fills.VolumeRLUSD, 2))
	fmt.Fprintf(&b, "  P&L %s RLUSD (%s %%) = trading %s + fees %s + inventory %s; vs hold %s\n",
		Signed(r.PnL.TotalRLUSD, 4), Signed(r.PnL.TotalPct, 3), Signed(r.PnL.TradingRLUSD, 4), Signed(r.PnL.FeesRLUSD, 4),
		Signed(r.PnL.InventoryRLUSD, 4), Signed(r.Hold.ValueVsHoldRLUSD, 4))
	fmt.Fprintf(&b, "  max drawdown %s RLUSD (%s %%); the full report: neo report %s\n",
		Signed(-r.MaxDrawdown.RLUSD, 4), Signed(-r.MaxDrawdown.Pct, 3), textsafe.Line(r.SessionID))
	return b.String()
}

// spanText is "start → end (length)", or "start → " and open ("(running)",
// "(left open)") when there is no end.
func spanText(start, end *time.Time, secs float64, open string) string {
	if start == nil {
		return "n/a"
	}
	if end == nil {
		return start.UTC().Format(reportTime) + " → " + open
	}
	return fmt.Sprintf("%s → %s (%s)", start.UTC().Format(reportTime), end.UTC().Format(reportTime), FormatSeconds(secs))
}

// FormatSeconds formats seconds for a report: "2d 03h04m", "3h04m05s", "4.25s".
func FormatSeconds(secs float64) string {
	if secs < 60 {
		return fmt.Sprintf("%.2fs", secs)
	}
	d := time.Duration(math.Round(secs)) * time.Second
	days := d / (24 * time.Hour)
	d -= days * 24 * time.Hour
	h, m, s := d/time.Hour, (d%time.Hour)/time.Minute, (d%time.Minute)/time.Second
	if days > 0 {
		return fmt.Sprintf("%dd %02dh%02dm", days, h, m)
	}
	if h > 0 {
		return fmt.Sprintf("%dh%02dm%02ds", h, m, s)
	}
	return fmt.Sprintf("%dm%02ds", m, s)
}

// PriceDecimals is how many decimals a price is written with: six from
// 0.05 up (five significant figures at least), three more for each
// thousandth below that. The decimals change by bands, not with each power
// of ten, so that the prices of one market keep one number of decimals (a
// column of them lines up) unless it moves a thousandfold; the bands' edges
// are at fives, away from the round prices a market hovers at.
func PriceDecimals(v float64) int {
	a := math.Abs(v)
	switch {
	case math.IsNaN(a) || math.IsInf(a, 0) || a == 0 || a >= 0.05:
		return 6
	case a >= 5e-5:
		return 9
	}
	return 12
}

// Signed formats v with a sign (+ or -) and thousands separators; a
// figure that rounds to zero has no sign ("0.00", not "+0.00" or "-0.00").
func Signed(v float64, decimals int) string {
	s := Thousands(v, decimals)
	if !strings.HasPrefix(s, "-") && strings.Trim(s, "0.,") != "" {
		s = "+" + s
	}
	return s
}

// Thousands formats v with decimals and a comma every three digits.
// Negative zero (after rounding) prints without a sign.
func Thousands(v float64, decimals int) string {
	s := strconv.FormatFloat(v, 'f', decimals, 64) // as %.*f, without fmt's allocations (the console calls it per figure per frame)
	digits := strings.TrimPrefix(s, "-")
	neg := len(digits) < len(s) && strings.Trim(digits, "0.") != ""
	intPart, frac, hasFrac := strings.Cut(digits, ".")
	var b strings.Builder
	b.Grow(len(s) + len(intPart)/3 + 1)
	if neg {
		b.WriteByte('-')
	}
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if hasFrac {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}
