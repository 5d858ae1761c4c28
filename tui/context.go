package tui

import (
	"context"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"

	"neo/engine"
)

// Controller is what the console needs of a running engine: its published
// state, the end of its shutdown path, and two requests that return at once.
// *engine.Engine satisfies it; the tests drive a fake.
type Controller interface {
	// State returns the latest published state (never nil once started).
	State() *engine.State
	// Changed returns a channel closed at the next publish; grab it before
	// reading State so that no change is missed.
	Changed() <-chan struct{}
	// RequestClose asks for the shutdown path; the first reason wins.
	RequestClose(reason engine.HaltReason)
	// SetPaused stops or resumes quoting.
	SetPaused(paused bool)
	// Done is closed when the shutdown path has finished.
	Done() <-chan struct{}
}

// History is what the console reads of the recorded sessions; it never
// writes. The store satisfies it; the tests use a fake.
type History interface {
	// ListSessions returns one page of sessions (keyset pagination).
	ListSessions(ctx context.Context, q engine.SessionQuery) ([]engine.SessionSummary, error)
	// GetSession returns one session.
	GetSession(ctx context.Context, sessionID string) (engine.SessionSummary, error)
	// ValuationSeries returns at most maxPoints valuation snapshots, oldest first.
	ValuationSeries(ctx context.Context, sessionID string, maxPoints int) ([]engine.ValuationSnapshot, error)
	// InventorySeries returns at most maxPoints inventory snapshots, oldest first.
	InventorySeries(ctx context.Context, sessionID string, maxPoints int) ([]engine.InventorySnapshot, error)
	// Fills returns the session's fills, oldest first; limit <= 0 means all.
	Fills(ctx context.Context, sessionID string, limit int) ([]engine.Fill, error)
	// Events returns the session's events, oldest first; limit <= 0 means all.
	Events(ctx context.Context, sessionID string, limit int) ([]engine.SessionEvent, error)
}

// viewContext is what the views share and all they know of the console:
// the window's size, the theme and its styles, the footer renderer and the
// clock. The root owns it and updates it on a resize; each view holds a
// pointer to it, never to the root, so a view cannot change another.
type viewContext struct {
	width, height int
	theme         string
	styles        Styles
	help          help.Model // styled by the theme, as wide as the window
	now           func() time.Time
}

// newViewContext builds the context of a theme; now nil is the wall clock.
func newViewContext(theme string, now func() time.Time) *viewContext {
	if now == nil {
		now = time.Now
	}
	st := DefaultStyles(theme)
	h := help.New()
	h.Styles = st.Help
	return &viewContext{theme: theme, styles: st, help: h, now: now}
}

// resize records the window's size.
func (c *viewContext) resize(w, h int) {
	c.width, c.height = w, h
	c.help.Width = w
}

// tooSmall reports whether the window is below the minimum size.
func (c *viewContext) tooSmall() bool {
	return c.width < MinWidth || c.height < MinHeight
}

// footer renders the short help of a view's bindings.
func (c *viewContext) footer(bs ...key.Binding) string {
	return c.help.ShortHelpView(bs)
}

// headerLine puts left and right parts on one line of the window's width,
// cutting the left part when they do not fit.
func (c *viewContext) headerLine(left, right string) string {
	rw := lipglossWidth(right)
	lw := c.width - rw - 1
	if lw < 10 {
		return fit(left, c.width)
	}
	return fit(left, lw) + " " + right
}

// frame assembles a view's lines into the full screen: the lines cut or
// padded to leave the last row to the footer.
func (c *viewContext) frame(lines []string, foot string) string {
	return screen(c.width, c.height, withFooter(lines, c.height, foot))
}

// side returns the style of an order side: buys gain, sells loss.
func (s Styles) side(side engine.Side) lipgloss.Style {
	switch side {
	case engine.Buy:
		return s.Gain
	case engine.Sell:
		return s.Loss
	}
	return s.Value
}
