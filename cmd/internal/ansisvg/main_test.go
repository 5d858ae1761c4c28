package main

import (
	"strings"
	"testing"
)

func TestParseAppliesSGR(t *testing.T) {
	sc := schemes["dark"]
	rows, err := parse(strings.NewReader("a\x1b[1;38;5;39mB\x1b[0m\x1b[7mc\x1b[27;48;2;1;2;3md\x1b]0;title\x07\x1b]2;t2\x1b\\\n⠒▲"), sc)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || len(rows[0]) != 4 { // the titles (OSC) draw nothing
		t.Fatalf("rows %v", rows)
	}
	if st := rows[0][0].st; st != (style{}) {
		t.Errorf("a: %+v, want the default style", st)
	}
	if st := rows[0][1].st; !st.bold || st.fg != "#00afff" {
		t.Errorf("B: %+v, want bold #00afff (xterm 39)", st)
	}
	if st := rows[0][2].st; !st.inverse || st.bold {
		t.Errorf("c: %+v, want reverse only after a reset", st)
	}
	if st := rows[0][3].st; st.inverse || st.bg != "#010203" {
		t.Errorf("d: %+v, want true-colour background", st)
	}
	if got := string([]rune{rows[1][0].r, rows[1][1].r}); got != "⠒▲" {
		t.Errorf("row 2 %q", got)
	}
}

func TestRenderPinsRunsToCells(t *testing.T) {
	sc := schemes["light"]
	rows, _ := parse(strings.NewReader("ab  \x1b[31mred\x1b[0m <&>"), sc)
	var b strings.Builder
	render(&b, rows, sc, 10, 20, "t")
	out := b.String()
	// Cells are 6 px wide after a margin of one cell: "red" starts at
	// cell 4, x = 6 + 4×6.
	for _, want := range []string{`xml:space="preserve"`, `x="30.0" textLength="18.0"`, "&lt;&amp;&gt;", `width="132"`, "fill:#cd0000"} {
		if !strings.Contains(out, want) {
			t.Errorf("svg lacks %q:\n%s", want, out)
		}
	}
}
