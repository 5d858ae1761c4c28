// Package feed provides neo's market feeds: a seeded simulated XRP/RLUSD
// market (Sim) and the replay of OHLCV price files (Replay).
package feed

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"neo/engine"
	"neo/engine/feed/xrpl"
	"neo/engine/textsafe"
)

// Open returns the feed for a --feed spec: "sim" (seeded by seed, first
// event one step after start), "replay:FILE" (a price file, or an XRPL
// recording detected by its header), "xrpl" / "xrpl:URL[,URL…]" (the live
// XRP Ledger, read-only; seed seeds the reconnect jitter) or
// "xrpl-replay:FILE". A Replay holds its file open until its end and a live
// feed its connection: call Close (every returned feed is an io.Closer).
// Recording a live feed (--record) goes through xrpl.OpenLive.
func Open(spec string, seed int64, start time.Time) (engine.Feed, error) {
	switch {
	case spec == "sim":
		return NewSim(seed, start), nil
	case spec == "xrpl" || strings.HasPrefix(spec, "xrpl:"):
		return xrpl.OpenLive(spec, xrpl.Config{Seed: uint64(seed)}, "")
	case strings.HasPrefix(spec, "xrpl-replay:"):
		path := strings.TrimPrefix(spec, "xrpl-replay:")
		if path == "" {
			return nil, errors.New(`feed "xrpl-replay:" names no file: use --feed xrpl-replay:FILE`)
		}
		return xrpl.OpenReplayFeed(path)
	case strings.HasPrefix(spec, "replay:"):
		path := strings.TrimPrefix(spec, "replay:")
		if path == "" {
			return nil, errors.New(`feed "replay:" names no file: use --feed replay:FILE`)
		}
		if xrpl.IsRecording(path) {
			return xrpl.OpenReplayFeed(path)
		}
		return OpenReplay(path)
	default:
		return nil, fmt.Errorf("feed %q: use --feed sim, replay:FILE, xrpl, xrpl:URL[,URL…] or xrpl-replay:FILE", sanitize(spec))
	}
}

// Close is a no-op, so that every feed can be closed alike.
func (s *Sim) Close() error { return nil }

// sanitize makes text that came from outside (a --feed spec, a file's
// field) safe to echo back on a terminal: textsafe.Line, neo's one
// sanitiser.
func sanitize(s string) string { return textsafe.Line(s) }
