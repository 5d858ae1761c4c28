package xrpl

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"neo/engine/textsafe"
)

// Amounts on the XRP Ledger come in two shapes
// (https://xrpl.org/docs/references/protocol/data-types/currency-formats):
// XRP as a JSON string of integer drops ("1000000" = 1 XRP), and issued
// currencies as an object {currency, issuer, value} whose value is a decimal
// string of at most 16 significant digits with an optional exponent
// ("1.23e-5"). Price levels are compared exactly, so nothing here goes
// through float64; Float is for the engine's MarketEvent only.

// DropsPerXRP is the number of drops in one XRP.
const DropsPerXRP = 1_000_000

// maxIOUDigits is the precision of an issued-currency amount.
const maxIOUDigits = 16

// maxDecimalLen bounds the text of a value ParseDecimal accepts.
const maxDecimalLen = 64

// Decimal is an exact decimal number Mantissa × 10^Exponent. The zero value
// is 0.
type Decimal struct {
	Mantissa int64
	Exponent int32
}

// ParseDecimal parses an issued-currency value: an optional sign, digits
// with an optional point, and an optional exponent. More than 16
// significant digits is an error (the ledger never holds more).
func ParseDecimal(s string) (Decimal, error) {
	if s == "" || len(s) > maxDecimalLen {
		return Decimal{}, fmt.Errorf("decimal %q: empty or too long", clip(s))
	}
	neg, str := cutSign(s)
	str, exp, err := cutExponent(s, str)
	if err != nil {
		return Decimal{}, err
	}
	var buf [maxDecimalLen]byte // the digits stay on the stack
	digits, exp, err := significantDigits(buf[:0], s, str, exp)
	if err != nil || len(digits) == 0 {
		return Decimal{}, err
	}
	if len(digits) > maxIOUDigits {
		return Decimal{}, fmt.Errorf("decimal %q: %d significant digits, the ledger holds at most %d", clip(s), len(digits), maxIOUDigits)
	}
	m, err := strconv.ParseInt(string(digits), 10, 64)
	if err != nil {
		return Decimal{}, fmt.Errorf("decimal %q: %v", clip(s), err)
	}
	if neg {
		m = -m
	}
	return Decimal{Mantissa: m, Exponent: int32(exp)}, nil
}

// cutSign splits off a leading '-' or '+'.
func cutSign(str string) (neg bool, rest string) {
	switch str[0] {
	case '-':
		return true, str[1:]
	case '+':
		return false, str[1:]
	}
	return false, str
}

// cutExponent splits off an "e"/"E" exponent; s is the whole value, for
// the error.
func cutExponent(s, str string) (rest string, exp int, err error) {
	i := strings.IndexAny(str, "eE")
	if i < 0 {
		return str, 0, nil
	}
	e, err := strconv.Atoi(str[i+1:])
	// The ledger's exponents stay within -96..80; anything far outside
	// is not an amount (and would cost big arithmetic).
	if err != nil || e > 200 || e < -200 {
		return "", 0, fmt.Errorf("decimal %q: bad exponent", clip(s))
	}
	return str[:i], e, nil
}

// significantDigits reads digits with at most one point: it appends to
// digits the significant ones, without leading or trailing zeros (none for
// 0), and adjusts exp so that digits × 10^exp is the value. s is the whole
// value, for errors.
func significantDigits(digits []byte, s, str string, exp int) ([]byte, int, error) {
	seenPoint, seenDigit := false, false
	for i := 0; i < len(str); i++ {
		c := str[i]
		switch {
		case c >= '0' && c <= '9':
			seenDigit = true
			if seenPoint {
				exp--
			}
			if len(digits) == 0 && c == '0' {
				continue // leading zero
			}
			digits = append(digits, c)
		case c == '.' && !seenPoint:
			seenPoint = true
		default:
			return nil, 0, fmt.Errorf("decimal %q: unexpected %q", clip(s), c)
		}
	}
	if !seenDigit {
		return nil, 0, fmt.Errorf("decimal %q: no digits", clip(s))
	}
	// Trailing zeros are not significant: move them into the exponent.
	for len(digits) > 0 && digits[len(digits)-1] == '0' {
		digits = digits[:len(digits)-1]
		exp++
	}
	return digits, exp, nil
}

// IsZero reports whether d is 0.
func (d Decimal) IsZero() bool { return d.Mantissa == 0 }

// Sign returns -1, 0 or 1.
func (d Decimal) Sign() int {
	switch {
	case d.Mantissa < 0:
		return -1
	case d.Mantissa > 0:
		return 1
	}
	return 0
}

// Rat returns d as an exact rational.
func (d Decimal) Rat() *big.Rat {
	r := new(big.Rat).SetInt64(d.Mantissa)
	if d.Exponent == 0 || d.Mantissa == 0 {
		return r
	}
	p := pow10(int(abs32(d.Exponent)))
	if d.Exponent > 0 {
		return r.Mul(r, new(big.Rat).SetInt(p))
	}
	return r.Quo(r, new(big.Rat).SetInt(p))
}

// Cmp compares d and e exactly.
func (d Decimal) Cmp(e Decimal) int {
	if d.Exponent == e.Exponent {
		switch {
		case d.Mantissa < e.Mantissa:
			return -1
		case d.Mantissa > e.Mantissa:
			return 1
		}
		return 0
	}
	return d.Rat().Cmp(e.Rat())
}

// Float returns the nearest float64, for display and the engine only.
func (d Decimal) Float() float64 {
	f, _ := strconv.ParseFloat(d.String(), 64)
	return f
}

// String formats d in the exponent form the ledger accepts.
func (d Decimal) String() string {
	if d.Exponent == 0 {
		return strconv.FormatInt(d.Mantissa, 10)
	}
	return strconv.FormatInt(d.Mantissa, 10) + "e" + strconv.Itoa(int(d.Exponent))
}

// ParseDrops parses an XRP amount in drops: a decimal integer string.
func ParseDrops(s string) (int64, error) {
	if s == "" || len(s) > 20 {
		return 0, fmt.Errorf("drops %q: empty or too long", clip(s))
	}
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && !(i == 0 && s[i] == '-') {
			return 0, fmt.Errorf("drops %q: not an integer", clip(s))
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("drops %q: %v", clip(s), err)
	}
	return n, nil
}

// Amount is a ledger amount: XRP in drops, or an issued currency.
type Amount struct {
	XRP      bool
	Drops    int64   // when XRP
	Value    Decimal // when issued
	Currency string  // when issued
	Issuer   string  // when issued
}

// Rat returns the amount exactly: drops for XRP, units for an issued
// currency.
func (a Amount) Rat() *big.Rat {
	if a.XRP {
		return new(big.Rat).SetInt64(a.Drops)
	}
	return a.Value.Rat()
}

// Units returns the amount in whole units (XRP, not drops), exactly.
func (a Amount) Units() *big.Rat {
	if a.XRP {
		return new(big.Rat).SetFrac64(a.Drops, DropsPerXRP)
	}
	return a.Value.Rat()
}

// Float returns the amount in whole units as float64.
func (a Amount) Float() float64 {
	if a.XRP {
		return float64(a.Drops) / DropsPerXRP
	}
	return a.Value.Float()
}

// IsZero reports whether the amount is 0.
func (a Amount) IsZero() bool {
	if a.XRP {
		return a.Drops == 0
	}
	return a.Value.IsZero()
}

// Sign returns -1, 0 or 1.
func (a Amount) Sign() int {
	if a.XRP {
		switch {
		case a.Drops < 0:
			return -1
		case a.Drops > 0:
			return 1
		}
		return 0
	}
	return a.Value.Sign()
}

// errNotAmount is returned for JSON that is neither a drops string nor a
// currency object.
var errNotAmount = errors.New("not an amount: want a drops string or a {currency, issuer, value} object")

// ParseAmount decodes a JSON amount. The TYPE decides what it is: a JSON
// string is XRP in drops, an object is an issued currency. This is how
// offers are classified, never by which list they arrived in.
func ParseAmount(raw []byte) (Amount, error) {
	raw = trimSpace(raw)
	if len(raw) == 0 {
		return Amount{}, errNotAmount
	}
	switch raw[0] {
	case '"':
		s, err := strconv.Unquote(string(raw))
		if err != nil {
			return Amount{}, fmt.Errorf("drops string: %v", err)
		}
		d, err := ParseDrops(s)
		if err != nil {
			return Amount{}, err
		}
		return Amount{XRP: true, Drops: d}, nil
	case '{':
		var o struct {
			Currency string `json:"currency"`
			Issuer   string `json:"issuer"`
			Value    string `json:"value"`
		}
		if err := unmarshal(raw, &o); err != nil {
			return Amount{}, fmt.Errorf("currency amount: %v", err)
		}
		if o.Currency == "" || o.Value == "" {
			return Amount{}, errors.New("currency amount without currency or value")
		}
		v, err := ParseDecimal(o.Value)
		if err != nil {
			return Amount{}, err
		}
		return Amount{Value: v, Currency: o.Currency, Issuer: o.Issuer}, nil
	}
	return Amount{}, errNotAmount
}

// DirectoryQuality decodes the exchange rate kept in the last 64 bits of an
// offer's BookDirectory: the top byte is the exponent + 100, the low 56 bits
// the mantissa. Offers at the same quality share the directory and are
// taken oldest first, so this, not a ratio recomputed from partly consumed
// amounts, is the price level. Example from
// https://xrpl.org/docs/references/http-websocket-apis/public-api-methods/path-and-order-book-methods/book_offers
// (and the rippled gist of the same response): directory ...4B03F28CB71571C7
// has quality 0.0000000001111111111111111.
func DirectoryQuality(bookDirectory string) (Decimal, bool) {
	if len(bookDirectory) != 64 {
		return Decimal{}, false
	}
	v, err := strconv.ParseUint(bookDirectory[48:], 16, 64)
	if err != nil || v == 0 {
		return Decimal{}, false
	}
	exp := int32(v>>56) - 100
	mant := int64(v & (1<<56 - 1))
	if mant == 0 {
		return Decimal{}, false
	}
	return Decimal{Mantissa: mant, Exponent: exp}, true
}

// TruncateSig truncates a positive rational toward zero to sig significant
// decimal digits (ratQuality: the 16 digits of a quality).
// sig <= 0 or > 16 leaves r unchanged.
func TruncateSig(r *big.Rat, sig int) *big.Rat {
	if sig <= 0 || sig > maxIOUDigits || r.Sign() <= 0 {
		return new(big.Rat).Set(r)
	}
	// Find e with 10^(sig-1) <= r×10^e < 10^sig, truncate, scale back.
	lo := new(big.Rat).SetInt(pow10(sig - 1))
	hi := new(big.Rat).SetInt(pow10(sig))
	x := new(big.Rat).Set(r)
	e := 0
	ten := big.NewRat(10, 1)
	tenth := big.NewRat(1, 10)
	for x.Cmp(lo) < 0 {
		x.Mul(x, ten)
		e++
	}
	for x.Cmp(hi) >= 0 {
		x.Mul(x, tenth)
		e--
	}
	q := new(big.Int).Quo(x.Num(), x.Denom())
	out := new(big.Rat).SetInt(q)
	p := new(big.Rat).SetInt(pow10(absInt(e)))
	if e > 0 {
		return out.Quo(out, p)
	}
	return out.Mul(out, p)
}

func pow10(n int) *big.Int {
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
}

func abs32(x int32) int32 {
	if x < 0 {
		return -x
	}
	return x
}

func absInt(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func ratFloat(r *big.Rat) float64 {
	f, _ := r.Float64()
	return f
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\n' || b[0] == '\t' || b[0] == '\r') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\n' || b[len(b)-1] == '\t' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

// clip shortens and sanitises text from the network for error messages.
func clip(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return sanitize(s)
}

// sanitize makes text that came from outside safe to show: textsafe.Line,
// neo's one sanitiser (escape sequences go whole, not only their ESC).
func sanitize(s string) string { return textsafe.Line(s) }
