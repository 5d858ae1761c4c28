package tui

import "github.com/charmbracelet/bubbles/key"

// KeyMap is the console's global bindings: the keys the root handles
// whichever view is in front (after the view in front declined them). Each
// view has its own KeyMap for the keys it handles (liveKeys, historyKeys,
// detailKeys, helpKeys); footers and the help view are generated from them.
type KeyMap struct {
	Quit    key.Binding
	Switch  key.Binding
	Live    key.Binding
	History key.Binding
	Help    key.Binding
}

// DefaultKeyMap returns the console's global bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Quit:    key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Switch:  key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "live/history")),
		Live:    key.NewBinding(key.WithKeys("1"), key.WithHelp("1", "live view")),
		History: key.NewBinding(key.WithKeys("2"), key.WithHelp("2", "history view")),
		Help:    key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
	}
}

// navKeys moves through a list: the history's rows and pages, the detail's
// fills. Each list view builds its own.
type navKeys struct {
	Up, Down, PageUp, PageDn, Home, End key.Binding
}

func newNavKeys() navKeys {
	return navKeys{
		Up:     key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:   key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp: key.NewBinding(key.WithKeys("pgup", "b"), key.WithHelp("pgup", "previous page")),
		PageDn: key.NewBinding(key.WithKeys("pgdown", "f", " "), key.WithHelp("pgdn", "next page")),
		Home:   key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g/home", "first page")),
		End:    key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G/end", "last row")),
	}
}

// all lists the bindings in the order the help view shows them.
func (k navKeys) all() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDn, k.Home, k.End}
}

// backKey is esc: back to the previous view, or out of a filter.
func backKey() key.Binding {
	return key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back"))
}

// refreshKey is r: read the view's data again.
func refreshKey() key.Binding {
	return key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "refresh"))
}

// flatten lists the bindings of help columns in order.
func flatten(cols [][]key.Binding) []key.Binding {
	var out []key.Binding
	for _, c := range cols {
		out = append(out, c...)
	}
	return out
}
