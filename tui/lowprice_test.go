package tui

import (
	"strings"
	"testing"

	"neo/engine"
)

// lowPriceState is fakeReplayState on a market at 0.0001 RLUSD: prices
// 23,000 times lower, amounts of XRP 23,000 times larger (a quote of 15
// RLUSD is some 150,000 XRP), the same RLUSD.
func lowPriceState() *engine.State {
	const k = 0.0001 / 2.3
	s := fakeReplayState()
	s.Mid, s.Bid, s.Ask, s.Centre = s.Mid*k, s.Bid*k, s.Ask*k, s.Centre*k
	b := *s.Bar
	b.Open, b.High, b.Low, b.Close = b.Open*k, b.High*k, b.Low*k, b.Close*k
	s.Bar = &b
	for i := range s.History {
		s.History[i].Mid *= k
	}
	s.Inventory.MidPrice *= k
	s.Inventory.XRPBalance /= k
	s.StartingXRP /= k
	for i := range s.Quotes {
		s.Quotes[i].Price *= k
		s.Quotes[i].QtyXRP /= k
	}
	for i := range s.RecentFills {
		s.RecentFills[i].Price *= k
		s.RecentFills[i].QtyXRP /= k
	}
	return s
}

// At 0.0001 the console tells the levels apart and shows the quantities:
// our two quotes read two prices, the bar's open, high, low and close four,
// and no row of quotes or fills holds a "…" for a figure (every quantity
// of a fill read "…", both quotes "0.000102").
func TestLowPricesReadable(t *testing.T) {
	for _, w := range []int{160, 200, 250} {
		m, _ := liveOn(t, lowPriceState(), ThemeMono, w, 48)
		v := plainView(m)
		for _, row := range strings.Split(v, "\n") {
			if (strings.Contains(row, "▲ buy") || strings.Contains(row, "▼ sell")) && strings.Contains(row, "…") {
				t.Errorf("%d columns: a quote or fill row hides a figure: %q", w, row)
			}
		}
		for _, want := range []string{fmtPrice(lowPriceState().Quotes[0].Price), fmtPrice(lowPriceState().Quotes[1].Price),
			"open   " + fmtPrice(lowPriceState().Bar.Open), "high   " + fmtPrice(lowPriceState().Bar.High)} {
			if !strings.Contains(v, want) {
				t.Errorf("%d columns: the view lacks %q:\n%s", w, want, v)
			}
		}
	}
	s := lowPriceState()
	if a, b := fmtPrice(s.Quotes[0].Price), fmtPrice(s.Quotes[1].Price); a == b {
		t.Errorf("our two quotes read the same price %q", a)
	}
	if a, b := fmtPrice(s.Bar.Open), fmtPrice(s.Bar.Close); a == b {
		t.Errorf("the bar's open and close read the same price %q", a)
	}
}

// The end report of a session at 0.0001: fills by side with their XRP, RLUSD
// and average price whole ("▲ buy 101 … … 0.000098"). Below 47 cells the
// XRP column goes whole, as it always has.
func TestLowPriceReportReadable(t *testing.T) {
	const k = 0.0001 / 2.3
	r := engine.Report{}
	r.Fills.Count = 202
	r.Fills.Buy = engine.SideStats{Count: 101, VolumeXRP: 15_000_000.123456, VolumeRLUSD: 1515, AvgPrice: 2.2541 * k}
	r.Fills.Sell = engine.SideStats{Count: 101, VolumeXRP: 14_900_000.5, VolumeRLUSD: 1515, AvgPrice: 2.3459 * k}
	r.Fills.VolumeRLUSD = 3030
	for _, w := range []int{48, 52, 64} {
		lines := fillsSection(DefaultStyles(ThemeMono), r).lines(w, 5)
		text := strings.Join(lines, "\n")
		if strings.Contains(strings.Join(lines[2:], "\n"), "…") {
			t.Errorf("%d cells: fills by side hide a figure:\n%s", w, text)
		}
		for _, want := range []string{fmtPrice(r.Fills.Buy.AvgPrice), fmtPrice(r.Fills.Sell.AvgPrice), "15,000,000"} {
			if !strings.Contains(text, want) {
				t.Errorf("%d cells: fills by side lack %q:\n%s", w, want, text)
			}
		}
	}
}
