package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/lipgloss"

	"neo/engine"
)

// Themes accepted by DefaultStyles; ThemeAuto is resolved to dark or light
// by resolveTheme before any style is built.
const (
	ThemeAuto  = "auto"
	ThemeDark  = "dark"
	ThemeLight = "light"
	ThemeMono  = "mono"
)

// resolveTheme turns the configured theme into the one drawn: NO_COLOR is
// mono whatever the theme; auto is light on a light background and dark
// otherwise (dark is also termenv's answer when the terminal says nothing).
func resolveTheme(theme string, noColor bool, darkBackground func() bool) string {
	switch {
	case noColor:
		return ThemeMono
	case theme == ThemeAuto || theme == "":
		if darkBackground == nil {
			darkBackground = lipgloss.HasDarkBackground // asked once, at start (bubbletea's init)
		}
		if darkBackground() {
			return ThemeDark
		}
		return ThemeLight
	}
	return theme
}

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

// palette is a theme's colours: xterm 256-colour indices from 16 up, whose
// RGB values every terminal shares (0–15 are redefined by themes such as
// solarized), so that their contrast can be computed (TestThemeContrast).
type palette struct {
	fg, muted, accent, gain, loss, warn, err, bannerFg, bannerBg, selBg, selFg, seriesA, seriesB string
	tiers                                                                                        []string
}

var palettes = map[string]palette{
	// Light: nothing paler than luminance ~0.16, so that text keeps 4.5:1
	// on white and on solarized's cream.
	ThemeLight: {fg: "235", muted: "241", accent: "25", gain: "22", loss: "160", warn: "94", err: "160",
		bannerFg: "231", bannerBg: "160", selBg: "153", selFg: "16", seriesA: "25", seriesB: "241",
		tiers: []string{"22", "58", "94", "160"}},
	// Dark: nothing darker than luminance ~0.27, so that text keeps 4.5:1
	// on black and on solarized's dark blue.
	ThemeDark: {fg: "252", muted: "246", accent: "39", gain: "42", loss: "210", warn: "214", err: "210",
		bannerFg: "231", bannerBg: "124", selBg: "24", selFg: "231", seriesA: "39", seriesB: "246",
		tiers: []string{"42", "220", "208", "210"}},
}

// palettes16 are the themes on a terminal of 16 colours (TERM=xterm, say),
// where the nearest of the 16 to a palette colour is often unreadable: the
// light theme's brown warning became yellow on white and its tiers 1 and 2
// one colour; the dark theme's accent became pure blue on black. The 16 are
// the terminal's own and cannot be measured, so the picks hold under the
// common definitions (xterm's, VGA's, solarized's): on light, no yellow,
// cyan or white for text; on dark, no black, blue or bright black, nor
// 10–12 and 14, which solarized makes greys and its background; every tier
// its own colour (TestPalettes16).
var palettes16 = map[string]palette{
	ThemeLight: {fg: "0", muted: "8", accent: "4", gain: "2", loss: "1", warn: "5", err: "1",
		bannerFg: "15", bannerBg: "1", selBg: "7", selFg: "0", seriesA: "4", seriesB: "8",
		tiers: []string{"2", "4", "5", "1"}},
	ThemeDark: {fg: "15", muted: "7", accent: "6", gain: "2", loss: "9", warn: "3", err: "9",
		bannerFg: "15", bannerBg: "1", selBg: "4", selFg: "15", seriesA: "6", seriesB: "7",
		tiers: []string{"2", "3", "13", "9"}},
}

// DefaultStyles returns the styles of a theme (dark, light or mono; anything
// else is dark). mono uses no colour at all, only bold and reverse, and is
// what NO_COLOR selects.
func DefaultStyles(theme string) Styles {
	if theme == ThemeMono {
		return monoStyles()
	}
	p, ok := palettes[theme]
	q := palettes16[theme]
	if !ok {
		p, q = palettes[ThemeDark], palettes16[ThemeDark]
	}
	// c is a colour in 256 colours (and true colour), x16 its fallback on
	// a terminal of 16.
	c := func(x256, x16 string) lipgloss.TerminalColor {
		return lipgloss.CompleteColor{TrueColor: x256, ANSI256: x256, ANSI: x16}
	}
	st := Styles{
		Header:    lipgloss.NewStyle().Bold(true).Foreground(c(p.fg, q.fg)),
		Title:     lipgloss.NewStyle().Bold(true).Foreground(c(p.accent, q.accent)),
		Label:     lipgloss.NewStyle().Foreground(c(p.muted, q.muted)),
		Value:     lipgloss.NewStyle().Foreground(c(p.fg, q.fg)),
		Muted:     lipgloss.NewStyle().Foreground(c(p.muted, q.muted)),
		Gain:      lipgloss.NewStyle().Foreground(c(p.gain, q.gain)),
		Loss:      lipgloss.NewStyle().Foreground(c(p.loss, q.loss)),
		Warn:      lipgloss.NewStyle().Foreground(c(p.warn, q.warn)),
		Error:     lipgloss.NewStyle().Bold(true).Foreground(c(p.err, q.err)),
		Banner:    lipgloss.NewStyle().Bold(true).Foreground(c(p.bannerFg, q.bannerFg)).Background(c(p.bannerBg, q.bannerBg)),
		Notice:    lipgloss.NewStyle().Bold(true).Foreground(c(p.selFg, q.selFg)).Background(c(p.selBg, q.selBg)),
		Selected:  lipgloss.NewStyle().Foreground(c(p.selFg, q.selFg)).Background(c(p.selBg, q.selBg)),
		TableHead: lipgloss.NewStyle().Bold(true).Foreground(c(p.muted, q.muted)),
		Running:   lipgloss.NewStyle().Bold(true).Foreground(c(p.gain, q.gain)),
		Paused:    lipgloss.NewStyle().Bold(true).Foreground(c(p.warn, q.warn)),
		Stopping:  lipgloss.NewStyle().Bold(true).Foreground(c(p.loss, q.loss)),
		Ended:     lipgloss.NewStyle().Bold(true).Foreground(c(p.muted, q.muted)),
		SeriesA:   lipgloss.NewStyle().Foreground(c(p.seriesA, q.seriesA)),
		SeriesB:   lipgloss.NewStyle().Foreground(c(p.seriesB, q.seriesB)),
	}
	for i, t := range p.tiers {
		st.Tiers = append(st.Tiers, lipgloss.NewStyle().Foreground(c(t, q.tiers[i])))
	}
	st.Help = help.Styles{
		Ellipsis:       st.Muted,
		ShortKey:       lipgloss.NewStyle().Foreground(c(p.accent, q.accent)),
		ShortDesc:      st.Muted,
		ShortSeparator: st.Muted,
		FullKey:        lipgloss.NewStyle().Foreground(c(p.accent, q.accent)),
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

// sign picks the gain or loss style by the sign a figure is printed with
// ("+1.25", "-0.40"): a figure that rounds to zero is neutral, never red,
// and the colour always agrees with the sign the reader sees, which is
// what carries the meaning without colour.
func (s Styles) sign(figure string) lipgloss.Style {
	switch {
	case strings.HasPrefix(figure, "+"):
		return s.Gain
	case strings.HasPrefix(figure, "-"):
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

// sideText is an order side in words with its glyph, "▲ buy" or "▼ sell",
// so that the side reads without colour.
func sideText(side engine.Side) string {
	switch side {
	case engine.Buy:
		return "▲ buy"
	case engine.Sell:
		return "▼ sell"
	}
	return Sanitize(string(side))
}
