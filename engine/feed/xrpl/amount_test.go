package xrpl

import (
	"math/big"
	"testing"
)

func TestParseDecimal(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Decimal
		err  bool
	}{
		{in: "0", want: Decimal{}},
		{in: "1", want: Decimal{1, 0}},
		{in: "25.81656470648473", want: Decimal{2581656470648473, -14}}, // amm_info doc example
		{in: "0.0000000001111111111111111", want: Decimal{1111111111111111, -25}},
		{in: "1.23e-5", want: Decimal{123, -7}},
		{in: "-2.5E3", want: Decimal{-25, 2}},
		{in: "1000000000000000000000", want: Decimal{1, 21}}, // trailing zeros are not significant
		{in: "9999999999999999", want: Decimal{9999999999999999, 0}},
		{in: "12345678901234567", err: true}, // 17 significant digits
		{in: "", err: true},
		{in: "1.2.3", err: true},
		{in: "abc", err: true},
		{in: "1e", err: true},
		{in: ".", err: true},
		{in: "1e99999", err: true},
	} {
		got, err := ParseDecimal(tc.in)
		if tc.err {
			if err == nil {
				t.Errorf("ParseDecimal(%q) = %v, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseDecimal(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestDecimalExactCompare(t *testing.T) {
	// Two prices a float64 cannot tell apart are different levels.
	a, _ := ParseDecimal("0.5000000000000001")
	b, _ := ParseDecimal("0.5")
	if a.Float() != 0.5000000000000001 || a.Cmp(b) <= 0 {
		t.Fatalf("Cmp(%v, %v) = %d, want > 0", a, b, a.Cmp(b))
	}
	c, _ := ParseDecimal("5e-1")
	if b.Cmp(c) != 0 {
		t.Fatalf("0.5 and 5e-1 differ")
	}
}

func TestParseAmountByType(t *testing.T) {
	x, err := ParseAmount([]byte(`"296890496"`))
	if err != nil || !x.XRP || x.Drops != 296890496 {
		t.Fatalf("drops string: %+v %v", x, err)
	}
	if got := x.Float(); got != 296.890496 {
		t.Fatalf("Float = %v", got)
	}
	i, err := ParseAmount([]byte(`{"currency":"TST","issuer":"rP9jPyP5kyvFRb6ZiRghAGw5u8SGAmU4bd","value":"25.81656470648473"}`))
	if err != nil || i.XRP || i.Currency != "TST" || i.Value != (Decimal{2581656470648473, -14}) {
		t.Fatalf("object: %+v %v", i, err)
	}
	for _, bad := range []string{``, `12`, `"1.5"`, `{"currency":"USD"}`, `[1]`, `"-"`, `null`} {
		if a, err := ParseAmount([]byte(bad)); err == nil {
			t.Errorf("ParseAmount(%s) = %+v, want an error", bad, a)
		}
	}
}

func TestDirectoryQualityDocExample(t *testing.T) {
	// book_offers doc / rippled gist: BookDirectory ...4B03F28CB71571C7,
	// "quality": "0.0000000001111111111111111".
	q, ok := DirectoryQuality("DFA3B6DDAB58C7E8E5D944E736DA4B7046C30E4F460FD9DE4B03F28CB71571C7")
	want, _ := ParseDecimal("0.0000000001111111111111111")
	if !ok || q.Cmp(want) != 0 {
		t.Fatalf("DirectoryQuality = %v %v, want %v", q, ok, want)
	}
	// book_offers doc: directory ...5505DCAA8FE12000 has "quality": "1.65".
	q, ok = DirectoryQuality("7E5F614417C2D0A7CEFEB73C4AA773ED5B078DE2B5771F6D5505DCAA8FE12000")
	want, _ = ParseDecimal("1.65")
	if !ok || q.Cmp(want) != 0 {
		t.Fatalf("DirectoryQuality = %v %v, want 1.65", q, ok)
	}
	if _, ok := DirectoryQuality("short"); ok {
		t.Fatal("short directory accepted")
	}
}

func TestTruncateSig(t *testing.T) {
	for _, tc := range []struct {
		in   string
		sig  int
		want string
	}{
		{"1.23456789", 5, "1.2345"},
		{"0.000123456789", 3, "0.000123"},
		{"98765.4321", 2, "98000"},
		{"1.5", 5, "1.5"},
		{"1/3", 4, "0.3333"},
	} {
		r, _ := new(big.Rat).SetString(tc.in)
		w, _ := new(big.Rat).SetString(tc.want)
		if got := TruncateSig(r, tc.sig); got.Cmp(w) != 0 {
			t.Errorf("TruncateSig(%s, %d) = %s, want %s", tc.in, tc.sig, got.FloatString(12), tc.want)
		}
	}
}

func TestRippleTime(t *testing.T) {
	// subscribe doc: transaction date 783820741 is 2024-11-01T23:59:01Z
	// (close_time_iso of the same example).
	if got := RippleTime(783820741).Format("2006-01-02T15:04:05Z"); got != "2024-11-01T23:59:01Z" {
		t.Fatalf("RippleTime = %s", got)
	}
}

// Text from the network loses its escape sequences whole (the old filter
// dropped only the ESC and left "[31m" behind) and its bidi controls.
func TestSanitizeDropsWholeSequences(t *testing.T) {
	if got := sanitize("\x1b[31mred\x1b]0;title\x07 \u202eabc"); got != "red abc" {
		t.Fatalf("sanitize = %q, want %q", got, "red abc")
	}
}
