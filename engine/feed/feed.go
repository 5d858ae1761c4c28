// Package feed provides neo's market feeds: a seeded simulated XRP/RLUSD
// market (Sim) and the replay of OHLCV price files (Replay).
package feed

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"neo/engine"
	"neo/engine/textsafe"
)

// Open returns the feed for a --feed spec: "sim" (seeded by seed, first
// event one step after start) or "replay:FILE". A Replay holds its file
// open until its end: call Close (the returned feed is an io.Closer) when
// stopping early.
func Open(spec string, seed int64, start time.Time) (engine.Feed, error) {
	switch {
	case spec == "sim":
		return NewSim(seed, start), nil
	case strings.HasPrefix(spec, "replay:"):
		path := strings.TrimPrefix(spec, "replay:")
		if path == "" {
			return nil, errors.New(`feed "replay:" names no file: use --feed replay:FILE`)
		}
		return OpenReplay(path)
	default:
		return nil, fmt.Errorf("feed %q: use --feed sim or --feed replay:FILE", sanitize(spec))
	}
}

// Close is a no-op, so that every feed can be closed alike.
func (s *Sim) Close() error { return nil }

// sanitize makes text that came from outside (a --feed spec, a file's
// field) safe to echo back on a terminal: textsafe.Line, neo's one
// sanitiser.
func sanitize(s string) string { return textsafe.Line(s) }
