package tui

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"neo/engine"
)

// liveModel is the dashboard of the running session. It owns the engine
// waits: every stateMsg re-arms the next one until the engine is done.
type liveModel struct {
	ctx   *viewContext
	ctrl  Controller // nil: no live session (neo history)
	keys  liveKeys
	waits bool // re-arm the engine wait (tests deliver states themselves)

	hist History // where the final report is read from; nil: none

	state          *engine.State
	report         *engine.Report             // the session's report, read after it ended on its own
	finalVal       []engine.ValuationSnapshot // its whole value curve, sampled, read with the report
	reportErr      string
	done           bool      // the engine's Done channel is closed
	endedAt        time.Time // when the console saw Done
	closeRequested bool      // q or ctrl+c asked for the shutdown
	paused         bool      // what the last p asked for (or the state said)
}

// liveKeys is the live view's KeyMap: pause is its own key, which the root
// hands it from every view; the rest of its footer is the global keys.
type liveKeys struct {
	app   KeyMap
	Pause key.Binding
}

func newLiveKeys(app KeyMap) liveKeys {
	return liveKeys{app: app, Pause: key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pause/resume quoting"))}
}

// ShortHelp is the live footer: after the end there is nothing to pause or
// switch back to, and 2 is the way on.
func (k liveKeys) ShortHelp(done bool) []key.Binding {
	if done {
		return []key.Binding{k.app.Quit, k.app.History, k.app.Help}
	}
	return []key.Binding{k.app.Quit, k.Pause, k.app.Switch, k.app.Help}
}

func newLiveModel(ctx *viewContext, ctrl Controller, hist History, app KeyMap, waits bool) liveModel {
	keys := newLiveKeys(app)
	keys.Pause.SetEnabled(ctrl != nil) // nothing to pause without a live session
	return liveModel{ctx: ctx, ctrl: ctrl, hist: hist, waits: waits, keys: keys}
}

// wantsKey is false: the live view's only key, pause, reaches it from every
// view through the root.
func (l *liveModel) wantsKey(tea.KeyMsg) bool { return false }

// Update takes the engine's messages and the pause key.
func (l *liveModel) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case stateMsg:
		return l.onState(msg)
	case doneMsg:
		return l.onDone(msg)
	case reportMsg:
		if msg.to == viewLive && l.state != nil && msg.id == l.state.SessionID {
			if msg.err != nil {
				l.reportErr = Sanitize(msg.err.Error())
			} else {
				l.report = &msg.report
			}
		}
	case finalSeriesMsg:
		if l.state != nil && msg.id == l.state.SessionID && msg.err == nil {
			l.finalVal = msg.val
		}
	case tea.KeyMsg:
		if key.Matches(msg, l.keys.Pause) {
			l.togglePause()
		}
	}
	return nil
}

func (l *liveModel) onState(msg stateMsg) tea.Cmd {
	if msg.state != nil {
		l.state = msg.state
		l.paused = msg.state.Status == engine.StatusPaused
	}
	if l.done || !l.waits || msg.next == nil || l.ctrl == nil {
		return nil
	}
	return pullState(l.ctrl, msg.next)
}

func (l *liveModel) onDone(msg doneMsg) tea.Cmd {
	l.done = true
	l.endedAt = l.ctx.now()
	if msg.state != nil {
		l.state = msg.state
	}
	var r engine.HaltReason
	if l.state != nil {
		r = l.state.HaltReason
	}
	if l.closeRequested || r.OperatorAsked() {
		return tea.Quit
	}
	// Any other ending stays on screen with its reason in front, and its
	// report as the final screen once it is read.
	var id string
	if l.state != nil {
		id = l.state.SessionID
	}
	return tea.Batch(focus(anyView, viewLive), // from whichever view is in front
		loadReport(l.hist, viewLive, 0, id), loadFinalSeries(l.hist, id))
}

// togglePause asks the engine to stop or resume quoting. SetPaused is a
// request that returns at once (a non-blocking send), so it is called here
// rather than in a command: two commands could reach the engine in either
// order, and p p must end unpaused.
func (l *liveModel) togglePause() {
	if l.ctrl == nil || l.done || l.closeRequested || l.state == nil {
		return
	}
	switch l.state.Status {
	case engine.StatusRunning, engine.StatusPaused, engine.StatusStarting:
	default:
		return
	}
	l.paused = !l.paused
	l.ctrl.SetPaused(l.paused)
}

// closing reports whether q should ask the engine to close rather than
// quit the console at once (there is a live session and it has not ended).
func (l *liveModel) closing() bool { return l.ctrl != nil && !l.done }

// requestClose asks the engine for the shutdown path; the console quits
// when Done reports it. Like SetPaused, RequestClose returns at once.
func (l *liveModel) requestClose() {
	l.closeRequested = true
	l.ctrl.RequestClose(engine.HaltOperatorQuit)
}

// status returns the state word the header shows.
func (l *liveModel) status() engine.Status {
	switch {
	case l.state == nil:
		return engine.StatusStarting
	case l.done:
		return engine.StatusEnded
	}
	return l.state.Status
}

// View draws the dashboard: the header (and the end banner), the panels,
// then the fills and events, filling the window.
func (l *liveModel) View() string {
	c := l.ctx
	lines := []string{l.header()}
	foot := c.footer(l.keys.ShortHelp(l.done)...)
	if l.state == nil {
		lines = append(lines, "", c.styles.Muted.Render("waiting for the engine's first state…"))
		return c.frame(lines, foot)
	}
	lines = append(lines, l.banner()...)
	if body := c.height - len(lines) - 1; body > 0 {
		if l.done && l.report != nil {
			lines = append(lines, l.finalScreen(c.width, body)...)
		} else {
			lines = append(lines, l.body(c.width, body).lines...)
		}
	}
	return c.frame(lines, foot)
}

// finalScreen is what stays on screen after a session ended on its own:
// its report, the value against holding over the whole session in the rows
// the report leaves, and the last events (how it ended).
func (l *liveModel) finalScreen(w, h int) []string {
	st := l.ctx.styles
	evs := l.eventRows(w)
	evRows := 0
	for _, e := range evs {
		evRows += len(e)
	}
	bottom := 0
	if h >= 20 {
		bottom = min(1+evRows, h/4)
	}
	// The id whole, and the command that prints the report when it fits
	// after it (at 80 columns it cut the id a user must type).
	id := Sanitize(l.state.SessionID)
	note := id + " · also: neo report " + id
	if len("SESSION REPORT ")+textWidth(note) > w {
		note = id + " · neo report prints it"
		if len("SESSION REPORT ")+textWidth(note) > w {
			note = id
		}
	}
	out := []string{titleRule(st, "SESSION REPORT", st.Muted.Render(note), w)}
	out = append(out, fitAll(reportPanel(st, *l.report, w, h-1-bottom), w)...)
	if rest := h - len(out) - bottom; rest >= minChartRows+2 {
		b := newBlock(w)
		l.finalValueChart(b, rest)
		out = append(out, b.clip(rest).lines...)
	}
	if bottom > 0 {
		for len(out) < h-bottom {
			out = append(out, "")
		}
		eb := newBlock(w)
		eb.add(titleRule(st, "LAST EVENTS", st.Muted.Render("wall UTC, newest first"), w))
		for _, e := range evs {
			if eb.height()+len(e) > bottom {
				break
			}
			eb.add(e...)
		}
		out = append(out, eb.clip(bottom).lines...)
	}
	return out
}

// liveGap is the spaces between two columns of panels.
const liveGap = 2

// wideLive is the width from which the panels stand in three columns.
const wideLive = 150

// body lays out the panels in w×h cells: a band of panels on top whose
// charts take the spare height, and under it a band of the fills and the
// events, as tall as they have rows to show (up to two fifths of the
// spare rows), so that neither band leaves rows blank while the other has
// something to draw.
func (l *liveModel) body(w, h int) *block {
	cols := l.columns(w)
	// The bottom band's columns: the fill table with dates when there
	// is room, the events beside it.
	fw := splitWidth(w, 2, liveGap)[0]
	if len(cols) == 3 {
		fw = min(72, w/2)
	}
	ew := w - fw - liveGap
	evs := l.eventRows(ew)
	evRows := 0
	for _, e := range evs {
		evRows += len(e)
	}
	fills := l.state.RecentFills
	want := 2 + max(len(fills), evRows, 1) // title and head, then the rows
	// The top band needs the least rows of its tallest column: every
	// panel's while there is room for them all, else those never dropped.
	topAll, topMin := 0, 0
	for _, col := range cols {
		all, keep := 0, 0
		for _, p := range col.panels {
			all += p.min
			if p.drop == 0 {
				keep += p.min
			}
		}
		topAll, topMin = max(topAll, all), max(topMin, keep)
	}
	const bottomMin = 4 // title, head, two rows
	if h-topAll-bottomMin >= 0 {
		topMin = topAll
	}
	bottom := 0
	if spare := h - topMin - bottomMin; spare >= 0 {
		bottom = bottomMin + min(max(0, want-bottomMin), spare/3)
	} else if h-topMin >= 3 {
		bottom = h - topMin
	}
	top := h - bottom
	var blocks []*block
	for _, col := range cols {
		blocks = append(blocks, stack(col.width, top, col.panels))
	}
	out := beside(liveGap, blocks...)
	if bottom > 0 {
		fb, eb := newBlock(fw), newBlock(ew)
		l.fills(fb, bottom)
		eb.add(titleRule(l.ctx.styles, "RECENT EVENTS", l.ctx.styles.Muted.Render("wall UTC, newest first"), ew))
		if len(evs) == 0 {
			eb.add(l.ctx.styles.Muted.Render("no events"))
		}
		for _, e := range evs { // whole events only
			if eb.height()+len(e) > bottom {
				break
			}
			eb.add(e...)
		}
		out.lines = append(out.lines, beside(liveGap, fb.clip(bottom), eb.clip(bottom)).lines...)
	}
	return out
}

// liveColumn is one column of the top band.
type liveColumn struct {
	width  int
	panels []panel
}

// columns lays the panels out for the window's width: three columns from
// wideLive (inventory, orders, book and value; drift; market), else two
// (inventory, drift and book; market, orders and value). The value chart
// goes first on a short window, then the book.
func (l *liveModel) columns(w int) []liveColumn {
	s := l.state
	ending := l.done || s.Status == engine.StatusShuttingDown || l.closeRequested
	orders := panel{name: "quotes", min: 2 + max(1, len(s.Quotes)), draw: func(b *block, _ int) { l.quotes(b) }}
	if ending {
		n := 1 + len(shutdownLines(l.ctx.styles, s.ShutdownSteps, l.done))
		orders = panel{name: "shutdown", min: n, draw: func(b *block, _ int) { l.shutdown(b) }}
	}
	orders.max = orders.min
	inventory := panel{name: "inventory", min: 10, max: 10, draw: func(b *block, _ int) { l.inventory(b) }}
	drift := panel{name: "drift", min: 5, grow: 3, draw: l.drift}
	market := panel{name: "market", min: 5, grow: 3, draw: l.market}
	value := panel{name: "value", min: 7, grow: 2, drop: 1, draw: l.valueChart}
	book := panel{name: "book", min: 5, max: l.bookRows(), grow: 1, drop: 2, draw: l.book}
	if w >= wideLive {
		cw := splitWidth(w, 3, liveGap)
		return []liveColumn{
			{cw[0], []panel{inventory, orders, book, value}},
			{cw[1], []panel{drift}},
			{cw[2], []panel{market}},
		}
	}
	cw := splitWidth(w, 2, liveGap)
	return []liveColumn{
		{cw[0], []panel{inventory, drift, book}},
		{cw[1], []panel{market, orders, value}},
	}
}

// eventRows are the recent events, newest first, each wrapped to width.
func (l *liveModel) eventRows(width int) [][]string {
	st := l.ctx.styles
	evs := append([]engine.SessionEvent(nil), l.state.Events...)
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].CreatedAt.After(evs[j].CreatedAt) })
	out := make([][]string, 0, len(evs))
	for _, e := range evs {
		out = append(out, eventLines(st, e, width))
	}
	return out
}

// withFooter pads or cuts lines to h-1 and puts the footer last.
func withFooter(lines []string, h int, foot string) []string {
	if len(lines) > h-1 {
		lines = lines[:h-1]
	}
	for len(lines) < h-1 {
		lines = append(lines, "")
	}
	return append(lines, foot)
}

// header names the session, its mode and feed, its state, how long it has
// run and how old the last tick is. A narrow window drops whole parts (up,
// then the mode, then the feed), never shortens a word.
func (l *liveModel) header() string {
	st := l.ctx.styles
	s := l.state
	left := []headerPart{{text: st.Header.Render("neo")}}
	if s != nil {
		left = append(left, headerPart{text: st.Header.Render(Sanitize(s.SessionID))},
			headerPart{text: st.Muted.Render(Sanitize(s.Mode)), drop: 2},
			headerPart{text: st.Muted.Render(Sanitize(s.Feed)), drop: 1})
		if fs := s.FeedStatus; fs != nil {
			// The live feed's health in one compact part (the book panel
			// draws the rest): state, ledger, round trip, reconnects.
			style := st.Value
			if fs.State != "LIVE" {
				style = st.Warn
			}
			left = append(left, headerPart{text: style.Render(Sanitize(fs.State)) +
				st.Muted.Render(fmt.Sprintf(" #%d rtt %s ↻%d", fs.LedgerIndex, fs.RTT.Round(time.Millisecond), fs.Reconnects)), drop: 1})
		}
	}
	now := l.ctx.now()
	status := l.status()
	var word string
	switch status {
	case engine.StatusRunning:
		word = st.Running.Render("● RUNNING")
	case engine.StatusPaused:
		word = st.Paused.Render("‖ PAUSED")
	case engine.StatusShuttingDown:
		word = st.Stopping.Render("◌ SHUTTING DOWN")
	case engine.StatusEnded:
		word = st.Ended.Render("■ ENDED")
	default:
		word = st.Muted.Render("○ " + strings.ToUpper(Sanitize(string(status))))
	}
	right := []headerPart{{text: word}}
	if s != nil && !s.StartedAt.IsZero() {
		end := now
		if l.done {
			end = l.endedAt
		}
		right = append(right, headerPart{text: st.Muted.Render("up ") + st.Value.Render(fmtDur(end.Sub(s.StartedAt))), drop: 3})
	}
	if s != nil && !l.done {
		if s.LastTickWall.IsZero() {
			right = append(right, headerPart{text: st.Muted.Render("no tick yet")})
		} else {
			age := now.Sub(s.LastTickWall)
			style := st.Value
			if stale := s.Config.Risk.StaleFeedAfter.Duration; stale > 0 && age > stale/2 {
				style = st.Warn
			}
			right = append(right, headerPart{text: st.Muted.Render("tick ") + style.Render(fmtDur(age)) + st.Muted.Render(" ago")})
		}
	}
	return l.ctx.header(left, right)
}

// reasonText explains a halt reason in words.
func reasonText(r engine.HaltReason, cfg engine.Config) string {
	switch r {
	case engine.HaltMaxDrawdown:
		return fmt.Sprintf("value fell more than %g%% below the starting value", cfg.Risk.MaxDrawdownPct)
	case engine.HaltInventoryLimit:
		return fmt.Sprintf("inventory drift passed %g%%", cfg.Risk.MaxDriftPct)
	case engine.HaltStaleFeed:
		return fmt.Sprintf("no market data for %s", cfg.Risk.StaleFeedAfter.Duration)
	case engine.HaltAnchorDivergence:
		return fmt.Sprintf("anchor stayed more than %g bps from the mid for %s", cfg.Strategy.AnchorMaxDivergenceBps, cfg.Strategy.AnchorDivergenceHaltAfter.Duration)
	case engine.HaltFeedEnded:
		return "the market feed ended"
	case engine.HaltDurationReached:
		return "the --duration was reached"
	case engine.HaltEngineError:
		return "the engine stopped on an error"
	case engine.HaltOperatorQuit:
		return "the operator quit"
	case engine.HaltSignalInterrupt, engine.HaltSignalTerminate, engine.HaltSignalHangup:
		return "a signal asked for the end"
	case engine.HaltUncleanExit:
		return "the session was left open by a crash"
	}
	return "the session ended"
}

// banner is the final word of a session that ended on its own.
func (l *liveModel) banner() []string {
	if !l.done || l.state == nil {
		return nil
	}
	st := l.ctx.styles
	s := l.state
	r := s.HaltReason
	style, word := st.Notice, "SESSION ENDED"
	if r.IsRisk() {
		style, word = st.Banner, "RISK HALT"
	} else if r == engine.HaltEngineError || s.Err != "" {
		style, word = st.Banner, "SESSION ENDED ON AN ERROR"
	}
	reason := Sanitize(string(r))
	if reason == "" {
		reason = "unknown reason"
	}
	text := fmt.Sprintf(" %s: %s — %s", word, reason, reasonText(r, s.Config))
	if long := text + " · press q to quit, 2 for history "; lipglossWidth(long) <= l.ctx.width {
		text = long
	}
	out := []string{style.Render(fit(text, l.ctx.width))}
	if s.Err != "" {
		out = append(out, st.Error.Render(fit(" error: "+Sanitize(s.Err), l.ctx.width)))
	}
	if l.reportErr != "" {
		out = append(out, st.Warn.Render(fit(" no report: "+l.reportErr+" (neo report prints it)", l.ctx.width)))
	}
	return out
}

func (l *liveModel) inventory(b *block) {
	st := l.ctx.styles
	s := l.state
	inv := s.Inventory
	const lw, vw = 12, 13
	row := func(label, value, rest string) string {
		return st.Label.Render(fit(label, lw)) + st.Value.Render(padLeft(value, vw)) + rest
	}
	b.add(titleRule(st, "INVENTORY", "", b.width))
	b.add(row("XRP", fmtXRP(inv.XRPBalance), st.Muted.Render(" XRP")))
	b.add(row("RLUSD", fmtMoney(inv.RLUSDBalance), st.Muted.Render(" RLUSD")))
	b.add(row("XRP value", fmtMoney(inv.XRPValueInRLUSD), st.Muted.Render(" RLUSD")))
	b.add(row("Total value", fmtMoney(inv.TotalValueInRLUSD), st.Muted.Render(" RLUSD")))
	target := s.Config.Strategy.TargetXRPPct
	b.add(row("XRP share", fmtShare(inv.XRPPct), st.Muted.Render(" target "+fmtShare(target))))
	change := func(label string, v, whole float64) string {
		money, p := fmtMoneyChange(v), fmtPct(pct(v, whole))
		return st.Label.Render(fit(label, lw)) + st.sign(money).Render(padLeft(money, vw)) + " " + st.sign(p).Render(padLeft(p, 9))
	}
	b.add(change("PnL vs start", inv.TotalValueInRLUSD-s.StartingValue, s.StartingValue))
	hold := s.Valuation.HoldValueInRLUSD
	vsHold := math.NaN()
	if hold != 0 {
		vsHold = inv.TotalValueInRLUSD - hold
	}
	b.add(change("PnL vs hold", vsHold, hold))
	b.add(row("Fills", fmtCount(s.FillCount), ""))
	b.add(row("Volume", fmtMoney(s.VolumeRLUSD), st.Muted.Render(" RLUSD")))
}

// minChartRows is the fewest rows a chart is drawn in (three of plot and
// the time axis); a panel with less room draws a one-row sparkline.
const minChartRows = 4

// drift draws the drift figures, the gauge and, in the rest of h rows, the
// drift on market time with its tier bands.
func (l *liveModel) drift(b *block, h int) {
	st := l.ctx.styles
	s := l.state
	inv := s.Inventory
	cfg := s.Config
	b.add(titleRule(st, "DRIFT", st.Muted.Render("XRP share − target"), b.width))
	ts := st.tier(inv.SkewTier)
	b.add(st.Label.Render("drift ") + ts.Render(fmtPct(inv.DriftPct)) +
		st.Label.Render("  tier ") + ts.Render(fmt.Sprint(inv.SkewTier)) +
		st.Label.Render("  vel ") + st.Value.Render(fmtPct(inv.DriftVelocityPctPerMin)+"/min"))
	limit := cfg.Risk.MaxDriftPct
	if limit <= 0 {
		limit = 35
	}
	b.add(gauge(st, inv.DriftPct, limit, cfg.Strategy.SkewTierThresholdsPct, inv.SkewTier, b.width))
	b.add(st.Muted.Render(gaugeScale(limit, cfg.Strategy.SkewTierThresholdsPct, b.width)))
	pick := func(p engine.HistorySample) float64 { return p.DriftPct }
	if rest := h - b.height(); rest >= minChartRows {
		b.addFitted(chart{Series: []chartSeries{{Name: "drift", Style: ts,
			Points: samplePoints(s.History, pick, s.MarketTime, inv.DriftPct)}},
			Lines: tierLines(st, cfg.Strategy.SkewTierThresholdsPct), Width: b.width, Height: rest,
			Format: fmtPercentLabel, Axis: st.Muted}.draw()...)
		return
	}
	b.add(st.Label.Render("trend   ") + ts.Render(sparkline(sampleValues(s.History, pick), b.width-8)))
}

// valueChart draws the session's value against holding its starting
// balances, on market time: the gap between them is the PnL vs hold.
func (l *liveModel) valueChart(b *block, h int) { l.tailValueChart(b, h, "RLUSD") }

// tailValueChart is valueChart under a title with note.
func (l *liveModel) tailValueChart(b *block, h int, note string) {
	s := l.state
	value := func(p engine.HistorySample) float64 { return p.ValueRLUSD }
	hold := func(p engine.HistorySample) float64 { return p.HoldRLUSD }
	holdNow := s.Valuation.HoldValueInRLUSD
	if holdNow == 0 {
		holdNow = math.NaN()
	}
	l.drawValue(b, h, note, samplePoints(s.History, value, s.MarketTime, s.Inventory.TotalValueInRLUSD),
		samplePoints(s.History, hold, s.MarketTime, holdNow))
}

// finalValueChart is the value chart of the final screen: the whole
// session from the history, as the report's figures are (the state keeps
// only its last samples, about 20 minutes, where the report's drawdown
// may not be). Until that is read, or when it cannot be, the state's
// samples under a title that says they are only the tail.
func (l *liveModel) finalValueChart(b *block, h int) {
	if len(l.finalVal) >= 2 {
		value, hold := valuationPoints(l.finalVal)
		from, to := l.finalVal[0].MarketTime, l.finalVal[len(l.finalVal)-1].MarketTime
		stamp := spanStamp(&from, &to)
		l.drawValue(b, h, "RLUSD · the whole session, "+stamp(from)+" → "+stamp(to)+" market UTC", value, hold)
		return
	}
	s := l.state
	note := "RLUSD"
	if len(s.History) > 0 {
		note += " · only the last " + fmtDur(s.MarketTime.Sub(s.History[0].Time)) + " of the session"
	}
	l.tailValueChart(b, h, note)
}

// drawValue draws value against hold under a title with note, in h rows.
func (l *liveModel) drawValue(b *block, h int, note string, value, hold []Point) {
	st := l.ctx.styles
	b.add(titleRule(st, "VALUE vs HOLD", st.Muted.Render(note), b.width))
	rest := h - 1
	b.addFitted(chart{Series: []chartSeries{
		{Name: "value", Style: st.SeriesA, Points: value},
		{Name: "hold", Style: st.SeriesB, Pattern: lineDotted, Points: hold}},
		Width: b.width, Height: rest, Axis: st.Muted, Legend: rest >= minChartRows+1, Format: fmtNum}.draw()...)
}

// valuationPoints are the total value and the value of holding of
// recorded snapshots, as chart points.
func valuationPoints(vs []engine.ValuationSnapshot) (value, hold []Point) {
	value, hold = make([]Point, len(vs)), make([]Point, len(vs))
	for i, v := range vs {
		value[i], hold[i] = Point{v.MarketTime, v.TotalValueInRLUSD}, Point{v.MarketTime, v.HoldValueInRLUSD}
	}
	return value, hold
}

// gaugeScale labels the ends and the tier thresholds of the drift gauge.
func gaugeScale(limit float64, thresholds []float64, width int) string {
	left := "-" + fmtNum(limit, 0) + "%"
	right := "+" + fmtNum(limit, 0) + "%"
	var ts []string
	for _, t := range thresholds {
		ts = append(ts, fmtNum(t, 0))
	}
	mid := "tiers ±" + strings.Join(ts, "/")
	space := width - len(left) - len(right) - lipglossWidth(mid)
	if space < 2 {
		return left + strings.Repeat(" ", max(1, width-len(left)-len(right))) + right
	}
	return left + strings.Repeat(" ", space/2) + mid + strings.Repeat(" ", space-space/2) + right
}

// market draws the book's figures and, in the rest of h rows, the mid on
// market time with our fills marked at their prices.
func (l *liveModel) market(b *block, h int) {
	st := l.ctx.styles
	s := l.state
	lw, vw, divLabel := 11, 10, "divergence"
	if b.width < 46 {
		lw, vw, divLabel = 7, 9, "diverge"
	}
	half := func(label, value string, style func(...string) string) string {
		return st.Label.Render(fit(label, lw)) + style(padLeft(value, vw))
	}
	spread := math.NaN()
	if s.Mid != 0 {
		spread = (s.Ask - s.Bid) / s.Mid * 1e4
	}
	b.add(titleRule(st, "MARKET", st.Muted.Render("XRP/RLUSD"), b.width))
	b.add(half("mid", fmtPrice(s.Mid), st.Value.Render) + "  " + half("bid", fmtPrice(s.Bid), st.Value.Render))
	// A feed without an anchor (a replay) has neither anchor nor
	// divergence: n/a, not 0.
	anchor, div := "n/a", "n/a"
	divStyle := st.Value
	if s.Anchor != nil {
		anchor, div = fmtPrice(*s.Anchor), fmtBps(s.DivergenceBps)
		if lim := s.Config.Strategy.AnchorMaxDivergenceBps; lim > 0 && math.Abs(s.DivergenceBps) >= lim {
			divStyle = st.Warn
		}
	}
	b.add(half("anchor", anchor, st.Value.Render) + "  " + half("ask", fmtPrice(s.Ask), st.Value.Render))
	b.add(half(divLabel, div, divStyle.Render) + "  " + half("spread", fmtSpread(spread), st.Value.Render))
	mid := func(p engine.HistorySample) float64 { return p.Mid }
	if rest := h - b.height(); rest >= minChartRows {
		b.addFitted(chart{Series: []chartSeries{{Name: "mid", Style: st.SeriesA,
			Points: samplePoints(s.History, mid, s.MarketTime, s.Mid)}},
			Markers: fillMarkers(st, s.RecentFills), Width: b.width, Height: rest,
			Axis: st.Muted, Legend: rest >= 6}.draw()...)
		return
	}
	b.add(st.Label.Render("price   ") + st.SeriesA.Render(sparkline(sampleValues(s.History, mid), b.width-8)))
}

// quoteTable is the open orders: side, price, size, age (dropped first
// when the column is narrow).
var quoteTable = table{{width: 6, left: true}, {width: 9}, {width: 11}, {width: 6, drop: 1}}

func (l *liveModel) quotes(b *block) {
	st := l.ctx.styles
	s := l.state
	title, rest := "OUR QUOTES", ""
	if l.paused || s.Status == engine.StatusPaused {
		rest = st.Paused.Render("(paused)")
	}
	b.add(titleRule(st, title, rest, b.width))
	qt, qtyW := quoteTable, 0
	for _, q := range s.Quotes {
		qt = qt.widen(1, fmtPrice(q.Price))
		qtyW = max(qtyW, len(fmtXRP(q.QtyXRP)))
	}
	qt = qt.fitTo(b.width)
	qt.grow(2, qtyW, b.width)
	b.add(st.TableHead.Render(qt.head("side", "price", "size XRP", "age")))
	if len(s.Quotes) == 0 {
		b.add(st.Muted.Render("no open orders"))
		return
	}
	qs := append([]engine.Order(nil), s.Quotes...)
	sort.SliceStable(qs, func(i, j int) bool { return qs[i].Price > qs[j].Price })
	for _, q := range qs {
		b.add(st.side(q.Side).Render(qt.pad(0, sideText(q.Side))) +
			st.Value.Render(qt.cells(1, fmtPrice(q.Price), fmtFit(q.QtyXRP, xrpDecimals, qt[2].width), fmtDur(s.MarketTime.Sub(q.MarketTime)))))
	}
}

// shutdownLines renders the steps of the shutdown path: done, done with a
// warning, failed, running or still to come.
func shutdownLines(st Styles, steps []engine.ShutdownStep, ended bool) []string {
	canonical := []string{engine.StepStopQuoting, engine.StepCancelOrders, engine.StepFinalSnapshot,
		engine.StepWriteSession, engine.StepFlush, engine.StepCheckpoint}
	byName := map[string]engine.ShutdownStep{}
	var extra []engine.ShutdownStep
	for _, s := range steps {
		if _, ok := byName[s.Name]; !ok {
			byName[s.Name] = s
		}
		known := false
		for _, c := range canonical {
			if c == s.Name {
				known = true
			}
		}
		if !known {
			extra = append(extra, s)
		}
	}
	var out []string
	line := func(s engine.ShutdownStep, seen bool) string {
		name := Sanitize(s.Name)
		dur := "       "
		if s.Done || s.Err != "" {
			dur = padLeft(fmtStepDuration(s.Duration), 7)
		}
		switch {
		case !seen:
			return st.Muted.Render("· " + dur + " " + name)
		case s.Err != "":
			return st.Error.Render("✗ ") + st.Muted.Render(dur) + " " + st.Error.Render(name+": "+Sanitize(s.Err))
		case s.Warn != "":
			return st.Warn.Render("! ") + st.Muted.Render(dur) + " " + st.Value.Render(name) + st.Warn.Render(": "+Sanitize(s.Warn))
		case s.Done:
			return st.Gain.Render("✓ ") + st.Muted.Render(dur) + " " + st.Value.Render(name)
		case ended:
			return st.Warn.Render("? "+dur+" ") + st.Value.Render(name)
		default:
			return st.Warn.Render("… "+dur+" ") + st.Value.Render(name)
		}
	}
	for _, c := range canonical {
		s, seen := byName[c]
		if !seen {
			s = engine.ShutdownStep{Name: c}
		}
		out = append(out, line(s, seen))
	}
	for _, s := range extra {
		out = append(out, line(s, true))
	}
	return out
}

// fmtStepDuration formats a shutdown step's duration: "0.4 ms", "12 ms", "1.20 s".
func fmtStepDuration(d time.Duration) string {
	switch {
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	default:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
}

func (l *liveModel) shutdown(b *block) {
	st := l.ctx.styles
	s := l.state
	rest := ""
	if s.HaltReason != "" {
		rest = st.Muted.Render("reason ") + st.Value.Render(Sanitize(string(s.HaltReason)))
	}
	b.add(titleRule(st, "SHUTDOWN", rest, b.width))
	b.add(shutdownLines(st, s.ShutdownSteps, l.done)...)
}

func (l *liveModel) fills(b *block, rows int) {
	st := l.ctx.styles
	s := l.state
	ft := fillTableFor(b.width, s.RecentFills, s.RecentFills[:min(len(s.RecentFills), max(0, rows-2))])
	b.add(titleRule(st, "LATEST FILLS", st.Muted.Render("newest first"), b.width))
	b.add(st.TableHead.Render(ft.head()))
	if len(s.RecentFills) == 0 {
		b.add(st.Muted.Render("no fills yet"))
		return
	}
	for i, f := range s.RecentFills {
		if i >= rows-2 {
			break
		}
		b.add(ft.row(st, f))
	}
}

// eventLines renders one session event in width cells: its time, level
// and kind, then its message wrapped at words, the lines after the first
// indented, rather than cut.
func eventLines(st Styles, e engine.SessionEvent, width int) []string {
	prefix := eventPrefix(st, e)
	msg := Sanitize(e.Message)
	pw := lipglossWidth(prefix)
	if pw+textWidth(msg) <= width || width < 20 {
		return []string{prefix + st.Value.Render(msg)}
	}
	const indent = "  "
	var out []string
	first, _, _ := strings.Cut(ansi.Wrap(msg, max(1, width-pw), ""), "\n")
	first = strings.TrimRight(first, " ")
	if width-pw >= 8 && first != "" && strings.HasPrefix(msg, first) {
		out = append(out, prefix+st.Value.Render(first))
		msg = strings.TrimLeft(msg[len(first):], " ")
	} else {
		out = append(out, prefix)
	}
	if msg != "" {
		for _, l := range strings.Split(ansi.Wrap(msg, width-len(indent), ""), "\n") {
			out = append(out, indent+st.Value.Render(strings.TrimRight(l, " ")))
		}
	}
	return out
}

// eventPrefix is an event's time, level and kind, before its message.
func eventPrefix(st Styles, e engine.SessionEvent) string {
	lvl := Sanitize(e.Level)
	ls := st.Muted
	switch e.Level {
	case engine.LevelWarn:
		ls = st.Warn
	case engine.LevelError:
		ls = st.Error
	}
	return st.Muted.Render(fmtClock(e.CreatedAt)) + " " + ls.Render(fmt.Sprintf("%-5s", lvl)) + " " +
		st.Label.Render(Sanitize(e.Kind)) + " "
}
