package tui

import (
	"strings"
	"unicode/utf8"
)

// Sanitize strips everything from s that could drive a terminal instead of
// being shown: ESC sequences (CSI, OSC, DCS and two-byte escapes), C0 and C1
// control characters, DEL, bidirectional overrides and invalid UTF-8. Tabs
// and newlines become spaces so that one field stays on one line. Every
// string that comes from outside (database, feed, files) passes here before
// it is drawn.
func Sanitize(s string) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			i++ // invalid byte: drop it
			continue
		}
		switch {
		case r == 0x1b: // ESC: skip the whole sequence
			i = skipEscape(s, i+size)
			continue
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f:
			// C0 control or DEL: drop.
		case r >= 0x80 && r <= 0x9f:
			// C1 control (including the 8-bit CSI 0x9b and OSC 0x9d): drop.
		case isBidiControl(r):
			// Could reorder what the reader sees: drop.
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// isPlain reports whether s is printable ASCII only (the common case).
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

func isBidiControl(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c
}

// skipEscape returns the index just after the escape sequence whose ESC
// ended at i.
func skipEscape(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch s[i] {
	case '[': // CSI: parameters and intermediates, then a final byte 0x40-0x7e.
		for i++; i < len(s); i++ {
			if c := s[i]; c >= 0x40 && c <= 0x7e {
				return i + 1
			}
		}
		return i
	case ']', 'P', 'X', '^', '_': // OSC, DCS, SOS, PM, APC: up to BEL or ST (ESC \).
		for i++; i < len(s); i++ {
			switch s[i] {
			case 0x07:
				return i + 1
			case 0x1b:
				if i+1 < len(s) && s[i+1] == '\\' {
					return i + 2
				}
				return i + 1
			}
		}
		return i
	default:
		// Two-byte escape (ESC c, ESC 7, ...), possibly with intermediates
		// (ESC ( B).
		for ; i < len(s); i++ {
			if c := s[i]; c < 0x20 || c > 0x2f {
				break
			}
		}
		if i < len(s) {
			return i + 1
		}
		return i
	}
}
