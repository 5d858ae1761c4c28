package tui

import "github.com/charmbracelet/bubbles/key"

// KeyMap is every key binding of the console. The footer and the help view
// are generated from it.
type KeyMap struct {
	Quit    key.Binding
	Pause   key.Binding
	Switch  key.Binding
	Live    key.Binding
	History key.Binding
	Help    key.Binding
	Filter  key.Binding
	Up      key.Binding
	Down    key.Binding
	PageUp  key.Binding
	PageDn  key.Binding
	Home    key.Binding
	End     key.Binding
	Open    key.Binding
	Back    key.Binding
	Sort    key.Binding
	Reverse key.Binding
	Refresh key.Binding
	Export  key.Binding
}

// DefaultKeyMap returns the console's bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Quit:    key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Pause:   key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pause/resume quoting")),
		Switch:  key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "live/history")),
		Live:    key.NewBinding(key.WithKeys("1"), key.WithHelp("1", "live view")),
		History: key.NewBinding(key.WithKeys("2"), key.WithHelp("2", "history view")),
		Help:    key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Filter:  key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Up:      key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:    key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:  key.NewBinding(key.WithKeys("pgup", "b"), key.WithHelp("pgup", "previous page")),
		PageDn:  key.NewBinding(key.WithKeys("pgdown", "f", " "), key.WithHelp("pgdn", "next page")),
		Home:    key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g/home", "first page")),
		End:     key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G/end", "last row")),
		Open:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Back:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Sort:    key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sort by")),
		Reverse: key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "reverse sort")),
		Refresh: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "refresh")),
		Export:  key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "export fills CSV")),
	}
}

// ShortHelp is the footer of every view (help.KeyMap).
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Quit, k.Pause, k.Switch, k.Help}
}

// FullHelp lists every binding in columns (help.KeyMap).
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Quit, k.Pause, k.Switch, k.Live, k.History, k.Help},
		{k.Up, k.Down, k.PageUp, k.PageDn, k.Home, k.End},
		{k.Open, k.Back, k.Filter, k.Sort, k.Reverse, k.Refresh, k.Export},
	}
}

// bindings is a view's own list of keys for its footer.
type bindings struct {
	short []key.Binding
	full  [][]key.Binding
}

func (b bindings) ShortHelp() []key.Binding  { return b.short }
func (b bindings) FullHelp() [][]key.Binding { return b.full }
