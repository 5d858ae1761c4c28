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

	state          *engine.State
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

func newLiveModel(ctx *viewContext, ctrl Controller, app KeyMap, waits bool) liveModel {
	return liveModel{ctx: ctx, ctrl: ctrl, waits: waits, keys: newLiveKeys(app)}
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
	// Any other ending stays on screen with its reason in front.
	return focus(anyView, viewLive) // from whichever view is in front
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

// View draws the dashboard.
func (l *liveModel) View() string {
	c := l.ctx
	h := c.height
	lines := []string{l.header()}
	foot := c.footer(l.keys.ShortHelp(l.done)...)
	if l.state == nil {
		lines = append(lines, "", c.styles.Muted.Render("waiting for the engine's first state…"))
		return c.frame(lines, foot)
	}
	lines = append(lines, l.banner()...)

	// Spare height beyond 24 rows turns the sparklines into charts.
	chartH := 0
	if extra := h - 24 - len(lines) + 1; extra >= 10 {
		chartH = min(extra/2, 16)
	}
	top, cols := l.panels(chartH)
	lines = append(lines, top...)

	const gap = 2
	if rest := h - len(lines) - 2; rest >= 2 {
		lines = append(lines, "")
		bl, br := newBlock(cols[0]), newBlock(cols[1])
		l.fills(bl, rest)
		l.events(br, rest)
		lines = append(lines, beside(gap, bl.clip(rest), br.clip(rest)).lines...)
	}
	return c.frame(lines, foot)
}

// panels lays out inventory, drift, market and the orders (or the shutdown
// steps) for the window's width, and returns the widths of the two columns
// of fills and events below them.
func (l *liveModel) panels(chartH int) (lines []string, cols []int) {
	const gap = 2
	w := l.ctx.width
	ending := l.done || l.state.Status == engine.StatusShuttingDown || l.closeRequested
	orders := func(b *block) {
		if ending {
			l.shutdown(b)
		} else {
			l.quotes(b)
		}
	}
	if w >= 150 {
		// Wide: inventory and orders | drift | market, each with room.
		cols = splitWidth(w, 3, gap)
		inv, dr, mk := newBlock(cols[0]), newBlock(cols[1]), newBlock(cols[2])
		l.inventory(inv)
		inv.add("")
		orders(inv)
		if chartH > 0 {
			chartH = max(chartH, inv.height()-5)
		}
		l.drift(dr, chartH)
		l.market(mk, chartH)
		return beside(gap, inv, dr, mk).lines, []int{72, w - 72 - gap} // the fill table with dates, then events
	}
	cols = splitWidth(w, 2, gap)
	left, right := newBlock(cols[0]), newBlock(cols[1])
	l.inventory(left)
	left.add("")
	l.drift(left, chartH)
	l.market(right, chartH)
	right.add("")
	orders(right)
	return beside(gap, left, right).lines, cols
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
			// The live feed's health in one compact part (issue 12 draws
			// the rest): state, ledger, round trip, reconnects.
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
	b.add(st.Title.Render("INVENTORY"))
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

func (l *liveModel) drift(b *block, chartH int) {
	st := l.ctx.styles
	s := l.state
	inv := s.Inventory
	cfg := s.Config
	b.add(st.Title.Render("DRIFT"))
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
	if chartH > 0 {
		b.add(chart{Series: []chartSeries{{Name: "drift", Style: ts,
			Points: historyPoints(s.DriftHistory, engineHistoryStep, s.MarketTime, inv.DriftPct)}},
			Lines: tierLines(st, cfg.Strategy.SkewTierThresholdsPct), Width: b.width, Height: chartH,
			Format: fmtPercentLabel, Axis: st.Muted}.draw()...)
		return
	}
	b.add(st.Label.Render("trend   ") + ts.Render(sparkline(s.DriftHistory, b.width-8)))
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

func (l *liveModel) market(b *block, chartH int) {
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
	b.add(st.Title.Render("MARKET"))
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
	if chartH > 0 {
		b.add(chart{Series: []chartSeries{{Name: "mid", Style: st.SeriesA,
			Points: historyPoints(s.PriceHistory, engineHistoryStep, s.MarketTime, s.Mid)}},
			Markers: fillMarkers(st, s.RecentFills), Width: b.width, Height: chartH,
			Axis: st.Muted, Legend: chartH >= 6}.draw()...)
		return
	}
	b.add(st.Label.Render("price   ") + st.SeriesA.Render(sparkline(s.PriceHistory, b.width-8)))
}

// quoteTable is the open orders: side, price, size, age (dropped first
// when the column is narrow).
var quoteTable = table{{width: 6, left: true}, {width: 9}, {width: 11}, {width: 6, drop: 1}}

func (l *liveModel) quotes(b *block) {
	st := l.ctx.styles
	s := l.state
	title := "OUR QUOTES"
	if l.paused || s.Status == engine.StatusPaused {
		title += st.Paused.Render("  (paused)")
	}
	b.add(st.Title.Render(title))
	qt := quoteTable.fitTo(b.width)
	b.add(st.TableHead.Render(qt.head("side", "price", "size XRP", "age")))
	if len(s.Quotes) == 0 {
		b.add(st.Muted.Render("no open orders"))
		return
	}
	qs := append([]engine.Order(nil), s.Quotes...)
	sort.SliceStable(qs, func(i, j int) bool { return qs[i].Price > qs[j].Price })
	for _, q := range qs {
		b.add(st.side(q.Side).Render(qt.pad(0, sideText(q.Side))) +
			st.Value.Render(qt.cells(1, fmtPrice(q.Price), fmtXRP(q.QtyXRP), fmtDur(s.MarketTime.Sub(q.MarketTime)))))
	}
}

// shutdownLines renders the steps of the shutdown path: done, failed, running
// or still to come.
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
	title := "SHUTDOWN"
	if s.HaltReason != "" {
		title += st.Muted.Render("  reason ") + st.Value.Render(Sanitize(string(s.HaltReason)))
	}
	b.add(st.Title.Render(title))
	b.add(shutdownLines(st, s.ShutdownSteps, l.done)...)
}

func (l *liveModel) fills(b *block, rows int) {
	st := l.ctx.styles
	s := l.state
	ft := fillTableFor(b.width)
	b.add(st.Title.Render("LATEST FILLS"))
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

func (l *liveModel) events(b *block, rows int) {
	st := l.ctx.styles
	b.add(st.Title.Render("RECENT EVENTS") + st.Muted.Render(" wall UTC, newest first"))
	evs := append([]engine.SessionEvent(nil), l.state.Events...)
	if len(evs) == 0 {
		b.add(st.Muted.Render("no events"))
		return
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].CreatedAt.After(evs[j].CreatedAt) })
	n := 0
	for _, e := range evs {
		el := eventLines(st, e, b.width)
		if n+len(el) > rows-1 {
			break
		}
		b.add(el...)
		n += len(el)
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
