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

// Options are what Open needs beyond the --feed spec.
type Options struct {
	Seed   int64       // the sim's seed; the live feed's reconnect jitter
	Start  time.Time   // the sim's first event is one step after it
	XRPL   xrpl.Config // the live feed's settings ([xrpl]); its Seed is Seed
	Record string      // the live feed's --record file, "" for none
}

// Open returns the feed for a --feed spec: "sim" (first event one step
// after o.Start), "replay:FILE" (a price file, or an XRPL recording
// detected by its header), "xrpl" / "xrpl:URL[,URL…]" (the live XRP Ledger,
// read-only, recorded to o.Record if set) or "xrpl-replay:FILE". A Replay
// holds its file open until its end and a live feed its connection: call
// Close (every returned feed is an io.Closer).
func Open(spec string, o Options) (engine.Feed, error) {
	switch {
	case spec == "sim":
		return NewSim(o.Seed, o.Start), nil
	case IsLiveXRPL(spec):
		c := o.XRPL
		c.Seed = uint64(o.Seed)
		return xrpl.OpenLive(spec, c, o.Record)
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

// IsLiveXRPL reports whether a --feed spec names the live XRP Ledger.
func IsLiveXRPL(spec string) bool { return spec == "xrpl" || strings.HasPrefix(spec, "xrpl:") }

// Close is a no-op, so that every feed can be closed alike.
func (s *Sim) Close() error { return nil }

// sanitize makes text that came from outside (a --feed spec, a file's
// field) safe to echo back on a terminal: textsafe.Line, neo's one
// sanitiser.
func sanitize(s string) string { return textsafe.Line(s) }
