package tui

// helpView lists every key, generated from the key map, and what each
// screen shows.
func (m *Model) helpView() []string {
	st := m.styles
	lines := []string{
		m.headerLine(st.Header.Render("neo")+st.Muted.Render(" · ")+st.Header.Render("help"), st.Muted.Render("? or esc to go back")),
		"",
	}
	full := m.help
	full.ShowAll = true
	for _, l := range splitLines(full.FullHelpView(m.keys.FullHelp())) {
		lines = append(lines, "  "+l)
	}
	lines = append(lines, "",
		st.Title.Render("Screens"),
		st.Label.Render("  1 live     ")+"inventory, drift, market, our quotes, fills and events of the running session",
		st.Label.Render("  2 history  ")+"every recorded session, newest first; enter opens one",
		st.Label.Render("  detail     ")+"value against holding, drift over the session, its fills and events",
		"",
		st.Title.Render("Filter")+st.Muted.Render(" (history, /)"),
		"  reason:max_drawdown  since:2026-11-01  until:2026-11-30  free text on id or reason",
		"",
		st.Muted.Render("  ~ marks an end time estimated after a crash. q ends the session cleanly, like ctrl+c."),
	)
	k := m.keys
	return withFooter(lines, m.height, m.footer(k.Help, k.Back, k.Quit))
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}
