package tui

import (
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"neo/engine"
)

// detailModel is one past (or running) session: its curves, figures, fills
// and events.
type detailModel struct {
	ctx       *viewContext
	hist      History // nil: nothing to read (says so)
	exportDir string  // where e writes the CSV (the database's directory)
	keys      detailKeys
	focused   bool // in front: a resize re-reads the curves

	detailData
}

// detailData is the session on show; opening a session starts it afresh.
type detailData struct {
	summary engine.SessionSummary
	val     []engine.ValuationSnapshot
	inv     []engine.InventorySnapshot
	fills   []engine.Fill
	events  []engine.SessionEvent
	points  int // maxPoints the series were read with

	report    *engine.Report // nil until read (or when it could not be)
	reportErr string

	loading bool
	seq     int
	err     string
	scroll  int    // first fill shown
	status  string // result of the last export
}

// detailKeys is the detail view's KeyMap.
type detailKeys struct {
	app                   KeyMap // the global keys its footer shows
	nav                   navKeys
	Back, Export, Refresh key.Binding
}

func newDetailKeys(app KeyMap) detailKeys {
	return detailKeys{
		app:     app,
		nav:     newNavKeys(),
		Back:    backKey(),
		Export:  key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "export fills CSV")),
		Refresh: refreshKey(),
	}
}

// ShortHelp is the detail footer (help.KeyMap).
func (k detailKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Back, k.nav.Down, k.nav.Up, k.Export, k.Refresh, k.app.Quit, k.app.Help}
}

// FullHelp is every key the view handles itself (help.KeyMap): wantsKey
// takes exactly these, so the help view lists them all.
func (k detailKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{k.nav.all(), {k.Back, k.Export, k.Refresh}}
}

func newDetailModel(ctx *viewContext, hist History, exportDir string, app KeyMap) detailModel {
	return detailModel{ctx: ctx, hist: hist, exportDir: exportDir, keys: newDetailKeys(app)}
}

// detailMsg carries everything the detail view shows.
type detailMsg struct {
	seq     int
	summary engine.SessionSummary
	val     []engine.ValuationSnapshot
	inv     []engine.InventorySnapshot
	fills   []engine.Fill
	events  []engine.SessionEvent
	points  int
	err     error
}

// seriesMsg carries the curves re-read for a new chart width.
type seriesMsg struct {
	seq    int
	val    []engine.ValuationSnapshot
	inv    []engine.InventorySnapshot
	points int
	err    error
}

// exportMsg is the result of a CSV export.
type exportMsg struct {
	path string
	n    int
	err  error
}

// chartAxisWidth is the room the value labels take left of a chart.
const chartAxisWidth = 11

// chartPoints is how many points a chart of the window's width can show:
// two braille dots per column.
func chartPoints(width int) int { return max(2, 2*(width-chartAxisWidth)) }

// open shows a session and reads its data.
func (d *detailModel) open(s engine.SessionSummary) tea.Cmd {
	d.detailData = detailData{summary: s, loading: true, seq: d.seq + 1}
	hist := d.hist
	if hist == nil {
		d.loading = false
		d.err = "no session history is open"
		return nil
	}
	seq, id, points := d.seq, s.SessionID, chartPoints(d.ctx.width)
	return tea.Batch(func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), queryTimeout)
		defer cancel()
		return readSession(ctx, hist, seq, id, points)
	}, loadReport(hist, viewDetail, seq, id))
}

// readSession reads everything the detail view shows of a session.
func readSession(ctx context.Context, hist History, seq int, id string, points int) detailMsg {
	msg := detailMsg{seq: seq, points: points}
	var err error
	if msg.summary, err = hist.GetSession(ctx, id); err != nil {
		msg.err = fmt.Errorf("read session %s: %w", id, err)
		return msg
	}
	if msg.val, err = hist.ValuationSeries(ctx, id, points); err != nil {
		msg.err = fmt.Errorf("read valuation snapshots: %w", err)
		return msg
	}
	if msg.inv, err = hist.InventorySeries(ctx, id, points); err != nil {
		msg.err = fmt.Errorf("read inventory snapshots: %w", err)
		return msg
	}
	if msg.fills, err = hist.Fills(ctx, id, 0); err != nil {
		msg.err = fmt.Errorf("read fills: %w", err)
		return msg
	}
	if msg.events, err = hist.Events(ctx, id, 0); err != nil {
		msg.err = fmt.Errorf("read events: %w", err)
	}
	return msg
}

// Update takes its loads, the window size and its keys.
func (d *detailModel) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case detailMsg:
		d.onLoad(msg)
	case seriesMsg:
		d.onSeries(msg)
	case exportMsg:
		d.onExport(msg)
	case reportMsg:
		if msg.to == viewDetail && msg.seq == d.seq {
			if msg.err != nil {
				d.reportErr = Sanitize(msg.err.Error())
			} else {
				d.report = &msg.report
			}
		}
	case tea.WindowSizeMsg:
		return d.resize()
	case tea.KeyMsg:
		return d.key(msg)
	}
	return nil
}

func (d *detailModel) onLoad(msg detailMsg) {
	if msg.seq != d.seq {
		return
	}
	d.loading = false
	if msg.err != nil {
		d.err = Sanitize(msg.err.Error())
		return
	}
	d.summary, d.val, d.inv, d.fills, d.events, d.points = msg.summary, msg.val, msg.inv, msg.fills, msg.events, msg.points
	d.fills = newestFirst(d.fills)
}

// newestFirst returns the fills (read oldest first) newest first, the
// order of the live view's fills.
func newestFirst(fills []engine.Fill) []engine.Fill {
	out := make([]engine.Fill, len(fills))
	for i, f := range fills {
		out[len(fills)-1-i] = f
	}
	return out
}

func (d *detailModel) onSeries(msg seriesMsg) {
	if msg.seq != d.seq || msg.err != nil {
		return
	}
	d.val, d.inv, d.points = msg.val, msg.inv, msg.points
}

func (d *detailModel) onExport(msg exportMsg) {
	if msg.err != nil {
		d.status = "export failed: " + Sanitize(msg.err.Error())
		return
	}
	d.status = fmt.Sprintf("exported %d fills to %s", msg.n, Sanitize(msg.path))
}

// resize re-reads the curves when the chart width changed.
func (d *detailModel) resize() tea.Cmd {
	hist := d.hist
	points := chartPoints(d.ctx.width)
	if !d.focused || d.loading || d.points == 0 || points == d.points || hist == nil || d.ctx.tooSmall() {
		return nil
	}
	d.points = points
	seq, id := d.seq, d.summary.SessionID
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), queryTimeout)
		defer cancel()
		msg := seriesMsg{seq: seq, points: points}
		if msg.val, msg.err = hist.ValuationSeries(ctx, id, points); msg.err != nil {
			return msg
		}
		msg.inv, msg.err = hist.InventorySeries(ctx, id, points)
		return msg
	}
}

// wantsKey reports whether msg is one of the view's own keys.
func (d *detailModel) wantsKey(msg tea.KeyMsg) bool {
	return key.Matches(msg, flatten(d.keys.FullHelp())...)
}

func (d *detailModel) key(msg tea.KeyMsg) tea.Cmd {
	k := d.keys
	rows := detailLayout(d.ctx.height, 2).listRows
	last := max(0, len(d.fills)-rows)
	switch {
	case key.Matches(msg, k.Back):
		return focus(viewDetail, viewHistory)
	case key.Matches(msg, k.nav.Down):
		d.scroll = min(d.scroll+1, last)
	case key.Matches(msg, k.nav.Up):
		d.scroll = max(d.scroll-1, 0)
	case key.Matches(msg, k.nav.PageDn):
		d.scroll = min(d.scroll+rows, last)
	case key.Matches(msg, k.nav.PageUp):
		d.scroll = max(d.scroll-rows, 0)
	case key.Matches(msg, k.nav.Home):
		d.scroll = 0
	case key.Matches(msg, k.nav.End):
		d.scroll = last
	case key.Matches(msg, k.Export):
		return d.export()
	case key.Matches(msg, k.Refresh):
		return d.open(d.summary)
	}
	return nil
}

// export writes the session's fills as CSV in the export directory.
func (d *detailModel) export() tea.Cmd {
	hist, dir, id := d.hist, d.exportDir, d.summary.SessionID
	if hist == nil || id == "" {
		return nil
	}
	if dir == "" {
		d.status = "export failed: no export directory (it is the database's directory)"
		return nil
	}
	d.status = "exporting…"
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), queryTimeout)
		defer cancel()
		fills, err := hist.Fills(ctx, id, 0)
		if err != nil {
			return exportMsg{err: fmt.Errorf("read fills of %s: %w", id, err)}
		}
		path, err := writeFillsCSV(dir, id, fills)
		return exportMsg{path: path, n: len(fills), err: err}
	}
}

// exportName is the file name of a session's fills export; characters that
// do not belong in a file name become "_".
func exportName(sessionID string) string {
	var b strings.Builder
	for _, r := range sessionID {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return "neo-fills-" + strings.TrimLeft(b.String(), ".") + ".csv"
}

// writeFillsCSV writes fills to dir/neo-fills-<id>.csv through a temporary
// file that is synced and renamed, so that a reader never sees half a file.
func writeFillsCSV(dir, sessionID string, fills []engine.Fill) (string, error) {
	path := filepath.Join(dir, exportName(sessionID))
	tmp, err := os.CreateTemp(dir, ".neo-fills-*.tmp")
	if err != nil {
		return "", fmt.Errorf("create export in %s: %w (check the directory exists and is writable)", dir, err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	w := csv.NewWriter(tmp)
	ff := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	_ = w.Write([]string{"fill_id", "session_id", "order_id", "executed_at", "side", "price", "qty_xrp", "value_rlusd", "fee_rlusd"})
	for _, f := range fills {
		_ = w.Write([]string{f.FillID, f.SessionID, f.OrderID, f.MarketTime.UTC().Format("2006-01-02T15:04:05.000Z"),
			string(f.Side), ff(f.Price), ff(f.QtyXRP), ff(f.ValueRLUSD), ff(f.FeeRLUSD)})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		tmp.Close()
		return "", fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", fmt.Errorf("sync %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("close %s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", fmt.Errorf("rename export to %s: %w", path, err)
	}
	return path, nil
}

// detailRows is how the detail view divides the window's height.
type detailRows struct{ valueH, driftH, listRows int }

func detailLayout(h, summaryLines int) detailRows {
	// Fixed lines: header, the summary, three titles, the list head, the
	// status line and the footer.
	rem := max(7, h-7-summaryLines)
	v := max(3, rem*2/5)
	d := rem / 5
	if d < minChartRows {
		d = 1 // no room for a chart that reads: the drift in one line
	}
	return detailRows{valueH: v, driftH: d, listRows: max(1, rem-v-d)}
}

// View draws the session: header, summary figures, the value and drift
// charts, then fills and events side by side.
func (d *detailModel) View() string {
	st := d.ctx.styles
	lines := []string{d.header()}
	summary := d.summaryLines()
	lines = append(lines, summary...)
	lay := detailLayout(d.ctx.height, len(summary))
	w := d.ctx.width
	if d.report != nil && w >= wideLive {
		// The report beside the charts, the fills and events under both.
		rw := clampInt(w*2/5, 50, 100)
		charts := d.charts(lay, w-rw-liveGap)
		rep := newBlock(rw).addFitted(fitAll(reportPanel(st, *d.report, rw, len(charts)), rw)...)
		lines = append(lines, beside(liveGap, newBlock(w-rw-liveGap).addFitted(charts...), rep).lines...)
		lines = append(lines, d.lists(lay, nil)...)
	} else {
		lines = append(lines, d.charts(lay, w)...)
		lines = append(lines, d.lists(lay, d.report)...)
	}

	var status string
	switch {
	case d.err != "":
		status = st.Error.Render(d.err)
	case d.loading:
		status = st.Muted.Render("loading…")
	case d.status != "":
		status = st.Value.Render(d.status)
	case d.reportErr != "":
		status = st.Warn.Render("no report: " + d.reportErr)
	}
	lines = append(lines, status)
	return d.ctx.frame(lines, d.ctx.footer(d.keys.ShortHelp()...))
}

// header names the session and how it ended.
func (d *detailModel) header() string {
	st := d.ctx.styles
	s := d.summary
	left := st.Header.Render("neo") + st.Muted.Render(" · session ") + st.Header.Render(Sanitize(s.SessionID))
	var right string
	switch {
	case s.LeftOpen:
		right = st.Warn.Render("○ left open") + st.Muted.Render(" · not running: neo backfill closes it")
	case s.Running():
		right = st.Running.Render("● running") + st.Muted.Render(" · r reads it again")
	case s.HaltReason.IsRisk() || s.HaltReason == engine.HaltEngineError || s.HaltReason == engine.HaltUncleanExit:
		right = st.Banner.Render(" " + Sanitize(string(s.HaltReason)) + " ")
	default:
		right = st.Notice.Render(" " + Sanitize(string(s.HaltReason)) + " ")
	}
	return d.ctx.headerLine(left, right)
}

// summaryLines packs the session's figures into at most three lines.
func (d *detailModel) summaryLines() []string {
	st := d.ctx.styles
	s := d.summary
	item := func(label, value string) string { return st.Label.Render(label) + value }
	ended := st.Running.Render("running")
	end, lasted := d.ctx.now(), "so far "
	if s.EndedAt != nil {
		ended = item("ended ", st.Value.Render(fmtTime(*s.EndedAt)))
		if s.EndedAtEstimated {
			ended = item("ended ", st.Warn.Render("~"+fmtTime(*s.EndedAt)+" (estimated)"))
		}
		end, lasted = *s.EndedAt, "lasted "
	}
	items := []string{item("started ", st.Value.Render(fmtTime(s.StartedAt))+st.Muted.Render(" UTC"))}
	if s.LeftOpen {
		// Its process is gone: no end, and no "so far" either.
		items = append(items, st.Warn.Render("left open, not running (a crash, kill or power loss)"))
	} else {
		items = append(items, ended, item(lasted, st.Value.Render(fmtDur(end.Sub(s.StartedAt)))))
	}
	if s.MarketStartedAt != nil && s.MarketEndedAt != nil {
		items = append(items, item("market ", st.Value.Render(fmtTime(*s.MarketStartedAt)+" → "+fmtTime(*s.MarketEndedAt))))
	}
	items = append(items,
		item("feed ", st.Value.Render(Sanitize(s.Feed))),
		item("fills ", st.Value.Render(fmtCount(s.FillCount))),
	)
	items = append(items, d.valueItems(item)...)
	summary := pack(items, st.Muted.Render(" · "), d.ctx.width)
	if len(summary) > 3 {
		summary = summary[:3]
	}
	return summary
}

// figures are the value, P&L, P&L vs hold and fees of the header: the
// report's once it is loaded (every recorded row: the same figures as the
// P&L panel beside it), else the latest valuation snapshot's while it
// loads; ok is false when neither has any.
type figures struct {
	end, pnl, vsHold, hold, fees float64
	ok                           bool
}

func (d *detailModel) figures() figures {
	s := d.summary
	if r := d.report; r != nil && (r.FinalMid > 0 || s.EndingValue != nil) {
		return figures{end: r.EndingValue, pnl: r.PnL.TotalRLUSD, vsHold: r.Hold.ValueVsHoldRLUSD,
			hold: r.Hold.HoldValueRLUSD, fees: r.Fees.TotalRLUSD, ok: true}
	}
	n := len(d.val)
	if s.EndingValue == nil && n == 0 {
		return figures{}
	}
	var f figures
	if n > 0 {
		last := d.val[n-1]
		f.end, f.hold, f.fees = last.TotalValueInRLUSD, last.HoldValueInRLUSD, last.FeesRLUSD
	}
	if s.EndingValue != nil {
		f.end = *s.EndingValue
	}
	f.pnl, f.vsHold, f.ok = f.end-s.StartingValue, f.end-f.hold, true
	return f
}

// valueItems are the header's value, P&L, P&L vs hold and fees.
func (d *detailModel) valueItems(item func(label, value string) string) []string {
	st := d.ctx.styles
	s := d.summary
	f := d.figures()
	end := "—"
	if f.ok {
		end = fmtMoney(f.end)
	}
	items := []string{item("value ", st.Value.Render(fmtMoney(s.StartingValue))+st.Label.Render(" → ")+st.Value.Render(end)+st.Muted.Render(" RLUSD"))}
	if !f.ok {
		return items
	}
	change := func(v, whole float64) string {
		money := fmtMoneyChange(v)
		return st.sign(money).Render(money) + " " + st.sign(fmtPct(pct(v, whole))).Render("("+fmtPct(pct(v, whole))+")")
	}
	items = append(items, item("PnL ", change(f.pnl, s.StartingValue)))
	if f.hold != 0 {
		items = append(items, item("PnL vs hold ", change(f.vsHold, f.hold)))
	}
	return append(items, item("fees ", st.Value.Render(fmtMoney(f.fees))+st.Muted.Render(" RLUSD")))
}

// charts draws value against hold and the drift, each under its title,
// in w cells.
func (d *detailModel) charts(lay detailRows, w int) []string {
	st := d.ctx.styles
	total, hold := valuationPoints(d.val)
	value := chart{Series: []chartSeries{{Name: "value", Points: total, Style: st.SeriesA},
		{Name: "hold", Points: hold, Style: st.SeriesB, Pattern: lineDotted}}, Width: w, Height: lay.valueH, Axis: st.Muted}
	// The titles are fitted to w like the chart rows: the caller sets the
	// report beside these lines as they are (addFitted).
	lines := []string{fit(st.Title.Render("VALUE vs HOLD")+st.Muted.Render(" RLUSD  ")+
		value.legend()+st.Muted.Render(d.rangeText()), w)}
	switch len(d.val) {
	case 0:
		lines = append(lines, d.placeholder("no valuation snapshots", w, lay.valueH)...)
	case 1: // one point is no curve: say what there is
		v := d.val[0]
		lines = append(lines, d.placeholder("one valuation snapshot so far: value "+fmtMoney(v.TotalValueInRLUSD)+
			", hold "+fmtMoney(v.HoldValueInRLUSD)+" RLUSD", w, lay.valueH)...)
	default:
		lines = append(lines, value.draw()...)
	}
	lines = append(lines, fit(st.Title.Render("DRIFT")+st.Muted.Render(" % of value away from the target XRP share"), w))
	if len(d.inv) == 0 {
		return append(lines, d.placeholder("no inventory snapshots", w, lay.driftH)...)
	}
	if lay.driftH < minChartRows {
		return append(lines, d.driftLine(w))
	}
	drift := make([]Point, len(d.inv))
	for i, v := range d.inv {
		drift[i] = Point{v.MarketTime, v.DriftPct}
	}
	return append(lines, chart{Series: []chartSeries{{Name: "drift", Points: drift, Style: st.tier(1)}},
		Lines: tierLines(st, sessionTierThresholds(d.summary.ConfigJSON)), Width: w, Height: lay.driftH,
		Format: fmtPercentLabel, Axis: st.Muted}.draw()...)
}

// driftLine is the drift in one line of w cells where a chart has no
// room: a sparkline over the whole session, its last value and its range.
func (d *detailModel) driftLine(w int) string {
	st := d.ctx.styles
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range d.inv {
		if finite(v.DriftPct) {
			lo, hi = math.Min(lo, v.DriftPct), math.Max(hi, v.DriftPct)
		}
	}
	last := d.inv[len(d.inv)-1].DriftPct
	figures := st.Label.Render(" last ") + st.Value.Render(fmtPct(last))
	if lo <= hi {
		figures += st.Label.Render(" range ") + st.Value.Render(fmtPct(lo)+" … "+fmtPct(hi))
	}
	n := max(0, w-6-textWidth(figures))
	vs := make([]float64, 0, n)
	for i := 0; i < n && len(d.inv) > 0; i++ { // n values spread over the session
		vs = append(vs, d.inv[i*(len(d.inv)-1)/max(1, n-1)].DriftPct)
	}
	return fit(st.Label.Render("trend ")+st.tier(1).Render(sparkline(vs, n))+figures, w)
}

// lists draws the fills (scrolled) and, beside them, the report (when it
// is not beside the charts) and the latest events.
func (d *detailModel) lists(lay detailRows, report *engine.Report) []string {
	st := d.ctx.styles
	w := d.ctx.width
	fw := min(max(46, w/2), w-20) // 46: the fill table with its value column
	fb, eb := newBlock(fw), newBlock(w-fw-2)
	shown := d.fills[min(d.scroll, len(d.fills)):min(d.scroll+lay.listRows, len(d.fills))]
	ft := fillTableFor(fw, d.fills, shown)
	fillTitle := "FILLS " + fmtCount(len(d.fills)) + st.Muted.Render(" newest first")
	if len(d.fills) > lay.listRows {
		fillTitle += st.Muted.Render(fmt.Sprintf("  %d–%d (j/k)", d.scroll+1, min(d.scroll+lay.listRows, len(d.fills))))
	}
	fb.add(st.Title.Render(fillTitle))
	fb.add(st.TableHead.Render(ft.head()))
	for i := d.scroll; i < len(d.fills) && i < d.scroll+lay.listRows; i++ {
		fb.add(ft.row(st, d.fills[i]))
	}
	if len(d.fills) == 0 && !d.loading {
		fb.add(st.Muted.Render("no fills"))
	}
	if report != nil {
		rows := min(lay.listRows+2, reportRows(*report, eb.width))
		eb.addFitted(fitAll(reportPanel(st, *report, eb.width, rows), eb.width)...)
		if eb.height() >= lay.listRows {
			return beside(2, fb.clip(lay.listRows+2), eb.clip(lay.listRows+2)).lines
		}
		eb.add("")
	}
	eb.add(st.Title.Render("EVENTS "+fmtCount(len(d.events))) + st.Muted.Render(" wall UTC, newest first"))
	// The latest events (how it ended) newest first, as in the live view,
	// each wrapped whole: as many as fit.
	var evLines []string
	for i := len(d.events) - 1; i >= 0; i-- {
		el := eventLines(st, d.events[i], eb.width)
		if eb.height()+len(evLines)+len(el) > lay.listRows+2 && len(evLines) > 0 {
			break
		}
		evLines = append(evLines, el...)
	}
	eb.add(evLines...)
	return beside(2, fb.clip(lay.listRows+2), eb.clip(lay.listRows+2)).lines
}

// rangeText shows the market-time span the charts cover.
func (d *detailModel) rangeText() string {
	if len(d.val) < 2 {
		return ""
	}
	from, to := d.val[0].MarketTime, d.val[len(d.val)-1].MarketTime
	end := fmtTime(to)
	if from.UTC().Format(time.DateOnly) == to.UTC().Format(time.DateOnly) {
		end = fmtClock(to) // the same day: the date once
	}
	return "   " + fmtTime(from) + " → " + end + " UTC"
}

// placeholder is h rows of w cells with text centred in them, where a
// chart has nothing to draw.
func (d *detailModel) placeholder(text string, w, h int) []string {
	out := make([]string, h)
	if d.loading {
		text = "loading…"
	}
	for i := range out {
		out[i] = strings.Repeat(" ", max(0, w))
	}
	out[h/2] = fit(d.ctx.styles.Muted.Render(padLeft(text, (w+textWidth(text))/2)), w)
	return out
}

// pack joins items with sep into lines no wider than w, starting a new line
// where the next item would not fit.
func pack(items []string, sep string, w int) []string {
	var out []string
	cur := ""
	for _, it := range items {
		switch {
		case cur == "":
			cur = it
		case lipglossWidth(cur)+lipglossWidth(sep)+lipglossWidth(it) <= w:
			cur += sep + it
		default:
			out = append(out, cur)
			cur = it
		}
	}
	if cur != "" {
		out = append(out, cur)
	}
	return out
}
