package engine

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
)

// feedReader is the goroutine that reads the feed for the loop: Start
// starts it, stopFeed (the shutdown's first step, or a failed Start) ends it.
type feedReader struct {
	feedCh     chan feedItem
	feedWG     sync.WaitGroup
	loopCancel context.CancelFunc // ends readFeed
	firstEvent *MarketEvent       // taken by Start, applied first by the loop
}

type feedItem struct {
	ev  MarketEvent
	err error
}

// readFeed forwards feed events to the loop until the feed ends or ctx is
// done.
func (e *Engine) readFeed(ctx context.Context) {
	defer e.feedWG.Done()
	defer close(e.feedCh)
	for {
		ev, err := e.nextEvent(ctx)
		select {
		case e.feedCh <- feedItem{ev: ev, err: err}:
		case <-ctx.Done():
			return
		}
		if err != nil {
			return
		}
	}
}

// nextEvent reads the feed, turning a panic in it into an error so that the
// session still ends through the shutdown path.
func (e *Engine) nextEvent(ctx context.Context) (ev MarketEvent, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic in the feed: %v\n%s", r, debug.Stack())
		}
	}()
	return e.feed.Next(ctx)
}

func (e *Engine) stopFeed() {
	if e.loopCancel != nil {
		e.loopCancel()
	}
	e.feedWG.Wait()
}
