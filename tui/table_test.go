package tui

import (
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestTableLayout(t *testing.T) {
	tb := table{{width: 6, left: true, cut: true}, {width: 5, left: true}, {width: 7}, {left: true, gap: 2}}
	for _, tc := range []struct {
		name  string
		first int
		vs    []string
		want  string
	}{
		{"Aligned", 0, []string{"id", "buy", "1.5", "reason"}, "id     buy       1.5  reason"},
		{"CutOnlyWhereAsked", 0, []string{"session-1", "toolong", "12345678", "x"}, "sessi… toolong 12345678  x"},
		{"FromAColumn", 2, []string{"-3.25", "free text"}, "   -3.25  free text"},
		{"MultiByte", 0, []string{"—", "—", "—", ""}, "—      —           —  "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tb.cells(tc.first, tc.vs...); got != tc.want {
				t.Fatalf("cells=%q, want %q", got, tc.want)
			}
		})
	}
}

// textWidth takes a short cut for printable ASCII; it must agree with
// ansi.StringWidth everywhere.
func TestTextWidth(t *testing.T) {
	for _, s := range []string{"", "1,234.56", "-0.88%", "—", "~29m46s", "▸ ", "日本", "a\tb", "\x1b[1mbold\x1b[0m", "e\u0301", "\x7f"} {
		if got, want := textWidth(s), ansi.StringWidth(s); got != want {
			t.Errorf("textWidth(%q)=%d, want %d", s, got, want)
		}
	}
}
