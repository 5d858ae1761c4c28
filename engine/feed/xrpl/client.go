package xrpl

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"time"
)

// State is the health of the feed.
type State int

// Feed states. LIVE: a validated ledger arrived within LiveWithin and the
// book is in sync. DEGRADED: connected but late or resyncing. RECONNECTING:
// no connection. STALE: no validated ledger for StaleAfter.
const (
	StateConnecting State = iota
	StateLive
	StateDegraded
	StateReconnecting
	StateStale
)

var stateNames = [...]string{"CONNECTING", "LIVE", "DEGRADED", "RECONNECTING", "STALE"}

// String is the state as shown and recorded (LIVE, DEGRADED, …).
func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "UNKNOWN"
}

func parseState(s string) State {
	for i, n := range stateNames {
		if n == s {
			return State(i)
		}
	}
	return StateConnecting
}

// Config configures a Client. Zero durations take the defaults given.
type Config struct {
	Endpoints []string // default DefaultEndpoints
	Pair      Pair     // default DefaultPair

	Dialer Dialer         // default WSDialer{}
	Clock  Clock          // default SystemClock{}
	Rand   func() float64 // in [0,1): backoff jitter; default a seeded PCG (seed logged)
	Seed   uint64         // seed of the default Rand; 0 picks one from the clock

	Recorder *Recorder // optional: every request and message, with times

	RequestTimeout time.Duration // answer to a request (10 s)
	PingAfter      time.Duration // silence before a ping (10 s)
	LiveWithin     time.Duration // validated ledger age for LIVE (15 s)
	StaleAfter     time.Duration // no validated ledger: STALE (60 s)
	BackoffMin     time.Duration // first reconnect delay bound (1 s)
	BackoffMax     time.Duration // cap of the delay bound (60 s)
	HealthyReset   time.Duration // a session healthy this long resets the backoff (60 s)
	Cooldown       time.Duration // an endpoint that rate-limited us rests this long (5 min)
	ResyncEvery    time.Duration // periodic book_offers resync and refresh (60 s)
	Tick           time.Duration // housekeeping period (1 s)
	DialTimeout    time.Duration // opening handshake (10 s)
}

func (c *Config) defaults() {
	if len(c.Endpoints) == 0 {
		c.Endpoints = DefaultEndpoints
	}
	if c.Pair == (Pair{}) {
		c.Pair = DefaultPair
	}
	if c.Dialer == nil {
		c.Dialer = WSDialer{}
	}
	if c.Clock == nil {
		c.Clock = SystemClock{}
	}
	if c.Rand == nil {
		seed := c.Seed
		if seed == 0 {
			seed = uint64(c.Clock.Now().UnixNano())
			c.Seed = seed
		}
		c.Rand = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)).Float64
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.RequestTimeout, 10*time.Second)
	def(&c.PingAfter, 10*time.Second)
	def(&c.LiveWithin, 15*time.Second)
	def(&c.StaleAfter, 60*time.Second)
	def(&c.BackoffMin, time.Second)
	def(&c.BackoffMax, 60*time.Second)
	def(&c.HealthyReset, 60*time.Second)
	def(&c.Cooldown, 5*time.Minute)
	def(&c.ResyncEvery, 60*time.Second)
	def(&c.Tick, time.Second)
	def(&c.DialTimeout, 10*time.Second)
}

// Delivered is one completed validated ledger with the feed's state when
// it completed.
type Delivered struct {
	Result   LedgerResult
	State    State
	Endpoint string
	// Interruptions counts the times the feed left LIVE before this
	// ledger completed (a replay counts the recorded state lines alike).
	Interruptions uint64
}

// Event is a connection event for the session log (session_events).
type Event struct {
	At      time.Time
	Level   string // info, warn, error
	Kind    string // connect, disconnect, rate_limit, rotate, resync, gap, state, load_warning, no_amm, protocol
	Message string
}

// Status is the feed as a console shows it.
type Status struct {
	State        State
	Endpoint     string
	LedgerIndex  uint32
	LastLedgerAt time.Time // receive time of the last validated ledger
	LedgerClose  time.Time // its close time
	RTT          time.Duration
	Messages     uint64 // messages received, all connections
	Reconnects   int
	RateLimits   int
	Resyncs      int
	LastError    string
	HasAMM       bool
	Seed         uint64
	// Interruptions counts the times the state left LIVE.
	Interruptions uint64
}

// ErrClosed is returned by Next after Close.
var ErrClosed = errors.New("xrpl feed closed")

// Client is the live feed: one goroutine owns the connection, the protocol
// processor and the reconnect loop; one more reads the socket.
type Client struct {
	cfg Config
	p   *Processor

	mu      sync.Mutex
	status  Status
	changed chan struct{} // closed and replaced when the status changes
	queue   []Delivered
	events  []Event
	notify  chan struct{}

	eps    []endpoint
	cur    int
	nextID uint64

	started   time.Time
	recFailed bool // the recording's write error was reported
	cancel    context.CancelFunc
	done      chan struct{}
}

type endpoint struct {
	url       string
	coolUntil time.Time
}

// maxEvents bounds the events kept for TakeEvents.
const maxEvents = 512

// NewClient checks the configuration; Start runs it.
func NewClient(cfg Config) (*Client, error) {
	cfg.defaults()
	c := &Client{cfg: cfg, p: NewProcessor(cfg.Pair), notify: make(chan struct{}, 1), done: make(chan struct{}), changed: make(chan struct{})}
	for _, u := range cfg.Endpoints {
		if err := ValidateEndpoint(u); err != nil {
			return nil, err
		}
		c.eps = append(c.eps, endpoint{url: u})
	}
	c.status.Seed = cfg.Seed
	return c, nil
}

// Start runs the client until ctx ends or Close.
func (c *Client) Start(ctx context.Context) {
	ctx, c.cancel = context.WithCancel(ctx)
	c.started = c.cfg.Clock.Now()
	go c.run(ctx)
}

// Close stops the client and waits for its goroutines.
func (c *Client) Close() error {
	if c.cancel != nil {
		c.cancel()
		<-c.done
	}
	return nil
}

// Status returns the current status.
func (c *Client) Status() Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.status
}

// Changed returns a channel that is closed at the next status change: grab
// it, read Status, wait on it (bursts coalesce; the client never blocks).
func (c *Client) Changed() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.changed
}

func (c *Client) update(f func(s *Status)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f(&c.status)
	close(c.changed)
	c.changed = make(chan struct{})
}

// TakeEvents returns the events since the last call.
func (c *Client) TakeEvents() []Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	ev := c.events
	c.events = nil
	return ev
}

// Next returns the next completed ledger, in order.
func (c *Client) Next(ctx context.Context) (Delivered, error) {
	for {
		c.mu.Lock()
		if len(c.queue) > 0 {
			d := c.queue[0]
			c.queue[0] = Delivered{}
			c.queue = c.queue[1:]
			c.mu.Unlock()
			return d, nil
		}
		c.mu.Unlock()
		select {
		case <-c.notify:
		case <-ctx.Done():
			return Delivered{}, ctx.Err()
		case <-c.done:
			c.mu.Lock()
			n := len(c.queue)
			c.mu.Unlock()
			if n == 0 {
				return Delivered{}, ErrClosed
			}
		}
	}
}

func (c *Client) event(level, kind, msg string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.events) >= maxEvents {
		c.events = c.events[1:]
	}
	c.events = append(c.events, Event{At: c.cfg.Clock.Now(), Level: level, Kind: kind, Message: sanitize(msg)})
	if level != "info" {
		c.status.LastError = sanitize(msg)
	}
	close(c.changed)
	c.changed = make(chan struct{})
}

func (c *Client) setState(s State) {
	c.mu.Lock()
	old := c.status.State
	if old == s {
		c.mu.Unlock()
		return // the common case, once a message: nothing to tell anyone
	}
	c.status.State = s
	if old == StateLive {
		c.status.Interruptions++
	}
	close(c.changed)
	c.changed = make(chan struct{})
	c.mu.Unlock()
	c.cfg.Recorder.write(recLine{At: c.cfg.Clock.Now(), Ev: "state", State: s.String()}, false)
	level := "info"
	if s == StateStale {
		level = "warn"
	}
	c.event(level, "state", fmt.Sprintf("feed %s → %s", old, s))
}

func (c *Client) deliver(d Delivered) {
	c.mu.Lock()
	d.Interruptions = c.status.Interruptions
	c.queue = append(c.queue, d)
	c.mu.Unlock()
	c.cfg.Recorder.write(recLine{At: c.cfg.Clock.Now(), Ev: "ledger", Ledger: d.Result.Ledger.LedgerIndex, State: d.State.String()}, true)
	select {
	case c.notify <- struct{}{}:
	default:
	}
}

// sleep waits d on the injected clock; false when ctx ended.
func (c *Client) sleep(ctx context.Context, d time.Duration) bool {
	t := c.cfg.Clock.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C():
		return true
	case <-ctx.Done():
		return false
	}
}

// backoff is full jitter: uniform in [0, min(max, min×2^attempt)).
func (c *Client) backoff(attempt int) time.Duration {
	bound := float64(c.cfg.BackoffMin) * math.Pow(2, float64(min(attempt, 30)))
	bound = math.Min(bound, float64(c.cfg.BackoffMax))
	return time.Duration(c.cfg.Rand() * bound)
}

// pick returns the current endpoint if it is not cooling down, else the
// next one that is not; if all are, how long until the first is back.
func (c *Client) pick(now time.Time) (int, time.Duration) {
	var soonest time.Duration = -1
	for k := range c.eps {
		i := (c.cur + k) % len(c.eps)
		if !now.Before(c.eps[i].coolUntil) {
			return i, 0
		}
		if w := c.eps[i].coolUntil.Sub(now); soonest < 0 || w < soonest {
			soonest = w
		}
	}
	return -1, soonest
}

func (c *Client) run(ctx context.Context) {
	defer close(c.done)
	c.event("info", "start", fmt.Sprintf("xrpl feed starting; endpoints %v; backoff seed %d", c.cfg.Endpoints, c.cfg.Seed))
	attempt := 0
	last := -1 // the endpoint of the previous connection
	for first := true; ; first = false {
		if !first {
			c.evalState(c.cfg.Clock.Now(), false)
			d := c.backoff(attempt)
			attempt++
			if !c.sleep(ctx, d) {
				return
			}
			c.evalState(c.cfg.Clock.Now(), false)
		}
		i, wait := c.pick(c.cfg.Clock.Now())
		for i < 0 {
			c.event("warn", "rate_limit", fmt.Sprintf("every endpoint is cooling down; waiting %s", wait.Round(time.Second)))
			if !c.sleep(ctx, wait) {
				return
			}
			i, wait = c.pick(c.cfg.Clock.Now())
		}
		if last >= 0 && i != last {
			c.event("info", "rotate", fmt.Sprintf("endpoint %s → %s", c.eps[last].url, c.eps[i].url))
		}
		c.cur, last = i, i
		res := c.session(ctx, c.eps[i].url)
		if ctx.Err() != nil {
			return
		}
		if res.healthy {
			attempt = 0
		}
		now := c.cfg.Clock.Now()
		var rl *RateLimitError
		switch {
		case errors.As(res.err, &rl):
			c.eps[i].coolUntil = now.Add(c.cfg.Cooldown)
			c.update(func(s *Status) {
				s.RateLimits++
			})
			c.event("warn", "rate_limit", fmt.Sprintf("%s rate-limited us (%s): resting it for %s", c.eps[i].url, rl.Reason, c.cfg.Cooldown))
		case res.cool > 0:
			c.eps[i].coolUntil = now.Add(res.cool)
		}
		c.event("warn", "disconnect", fmt.Sprintf("%s: %v; reconnecting", c.eps[i].url, res.err))
		c.update(func(s *Status) {
			s.Reconnects++
		})
		c.cur = (i + 1) % len(c.eps) // rotate
	}
}

// evalState derives the state from the last validated ledger's age.
func (c *Client) evalState(now time.Time, connected bool) State {
	c.mu.Lock()
	last := c.status.LastLedgerAt
	c.mu.Unlock()
	ref := last
	if ref.IsZero() {
		ref = c.started // never had a ledger: stale counts from the start
	}
	var s State
	switch {
	case now.Sub(ref) > c.cfg.StaleAfter:
		s = StateStale
	case !connected:
		s = StateReconnecting
	case c.p.Synced() && !last.IsZero() && now.Sub(last) <= c.cfg.LiveWithin:
		s = StateLive
	default:
		s = StateDegraded
	}
	c.setState(s)
	return s
}
