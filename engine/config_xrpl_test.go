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
