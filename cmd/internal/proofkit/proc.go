package proofkit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// OutputLimit is how much of a headless process's stdout and stderr Start
// keeps (the tail): enough for every log line a check reads, bounded for
// hours-long soak runs.
const OutputLimit = 1 << 20

// Proc is a started process, reaped in the background. Its fields other
// than Cmd, Out, ErrOut and Started are set when Done closes.
type Proc struct {
	Cmd     *exec.Cmd
	Out     *Buffer // stdout (headless) or the terminal (console)
	ErrOut  *Buffer // stderr (headless; empty under a console)
	Started time.Time
	Done    chan struct{} // closed when the process has been reaped
	Exited  time.Time
	Code    int   // exit code, -1 if killed by a signal, -2 if Wait failed
	WaitErr error // Wait's error when Code is -2
}

// Start starts bin with args in dir ("" = ours) with env added to ours;
// stdout and stderr are collected (the last OutputLimit bytes of each).
func Start(dir, bin string, env []string, args ...string) (*Proc, error) {
	p := &Proc{Cmd: exec.Command(bin, args...), Out: NewBuffer(OutputLimit), ErrOut: NewBuffer(OutputLimit), Done: make(chan struct{})}
	p.Cmd.Env = append(os.Environ(), env...)
	p.Cmd.Dir = dir
	p.Cmd.Stdout, p.Cmd.Stderr = p.Out, p.ErrOut
	if err := p.start(); err != nil {
		return nil, err
	}
	return p, nil
}

// StartCmd starts a command the caller prepared (its own stdio, such as a
// pipe it closes) and reaps it in the background; Out and ErrOut stay empty.
func StartCmd(cmd *exec.Cmd) (*Proc, error) {
	p := &Proc{Cmd: cmd, Out: NewBuffer(0), ErrOut: NewBuffer(0), Done: make(chan struct{})}
	if err := p.start(); err != nil {
		return nil, err
	}
	return p, nil
}

// start starts the prepared command and reaps it in the background.
func (p *Proc) start() error {
	p.Started = time.Now()
	if err := p.Cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", p.Cmd.Path, err)
	}
	go func() {
		err := p.Cmd.Wait()
		p.Exited = time.Now()
		p.Code = ExitCode(err)
		if p.Code == -2 {
			p.WaitErr = err
		}
		close(p.Done)
	}()
	return nil
}

// ExitCode maps an exec Wait or Run error to the exit code: -1 when the
// process was killed by a signal, -2 for an error that is not an exit.
func ExitCode(err error) int {
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

// HasExited reports whether the process has been reaped.
func (p *Proc) HasExited() bool {
	select {
	case <-p.Done:
		return true
	default:
		return false
	}
}

// Signal sends sig to the process.
func (p *Proc) Signal(sig os.Signal) error { return p.Cmd.Process.Signal(sig) }

// SignalAt sleeps until moment after the start and sends sig, unless the
// process has exited by then (sent is false): for a signal at a chosen
// point of the start or of a command's work.
func (p *Proc) SignalAt(moment time.Duration, sig os.Signal) (sent bool) {
	time.Sleep(time.Until(p.Started.Add(moment)))
	if p.HasExited() {
		return false
	}
	p.Signal(sig)
	return true
}

// Wait waits for the exit up to limit and returns the exit code; past the
// limit the process is killed and an error says so.
func (p *Proc) Wait(limit time.Duration) (int, error) {
	t := time.NewTimer(limit)
	defer t.Stop()
	select {
	case <-p.Done:
		return p.Code, p.WaitErr
	case <-t.C:
		p.Cmd.Process.Kill()
		<-p.Done
		return p.Code, fmt.Errorf("did not exit within %s (killed)", limit)
	}
}

// Kill kills the process (idempotent) and waits for it to be reaped.
func (p *Proc) Kill() {
	if p.HasExited() {
		return
	}
	p.Cmd.Process.Kill()
	<-p.Done
}

// Result is the outcome of a process run to completion.
type Result struct {
	Code           int // as ExitCode
	Stdout, Stderr string
	Took           time.Duration
	Rusage         *syscall.Rusage // the child's resource use (max RSS…)
}

// Run runs bin with args in dir ("" = ours), env added to ours, to its end
// (killed after limit, which is then an error) and returns its result.
func Run(ctx context.Context, dir, bin string, limit time.Duration, env []string, args ...string) (Result, error) {
	return RunEnv(ctx, dir, bin, limit, append(os.Environ(), env...), args...)
}

// RunEnv is Run with exactly env as the environment.
func RunEnv(ctx context.Context, dir, bin string, limit time.Duration, env []string, args ...string) (Result, error) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	r := Result{Code: ExitCode(err), Stdout: out.String(), Stderr: errb.String(), Took: time.Since(start)}
	if cmd.ProcessState != nil {
		r.Rusage, _ = cmd.ProcessState.SysUsage().(*syscall.Rusage)
	}
	if ctx.Err() != nil {
		return r, fmt.Errorf("%s %s: did not finish within %s", bin, strings.Join(args, " "), limit)
	}
	if r.Code == -2 {
		return r, err
	}
	return r, nil
}
