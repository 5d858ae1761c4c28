package tui

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"neo/engine"
)

// liveModel is the dashboard of the running session.
type liveModel struct {
	state          *engine.State
	done           bool      // the engine's Done channel is closed
	endedAt        time.Time // when the console saw Done
	closeRequested bool      // q or ctrl+c asked for the shutdown
	paused         bool      // what the last p asked for (or the state said)
}

// quitReason reports whether a session that ended for r should take the
// console down with it: the operator or a signal asked for the end.
func quitReason(r engine.HaltReason) bool {
	switch r {
	case engine.HaltOperatorQuit, engine.HaltSignalInterrupt, engine.HaltSignalTerminate, engine.HaltSignalHangup:
		return true
	}
	return false
}

func (l *liveModel) onState(m *Model, msg stateMsg) tea.Cmd {
	if msg.state != nil {
		l.state = msg.state
		l.paused = msg.state.Status == engine.StatusPaused
	}
	if l.done || !m.waits || msg.next == nil || m.opts.Controller == nil {
		return nil
	}
	return pullState(m.opts.Controller, msg.next)
}

func (l *liveModel) onDone(m *Model, msg doneMsg) tea.Cmd {
	l.done = true
	l.endedAt = m.now()
	if msg.state != nil {
		l.state = msg.state
	}
	var r engine.HaltReason
	if l.state != nil {
		r = l.state.HaltReason
	}
	if l.closeRequested || quitReason(r) {
		return tea.Quit
	}
	// Any other ending stays on screen with its reason in front.
	m.view = viewLive
	return nil
}

func (l *liveModel) togglePause(m *Model) {
	c := m.opts.Controller
	if c == nil || l.done || l.closeRequested || l.state == nil {
		return
	}
	switch l.state.Status {
	case engine.StatusRunning, engine.StatusPaused, engine.StatusStarting:
	default:
		return
	}
	l.paused = !l.paused
	c.SetPaused(l.paused)
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

func (l *liveModel) view(m *Model) []string {
	w, h := m.width, m.height
	lines := []string{l.header(m)}
	foot := m.footer(m.liveKeys()...)
	if l.state == nil {
		lines = append(lines, "", m.styles.Muted.Render("waiting for the engine's first state…"))
		return withFooter(lines, h, foot)
	}
	lines = append(lines, l.banner(m)...)

	const gap = 2
	ending := l.done || l.state.Status == engine.StatusShuttingDown || l.closeRequested
	orders := func(b *block) {
		if ending {
			l.shutdown(m, b)
		} else {
			l.quotes(m, b)
		}
	}
	// Spare height beyond 24 rows turns the sparklines into charts.
	chartH := 0
	if extra := h - 24 - len(lines) + 1; extra >= 10 {
		chartH = min(extra/2, 16)
	}
	var cols []int
	if w >= 150 {
		// Wide: inventory and orders | drift | market, each with room.
		cols = splitWidth(w, 3, gap)
		inv, dr, mk := newBlock(cols[0]), newBlock(cols[1]), newBlock(cols[2])
		l.inventory(m, inv)
		inv.add("")
		orders(inv)
		if chartH > 0 {
			chartH = max(chartH, inv.height()-5)
		}
		l.drift(m, dr, chartH)
		l.market(m, mk, chartH)
		lines = append(lines, beside(gap, inv, dr, mk).lines...)
		cols = []int{72, w - 72 - gap} // the wide fill table, then events
	} else {
		cols = splitWidth(w, 2, gap)
		left, right := newBlock(cols[0]), newBlock(cols[1])
		l.inventory(m, left)
		left.add("")
		l.drift(m, left, chartH)
		l.market(m, right, chartH)
		right.add("")
		orders(right)
		lines = append(lines, beside(gap, left, right).lines...)
	}

	if rest := h - len(lines) - 2; rest >= 2 {
		lines = append(lines, "")
		bl, br := newBlock(cols[0]), newBlock(cols[1])
		l.fills(m, bl, rest)
		l.events(m, br, rest)
		lines = append(lines, beside(gap, bl.clip(rest), br.clip(rest)).lines...)
	}
	return withFooter(lines, h, foot)
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

func (m *Model) liveKeys() []key.Binding {
	k := m.keys
	if m.live.done {
		return []key.Binding{k.Quit, k.History, k.Help}
	}
	return []key.Binding{k.Quit, k.Pause, k.Switch, k.Help}
}

func (l *liveModel) header(m *Model) string {
	st := m.styles
	s := l.state
	left := st.Header.Render("neo")
	if s != nil {
		left += st.Muted.Render(" · ") + st.Header.Render(Sanitize(s.SessionID))
		if m.width >= 120 {
			left += st.Muted.Render(" · " + Sanitize(s.Mode))
		}
		left += st.Muted.Render(" · " + Sanitize(s.Feed))
	}
	now := m.now()
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
	right := word
	if s != nil && !s.StartedAt.IsZero() {
		end := now
		if l.done {
			end = l.endedAt
		}
		right += st.Muted.Render(" · up ") + st.Value.Render(fmtDuration(end.Sub(s.StartedAt)))
	}
	if s != nil && !l.done {
		if s.LastTickWall.IsZero() {
			right += st.Muted.Render(" · no tick yet")
		} else {
			age := now.Sub(s.LastTickWall)
			style := st.Value
			if stale := s.Config.Risk.StaleFeedAfter.Duration; stale > 0 && age > stale/2 {
				style = st.Warn
			}
			right += st.Muted.Render(" · tick ") + style.Render(fmtAge(age))
			if m.width >= 120 {
				right += st.Muted.Render(" ago")
			}
		}
	}
	return m.headerLine(left, right)
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
func (l *liveModel) banner(m *Model) []string {
	if !l.done || l.state == nil {
		return nil
	}
	st := m.styles
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
	if long := text + " · press q to quit, 2 for history "; lipglossWidth(long) <= m.width {
		text = long
	}
	out := []string{style.Render(fit(text, m.width))}
	if s.Err != "" {
		out = append(out, st.Error.Render(fit(" error: "+Sanitize(s.Err), m.width)))
	}
	return out
}

func (l *liveModel) inventory(m *Model, b *block) {
	st := m.styles
	s := l.state
	inv := s.Inventory
	const lw, vw = 12, 13
	row := func(label, value, rest string) string {
		return st.Label.Render(fit(label, lw)) + st.Value.Render(padLeft(value, vw)) + rest
	}
	b.add(st.Title.Render("INVENTORY"))
	b.add(row("XRP", fmtNum(inv.XRPBalance, 6), st.Muted.Render(" XRP")))
	b.add(row("RLUSD", fmtNum(inv.RLUSDBalance, 2), st.Muted.Render(" RLUSD")))
	b.add(row("XRP value", fmtNum(inv.XRPValueInRLUSD, 2), st.Muted.Render(" RLUSD")))
	b.add(row("Total value", fmtNum(inv.TotalValueInRLUSD, 2), st.Muted.Render(" RLUSD")))
	target := s.Config.Strategy.TargetXRPPct
	b.add(row("XRP share", fmtNum(inv.XRPPct, 2)+" %", st.Muted.Render(" target "+fmtNum(target, 0)+" %")))
	pnl := inv.TotalValueInRLUSD - s.StartingValue
	b.add(st.Label.Render(fit("PnL vs start", lw)) + st.signed(pnl).Render(padLeft(fmtSigned(pnl, 2), vw)) +
		st.signed(pnl).Render(padLeft(fmtSigned(pct(pnl, s.StartingValue), 2)+" %", 10)))
	hold := s.Valuation.HoldValueInRLUSD
	vsHold := math.NaN()
	if hold != 0 {
		vsHold = inv.TotalValueInRLUSD - hold
	}
	b.add(st.Label.Render(fit("PnL vs hold", lw)) + st.signed(vsHold).Render(padLeft(fmtSigned(vsHold, 2), vw)) +
		st.signed(vsHold).Render(padLeft(fmtSigned(pct(vsHold, hold), 2)+" %", 10)))
	b.add(st.Label.Render(fit("Fills", lw)) + st.Value.Render(padLeft(fmtNum(float64(s.FillCount), 0), vw)) +
		st.Muted.Render(" vol "+fmtNum(s.VolumeRLUSD, 2)))
}

func (l *liveModel) drift(m *Model, b *block, chartH int) {
	st := m.styles
	s := l.state
	inv := s.Inventory
	cfg := s.Config
	b.add(st.Title.Render("DRIFT"))
	ts := st.tier(inv.SkewTier)
	b.add(st.Label.Render("drift ") + ts.Render(fmtSigned(inv.DriftPct, 2)+" %") +
		st.Label.Render("  tier ") + ts.Render(fmt.Sprint(inv.SkewTier)) +
		st.Label.Render("  vel ") + st.Value.Render(fmtSigned(inv.DriftVelocityPctPerMin, 2)+" %/min"))
	limit := cfg.Risk.MaxDriftPct
	if limit <= 0 {
		limit = 35
	}
	b.add(gauge(st, inv.DriftPct, limit, cfg.Strategy.SkewTierThresholdsPct, inv.SkewTier, b.width))
	b.add(st.Muted.Render(gaugeScale(limit, cfg.Strategy.SkewTierThresholdsPct, b.width)))
	if chartH > 0 {
		b.add(brailleChart([]series{{values: s.DriftHistory, style: ts}}, b.width, chartH,
			func(v float64) string { return fmtSigned(v, 1) + "%" })...)
		return
	}
	b.add(st.Label.Render("history ") + ts.Render(sparkline(s.DriftHistory, b.width-8)))
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

func (l *liveModel) market(m *Model, b *block, chartH int) {
	st := m.styles
	s := l.state
	lw, vw, divLabel := 11, 10, "divergence"
	if b.width < 46 {
		lw, vw, divLabel = 7, 10, "diverge"
	}
	half := func(label, value string, style func(...string) string) string {
		return st.Label.Render(fit(label, lw)) + style(padLeft(value, vw))
	}
	spread := math.NaN()
	if s.Mid != 0 {
		spread = (s.Ask - s.Bid) / s.Mid * 1e4
	}
	b.add(st.Title.Render("MARKET"))
	b.add(half("mid", fmtNum(s.Mid, 6), st.Value.Render) + "  " + half("bid", fmtNum(s.Bid, 6), st.Value.Render))
	b.add(half("anchor", fmtNum(s.Anchor, 6), st.Value.Render) + "  " + half("ask", fmtNum(s.Ask, 6), st.Value.Render))
	divStyle := st.Value
	if lim := s.Config.Strategy.AnchorMaxDivergenceBps; lim > 0 && math.Abs(s.DivergenceBps) >= lim {
		divStyle = st.Warn
	}
	b.add(half(divLabel, fmtSigned(s.DivergenceBps, 1)+" bp", divStyle.Render) + "  " + half("spread", fmtNum(spread, 1)+" bp", st.Value.Render))
	if chartH > 0 {
		b.add(brailleChart([]series{{values: s.PriceHistory, style: st.SeriesA}}, b.width, chartH,
			func(v float64) string { return fmtNum(v, 4) })...)
		return
	}
	b.add(st.Label.Render("price   ") + st.SeriesA.Render(sparkline(s.PriceHistory, b.width-8)))
}

// age is how old something stamped at t is. The engine stamps orders, fills
// and events with the wall clock (a replay's market time may be years
// away), so ages are wall-clock ages.
func (l *liveModel) age(m *Model, t time.Time) time.Duration {
	return m.now().Sub(t)
}

func (l *liveModel) quotes(m *Model, b *block) {
	st := m.styles
	s := l.state
	title := "OUR QUOTES"
	if l.paused || s.Status == engine.StatusPaused {
		title += st.Paused.Render("  (paused)")
	}
	b.add(st.Title.Render(title))
	b.add(st.TableHead.Render(fmt.Sprintf("%-5s %10s %10s %7s", "side", "price", "size XRP", "age")))
	if len(s.Quotes) == 0 {
		b.add(st.Muted.Render("no open orders"))
		return
	}
	qs := append([]engine.Order(nil), s.Quotes...)
	sort.SliceStable(qs, func(i, j int) bool { return qs[i].Price > qs[j].Price })
	for _, q := range qs {
		b.add(m.sideStyle(q.Side).Render(fmt.Sprintf("%-5s", Sanitize(string(q.Side)))) +
			st.Value.Render(fmt.Sprintf(" %10s %10s %7s", fmtNum(q.Price, 6), fmtNum(q.QtyXRP, 4), fmtAge(l.age(m, q.CreatedAt)))))
	}
}

func (m *Model) sideStyle(s engine.Side) lipgloss.Style {
	switch s {
	case engine.Buy:
		return m.styles.Gain
	case engine.Sell:
		return m.styles.Loss
	}
	return m.styles.Value
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

func (l *liveModel) shutdown(m *Model, b *block) {
	st := m.styles
	s := l.state
	title := "SHUTDOWN"
	if s.HaltReason != "" {
		title += st.Muted.Render("  reason ") + st.Value.Render(Sanitize(string(s.HaltReason)))
	}
	b.add(st.Title.Render(title))
	b.add(shutdownLines(st, s.ShutdownSteps, l.done)...)
}

func (l *liveModel) fills(m *Model, b *block, rows int) {
	st := m.styles
	s := l.state
	wide := b.width >= 70
	b.add(st.Title.Render("LATEST FILLS"))
	if wide {
		b.add(st.TableHead.Render(fmt.Sprintf("%-19s %-4s %10s %10s %10s %8s", "time (UTC)", "side", "price", "qty XRP", "RLUSD", "fee")))
	} else {
		b.add(st.TableHead.Render(fmt.Sprintf("%-8s %-4s %8s %8s %7s", "time", "side", "price", "qty XRP", "RLUSD")))
	}
	if len(s.RecentFills) == 0 {
		b.add(st.Muted.Render("no fills yet"))
		return
	}
	for i, f := range s.RecentFills {
		if i >= rows-2 {
			break
		}
		side := m.sideStyle(f.Side).Render(fmt.Sprintf("%-4s", Sanitize(string(f.Side))))
		if wide {
			b.add(st.Muted.Render(fmtTime(f.ExecutedAt)) + " " + side +
				st.Value.Render(fmt.Sprintf(" %10s %10s %10s %8s", fmtNum(f.Price, 6), fmtNum(f.QtyXRP, 4), fmtNum(f.ValueRLUSD, 2), fmtNum(f.FeeRLUSD, 4))))
			continue
		}
		b.add(st.Muted.Render(fmtClock(f.ExecutedAt)) + " " + side +
			st.Value.Render(fmt.Sprintf(" %8s %8s %7s", fmtNum(f.Price, 6), fmtNum(f.QtyXRP, 4), fmtNum(f.ValueRLUSD, 2))))
	}
}

func (l *liveModel) events(m *Model, b *block, rows int) {
	st := m.styles
	b.add(st.Title.Render("RECENT EVENTS"))
	evs := append([]engine.SessionEvent(nil), l.state.Events...)
	if len(evs) == 0 {
		b.add(st.Muted.Render("no events"))
		return
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].CreatedAt.After(evs[j].CreatedAt) })
	for i, e := range evs {
		if i >= rows-1 {
			break
		}
		b.add(eventLine(st, e))
	}
}

// eventLine renders one session event: time, level, kind, message.
func eventLine(st Styles, e engine.SessionEvent) string {
	lvl := Sanitize(e.Level)
	ls := st.Muted
	switch e.Level {
	case engine.LevelWarn:
		ls = st.Warn
	case engine.LevelError:
		ls = st.Error
	}
	return st.Muted.Render(fmtClock(e.CreatedAt)) + " " + ls.Render(fmt.Sprintf("%-5s", lvl)) + " " +
		st.Label.Render(Sanitize(e.Kind)) + " " + st.Value.Render(Sanitize(e.Message))
}
