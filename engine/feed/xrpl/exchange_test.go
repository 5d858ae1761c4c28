package xrpl

import (
	"reflect"
	"testing"

	"neo/engine"
)

// TestEngineConfigDefaultsAreTheFeeds keeps the [xrpl] defaults of the
// engine's config (which cannot import this package) equal to the
// client's own.
func TestEngineConfigDefaultsAreTheFeeds(t *testing.T) {
	got := ConfigFrom(engine.DefaultConfig().XRPL)
	want := Config{Seed: 1}
	want.defaults()
	got.Seed = 1
	got.defaults()
	got.Dialer, want.Dialer, got.Clock, want.Clock, got.Rand, want.Rand = nil, nil, nil, nil, nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("engine [xrpl] defaults give\n%+v\nthe feed's defaults are\n%+v", got, want)
	}
}
