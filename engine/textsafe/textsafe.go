// Package textsafe makes text from outside (files, the database, the
// network, command-line arguments echoed back) safe to print on a terminal.
// It is the one sanitiser of neo: engine, store, tui and cmd may all use it,
// since it imports nothing of neo.
//
// What a terminal would act on instead of showing is removed whole: escape
// sequences (CSI, OSC, DCS, SOS, PM, APC and two-byte escapes, parsed by
// github.com/charmbracelet/x/ansi so that no tail such as "31m" or "0;title"
// is left behind), their 8-bit C1 forms, every other C0 and C1 control, DEL,
// invalid UTF-8 and the bidirectional controls that can make text read
// differently from what it is (U+202A–U+202E, U+2066–U+2069, U+200E,
// U+200F, U+061C).
package textsafe

import (
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// Line returns s safe for a terminal, on one line: tabs, newlines and
// carriage returns become spaces (a field never breaks a table row or a log
// line). Use it for every field, name, path and message.
func Line(s string) string {
	if isPlain(s) {
		return s
	}
	return filter(ansi.Strip(normalize(s)), true)
}

// Text returns s safe for a terminal, keeping its newlines and tabs (a
// multi-line block such as a help text or a file excerpt). Carriage returns
// are removed: one could overwrite what the line showed.
func Text(s string) string {
	if isPlain(s) {
		return s
	}
	return filter(ansi.Strip(normalize(s)), false)
}

// isPlain reports whether s is printable ASCII only (the common case, left
// untouched without allocating).
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// normalize returns s as valid UTF-8 with every C1 control, whether sent as a
// raw 8-bit byte (0x80–0x9f, which an 8-bit terminal reads as a control) or
// as a UTF-8 encoded rune (U+0080–U+009F, which some UTF-8 terminals act
// on), rewritten as its 7-bit equivalent ESC + (c − 0x40). ansi.Strip then
// removes the sequence it introduces together with its parameters (the 8-bit
// CSI "\x9b31m" goes whole, not just its first byte). Other invalid bytes are
// dropped here, before the parser sees them: a stray lead byte must not
// swallow the ESC that follows it.
func normalize(s string) string {
	return mapRunes(s, func(b *strings.Builder, r rune, raw string) {
		switch {
		case r == utf8.RuneError && len(raw) == 1:
			if c := raw[0]; c >= 0x80 && c <= 0x9f {
				b.WriteByte(0x1b)
				b.WriteByte(c - 0x40)
			}
		case r >= 0x80 && r <= 0x9f:
			b.WriteByte(0x1b)
			b.WriteByte(byte(r - 0x40))
		default:
			b.WriteString(raw)
		}
	})
}

// filter removes what ansi.Strip keeps because a terminal executes it rather
// than starting a sequence: C0 controls, DEL, C1 runes (none should be left
// after normalize; kept as a second line of defence) and bidi controls. With
// oneLine, \t \n \r become spaces; otherwise \t and \n stay and \r goes.
func filter(s string, oneLine bool) string {
	return mapRunes(s, func(b *strings.Builder, r rune, raw string) {
		switch {
		case r == utf8.RuneError && len(raw) == 1:
			// Cannot happen after normalize; drop rather than pass a byte on.
		case r == '\t' || r == '\n' || r == '\r':
			if oneLine {
				b.WriteByte(' ')
			} else if r != '\r' {
				b.WriteRune(r)
			}
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
		case IsBidiControl(r):
		default:
			b.WriteString(raw)
		}
	})
}

// mapRunes builds a string from s by calling f on each rune with its bytes
// (raw); an invalid byte comes alone, as utf8.RuneError with a raw of one
// byte. f writes what the rune becomes, if anything.
func mapRunes(s string, f func(b *strings.Builder, r rune, raw string)) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		f(&b, r, s[i:i+size])
		i += size
	}
	return b.String()
}

// IsBidiControl reports the bidirectional embeddings, overrides, isolates
// and marks: they reorder what a reader sees ("exe.txt" shown for
// "txt.exe") without being visible themselves.
func IsBidiControl(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c
}
