package engine_test

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"neo/assets"
	"neo/engine"
)

// MustWriteConfig writes text to config.toml in a temp dir and returns its path.
func MustWriteConfig(tb testing.TB, text string) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// loadRefused writes text to a config file and loads it, which must fail:
// it returns the file's path and the error's text.
func loadRefused(t *testing.T, text string) (path, msg string) {
	t.Helper()
	path = MustWriteConfig(t, text)
	_, err := engine.LoadConfig(path)
	if err == nil {
		t.Fatalf("LoadConfig accepted %q", text)
	}
	return path, err.Error()
}

// wantIn fails the test for each of wants that msg lacks.
func wantIn(t *testing.T, msg string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(msg, want) {
			t.Errorf("err=%q lacks %q", msg, want)
		}
	}
}

func TestEmbeddedConfigIsDefault(t *testing.T) {
	got, err := engine.ParseConfig(assets.DefaultConfig, "assets/config.toml")
	if err != nil {
		t.Fatalf("embedded config: %v", err)
	}
	if want := engine.DefaultConfig(); !reflect.DeepEqual(got, want) {
		t.Fatalf("assets/config.toml and DefaultConfig() disagree:\nfile:    %+v\ndefault: %+v", got, want)
	}
}

func TestEmbeddedConfigSetsEveryKey(t *testing.T) {
	// Every key of Config must appear in the commented file, so that the
	// file documents all of them (and a new key cannot be forgotten).
	text := string(assets.DefaultConfig)
	for _, line := range strings.Split(engine.DefaultConfig().TOML(), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "[") {
			if !strings.Contains(text, "\n"+line+"\n") {
				t.Errorf("assets/config.toml lacks section %s", line)
			}
			continue
		}
		key, _, _ := strings.Cut(line, " = ")
		if !strings.Contains(text, "\n"+key+" = ") {
			t.Errorf("assets/config.toml lacks key %s", key)
		}
	}
}

func TestDefaultConfigValidates(t *testing.T) {
	if err := engine.DefaultConfig().Validate(); err != nil {
		t.Fatal(err)
	}
	if w := engine.DefaultConfig().Warnings(); len(w) != 0 {
		t.Fatalf("default config has warnings: %v", w)
	}
}

// TestLoadConfig loads one file per kind (overrides, empty, missing,
// unknown keys, bad syntax, types and durations), a subtest each.
func TestLoadConfig(t *testing.T) {
	t.Run("Overrides", testLoadOverrides)
	t.Run("Empty", testLoadEmpty)
	t.Run("StartingBalances", testLoadStartingBalances)
	t.Run("Missing", testLoadMissing)
	t.Run("UnknownKey", testLoadUnknownKey)
	t.Run("UnknownSection", testLoadUnknownSection)
	t.Run("UnknownTopLevelKey", testLoadUnknownTopLevelKey)
	t.Run("SyntaxError", testLoadSyntaxError)
	t.Run("WrongType", testLoadWrongType)
	t.Run("BadDuration", testLoadBadDuration)
}

// testLoadOverrides: the keys a file sets override the defaults, and only
// those.
func testLoadOverrides(t *testing.T) {
	path := MustWriteConfig(t, `
[session]
starting_xrp = 500
shutdown_timeout = "2s"
[strategy]
skew_tier_thresholds_pct = [10, 30]
skew_tier_bps = [4, 8]
[console]
theme = "mono"
`)
	c, err := engine.LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	want := engine.DefaultConfig()
	want.Session.StartingXRP = 500
	want.Session.StartingValueRLUSD = 0 // a balance set alone: explicit balances
	want.Session.ShutdownTimeout = engine.D(2 * time.Second)
	want.Strategy.SkewTierThresholdsPct = []float64{10, 30}
	want.Strategy.SkewTierBps = []float64{4, 8}
	want.Console.Theme = "mono"
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("got %+v\nwant %+v", c, want)
	}
}

// testLoadEmpty: an empty file is the default config.
func testLoadEmpty(t *testing.T) {
	c, err := engine.LoadConfig(MustWriteConfig(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, engine.DefaultConfig()) {
		t.Fatalf("empty file: got %+v", c)
	}
}

// balanceCase is a [session] section and the starting value and balances
// it gives, or the error it must give.
type balanceCase struct {
	name, text        string
	value, xrp, rlusd float64
	wantErr           string
}

// testLoadStartingBalances: a starting value or balances, not both.
func testLoadStartingBalances(t *testing.T) {
	for _, tt := range []balanceCase{
		{"Default", "", 4600, 0, 0, ""},
		{"Value", "[session]\nstarting_value_rlusd = 1000\n", 1000, 0, 0, ""},
		{"Balances", "[session]\nstarting_xrp = 10\nstarting_rlusd = 20\n", 0, 10, 20, ""},
		{"OneBalance", "[session]\nstarting_rlusd = 20\n", 0, 0, 20, ""},
		{"ValueZeroAndBalances", "[session]\nstarting_value_rlusd = 0\nstarting_xrp = 10\n", 0, 10, 0, ""},
		{"Both", "[session]\nstarting_value_rlusd = 1000\nstarting_xrp = 10\n", 0, 0, 0, "starting_value_rlusd = 1000 and starting_xrp = 10 are both set"},
		{"BalancesZero", "[session]\nstarting_xrp = 0\n", 0, 0, 0, "are all 0"},
	} {
		t.Run(tt.name, func(t *testing.T) { checkStartingBalances(t, tt) })
	}
}

// checkStartingBalances parses tt's text and checks the error or the
// starting value and balances, and that the config reads back to itself.
func checkStartingBalances(t *testing.T, tt balanceCase) {
	c, err := engine.ParseConfig([]byte(tt.text), "x.toml")
	if tt.wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "[session] starting_value_rlusd") {
			t.Fatalf("err=%v, want one naming [session] starting_value_rlusd and containing %q", err, tt.wantErr)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if s := c.Session; s.StartingValueRLUSD != tt.value || s.StartingXRP != tt.xrp || s.StartingRLUSD != tt.rlusd {
		t.Fatalf("got value %v xrp %v rlusd %v, want %v %v %v", s.StartingValueRLUSD, s.StartingXRP, s.StartingRLUSD, tt.value, tt.xrp, tt.rlusd)
	}
	// The effective config reads back to itself (--print-config).
	back, err := engine.ParseConfig([]byte(c.TOML()), "printed")
	if err != nil || !reflect.DeepEqual(back, c) {
		t.Fatalf("TOML round trip: err=%v\n got %+v\nwant %+v", err, back, c)
	}
}

// testLoadMissing: a missing file is an error naming it.
func testLoadMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.toml")
	_, err := engine.LoadConfig(path)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("err=%v, want one naming %s", err, path)
	}
}

// testLoadUnknownKey: an unknown key is refused with its line and the key
// meant.
func testLoadUnknownKey(t *testing.T) {
	path, msg := loadRefused(t, "# mine\n[strategy] # tuned\nfee_bps = 2\nhalf_spread_bp = 20\n")
	wantIn(t, msg, path, "line 4: unknown key [strategy] half_spread_bp", "half_spread_bps")
}

// testLoadUnknownSection: an unknown section is refused once, not once per
// key in it.
func testLoadUnknownSection(t *testing.T) {
	path, msg := loadRefused(t, "[sesion]\nstarting_xrp = 1\nstarting_rlusd = 2\n")
	wantIn(t, msg, path, "sesion")
	if strings.Count(msg, "unknown") != 1 {
		t.Fatalf("err=%q: want the section reported once", msg)
	}
}

// testLoadUnknownTopLevelKey: a key outside every section is refused.
func testLoadUnknownTopLevelKey(t *testing.T) {
	_, msg := loadRefused(t, "theme = \"dark\"\n")
	wantIn(t, msg, "theme")
}

// testLoadSyntaxError: a syntax error names the file, line and column.
func testLoadSyntaxError(t *testing.T) {
	path, msg := loadRefused(t, "[session]\nstarting_xrp = 1\nstarting_rlusd = = 2\n")
	wantIn(t, msg, path+":3:") // file:line:column
}

// testLoadWrongType: a value of the wrong type names the file and key.
func testLoadWrongType(t *testing.T) {
	path, msg := loadRefused(t, "[store]\nbackup_retention = \"ten\"\n")
	wantIn(t, msg, path, "backup_retention")
}

// testLoadBadDuration: a duration that does not parse names the key and
// file.
func testLoadBadDuration(t *testing.T) {
	path, msg := loadRefused(t, "[risk]\nstale_feed_after = \"2 minutes\"\n")
	wantIn(t, msg, "stale_feed_after", path)
}

// TestValidate checks Validate on one row per rule, then a config with two
// problems, a warning and what a file adds to the message.
func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(c *engine.Config)
		wantIn string
	}{
		{"NegativeXRP", func(c *engine.Config) { c.Session.StartingXRP = -1 }, "[session] starting_xrp"},
		{"NoMoney", func(c *engine.Config) {
			c.Session.StartingValueRLUSD, c.Session.StartingXRP, c.Session.StartingRLUSD = 0, 0, 0
		}, "are all 0"},
		{"ValueAndBalances", func(c *engine.Config) { c.Session.StartingRLUSD = 100 }, "not both"},
		{"NegativeValue", func(c *engine.Config) { c.Session.StartingValueRLUSD = -1 }, "[session] starting_value_rlusd = -1"},
		{"HysteresisNegative", func(c *engine.Config) { c.Strategy.SkewTierHysteresisPct = -0.1 }, "[strategy] skew_tier_hysteresis_pct = -0.1"},
		{"HysteresisPastFirstTier", func(c *engine.Config) { c.Strategy.SkewTierHysteresisPct = 5 }, "below the first skew tier threshold (5)"},
		{"ZeroShutdown", func(c *engine.Config) { c.Session.ShutdownTimeout = engine.D(0) }, "[session] shutdown_timeout"},
		{"LongShutdown", func(c *engine.Config) { c.Session.ShutdownTimeout = engine.D(11 * time.Second) }, "10s"},
		{"ZeroSize", func(c *engine.Config) { c.Strategy.BaseSizeRLUSD = 0 }, "[strategy] base_size_rlusd = 0: must be > 0"},
		{"NaNSpread", func(c *engine.Config) { c.Strategy.HalfSpreadBps = math.NaN() }, "[strategy] half_spread_bps"},
		{"Target0", func(c *engine.Config) { c.Strategy.TargetXRPPct = 0 }, "[strategy] target_xrp_pct = 0: must be > 0 and < 100"},
		{"Target100", func(c *engine.Config) { c.Strategy.TargetXRPPct = 100 }, "[strategy] target_xrp_pct = 100"},
		{"TiersLength", func(c *engine.Config) { c.Strategy.SkewTierBps = []float64{5, 10} }, "same length"},
		{"TiersOrder", func(c *engine.Config) { c.Strategy.SkewTierThresholdsPct = []float64{5, 5, 20} }, "strictly ascending"},
		{"TiersEmpty", func(c *engine.Config) {
			c.Strategy.SkewTierThresholdsPct, c.Strategy.SkewTierBps = nil, nil
		}, "at least one"},
		{"SkewDecreasing", func(c *engine.Config) { c.Strategy.SkewTierBps = []float64{5, 3, 20} }, "must not decrease"},
		{"ZeroRefresh", func(c *engine.Config) { c.Strategy.OrderRefresh = engine.D(0) }, "[strategy] order_refresh"},
		{"NegativeFee", func(c *engine.Config) { c.Strategy.FeeBps = -1 }, "[strategy] fee_bps = -1: must be >= 0"},
		{"Drawdown", func(c *engine.Config) { c.Risk.MaxDrawdownPct = 150 }, "[risk] max_drawdown_pct"},
		{"Stale", func(c *engine.Config) { c.Risk.StaleFeedAfter = engine.D(-time.Second) }, "[risk] stale_feed_after"},
		{"Retention", func(c *engine.Config) { c.Store.BackupRetention = 0 }, "[store] backup_retention = 0: must be between 1"},
		{"Checkpoint", func(c *engine.Config) { c.Store.CheckpointInterval = engine.D(0) }, "[store] checkpoint_interval"},
		{"Snapshot", func(c *engine.Config) { c.Store.SnapshotInterval = engine.D(0) }, "[store] snapshot_interval"},
		{"Valuation", func(c *engine.Config) { c.Store.ValuationInterval = engine.D(0) }, "[store] valuation_interval"},
		{"Refresh", func(c *engine.Config) { c.Console.RefreshRate = engine.D(0) }, "[console] refresh_rate"},
		{"Theme", func(c *engine.Config) { c.Console.Theme = "neon" }, `[console] theme = "neon": must be one of auto, dark, light, mono`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := engine.DefaultConfig()
			tt.edit(&c)
			err := c.Validate()
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tt.wantIn) {
				t.Fatalf("err=%q, want it to contain %q", err, tt.wantIn)
			}
		})
	}

	t.Run("AllProblemsListed", testValidateAllProblemsListed)
	t.Run("ShutdownWarning", testValidateShutdownWarning)
	t.Run("FileNamesKey", testValidateFileNamesKey)
	t.Run("NaNInFile", testValidateNaNInFile)
}

// testValidateAllProblemsListed: a ValidationError lists every problem.
func testValidateAllProblemsListed(t *testing.T) {
	c := engine.DefaultConfig()
	c.Strategy.BaseSizeRLUSD = 0
	c.Console.Theme = "x"
	err := c.Validate()
	var ve *engine.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err=%T %v, want *ValidationError", err, err)
	}
	if got, want := len(ve.Problems), 2; got != want {
		t.Fatalf("problems=%d %q, want %d", got, ve.Problems, want)
	}
}

// testValidateShutdownWarning: a shutdown_timeout above the recommended
// one is valid, with a warning.
func testValidateShutdownWarning(t *testing.T) {
	c := engine.DefaultConfig()
	c.Session.ShutdownTimeout = engine.D(6 * time.Second)
	if err := c.Validate(); err != nil {
		t.Fatalf("6s rejected: %v", err)
	}
	if w := c.Warnings(); len(w) != 1 || !strings.Contains(w[0], "shutdown_timeout") {
		t.Fatalf("warnings=%q", w)
	}
}

// testValidateFileNamesKey: a file's invalid value is refused naming the
// file and the key.
func testValidateFileNamesKey(t *testing.T) {
	path, msg := loadRefused(t, "[strategy]\ntarget_xrp_pct = 150\n")
	wantIn(t, msg, path, "[strategy] target_xrp_pct = 150")
}

// testValidateNaNInFile: nan in a file is refused naming the key.
func testValidateNaNInFile(t *testing.T) {
	_, msg := loadRefused(t, "[risk]\nmax_drift_pct = nan\n")
	wantIn(t, msg, "[risk] max_drift_pct")
}

func TestConfigTOMLRoundTrip(t *testing.T) {
	c := engine.DefaultConfig()
	c.Session.ShutdownTimeout = engine.D(1500 * time.Millisecond)
	c.Strategy.NetworkFeeXRP = 0.00001
	c.Strategy.SkewTierThresholdsPct = []float64{2.5, 7}
	c.Strategy.SkewTierBps = []float64{1, 3.25}
	c.Console.Theme = "light"
	got, err := engine.ParseConfig([]byte(c.TOML()), "print-config")
	if err != nil {
		t.Fatalf("%v\n%s", err, c.TOML())
	}
	if !reflect.DeepEqual(got, c) {
		t.Fatalf("round trip: got %+v\nwant %+v", got, c)
	}
}

func FuzzLoadConfig(f *testing.F) {
	f.Add(assets.DefaultConfig)
	f.Add([]byte(""))
	f.Add([]byte("[session]\nstarting_xrp = 1e400\n"))
	f.Add([]byte("[strategy]\nskew_tier_bps = [1, \"a\"]\n"))
	f.Add([]byte("[strategy]\nskew_tier_thresholds_pct = 5\n"))
	f.Add([]byte("[store]\nbackup_retention = 9999999999999999999\n"))
	f.Add([]byte("session = 1\n"))
	f.Add([]byte("[[session]]\nstarting_xrp = 1\n"))
	f.Add([]byte("[console]\ntheme = \"\x1b[31mred\"\n"))
	f.Add([]byte("[session.x.y]\nz = 1\n"))
	f.Add([]byte("[session]\nshutdown_timeout = 3\n"))
	f.Add([]byte("[session]\nshutdown_timeout = 1979-05-27T07:32:00Z\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := engine.ParseConfig(data, "fuzz.toml")
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.toml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			if strings.ContainsAny(err.Error(), "\x1b\r\n") {
				t.Fatalf("error carries control characters: %q", err)
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("ParseConfig returned an invalid config: %v", err)
		}
		back, err := engine.ParseConfig([]byte(c.TOML()), "print-config")
		if err != nil {
			t.Fatalf("TOML() does not parse back: %v\n%s", err, c.TOML())
		}
		if !reflect.DeepEqual(back, c) {
			t.Fatalf("TOML() round trip differs:\n%+v\n%+v", back, c)
		}
	})
}
