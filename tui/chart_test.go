package tui

import (
	"math"
	"math/rand"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"neo/engine"
)

// chartT0 is the market time the test series start at.
var chartT0 = time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)

// pts stamps values step apart from chartT0.
func pts(step time.Duration, vs ...float64) []Point {
	out := make([]Point, len(vs))
	for i, v := range vs {
		out[i] = Point{T: chartT0.Add(time.Duration(i) * step), V: v}
	}
	return out
}

// plotted is a drawn chart read back: its value labels by row, the lit
// dots of its plot (dots[y][x], y 0 at the top) and its whole-cell glyphs.
type plotted struct {
	labels []string
	dots   [][]bool
	cells  [][]rune
	axis   string // the time axis row
}

// readChart parses the rows of a chart drawn without colour: the label
// and axis line left, the plot right of the axis line.
func readChart(t *testing.T, c chart) plotted {
	t.Helper()
	rows := c.draw()
	if len(rows) != c.Height {
		t.Fatalf("%d rows, want %d", len(rows), c.Height)
	}
	for i, r := range rows {
		if w := lipgloss.Width(r); w != c.Width {
			t.Fatalf("row %d is %d cells wide, want %d: %q", i, w, c.Width, r)
		}
	}
	if c.Legend {
		rows = rows[1:]
	}
	var p plotted
	if len(rows) >= 3 {
		p.axis = ansi.Strip(rows[len(rows)-1])
		rows = rows[:len(rows)-1]
	}
	for _, r := range rows {
		rs := []rune(ansi.Strip(r))
		cut := -1
		for i, ch := range rs {
			if ch == '┤' || ch == '│' {
				cut = i
				break
			}
		}
		p.labels = append(p.labels, strings.TrimSpace(string(rs[:cut+1])))
		p.labels[len(p.labels)-1] = strings.TrimRight(strings.TrimRight(p.labels[len(p.labels)-1], "┤"), "│")
		p.cells = append(p.cells, rs[cut+1:])
	}
	w := len(p.cells[0])
	p.dots = make([][]bool, 4*len(p.cells))
	for y := range p.dots {
		p.dots[y] = make([]bool, 2*w)
	}
	for r, row := range p.cells {
		for c, ch := range row {
			if ch < 0x2800 || ch > 0x28ff {
				continue
			}
			bits := uint8(ch - 0x2800)
			for dx := 0; dx < 2; dx++ {
				for dy := 0; dy < 4; dy++ {
					if bits&brailleBit(dx, dy) != 0 {
						p.dots[4*r+dy][2*c+dx] = true
					}
				}
			}
		}
	}
	return p
}

// litRows is the first and last lit dot row of the whole plot; -1 none.
func (p plotted) litRows() (top, bottom int) {
	top, bottom = -1, -1
	for y, row := range p.dots {
		for _, on := range row {
			if on {
				if top < 0 {
					top = y
				}
				bottom = y
				break
			}
		}
	}
	return top, bottom
}

// colRows are the lit dot rows of dot column x.
func (p plotted) colRows(x int) []int {
	var out []int
	for y := range p.dots {
		if p.dots[y][x] {
			out = append(out, y)
		}
	}
	return out
}

func (p plotted) has(glyph rune) bool {
	for _, row := range p.cells {
		for _, ch := range row {
			if ch == glyph {
				return true
			}
		}
	}
	return false
}

// labelValues parses the value labels ("+2.5%", "4,600", "1.2989").
func (p plotted) labelValues(t *testing.T) (top, bottom float64, all []float64) {
	t.Helper()
	for _, l := range p.labels {
		if l == "" {
			continue
		}
		v, err := strconv.ParseFloat(strings.NewReplacer(",", "", "%", "", "+", "").Replace(l), 64)
		if err != nil {
			t.Fatalf("label %q: %v", l, err)
		}
		all = append(all, v)
	}
	if len(all) < 2 {
		t.Fatalf("labels %q: want at least the top and the bottom", p.labels)
	}
	return all[0], all[len(all)-1], all
}

// TestChartInterpolates: between two samples far apart the chart draws a
// straight line, every dot column within a dot of the exact line — not a
// flat step and a jump.
func TestChartInterpolates(t *testing.T) {
	cases := []struct {
		name   string
		values []float64
		w, h   int
	}{
		{"rising two points", []float64{0, 100}, 60, 12},
		{"falling two points", []float64{100, 0}, 60, 12},
		{"three points", []float64{10, 90, 20}, 41, 9},
		{"narrow", []float64{5, 7}, 12, 5},
		{"steep on a wide chart", []float64{0, 1000, 0, 1000}, 200, 30},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := chart{Series: []chartSeries{{Points: pts(time.Minute, tc.values...), Style: lipgloss.NewStyle()}},
				Width: tc.w, Height: tc.h}
			p := readChart(t, c)
			t0, t1, _ := c.span()
			sc := c.scale(len(p.cells), nil)
			g := newChartGrid(len(p.cells[0]), len(p.cells), t0, t1, sc)
			dotsW := len(p.dots[0])
			for x := 0; x < dotsW; x++ {
				rows := p.colRows(x)
				if len(rows) == 0 {
					t.Fatalf("dot column %d is empty: the line has a gap", x)
				}
				// The exact line at x, between the samples either side.
				pos := float64(x) / float64(dotsW-1) * float64(len(tc.values)-1)
				i := min(int(pos), len(tc.values)-2)
				f := pos - float64(i)
				want := float64(g.y(tc.values[i])) + f*float64(g.y(tc.values[i+1])-g.y(tc.values[i]))
				lo, hi := float64(rows[0]), float64(rows[len(rows)-1])
				if want < lo-1.5 || want > hi+1.5 {
					t.Fatalf("dot column %d lights rows %d..%d, the line is at %.1f", x, rows[0], rows[len(rows)-1], want)
				}
			}
		})
	}
}

// TestChartEnvelopeKeepsExtremes: with more samples than dot columns, the
// highest and lowest dots drawn are the series' maximum and minimum at any
// width, however the samples fall into columns (a lone spike included).
func TestChartEnvelopeKeepsExtremes(t *testing.T) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewSource(seed))
	var walk []float64
	v := 4500.0
	for i := 0; i < 5000; i++ {
		v += rng.NormFloat64() * 3
		walk = append(walk, v)
	}
	spike := make([]float64, 3001)
	for i := range spike {
		spike[i] = 4400 + float64(i%7)
	}
	spike[1234] = 4304.82 // one sample far below the rest
	spike[2345] = 4499.5  // and one far above
	for _, tc := range []struct {
		name   string
		values []float64
	}{{"random walk", walk}, {"lone spikes", spike}} {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, v := range tc.values {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		for _, w := range []int{20, 37, 80, 81, 120, 160, 200} {
			for _, pattern := range []linePattern{lineSolid, lineDotted} {
				c := chart{Series: []chartSeries{{Points: pts(time.Second, tc.values...), Pattern: pattern}}, Width: w, Height: 12}
				p := readChart(t, c)
				sc := c.scale(len(p.cells), nil)
				dotsH := 4 * len(p.cells)
				top, bottom := p.litRows()
				if top != valueDot(hi, sc, dotsH) || bottom != valueDot(lo, sc, dotsH) {
					t.Errorf("%s at width %d (pattern %d): dots span rows %d..%d, the series' max %.2f and min %.2f are rows %d..%d",
						tc.name, w, pattern, top, bottom, hi, lo, valueDot(hi, sc, dotsH), valueDot(lo, sc, dotsH))
				}
				if sc.lo > lo || sc.hi < hi {
					t.Errorf("%s at width %d: range %v..%v leaves out the data %v..%v", tc.name, w, sc.lo, sc.hi, lo, hi)
				}
			}
		}
	}
}

// TestChartValueAxis: ranges are sane (a positive series never gets a
// negative label, a flat series is padded by a fraction of its value, the
// top and bottom labels differ) and the labels are round numbers.
func TestChartValueAxis(t *testing.T) {
	pct := func(v float64, d int) string { return fmtSigned(v, d) + "%" }
	cases := []struct {
		name      string
		values    []float64
		format    func(float64, int) string
		h         int
		maxSpan   float64 // the range drawn is at most this wide
		nonNeg    bool    // every label is >= 0
		wantLabel string  // a label that must be drawn ("" none)
	}{
		{"flat price", []float64{1.2989, 1.2989, 1.2989}, nil, 10, 0.01, true, ""},
		{"single price", []float64{3.3001}, nil, 8, 0.02, true, ""},
		{"flat zero percent", []float64{0, 0, 0}, pct, 8, 2, false, ""},
		{"small drift", []float64{-0.04, -0.01, 0.02}, pct, 6, 0.2, false, ""},
		{"near-zero positive", []float64{0.0001, 0.0003}, nil, 8, 0.001, true, ""},
		{"value curve", []float64{4304.82, 4650, 4565.04}, nil, 14, 500, true, ""},
		{"price move", []float64{2.287, 2.3, 2.313}, nil, 12, 0.05, true, ""},
		{"negative series", []float64{-12, -3}, pct, 10, 15, false, ""},
		{"two rows", []float64{-5, 15}, pct, 2, 30, false, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := chart{Series: []chartSeries{{Points: pts(time.Second, tc.values...)}}, Width: 60, Height: tc.h, Format: tc.format}
			p := readChart(t, c)
			top, bottom, all := p.labelValues(t)
			sc := c.scale(len(p.cells), nil)
			if p.labels[0] == p.labels[len(p.labels)-1] {
				t.Fatalf("top and bottom labels are both %q", p.labels[0])
			}
			if top-bottom > tc.maxSpan {
				t.Errorf("labels %q span %v, want at most %v", p.labels, top-bottom, tc.maxSpan)
			}
			for _, v := range tc.values {
				if v < bottom || v > top {
					t.Errorf("value %v outside the labels %q", v, p.labels)
				}
			}
			for _, l := range all {
				if tc.nonNeg && l < 0 {
					t.Errorf("negative label %v for a positive series: %q", l, p.labels)
				}
				if k := l / sc.step; math.Abs(k-math.Round(k)) > 1e-6 && l != top && l != bottom {
					t.Errorf("label %v is not a multiple of the step %v", l, sc.step)
				}
			}
			// Round ends: a multiple of 1, 2, 2.5 or 5 times a power of ten.
			round := niceStep((top - bottom) / 8)
			for _, end := range []float64{top, bottom} {
				if k := end / round; math.Abs(k-math.Round(k)) > 1e-6 {
					t.Errorf("end label %v is not round (step %v): %q", end, round, p.labels)
				}
			}
		})
	}
}

// TestChartTimeAxis: ticks are in market time, their format chosen from
// the span, left to right without overlap, and the axis says which clock.
func TestChartTimeAxis(t *testing.T) {
	cases := []struct {
		name    string
		step    time.Duration
		n       int
		w       int
		want    []string // labels that must be drawn
		pattern string   // a layout every label has: "15:04", "15:04:05", "Jan 2"
		note    string
	}{
		{"40 seconds", time.Second, 41, 60, []string{"20:00:10", "20:00:20"}, "15:04:05", "UTC"},
		{"40 seconds wide", time.Second, 41, 120, []string{"20:00:10", "20:00:20"}, "15:04:05", "market time UTC"},
		{"25 minutes", 5 * time.Second, 300, 80, []string{"20:05", "20:10", "20:15"}, "15:04", "market time UTC"},
		{"10 hours", time.Minute, 600, 100, []string{"22:00", "Nov 26"}, "", "market time UTC"},
		{"three days", time.Hour, 72, 90, []string{"Nov 26", "Nov 27"}, "Jan 2", "market time UTC"},
		{"narrow", 5 * time.Second, 300, 30, nil, "15:04", "UTC"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			vs := make([]float64, tc.n)
			for i := range vs {
				vs[i] = math.Sin(float64(i) / 10)
			}
			c := chart{Series: []chartSeries{{Points: pts(tc.step, vs...)}}, Width: tc.w, Height: 8}
			p := readChart(t, c)
			axis := p.axis
			if !strings.HasSuffix(axis, tc.note) {
				t.Errorf("axis %q does not end with %q", axis, tc.note)
			}
			labels := strings.Fields(strings.TrimSuffix(axis, tc.note))
			if len(labels) == 0 {
				t.Fatalf("no time labels: %q", axis)
			}
			joined := " " + strings.Join(labels, " ") + " "
			for _, w := range tc.want {
				if !strings.Contains(joined, " "+w+" ") && !strings.Contains(axis, w) {
					t.Errorf("axis %q lacks %q", axis, w)
				}
			}
			if tc.pattern != "" && tc.pattern != "Jan 2" {
				for _, l := range labels {
					if _, err := time.Parse(tc.pattern, l); err != nil {
						t.Errorf("label %q is not %s: %q", l, tc.pattern, axis)
					}
				}
			}
			// Ticks stand where their times are (within a cell).
			if tc.pattern == "15:04" || tc.pattern == "15:04:05" {
				plot := []rune(axis)[len([]rune(axis))-len(p.cells[0]):]
				t0, t1, _ := c.span()
				for _, tk := range timeTicks(t0, t1, len(plot), len(plot)-len(tc.note)-1) {
					at, err := time.Parse(tc.pattern, tk.label)
					if err != nil {
						continue
					}
					want := float64(at.Hour()*3600+at.Minute()*60+at.Second()-t0.Hour()*3600) / t1.Sub(t0).Seconds() * float64(len(plot)-1)
					if math.Abs(float64(tk.col)-want) > 1 {
						t.Errorf("tick %s at column %d, its time is at %.1f", tk.label, tk.col, want)
					}
				}
			}
		})
	}
}

// TestChartMarkers: fills are drawn at their price and time, ▲ buy ▼ sell,
// and a fill outside the mid's range widens the range so that it shows; a
// fill outside the time span is not drawn and does not stretch the range.
func TestChartMarkers(t *testing.T) {
	st := DefaultStyles(ThemeMono)
	mid := pts(5*time.Second, 2.300, 2.301, 2.302, 2.301, 2.300, 2.301, 2.302)
	fills := []engine.Fill{
		{MarketTime: chartT0.Add(10 * time.Second), Side: engine.Buy, Price: 2.2950},  // below the mid's range
		{MarketTime: chartT0.Add(20 * time.Second), Side: engine.Sell, Price: 2.3080}, // above it
		{MarketTime: chartT0.Add(-time.Hour), Side: engine.Sell, Price: 9.99},         // before the span
	}
	c := chart{Series: []chartSeries{{Name: "mid", Points: mid}}, Markers: fillMarkers(st, fills), Width: 50, Height: 12, Legend: true}
	p := readChart(t, c)
	if !p.has('▲') || !p.has('▼') {
		t.Fatalf("fills not drawn:\n%s", c.String())
	}
	top, bottom, _ := p.labelValues(t)
	if bottom > 2.2950 || top < 2.3080 {
		t.Errorf("range %v..%v does not take in the fills 2.2950 and 2.3080", bottom, top)
	}
	if top > 3 {
		t.Errorf("a fill outside the time span stretched the range to %v", top)
	}
	sc := c.scale(len(p.cells), c.visibleMarkers(chartT0, chartT0.Add(30*time.Second)))
	t0, t1, _ := c.span()
	g := newChartGrid(len(p.cells[0]), len(p.cells), t0, t1, sc)
	for _, f := range fills[:2] {
		glyph := '▲'
		if f.Side == engine.Sell {
			glyph = '▼'
		}
		r, col := g.y(f.Price)/4, g.x(f.MarketTime)/2
		if p.cells[r][col] != glyph {
			t.Errorf("%s fill at %v: cell %d,%d is %q, want %q", f.Side, f.Price, r, col, p.cells[r][col], glyph)
		}
	}
	if legend := ansi.Strip(c.draw()[0]); !strings.Contains(legend, "▲ buy") || !strings.Contains(legend, "▼ sell") || !strings.Contains(legend, "⠒⠒ mid") {
		t.Errorf("legend %q does not name the mid, buys and sells", legend)
	}
}

// TestChartSeriesApartWithoutColour: two series are told apart with no
// colour at all: the second is dotted (left dot column only), and the
// legend names each with the glyph it is drawn with.
func TestChartSeriesApartWithoutColour(t *testing.T) {
	value := pts(time.Minute, 4600, 4620, 4610, 4650, 4640)
	hold := pts(time.Minute, 4500, 4505, 4500, 4505, 4500)
	c := chart{Series: []chartSeries{{Name: "value", Points: value}, {Name: "hold", Points: hold, Pattern: lineDotted}},
		Width: 60, Height: 14}
	legend := c.legend()
	if !strings.Contains(legend, lineSolid.legendGlyph()+" value") || !strings.Contains(legend, lineDotted.legendGlyph()+" hold") {
		t.Fatalf("legend %q does not name each series with its glyph", legend)
	}
	if lineSolid.legendGlyph() == lineDotted.legendGlyph() {
		t.Fatal("solid and dotted series share a legend glyph")
	}
	p := readChart(t, c)
	sc := c.scale(len(p.cells), nil)
	holdTop := valueDot(4505, sc, len(p.dots))
	solidRight, dottedRight := 0, 0
	for y := range p.dots {
		for x := range p.dots[y] {
			if !p.dots[y][x] || x%2 == 0 {
				continue
			}
			if y >= holdTop-1 {
				dottedRight++
			} else {
				solidRight++
			}
		}
	}
	if dottedRight != 0 {
		t.Errorf("the dotted series lights %d right-column dots; it should light the left column only", dottedRight)
	}
	if solidRight == 0 {
		t.Error("the solid series lights no right-column dots")
	}
}

// TestChartTierLines: drift with its tier bands: the nearest threshold on
// each side of the data is in view, drawn as a line and labelled; farther
// ones do not squash the chart.
func TestChartTierLines(t *testing.T) {
	st := DefaultStyles(ThemeMono)
	drift := pts(5*time.Second, -0.6, -0.2, 0.4, 1.5, -0.96)
	c := chart{Series: []chartSeries{{Points: drift}}, Lines: tierLines(st, []float64{2, 5, 10}),
		Width: 60, Height: 12, Format: fmtPercentLabel}
	p := readChart(t, c)
	top, bottom, _ := p.labelValues(t)
	if top < 2 || bottom > -2 {
		t.Errorf("range %v..%v leaves out the first tier at ±2", bottom, top)
	}
	if top >= 5 || bottom <= -5 {
		t.Errorf("range %v..%v stretched to the far tiers", bottom, top)
	}
	for _, want := range []string{"+2.0%", "-2.0%"} {
		found := false
		for r, l := range p.labels {
			if l == want {
				found = true
				if !strings.ContainsRune(string(p.cells[r]), '┄') {
					t.Errorf("row %q has no tier line: %q", want, string(p.cells[r]))
				}
			}
		}
		if !found {
			t.Errorf("no %q label: %q", want, p.labels)
		}
	}
}

// TestChartEndsAtTheCurrentValue: the live drift chart ends at the figure
// shown beside it, not at the last history sample (−0.6 % vs −0.96 %).
func TestChartEndsAtTheCurrentValue(t *testing.T) {
	now := chartT0.Add(time.Hour)
	var hist []engine.HistorySample
	for i, v := range []float64{0.2, -0.1, -0.4, -0.6} {
		hist = append(hist, engine.HistorySample{Time: now.Add(-time.Duration(4-i) * 5 * time.Second), DriftPct: v})
	}
	drift := func(p engine.HistorySample) float64 { return p.DriftPct }
	ps := samplePoints(hist, drift, now, -0.96)
	if len(ps) != len(hist)+1 || !ps[len(ps)-1].T.Equal(now) || ps[len(ps)-1].V != -0.96 {
		t.Fatalf("points %v: the last should be the current value at %v", ps, now)
	}
	for i := 1; i < len(ps); i++ {
		if !ps[i].T.After(ps[i-1].T) {
			t.Fatalf("points out of order: %v", ps)
		}
	}
	c := chart{Series: []chartSeries{{Points: ps}}, Width: 40, Height: 10, Format: fmtPercentLabel}
	p := readChart(t, c)
	sc := c.scale(len(p.cells), nil)
	last := len(p.dots[0]) - 1
	rows := p.colRows(last)
	want := valueDot(-0.96, sc, len(p.dots))
	if len(rows) == 0 || rows[len(rows)-1] != want {
		t.Errorf("the last column lights rows %v; the current value -0.96 is row %d", rows, want)
	}
	for i, p := range ps[:len(hist)] {
		if !p.T.Equal(hist[i].Time) {
			t.Fatalf("point %d at %v, want the sample's market time %v", i, p.T, hist[i].Time)
		}
	}
	if ps := samplePoints(hist, drift, time.Time{}, 0); ps != nil {
		t.Errorf("before the first market event: %v, want nothing", ps)
	}
	// A sample at or after now is replaced, never left after the current value.
	ps = appendCurrent(pts(time.Second, 1, 2, 3), chartT0.Add(time.Second), 9)
	if len(ps) != 2 || ps[1].V != 9 {
		t.Errorf("appendCurrent kept a point at or after now: %v", ps)
	}
}

// TestChartShapes: every size draws exactly Width×Height cells, the same
// input draws the same text, gaps (NaN) break the line, and empty input
// draws a blank box.
func TestChartShapes(t *testing.T) {
	series := pts(time.Second, 1, 2, math.NaN(), 4, math.Inf(1), 3)
	for _, size := range [][2]int{{1, 1}, {3, 1}, {4, 2}, {5, 3}, {10, 3}, {20, 4}, {80, 10}, {250, 40}} {
		for _, legend := range []bool{false, true} {
			c := chart{Series: []chartSeries{{Name: "x", Points: series}}, Width: size[0], Height: size[1], Legend: legend,
				Markers: []chartMarker{{T: chartT0, V: 1, Glyph: '▲'}}, Lines: []chartLine{{V: 10}}}
			a, b := c.draw(), c.draw()
			if strings.Join(a, "\n") != strings.Join(b, "\n") {
				t.Fatalf("%v: two draws differ", size)
			}
			if len(a) != size[1] {
				t.Fatalf("%v: %d rows", size, len(a))
			}
			for _, r := range a {
				if w := lipgloss.Width(r); w != size[0] {
					t.Fatalf("%v legend %v: row %q is %d wide", size, legend, r, w)
				}
			}
		}
	}
	empty := chart{Width: 12, Height: 4}
	for _, r := range empty.draw() {
		if strings.TrimSpace(r) != "" {
			t.Errorf("an empty chart drew %q", r)
		}
	}
	// The NaN at index 2 leaves a gap between its neighbours' columns.
	c := chart{Series: []chartSeries{{Points: pts(time.Second, 1, 1, math.NaN(), math.NaN(), 1, 1)}}, Width: 24, Height: 5}
	p := readChart(t, c)
	mid := len(p.dots[0]) / 2
	if len(p.colRows(mid)) != 0 {
		t.Errorf("no gap at the NaN samples:\n%s", c.String())
	}
}

// TestNiceStep: steps are 1, 2, 2.5 or 5 times a power of ten and never
// smaller than asked.
func TestNiceStep(t *testing.T) {
	for _, tc := range []struct{ in, want float64 }{
		{0.0026, 0.005}, {0.0087, 0.01}, {1, 1}, {1.2, 2}, {2.1, 2.5}, {3, 5}, {7, 10}, {26, 50}, {0, 1}, {math.NaN(), 1},
	} {
		if got := niceStep(tc.in); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("niceStep(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct {
		step float64
		want int
	}{{0.25, 2}, {0.5, 1}, {20, 0}, {0.0025, 4}, {1e-5, 5}} {
		if got := stepDecimals(tc.step); got != tc.want {
			t.Errorf("stepDecimals(%v) = %d, want %d", tc.step, got, tc.want)
		}
	}
}

// TestSessionTierThresholds reads the thresholds from a recorded config.
func TestSessionTierThresholds(t *testing.T) {
	got := sessionTierThresholds(`{"strategy":{"skew_tier_thresholds_pct":[5,10,20]}}`)
	if len(got) != 3 || got[0] != 5 || got[2] != 20 {
		t.Errorf("got %v", got)
	}
	if got := sessionTierThresholds("not json"); got != nil {
		t.Errorf("bad config gave %v", got)
	}
}

// BenchmarkChart draws a 200-column price chart of a full history with
// fills, as the live view does on every frame.
func BenchmarkChart(b *testing.B) {
	s := fakeState()
	st := DefaultStyles(ThemeDark)
	c := chart{Series: []chartSeries{{Name: "mid", Style: st.SeriesA,
		Points: samplePoints(s.History, func(p engine.HistorySample) float64 { return p.Mid }, s.MarketTime, s.Mid)}},
		Markers: fillMarkers(st, s.RecentFills), Width: 200, Height: 20, Axis: st.Muted, Legend: true}
	b.ReportAllocs()
	for b.Loop() {
		_ = c.draw()
	}
}

// TestStyleWrapIsRender: a run written with a learnt wrap is byte for byte
// what Render writes, in colour and without, for every chart style of
// every theme; a style that is more than a wrap falls back to Render.
func TestStyleWrapIsRender(t *testing.T) {
	prev := lipgloss.ColorProfile()
	defer lipgloss.SetColorProfile(prev)
	for _, profile := range []termenv.Profile{termenv.TrueColor, termenv.ANSI256, termenv.Ascii} {
		lipgloss.SetColorProfile(profile)
		for _, theme := range []string{ThemeDark, ThemeLight, ThemeMono} {
			st := DefaultStyles(theme)
			styles := append([]lipgloss.Style{st.SeriesA, st.SeriesB, st.Gain, st.Loss, st.Muted, st.Banner, st.Selected,
				lipgloss.NewStyle().Padding(0, 1), lipgloss.NewStyle().Width(12)}, st.Tiers...)
			for i, s := range styles {
				for _, text := range []string{"⠒⠒⣀⡠", "▲", "┄┄┄ +2.0%┤"} {
					var w styleWrap
					var b strings.Builder
					w.write(&b, s, text)
					if got, want := b.String(), s.Render(text); got != want {
						t.Errorf("profile %v theme %s style %d %q: wrap wrote %q, Render %q", profile, theme, i, text, got, want)
					}
				}
			}
		}
	}
}

// A tier line is drawn on a row labelled with its own value: a drift
// within ±5 % between lines at ±5 was drawn on a range rounded out to ±6,
// the dashes on the rows labelled +6% and -6%.
func TestChartTierLinesOnTheirLabels(t *testing.T) {
	st := DefaultStyles(ThemeMono)
	for _, tc := range []struct {
		name string
		vs   []float64
	}{
		{"within the first tier", []float64{-3.1, -1.2, 0.4, 2.5, 4.2, 1.1}},
		{"into the second", []float64{-3.1, -1.2, 0.4, 6.5, 7.9, 1.1}},
		{"off centre", []float64{0.2, 1.4, 2.5, 3.1, 4.8, 3.3}},
	} {
		for h := 4; h <= 16; h++ {
			c := chart{Series: []chartSeries{{Points: pts(5*time.Second, tc.vs...)}}, Lines: tierLines(st, []float64{5, 10, 20}),
				Width: 60, Height: h, Format: fmtPercentLabel}
			p := readChart(t, c)
			for r, row := range p.cells {
				if !strings.ContainsRune(string(row), '┄') {
					continue
				}
				v, err := strconv.ParseFloat(strings.NewReplacer("%", "", "+", "").Replace(p.labels[r]), 64)
				if err != nil || (math.Abs(v) != 5 && math.Abs(v) != 10 && math.Abs(v) != 20) {
					t.Errorf("%s, %d rows: a tier line on a row labelled %q, not its value: %q", tc.name, h, p.labels[r], p.labels)
				}
			}
		}
	}
}
