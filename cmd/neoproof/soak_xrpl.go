package main

// Soak rows of the live XRPL feed: the built binary against
// xrpltest's fake market, run in this process on loopback. Every verdict
// comes from the database (independent reader) and the exit code.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/coder/websocket"

	"neo/cmd/internal/proofkit"
	"neo/engine/feed/xrpl/xrpltest"
)

// xrplSoakConfig: short client timeouts, a cooldown of seconds, and a
// stale limit the faults stay under (or, for the silent socket, reach).
func xrplSoakConfig(stale string) string {
	return proofkit.FastXRPLConfig(stale, "500ms") + "healthy_reset = \"5s\"\ncooldown = \"3s\"\n"
}

// xrplFacts is what the independent reader checks after a live session:
// fills beyond their order, orders with more than they placed, and how
// many connection events of each kind the session recorded.
type xrplFacts struct {
	overfilled, fills int
	events            map[string]int
}

func readXRPLFacts(ctx context.Context, path string) (xrplFacts, error) {
	f := xrplFacts{events: map[string]int{}}
	db, err := proofkit.OpenReader(path)
	if err != nil {
		return f, err
	}
	defer db.Close()
	// No fill counted twice: the fills of an order never add up to more
	// than it placed (a ledger delivered twice would fill it again).
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT o.order_id FROM orders o JOIN fills f ON f.order_id = o.order_id
		GROUP BY o.order_id HAVING sum(f.qty_xrp) > max(o.qty_xrp) + 1e-9)`).Scan(&f.overfilled); err != nil {
		return f, err
	}
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM fills`).Scan(&f.fills); err != nil {
		return f, err
	}
	rows, err := db.QueryContext(ctx, `SELECT kind, count(*) FROM session_events GROUP BY kind`)
	if err != nil {
		return f, err
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return f, err
		}
		f.events[k] = n
	}
	return f, rows.Err()
}

// xrplSession runs one headless live session against the market's
// endpoints while fault plays, then ends it with SIGTERM (unless it ended
// by itself) and returns the exit code.
func xrplSession(ctx context.Context, o options, dir, stale string, urls []string, fault func(p *proofkit.Proc) error) (int, string, error) {
	db := filepath.Join(dir, "neo.db")
	cfg := filepath.Join(dir, "cfg.toml")
	if err := os.WriteFile(cfg, []byte(xrplSoakConfig(stale)), 0o600); err != nil {
		return 0, db, err
	}
	p, err := proofkit.Start("", o.bin, nil, "run", "--db", db, "--config", cfg, "--headless", "--log-format", "logfmt",
		"--feed", "xrpl:"+strings.Join(urls, ","))
	if err != nil {
		return 0, db, err
	}
	defer p.Kill()
	if _, err := p.ErrOut.WaitFor("session started", time.Minute, p.Done); err != nil {
		return 0, db, fmt.Errorf("%v; stderr %q", err, proofkit.Tail(p.ErrOut.String(), 300))
	}
	if err := fault(p); err != nil {
		return 0, db, err
	}
	select {
	case <-p.Done:
	default:
		p.Signal(syscall.SIGTERM)
	}
	code, err := p.Wait(30 * time.Second)
	if err != nil {
		return code, db, err
	}
	if code != 0 && code != 5 {
		return code, db, fmt.Errorf("exit %d; stderr %q", code, proofkit.Tail(p.ErrOut.String(), 300))
	}
	return code, db, nil
}

// sleepCtx waits d unless ctx ends or the process exits first.
func sleepCtx(ctx context.Context, p *proofkit.Proc, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-p.Done:
		return fmt.Errorf("neo exited (code %d) during the soak; stderr %q", p.Code, proofkit.Tail(p.ErrOut.String(), 300))
	}
}

// dropStorm runs one headless session against urls for dur while the
// server drops the connection in use with code and reason every minGap to
// minGap+3 s, ends it with SIGTERM, and checks the ending: exit 0, the
// session closed cleanly, no order filled beyond its quantity. It returns
// the number of drops and what the database holds.
func dropStorm(ctx context.Context, o options, rng *rand.Rand, m *xrpltest.Market, urls []string, name string, dur, minGap time.Duration, code websocket.StatusCode, reason string) (int, xrplFacts, error) {
	dir, cleanup, err := o.tempDir(name)
	if err != nil {
		return 0, xrplFacts{}, err
	}
	defer cleanup()
	drops := 0
	exit, db, err := xrplSession(ctx, o, dir, "30s", urls, func(p *proofkit.Proc) error {
		end := time.Now().Add(dur)
		for time.Now().Before(end) {
			if err := sleepCtx(ctx, p, minGap+time.Duration(rng.IntN(3000))*time.Millisecond); err != nil {
				return err
			}
			drops += m.Drop(code, reason)
		}
		return sleepCtx(ctx, p, 2*time.Second)
	})
	if err != nil {
		return drops, xrplFacts{}, err
	}
	if exit != 0 {
		return drops, xrplFacts{}, fmt.Errorf("exit %d, want 0 (the session must survive the drops)", exit)
	}
	if _, err := checkClean(ctx, db, "signal_terminate"); err != nil {
		return drops, xrplFacts{}, err
	}
	f, err := readXRPLFacts(ctx, db)
	if err != nil {
		return drops, f, err
	}
	if f.overfilled != 0 {
		return drops, f, fmt.Errorf("%d orders filled beyond their quantity: a fill counted twice", f.overfilled)
	}
	return drops, f, nil
}

// soakXRPLStorm: the server drops every connection every few seconds for
// 90 s × SOAK_SCALE. The session must survive (it ends on SIGTERM), count
// no fill twice and leave no order open.
func soakXRPLStorm(ctx context.Context, o options, rng *rand.Rand, r *row) {
	m := xrpltest.NewMarket(xrpltest.MarketConfig{Interval: 250 * time.Millisecond, CloseStep: 1, Seed: rng.Uint64() | 1})
	defer m.Close()
	dur := time.Duration(90*o.scale) * time.Second
	r.record(func() error {
		drops, f, err := dropStorm(ctx, o, rng, m, []string{m.URL(0)}, "xrpl-storm", dur, 2*time.Second, websocket.StatusGoingAway, "restarting")
		if err != nil {
			return err
		}
		if f.events["feed_connect"] < drops {
			return fmt.Errorf("%d connects for %d drops", f.events["feed_connect"], drops)
		}
		r.Note = fmt.Sprintf("%s, %d drops, %d connects, %d fills, quotes pulled %d times", fmtDur(dur), drops, f.events["feed_connect"], f.fills, f.events["feed_quoting"]/2)
		return nil
	}())
}

// soakXRPLSilent: the socket stays open and goes silent; the session halts
// as stale_feed (exit 5) with every order cancelled.
func soakXRPLSilent(ctx context.Context, o options, rng *rand.Rand, r *row) {
	n := o.count(3, 1)
	for i := 0; i < n && ctx.Err() == nil; i++ {
		r.record(func() error {
			m := xrpltest.NewMarket(xrpltest.MarketConfig{Interval: 250 * time.Millisecond, CloseStep: 1, Seed: rng.Uint64() | 1})
			defer m.Close()
			dir, cleanup, err := o.tempDir("xrpl-silent")
			if err != nil {
				return err
			}
			defer cleanup()
			code, db, err := xrplSession(ctx, o, dir, "6s", []string{m.URL(0)}, func(p *proofkit.Proc) error {
				if err := sleepCtx(ctx, p, time.Duration(1000+rng.IntN(3000))*time.Millisecond); err != nil {
					return err
				}
				m.SetSilent(true)
				select {
				case <-p.Done:
					return nil
				case <-time.After(time.Minute):
					return fmt.Errorf("no halt a minute after the socket went silent (stale_feed_after 6s)")
				}
			})
			if err != nil {
				return err
			}
			if code != 5 {
				return fmt.Errorf("exit %d, want 5", code)
			}
			_, err = checkClean(ctx, db, "stale_feed")
			return err
		}())
	}
	r.Note = "socket open, nothing sent: stale_feed_after 6s, exit 5"
}

// soakXRPLRateLimit: two endpoints of one market; the one in use closes
// with 1008 "threshold exceeded" every few seconds. The client rests it
// (cooldown 3s) and rotates to the other; the session survives.
func soakXRPLRateLimit(ctx context.Context, o options, rng *rand.Rand, r *row) {
	m := xrpltest.NewMarket(xrpltest.MarketConfig{Interval: 250 * time.Millisecond, CloseStep: 1, Seed: rng.Uint64() | 1})
	defer m.Close()
	urls := []string{m.URL(0), m.AddEndpoint()}
	dur := time.Duration(45*o.scale) * time.Second
	r.record(func() error {
		closes, f, err := dropStorm(ctx, o, rng, m, urls, "xrpl-ratelimit", dur, 3*time.Second, websocket.StatusPolicyViolation, "threshold exceeded")
		if err != nil {
			return err
		}
		if f.events["feed_rate_limit"] == 0 || f.events["feed_rotate"] == 0 {
			return fmt.Errorf("events %v: want rate_limit and rotate", f.events)
		}
		r.Note = fmt.Sprintf("%s, %d closes 1008, %d rate-limit events, %d rotations, %d fills", fmtDur(dur), closes, f.events["feed_rate_limit"], f.events["feed_rotate"], f.fills)
		return nil
	}())
}
