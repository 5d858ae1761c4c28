package engine

import "testing"

// The live charts' samples carry the market time they were taken at,
// historyStep of market time apart at least, and the value and hold value
// at that sample's mid (the console drew them on synthesized times).
func TestHistorySamplesCarryMarketTime(t *testing.T) {
	const seed = 7
	t.Logf("walk feed seed %d", seed)
	f := newWalkFeed(seed)
	f.max = 3000
	h := MustStart(t, testConfig(), f, newMemStore(), 0)
	waitDone(t, h.e)
	s := h.e.State()
	if len(s.History) < 10 {
		t.Fatalf("%d history samples after %d events, want a full chart", len(s.History), f.max)
	}
	if len(s.History) > historyLen {
		t.Fatalf("%d history samples, want at most %d", len(s.History), historyLen)
	}
	for i, p := range s.History {
		if p.Time.IsZero() {
			t.Fatalf("sample %d has no market time", i)
		}
		if i > 0 && p.Time.Sub(s.History[i-1].Time) < historyStep {
			t.Fatalf("samples %d and %d are %s apart, want at least %s", i-1, i, p.Time.Sub(s.History[i-1].Time), historyStep)
		}
		if want := s.StartingRLUSD + s.StartingXRP*p.Mid; p.HoldRLUSD != want {
			t.Fatalf("sample %d: hold %v, want the starting balances at its mid %v", i, p.HoldRLUSD, want)
		}
		if !(p.ValueRLUSD > 0) || !(p.Mid > 0) {
			t.Fatalf("sample %d: value %v mid %v", i, p.ValueRLUSD, p.Mid)
		}
	}
	last := s.History[len(s.History)-1]
	if gap := s.MarketTime.Sub(last.Time); gap < 0 || gap >= historyStep {
		t.Fatalf("the newest sample is at %s, the market at %s", last.Time, s.MarketTime)
	}
}
