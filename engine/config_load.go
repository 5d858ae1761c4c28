package engine

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/BurntSushi/toml"

	"neo/engine/textsafe"
)

// Limits that Validate enforces on the [session] shutdown_timeout.
const (
	// ShutdownTimeoutRecommended is the longest shutdown_timeout that still
	// fits inside the ~5 s Windows grants after a console close; longer
	// values are accepted with a warning (see Config.Warnings).
	ShutdownTimeoutRecommended = 4500 * time.Millisecond
	// ShutdownTimeoutMax is the longest shutdown_timeout accepted at all.
	ShutdownTimeoutMax = 10 * time.Second
)

// LoadConfig reads the TOML file at path over DefaultConfig and validates
// the result. Unknown keys, syntax errors and bad values are errors that name
// the file (and the key, or the line and column).
func LoadConfig(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("read config %s: %w (fix the path, or drop --config/NEO_CONFIG to use the defaults)", path, err)
	}
	return ParseConfig(data, path)
}

// ParseConfig decodes TOML data over DefaultConfig and validates it. name
// (usually the file path) is used in error messages.
func ParseConfig(data []byte, name string) (Config, error) {
	c := DefaultConfig()
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&c)
	if err != nil {
		return Config{}, configSyntaxError(name, err)
	}
	if unknown := unknownKeys(md.Undecoded(), string(data)); len(unknown) > 0 {
		return Config{}, fmt.Errorf("config %s: %s", name, strings.Join(unknown, "; "))
	}
	// A file that sets a balance and no starting value asks for explicit
	// balances: the default value yields (Validate refuses both set).
	if (md.IsDefined("session", "starting_xrp") || md.IsDefined("session", "starting_rlusd")) &&
		!md.IsDefined("session", "starting_value_rlusd") {
		c.Session.StartingValueRLUSD = 0
	}
	// The feed compares currency codes as the servers write them: a code
	// the file spells another way is rewritten (Validate says why when it
	// cannot be).
	if code, err := CanonicalCurrency(c.XRPL.Currency); err == nil {
		c.XRPL.Currency = code
	}
	if err := c.Validate(); err != nil {
		return Config{}, fmt.Errorf("config %s: %w", name, err)
	}
	return c, nil
}

// configSyntaxError turns a decoder error into one line naming the file, the
// line and the column.
func configSyntaxError(name string, err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		msg := sanitizeLine(pe.Message)
		if pe.LastKey != "" {
			msg = fmt.Sprintf("%s (key %s)", msg, sanitizeLine(pe.LastKey))
		}
		return fmt.Errorf("config %s:%d:%d: %s", name, pe.Position.Line, pe.Position.Col, msg)
	}
	// Type mismatches come as plain errors that already carry the line.
	return fmt.Errorf("config %s: %s", name, sanitizeLine(strings.TrimPrefix(err.Error(), "toml: ")))
}

// unknownKeys describes the undecoded keys, reporting a whole unknown table
// once rather than each key inside it.
func unknownKeys(keys []toml.Key, text string) []string {
	seen := map[string]bool{}
	var out []string
	for _, k := range keys {
		if len(k) == 0 {
			continue
		}
		skip := false
		for i := 1; i < len(k); i++ {
			if seen[k[:i].String()] {
				skip = true
				break
			}
		}
		seen[k.String()] = true
		if skip {
			continue
		}
		desc := describeUnknown(k)
		if line := keyLine(text, k); line > 0 {
			desc = fmt.Sprintf("line %d: %s", line, desc)
		}
		out = append(out, desc)
	}
	return out
}

// keyLine finds, best effort, the line that defines key k: a "[k]" header
// or "name =" in its table. It returns 0 when the simple scan cannot tell
// (quoted or dotted keys, inline tables).
func keyLine(text string, k toml.Key) int {
	table := ""
	want := toml.Key(k[:len(k)-1]).String()
	name := k[len(k)-1]
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			h := strings.Trim(line, "[] \t")
			if j := strings.IndexByte(h, ']'); j >= 0 {
				h = h[:j]
			}
			h = strings.TrimSpace(h)
			if h == k.String() {
				return i + 1
			}
			table = h
			continue
		}
		if table != want {
			continue
		}
		key, _, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		key = strings.TrimSpace(key)
		if key == name || strings.HasPrefix(key, name+".") {
			return i + 1
		}
	}
	return 0
}

// describeUnknown names an unknown key as "[section] key" and lists what is
// allowed at that place.
func describeUnknown(k toml.Key) string {
	sections := tomlKeys(reflect.TypeOf(Config{}))
	if len(k) == 1 {
		return fmt.Sprintf("unknown section or key %s (sections: %s)",
			sanitizeLine(k.String()), strings.Join(sections, ", "))
	}
	name := sanitizeLine(toml.Key(k[1:]).String())
	st, ok := sectionType(k[0])
	if !ok { // cannot happen: an unknown section is reported alone
		return fmt.Sprintf("unknown key %s", sanitizeLine(k.String()))
	}
	return fmt.Sprintf("unknown key [%s] %s (keys of [%s]: %s)",
		k[0], name, k[0], strings.Join(tomlKeys(st), ", "))
}

// sectionType returns the struct type of the [section] table.
func sectionType(section string) (reflect.Type, bool) {
	t := reflect.TypeOf(Config{})
	for i := 0; i < t.NumField(); i++ {
		if t.Field(i).Tag.Get("toml") == section {
			return t.Field(i).Type, true
		}
	}
	return nil, false
}

// tomlKeys lists the toml tags of a struct type, in declaration order.
func tomlKeys(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		if tag := t.Field(i).Tag.Get("toml"); tag != "" && tag != "-" {
			out = append(out, tag)
		}
	}
	return out
}

// sanitizeLine makes text from a file safe for a terminal (textsafe.Line,
// neo's one sanitiser) and caps the length.
func sanitizeLine(s string) string {
	s = textsafe.Line(s)
	if len(s) > 200 {
		cut := 200
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut-- // never split a rune: the result stays valid UTF-8
		}
		s = s[:cut] + "…"
	}
	return s
}

// ValidationError lists every problem Validate found, each naming its key
// as "[section] key" and the allowed range.
type ValidationError struct {
	Problems []string
}

// Error joins the problems on one line.
func (e *ValidationError) Error() string { return strings.Join(e.Problems, "; ") }

// ErrorCode is EINVALID: the operator changes the config.
func (e *ValidationError) ErrorCode() string { return EINVALID }

// validator collects problems.
type validator struct{ problems []string }

func (v *validator) addf(format string, args ...any) {
	v.problems = append(v.problems, fmt.Sprintf(format, args...))
}

// finite reports a problem unless x is a finite number; it returns whether
// x was finite so that range checks are skipped for NaN and Inf.
func (v *validator) finite(key string, x float64) bool {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		v.addf("%s = %v: must be a finite number", key, x)
		return false
	}
	return true
}

// positive requires 0 < x <= max.
func (v *validator) positive(key string, x, max float64) {
	if v.finite(key, x) && (x <= 0 || x > max) {
		v.addf("%s = %v: must be > 0 and <= %v", key, x, max)
	}
}

// nonNegative requires 0 <= x <= max.
func (v *validator) nonNegative(key string, x, max float64) {
	if v.finite(key, x) && (x < 0 || x > max) {
		v.addf("%s = %v: must be >= 0 and <= %v", key, x, max)
	}
}

// duration requires min <= d <= max.
func (v *validator) duration(key string, d Duration, min, max time.Duration) {
	if d.Duration < min || d.Duration > max {
		v.addf("%s = %s: must be between %s and %s", key, d.Duration, min, max)
	}
}

// Validate checks every value. The error (a *ValidationError) lists each
// problem with its key as "[section] key" and the allowed range.
func (c Config) Validate() error {
	var v validator
	const (
		maxBalance = 1e12
		maxBps     = 10000.0 // 100 %
		day        = 24 * time.Hour
	)

	s := c.Session
	v.nonNegative("[session] starting_value_rlusd", s.StartingValueRLUSD, maxBalance)
	v.nonNegative("[session] starting_xrp", s.StartingXRP, maxBalance)
	v.nonNegative("[session] starting_rlusd", s.StartingRLUSD, maxBalance)
	switch {
	case s.StartingValueRLUSD > 0 && (s.StartingXRP != 0 || s.StartingRLUSD != 0):
		var bal []string
		if s.StartingXRP != 0 {
			bal = append(bal, fmt.Sprintf("starting_xrp = %v", s.StartingXRP))
		}
		if s.StartingRLUSD != 0 {
			bal = append(bal, fmt.Sprintf("starting_rlusd = %v", s.StartingRLUSD))
		}
		v.addf("[session] starting_value_rlusd = %v and %s are both set: set either a starting value (split at target_xrp_pct at the first price) or explicit balances, not both (remove one)",
			s.StartingValueRLUSD, strings.Join(bal, " and "))
	case s.StartingValueRLUSD == 0 && s.StartingXRP == 0 && s.StartingRLUSD == 0:
		v.addf("[session] starting_value_rlusd, starting_xrp and starting_rlusd are all 0: set starting_value_rlusd (e.g. 4600) or at least one balance > 0")
	}
	v.duration("[session] shutdown_timeout", s.ShutdownTimeout, 100*time.Millisecond, ShutdownTimeoutMax)

	st := c.Strategy
	v.positive("[strategy] base_size_rlusd", st.BaseSizeRLUSD, maxBalance)
	v.positive("[strategy] half_spread_bps", st.HalfSpreadBps, maxBps)
	v.positive("[strategy] anchor_max_divergence_bps", st.AnchorMaxDivergenceBps, maxBps)
	v.duration("[strategy] anchor_divergence_halt_after", st.AnchorDivergenceHaltAfter, time.Millisecond, day)
	if v.finite("[strategy] target_xrp_pct", st.TargetXRPPct) && (st.TargetXRPPct <= 0 || st.TargetXRPPct >= 100) {
		v.addf("[strategy] target_xrp_pct = %v: must be > 0 and < 100", st.TargetXRPPct)
	}
	validateTiers(&v, st.SkewTierThresholdsPct, st.SkewTierBps)
	if v.finite("[strategy] skew_tier_hysteresis_pct", st.SkewTierHysteresisPct) && len(st.SkewTierThresholdsPct) > 0 &&
		(st.SkewTierHysteresisPct < 0 || st.SkewTierHysteresisPct >= st.SkewTierThresholdsPct[0]) {
		v.addf("[strategy] skew_tier_hysteresis_pct = %v: must be >= 0 and below the first skew tier threshold (%v), or tier 1 could never be left",
			st.SkewTierHysteresisPct, st.SkewTierThresholdsPct[0])
	}
	v.positive("[strategy] requote_threshold_bps", st.RequoteThresholdBps, maxBps)
	v.duration("[strategy] order_refresh", st.OrderRefresh, time.Millisecond, day)
	v.nonNegative("[strategy] fee_bps", st.FeeBps, 1000)
	v.nonNegative("[strategy] network_fee_xrp", st.NetworkFeeXRP, 1)

	r := c.Risk
	v.positive("[risk] max_drawdown_pct", r.MaxDrawdownPct, 100)
	v.positive("[risk] max_drift_pct", r.MaxDriftPct, 100)
	v.duration("[risk] stale_feed_after", r.StaleFeedAfter, time.Millisecond, day)

	so := c.Store
	v.duration("[store] checkpoint_interval", so.CheckpointInterval, time.Second, day)
	if so.BackupRetention < 1 || so.BackupRetention > 1000 {
		v.addf("[store] backup_retention = %d: must be between 1 and 1000", so.BackupRetention)
	}
	v.duration("[store] snapshot_interval", so.SnapshotInterval, time.Millisecond, day)
	v.duration("[store] valuation_interval", so.ValuationInterval, time.Millisecond, day)

	co := c.Console
	v.duration("[console] refresh_rate", co.RefreshRate, 10*time.Millisecond, 10*time.Second)
	switch co.Theme {
	case "auto", "dark", "light", "mono":
	default:
		v.addf("[console] theme = %q: must be one of auto, dark, light, mono", sanitizeLine(co.Theme))
	}

	validateXRPL(&v, c.XRPL)

	if len(v.problems) == 0 {
		return nil
	}
	return &ValidationError{Problems: v.problems}
}

// validateTiers checks the skew tiers: at least one, thresholds strictly
// ascending in (0, 100), skews non-negative and non-decreasing, same length.
func validateTiers(v *validator, thresholds, skews []float64) {
	const tk, sk = "[strategy] skew_tier_thresholds_pct", "[strategy] skew_tier_bps"
	if len(thresholds) == 0 {
		v.addf("%s is empty: give at least one threshold, e.g. [5, 10, 20]", tk)
	}
	if len(thresholds) != len(skews) {
		v.addf("%s has %d values and %s has %d: they must have the same length", tk, len(thresholds), sk, len(skews))
	}
	for i, x := range thresholds {
		key := fmt.Sprintf("%s[%d]", tk, i)
		if !v.finite(key, x) {
			continue
		}
		if x <= 0 || x >= 100 {
			v.addf("%s = %v: must be > 0 and < 100", key, x)
		}
		if i > 0 && x <= thresholds[i-1] {
			v.addf("%s = %v: thresholds must be strictly ascending (previous is %v)", key, x, thresholds[i-1])
		}
	}
	for i, x := range skews {
		key := fmt.Sprintf("%s[%d]", sk, i)
		if !v.finite(key, x) {
			continue
		}
		if x < 0 || x > 10000 {
			v.addf("%s = %v: must be >= 0 and <= 10000", key, x)
		}
		if i > 0 && x < skews[i-1] {
			v.addf("%s = %v: skews must not decrease from tier to tier (previous is %v)", key, x, skews[i-1])
		}
	}
}

// Warnings lists settings that are valid but unwise, for the caller to log
// at WARN.
func (c Config) Warnings() []string {
	var w []string
	if d := c.Session.ShutdownTimeout.Duration; d > ShutdownTimeoutRecommended {
		w = append(w, fmt.Sprintf("[session] shutdown_timeout = %s is above the recommended %s: Windows kills a closed console after ~5 s, before the shutdown can finish", d, ShutdownTimeoutRecommended))
	}
	if c.Strategy.AnchorMaxDivergenceBps > c.Strategy.HalfSpreadBps {
		w = append(w, fmt.Sprintf("[strategy] anchor_max_divergence_bps = %v is above half_spread_bps = %v: quotes may cross the book mid", c.Strategy.AnchorMaxDivergenceBps, c.Strategy.HalfSpreadBps))
	}
	return w
}

// TOML returns the effective configuration as a TOML document that
// ParseConfig reads back to the same values.
func (c Config) TOML() string {
	var b strings.Builder
	b.WriteString("# neo effective configuration\n")
	enc := toml.NewEncoder(&b)
	enc.Indent = ""
	if err := enc.Encode(c); err != nil {
		// Cannot happen for this struct; keep the output parseable anyway.
		return "# cannot encode the configuration: " + sanitizeLine(err.Error()) + "\n"
	}
	return b.String()
}

// validateXRPL checks the [xrpl] table. The feed checks each endpoint in
// full when it opens (wss://, or ws:// on loopback only); here only the
// shape, so that a config error names its key.
func validateXRPL(v *validator, x XRPLConfig) {
	if len(x.Endpoints) == 0 {
		v.addf("[xrpl] endpoints is empty: give at least one server, e.g. [\"wss://xrplcluster.com\"]")
	}
	for i, u := range x.Endpoints {
		if !strings.HasPrefix(u, "wss://") && !strings.HasPrefix(u, "ws://") {
			v.addf("[xrpl] endpoints[%d] = %q: must start with wss:// (ws:// on loopback only)", i, sanitizeLine(u))
		}
	}
	if len(x.Issuer) < 25 || len(x.Issuer) > 35 || x.Issuer[0] != 'r' {
		v.addf("[xrpl] issuer = %q: must be a classic XRPL address (r…, 25 to 35 characters)", sanitizeLine(x.Issuer))
	}
	if code, err := CanonicalCurrency(x.Currency); err != nil {
		v.addf("[xrpl] currency = %q: %v", sanitizeLine(x.Currency), err)
	} else if code != x.Currency {
		// ParseConfig rewrites it; a Config built in code must say it so.
		v.addf("[xrpl] currency = %q: write %q, as the servers send it (offers are matched by that spelling)", sanitizeLine(x.Currency), code)
	}
	for _, d := range []struct {
		key      string
		d        Duration
		min, max time.Duration
	}{
		{"request_timeout", x.RequestTimeout, 100 * time.Millisecond, 5 * time.Minute},
		{"ping_after", x.PingAfter, 100 * time.Millisecond, 5 * time.Minute},
		{"live_within", x.LiveWithin, time.Second, 10 * time.Minute},
		{"stale_after", x.StaleAfter, time.Second, time.Hour},
		{"dial_timeout", x.DialTimeout, 100 * time.Millisecond, 5 * time.Minute},
		{"backoff_min", x.BackoffMin, time.Millisecond, 10 * time.Minute},
		{"backoff_max", x.BackoffMax, time.Millisecond, time.Hour},
		{"healthy_reset", x.HealthyReset, time.Second, time.Hour},
		{"cooldown", x.Cooldown, 0, 24 * time.Hour},
		{"resync_every", x.ResyncEvery, time.Second, time.Hour},
	} {
		v.duration("[xrpl] "+d.key, d.d, d.min, d.max)
	}
	if x.BackoffMax.Duration < x.BackoffMin.Duration {
		v.addf("[xrpl] backoff_max = %s is below backoff_min = %s", x.BackoffMax.Duration, x.BackoffMin.Duration)
	}
}

// isoCharSet holds the characters rippled accepts in a 3-character
// currency code (detail::isoCharSet, src/libxrpl/protocol/UintTypes.cpp).
const isoCharSet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<>(){}[]|?!@#$%^&*"

// CanonicalCurrency returns an issued currency's code as XRPL servers write
// it in JSON, so that the feed can compare it with the offers' codes as
// strings. rippled's to_string(Currency) (src/libxrpl/protocol/UintTypes.cpp)
// writes a 160-bit code whose only non-zero bytes are 12 to 14, holding a
// standard code, as those 3 characters, and any other code as 40 uppercase
// hex digits (strHex); 3-character codes are case-sensitive
// (https://xrpl.org/docs/references/protocol/data-types/currency-formats).
// XRP is not an issued currency, in any spelling.
func CanonicalCurrency(code string) (string, error) {
	switch {
	case code == "XRP":
		return "", errors.New(`XRP is the ledger's own asset, not an issued currency: give the token traded against XRP (3 characters such as "USD", or 40 hex digits such as "524C555344000000000000000000000000000000" for RLUSD)`)
	case len(code) == 3:
		if strings.Trim(code, isoCharSet) != "" {
			return "", errors.New("a 3-character code may hold only letters, digits and <>(){}[]|?!@#$%^&*")
		}
		return code, nil
	case len(code) != 40:
		return "", errors.New(`must be a 3-character code (e.g. "USD") or 40 hex digits`)
	}
	b, err := hex.DecodeString(code)
	if err != nil {
		return "", errors.New("a 40-character code must be hex digits (0-9, A-F)")
	}
	zero := func(p []byte) bool { return strings.Trim(string(p), "\x00") == "" }
	iso := string(b[12:15])
	standard := zero(b[:12]) && zero(b[15:])
	switch {
	case zero(b):
		return "", errors.New("all zeros is XRP's own code, not an issued currency")
	case zero(b[:19]) && b[19] == 1:
		return "", errors.New(`0…01 is rippled's "no currency" code, not an issued currency`)
	case standard && iso == "XRP":
		return "", errors.New(`this is "XRP" in the standard layout, which the ledger refuses for an issued currency`)
	case standard && strings.Trim(iso, isoCharSet) == "":
		return iso, nil // a standard code: the servers write its 3 characters
	}
	return strings.ToUpper(code), nil
}
