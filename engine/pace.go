package engine

import (
	"context"
	"time"
)

// Pacing: market time played at --speed against the wall clock, and the
// wall-clock wait for market data that halts a silent feed.

// staleWall is how long, in wall time, the loop waits for market data before
// halting as stale_feed.
// It is at least minStaleWall: at very high speeds the scaled wait would be
// shorter than the time it takes to read the next event.
func (e *Engine) staleWall() time.Duration {
	return max(time.Duration(float64(e.cfg.Risk.StaleFeedAfter.Duration)/e.speed), minStaleWall)
}

// minStaleWall is the shortest wall-clock wait for market data.
const minStaleWall = time.Second

// pace waits until market time t is due in wall time, serving stops, pauses
// and deferred publishes meanwhile.
func (e *Engine) pace(ctx context.Context, t time.Time) (HaltReason, error) {
	due := e.wallStart.Add(time.Duration(float64(t.Sub(e.marketStart)) / e.speed))
	for {
		wait := due.Sub(e.now())
		if wait <= 0 {
			return "", nil
		}
		if e.dirty {
			if next := e.lastPublish.Add(e.cfg.Console.RefreshRate.Duration); next.Before(due) {
				if w := next.Sub(e.now()); w < wait {
					wait = w
				}
			}
		}
		if wait <= 0 {
			if err := e.commit(ctx); err != nil {
				return e.failed(err)
			}
			e.publish(false)
			continue
		}
		timer := time.NewTimer(wait)
		select {
		case <-e.stopping:
			timer.Stop()
			return "", nil
		case p := <-e.pauseCh:
			timer.Stop()
			if err := e.setPaused(ctx, p); err != nil {
				return e.failed(err)
			}
		case <-timer.C:
			if e.dirty {
				if err := e.commit(ctx); err != nil {
					return e.failed(err)
				}
				e.publish(false)
			}
		}
	}
}
