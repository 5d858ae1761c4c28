package feed

import (
	"context"
	"math"
	"math/rand/v2"
	"time"

	"neo/engine"
)

// Parameters of the simulated XRP/RLUSD market.
const (
	// SimStep is the market time between two events of the simulation.
	SimStep = 250 * time.Millisecond
	// SimStartPrice is the book mid of the first event, RLUSD per XRP.
	SimStartPrice = 2.30
	// SimDailyVol is the daily volatility of the mid (log returns), XRP-like.
	SimDailyVol = 0.045
	// SimJumpsPerDay is the mean number of price jumps a day.
	SimJumpsPerDay = 2.0
	// SimTradesPerSecond is the mean rate of taker trades.
	SimTradesPerSecond = 0.4
	// SimMedianTradeXRP is the median taker trade size, XRP.
	SimMedianTradeXRP = 300.0
	// SimMaxTradeXRP caps the heavy tail of taker trade sizes, XRP.
	SimMaxTradeXRP = 20000.0
	// SimMeanDepthBps is the mean distance beyond the touch at which a taker
	// trade prints, basis points.
	SimMeanDepthBps = 10.0
	// SimAnchorLag is the time constant of the anchor's exponential
	// smoothing of the mid.
	SimAnchorLag = 30 * time.Second
	// SimAnchorNoiseBps is the standard deviation of the anchor's noise, bps.
	SimAnchorNoiseBps = 1.0
)

const (
	bp          = 1e-4
	secondsADay = 86400.0
	tradeSigma  = 1.1 // log-sd of trade sizes: heavy tail, 99.9th pct ~ 9,000 XRP
)

// Sim is a seeded simulated market: a geometric random walk for the book mid
// with rare jumps, a 2-6 bps spread, an anchor (AMM pool price) that follows
// the mid with lag and noise, and Poisson taker trades that print beyond the
// touch. The same seed and start give the same events; it never ends.
type Sim struct {
	// Step is the market time between events (SimStep by default).
	Step time.Duration

	rng    *rand.Rand
	now    time.Time
	walk   walk
	anchor float64 // smoothed mid, before noise
}

// NewSim returns a simulated market seeded by seed whose first event comes
// one Step after start.
func NewSim(seed int64, start time.Time) *Sim {
	rng := newRand(seed)
	return &Sim{
		Step:   SimStep,
		rng:    rng,
		now:    start,
		walk:   walk{mid: SimStartPrice},
		anchor: SimStartPrice,
	}
}

// newRand returns a PCG generator for seed; no global source is used.
func newRand(seed int64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0x9e3779b97f4a7c15))
}

// Name returns "sim".
func (s *Sim) Name() string { return "sim" }

// Next advances the market by Step and returns the book, the anchor and the
// taker trades of that step. It fails only when ctx is done.
func (s *Sim) Next(ctx context.Context) (engine.MarketEvent, error) {
	if err := ctx.Err(); err != nil {
		return engine.MarketEvent{}, err
	}
	step := s.Step
	if step <= 0 {
		step = SimStep
	}
	dt := step.Seconds()
	s.now = s.now.Add(step)
	mid := s.walk.advance(s.rng, dt)

	spread := (2 + 4*s.rng.Float64()) * bp
	bid := mid * (1 - spread/2)
	ask := mid * (1 + spread/2)

	alpha := 1 - math.Exp(-dt/SimAnchorLag.Seconds())
	s.anchor += alpha * (mid - s.anchor)
	anchor := s.anchor * (1 + SimAnchorNoiseBps*bp*s.rng.NormFloat64())

	var trades []engine.Trade
	for n := poisson(s.rng, SimTradesPerSecond*dt); n > 0; n-- {
		trades = append(trades, s.trade(bid, ask))
	}
	return engine.MarketEvent{Time: s.now, Bid: bid, Ask: ask, Anchor: anchor, Trades: trades}, nil
}

// trade draws one taker trade against the given touch.
func (s *Sim) trade(bid, ask float64) engine.Trade {
	qty := SimMedianTradeXRP * math.Exp(tradeSigma*s.rng.NormFloat64())
	qty = math.Min(math.Max(qty, 1), SimMaxTradeXRP)
	qty = math.Round(qty*1e6) / 1e6
	depth := SimMeanDepthBps * bp * s.rng.ExpFloat64()
	if s.rng.IntN(2) == 0 {
		return engine.Trade{Side: engine.Sell, Price: bid * (1 - depth), QtyXRP: qty}
	}
	return engine.Trade{Side: engine.Buy, Price: ask * (1 + depth), QtyXRP: qty}
}

// walk is the mid's geometric random walk with rare jumps.
type walk struct{ mid float64 }

// advance moves the mid over dt seconds and returns it.
func (w *walk) advance(rng *rand.Rand, dt float64) float64 {
	sigma := SimDailyVol * math.Sqrt(dt/secondsADay)
	// Explicit float64 conversions keep the compiler from fusing
	// multiply-adds, so that every platform draws the same path.
	logRet := float64(sigma*rng.NormFloat64()) - float64(0.5*sigma*sigma)
	if rng.Float64() < SimJumpsPerDay*dt/secondsADay {
		size := float64(0.005 + float64(0.015*rng.Float64()))
		if rng.IntN(2) == 0 {
			size = -size
		}
		logRet += math.Log1p(size)
	}
	w.mid = float64(w.mid * math.Exp(logRet))
	return w.mid
}

// poisson draws from a Poisson distribution of small mean lambda (Knuth).
func poisson(rng *rand.Rand, lambda float64) int {
	l := math.Exp(-lambda)
	n, p := 0, rng.Float64()
	for p > l {
		n++
		p *= rng.Float64()
	}
	return n
}
