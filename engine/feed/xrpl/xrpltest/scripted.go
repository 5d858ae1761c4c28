// Package xrpltest holds fake XRPL servers for tests, on loopback only:
// Scripted, whose connections a test drives request by request, and
// Market, an autonomous server with a live order book for end-to-end
// tests, soaks and benchmarks. Both speak the documented WebSocket API
// shapes (https://xrpl.org/docs/references/http-websocket-apis) and are
// written without the feed package, so that the feed is tested against
// shapes it did not produce.
package xrpltest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// WaitLimit bounds every wait on an observable event (a deadline, not a
// timing assertion).
const WaitLimit = 10 * time.Second

// Scripted is a scripted XRPL server: each accepted connection is handed
// to the test, which reads the requests and answers them.
type Scripted struct {
	srv    *httptest.Server
	conns  chan *Conn
	refuse refusal
}

// Conn is one connection to a Scripted server.
type Conn struct {
	c    *websocket.Conn
	reqs chan map[string]any
	done chan struct{}
}

// NewScripted starts a scripted server on loopback; it stops at the end
// of the test.
func NewScripted(tb testing.TB) *Scripted {
	s := &Scripted{conns: make(chan *Conn, 16)}
	s.srv = httptest.NewServer(http.HandlerFunc(s.handle))
	tb.Cleanup(s.srv.Close)
	return s
}

// URL is the server's ws:// address.
func (s *Scripted) URL() string { return "ws" + strings.TrimPrefix(s.srv.URL, "http") }

// SetRefuse makes the server refuse upgrades with this HTTP status (429:
// rate limited); 0 accepts again.
func (s *Scripted) SetRefuse(code int) { s.refuse.set(code) }

func (s *Scripted) handle(w http.ResponseWriter, r *http.Request) {
	c := s.refuse.accept(w, r)
	if c == nil {
		return
	}
	fc := &Conn{c: c, reqs: make(chan map[string]any, 256), done: make(chan struct{})}
	s.conns <- fc
	defer close(fc.done)
	readRequests(c, func(req map[string]any) { fc.reqs <- req })
}

// Accept waits for the next connection.
func (s *Scripted) Accept(tb testing.TB) *Conn {
	tb.Helper()
	select {
	case fc := <-s.conns:
		return fc
	case <-time.After(WaitLimit):
		tb.Fatalf("no connection to %s within %s", s.URL(), WaitLimit)
	}
	return nil
}

// NoConnection fails the test if anything connected so far.
func (s *Scripted) NoConnection(tb testing.TB) {
	tb.Helper()
	select {
	case <-s.conns:
		tb.Fatalf("%s got a connection it should not have", s.URL())
	default:
	}
}

// Expect reads the next request and checks its command and api_version.
func (c *Conn) Expect(tb testing.TB, command string) map[string]any {
	tb.Helper()
	select {
	case m := <-c.reqs:
		if m["command"] != command {
			tb.Fatalf("request %v, want command %q", m, command)
		}
		if m["api_version"] != float64(2) {
			tb.Fatalf("request %v has no api_version 2", m)
		}
		return m
	case <-time.After(WaitLimit):
		tb.Fatalf("no %q request within %s", command, WaitLimit)
	}
	return nil
}

// Send writes one message.
func (c *Conn) Send(tb testing.TB, raw []byte) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), WaitLimit)
	defer cancel()
	if err := c.c.Write(ctx, websocket.MessageText, raw); err != nil {
		tb.Fatalf("fake server write: %v", err)
	}
}

// Reply answers a request with its id echoed.
func (c *Conn) Reply(tb testing.TB, req map[string]any, result any) {
	tb.Helper()
	c.Send(tb, Response(ID(req), result))
}

// ReplyError answers a request with an error code.
func (c *Conn) ReplyError(tb testing.TB, req map[string]any, code string) {
	tb.Helper()
	c.Send(tb, ErrResponse(ID(req), code))
}

// Close closes the connection with a code and reason.
func (c *Conn) Close(code websocket.StatusCode, reason string) { c.c.Close(code, reason) }

// ID is a request's id.
func ID(req map[string]any) uint64 {
	f, _ := req["id"].(float64)
	return uint64(f)
}

// Response is a success response with the id echoed.
func Response(id uint64, result any) []byte {
	return mustJSON(map[string]any{"id": id, "status": "success", "type": "response", "result": result})
}

// ErrResponse is an error response with the id echoed.
func ErrResponse(id uint64, code string) []byte {
	return mustJSON(map[string]any{"id": id, "status": "error", "type": "response", "error": code, "request": map[string]any{"id": id}})
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("xrpltest: " + err.Error()) // only maps of plain values are encoded
	}
	return b
}
