package tui

import (
	"strings"
	"testing"
	"time"

	"neo/engine"
)

// TestLiveHeaderShowsTheFeedStatus: a live XRPL session's header carries
// the feed's state, ledger, round trip and reconnects, the state text
// sanitised (it came from the network).
func TestLiveHeaderShowsTheFeedStatus(t *testing.T) {
	s := fakeState()
	s.Feed = "xrpl:wss://s1.ripple.com"
	s.FeedStatus = &engine.FeedStatus{State: "RECONNECTING\x1b[2J", LedgerIndex: 90000123, RTT: 42 * time.Millisecond, Reconnects: 3}
	m, _ := MustLiveModel(t, s)
	resize(t, m, 200, 60)
	got := plainView(m)
	if !strings.Contains(got, "RECONNECTING #90000123 rtt 42ms ↻3") {
		t.Fatalf("header lacks the feed status:\n%s", strings.SplitN(got, "\n", 2)[0])
	}
	if strings.Contains(m.View(), "\x1b[2J") {
		t.Fatalf("an escape sequence from the feed reached the terminal")
	}
}
