// Package tui is the console: Bubble Tea models for the live dashboard, the
// history browser, the session detail and the help. It reads engine state
// and the session history through its own narrow interfaces (Controller,
// History); it never writes to the database and never runs the shutdown
// itself: it asks for it with Controller.RequestClose.
//
// Each screen is a component with its own KeyMap, Update and View, sharing
// a viewContext (size, styles, clock); the root Model only routes: keys to
// the view in front first, then the global keys; every other message fans
// out to all views, and their commands are batched. Reads run in commands,
// never inside Update.
package tui

import (
	"fmt"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"neo/engine"
)

// Minimum window size the console draws in; below it shows a plain message.
const (
	MinWidth  = 60
	MinHeight = 16
)

// historyRefresh is how often the history list re-reads its current page so
// that new and ending sessions appear.
const historyRefresh = 5 * time.Second

// Options configures the console.
type Options struct {
	Controller Controller // nil: history only (neo history)
	History    History    // may be nil in tests of the live view
	Theme      string     // auto | dark | light | mono
	NoColor    bool       // NO_COLOR set: mono styles
	// DarkBackground answers the auto theme (the terminal's background);
	// nil asks lipgloss, which queried the terminal at start.
	DarkBackground func() bool
	Now            func() time.Time // injectable clock (golden tests use a fixed one)
	ExportDir      string           // where `e` writes CSV exports (the directory of the database)
	ReadOnly       bool             // neo history: say "read-only" in the header
}

// view is one screen of the console.
type view int

const (
	viewLive view = iota
	viewHistory
	viewDetail
	viewHelp
)

// anyView is the from of a request that holds whichever view is in front.
const anyView view = -1

// focusMsg asks the root to bring a view to the front. Views ask through
// messages, so a request can arrive after a quicker key moved on: the root
// honours it only while from, the view that asked, is still in front.
type focusMsg struct{ from, to view }

// focus is the command a view returns to bring another to the front.
func focus(from, to view) tea.Cmd { return func() tea.Msg { return focusMsg{from: from, to: to} } }

// openSessionMsg asks the root to open a session in the detail view (the
// history asks, on enter).
type openSessionMsg struct{ session engine.SessionSummary }

// openSession is the command the history returns to open a session.
func openSession(s engine.SessionSummary) tea.Cmd {
	return func() tea.Msg { return openSessionMsg{session: s} }
}

// Model is the root model: it owns the views and routes messages to them.
type Model struct {
	opts Options
	ctx  *viewContext
	keys KeyMap

	view  view
	back  view // where esc/? returns from help
	waits bool // arm the background waits (tests deliver those messages themselves)

	live   liveModel
	hist   historyModel
	detail detailModel
	help   helpModel
}

// New returns the console's root model. It starts on the live view when a
// Controller is given, else on the history view.
func New(opts Options) tea.Model {
	return newModel(opts, true)
}

// newModel builds the root; waits arms the background waits (engine
// changes, done, clock tick). Tests turn it off and deliver those messages
// themselves.
func newModel(opts Options, waits bool) *Model {
	theme := resolveTheme(opts.Theme, opts.NoColor, opts.DarkBackground)
	ctx := newViewContext(theme, opts.Now)
	keys := DefaultKeyMap()
	if opts.Controller == nil {
		// No live session (neo history): tab and 1 would lead nowhere, so
		// they are off, and no footer or help lists them.
		keys.Switch.SetEnabled(false)
		keys.Live.SetEnabled(false)
	}
	m := &Model{
		opts:   opts,
		ctx:    ctx,
		keys:   keys,
		waits:  waits,
		live:   newLiveModel(ctx, opts.Controller, opts.History, keys, waits),
		hist:   newHistoryModel(ctx, opts.History, keys, opts.ReadOnly),
		detail: newDetailModel(ctx, opts.History, opts.ExportDir, keys),
	}
	ctx.sessionLive = m.live.closing
	m.help = newHelpModel(ctx, keys, mergedKeys{keys, m.live.keys, m.hist.keys, m.detail.keys})
	if opts.Controller != nil {
		m.setView(viewLive)
	} else {
		m.setView(viewHistory)
	}
	return m
}

// Init starts the live waits and the clock.
func (m *Model) Init() tea.Cmd {
	if !m.waits {
		return nil
	}
	var cmds []tea.Cmd
	if c := m.opts.Controller; c != nil {
		cmds = append(cmds, pullState(c, nil), waitDone(c))
	}
	return tea.Batch(append(cmds, tick())...)
}

// setView brings v to the front and tells the views which has the focus.
func (m *Model) setView(v view) {
	m.view = v
	m.hist.focused = v == viewHistory
	m.detail.focused = v == viewDetail
}

// Update routes a message: keys through handleKey, the views' requests to
// the root here, everything else to every view.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		return m, m.handleKey(msg)
	case focusMsg:
		if msg.from != anyView && msg.from != m.view {
			return m, nil // stale: a later key already moved on
		}
		return m, m.focus(msg.to)
	case openSessionMsg:
		if m.view != viewHistory {
			return m, nil
		}
		m.setView(viewDetail)
		return m, m.detail.open(msg.session)
	case closeHelpMsg:
		if m.view == viewHelp {
			m.setView(m.back)
		}
		return m, nil
	case tea.WindowSizeMsg:
		m.ctx.resize(msg.Width, msg.Height)
	case tickMsg:
		if m.waits {
			return m, tea.Batch(tick(), m.fanOut(msg))
		}
	}
	return m, m.fanOut(msg)
}

// fanOut gives msg to every view (each takes what is its own) and batches
// their commands.
func (m *Model) fanOut(msg tea.Msg) tea.Cmd {
	return tea.Batch(m.live.Update(msg), m.hist.Update(msg), m.detail.Update(msg), m.help.Update(msg))
}

// component is what the root needs of a view: whether it takes a key
// before the global keys, its Update and its View.
type component interface {
	wantsKey(msg tea.KeyMsg) bool
	Update(msg tea.Msg) tea.Cmd
	View() string
}

// front returns the view in front.
func (m *Model) front() component {
	switch m.view {
	case viewHistory:
		return &m.hist
	case viewDetail:
		return &m.detail
	case viewHelp:
		return &m.help
	}
	return &m.live
}

// handleKey gives a key to the view in front first (a text input takes
// every key but ctrl+c), then to the global keys.
func (m *Model) handleKey(msg tea.KeyMsg) tea.Cmd {
	if msg.String() == "ctrl+c" {
		return m.quit()
	}
	if v := m.front(); v.wantsKey(msg) {
		return v.Update(msg)
	}
	k := m.keys
	switch {
	case key.Matches(msg, k.Quit):
		return m.quit()
	case key.Matches(msg, k.Help):
		if m.view == viewHelp {
			m.setView(m.back)
		} else {
			m.back = m.view
			m.setView(viewHelp)
		}
	case key.Matches(msg, m.live.keys.Pause):
		return m.live.Update(msg) // pause reaches the live session from every view
	case key.Matches(msg, k.Switch):
		if m.view == viewLive {
			return m.focus(viewHistory)
		}
		return m.focus(viewLive)
	case key.Matches(msg, k.Live):
		return m.focus(viewLive)
	case key.Matches(msg, k.History):
		return m.focus(viewHistory)
	}
	return nil
}

// focus brings a view to the front: the live view only when there is a live
// session; the history loads its first page the first time.
func (m *Model) focus(v view) tea.Cmd {
	switch v {
	case viewLive:
		if m.opts.Controller == nil {
			return nil
		}
	case viewHistory:
		m.setView(v)
		return m.hist.ensureLoaded()
	}
	m.setView(v)
	return nil
}

// quit is what q and ctrl+c do: ask the engine to close (the console quits
// when Done reports it, showing the shutdown steps meanwhile), or quit at
// once when there is no live session or it has already ended.
func (m *Model) quit() tea.Cmd {
	if !m.live.closing() {
		return tea.Quit
	}
	m.live.requestClose()
	m.setView(viewLive)
	return nil
}

// View draws the screen in front.
func (m *Model) View() string {
	c := m.ctx
	if c.width == 0 || c.height == 0 {
		return ""
	}
	if c.tooSmall() {
		return screen(c.width, c.height, []string{
			"window too small:",
			fmt.Sprintf("need at least %dx%d, have %dx%d", MinWidth, MinHeight, c.width, c.height),
		})
	}
	return m.front().View()
}

// mergedKeys is every view's KeyMap together, for the help view: the global
// keys and pause in the first column, then the views' own columns merged,
// each key once, in the order the views list them.
type mergedKeys struct {
	app    KeyMap
	live   liveKeys
	hist   historyKeys
	detail detailKeys
}

// ShortHelp is the live footer (help.KeyMap).
func (k mergedKeys) ShortHelp() []key.Binding { return k.live.ShortHelp(false) }

// FullHelp lists every binding in columns (help.KeyMap).
func (k mergedKeys) FullHelp() [][]key.Binding {
	a := k.app
	cols := [][]key.Binding{{a.Quit, k.live.Pause, a.Switch, a.Live, a.History, a.Help}}
	for _, view := range [][][]key.Binding{k.hist.FullHelp(), k.detail.FullHelp()} {
		for i, col := range view {
			if len(cols) <= i+1 {
				cols = append(cols, nil)
			}
			cols[i+1] = appendNew(cols[i+1], col...)
		}
	}
	return cols
}

// appendNew appends the bindings whose help key is not in col yet.
func appendNew(col []key.Binding, bs ...key.Binding) []key.Binding {
	for _, b := range bs {
		seen := false
		for _, c := range col {
			seen = seen || c.Help().Key == b.Help().Key
		}
		if !seen {
			col = append(col, b)
		}
	}
	return col
}
