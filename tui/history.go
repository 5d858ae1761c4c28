package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"neo/engine"
)

// queryTimeout bounds one read of the history.
const queryTimeout = 10 * time.Second

// maxScanPages bounds how many pages a free-text filter reads to fill one
// page of matches; past it the page shows what it found and offers more.
const maxScanPages = 20

// historyModel is the session list. It holds one page and the cursors that
// lead back to the pages before it (keyset pagination): it never loads the
// table.
type historyModel struct {
	ctx      *viewContext
	hist     History // nil: nothing to list (says so)
	keys     historyKeys
	readOnly bool // neo history: say "read-only" in the header
	focused  bool // in front: the tick refreshes it, a resize loads it

	sort      engine.SortKey
	asc       bool
	filter    filterSpec
	filterRaw string

	filtering bool   // the filter input has the keys
	input     []rune // the filter being typed
	filterErr string

	stack    []*engine.Cursor // After of each page from the first to the current
	rows     []engine.SessionSummary
	next     *engine.Cursor // After of the next page
	hasNext  bool
	sel      int
	pageSize int

	loaded   bool
	loading  bool
	seq      int
	err      string
	loadedAt time.Time
}

// historyKeys is the history view's KeyMap.
type historyKeys struct {
	app                                        KeyMap // the global keys its footer shows
	nav                                        navKeys
	Open, Filter, Sort, Reverse, Refresh, Back key.Binding
}

func newHistoryKeys(app KeyMap) historyKeys {
	return historyKeys{
		app:     app,
		nav:     newNavKeys(),
		Open:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Filter:  key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Sort:    key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sort by")),
		Reverse: key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "reverse sort")),
		Refresh: refreshKey(),
		Back:    backKey(),
	}
}

// ShortHelp is the history footer (help.KeyMap).
func (k historyKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.app.Quit, k.Open, k.Filter, k.Sort, k.Reverse, k.Refresh, k.app.Switch, k.app.Help}
}

// FullHelp is every key the view handles itself (help.KeyMap): wantsKey
// takes exactly these, so the help view lists them all.
func (k historyKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{k.nav.all(), {k.Open, k.Back, k.Filter, k.Sort, k.Reverse, k.Refresh}}
}

func newHistoryModel(ctx *viewContext, hist History, app KeyMap, readOnly bool) historyModel {
	return historyModel{ctx: ctx, hist: hist, keys: newHistoryKeys(app), readOnly: readOnly,
		sort: engine.SortStartedAt, stack: []*engine.Cursor{nil}}
}

// pageMsg is one loaded page.
type pageMsg struct {
	seq     int
	stack   []*engine.Cursor
	rows    []engine.SessionSummary
	next    *engine.Cursor
	hasNext bool
	sel     int // -1: last row
	err     error
}

// visibleRows is how many sessions fit: the window less the header, the
// filter line, the summary strip, the column heads, the status line and
// the footer.
func visibleRows(height int) int { return max(1, height-5-stripRows(height)) }

// query builds the store query of the current sort and filter.
func (h *historyModel) query(after *engine.Cursor) engine.SessionQuery {
	q := engine.SessionQuery{After: after, Sort: h.sort, Asc: h.asc, Since: h.filter.since, Until: h.filter.until}
	if h.filter.reason != "running" {
		q.Reason = h.filter.reason
	}
	return q
}

// load asks for the page after stack's last cursor; the result replaces the
// current page only when it arrives (and only if nothing newer was asked).
func (h *historyModel) load(stack []*engine.Cursor, sel int) tea.Cmd {
	hist := h.hist
	if hist == nil || h.ctx.tooSmall() {
		return nil
	}
	if h.pageSize <= 0 {
		h.pageSize = visibleRows(h.ctx.height)
	}
	h.seq++
	h.loading = true
	seq, size, f := h.seq, h.pageSize, h.filter
	q := h.query(stack[len(stack)-1])
	stack = append([]*engine.Cursor(nil), stack...)
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), queryTimeout)
		defer cancel()
		msg := pageMsg{seq: seq, stack: stack, sel: sel}
		msg.rows, msg.next, msg.hasNext, msg.err = fetchPage(ctx, hist, q, f, size)
		return msg
	}
}

// fetchPage reads one page of size rows after q.After. It asks for one row
// more than it shows to learn whether a next page exists. A free-text
// filter reads on until the page is full, the list ends or maxScanPages
// pages were read.
func fetchPage(ctx context.Context, hist History, q engine.SessionQuery, f filterSpec, size int) ([]engine.SessionSummary, *engine.Cursor, bool, error) {
	q.Limit = size + 1
	if !f.clientSide() {
		rows, err := hist.ListSessions(ctx, q)
		if err != nil {
			return nil, nil, false, err
		}
		if len(rows) <= size {
			return rows, nil, false, nil
		}
		rows = rows[:size]
		c := rows[size-1].Cursor
		return rows, &c, true, nil
	}
	var out []engine.SessionSummary
	for page := 0; page < maxScanPages; page++ {
		rows, err := hist.ListSessions(ctx, q)
		if err != nil {
			return nil, nil, false, err
		}
		for _, r := range rows {
			if !f.matches(r) {
				continue
			}
			if len(out) == size {
				c := out[size-1].Cursor
				return out, &c, true, nil
			}
			out = append(out, r)
		}
		if len(rows) < q.Limit {
			return out, nil, false, nil
		}
		c := rows[len(rows)-1].Cursor
		q.After = &c
	}
	// Scan limit: what was found so far; the next page goes on from the
	// last row read.
	return out, q.After, true, nil
}

func (h *historyModel) onPage(msg pageMsg) tea.Cmd {
	if msg.seq != h.seq {
		return nil // an older request
	}
	h.loading = false
	h.loadedAt = h.ctx.now()
	if msg.err != nil {
		h.err = "history: " + Sanitize(msg.err.Error()) + " (r retries)"
		return nil
	}
	h.loaded = true
	h.err = ""
	h.stack, h.rows, h.next, h.hasNext = msg.stack, msg.rows, msg.next, msg.hasNext
	switch {
	case msg.sel < 0:
		h.sel = len(h.rows) - 1
	default:
		h.sel = msg.sel
	}
	h.sel = clampInt(h.sel, 0, max(0, len(h.rows)-1))
	return nil
}

// ensureLoaded loads the first page once the window size is known.
func (h *historyModel) ensureLoaded() tea.Cmd {
	if h.loaded || h.loading || h.ctx.width == 0 {
		return nil
	}
	return h.load(h.stack, h.sel)
}

// reload re-reads the current page (new sessions, ended sessions).
func (h *historyModel) reload() tea.Cmd { return h.load(h.stack, h.sel) }

// first goes back to the first page.
func (h *historyModel) first() tea.Cmd {
	return h.load([]*engine.Cursor{nil}, 0)
}

func (h *historyModel) maybeRefresh() tea.Cmd {
	if !h.loaded || h.loading || h.ctx.now().Sub(h.loadedAt) < historyRefresh {
		return nil
	}
	return h.reload()
}

func (h *historyModel) resize() tea.Cmd {
	size := visibleRows(h.ctx.height)
	if size == h.pageSize {
		if h.focused {
			return h.ensureLoaded()
		}
		return nil
	}
	h.pageSize = size
	if h.loaded || h.focused {
		return h.reload()
	}
	return nil
}

func (h *historyModel) nextPage(sel int) tea.Cmd {
	if !h.hasNext || h.next == nil {
		return nil
	}
	return h.load(append(append([]*engine.Cursor(nil), h.stack...), h.next), sel)
}

func (h *historyModel) prevPage(sel int) tea.Cmd {
	if len(h.stack) < 2 {
		return nil
	}
	return h.load(h.stack[:len(h.stack)-1], sel)
}

var sortCycle = []engine.SortKey{engine.SortStartedAt, engine.SortEndingValue, engine.SortPnL}

// wantsKey reports whether the view takes msg before the global keys: all
// of them while the filter input is open, else its own bindings.
func (h *historyModel) wantsKey(msg tea.KeyMsg) bool {
	if h.filtering {
		return true
	}
	return key.Matches(msg, flatten(h.keys.FullHelp())...)
}

// Update takes its pages, the clock (a refresh while in front), the window
// size and its keys.
func (h *historyModel) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case pageMsg:
		return h.onPage(msg)
	case tickMsg:
		if h.focused {
			return h.maybeRefresh()
		}
	case tea.WindowSizeMsg:
		return h.resize()
	case tea.KeyMsg:
		if h.filtering {
			return h.filterKey(msg)
		}
		if cmd, ok := h.navKey(msg); ok {
			return cmd
		}
		return h.actionKey(msg)
	}
	return nil
}

// navKey moves the selection and the pages; ok is false for other keys.
func (h *historyModel) navKey(msg tea.KeyMsg) (cmd tea.Cmd, ok bool) {
	k := h.keys.nav
	switch {
	case key.Matches(msg, k.Down):
		if h.sel+1 < len(h.rows) {
			h.sel++
			return nil, true
		}
		return h.nextPage(0), true
	case key.Matches(msg, k.Up):
		if h.sel > 0 {
			h.sel--
			return nil, true
		}
		return h.prevPage(-1), true
	case key.Matches(msg, k.PageDn):
		if cmd := h.nextPage(0); cmd != nil {
			return cmd, true
		}
		h.sel = max(0, len(h.rows)-1)
	case key.Matches(msg, k.PageUp):
		if cmd := h.prevPage(0); cmd != nil {
			return cmd, true
		}
		h.sel = 0
	case key.Matches(msg, k.Home):
		return h.first(), true
	case key.Matches(msg, k.End):
		h.sel = max(0, len(h.rows)-1)
	default:
		return nil, false
	}
	return nil, true
}

// actionKey opens, sorts, refreshes and filters.
func (h *historyModel) actionKey(msg tea.KeyMsg) tea.Cmd {
	k := h.keys
	switch {
	case key.Matches(msg, k.Open):
		if h.sel < len(h.rows) {
			return openSession(h.rows[h.sel])
		}
	case key.Matches(msg, k.Sort):
		for i, s := range sortCycle {
			if s == h.sort {
				h.sort = sortCycle[(i+1)%len(sortCycle)]
				break
			}
		}
		return h.first()
	case key.Matches(msg, k.Reverse):
		h.asc = !h.asc
		return h.first()
	case key.Matches(msg, k.Refresh):
		return h.reload()
	case key.Matches(msg, k.Filter):
		h.filtering = true
		h.input = []rune(h.filterRaw)
		h.filterErr = ""
	case key.Matches(msg, k.Back):
		if h.filterRaw != "" {
			h.filter, h.filterRaw, h.filterErr = filterSpec{}, "", ""
			return h.first()
		}
		return focus(viewHistory, viewLive) // the root ignores it without a live session
	}
	return nil
}

// filterKey edits the filter line: enter applies, esc cancels.
func (h *historyModel) filterKey(msg tea.KeyMsg) tea.Cmd {
	switch msg.Type {
	case tea.KeyEnter:
		raw := strings.TrimSpace(string(h.input))
		f, err := parseFilter(raw)
		if err != nil {
			h.filterErr = err.Error()
			return nil
		}
		h.filtering = false
		h.filter, h.filterRaw, h.filterErr = f, raw, ""
		return h.first()
	case tea.KeyEsc:
		h.filtering, h.filterErr = false, ""
	case tea.KeyBackspace:
		if len(h.input) > 0 {
			h.input = h.input[:len(h.input)-1]
		}
	case tea.KeyCtrlU:
		h.input = nil
	case tea.KeySpace:
		h.input = append(h.input, ' ')
	case tea.KeyRunes:
		if len(h.input) < 200 {
			h.input = append(h.input, []rune(Sanitize(string(msg.Runes)))...)
		}
	}
	return nil
}

// View draws the list.
func (h *historyModel) View() string {
	st := h.ctx.styles
	w := h.ctx.width
	lines := []string{h.header(), h.filterLine()}
	lines = append(lines, summaryStrip(st, h.rows, w, stripRows(h.ctx.height))...)
	t := narrowHistory
	switch {
	case w >= 120:
		t = wideHistory
	case w >= 96:
		t = idHistory
	}
	t.cols = t.cols.fitTo(w - 3) // after the three-cell mark
	lines = append(lines, st.TableHead.Render(t.head()))
	now := h.ctx.now()
	status := h.statusLines(w)
	for i := 0; i < h.pageSize-(len(status)-1); i++ { // a long error takes the last rows
		if i >= len(h.rows) {
			if i == 0 && h.loaded {
				lines = append(lines, st.Muted.Render("  no sessions match"))
			} else {
				lines = append(lines, "")
			}
			continue
		}
		lines = append(lines, t.row(st, h.rows[i], i == h.sel, now, w))
	}
	lines = append(lines, status...)
	return h.ctx.frame(lines, h.ctx.footer(h.keys.ShortHelp()...))
}

func (h *historyModel) header() string {
	st := h.ctx.styles
	left := st.Header.Render("neo") + st.Muted.Render(" · ") + st.Header.Render("history")
	if h.readOnly {
		left += st.Muted.Render(" · ") + st.Warn.Render("read-only")
	}
	dir := "↓"
	if h.asc {
		dir = "↑"
	}
	right := st.Muted.Render("sort ") + st.Value.Render(string(h.sort)+" "+dir) +
		st.Muted.Render(" · page ") + st.Value.Render(fmt.Sprint(len(h.stack)))
	return h.ctx.headerLine(left, right)
}

// filterLine is the filter being typed, the one applied, or the hint.
func (h *historyModel) filterLine() string {
	st := h.ctx.styles
	switch {
	case h.filtering:
		return st.Title.Render("/ ") + st.Value.Render(string(h.input)) + st.Selected.Render(" ") +
			st.Muted.Render("  reason:R since:YYYY-MM-DD until:YYYY-MM-DD text · enter apply · esc cancel")
	case h.filterRaw != "":
		return st.Muted.Render("filter ") + st.Value.Render(h.filterRaw) + st.Muted.Render("  (/ edit · esc clear)")
	}
	return st.Muted.Render("all sessions  (/ filter · s sort · S reverse · enter open)")
}

// statusLines is the status line, or a filter error wrapped at words to w
// cells in up to a third of the page's rows (the list of reasons was cut
// at 160 columns: "use one of operator_quit, …, an…").
func (h *historyModel) statusLines(w int) []string {
	if h.filterErr == "" {
		return []string{h.statusLine()}
	}
	lines := strings.Split(ansi.Wrap(h.filterErr, max(1, w), ""), "\n")
	if n := max(1, 1+h.pageSize/3); len(lines) > n {
		lines = lines[:n] // fit cuts the last one with "…"
		lines[n-1] += " …"
	}
	for i, l := range lines {
		lines[i] = h.ctx.styles.Error.Render(strings.TrimRight(l, " "))
	}
	return lines
}

// statusLine is the error, the load in progress, or where the page is.
func (h *historyModel) statusLine() string {
	st := h.ctx.styles
	switch {
	case h.filterErr != "":
		return st.Error.Render(h.filterErr)
	case h.err != "":
		return st.Error.Render(h.err)
	case h.hist == nil:
		return st.Error.Render("no session history is open")
	case h.loading:
		return st.Muted.Render("loading…")
	case !h.loaded:
		return ""
	}
	more := ""
	if h.hasNext {
		more = " · more below (pgdn)"
	}
	if h.filter.clientSide() {
		return st.Muted.Render(fmt.Sprintf("page %d%s", len(h.stack), more))
	}
	if len(h.rows) == 0 {
		return ""
	}
	from := (len(h.stack)-1)*h.pageSize + 1
	to := from + len(h.rows) - 1
	return st.Muted.Render(fmt.Sprintf("sessions %s–%s%s", fmtNum(float64(from), 0), fmtNum(float64(to), 0), more))
}

// historyTable is the session list's columns: the session and when it
// started, duration, ending value, PnL, return, fills and the reason, after
// a two-cell mark.
type historyTable struct {
	cols table
	wide bool // with the session id and the seconds of the start
	id   bool // the session id in place of the start (the id holds it)
}

// The session list at 120 columns and more (wide), from 96 (the id, which
// a user types for neo report, in place of the start it holds: at 100
// columns the list dropped the id and cut 12,641 fills while it used 88),
// and below (the start without its year, so that the reason fits at 80).
var (
	wideHistory = historyTable{wide: true, cols: table{{width: 26, left: true, cut: true}, {width: 19, left: true},
		{width: 9}, {width: 13}, {width: 11}, {width: 8}, {width: 7}, {left: true, gap: 2}}}
	idHistory = historyTable{id: true, cols: table{{width: 24, left: true, cut: true},
		{width: 8}, {width: 10}, {width: 9}, {width: 8}, {width: 7, drop: 2}, {left: true, gap: 2, min: 10, drop: 1}}}
	narrowHistory = historyTable{cols: table{{width: 11, left: true},
		{width: 8}, {width: 10}, {width: 9}, {width: 8}, {width: 7, drop: 2}, {left: true, gap: 2, min: 10, drop: 1}}}
)

func (t historyTable) head() string {
	switch {
	case t.wide:
		return "   " + t.cols.head("session", "started (UTC)", "mkt span", "ending value", "PnL", "return", "fills", "reason")
	case t.id:
		return "   " + t.cols.head("session", "mkt span", "end value", "PnL", "return", "fills", "reason")
	}
	return "   " + t.cols.head("started UTC", "mkt span", "end value", "PnL", "return", "fills", "reason")
}

// sessionCells are the cells that name a session: its id and start (wide),
// its id (id), or its start without the year.
func (t historyTable) sessionCells(s engine.SessionSummary) []string {
	switch {
	case t.wide:
		return []string{Sanitize(s.SessionID), fmtTime(s.StartedAt)}
	case t.id:
		return []string{Sanitize(s.SessionID)}
	}
	return []string{s.StartedAt.UTC().Format("01-02 15:04")}
}

// rowMark is a row's mark: the selection, then whether the session runs
// (●), was left open by a process now gone (○, a crash's: not running) or
// ended at an estimate (~, a crash's end recovered at the next start).
func rowMark(s engine.SessionSummary, selected bool) string {
	mark := " "
	if selected {
		mark = "▸"
	}
	switch {
	case s.LeftOpen:
		return mark + "○ "
	case s.Running():
		return mark + "● "
	case s.EndedAtEstimated:
		return mark + "~ "
	}
	return mark + "  "
}

// row lays out one session: the selected row in one style across the
// width; others with the PnL in the colour of its sign and the reason
// marked when it is a risk halt, an error or a crash.
func (t historyTable) row(st Styles, s engine.SessionSummary, selected bool, now time.Time, width int) string {
	// The span of market time the session covered (what a backtest is
	// about); the wall-clock duration when no market span is recorded (none
	// for a session left open: its end is not known).
	durS := "—"
	switch {
	case s.EndedAt != nil:
		durS = fmtDur(s.EndedAt.Sub(s.StartedAt))
	case isRunning(s):
		durS = fmtDur(now.Sub(s.StartedAt))
	}
	if s.MarketStartedAt != nil && s.MarketEndedAt != nil {
		durS = fmtDur(s.MarketEndedAt.Sub(*s.MarketStartedAt))
		if isRunning(s) && !s.MarketEndedAt.After(*s.MarketStartedAt) {
			durS = "—" // nothing recorded past its first market event yet
		}
	}
	if s.EndedAtEstimated {
		durS = "~" + durS
	}
	ending, pnlS, retS, reason := "running", "—", "—", "running"
	if s.LeftOpen { // its process is gone: a crash's, not running
		ending, reason = "left open", "left open"
	}
	pnl := 0.0
	if s.EndingValue != nil {
		ending = fmtMoney(*s.EndingValue)
		pnl = *s.EndingValue - s.StartingValue
		pnlS = fmtMoneyChange(pnl)
		retS = fmtPct(pct(pnl, s.StartingValue))
	}
	if !s.Running() {
		reason = Sanitize(string(s.HaltReason))
		if reason == "" {
			reason = "—"
		}
		if s.EndingValue == nil {
			ending = "—"
		}
	}
	mark := rowMark(s, selected)
	first := append(t.sessionCells(s), durS, ending)
	n := len(first)
	head := mark + t.cols.cells(0, first...) + t.cols.sep(n) // the space before the PnL is the row's, not the PnL's colour
	pnlCol, retCol := t.cols.pad(n, pnlS), t.cols.cells(n+1, retS)
	tail := t.cols.cells(n+2, fmtCount(s.FillCount), reason)
	if selected {
		return st.Selected.Render(fit(head+pnlCol+retCol+tail, width))
	}
	base := st.Value
	reasonStyle := st.Muted
	switch {
	case s.LeftOpen:
		reasonStyle = st.Warn
	case s.Running():
		base, reasonStyle = st.Running, st.Running
	case s.HaltReason.IsRisk() || s.HaltReason == engine.HaltEngineError || s.HaltReason == engine.HaltUncleanExit:
		reasonStyle = st.Warn
	}
	return base.Render(head) + st.sign(pnlS).Render(pnlCol) + st.sign(retS).Render(retCol) + reasonStyle.Render(tail)
}
