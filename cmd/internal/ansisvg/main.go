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
		var row []cell
		rs := []rune(line)
		for i := 0; i < len(rs); i++ {
			c := rs[i]
			if c == 0x1b && i+1 < len(rs) && rs[i+1] == '[' {
				j := i + 2
				for j < len(rs) && (rs[j] < 0x40 || rs[j] > 0x7e) {
					j++
				}
				if j < len(rs) && rs[j] == 'm' {
					st = applySGR(st, string(rs[i+2:j]), sc)
				}
				i = j
				continue
			}
			if c == 0x1b { // another escape: skip its next rune
				i++
				continue
			}
			if c < 0x20 || c == 0x7f {
				continue
			}
			row = append(row, cell{c, st})
			if ansi.StringWidth(string(c)) == 2 {
				row = append(row, cell{0, st}) // the second half of a wide rune
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// applySGR applies one SGR parameter list ("1;38;5;252") to st.
func applySGR(st style, params string, sc scheme) style {
	if params == "" {
		return style{}
	}
	ps := strings.FieldsFunc(params, func(r rune) bool { return r == ';' || r == ':' })
	num := func(i int) int {
		if i >= len(ps) {
			return -1
		}
		n, err := strconv.Atoi(ps[i])
		if err != nil {
			return -1
		}
		return n
	}
	for i := 0; i < len(ps); i++ {
		p := num(i)
		switch {
		case p == 0:
			st = style{}
		case p == 1:
			st.bold = true
		case p == 2:
			st.faint = true
		case p == 3:
			st.italic = true
		case p == 4:
			st.underline = true
		case p == 7:
			st.inverse = true
		case p == 22:
			st.bold, st.faint = false, false
		case p == 23:
			st.italic = false
		case p == 24:
			st.underline = false
		case p == 27:
			st.inverse = false
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
		case p == 38 || p == 48:
			var c string
			switch num(i + 1) {
			case 5:
				c = color256(num(i+2), sc)
				i += 2
			case 2:
				c = fmt.Sprintf("#%02x%02x%02x", clamp(num(i+2)), clamp(num(i+3)), clamp(num(i+4)))
				i += 4
			}
			if p == 38 {
				st.fg = c
			} else {
				st.bg = c
			}
		}
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
	cw, ch := font*0.6, font*1.25
	width, height := float64(cols)*cw+2*cw, float64(len(rows))*ch+ch
	classes := map[string]string{} // fill colour → class
	class := func(c string) string {
		if k, ok := classes[c]; ok {
			return k
		}
		k := "c" + strconv.Itoa(len(classes))
		classes[c] = k
		return k
	}
	var body strings.Builder
	for y, row := range rows {
		top := ch/2 + float64(y)*ch
		// Backgrounds, a run of one colour at a time.
		for x := 0; x < len(row); {
			_, bg := colours(row[x].st, sc)
			end := x + 1
			for end < len(row) {
				_, b2 := colours(row[end].st, sc)
				if b2 != bg {
					break
				}
				end++
			}
			if bg != sc.bg {
				fmt.Fprintf(&body, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" class="%s"/>`+"\n",
					cw+float64(x)*cw, top, float64(end-x)*cw, ch, class(bg))
			}
			x = end
		}
		// Text runs.
		fmt.Fprintf(&body, `<text y="%.1f">`, top+ch*0.78)
		for x := 0; x < len(row); {
			st := row[x].st
			end := x + 1
			for end < len(row) && row[end].st == st {
				end++
			}
			var text strings.Builder
			for _, c := range row[x:end] {
				if c.r != 0 {
					text.WriteRune(c.r)
				}
			}
			t := text.String()
			if strings.TrimSpace(t) != "" {
				fg, _ := colours(st, sc)
				cls := []string{class(fg)}
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
				// Leading and trailing spaces move the run instead of
				// being drawn (a pinned run of spaces is wasted bytes).
				lead := len([]rune(t)) - len([]rune(strings.TrimLeft(t, " ")))
				t = strings.TrimRight(t[lead:], " ")
				n := ansi.StringWidth(t)
				fmt.Fprintf(&body, `<tspan x="%.1f" textLength="%.1f" class="%s">%s</tspan>`,
					cw+float64(x+lead)*cw, float64(n)*cw, strings.Join(cls, " "), html.EscapeString(t))
			}
			x = end
		}
		body.WriteString("</text>\n")
	}
	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" xml:space="preserve" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s">`+"\n",
		width, height, width, height, html.EscapeString(title))
	fmt.Fprintf(w, "<title>%s</title>\n<style>\n", html.EscapeString(title))
	fmt.Fprintf(w, "text{font-family:'DejaVu Sans Mono','Menlo','Consolas','Liberation Mono',monospace;font-size:%.0fpx;white-space:pre}\n", font)
	fmt.Fprint(w, ".b{font-weight:bold}.i{font-style:italic}.u{text-decoration:underline}.f{opacity:.6}\n")
	keys := make([]string, 0, len(classes))
	for c := range classes {
		keys = append(keys, c)
	}
	sort.Slice(keys, func(i, j int) bool { return classes[keys[i]] < classes[keys[j]] })
	for _, c := range keys {
		fmt.Fprintf(w, "text .%s{fill:%s} rect.%s{fill:%s}\n", classes[c], c, classes[c], c)
	}
	fmt.Fprint(w, "</style>\n")
	fmt.Fprintf(w, `<rect width="100%%" height="100%%" rx="6" fill="%s"/>`+"\n", sc.bg)
	io.WriteString(w, body.String())
	fmt.Fprint(w, "</svg>\n")
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
