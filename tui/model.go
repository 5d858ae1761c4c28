// Package tui is the console: Bubble Tea models for the live dashboard, the
// history browser, the session detail and the help. It reads engine state
// and the session history; it never writes to the database and never runs
// the shutdown itself: it asks for it with Controller.RequestClose.
package tui

import (
	"fmt"
	"time"

	"github.com/charmbracelet/bubbles/help"
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
	Controller engine.Controller // nil: history only (neo history)
	History    engine.History    // may be nil in tests of the live view
	Theme      string            // dark | light | mono
	NoColor    bool              // NO_COLOR set: mono styles
	Now        func() time.Time  // injectable clock (golden tests use a fixed one)
	ExportDir  string            // where `e` writes CSV exports (the directory of the database)
	ReadOnly   bool              // neo history: say "read-only" in the header
}

// view is one screen of the console.
type view int

const (
	viewLive view = iota
	viewHistory
	viewDetail
	viewHelp
)

// Model is the root model: it owns the screens and routes keys to the one in
// front; other messages go to whoever they belong to.
type Model struct {
	opts   Options
	keys   KeyMap
	styles Styles
	help   help.Model
	now    func() time.Time

	width, height int
	view          view
	back          view // where esc/? returns from help

	live   liveModel
	hist   historyModel
	detail detailModel

	// waits arms the background waits (engine changes, done, clock tick).
	// Tests turn it off and deliver those messages themselves.
	waits bool
}

// New returns the console's root model. It starts on the live view when a
// Controller is given, else on the history view.
func New(opts Options) tea.Model {
	return newModel(opts)
}

func newModel(opts Options) *Model {
	theme := opts.Theme
	if opts.NoColor {
		theme = ThemeMono
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	st := DefaultStyles(theme)
	h := help.New()
	h.Styles = st.Help
	m := &Model{
		opts:   opts,
		keys:   DefaultKeyMap(),
		styles: st,
		help:   h,
		now:    now,
		view:   viewHistory,
		waits:  true,
		hist:   newHistoryModel(),
	}
	if opts.Controller != nil {
		m.view = viewLive
	}
	return m
}

// Init starts the live waits and the clock.
func (m *Model) Init() tea.Cmd {
	var cmds []tea.Cmd
	if c := m.opts.Controller; c != nil && m.waits {
		cmds = append(cmds, pullState(c, nil), waitDone(c))
	}
	if m.waits {
		cmds = append(cmds, tick())
	}
	return tea.Batch(cmds...)
}

// tooSmall reports whether the window is below the minimum size.
func (m *Model) tooSmall() bool {
	return m.width < MinWidth || m.height < MinHeight
}

// Update routes a message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.Width = msg.Width
		return m, tea.Batch(m.hist.resize(m), m.detail.resize(m))

	case tea.KeyMsg:
		return m.handleKey(msg)

	case stateMsg:
		return m, m.live.onState(m, msg)

	case doneMsg:
		return m, m.live.onDone(m, msg)

	case tickMsg:
		var cmds []tea.Cmd
		if m.waits {
			cmds = append(cmds, tick())
		}
		if m.view == viewHistory {
			cmds = append(cmds, m.hist.maybeRefresh(m))
		}
		return m, tea.Batch(cmds...)

	case pageMsg:
		return m, m.hist.onPage(m, msg)

	case detailMsg:
		return m, m.detail.onLoad(m, msg)

	case seriesMsg:
		m.detail.onSeries(msg)
		return m, nil

	case exportMsg:
		m.detail.onExport(msg)
		return m, nil
	}
	return m, nil
}

func (m *Model) handleKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	k := m.keys
	if msg.String() == "ctrl+c" {
		return m, m.quit()
	}
	// A focused text input takes every other key.
	if m.view == viewHistory && m.hist.filtering {
		return m, m.hist.filterKey(m, msg)
	}
	switch {
	case key.Matches(msg, k.Quit):
		return m, m.quit()
	case key.Matches(msg, k.Help):
		if m.view == viewHelp {
			m.view = m.back
		} else {
			m.back, m.view = m.view, viewHelp
		}
		return m, nil
	case m.view == viewHelp && key.Matches(msg, k.Back):
		m.view = m.back
		return m, nil
	case key.Matches(msg, k.Pause):
		m.live.togglePause(m)
		return m, nil
	case key.Matches(msg, k.Switch):
		if m.view == viewLive {
			return m, m.showHistory()
		}
		if m.opts.Controller != nil {
			m.view = viewLive
			return m, nil
		}
		return m, m.showHistory()
	case key.Matches(msg, k.Live):
		if m.opts.Controller != nil {
			m.view = viewLive
		}
		return m, nil
	case key.Matches(msg, k.History):
		return m, m.showHistory()
	}
	switch m.view {
	case viewHistory:
		return m, m.hist.key(m, msg)
	case viewDetail:
		return m, m.detail.key(m, msg)
	}
	return m, nil
}

// showHistory brings the history view to the front, loading its page the
// first time.
func (m *Model) showHistory() tea.Cmd {
	m.view = viewHistory
	return m.hist.ensureLoaded(m)
}

// quit is what q and ctrl+c do: ask the engine to close (the console quits
// when Done reports it), or quit at once when there is no live session or it
// has already ended.
func (m *Model) quit() tea.Cmd {
	c := m.opts.Controller
	if c == nil || m.live.done {
		return tea.Quit
	}
	m.live.closeRequested = true
	c.RequestClose(engine.HaltOperatorQuit)
	m.view = viewLive // show the shutdown steps
	return nil
}

// View draws the screen in front.
func (m *Model) View() string {
	if m.width == 0 || m.height == 0 {
		return ""
	}
	if m.tooSmall() {
		return screen(m.width, m.height, []string{
			"window too small:",
			fmt.Sprintf("need at least %dx%d, have %dx%d", MinWidth, MinHeight, m.width, m.height),
		})
	}
	var lines []string
	switch m.view {
	case viewLive:
		lines = m.live.view(m)
	case viewHistory:
		lines = m.hist.view(m)
	case viewDetail:
		lines = m.detail.view(m)
	case viewHelp:
		lines = m.helpView()
	}
	return screen(m.width, m.height, lines)
}

// footer renders the short help of a view's bindings.
func (m *Model) footer(bs ...key.Binding) string {
	return m.help.ShortHelpView(bs)
}

// headerLine puts left and right parts on one line of the window's width,
// cutting the left part when they do not fit.
func (m *Model) headerLine(left, right string) string {
	rw := lipglossWidth(right)
	lw := m.width - rw - 1
	if lw < 10 {
		return fit(left, m.width)
	}
	return fit(left, lw) + " " + right
}
