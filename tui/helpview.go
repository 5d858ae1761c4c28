package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"neo/assets"
)

// helpModel is the help screen: every key, generated from the views'
// KeyMaps, then the text of assets/help.txt (what each screen shows, the
// filter syntax).
type helpModel struct {
	ctx  *viewContext
	keys helpKeys
	all  help.KeyMap // every view's keys, in the columns the screen shows
	text string      // assets/help.txt
}

// helpKeys is the help view's KeyMap.
type helpKeys struct {
	app  KeyMap
	Back key.Binding
}

// ShortHelp is the help footer (help.KeyMap).
func (k helpKeys) ShortHelp() []key.Binding { return []key.Binding{k.app.Help, k.Back, k.app.Quit} }

// closeHelpMsg asks the root to return to the view the help covered.
type closeHelpMsg struct{}

func newHelpModel(ctx *viewContext, app KeyMap, all help.KeyMap) helpModel {
	return helpModel{ctx: ctx, keys: helpKeys{app: app, Back: backKey()}, all: all,
		text: assets.HelpText}
}

// helpText styles the lines of help.txt: comments (#) are left out; a line
// that does not start with a space is a title (its " (…)" muted); a tab ends
// a label, and labels are padded to line up; an indented paragraph that
// does not follow a title is a note, muted; the rest is drawn as it is.
func helpText(st Styles, src string) []string {
	var lines []string
	labelW := 0
	for _, l := range strings.Split(strings.TrimRight(src, "\n"), "\n") {
		if strings.HasPrefix(l, "#") {
			continue
		}
		if label, _, ok := strings.Cut(l, "\t"); ok {
			labelW = max(labelW, lipglossWidth(label))
		}
		lines = append(lines, l)
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
			out = append(out, st.Label.Render(label+strings.Repeat(" ", labelW+2-lipglossWidth(label)))+text)
		case !underTitle:
			out = append(out, st.Muted.Render(l))
		default:
			out = append(out, l)
		}
	}
	return out
}

// wantsKey reports whether msg is esc (back); ? and q are global keys.
func (h *helpModel) wantsKey(msg tea.KeyMsg) bool { return key.Matches(msg, h.keys.Back) }

// Update closes the help on esc.
func (h *helpModel) Update(msg tea.Msg) tea.Cmd {
	if msg, ok := msg.(tea.KeyMsg); ok && key.Matches(msg, h.keys.Back) {
		return func() tea.Msg { return closeHelpMsg{} }
	}
	return nil
}

// View lists every key in columns, then the help text.
func (h *helpModel) View() string {
	c := h.ctx
	st := c.styles
	lines := []string{
		c.headerLine(st.Header.Render("neo")+st.Muted.Render(" · ")+st.Header.Render("help"), st.Muted.Render("? or esc to go back")),
		"",
	}
	full := c.help
	full.ShowAll = true
	for _, l := range strings.Split(full.FullHelpView(h.all.FullHelp()), "\n") {
		lines = append(lines, "  "+l)
	}
	lines = append(lines, "")
	lines = append(lines, helpText(st, h.text)...)
	return c.frame(lines, c.footer(h.keys.ShortHelp()...))
}
