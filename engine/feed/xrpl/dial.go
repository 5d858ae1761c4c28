package xrpl

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coder/websocket"
)

// DefaultEndpoints are public XRPL servers (full history not needed).
var DefaultEndpoints = []string{"wss://xrplcluster.com", "wss://s1.ripple.com", "wss://s2.ripple.com"}

// DefaultReadLimit bounds one message. A both-sided book snapshot is far
// above coder/websocket's 32 KiB default; anything above this is treated as
// a protocol error (the connection is dropped and reopened), never a crash.
const DefaultReadLimit = 8 << 20

// Conn is one WebSocket connection as the client uses it: one reader, one
// writer.
type Conn interface {
	Read(ctx context.Context) ([]byte, error)
	Write(ctx context.Context, msg []byte) error
	Close(code int, reason string) error
}

// Dialer opens connections; tests inject one that dials a fake server.
type Dialer interface {
	Dial(ctx context.Context, url string) (Conn, error)
}

// RateLimitError is a refusal that means "too many requests from your
// address": HTTP 429 or 503 on the upgrade, close code 1008, or an error
// response slowDown / tooBusy. The endpoint cools down.
type RateLimitError struct{ Reason string }

// Error says what refused us.
func (e *RateLimitError) Error() string { return "rate limited: " + e.Reason }

// ProtocolError is a message the client cannot accept (too big, binary,
// malformed at the framing level): the connection is reopened.
type ProtocolError struct{ Reason string }

// Error says what was wrong with the message.
func (e *ProtocolError) Error() string { return "protocol error: " + e.Reason }

// ValidateEndpoint enforces the URL policy: wss:// anywhere, ws:// only to
// a loopback address (127.0.0.0/8, ::1, localhost), which is for tests and
// local nodes.
func ValidateEndpoint(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("endpoint %q: %v", sanitize(raw), err)
	}
	if u.Host == "" || u.User != nil {
		return fmt.Errorf("endpoint %q: want wss://host[:port][/path]", sanitize(raw))
	}
	switch u.Scheme {
	case "wss":
		return nil
	case "ws":
		if isLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("endpoint %q: ws:// is only allowed to loopback (127.0.0.1, ::1, localhost); use wss://", sanitize(raw))
	}
	return fmt.Errorf("endpoint %q: scheme must be wss:// (or ws:// to loopback)", sanitize(raw))
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// WSDialer dials with github.com/coder/websocket.
type WSDialer struct {
	ReadLimit int64 // 0: DefaultReadLimit
	UserAgent string
}

// Dial opens a WebSocket connection. A 429 or 503 answer to the upgrade is
// a RateLimitError.
func (d WSDialer) Dial(ctx context.Context, u string) (Conn, error) {
	if err := ValidateEndpoint(u); err != nil {
		return nil, err
	}
	h := http.Header{}
	if d.UserAgent != "" {
		h.Set("User-Agent", d.UserAgent)
	}
	c, resp, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPHeader: h, CompressionMode: websocket.CompressionDisabled})
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
			return nil, &RateLimitError{Reason: fmt.Sprintf("HTTP %d on connect", resp.StatusCode)}
		}
		return nil, err
	}
	limit := d.ReadLimit
	if limit <= 0 {
		limit = DefaultReadLimit
	}
	c.SetReadLimit(limit)
	return wsConn{c}, nil
}

type wsConn struct{ c *websocket.Conn }

// Read returns the next text message; over-limit, binary and 1008 closes
// become ProtocolError / RateLimitError.
func (w wsConn) Read(ctx context.Context) ([]byte, error) {
	typ, data, err := w.c.Read(ctx)
	if err != nil {
		switch {
		case errors.Is(err, websocket.ErrMessageTooBig):
			return nil, &ProtocolError{Reason: "message over the read limit"}
		case websocket.CloseStatus(err) == websocket.StatusPolicyViolation:
			var ce websocket.CloseError
			errors.As(err, &ce)
			return nil, &RateLimitError{Reason: fmt.Sprintf("closed with 1008 %q", clip(ce.Reason))}
		}
		return nil, err
	}
	if typ != websocket.MessageText {
		return nil, &ProtocolError{Reason: "binary message"}
	}
	return data, nil
}

// Write sends one text message.
func (w wsConn) Write(ctx context.Context, msg []byte) error {
	return w.c.Write(ctx, websocket.MessageText, msg)
}

// closeWait bounds a polite close: a server that never answers the close
// frame must not hold up shutdown.
const closeWait = time.Second

// Close closes politely with code (bounded by closeWait), or at once
// when code is 0.
func (w wsConn) Close(code int, reason string) error {
	if code == 0 {
		return w.c.CloseNow()
	}
	done := make(chan error, 1)
	go func() { done <- w.c.Close(websocket.StatusCode(code), reason) }()
	t := time.NewTimer(closeWait)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
		w.c.CloseNow()
		return <-done
	}
}
