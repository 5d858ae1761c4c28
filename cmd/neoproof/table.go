package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
	"unicode"
)

// Table is a Markdown table.
type Table struct {
	Title  string
	Header []string
	Rows   [][]string
	Notes  []string // printed below the table as a list
}

// Add appends a row.
func (t *Table) Add(cells ...string) { t.Rows = append(t.Rows, cells) }

// Write prints the table as GitHub Markdown.
func (t *Table) Write(w io.Writer) {
	if t.Title != "" {
		fmt.Fprintf(w, "### %s\n\n", t.Title)
	}
	fmt.Fprintf(w, "| %s |\n", strings.Join(cells(t.Header), " | "))
	sep := make([]string, len(t.Header))
	for i := range sep {
		sep[i] = "---"
	}
	fmt.Fprintf(w, "|%s|\n", strings.Join(sep, "|"))
	for _, r := range t.Rows {
		row := make([]string, len(t.Header))
		copy(row, r)
		fmt.Fprintf(w, "| %s |\n", strings.Join(cells(row), " | "))
	}
	if len(t.Notes) > 0 {
		fmt.Fprintln(w)
		for _, n := range t.Notes {
			fmt.Fprintf(w, "- %s\n", cell(n))
		}
	}
	fmt.Fprintln(w)
}

func cells(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = cell(s)
	}
	return out
}

// cell makes s safe for one Markdown table cell: control characters and
// newlines become spaces, pipes are escaped, and long text is cut.
func cell(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	s = strings.ReplaceAll(s, "|", `\|`)
	const max = 1200
	if r := []rune(s); len(r) > max {
		s = string(r[:max-1]) + "…"
	}
	return s
}

// fmtDur renders a duration for a table: 3 significant figures.
func fmtDur(d time.Duration) string {
	switch {
	case d <= 0:
		return "0"
	case d < time.Microsecond:
		return fmt.Sprintf("%d ns", d.Nanoseconds())
	case d < time.Millisecond:
		return fmt.Sprintf("%.3g µs", float64(d)/float64(time.Microsecond))
	case d < time.Second:
		return fmt.Sprintf("%.3g ms", float64(d)/float64(time.Millisecond))
	case d < time.Minute:
		return fmt.Sprintf("%.3g s", d.Seconds())
	}
	return d.Round(time.Second).String()
}

// fmtBytes renders a byte count in binary units.
func fmtBytes(n float64) string {
	units := []string{"B", "KiB", "MiB", "GiB"}
	i := 0
	for n >= 1024 && i < len(units)-1 {
		n /= 1024
		i++
	}
	switch {
	case i == 0:
		return fmt.Sprintf("%.0f B", n)
	case n >= 100:
		return fmt.Sprintf("%.0f %s", n, units[i])
	case n >= 10:
		return fmt.Sprintf("%.1f %s", n, units[i])
	}
	return fmt.Sprintf("%.2f %s", n, units[i])
}

// fmtRate renders a per-second rate with thousands separators.
func fmtRate(v float64, unit string) string {
	return fmt.Sprintf("%s %s/s", thousands(v), unit)
}

// thousands renders v rounded to an integer with thin commas.
func thousands(v float64) string {
	neg := v < 0
	if neg {
		v = -v
	}
	s := fmt.Sprintf("%.0f", v)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// fmtCounts renders counts keyed by a number, in key order, each through
// part, joined by ", " ("" for none).
func fmtCounts(m map[int]int, part func(k, n int) string) string {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = part(k, m[k])
	}
	return strings.Join(parts, ", ")
}
