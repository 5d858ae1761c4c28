package tui

import (
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
)

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
