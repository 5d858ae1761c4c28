package engine_test

import (
	"strings"
	"testing"

	"neo/engine"
)

// TestXRPLConfigValidation: each bad [xrpl] value is refused with its key
// named; good overrides load.
func TestXRPLConfigValidation(t *testing.T) {
	cases := []struct {
		name, toml, want string
	}{
		{"http endpoint", `endpoints = ["http://x"]`, "[xrpl] endpoints[0]"},
		{"no endpoint", `endpoints = []`, "[xrpl] endpoints is empty"},
		{"XRP as the currency", `currency = "XRP"`, "[xrpl] currency"},
		{"short hex currency", `currency = "524C5553"`, "[xrpl] currency"},
		{"issuer not an address", `issuer = "bob"`, "[xrpl] issuer"},
		{"backoff upside down", "backoff_min = \"2m\"\nbackoff_max = \"1m\"", "[xrpl] backoff_max"},
		{"zero request timeout", `request_timeout = "0s"`, "[xrpl] request_timeout"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := engine.ParseConfig([]byte("[xrpl]\n"+tc.toml+"\n"), "test.toml")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err=%v, want one naming %s", err, tc.want)
			}
		})
	}
	c, err := engine.ParseConfig([]byte("[xrpl]\nendpoints = [\"ws://127.0.0.1:6006\"]\ncurrency = \"USD\"\ncooldown = \"30s\"\n"), "test.toml")
	if err != nil {
		t.Fatal(err)
	}
	if c.XRPL.Endpoints[0] != "ws://127.0.0.1:6006" || c.XRPL.Currency != "USD" || c.XRPL.Cooldown.String() != "30s" {
		t.Fatalf("overrides not loaded: %+v", c.XRPL)
	}
}

// TestXRPLCurrencyAsTheServersWriteIt: the feed matches offers by the
// currency code as the servers write it (rippled to_string(Currency): a
// standard code as its 3 characters, any other as uppercase hex), so the
// config is rewritten to that spelling, or refused with a reason.
func TestXRPLCurrencyAsTheServersWriteIt(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"524c555344000000000000000000000000000000", "524C555344000000000000000000000000000000"},
		{"0000000000000000000000005553440000000000", "USD"},
		{"0000000000000000000000007573640000000000", "usd"}, // case-sensitive
		{"524C555344000000000000000000000000000000", "524C555344000000000000000000000000000000"},
		{"0158415500000000c1f76ff6ecb0bac600000000", "0158415500000000C1F76FF6ECB0BAC600000000"},
		{"0000000000000000000000000000000000000100", "0000000000000000000000000000000000000100"}, // not a printable code: hex
		{"USD", "USD"},
		{"us$", "us$"},
	} {
		c, err := engine.ParseConfig([]byte("[xrpl]\ncurrency = \""+tc.in+"\"\n"), "test.toml")
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if c.XRPL.Currency != tc.want {
			t.Errorf("%s loaded as %s, want %s", tc.in, c.XRPL.Currency, tc.want)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"XRP", "not an issued currency"},
		{"0000000000000000000000005852500000000000", `"XRP" in the standard layout`},
		{"0000000000000000000000000000000000000000", "XRP's own code"},
		{"0000000000000000000000000000000000000001", "no currency"},
		{"U D", "only letters, digits"},
		{"524C55534400000000000000000000000000000G", "hex digits"},
	} {
		_, err := engine.ParseConfig([]byte("[xrpl]\ncurrency = \""+tc.in+"\"\n"), "test.toml")
		if err == nil || !strings.Contains(err.Error(), "[xrpl] currency") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err=%v, want one naming [xrpl] currency and %q", tc.in, err, tc.want)
		}
	}
	// A Config built in code is not rewritten: Validate says what to write.
	c := engine.DefaultConfig()
	c.XRPL.Currency = "524c555344000000000000000000000000000000"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), `write "524C555344000000000000000000000000000000"`) {
		t.Fatalf("lowercase hex in code: %v", err)
	}
}
