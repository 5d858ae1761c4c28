package tui

import (
	"reflect"
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
