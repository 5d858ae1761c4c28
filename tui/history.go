package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

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

func newHistoryModel() historyModel {
	return historyModel{sort: engine.SortStartedAt, stack: []*engine.Cursor{nil}}
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
// filter line, the column heads, the status line and the footer.
func visibleRows(height int) int { return max(1, height-5) }

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
func (h *historyModel) load(m *Model, stack []*engine.Cursor, sel int) tea.Cmd {
	hist := m.opts.History
	if hist == nil || m.tooSmall() {
		return nil
	}
	if h.pageSize <= 0 {
		h.pageSize = visibleRows(m.height)
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
func fetchPage(ctx context.Context, hist engine.History, q engine.SessionQuery, f filterSpec, size int) ([]engine.SessionSummary, *engine.Cursor, bool, error) {
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

func (h *historyModel) onPage(m *Model, msg pageMsg) tea.Cmd {
	if msg.seq != h.seq {
		return nil // an older request
	}
	h.loading = false
	h.loadedAt = m.now()
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
func (h *historyModel) ensureLoaded(m *Model) tea.Cmd {
	if h.loaded || h.loading || m.width == 0 {
		return nil
	}
	return h.load(m, h.stack, h.sel)
}

// reload re-reads the current page (new sessions, ended sessions).
func (h *historyModel) reload(m *Model) tea.Cmd { return h.load(m, h.stack, h.sel) }

// first goes back to the first page.
func (h *historyModel) first(m *Model) tea.Cmd {
	return h.load(m, []*engine.Cursor{nil}, 0)
}

func (h *historyModel) maybeRefresh(m *Model) tea.Cmd {
	if !h.loaded || h.loading || m.now().Sub(h.loadedAt) < historyRefresh {
		return nil
	}
	return h.reload(m)
}

func (h *historyModel) resize(m *Model) tea.Cmd {
	size := visibleRows(m.height)
	if size == h.pageSize {
		if m.view == viewHistory {
			return h.ensureLoaded(m)
		}
		return nil
	}
	h.pageSize = size
	if h.loaded || m.view == viewHistory {
		return h.reload(m)
	}
	return nil
}

func (h *historyModel) nextPage(m *Model, sel int) tea.Cmd {
	if !h.hasNext || h.next == nil {
		return nil
	}
	return h.load(m, append(append([]*engine.Cursor(nil), h.stack...), h.next), sel)
}

func (h *historyModel) prevPage(m *Model, sel int) tea.Cmd {
	if len(h.stack) < 2 {
		return nil
	}
	return h.load(m, h.stack[:len(h.stack)-1], sel)
}

var sortCycle = []engine.SortKey{engine.SortStartedAt, engine.SortEndingValue, engine.SortPnL}

func (h *historyModel) key(m *Model, msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Down):
		if h.sel+1 < len(h.rows) {
			h.sel++
			return nil
		}
		return h.nextPage(m, 0)
	case key.Matches(msg, k.Up):
		if h.sel > 0 {
			h.sel--
			return nil
		}
		return h.prevPage(m, -1)
	case key.Matches(msg, k.PageDn):
		if cmd := h.nextPage(m, 0); cmd != nil {
			return cmd
		}
		h.sel = max(0, len(h.rows)-1)
	case key.Matches(msg, k.PageUp):
		if cmd := h.prevPage(m, 0); cmd != nil {
			return cmd
		}
		h.sel = 0
	case key.Matches(msg, k.Home):
		return h.first(m)
	case key.Matches(msg, k.End):
		h.sel = max(0, len(h.rows)-1)
	case key.Matches(msg, k.Open):
		if h.sel < len(h.rows) {
			return m.openDetail(h.rows[h.sel])
		}
	case key.Matches(msg, k.Sort):
		for i, s := range sortCycle {
			if s == h.sort {
				h.sort = sortCycle[(i+1)%len(sortCycle)]
				break
			}
		}
		return h.first(m)
	case key.Matches(msg, k.Reverse):
		h.asc = !h.asc
		return h.first(m)
	case key.Matches(msg, k.Refresh):
		return h.reload(m)
	case key.Matches(msg, k.Filter):
		h.filtering = true
		h.input = []rune(h.filterRaw)
		h.filterErr = ""
	case key.Matches(msg, k.Back):
		if h.filterRaw != "" {
			h.filter, h.filterRaw, h.filterErr = filterSpec{}, "", ""
			return h.first(m)
		}
		if m.opts.Controller != nil {
			m.view = viewLive
		}
	}
	return nil
}

// filterKey edits the filter line: enter applies, esc cancels.
func (h *historyModel) filterKey(m *Model, msg tea.KeyMsg) tea.Cmd {
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
		return h.first(m)
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

func (h *historyModel) view(m *Model) []string {
	st := m.styles
	w := m.width
	left := st.Header.Render("neo") + st.Muted.Render(" · ") + st.Header.Render("history")
	if m.opts.ReadOnly {
		left += st.Muted.Render(" · ") + st.Warn.Render("read-only")
	}
	dir := "↓"
	if h.asc {
		dir = "↑"
	}
	right := st.Muted.Render("sort ") + st.Value.Render(string(h.sort)+" "+dir) +
		st.Muted.Render(" · page ") + st.Value.Render(fmt.Sprint(len(h.stack)))
	lines := []string{m.headerLine(left, right)}

	switch {
	case h.filtering:
		lines = append(lines, st.Title.Render("/ ")+st.Value.Render(string(h.input))+st.Selected.Render(" ")+
			st.Muted.Render("  reason:R since:YYYY-MM-DD until:YYYY-MM-DD text · enter apply · esc cancel"))
	case h.filterRaw != "":
		lines = append(lines, st.Muted.Render("filter ")+st.Value.Render(h.filterRaw)+st.Muted.Render("  (/ edit · esc clear)"))
	default:
		lines = append(lines, st.Muted.Render("all sessions  (/ filter · s sort · S reverse · enter open)"))
	}

	wide := w >= 120
	lines = append(lines, st.TableHead.Render(histHead(wide)))
	now := m.now()
	for i := 0; i < h.pageSize; i++ {
		if i >= len(h.rows) {
			if i == 0 && h.loaded {
				lines = append(lines, st.Muted.Render("  no sessions match"))
			} else {
				lines = append(lines, "")
			}
			continue
		}
		lines = append(lines, histRow(st, h.rows[i], wide, i == h.sel, now, w))
	}

	var status string
	switch {
	case h.filterErr != "":
		status = st.Error.Render(h.filterErr)
	case h.err != "":
		status = st.Error.Render(h.err)
	case m.opts.History == nil:
		status = st.Error.Render("no session history is open")
	case h.loading:
		status = st.Muted.Render("loading…")
	case h.loaded:
		from := (len(h.stack)-1)*h.pageSize + 1
		to := from + len(h.rows) - 1
		more := ""
		if h.hasNext {
			more = " · more below (pgdn)"
		}
		if h.filter.clientSide() {
			status = st.Muted.Render(fmt.Sprintf("page %d%s", len(h.stack), more))
		} else if len(h.rows) > 0 {
			status = st.Muted.Render(fmt.Sprintf("sessions %s–%s%s", fmtNum(float64(from), 0), fmtNum(float64(to), 0), more))
		}
	}
	lines = append(lines, status)
	k := m.keys
	return withFooter(lines, m.height, m.footer(k.Quit, k.Open, k.Filter, k.Sort, k.Reverse, k.Refresh, k.Switch, k.Help))
}

func histHead(wide bool) string {
	if wide {
		return fmt.Sprintf("  %-26s %-19s %9s %13s %11s %8s %7s  %s", "session", "started (UTC)", "duration", "ending value", "PnL", "return", "fills", "reason")
	}
	return fmt.Sprintf("  %-16s %8s %10s %9s %8s %5s  %s", "started (UTC)", "duration", "end value", "PnL", "return", "fills", "reason")
}

func histRow(st Styles, s engine.SessionSummary, wide, selected bool, now time.Time, width int) string {
	var dur time.Duration
	if s.EndedAt != nil {
		dur = s.EndedAt.Sub(s.StartedAt)
	} else {
		dur = now.Sub(s.StartedAt)
	}
	durS := fmtAge(dur)
	if s.EndedAtEstimated {
		durS = "~" + durS
	}
	ending, pnlS, retS, reason := "running", "—", "—", "running"
	pnl := 0.0
	if s.EndingValue != nil {
		ending = fmtNum(*s.EndingValue, 2)
		pnl = *s.EndingValue - s.StartingValue
		pnlS = fmtSigned(pnl, 2)
		retS = fmtSigned(pct(pnl, s.StartingValue), 2) + "%"
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
	started := fmtTime(s.StartedAt)
	if !wide {
		started = started[:min(16, len(started))]
	}
	mark := "  "
	if selected {
		mark = "▸ "
	}
	fills := fmtNum(float64(s.FillCount), 0)
	var head, tail string
	var pnlCol, retCol string
	if wide {
		head = fmt.Sprintf("%s%-26s %-19s %9s %13s ", mark, fit(Sanitize(s.SessionID), 26), started, durS, ending)
		pnlCol, retCol = fmt.Sprintf("%11s", pnlS), fmt.Sprintf(" %8s", retS)
		tail = fmt.Sprintf(" %7s  %s", fills, reason)
	} else {
		head = fmt.Sprintf("%s%-16s %8s %10s ", mark, started, durS, ending)
		pnlCol, retCol = fmt.Sprintf("%9s", pnlS), fmt.Sprintf(" %8s", retS)
		tail = fmt.Sprintf(" %5s  %s", fills, reason)
	}
	if selected {
		return st.Selected.Render(fit(head+pnlCol+retCol+tail, width))
	}
	base := st.Value
	reasonStyle := st.Muted
	switch {
	case s.Running():
		base, reasonStyle = st.Running, st.Running
	case s.HaltReason.IsRisk() || s.HaltReason == engine.HaltEngineError || s.HaltReason == engine.HaltUncleanExit:
		reasonStyle = st.Warn
	}
	ps := st.signed(pnl)
	return base.Render(head) + ps.Render(pnlCol) + ps.Render(retCol) + reasonStyle.Render(tail)
}
