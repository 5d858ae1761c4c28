package xrpl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"
)

// One connection, step by step, as the XRPL WebSocket API asks to be
// used: connect → server_info → account_info → amm_info → subscribe →
// resync (book_offers) → read loop (ledgers, transactions, answers; ping,
// refresh and resync retries on the tick). The requests themselves are
// built by the Processor; a session sends them, times them and turns what
// the Processor saw into status, events and delivered ledgers.

type sessionResult struct {
	err     error
	healthy bool
	cool    time.Duration // rest the endpoint this long (not rate-limited)
}

type readResult struct {
	data []byte
	err  error
}

type inflight struct {
	sent     time.Time
	deadline time.Time
	command  string
}

// outOfStepRest is how long a server that cannot serve us (out of step
// with the network, or refusing our subscription) rests before we dial it
// again.
const outOfStepRest = 30 * time.Second

// healthyStates are server_info states of a server that follows the network
// (https://xrpl.org/docs/references/http-websocket-apis/api-conventions/xrpld-server-states);
// "tracking" ("in agreement with the network") is accepted too when its
// validated ledger is recent (see stateOK).
var healthyStates = map[string]bool{"full": true, "proposing": true, "validating": true}

// session is one connection: the socket and its reader, the requests in
// flight, and the timers of the read loop.
type session struct {
	c    *Client
	url  string
	conn Conn
	ctx  context.Context // ends with the session: bounds reads and writes
	stop context.CancelFunc
	msgs chan readResult
	wg   sync.WaitGroup // the reader

	pending       map[uint64]inflight
	connectedAt   time.Time
	lastMsg       time.Time // the last message received
	loadWarnAt    time.Time // the last "warning":"load"
	nextPeriodic  time.Time // the next refresh and resync
	nextResyncTry time.Time // the earliest retry of a failed resync
	healthy       bool      // LIVE for HealthyReset: the backoff restarts
}

// session runs one connection to url until it fails or ctx ends, and says
// why it ended.
func (c *Client) session(ctx context.Context, url string) (res sessionResult) {
	s, err := c.connect(ctx, url)
	if err != nil {
		return sessionResult{err: fmt.Errorf("connect: %w", err)}
	}
	defer func() { s.close(ctx, res.err) }()
	s.opened()
	if err := s.start(); err != nil {
		return sendFailed(err)
	}
	c.evalState(s.connectedAt, true)
	return s.readLoop(ctx)
}

// connect opens the WebSocket within DialTimeout and starts its reader.
// The XRPL servers speak JSON over WebSocket; every request carries an id
// (the answer echoes it) and api_version 2 (see send).
func (c *Client) connect(ctx context.Context, url string) (*session, error) {
	dctx, dcancel := context.WithTimeout(ctx, c.cfg.DialTimeout)
	conn, err := c.cfg.Dialer.Dial(dctx, url)
	dcancel()
	if err != nil {
		return nil, err
	}
	s := &session{c: c, url: url, conn: conn, msgs: make(chan readResult, 64), pending: map[uint64]inflight{}}
	s.ctx, s.stop = context.WithCancel(ctx)
	s.wg.Add(1)
	go s.read()
	return s, nil
}

// read passes every message (and the error that ends reading) to the loop.
func (s *session) read() {
	defer s.wg.Done()
	for {
		data, err := s.conn.Read(s.ctx)
		select {
		case s.msgs <- readResult{data, err}:
		case <-s.ctx.Done():
			return
		}
		if err != nil {
			return
		}
	}
}

// close closes the socket (a normal closure when we are shutting down),
// waits for the reader and records why the session ended.
func (s *session) close(ctx context.Context, why error) {
	if ctx.Err() != nil {
		s.conn.Close(1000, "shutting down")
	} else {
		s.conn.Close(0, "")
	}
	s.stop()
	s.wg.Wait()
	s.c.cfg.Recorder.write(recLine{At: s.c.cfg.Clock.Now(), Ev: "close", Text: fmt.Sprint(why)}, true)
}

// opened records the connection and tells the Processor: whatever was
// asked or assembled on the previous connection is void (answers are per
// connection; the book is not trusted until the next resync).
func (s *session) opened() {
	c := s.c
	s.connectedAt = c.cfg.Clock.Now()
	s.lastMsg = s.connectedAt
	s.nextPeriodic = s.connectedAt.Add(c.cfg.ResyncEvery)
	s.nextResyncTry = s.connectedAt
	c.cfg.Recorder.write(recLine{At: s.connectedAt, Ev: "connect", Endpoint: s.url}, true)
	c.p.Connected()
	c.update(func(st *Status) {
		st.Endpoint = s.url
	})
	c.event("info", "connect", "connected to "+s.url)
}

// start sends the requests of a fresh connection, the Processor's
// StartRequests in order, without waiting for answers: the server answers
// each by id.
func (s *session) start() error {
	for _, r := range s.c.p.StartRequests() {
		if err := s.send(r); err != nil {
			return err
		}
	}
	return nil
}

// serverInfo asks whether the server follows the network: server_state
// must be full, proposing or validating (or tracking with a validated
// ledger, see stateOK) and validated_ledger.age small;
// load_factor scales the network fee
// (https://xrpl.org/docs/references/http-websocket-apis/public-api-methods/server-info-methods/server_info).
// The answer is judged in verdict.
func (s *session) serverInfo() error { return s.send(s.c.p.ServerInfoRequest()) }

// accountInfo asks for the issuer's AccountRoot at the validated ledger:
// TransferRate (the transfer fee) and TickSize
// (https://xrpl.org/docs/references/http-websocket-apis/public-api-methods/account-methods/account_info).
func (s *session) accountInfo() error { return s.send(s.c.p.AccountInfoRequest()) }

// ammInfo asks for the pair's AMM at the validated ledger: the pool, its
// trading fee and its account, which the Processor then subscribes to
// (swaps through the pool alone never show on the book stream); actNotFound
// means no AMM
// (https://xrpl.org/docs/references/http-websocket-apis/public-api-methods/path-and-order-book-methods/amm_info).
func (s *session) ammInfo() error { return s.send(s.c.p.AMMInfoRequest()) }

// resync asks for the first book_offers page at the latest validated
// ledger; the Processor pins the following pages to that ledger (markers
// are valid only there) and catches the book up with the stream.
func (s *session) resync() error { return s.send(s.c.p.ResyncRequest()) }

// ping asks for an answer on a silent socket.
func (s *session) ping() error { return s.send(Request{"command": "ping"}) }

// send writes one request with the next id and api_version 2 (without it a
// WebSocket request is answered as API v1: `transaction` instead of
// `tx_json`), registers it with the Processor and times it.
func (s *session) send(r Request) error {
	c := s.c
	c.nextID++
	body := make(map[string]any, len(r)+2)
	for k, v := range r {
		body[k] = v
	}
	body["id"] = c.nextID
	body["api_version"] = 2
	raw, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("encode %v: %w", r["command"], err)
	}
	now := c.cfg.Clock.Now()
	c.cfg.Recorder.message(now, "send", raw)
	if err := c.p.Sent(raw); err != nil {
		return err
	}
	s.pending[c.nextID] = inflight{sent: now, deadline: now.Add(c.cfg.RequestTimeout), command: fmt.Sprint(r["command"])}
	wctx, wcancel := context.WithTimeout(s.ctx, c.cfg.RequestTimeout)
	defer wcancel()
	return s.conn.Write(wctx, raw)
}

func sendFailed(err error) sessionResult {
	return sessionResult{err: fmt.Errorf("send: %w", err)}
}

// readLoop handles messages as they come and housekeeping every Tick until
// the session ends.
func (s *session) readLoop(ctx context.Context) sessionResult {
	clk := s.c.cfg.Clock
	timer := clk.NewTimer(s.c.cfg.Tick)
	defer func() { timer.Stop() }()
	for {
		select {
		case <-ctx.Done():
			return sessionResult{err: ctx.Err()}
		case rr := <-s.msgs:
			if end := s.received(rr); end != nil {
				return *end
			}
		case <-timer.C():
			if end := s.tick(); end != nil {
				return *end
			}
			timer = clk.NewTimer(s.c.cfg.Tick)
		}
	}
}

// received handles one message: the Processor reads it, the session acts
// on what it saw. Non-nil ends the session.
func (s *session) received(rr readResult) *sessionResult {
	if rr.err != nil {
		return &sessionResult{err: rr.err, healthy: s.healthy}
	}
	c := s.c
	now := c.cfg.Clock.Now()
	s.lastMsg = now
	c.update(func(st *Status) { st.Messages++ })
	c.cfg.Recorder.message(now, "recv", rr.data)
	u := c.p.Received(rr.data)
	s.answered(u, now)
	if u.Err != nil {
		c.event("warn", "protocol", u.Err.Error())
	}
	if end := s.verdict(u); end != nil {
		return end
	}
	s.warnings(u, now)
	if err := s.followUp(u); err != nil {
		end := sendFailed(err)
		return &end
	}
	s.progress(u, now)
	return nil
}

// answered takes an answered request off the clock and measures its round
// trip.
func (s *session) answered(u Update, now time.Time) {
	if u.Response == nil {
		return
	}
	if in, ok := s.pending[u.Response.ID]; ok {
		delete(s.pending, u.Response.ID)
		s.c.update(func(st *Status) {
			st.RTT = now.Sub(in.sent)
		})
	}
}

// verdict leaves a server that asks us to (slowDown, tooBusy: rate limited),
// does not follow the network (noNetwork and the other universal errors, a
// validated ledger older than StaleAfter, a server_state that stateOK
// refuses) or refused a subscribe (any other error: without the streams
// the session would only go STALE); those rest outOfStepRest.
func (s *session) verdict(u Update) *sessionResult {
	switch {
	case u.RateLimited:
		return &sessionResult{err: &RateLimitError{Reason: u.Err.Error()}, healthy: s.healthy}
	case u.Unhealthy:
		return &sessionResult{err: fmt.Errorf("server out of step: %v", u.Err), cool: outOfStepRest}
	case u.SubscribeFailed:
		return &sessionResult{err: fmt.Errorf("subscription refused: %v", u.Err), cool: outOfStepRest}
	case u.ValidatedAge > s.c.cfg.StaleAfter:
		return &sessionResult{err: fmt.Errorf("server's last validated ledger is %s old: it lags the network", u.ValidatedAge.Round(time.Second)), cool: outOfStepRest}
	case u.ServerState != "" && !stateOK(u):
		return &sessionResult{err: fmt.Errorf("server state %q: not following the network", sanitize(u.ServerState)), cool: outOfStepRest}
	}
	return nil
}

// stateOK accepts server_info's server_state: full, proposing or
// validating; or tracking, which xrpl.org's xrpld-server-states page
// defines as "in agreement with the network" (enough to read validated
// data), when validated_ledger.age is reported (verdict has already left a
// server whose age passed StaleAfter).
func stateOK(u Update) bool {
	if healthyStates[u.ServerState] {
		return true
	}
	return u.ServerState == "tracking" && u.ValidatedAge >= 0
}

// warnings logs a "warning":"load" (at most once a minute; periodic
// refreshes pause meanwhile) and a pair without an AMM.
func (s *session) warnings(u Update, now time.Time) {
	if u.LoadWarning && now.Sub(s.loadWarnAt) > time.Minute {
		s.c.event("warn", "load_warning", s.url+` answered "warning":"load": near its rate limit; skipping periodic refreshes`)
		s.loadWarnAt = now
	}
	if u.NoAMM {
		s.c.event("warn", "no_amm", "no AMM for the pair: running without the anchor (Anchor = 0)")
	}
}

// followUp sends what the Processor asked for next (book_offers pages, the
// AMM account's subscription) and, after missed ledgers, a resync unless
// one is running.
func (s *session) followUp(u Update) error {
	for _, r := range u.FollowUps {
		if err := s.send(r); err != nil {
			return err
		}
	}
	if !u.Gap {
		return nil
	}
	s.c.event("warn", "gap", "ledgers missed: resyncing the book")
	if s.c.p.Resyncing() {
		return nil
	}
	return s.resync()
}

// progress publishes what the message moved forward: a finished resync, a
// new validated ledger (the heartbeat), the state, and the ledgers it
// completed, delivered with that state.
func (s *session) progress(u Update, now time.Time) {
	c := s.c
	if u.Synced {
		c.update(func(st *Status) {
			st.Resyncs++
		})
		c.event("info", "resync", "book resynced with book_offers")
	}
	if u.LedgerClosed != 0 {
		c.update(func(st *Status) {
			st.LedgerIndex = u.LedgerClosed
			st.LastLedgerAt = now
		})
	}
	state := c.evalState(now, true)
	for _, l := range u.Ledgers {
		c.update(func(st *Status) {
			st.LedgerClose = l.CloseTime()
			st.HasAMM = l.HasAMM
		})
		c.deliver(Delivered{Result: l, State: state, Endpoint: s.url})
	}
}

// tick is the housekeeping of every Tick: report a failed recording,
// expire requests, ping a silent socket, refresh, retry a failed resync,
// and mark the session healthy once LIVE for HealthyReset. Non-nil ends
// the session.
func (s *session) tick() *sessionResult {
	c := s.c
	now := c.cfg.Clock.Now()
	c.reportRecording()
	if end := s.expire(now); end != nil {
		return end
	}
	for _, step := range []func(time.Time) error{s.keepAlive, s.refresh, s.retryResync} {
		if err := step(now); err != nil {
			end := sendFailed(err)
			return &end
		}
	}
	if c.evalState(now, true) == StateLive && now.Sub(s.connectedAt) >= c.cfg.HealthyReset {
		s.healthy = true
	}
	return nil
}

// reportRecording logs, once, that the recording failed.
func (c *Client) reportRecording() {
	if err := c.cfg.Recorder.Err(); err != nil && !c.recFailed {
		c.recFailed = true
		c.event("error", "record", err.Error()+": the recording is incomplete and cannot be replayed past this point; free disk space or drop --record")
	}
}

// expire drops the requests unanswered for RequestTimeout (a lost
// book_offers page aborts its resync); an unanswered ping ends the
// session, an unanswered subscribe too (the endpoint rests outOfStepRest:
// without the streams the session would only go STALE).
func (s *session) expire(now time.Time) *sessionResult {
	c := s.c
	for id, in := range s.pending {
		if now.Before(in.deadline) {
			continue
		}
		delete(s.pending, id)
		c.p.TimedOut(id)
		c.cfg.Recorder.write(recLine{At: now, Ev: "timeout", ID: id}, false)
		switch in.command {
		case "ping":
			return &sessionResult{err: errors.New("no answer to ping: the socket went silent"), healthy: s.healthy}
		case "subscribe":
			return &sessionResult{err: fmt.Errorf("subscribe got no answer in %s", c.cfg.RequestTimeout), cool: outOfStepRest}
		}
		c.event("warn", "timeout", fmt.Sprintf("%s got no answer in %s", in.command, c.cfg.RequestTimeout))
	}
	return nil
}

// keepAlive pings after PingAfter of silence, one ping at a time.
func (s *session) keepAlive(now time.Time) error {
	if now.Sub(s.lastMsg) < s.c.cfg.PingAfter || hasPing(s.pending) {
		return nil
	}
	return s.ping()
}

// refresh, every ResyncEvery while in sync, asks server_info, account_info
// and amm_info again (load factor, issuer settings, pool) and resyncs the
// book (funding changes that touch no offer are seen only this way);
// skipped while the server warns of load.
func (s *session) refresh(now time.Time) error {
	c := s.c
	if !c.p.Synced() || now.Before(s.nextPeriodic) {
		return nil
	}
	s.nextPeriodic = now.Add(c.cfg.ResyncEvery)
	if now.Sub(s.loadWarnAt) <= c.cfg.ResyncEvery {
		return nil
	}
	for _, step := range []func() error{s.serverInfo, s.accountInfo, s.ammInfo, s.resync} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// retryResync starts a resync, at most every 5 s, when the book is out of
// sync and none is running (after a gap or a failed resync).
func (s *session) retryResync(now time.Time) error {
	if !s.c.p.NeedsResync() || now.Before(s.nextResyncTry) {
		return nil
	}
	s.nextResyncTry = now.Add(5 * time.Second)
	return s.resync()
}

func hasPing(p map[uint64]inflight) bool {
	for _, in := range p {
		if in.command == "ping" {
			return true
		}
	}
	return false
}
