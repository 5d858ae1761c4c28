package tui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// textWidth is the display width of s. Printable ASCII (most figures and
// labels) is its length; anything else is measured by ansi.StringWidth,
// whose grapheme parsing is the costly part of laying out a table.
func textWidth(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}

// fit truncates s (which may hold styles) to w cells and pads it with
// spaces to exactly w cells. It cuts at a space (cutWords), so that a
// figure is shown whole or not at all.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := textWidth(s)
	if sw > w {
		s = cutWords(s, w)
		sw = ansi.StringWidth(s)
	}
	if sw < w {
		s += strings.Repeat(" ", w-sw)
	}
	return s
}

// cutWords cuts s (which may hold styles) to at most w cells with "…",
// never inside a figure nor right after one: when the cut would fall in or
// just after a word that holds a digit ("bid 2.299…", "fills 413…"), the
// whole word goes and the cut moves to the space before it ("bid …").
// Words of text are cut as they are ("duration_re…"), and so is a first
// word wider than w (a long id).
func cutWords(s string, w int) string {
	plain := []rune(ansi.Strip(s))
	cells := 0
	for i, r := range plain {
		rw := 1
		if r >= 0x80 {
			rw = ansi.StringWidth(string(r))
		}
		if cells+rw > w-1 { // the "…" goes here
			j := i
			if r == ' ' {
				j = i - 1 // the word that ends at the cut
			}
			if j >= 0 && plain[j] != ' ' && hasDigit(wordAround(plain, j)) {
				from := j
				for from > 0 && plain[from-1] != ' ' {
					from--
				}
				if from > 0 { // the space before the word stays
					return ansi.Truncate(s, ansi.StringWidth(string(plain[:from])), "") + "…"
				}
			}
			break
		}
		cells += rw
	}
	return ansi.Truncate(s, w, "…")
}

// wordAround returns the word of plain that holds index i.
func wordAround(plain []rune, i int) []rune {
	from, to := i, i
	for from > 0 && plain[from-1] != ' ' {
		from--
	}
	for to < len(plain) && plain[to] != ' ' {
		to++
	}
	return plain[from:to]
}

// hasDigit reports whether a word holds a digit: a figure, a time, an id.
func hasDigit(word []rune) bool {
	for _, r := range word {
		if r >= '0' && r <= '9' {
			return true
		}
	}
	return false
}

// padLeft right-aligns plain s in w cells (no truncation).
func padLeft(s string, w int) string {
	if n := textWidth(s); n < w {
		return strings.Repeat(" ", w-n) + s
	}
	return s
}

// block is a rectangle of lines, each exactly width cells wide.
type block struct {
	width int
	lines []string
}

// newBlock starts an empty block of the given width.
func newBlock(width int) *block { return &block{width: width} }

// add appends lines, fitted to the block's width.
func (b *block) add(lines ...string) *block {
	for _, l := range lines {
		b.lines = append(b.lines, fit(l, b.width))
	}
	return b
}

// height returns the number of lines.
func (b *block) height() int { return len(b.lines) }

// clip cuts or pads the block to exactly h lines.
func (b *block) clip(h int) *block {
	if h < 0 {
		h = 0
	}
	for len(b.lines) < h {
		b.lines = append(b.lines, strings.Repeat(" ", b.width))
	}
	b.lines = b.lines[:h]
	return b
}

// beside joins blocks left to right with gap spaces between them; shorter
// blocks are padded at the bottom.
func beside(gap int, bs ...*block) *block {
	h, w := 0, 0
	for i, b := range bs {
		h = max(h, b.height())
		w += b.width
		if i > 0 {
			w += gap
		}
	}
	out := newBlock(w)
	sp := strings.Repeat(" ", gap)
	for r := 0; r < h; r++ {
		var line strings.Builder
		for i, b := range bs {
			if i > 0 {
				line.WriteString(sp)
			}
			if r < len(b.lines) {
				line.WriteString(b.lines[r])
			} else {
				line.WriteString(strings.Repeat(" ", b.width))
			}
		}
		out.lines = append(out.lines, line.String())
	}
	return out
}

// screen assembles a full frame: exactly h lines of exactly w cells, so
// that a redraw after a resize leaves nothing of the previous frame behind.
func screen(w, h int, lines []string) string {
	out := make([]string, h)
	for i := range out {
		if i < len(lines) {
			out[i] = fit(lines[i], w)
		} else {
			out[i] = strings.Repeat(" ", w)
		}
	}
	return strings.Join(out, "\n")
}

// splitWidth divides w into n columns with gaps between them.
func splitWidth(w, n, gap int) []int {
	if n <= 0 {
		return nil
	}
	avail := w - gap*(n-1)
	out := make([]int, n)
	for i := range out {
		out[i] = avail / n
	}
	for i := 0; i < avail%n; i++ {
		out[i]++
	}
	return out
}
