package tui

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"neo/engine"
)

// stateMsg carries a freshly published engine state and the change channel
// grabbed before it was read.
type stateMsg struct {
	state *engine.State
	next  <-chan struct{}
}

// doneMsg reports that the engine's shutdown path has finished.
type doneMsg struct{ state *engine.State }

// tickMsg drives the clocks (uptime, tick age) and the history refresh.
type tickMsg time.Time

// pullState waits for ch to close (at once when ch is nil), then grabs the
// next change channel and reads the state: notify, then pull. A burst of
// publishes while the console is busy costs one redraw. It also returns when
// the engine is done, so that no wait outlives the engine.
func pullState(c Controller, ch <-chan struct{}) tea.Cmd {
	return func() tea.Msg {
		if ch != nil {
			select {
			case <-ch:
			case <-c.Done():
				return nil
			}
			// Let a burst settle: at most one redraw per refresh_rate.
			if rate := c.State().Config.Console.RefreshRate.Duration; rate > 0 {
				t := time.NewTimer(rate)
				select {
				case <-t.C:
				case <-c.Done():
					t.Stop()
				}
			}
		}
		next := c.Changed()
		return stateMsg{state: c.State(), next: next}
	}
}

// waitDone waits for the end of the shutdown path.
func waitDone(c Controller) tea.Cmd {
	return func() tea.Msg {
		<-c.Done()
		return doneMsg{state: c.State()}
	}
}

// tick fires once a second.
func tick() tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// lipglossWidth is the display width of a styled string.
func lipglossWidth(s string) int { return ansi.StringWidth(s) }
