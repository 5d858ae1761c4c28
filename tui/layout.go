package tui

import (
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// textWidth is the display width of s. Printable ASCII (most figures and
// labels) is its length; styled text of the runes the console draws with
// (braille, box drawing, blocks, arrows, shapes, punctuation: one cell
// each) is counted by narrowWidth; anything else is measured by
// ansi.StringWidth, whose grapheme parsing is the costly part of laying out
// a frame.
func textWidth(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			if n, ok := narrowWidth(s); ok {
				return n
			}
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}

// narrowWidth counts the cells of s when it holds only printable ASCII,
// SGR sequences (ESC [ … m) and runes known to take one cell; ok is false
// for anything else.
func narrowWidth(s string) (n int, ok bool) {
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == 0x1b:
			if i+1 >= len(s) || s[i+1] != '[' {
				return 0, false
			}
			j := i + 2
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == ';') {
				j++
			}
			if j >= len(s) || s[j] != 'm' {
				return 0, false
			}
			i = j + 1
		case c >= 0x20 && c < 0x7f:
			n++
			i++
		case c < 0x80:
			return 0, false
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if !oneCell(r) {
				return 0, false
			}
			n++
			i += size
		}
	}
	return n, true
}

// oneCell reports whether r is one of the runes the console draws that
// take one cell in every terminal.
func oneCell(r rune) bool {
	switch {
	case r >= 0x2800 && r <= 0x28ff: // braille
		return true
	case r >= 0x2500 && r <= 0x259f: // box drawing, block elements
		return true
	case r >= 0x25a0 && r <= 0x25ff: // geometric shapes (▲ ▼ ● ◌ ■)
		return r != 0x25fd && r != 0x25fe // ◽ ◾ are emoji-wide
	case r >= 0x2190 && r <= 0x21ff: // arrows
		return true
	}
	switch r {
	case '·', '—', '–', '…', '−', '±', '‖', '∓', '↻', '✓', '✗', '¹', '²', '³':
		return true
	}
	return false
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

// addFitted appends lines that are already exactly the block's width (a
// chart's rows): measuring braille rows again costs more than drawing them.
func (b *block) addFitted(lines ...string) *block {
	b.lines = append(b.lines, lines...)
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

// panel is one titled part of a view in a column: the rows it needs, how
// many it can use and what share of the spare rows it takes, and when it
// goes first on a short window.
type panel struct {
	name string // for tests and debugging
	min  int    // rows it needs, its title included; below them it is dropped
	max  int    // rows it can use (its data runs out); 0: as many as it gets
	grow int    // its share of the spare rows (charts take more than tables)
	// drop ranks the panel for a short column: the highest goes first,
	// whole; 0 is never dropped.
	drop int
	draw func(b *block, h int) // draws at most h rows into b
}

// stack lays panels out top to bottom in a column of w×h cells: it drops
// whole panels, the highest drop rank first (the lowest of equal ranks
// first), until the rest fit their minimum, then gives the spare rows to
// the panels that grow, in proportion to their grow and never past their
// max; what no panel can use stays blank at the bottom.
func stack(w, h int, ps []panel) *block {
	// The copy and the heights are made here, not in the steps, so that
	// they can stay on the stack (stack runs on every View).
	live := dropToFit(append([]panel(nil), ps...), h)
	hs := make([]int, len(live))
	setHeights(live, hs, h)
	out := newBlock(w)
	for i, p := range live {
		b := newBlock(w)
		p.draw(b, hs[i])
		out.lines = append(out.lines, b.clip(hs[i]).lines...)
	}
	return out.clip(h)
}

// dropToFit removes from live, in place, the panels stack drops so that
// the rest fit their minimum in h rows: the highest drop rank first, the
// lowest of equal ranks first, never a rank 0.
func dropToFit(live []panel, h int) []panel {
	need := func() int {
		n := 0
		for _, p := range live {
			n += p.min
		}
		return n
	}
	for need() > h {
		best := -1
		for i, p := range live {
			if p.drop > 0 && (best < 0 || p.drop >= live[best].drop) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		live = append(live[:best], live[best+1:]...)
	}
	return live
}

// setHeights sets hs to the height of each panel in h rows: its minimum,
// and the spare rows shared among the panels that grow until none is left
// or none can take more.
func setHeights(live []panel, hs []int, h int) {
	spare := h
	for i, p := range live {
		hs[i] = p.min
		spare -= p.min
	}
	for spare > 0 {
		given := shareSpare(live, hs, spare)
		spare -= given
		if given == 0 {
			break
		}
	}
}

// canGrow says whether a panel of height hi takes more rows.
func canGrow(p panel, hi int) bool {
	return p.grow > 0 && (p.max == 0 || hi < p.max)
}

// shareSpare hands up to spare rows to the panels that can grow, in
// proportion to their grow (one at least) and never past their max, and
// returns how many it gave.
func shareSpare(live []panel, hs []int, spare int) int {
	total := 0
	for i, p := range live {
		if canGrow(p, hs[i]) {
			total += p.grow
		}
	}
	if total == 0 {
		return 0
	}
	given := 0
	for i, p := range live {
		if !canGrow(p, hs[i]) {
			continue
		}
		n := max(1, spare*p.grow/total)
		if p.max != 0 {
			n = min(n, p.max-hs[i])
		}
		n = min(n, spare-given)
		hs[i] += n
		given += n
		if given == spare {
			break
		}
	}
	return given
}

// titleRule is a panel's title line: the title, what follows it (a unit,
// a legend) and a muted rule to the panel's width, so that panels stand
// apart without the rows and columns a border costs.
func titleRule(st Styles, title, rest string, w int) string {
	head := st.Title.Render(title)
	if rest != "" {
		head += " " + rest
	}
	n := w - lipglossWidth(head) - 1
	if n < 2 {
		return head
	}
	return head + " " + st.Muted.Render(strings.Repeat("─", n))
}
