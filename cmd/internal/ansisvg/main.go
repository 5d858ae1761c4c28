// Command ansisvg renders a terminal screen captured with its ANSI styles
// (tmux capture-pane -e -p) as an SVG image: one text row per screen row,
// each run of one style a tspan pinned to its cells, so that braille and
// box-drawing glyphs stay on the grid whatever font the viewer has. It
// reads SGR sequences (bold, faint, italic, underline, reverse, 16, 256
// and true colours) and ignores every other escape sequence.
//
// It keeps the build free of image tools: `make screenshots` runs the real
// binary in tmux and pipes the capture through it.
//
//	tmux capture-pane -e -p -t shots | go run ./cmd/internal/ansisvg -bg dark > assets/console-dark.svg
package main

import (
	"bufio"
	"flag"
	"fmt"
	"html"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// scheme is a terminal's default colours and its 16 base colours.
type scheme struct {
	fg, bg string
	base   [16]string
}

// schemes are the two backgrounds the README shows: xterm's base colours
// on near-black and on white.
var schemes = map[string]scheme{
	"dark": {fg: "#d0d0d0", bg: "#101010", base: [16]string{
		"#000000", "#cd0000", "#00cd00", "#cdcd00", "#0000ee", "#cd00cd", "#00cdcd", "#e5e5e5",
		"#7f7f7f", "#ff0000", "#00ff00", "#ffff00", "#5c5cff", "#ff00ff", "#00ffff", "#ffffff"}},
	"light": {fg: "#1c1c1c", bg: "#ffffff", base: [16]string{
		"#000000", "#cd0000", "#00cd00", "#cdcd00", "#0000ee", "#cd00cd", "#00cdcd", "#e5e5e5",
		"#7f7f7f", "#ff0000", "#00ff00", "#ffff00", "#5c5cff", "#ff00ff", "#00ffff", "#ffffff"}},
}

// style is the SGR state of a cell. Colours are "" for the default or a
// CSS colour.
type style struct {
	fg, bg                                  string
	bold, faint, italic, underline, inverse bool
}

// cell is one character cell of the screen.
type cell struct {
	r  rune
	st style
}

func main() {
	bg := flag.String("bg", "dark", "background: dark | light")
	font := flag.Float64("font-size", 13, "font size in px")
	cols := flag.Int("cols", 0, "screen width in cells (0: the longest line)")
	title := flag.String("title", "neo console", "the image's title (for screen readers)")
	flag.Parse()
	sc, ok := schemes[*bg]
	if !ok {
		fmt.Fprintf(os.Stderr, "ansisvg: unknown -bg %q: give dark or light\n", *bg)
		os.Exit(2)
	}
	rows, err := parse(os.Stdin, sc)
	if err != nil {
		fmt.Fprintf(os.Stderr, "ansisvg: reading the capture: %v\n", err)
		os.Exit(1)
	}
	w := bufio.NewWriter(os.Stdout)
	render(w, rows, sc, *font, *cols, *title)
	if err := w.Flush(); err != nil {
		fmt.Fprintf(os.Stderr, "ansisvg: writing the SVG: %v\n", err)
		os.Exit(1)
	}
}

// parse reads the capture into rows of cells, applying SGR sequences.
func parse(r io.Reader, sc scheme) ([][]cell, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	text := strings.TrimRight(string(data), "\n")
	var rows [][]cell
	var st style
	for _, line := range strings.Split(text, "\n") {
		rows = append(rows, parseLine([]rune(line), &st, sc))
	}
	return rows, nil
}

// parseLine reads one line into cells; st is the style, which carries on
// from line to line as it does on a terminal.
func parseLine(rs []rune, st *style, sc scheme) []cell {
	var row []cell
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		if c == 0x1b {
			i = escapeEnd(rs, i, st, sc)
			continue
		}
		if c < 0x20 || c == 0x7f {
			continue
		}
		row = append(row, cell{c, *st})
		if ansi.StringWidth(string(c)) == 2 {
			row = append(row, cell{0, *st}) // the second half of a wide rune
		}
	}
	return row
}

// escapeEnd is the index of the last rune of the escape sequence that
// starts at i, none of which is drawn: a CSI up to its final byte (an SGR
// is applied to st), an OSC, DCS, APC, PM or SOS string up to BEL or ST
// (ESC \), any other escape with its next rune.
func escapeEnd(rs []rune, i int, st *style, sc scheme) int {
	if i+1 >= len(rs) {
		return i + 1
	}
	switch {
	case rs[i+1] == '[':
		j := i + 2
		for j < len(rs) && (rs[j] < 0x40 || rs[j] > 0x7e) {
			j++
		}
		if j < len(rs) && rs[j] == 'm' {
			*st = applySGR(*st, string(rs[i+2:j]), sc)
		}
		return j
	case strings.ContainsRune("]P_^X", rs[i+1]):
		j := i + 2
		for j < len(rs) && rs[j] != 0x07 && (rs[j] != 0x1b || j+1 >= len(rs) || rs[j+1] != '\\') {
			j++
		}
		if j < len(rs) && rs[j] == 0x1b {
			j++ // the backslash of ST
		}
		return j
	}
	return i + 1
}

// applySGR applies one SGR parameter list ("1;38;5;252") to st.
func applySGR(st style, params string, sc scheme) style {
	if params == "" {
		return style{}
	}
	ps := sgrParams(strings.FieldsFunc(params, func(r rune) bool { return r == ';' || r == ':' }))
	for i := 0; i < len(ps); i++ {
		p := ps.num(i)
		if p == 38 || p == 48 {
			c, used := ps.extendedColour(i, sc)
			i += used
			if p == 38 {
				st.fg = c
			} else {
				st.bg = c
			}
			continue
		}
		if next, ok := sgrAttribute(st, p); ok {
			st = next
			continue
		}
		st = sgrColour(st, p, sc)
	}
	return st
}

// sgrParams are the numbers of one SGR sequence, as written.
type sgrParams []string

// num is parameter i, -1 when it is missing or not a number.
func (ps sgrParams) num(i int) int {
	if i >= len(ps) {
		return -1
	}
	n, err := strconv.Atoi(ps[i])
	if err != nil {
		return -1
	}
	return n
}

// extendedColour is the colour of a 38 or 48 at i ("5;n" a 256-colour
// index, "2;r;g;b" a true colour) and how many parameters after i it used;
// "" and 0 for any other form.
func (ps sgrParams) extendedColour(i int, sc scheme) (string, int) {
	switch ps.num(i + 1) {
	case 5:
		return color256(ps.num(i+2), sc), 2
	case 2:
		return fmt.Sprintf("#%02x%02x%02x", clamp(ps.num(i+2)), clamp(ps.num(i+3)), clamp(ps.num(i+4))), 4
	}
	return "", 0
}

// sgrAttribute applies p when it resets the style or sets or clears an
// attribute (bold, faint, italic, underline, inverse); false for any other p.
func sgrAttribute(st style, p int) (style, bool) {
	switch p {
	case 0:
		st = style{}
	case 1:
		st.bold = true
	case 2:
		st.faint = true
	case 3:
		st.italic = true
	case 4:
		st.underline = true
	case 7:
		st.inverse = true
	case 22:
		st.bold, st.faint = false, false
	case 23:
		st.italic = false
	case 24:
		st.underline = false
	case 27:
		st.inverse = false
	default:
		return st, false
	}
	return st, true
}

// sgrColour applies p when it sets a basic or bright colour or resets the
// foreground or background; any other p leaves st as it is.
func sgrColour(st style, p int, sc scheme) style {
	switch {
	case p >= 30 && p <= 37:
		st.fg = sc.base[p-30]
	case p >= 90 && p <= 97:
		st.fg = sc.base[p-90+8]
	case p >= 40 && p <= 47:
		st.bg = sc.base[p-40]
	case p >= 100 && p <= 107:
		st.bg = sc.base[p-100+8]
	case p == 39:
		st.fg = ""
	case p == 49:
		st.bg = ""
	}
	return st
}

func clamp(v int) int { return max(0, min(255, v)) }

// color256 is the CSS colour of an xterm 256-colour index.
func color256(n int, sc scheme) string {
	switch {
	case n < 0 || n > 255:
		return ""
	case n < 16:
		return sc.base[n]
	case n < 232:
		n -= 16
		level := func(v int) int {
			if v == 0 {
				return 0
			}
			return 55 + 40*v
		}
		return fmt.Sprintf("#%02x%02x%02x", level(n/36), level(n/6%6), level(n%6))
	}
	g := 8 + 10*(n-232)
	return fmt.Sprintf("#%02x%02x%02x", g, g, g)
}

// render writes the SVG: the background, the cells' backgrounds, then the
// text a run of one style at a time, every run pinned to its cells.
func render(w io.Writer, rows [][]cell, sc scheme, font float64, cols int, title string) {
	for _, r := range rows {
		cols = max(cols, len(r))
	}
	cv := &canvas{sc: sc, cw: font * 0.6, ch: font * 1.25, classes: map[string]string{}}
	width, height := float64(cols)*cv.cw+2*cv.cw, float64(len(rows))*cv.ch+cv.ch
	for y, row := range rows {
		top := cv.ch/2 + float64(y)*cv.ch
		cv.backgrounds(row, top)
		cv.text(row, top)
	}
	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" xml:space="preserve" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s">`+"\n",
		width, height, width, height, html.EscapeString(title))
	fmt.Fprintf(w, "<title>%s</title>\n<style>\n", html.EscapeString(title))
	fmt.Fprintf(w, "text{font-family:'DejaVu Sans Mono','Menlo','Consolas','Liberation Mono',monospace;font-size:%.0fpx;white-space:pre}\n", font)
	fmt.Fprint(w, ".b{font-weight:bold}.i{font-style:italic}.u{text-decoration:underline}.f{opacity:.6}\n")
	cv.writeClasses(w)
	fmt.Fprint(w, "</style>\n")
	fmt.Fprintf(w, `<rect width="100%%" height="100%%" rx="6" fill="%s"/>`+"\n", sc.bg)
	io.WriteString(w, cv.body.String())
	fmt.Fprint(w, "</svg>\n")
}

// canvas is the SVG's body as it is drawn, cw×ch pixels a cell, and the
// CSS class of each fill colour it used.
type canvas struct {
	sc      scheme
	cw, ch  float64
	classes map[string]string // fill colour → class
	body    strings.Builder
}

// class is the CSS class of fill colour c, a new one at its first use.
func (cv *canvas) class(c string) string {
	if k, ok := cv.classes[c]; ok {
		return k
	}
	k := "c" + strconv.Itoa(len(cv.classes))
	cv.classes[c] = k
	return k
}

// backgrounds draws the backgrounds of a row at top, a rectangle per run
// of one colour other than the scheme's.
func (cv *canvas) backgrounds(row []cell, top float64) {
	for x := 0; x < len(row); {
		_, bg := colours(row[x].st, cv.sc)
		end := x + 1
		for end < len(row) {
			_, b2 := colours(row[end].st, cv.sc)
			if b2 != bg {
				break
			}
			end++
		}
		if bg != cv.sc.bg {
			fmt.Fprintf(&cv.body, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" class="%s"/>`+"\n",
				cv.cw+float64(x)*cv.cw, top, float64(end-x)*cv.cw, cv.ch, cv.class(bg))
		}
		x = end
	}
}

// text draws the text of a row at top, a tspan per run of one style.
func (cv *canvas) text(row []cell, top float64) {
	fmt.Fprintf(&cv.body, `<text y="%.1f">`, top+cv.ch*0.78)
	for x := 0; x < len(row); {
		st := row[x].st
		end := x + 1
		for end < len(row) && row[end].st == st {
			end++
		}
		cv.run(row[x:end], x)
		x = end
	}
	cv.body.WriteString("</text>\n")
}

// run draws one run of a style starting at cell x, pinned to its cells; a
// run of blanks draws nothing.
func (cv *canvas) run(cells []cell, x int) {
	var text strings.Builder
	for _, c := range cells {
		if c.r != 0 {
			text.WriteRune(c.r)
		}
	}
	t := text.String()
	if strings.TrimSpace(t) == "" {
		return
	}
	// Leading and trailing spaces move the run instead of
	// being drawn (a pinned run of spaces is wasted bytes).
	lead := len([]rune(t)) - len([]rune(strings.TrimLeft(t, " ")))
	t = strings.TrimRight(t[lead:], " ")
	n := ansi.StringWidth(t)
	fmt.Fprintf(&cv.body, `<tspan x="%.1f" textLength="%.1f" class="%s">%s</tspan>`,
		cv.cw+float64(x+lead)*cv.cw, float64(n)*cv.cw, cv.textClasses(cells[0].st), html.EscapeString(t))
}

// textClasses is the class list of text in st: its colour, then its
// attributes.
func (cv *canvas) textClasses(st style) string {
	fg, _ := colours(st, cv.sc)
	cls := []string{cv.class(fg)}
	if st.bold {
		cls = append(cls, "b")
	}
	if st.italic {
		cls = append(cls, "i")
	}
	if st.underline {
		cls = append(cls, "u")
	}
	if st.faint {
		cls = append(cls, "f")
	}
	return strings.Join(cls, " ")
}

// writeClasses writes the CSS rule of each colour class, sorted by the
// class's name.
func (cv *canvas) writeClasses(w io.Writer) {
	keys := make([]string, 0, len(cv.classes))
	for c := range cv.classes {
		keys = append(keys, c)
	}
	sort.Slice(keys, func(i, j int) bool { return cv.classes[keys[i]] < cv.classes[keys[j]] })
	for _, c := range keys {
		fmt.Fprintf(w, "text .%s{fill:%s} rect.%s{fill:%s}\n", cv.classes[c], c, cv.classes[c], c)
	}
}

// colours are a style's foreground and background, reverse applied.
func colours(st style, sc scheme) (fg, bg string) {
	fg, bg = st.fg, st.bg
	if fg == "" {
		fg = sc.fg
	}
	if bg == "" {
		bg = sc.bg
	}
	if st.inverse {
		fg, bg = bg, fg
	}
	return fg, bg
}
