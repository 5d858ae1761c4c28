package engine

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"
)

// randomRecords is a session with records that stress the pass: time ties
// between and within the series (inventory first on a tie), fills before
// the first and after the last snapshot, several UTC days, negative and
// skipped tiers, snapshots before the recorded start and after the end,
// running or ended, with or without a recorded span and ending value.
func randomRecords(rng *rand.Rand) (SessionSummary, []Fill, []InventorySnapshot, []ValuationSnapshot, []SessionEvent) {
	t0 := time.Date(2025, 3, 1, 20, 0, 0, 0, time.UTC)
	at := func() time.Time { return t0.Add(time.Duration(rng.IntN(60)) * 17 * time.Minute) } // ~17 h: two or three days, ties
	var end *time.Time
	if rng.IntN(3) > 0 {
		e := at()
		end = &e
	}
	var ending *float64
	if rng.IntN(2) == 0 {
		ending = fptr(5000 + 50*rng.Float64())
	}
	s := mkSession(at(), end, 1000, 2500, 2.5, ending)
	if rng.IntN(4) == 0 {
		s.MarketStartedAt, s.MarketEndedAt = nil, nil
	}
	var fills []Fill
	for range rng.IntN(12) {
		side := Buy
		if rng.IntN(2) == 0 {
			side = Sell
		}
		fills = append(fills, mkFill(at(), side, 2.4+0.2*rng.Float64(), 1+rng.Float64()*20, 10))
	}
	var inv []InventorySnapshot
	for range rng.IntN(40) {
		inv = append(inv, mkInv(at(), 2.4+0.2*rng.Float64(), 900+200*rng.Float64(), 2500+100*rng.Float64(), rng.IntN(6)-1))
	}
	var val []ValuationSnapshot
	for range rng.IntN(40) {
		val = append(val, mkVal(at(), 2.4+0.2*rng.Float64(), 4900+200*rng.Float64(), 5000, rng.Float64()))
	}
	var events []SessionEvent
	for range rng.IntN(5) {
		events = append(events, mkEvent(at(), LevelWarn, "data_gap"))
	}
	return s, fills, inv, val, events
}

func reportJSON(t *testing.T, r Report) string {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestStreamReportMatchesReference: on random sessions, the streaming pass
// (BuildReport over slices, LoadReport over walks) gives exactly the
// figures of the slice-based computation it replaced (report_ref_test.go).
func TestStreamReportMatchesReference(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 7))
	for i := range 2000 {
		s, fills, inv, val, events := randomRecords(rng)
		want := reportJSON(t, refBuildReport(s, fills, inv, val, events))
		if got := reportJSON(t, BuildReport(s, fills, inv, val, events)); got != want {
			t.Fatalf("case %d: BuildReport gives\n%s\nthe reference\n%s", i, got, want)
		}
		r, err := LoadReport(context.Background(), &wholeHistory{t, s, fills, inv, val, events}, "s")
		if err != nil {
			t.Fatal(err)
		}
		if got := reportJSON(t, r); got != want {
			t.Fatalf("case %d: LoadReport gives\n%s\nthe reference\n%s", i, got, want)
		}
	}
}

// genHistory generates a long session on the fly: snapshot i of each series
// is a function of i, so the fake holds none of them, and it measures the
// live heap (after a collection) at the last snapshot of each walk and
// after the slice readers return: what the report holds at its fullest.
type genHistory struct {
	t          *testing.T
	n          int // snapshots per series
	s          SessionSummary
	fills      []Fill
	peakLive   uint64
	sliceReads int
}

var genT0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// genAt is snapshot i's market time: a minute apart, every seventh shares
// the previous one's time.
func genAt(i int) time.Time { return genT0.Add(time.Duration(i-i/7) * time.Minute) }

func genInv(i int) InventorySnapshot {
	mid := 2.3 + 0.2*math.Sin(float64(i)/5000)
	return mkInv(genAt(i), mid, 1000+100*math.Sin(float64(i)/777), 2300, (i/3000)%5)
}

func genVal(i int) ValuationSnapshot {
	mid := 2.3 + 0.2*math.Sin(float64(i)/5000)
	return mkVal(genAt(i), mid, 4600+30*math.Sin(float64(i)/1234), 1000*mid+2300, 0.001*float64(i))
}

func newGenHistory(t *testing.T, n int) *genHistory {
	end := genAt(n - 1)
	h := &genHistory{t: t, n: n, s: mkSession(genT0, &end, 1000, 2300, 2.3, nil)}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 500 {
		i := rng.IntN(n)
		h.fills = append(h.fills, mkFill(genAt(i).Add(-time.Second), Side([]Side{Buy, Sell}[i%2]), genInv(i).MidPrice*(1+0.001*float64(2*(i%2)-1)), 5, 10))
	}
	return h
}

func (h *genHistory) measure() {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	h.peakLive = max(h.peakLive, ms.HeapAlloc)
}

func (h *genHistory) ListSessions(context.Context, SessionQuery) ([]SessionSummary, error) {
	return []SessionSummary{h.s}, nil
}
func (h *genHistory) GetSession(context.Context, string) (SessionSummary, error) { return h.s, nil }
func (h *genHistory) Fills(context.Context, string, int) ([]Fill, error)         { return h.fills, nil }
func (h *genHistory) Events(context.Context, string, int) ([]SessionEvent, error) {
	h.measure()
	return nil, nil
}

// The slice readers work (so that a report that holds the series is
// measured, not stopped), and are counted.
func (h *genHistory) InventorySeries(context.Context, string, int) ([]InventorySnapshot, error) {
	h.sliceReads++
	return genSeries(h.n, genInv), nil
}
func (h *genHistory) ValuationSeries(context.Context, string, int) ([]ValuationSnapshot, error) {
	h.sliceReads++
	out := genSeries(h.n, genVal)
	h.measure()
	return out, nil
}
func (h *genHistory) EachInventory(_ context.Context, _ string, fn func(InventorySnapshot) error) error {
	return genWalk(h, genInv, fn)
}
func (h *genHistory) EachValuation(_ context.Context, _ string, fn func(ValuationSnapshot) error) error {
	return genWalk(h, genVal, fn)
}

// genSeries is snapshots 0 to n-1 of a series, held whole.
func genSeries[T any](n int, gen func(int) T) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = gen(i)
	}
	return out
}

// genWalk hands snapshots 0 to h.n-1 of a series to fn, one at a time, and
// measures the heap at the last one.
func genWalk[T any](h *genHistory, gen func(int) T, fn func(T) error) error {
	for i := range h.n {
		if i == h.n-1 {
			h.measure()
		}
		if err := fn(gen(i)); err != nil {
			return err
		}
	}
	return nil
}

// TestLoadReportMemoryFlat: the report of a session of 300,000 inventory
// and 300,000 valuation snapshots (179 market days, 5 tiers, 500 fills)
// holds no series: the live heap while it reads stays within a few MiB of
// where it started (holding both series is ~60 MiB), and its figures are
// those of the slice-based computation over the same records.
func TestLoadReportMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 600,000 snapshots")
	}
	const n = 300_000
	h := newGenHistory(t, n)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	got, err := LoadReport(context.Background(), h, "s")
	if err != nil {
		t.Fatal(err)
	}
	const budget = 8 << 20
	grew := int64(h.peakLive) - int64(base)
	t.Logf("live heap grew by %.1f MiB at most while reading %d snapshots of each series", float64(grew)/(1<<20), n)
	if h.sliceReads > 0 {
		t.Errorf("the report read %d series whole; want the walks", h.sliceReads)
	}
	if grew > budget {
		t.Errorf("the live heap grew by %d bytes while reading the report, want at most %d: the report holds the series", grew, budget)
	}

	inv, _ := h.InventorySeries(context.Background(), "s", 0)
	val, _ := h.ValuationSeries(context.Background(), "s", 0)
	want := reportJSON(t, refBuildReport(h.s, h.fills, inv, val, nil))
	if g := reportJSON(t, got); g != want {
		t.Fatalf("LoadReport gives\n%s\nthe reference\n%s", g, want)
	}
	if len(got.Daily) < 170 || len(got.SkewTiers) != 5 || got.Fills.Count != 500 || got.MaxDrawdown.RLUSD == 0 {
		t.Fatalf("the generated session does not exercise the report: %d days, %d tiers, %d fills, drawdown %v",
			len(got.Daily), len(got.SkewTiers), got.Fills.Count, got.MaxDrawdown.RLUSD)
	}
}

// badHistory serves walks that fail or go back in time.
type badHistory struct {
	wholeHistory
	invErr error
}

func (h *badHistory) EachInventory(_ context.Context, _ string, fn func(InventorySnapshot) error) error {
	for _, x := range h.inv {
		if err := fn(x); err != nil {
			return err
		}
	}
	return h.invErr
}

// TestLoadReportWalkErrors: a walk's error reaches the caller (wrapped, with
// the session), and so does a series that goes back in market time (the
// merge would give wrong figures), instead of a report.
func TestLoadReportWalkErrors(t *testing.T) {
	s, fills, inv, val, events, ts := handSession()
	boom := errors.New("disk I/O error")
	h := &badHistory{wholeHistory: wholeHistory{t, s, fills, inv, val, events}, invErr: boom}
	if _, err := LoadReport(context.Background(), h, "s"); !errors.Is(err, boom) || !strings.Contains(err.Error(), "session s") {
		t.Fatalf("a failing walk: %v, want %v wrapped with the session", err, boom)
	}
	h.invErr = nil
	h.inv = append([]InventorySnapshot{}, inv...)
	h.inv[2].MarketTime = ts[0].Add(-time.Hour)
	_, err := LoadReport(context.Background(), h, "s")
	if err == nil || !strings.Contains(err.Error(), "go back in market time") {
		t.Fatalf("a series out of order: %v, want an error", err)
	}
	h.inv = inv
	if _, err := LoadReport(context.Background(), h, "s"); err != nil {
		t.Fatalf("the same series in order: %v", err)
	}
}
