package tui

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
)

// NO_COLOR (the mono theme) sets no colour anywhere.
func TestMonoStylesHaveNoColour(t *testing.T) {
	m := newModel(Options{NoColor: true, Theme: ThemeDark}, false)
	check := func(name string, s lipgloss.Style) {
		t.Helper()
		if _, ok := s.GetForeground().(lipgloss.NoColor); !ok {
			t.Fatalf("%s has a foreground colour", name)
		}
		if _, ok := s.GetBackground().(lipgloss.NoColor); !ok {
			t.Fatalf("%s has a background colour", name)
		}
	}
	v := reflect.ValueOf(m.ctx.styles)
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		switch x := v.Field(i).Interface().(type) {
		case lipgloss.Style:
			check(f.Name, x)
		case []lipgloss.Style:
			for _, s := range x {
				check(f.Name, s)
			}
		}
	}
	for name, s := range map[string]lipgloss.Style{"help key": m.ctx.help.Styles.ShortKey, "help desc": m.ctx.help.Styles.ShortDesc} {
		check(name, s)
	}
}

func TestThemes(t *testing.T) {
	for _, th := range []string{ThemeDark, ThemeLight, ThemeMono, "unknown"} {
		t.Run(th, func(t *testing.T) {
			st := DefaultStyles(th)
			if len(st.Tiers) == 0 {
				t.Fatal("no tier styles")
			}
			m, _ := MustLiveModel(t, fakeState())
			m.ctx.styles = st
			resize(t, m, 100, 30)
			assertFrame(t, m.View(), 100, 30)
		})
	}
}

// xtermRGB is the RGB of an xterm 256-colour index from 16 up (the colour
// cube and the grey ramp every terminal shares), or of a "#rrggbb" colour.
func xtermRGB(tb testing.TB, c string) [3]float64 {
	tb.Helper()
	if strings.HasPrefix(c, "#") && len(c) == 7 {
		var r, g, b int
		if _, err := fmt.Sscanf(c, "#%02x%02x%02x", &r, &g, &b); err != nil {
			tb.Fatalf("colour %q: %v", c, err)
		}
		return [3]float64{float64(r), float64(g), float64(b)}
	}
	n, err := strconv.Atoi(c)
	if err != nil || n < 16 || n > 255 {
		tb.Fatalf("colour %q: want an xterm index 16..255 (0..15 depend on the terminal's theme) or #rrggbb", c)
	}
	if n >= 232 {
		v := float64(8 + 10*(n-232))
		return [3]float64{v, v, v}
	}
	n -= 16
	level := func(i int) float64 {
		if i == 0 {
			return 0
		}
		return float64(55 + 40*i)
	}
	return [3]float64{level(n / 36), level(n / 6 % 6), level(n % 6)}
}

// luminance is the WCAG 2 relative luminance of an sRGB colour.
func luminance(rgb [3]float64) float64 {
	lin := func(v float64) float64 {
		v /= 255
		if v <= 0.03928 {
			return v / 12.92
		}
		return math.Pow((v+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(rgb[0]) + 0.7152*lin(rgb[1]) + 0.0722*lin(rgb[2])
}

// contrast is the WCAG 2 contrast ratio of two colours (1..21).
func contrast(a, b [3]float64) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func TestContrastFormula(t *testing.T) {
	if got := contrast(xtermRGB(t, "#000000"), xtermRGB(t, "#ffffff")); math.Abs(got-21) > 1e-9 {
		t.Fatalf("black on white = %.3f, want 21", got)
	}
	if got := xtermRGB(t, "196"); got != [3]float64{255, 0, 0} {
		t.Fatalf("xterm 196 = %v, want pure red", got)
	}
	if got := xtermRGB(t, "245"); got != [3]float64{138, 138, 138} {
		t.Fatalf("xterm 245 = %v, want #8a8a8a", got)
	}
}

// Backgrounds each theme is checked against: dark on black and solarized
// dark (base03), light on white and solarized light (base3).
var themeBackgrounds = map[string][]string{
	ThemeDark:  {"#000000", "#002b36"},
	ThemeLight: {"#ffffff", "#fdf6e3"},
}

// Every foreground of the dark and light themes holds its contrast on the
// backgrounds the theme is meant for (black and solarized base03; white
// and solarized base3), and a style with its own background holds it on
// that: 4.5:1 (WCAG AA for text) for everything that draws words or
// figures, 3:1 (WCAG non-text contrast) for the chart series, which draw
// only lines.
func TestThemeContrast(t *testing.T) {
	decoration := map[string]bool{"SeriesA": true, "SeriesB": true}
	for _, theme := range []string{ThemeDark, ThemeLight} {
		st := DefaultStyles(theme)
		styles := themeStyles(st)
		for name, s := range styles {
			fg, ok := s.GetForeground().(lipgloss.CompleteColor)
			if !ok {
				t.Errorf("%s/%s: foreground %T, want a lipgloss.CompleteColor", theme, name, s.GetForeground())
				continue
			}
			bgs := themeBackgrounds[theme]
			if bg, ok := s.GetBackground().(lipgloss.CompleteColor); ok {
				bgs = []string{bg.ANSI256}
			}
			want := 4.5
			if decoration[name] {
				want = 3
			}
			for _, bg := range bgs {
				if r := contrast(xtermRGB(t, fg.ANSI256), xtermRGB(t, bg)); r < want {
					t.Errorf("%s/%s: %s on %s has contrast %.2f:1, want ≥ %.1f:1", theme, name, fg.ANSI256, bg, r, want)
				}
			}
		}
	}
}

// themeStyles names every style of st that draws text.
func themeStyles(st Styles) map[string]lipgloss.Style {
	styles := map[string]lipgloss.Style{}
	v := reflect.ValueOf(st)
	for i := 0; i < v.NumField(); i++ {
		name := v.Type().Field(i).Name
		switch x := v.Field(i).Interface().(type) {
		case lipgloss.Style:
			styles[name] = x
		case []lipgloss.Style:
			for j, s := range x {
				styles[fmt.Sprintf("%s[%d]", name, j)] = s
			}
		}
	}
	styles["Help.ShortKey"], styles["Help.ShortDesc"] = st.Help.ShortKey, st.Help.ShortDesc
	styles["Help.FullKey"], styles["Help.FullDesc"] = st.Help.FullKey, st.Help.FullDesc
	return styles
}

// TestPalettes16: on a terminal of 16 colours every style has its own pick
// (not the nearest of the 16 to the 256-colour one), text avoids the
// colours that are pale on the theme's background under xterm's, VGA's or
// solarized's definitions, and every skew tier has a colour of its own.
func TestPalettes16(t *testing.T) {
	unreadable := map[string]map[string]bool{
		ThemeLight: {"3": true, "6": true, "7": true, "11": true, "14": true, "15": true},
		ThemeDark:  {"0": true, "4": true, "8": true, "10": true, "11": true, "12": true, "14": true},
	}
	for _, theme := range []string{ThemeDark, ThemeLight} {
		st := DefaultStyles(theme)
		for name, s := range themeStyles(st) {
			fg, ok := s.GetForeground().(lipgloss.CompleteColor)
			if !ok || fg.ANSI == "" {
				t.Errorf("%s/%s: no colour for 16-colour terminals (%#v)", theme, name, s.GetForeground())
				continue
			}
			if _, onBg := s.GetBackground().(lipgloss.CompleteColor); !onBg && unreadable[theme][fg.ANSI] {
				t.Errorf("%s/%s: text in colour %s of 16, pale on a %s background", theme, name, fg.ANSI, theme)
			}
		}
		seen := map[string]bool{}
		for i, s := range st.Tiers {
			c := s.GetForeground().(lipgloss.CompleteColor).ANSI
			if seen[c] {
				t.Errorf("%s: tier %d has colour %s of 16, as a lower tier does", theme, i, c)
			}
			seen[c] = true
		}
	}
}

func TestResolveTheme(t *testing.T) {
	dark, light := func() bool { return true }, func() bool { return false }
	for _, tc := range []struct {
		theme   string
		noColor bool
		bg      func() bool
		want    string
	}{
		{ThemeAuto, false, dark, ThemeDark},
		{ThemeAuto, false, light, ThemeLight},
		{"", false, light, ThemeLight},
		{ThemeAuto, true, light, ThemeMono},
		{ThemeDark, false, light, ThemeDark},
		{ThemeLight, false, dark, ThemeLight},
		{ThemeMono, false, dark, ThemeMono},
		{ThemeLight, true, dark, ThemeMono},
	} {
		if got := resolveTheme(tc.theme, tc.noColor, tc.bg); got != tc.want {
			t.Errorf("resolveTheme(%q, noColor=%v, dark=%v) = %q, want %q", tc.theme, tc.noColor, tc.bg(), got, tc.want)
		}
	}
	m := newModel(Options{Theme: ThemeAuto, DarkBackground: light}, false)
	if m.ctx.theme != ThemeLight {
		t.Fatalf("console on a light background drew theme %q, want light", m.ctx.theme)
	}
}
