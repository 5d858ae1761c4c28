package proofkit

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// Buffer collects a child's output safely across goroutines and wakes the
// waiters on every write, so that a wait for text ends the moment the text
// arrives (no polling interval to tune on a loaded machine). The zero value
// keeps everything; NewBuffer bounds what it keeps.
type Buffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	n      int64 // bytes written in total
	limit  int   // keep at most this many bytes (the tail); 0 = all
	change chan struct{}
}

// NewBuffer returns a Buffer that keeps about the last limit bytes (between
// limit and 2×limit); 0 keeps everything.
func NewBuffer(limit int) *Buffer { return &Buffer{limit: limit} }

// Write appends p and wakes the waiters.
func (w *Buffer) Write(p []byte) (int, error) {
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
	if w.change != nil {
		close(w.change)
		w.change = nil
	}
	return len(p), nil
}

// String is the content kept so far.
func (w *Buffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// Total is the number of bytes written in total: a mark for Since.
func (w *Buffer) Total() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n
}

// Since is what was written after the mark (a Total taken earlier), as far
// as it is still kept.
func (w *Buffer) Since(mark int64) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return sinceMark(w.b.Bytes(), w.n, mark)
}

// sinceMark cuts the kept bytes b (the tail of n written in total) after
// the mark.
func sinceMark(b []byte, n, mark int64) string {
	after := n - mark
	switch {
	case after <= 0:
		return ""
	case after >= int64(len(b)):
		return string(b)
	}
	return string(b[int64(len(b))-after:])
}

// snapshot returns the text after mark (ANSI stripped when text) and the
// channel that closes on the next write.
func (w *Buffer) snapshot(mark int64, text bool) (string, <-chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.change == nil {
		w.change = make(chan struct{})
	}
	s := sinceMark(w.b.Bytes(), w.n, mark)
	if text {
		s = ansi.Strip(s)
	}
	return s, w.change
}

// WaitFor waits until the output contains s, the process ends (done closes;
// nil for never) or the timeout passes, and returns the time s was seen.
// The timeout is a hang guard, not a timing assertion.
func (w *Buffer) WaitFor(s string, timeout time.Duration, done <-chan struct{}) (time.Time, error) {
	return w.wait(0, s, false, timeout, done)
}

// WaitText is WaitFor on the screen's text: it looks at what was written
// after mark (a Total taken earlier, 0 for all) with the ANSI sequences
// stripped, so that s matches what a person would read.
func (w *Buffer) WaitText(mark int64, s string, timeout time.Duration, done <-chan struct{}) (time.Time, error) {
	return w.wait(mark, s, true, timeout, done)
}

func (w *Buffer) wait(mark int64, s string, text bool, timeout time.Duration, done <-chan struct{}) (time.Time, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		got, ch := w.snapshot(mark, text)
		if strings.Contains(got, s) {
			return time.Now(), nil
		}
		select {
		case <-ch:
		case <-done:
			if got, _ := w.snapshot(mark, text); strings.Contains(got, s) {
				return time.Now(), nil
			}
			return time.Time{}, fmt.Errorf("process ended before %q appeared", s)
		case <-deadline.C:
			return time.Time{}, fmt.Errorf("%q did not appear within %s", s, timeout)
		}
	}
}

// Tail is the last n bytes of s, trimmed, with "…" in front when cut: for
// failure details that must not flood a report.
func Tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		s = "…" + s[len(s)-n:]
	}
	return s
}

// LastLine is the last line of log that contains s ("" if none): the line
// a check reads the level and cause from.
func LastLine(log, s string) string {
	var last string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, s) {
			last = l
		}
	}
	return last
}
