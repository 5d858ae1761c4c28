package tui

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/lipgloss"

	"neo/engine"
)

// Themes accepted by DefaultStyles.
const (
	ThemeDark  = "dark"
	ThemeLight = "light"
	ThemeMono  = "mono"
)

// Styles holds every style the console draws with. DefaultStyles builds it
// from a theme; nothing else creates styles.
type Styles struct {
	Header    lipgloss.Style // the top bar
	Title     lipgloss.Style // section titles
	Label     lipgloss.Style // field names
	Value     lipgloss.Style // plain figures
	Muted     lipgloss.Style // secondary text
	Gain      lipgloss.Style // positive PnL, buys
	Loss      lipgloss.Style // negative PnL, sells
	Warn      lipgloss.Style // warnings, estimates
	Error     lipgloss.Style // errors, failed steps
	Banner    lipgloss.Style // the halt banner of a risk stop or an error
	Notice    lipgloss.Style // the end banner of an orderly stop
	Selected  lipgloss.Style // the selected row of a list
	TableHead lipgloss.Style // column headings
	Running   lipgloss.Style // status: running
	Paused    lipgloss.Style // status: paused
	Stopping  lipgloss.Style // status: shutting down
	Ended     lipgloss.Style // status: ended
	SeriesA   lipgloss.Style // first chart series (value)
	SeriesB   lipgloss.Style // second chart series (hold value)
	Tiers     []lipgloss.Style
	Help      help.Styles
}

// DefaultStyles returns the styles of a theme (dark, light or mono; anything
// else is dark). mono uses no colour at all, only bold and reverse, and is
// what NO_COLOR selects.
func DefaultStyles(theme string) Styles {
	type palette struct {
		fg, muted, accent, gain, loss, warn, err, selBg, selFg, seriesA, seriesB string
		tiers                                                                    []string
	}
	var p palette
	switch theme {
	case ThemeMono:
		return monoStyles()
	case ThemeLight:
		p = palette{fg: "235", muted: "244", accent: "25", gain: "28", loss: "160", warn: "130", err: "160",
			selBg: "153", selFg: "16", seriesA: "25", seriesB: "244", tiers: []string{"28", "136", "166", "160"}}
	default:
		p = palette{fg: "252", muted: "245", accent: "39", gain: "42", loss: "203", warn: "214", err: "196",
			selBg: "24", selFg: "231", seriesA: "39", seriesB: "245", tiers: []string{"42", "220", "208", "196"}}
	}
	c := func(s string) lipgloss.Color { return lipgloss.Color(s) }
	st := Styles{
		Header:    lipgloss.NewStyle().Bold(true).Foreground(c(p.fg)),
		Title:     lipgloss.NewStyle().Bold(true).Foreground(c(p.accent)),
		Label:     lipgloss.NewStyle().Foreground(c(p.muted)),
		Value:     lipgloss.NewStyle().Foreground(c(p.fg)),
		Muted:     lipgloss.NewStyle().Foreground(c(p.muted)),
		Gain:      lipgloss.NewStyle().Foreground(c(p.gain)),
		Loss:      lipgloss.NewStyle().Foreground(c(p.loss)),
		Warn:      lipgloss.NewStyle().Foreground(c(p.warn)),
		Error:     lipgloss.NewStyle().Bold(true).Foreground(c(p.err)),
		Banner:    lipgloss.NewStyle().Bold(true).Foreground(c("231")).Background(c(p.err)),
		Notice:    lipgloss.NewStyle().Bold(true).Foreground(c(p.selFg)).Background(c(p.selBg)),
		Selected:  lipgloss.NewStyle().Foreground(c(p.selFg)).Background(c(p.selBg)),
		TableHead: lipgloss.NewStyle().Bold(true).Foreground(c(p.muted)),
		Running:   lipgloss.NewStyle().Bold(true).Foreground(c(p.gain)),
		Paused:    lipgloss.NewStyle().Bold(true).Foreground(c(p.warn)),
		Stopping:  lipgloss.NewStyle().Bold(true).Foreground(c(p.loss)),
		Ended:     lipgloss.NewStyle().Bold(true).Foreground(c(p.muted)),
		SeriesA:   lipgloss.NewStyle().Foreground(c(p.seriesA)),
		SeriesB:   lipgloss.NewStyle().Foreground(c(p.seriesB)),
	}
	for _, t := range p.tiers {
		st.Tiers = append(st.Tiers, lipgloss.NewStyle().Foreground(c(t)))
	}
	st.Help = help.Styles{
		Ellipsis:       st.Muted,
		ShortKey:       lipgloss.NewStyle().Foreground(c(p.accent)),
		ShortDesc:      st.Muted,
		ShortSeparator: st.Muted,
		FullKey:        lipgloss.NewStyle().Foreground(c(p.accent)),
		FullDesc:       st.Muted,
		FullSeparator:  st.Muted,
	}
	return st
}

func monoStyles() Styles {
	plain := lipgloss.NewStyle()
	bold := plain.Bold(true)
	rev := plain.Reverse(true)
	return Styles{
		Header: bold, Title: bold, Label: plain, Value: plain, Muted: plain,
		Gain: plain, Loss: plain, Warn: plain, Error: bold,
		Banner: rev.Bold(true), Notice: rev, Selected: rev, TableHead: bold,
		Running: bold, Paused: bold, Stopping: bold, Ended: bold,
		SeriesA: plain, SeriesB: plain,
		Tiers: []lipgloss.Style{plain, plain, plain, bold},
		Help: help.Styles{
			Ellipsis: plain, ShortKey: bold, ShortDesc: plain, ShortSeparator: plain,
			FullKey: bold, FullDesc: plain, FullSeparator: plain,
		},
	}
}

// tier returns the style of a skew tier.
func (s Styles) tier(t int) lipgloss.Style {
	if len(s.Tiers) == 0 {
		return s.Value
	}
	if t < 0 {
		t = 0
	}
	if t >= len(s.Tiers) {
		t = len(s.Tiers) - 1
	}
	return s.Tiers[t]
}

// signed picks the gain or loss style by the sign of v.
func (s Styles) signed(v float64) lipgloss.Style {
	switch {
	case v > 0:
		return s.Gain
	case v < 0:
		return s.Loss
	}
	return s.Value
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
