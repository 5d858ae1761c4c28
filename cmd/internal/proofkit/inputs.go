package proofkit

import (
	"fmt"
	"os"
	"time"

	"neo/engine/feed"
)

// WriteBars writes a replay CSV of n one-minute bars from 2025-01-01 UTC,
// generated from seed.
func WriteBars(path string, seed int64, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := feed.WriteSampleBars(f, seed, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), n, time.Minute); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

// FastXRPLConfig is a config for xrpltest's fake market on loopback: short
// client timeouts and backoff, so that faults play out in seconds.
// staleFeedAfter is the risk limit on a silent feed, backoffMax the longest
// wait between two connection attempts.
func FastXRPLConfig(staleFeedAfter, backoffMax string) string {
	return `[risk]
stale_feed_after = "` + staleFeedAfter + `"
[xrpl]
ping_after = "1s"
request_timeout = "1s"
live_within = "2s"
stale_after = "5s"
backoff_min = "50ms"
backoff_max = "` + backoffMax + `"
`
}
