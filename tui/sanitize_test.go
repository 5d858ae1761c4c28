package tui

import (
	"strings"
	"testing"
)

func TestSanitize(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"Plain", "session 42 ok", "session 42 ok"},
		{"CSIColour", "\x1b[31mred\x1b[0m", "red"},
		{"CSIClear", "a\x1b[2Jb\x1b[H", "ab"},
		{"OSCTitleBEL", "x\x1b]0;pwned\x07y", "xy"},
		{"OSCHyperlinkST", "\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\", "link"},
		{"DCS", "a\x1bPq#0;2;0;0;0\x1b\\b", "ab"},
		{"TwoByteEscape", "a\x1bcb\x1b7c", "abc"},
		{"CharsetEscape", "a\x1b(Bb", "ab"},
		{"Bell", "ding\x07dong", "dingdong"},
		{"C0", "a\x00b\x08c\x0fd\x7fe", "abcde"},
		{"C1", "a\u009b2Jb\u0085c\u009dd", "abc"},
		{"C1CSIRawByte", "a\x9b31mb", "ab"},
		{"InvalidLeadBeforeESC", "a\xc3\x1b[2Jb", "ab"},
		{"UnterminatedOSC", "a\x1b]0;title", "a"},
		{"NewlinesTabs", "a\nb\tc\rd", "a b c d"},
		{"Bidi", "abc\u202egnp.exe", "abcgnp.exe"},
		{"InvalidUTF8", "a\xffb\xc3", "ab"},
		{"Unicode", "drift ±5 % → tier ✓", "drift ±5 % → tier ✓"},
		{"TruncatedCSI", "a\x1b[31", "a"},
		{"LoneESC", "a\x1b", "a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Sanitize(tc.in)
			if got != tc.want {
				t.Fatalf("Sanitize(%q)=%q, want %q", tc.in, got, tc.want)
			}
			for _, r := range got {
				if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
					t.Fatalf("control character %U left in %q", r, got)
				}
			}
		})
	}
}

// Hostile text from the database reaches the screen clean.
func TestViewsDrawNoControlCharacters(t *testing.T) {
	s := fakeState()
	s.SessionID = "evil\x1b]0;title\x07id"
	s.Feed = "replay:\x1b[2J/tmp/x.csv"
	m, _ := MustLiveModel(t, s)
	resize(t, m, 120, 40)
	for _, v := range []string{"live", "2", "enter"} {
		if v != "live" {
			press(t, m, v)
		}
		out := m.View()
		if strings.Contains(out, "\x1b") {
			// Styles may be on (a colour terminal): strip the renderer's own
			// SGR sequences, an injected OSC or CSI would still show.
			out = stripSGR(out)
		}
		for _, r := range out {
			if r == '\n' {
				continue
			}
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
				t.Fatalf("%s view draws control character %U", v, r)
			}
		}
		if strings.Contains(out, "]0;") {
			t.Fatalf("%s view draws an OSC sequence", v)
		}
	}
}

// stripSGR removes "ESC [ ... m" style sequences and nothing else.
func stripSGR(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && (s[j] == ';' || (s[j] >= '0' && s[j] <= '9')) {
				j++
			}
			if j < len(s) && s[j] == 'm' {
				i = j
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
