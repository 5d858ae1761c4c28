package tui

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// MustNewModel returns a console model with a fixed clock and no background
// waits: the test delivers engine messages itself.
func MustNewModel(tb testing.TB, opts Options) *Model {
	tb.Helper()
	if opts.Now == nil {
		opts.Now = fixedNow
	}
	if opts.Theme == "" {
		opts.Theme = ThemeDark
	}
	return newModel(opts, false)
}

// run delivers msg and then every message its commands produce (the fakes
// answer at once). It reports whether the console asked to quit.
func run(tb testing.TB, m *Model, msg tea.Msg) (quit bool) {
	tb.Helper()
	queue := []tea.Msg{msg}
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 1000 {
			tb.Fatal("messages keep coming: a command loops")
		}
		msg := queue[0]
		queue = queue[1:]
		switch msg := msg.(type) {
		case nil:
			continue
		case tea.QuitMsg:
			quit = true
			continue
		case tea.BatchMsg:
			for _, c := range msg {
				if c != nil {
					queue = append(queue, c())
				}
			}
			continue
		}
		_, cmd := m.Update(msg)
		if cmd != nil {
			queue = append(queue, cmd())
		}
	}
	return quit
}

// resize sends a window size.
func resize(tb testing.TB, m *Model, w, h int) {
	tb.Helper()
	run(tb, m, tea.WindowSizeMsg{Width: w, Height: h})
}

// press sends keys: named keys ("enter", "esc", "tab", "pgdown", "ctrl+c")
// or runes.
func press(tb testing.TB, m *Model, keys ...string) (quit bool) {
	tb.Helper()
	for _, k := range keys {
		if run(tb, m, keyMsg(k)) {
			quit = true
		}
	}
	return quit
}

// namedKeys are the keys press takes by name: the names bubbletea gives
// them, which are what the key bindings match.
var namedKeys = []tea.KeyType{tea.KeyEnter, tea.KeyEsc, tea.KeyTab, tea.KeyPgDown, tea.KeyPgUp,
	tea.KeyDown, tea.KeyUp, tea.KeyCtrlC, tea.KeyBackspace, tea.KeySpace}

// keyMsg is the message of a named key or of the runes of k.
func keyMsg(k string) tea.KeyMsg {
	for _, t := range namedKeys {
		if t.String() != k {
			continue
		}
		if t == tea.KeySpace {
			return tea.KeyMsg{Type: t, Runes: []rune{' '}}
		}
		return tea.KeyMsg{Type: t}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

// typeText types s into whatever has the keys.
func typeText(tb testing.TB, m *Model, s string) {
	tb.Helper()
	for _, r := range s {
		press(tb, m, string(r))
	}
}

// plainView renders the view without ANSI sequences.
func plainView(m *Model) string { return ansi.Strip(m.View()) }

// assertGolden compares got with testdata/<Test>.golden (rewritten with
// -update). Trailing spaces are trimmed from each line first, so that the
// files stay small (assertFrame checks the widths).
func assertGolden(tb testing.TB, got string) {
	tb.Helper()
	lines := strings.Split(got, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	got = strings.Join(lines, "\n")
	path := filepath.Join("testdata", strings.ReplaceAll(tb.Name(), "/", "_")+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("read golden file: %v (run go test ./tui -update to create it)", err)
	}
	if got != string(want) {
		tb.Fatalf("view differs from %s (run go test ./tui -update if the change is intended)\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

// assertFrame checks that a view fills exactly w×h cells: anything less
// would leave pieces of the previous frame after a resize.
func assertFrame(tb testing.TB, view string, w, h int) {
	tb.Helper()
	lines := strings.Split(view, "\n")
	if got, want := len(lines), h; got != want {
		tb.Fatalf("lines=%d, want %d", got, want)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got != w {
			tb.Fatalf("line %d width=%d, want %d: %q", i, got, w, ansi.Strip(l))
		}
	}
}
