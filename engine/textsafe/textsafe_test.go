package textsafe

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// sanitizeCase is one input of a sanitiser and what it must give.
type sanitizeCase struct{ name, in, want string }

// checkCases runs fn (Line or Text, named name) on each case: it must give
// the wanted text, and that text must keep the package's promise.
func checkCases(t *testing.T, name string, fn func(string) string, multiLine bool, cases []sanitizeCase) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := fn(tc.in)
			if got != tc.want {
				t.Fatalf("%s(%q)=%q, want %q", name, tc.in, got, tc.want)
			}
			assertSafe(t, tc.in, got, multiLine)
		})
	}
}

func TestLine(t *testing.T) {
	checkCases(t, "Line", Line, false, []sanitizeCase{
		{"Plain", "session 42 ok", "session 42 ok"},
		{"Empty", "", ""},
		{"Unicode", "drift ±5 % → tier ✓ 日本", "drift ±5 % → tier ✓ 日本"},
		{"CSIColour", "\x1b[31mred\x1b[0m", "red"},
		{"CSIClear", "a\x1b[2Jb\x1b[H", "ab"},
		{"CSIPrivate", "a\x1b[?1049hb\x1b[?25l", "ab"},
		{"OSCTitleBEL", "x\x1b]0;title\x07y", "xy"},
		{"OSCTitleST", "x\x1b]2;title\x1b\\y", "xy"},
		{"OSCHyperlink", "\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\", "link"},
		{"OSCClipboard", "a\x1b]52;c;cHduZWQ=\x07b", "ab"},
		{"DCS", "a\x1bPq#0;2;0;0;0\x1b\\b", "ab"},
		{"APC", "a\x1b_Gf=100;AAAA\x1b\\b", "ab"},
		{"TwoByteEscape", "a\x1bcb\x1b7c", "abc"},
		{"CharsetEscape", "a\x1b(Bb", "ab"},
		{"C1CSIRawByte", "a\x9b31mb", "ab"},
		{"C1CSIRawClear", "a\x9b2Jb", "ab"},
		{"C1CSIRune", "a\u009b31mb", "ab"},
		{"C1OSCRawByte", "a\x9d0;title\x07b", "ab"},
		{"C1OSCRune", "a\u009d0;title\u009cb", "ab"},
		{"C1NEL", "a\u0085b", "ab"},
		{"Bell", "ding\x07dong", "dingdong"},
		{"C0AndDEL", "a\x00b\x08c\x0fd\x7fe", "abcde"},
		{"NewlinesTabs", "a\nb\tc\rd", "a b c d"},
		{"BidiOverride", "abc\u202egnp.exe", "abcgnp.exe"},
		{"BidiEmbeddings", "\u202aa\u202bb\u202cc\u202dd", "abcd"},
		{"BidiIsolates", "\u2066a\u2067b\u2068c\u2069", "abc"},
		{"BidiMarks", "a\u200eb\u200fc\u061cd", "abcd"},
		{"InvalidUTF8", "a\xffb\xc3", "ab"},
		{"InvalidLeadBeforeESC", "a\xc3\x1b[2Jb", "ab"},
		{"UnterminatedCSI", "a\x1b[31", "a"},
		{"UnterminatedOSC", "a\x1b]0;title", "a"},
		{"UnterminatedDCS", "a\x1bPq", "a"},
		{"LoneESC", "a\x1b", "a"},
		{"LoneC1", "a\x9b", "a"},
		{"ESCESC", "a\x1b\x1b[2Jb", "ab"},
		{"CANAbortsCSI", "a\x1b[3\x18b", "ab"},
		{"Path", "replay:/tmp/\x1b]0;pwned\x07bars\x1b[2J.csv", "replay:/tmp/bars.csv"},
	})
}

func TestText(t *testing.T) {
	checkCases(t, "Text", Text, true, []sanitizeCase{
		{"KeepsNewlinesAndTabs", "a\n\tb\n", "a\n\tb\n"},
		{"DropsCR", "a\r\nb\rc", "a\nbc"},
		{"StripsSequences", "line1\x1b]0;t\x07\nline2\x1b[2J\x9b31m\u202e", "line1\nline2"},
	})
}

// assertSafe holds the promise of the package: valid UTF-8, no ESC, no C0
// control but (multi-line) \n and \t, no DEL, no C1 control, no bidi control.
func assertSafe(tb testing.TB, in, out string, multiLine bool) {
	tb.Helper()
	if !utf8.ValidString(out) {
		tb.Fatalf("output of %q is not valid UTF-8: %q", in, out)
	}
	for _, r := range out {
		switch {
		case multiLine && (r == '\n' || r == '\t'):
		case r < 0x20 || r == 0x7f:
			tb.Fatalf("output of %q holds control %U: %q", in, r, out)
		case r >= 0x80 && r <= 0x9f:
			tb.Fatalf("output of %q holds C1 control %U: %q", in, r, out)
		case IsBidiControl(r):
			tb.Fatalf("output of %q holds bidi control %U: %q", in, r, out)
		}
	}
}

func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"", "plain", "\x1b[31mred", "\x1b]0;t\x07", "\x9b2J", "\u009d8;;x\u009c", "a\u202eb",
		"\xc3\x1b[2J", "\x1bP\x1b\\", "日本\t\n\r"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		line := Line(s)
		assertSafe(t, s, line, false)
		if strings.ContainsAny(line, "\n\t") {
			t.Fatalf("Line(%q)=%q spans lines", s, line)
		}
		assertSafe(t, s, Text(s), true)
		// Idempotent: safe text is left as it is.
		if again := Line(line); again != line {
			t.Fatalf("Line not idempotent on %q: %q then %q", s, line, again)
		}
	})
}

func BenchmarkLine(b *testing.B) {
	plain := "replay:/data/xrp-rlusd-2025-01-01.csv"
	hostile := "replay:/tmp/\x1b]0;pwned\x07bars\x1b[2J\u202e.csv"
	b.Run("Plain", func(b *testing.B) {
		for b.Loop() {
			Line(plain)
		}
	})
	b.Run("Hostile", func(b *testing.B) {
		for b.Loop() {
			Line(hostile)
		}
	})
}
