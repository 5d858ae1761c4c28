package tui

import (
	"strings"
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
	// sessionLive reports whether q ends a running session (rather than
	// quitting the console); the root sets it. nil: never.
	sessionLive func() bool
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

// footer renders the short help of a view's bindings, saying what q does
// there: "end session" while a live session runs (from every view, the
// history and the detail too), else "quit".
func (c *viewContext) footer(bs ...key.Binding) string {
	if c.sessionLive != nil && c.sessionLive() {
		out := make([]key.Binding, len(bs))
		for i, b := range bs {
			if b.Help().Key == "q" {
				b.SetHelp("q", quitEndsSession)
			}
			out[i] = b
		}
		bs = out
	}
	return c.help.ShortHelpView(bs)
}

// quitEndsSession is what q says it does while a live session runs.
const quitEndsSession = "end session"

// headerPart is one part of a header line. When the line does not fit, the
// parts of the highest drop rank go first, whole; rank 0 stays.
type headerPart struct {
	text string // styled
	drop int
}

// header joins the parts of each side with a muted " · " and puts them on
// one line of the window's width, dropping whole parts (never cutting
// one) until they fit; the same words at every width, only fewer.
func (c *viewContext) header(left, right []headerPart) string {
	sep := c.styles.Muted.Render(" · ")
	join := func(ps []headerPart, keep func(headerPart) bool) string {
		var b strings.Builder
		n := 0
		for _, p := range ps {
			if !keep(p) {
				continue
			}
			if n > 0 {
				b.WriteString(sep)
			}
			b.WriteString(p.text)
			n++
		}
		return b.String()
	}
	top := 0
	for _, p := range append(append([]headerPart(nil), left...), right...) {
		top = max(top, p.drop)
	}
	for limit := top; ; limit-- {
		keep := func(p headerPart) bool { return p.drop <= limit }
		l, r := join(left, keep), join(right, keep)
		if lipglossWidth(l)+1+lipglossWidth(r) <= c.width || limit == 0 {
			return c.headerLine(l, r)
		}
	}
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
