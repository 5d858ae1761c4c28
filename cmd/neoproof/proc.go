package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// buffer collects a child's output safely across goroutines and records
// when each byte arrived, so that a line's arrival can be timed by our clock.
type buffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	n      int64 // bytes written in total
	limit  int   // keep at most this many bytes (the tail); 0 = all
	change chan struct{}
}

func newBuffer(limit int) *buffer { return &buffer{limit: limit, change: make(chan struct{})} }

func (w *buffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.b.Write(p)
	w.n += int64(len(p))
	if w.limit > 0 && w.b.Len() > 2*w.limit {
		keep := w.b.Bytes()[w.b.Len()-w.limit:]
		nb := make([]byte, len(keep))
		copy(nb, keep)
		w.b.Reset()
		w.b.Write(nb)
	}
	close(w.change)
	w.change = make(chan struct{})
	return len(p), nil
}

// String is the content kept so far.
func (w *buffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// Total is the number of bytes written in total.
func (w *buffer) Total() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n
}

// waitFor waits until the output contains s, the process ends (done closes)
// or the timeout passes; it returns the time s was seen.
func (w *buffer) waitFor(s string, timeout time.Duration, done <-chan struct{}) (time.Time, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		w.mu.Lock()
		ok := bytes.Contains(w.b.Bytes(), []byte(s))
		ch := w.change
		w.mu.Unlock()
		if ok {
			return time.Now(), nil
		}
		select {
		case <-ch:
		case <-done:
			if strings.Contains(w.String(), s) {
				return time.Now(), nil
			}
			return time.Time{}, fmt.Errorf("process ended before %q appeared", s)
		case <-deadline.C:
			return time.Time{}, fmt.Errorf("%q did not appear within %s", s, timeout)
		}
	}
}

// proc is a started neo process.
type proc struct {
	cmd     *exec.Cmd
	out     *buffer // stdout (headless) or the terminal (console)
	errb    *buffer // stderr
	started time.Time
	done    chan struct{} // closed when the process has been reaped
	exited  time.Time
	code    int // exit code, -1 if killed by a signal
	waitErr error
}

// startProc starts bin with args; stdout and stderr are collected.
func startProc(bin string, env []string, args ...string) (*proc, error) {
	return startProcIn("", bin, env, args...)
}

// startProcIn is startProc in the working directory dir ("" = ours), for
// relative --db spellings.
func startProcIn(dir, bin string, env []string, args ...string) (*proc, error) {
	p := &proc{cmd: exec.Command(bin, args...), out: newBuffer(1 << 20), errb: newBuffer(1 << 20), done: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Dir = dir
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.errb
	if err := p.start(); err != nil {
		return nil, err
	}
	return p, nil
}

// start starts the prepared command and reaps it in the background.
func (p *proc) start() error {
	p.started = time.Now()
	if err := p.cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", p.cmd.Path, err)
	}
	go func() {
		err := p.cmd.Wait()
		p.exited = time.Now()
		p.code = exitCode(err)
		if p.code == -2 {
			p.waitErr = err
		}
		close(p.done)
	}()
	return nil
}

// exitCode maps a Wait error to the exit code (-1 killed by a signal, -2 for
// other errors).
func exitCode(err error) int {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return -1
		}
		return ee.ExitCode()
	}
	return -2
}

// wait waits for the exit up to limit; past it the process is killed and an
// error returned.
func (p *proc) wait(limit time.Duration) (int, error) {
	t := time.NewTimer(limit)
	defer t.Stop()
	select {
	case <-p.done:
		return p.code, p.waitErr
	case <-t.C:
		p.cmd.Process.Kill()
		<-p.done
		return p.code, fmt.Errorf("did not exit within %s (killed)", limit)
	}
}

// kill kills the process (idempotent) and waits for it.
func (p *proc) kill() {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Kill()
	<-p.done
}

// tail is the last n bytes of s on one line, for failure details.
func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		s = "…" + s[len(s)-n:]
	}
	return s
}

// result is the outcome of a command run to completion.
type result struct {
	code           int
	stdout, stderr string
	took           time.Duration
	rusage         *syscall.Rusage
}

// runBin runs bin to completion (bounded by limit) and returns its result.
func runBin(ctx context.Context, bin string, limit time.Duration, env []string, args ...string) (result, error) {
	return runBinIn(ctx, "", bin, limit, env, args...)
}

// runBinIn is runBin in the working directory dir ("" = ours).
func runBinIn(ctx context.Context, dir, bin string, limit time.Duration, env []string, args ...string) (result, error) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	r := result{code: exitCode(err), stdout: out.String(), stderr: errb.String(), took: time.Since(start)}
	if cmd.ProcessState != nil {
		r.rusage, _ = cmd.ProcessState.SysUsage().(*syscall.Rusage)
	}
	if ctx.Err() != nil {
		return r, fmt.Errorf("%s %s: did not finish within %s", bin, strings.Join(args, " "), limit)
	}
	if r.code == -2 {
		return r, err
	}
	return r, nil
}

// execOutput runs a program and returns its combined output.
func execOutput(ctx context.Context, name string, args ...string) (string, error) {
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	return string(out), err
}
