package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"neo/assets"
)

// helpModel is the help screen: every key, generated from the views'
// KeyMaps, then the text of assets/help.txt (what each screen shows, a
// glossary of every figure, the filter syntax), wrapped at words to the
// window's width and scrolled when it is taller than the window.
type helpModel struct {
	ctx    *viewContext
	keys   helpKeys
	all    help.KeyMap // every view's keys, in the columns the screen shows
	text   string      // assets/help.txt
	scroll int         // first line of the body shown

	// The body wrapped for a width and a theme, kept between frames.
	cacheW     int
	cacheTheme string
	cache      []string
}

// helpKeys is the help view's KeyMap.
type helpKeys struct {
	app  KeyMap
	nav  navKeys
	Back key.Binding
}

// ShortHelp is the help footer (help.KeyMap).
func (k helpKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.app.Help, k.Back, k.nav.Down, k.nav.Up, k.app.Quit}
}

// closeHelpMsg asks the root to return to the view the help covered.
type closeHelpMsg struct{}

// helpSections names the columns of the merged KeyMap, in order.
var helpSections = []string{"Keys (every view)", "Keys of lists (history, detail)", "Keys of the history and the detail"}

// quitHelp is q's line in the help: what it does depends on the session.
const quitHelp = "quit the console; while a live session runs, end the session first (the orderly shutdown), from every view"

func newHelpModel(ctx *viewContext, app KeyMap, all help.KeyMap) helpModel {
	return helpModel{ctx: ctx, keys: helpKeys{app: app, nav: newNavKeys(), Back: backKey()}, all: all,
		text: assets.HelpText}
}

// keysText lists the bindings of the merged KeyMap in help.txt's format: a
// title per column, a labelled line per key.
func keysText(all help.KeyMap) string {
	var b strings.Builder
	for i, col := range all.FullHelp() {
		title := "More keys"
		if i < len(helpSections) {
			title = helpSections[i]
		}
		b.WriteString(title + "\n")
		for _, k := range col {
			if !k.Enabled() {
				continue // a key that does nothing here (tab without a live session)
			}
			desc := k.Help().Desc
			if k.Help().Key == "q" {
				desc = quitHelp
			}
			b.WriteString("  " + k.Help().Key + "\t" + desc + "\n")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// helpText styles the lines of help.txt and wraps them at words to width:
// comments (#) are left out; a line that does not start with a space is a
// title (its " (…)" muted); a tab ends a label, labels are padded to line
// up and their text wraps under itself; an indented paragraph that does not
// follow a title is a note, muted; the rest is drawn as it is, wrapped.
func helpText(st Styles, src string, width int) []string {
	var lines []string
	labelW := 0
	for _, l := range strings.Split(strings.TrimRight(src, "\n"), "\n") {
		if strings.HasPrefix(l, "#") {
			continue
		}
		if label, _, ok := strings.Cut(l, "\t"); ok {
			labelW = max(labelW, textWidth(label))
		}
		lines = append(lines, l)
	}
	textCol := labelW + 2
	stacked := width-textCol < 24 // too narrow for the labels beside their text
	if stacked {
		textCol = 6
	}
	wrap := func(text string, w int) []string {
		return strings.Split(ansi.Wrap(text, max(8, w), ""), "\n")
	}
	out := make([]string, 0, len(lines))
	underTitle := false // the paragraph right under a title, rather than a note
	for _, l := range lines {
		label, text, labelled := strings.Cut(l, "\t")
		switch {
		case l == "":
			underTitle = false
			out = append(out, l)
		case !strings.HasPrefix(l, " "):
			underTitle = true
			title, rest, ok := strings.Cut(l, " (")
			if ok {
				rest = st.Muted.Render(" (" + rest)
			}
			out = append(out, st.Title.Render(title)+rest)
		case labelled:
			ws := wrap(text, width-textCol)
			pad := strings.Repeat(" ", textCol)
			if stacked {
				out = append(out, st.Label.Render(label))
			} else {
				out = append(out, st.Label.Render(label+strings.Repeat(" ", textCol-textWidth(label)))+strings.TrimRight(ws[0], " "))
				ws = ws[1:]
			}
			for _, w := range ws {
				out = append(out, pad+strings.TrimRight(w, " "))
			}
		default:
			indent := l[:len(l)-len(strings.TrimLeft(l, " "))]
			style := lipgloss.NewStyle()
			if !underTitle {
				style = st.Muted
			}
			for _, w := range wrap(strings.TrimLeft(l, " "), width-len(indent)) {
				out = append(out, style.Render(indent+strings.TrimRight(w, " ")))
			}
		}
	}
	return out
}

// wantsKey reports whether msg is esc (back) or a scroll key; ? and q are
// global keys.
func (h *helpModel) wantsKey(msg tea.KeyMsg) bool {
	return key.Matches(msg, append(h.keys.nav.all(), h.keys.Back)...)
}

// Update closes the help on esc and scrolls it.
func (h *helpModel) Update(msg tea.Msg) tea.Cmd {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return nil
	}
	k := h.keys
	rows := h.rows()
	last := max(0, len(h.body())-rows)
	switch msg := km; {
	case key.Matches(msg, k.Back):
		h.scroll = 0
		return func() tea.Msg { return closeHelpMsg{} }
	case key.Matches(msg, k.nav.Down):
		h.scroll++
	case key.Matches(msg, k.nav.Up):
		h.scroll--
	case key.Matches(msg, k.nav.PageDn):
		h.scroll += rows
	case key.Matches(msg, k.nav.PageUp):
		h.scroll -= rows
	case key.Matches(msg, k.nav.Home):
		h.scroll = 0
	case key.Matches(msg, k.nav.End):
		h.scroll = last
	}
	h.scroll = max(0, min(h.scroll, last))
	return nil
}

// rows is how many lines of the body the window shows: all but the header
// and the footer.
func (h *helpModel) rows() int { return max(1, h.ctx.height-2) }

// body is the keys and the help text wrapped to the window's width.
func (h *helpModel) body() []string {
	c := h.ctx
	if h.cache == nil || h.cacheW != c.width || h.cacheTheme != c.theme {
		h.cache = helpText(c.styles, keysText(h.all)+h.text, c.width)
		h.cacheW, h.cacheTheme = c.width, c.theme
	}
	return h.cache
}

// View shows the part of the body the scroll reaches, under a header that
// says where it is.
func (h *helpModel) View() string {
	c := h.ctx
	st := c.styles
	body := h.body()
	rows := h.rows()
	h.scroll = max(0, min(h.scroll, len(body)-rows))
	right := []headerPart{{text: st.Muted.Render("? or esc to go back")}}
	if len(body) > rows {
		right = append([]headerPart{{text: st.Muted.Render(fmt.Sprintf("lines %d–%d of %d", h.scroll+1, min(len(body), h.scroll+rows), len(body))), drop: 1}}, right...)
	}
	lines := []string{c.header([]headerPart{{text: st.Header.Render("neo")}, {text: st.Header.Render("help")}}, right)}
	lines = append(lines, body[h.scroll:min(len(body), h.scroll+rows)]...)
	return c.frame(lines, c.footer(h.keys.ShortHelp()...))
}
