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

// pace waits until market time t is due in wall time, serving pauses and
// deferred publishes meanwhile. end says that the event must not be
// applied and the loop must return reason and err: a stop was asked for
// before t was due (both empty: the session ends at the last event
// applied, and the pending one is never applied, valued or recorded), or
// a pause or a publish failed. A stop already asked for when pace is
// called wins over an event that has come due meanwhile: the loop would
// have seen it first had the feed's event not been ready too.
func (e *Engine) pace(ctx context.Context, t time.Time) (end bool, reason HaltReason, err error) {
	due := e.wallStart.Add(time.Duration(float64(t.Sub(e.marketStart)) / e.speed))
	for {
		select {
		case <-e.stopping:
			return true, "", nil
		default:
		}
		wait := due.Sub(e.now())
		if wait <= 0 {
			return false, "", nil
		}
		if e.dirty {
			if next := e.lastPublish.Add(e.cfg.Console.RefreshRate.Duration); next.Before(due) {
				if w := next.Sub(e.now()); w < wait {
					wait = w
				}
			}
		}
		if wait <= 0 {
			if err := e.publishCommitted(ctx); err != nil {
				r, err := e.failed(err)
				return true, r, err
			}
			continue
		}
		if err := e.paceWait(ctx, wait); err != nil {
			r, err := e.failed(err)
			return true, r, err
		}
	}
}

// paceWait waits up to wait for a stop (pace sees it next), a pause or
// resume, or the timer (a deferred publish).
func (e *Engine) paceWait(ctx context.Context, wait time.Duration) error {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-e.stopping:
		return nil
	case p := <-e.pauseCh:
		return e.setPaused(ctx, p)
	case <-timer.C:
		if e.dirty {
			return e.publishCommitted(ctx)
		}
		return nil
	}
}

// publishCommitted commits what is staged, then publishes it.
func (e *Engine) publishCommitted(ctx context.Context) error {
	if err := e.commit(ctx); err != nil {
		return err
	}
	e.publish(false)
	return nil
}
