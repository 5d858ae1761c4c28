package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/log"

	"neo/engine"
	"neo/engine/feed"
	"neo/store"
)

// hangingStore never answers the session-row write: a disk that hangs.
type hangingStore struct{ engine.Store }

func (hangingStore) CloseSession(context.Context, engine.SessionEnd) error { select {} }

// startTestSession starts a real session (sim feed, real store) in-process.
func startTestSession(t *testing.T, wrap func(engine.Store) engine.Store, timeout time.Duration) (*engine.Engine, *syncWriter) {
	t.Helper()
	logs := &syncWriter{}
	logger := log.New(logs)
	st, err := store.Open(context.Background(), store.Options{Path: filepath.Join(t.TempDir(), "neo.db"), Lock: true, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	const seed = 42
	t.Logf("sim seed %d", seed)
	fd, err := feed.Open("sim", feed.Options{Seed: seed, Start: time.Now().UTC()})
	if err != nil {
		t.Fatal(err)
	}
	cfg := engine.DefaultConfig()
	cfg.Session.ShutdownTimeout.Duration = timeout
	eng, err := engine.New(engine.Options{Config: cfg, Feed: fd, Store: wrap(st), Logger: slog.New(logger), Speed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return eng, logs
}

// A signal, whichever, reaches the engine as its reason through the group,
// and the group returns the engine's result.
func TestSupervisorSignalEndsTheSession(t *testing.T) {
	eng, _ := startTestSession(t, func(s engine.Store) engine.Store { return s }, 3*time.Second)
	m := &Main{Stderr: &bytes.Buffer{}, exit: func(code int) { t.Errorf("backstop fired: exit %d", code) }}
	sup := &supervisor{m: m, sigs: make(chan os.Signal, 1), timeout: 3 * time.Second}
	sup.sigs <- syscall.SIGQUIT
	res := sup.runSession(eng, nil)
	if res.Reason != engine.HaltSignalQuit || res.Err != nil {
		t.Fatalf("result %+v, want signal_quit and no error", res)
	}
}

// The backstop of a headless session (no terminal to release) exits 1
// naming the stuck step, without a panic.
func TestSupervisorBackstopHeadless(t *testing.T) {
	eng, _ := startTestSession(t, func(s engine.Store) engine.Store { return hangingStore{s} }, 300*time.Millisecond)
	stderr := &syncWriter{}
	exited := make(chan int, 1)
	m := &Main{Stderr: stderr, exit: func(code int) { exited <- code }}
	sup := &supervisor{m: m, sigs: make(chan os.Signal, 1), timeout: 300 * time.Millisecond}
	sup.sigs <- syscall.SIGTERM
	go sup.runSession(eng, nil) // never returns: the engine hangs for good
	select {
	case code := <-exited:
		if code != exitRuntime {
			t.Fatalf("exit %d, want 1", code)
		}
	case <-time.After(30 * time.Second): // a hang guard, not a timing assertion
		t.Fatal("the backstop never fired")
	}
	if !strings.Contains(stderr.String(), `stuck in step "write session row"`) {
		t.Fatalf("message does not name the stuck step: %q", stderr.String())
	}
}
