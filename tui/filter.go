package tui

import (
	"fmt"
	"strings"
	"time"

	"neo/engine"
)

// filterSpec is a parsed history filter: "reason:max_drawdown
// since:2026-11-01 until:2026-11-30 text".
type filterSpec struct {
	reason engine.HaltReason
	since  time.Time
	until  time.Time // exclusive
	text   string    // matched on session id and reason, case-insensitive
}

// parseFilter reads a filter line. Dates are UTC days (2026-11-01) or RFC
// 3339 times; until: a day includes that whole day.
func parseFilter(s string) (filterSpec, error) {
	var f filterSpec
	var words []string
	for _, tok := range strings.Fields(s) {
		name, val, ok := strings.Cut(tok, ":")
		switch {
		case ok && strings.EqualFold(name, "reason"):
			r := engine.HaltReason(strings.ToLower(val))
			if !knownReason(r) && r != "running" {
				return f, fmt.Errorf("unknown reason %q: use one of %s", val, reasonList())
			}
			f.reason = r
		case ok && strings.EqualFold(name, "since"):
			t, _, err := parseDay(val)
			if err != nil {
				return f, fmt.Errorf("since:%s: %v", val, err)
			}
			f.since = t
		case ok && strings.EqualFold(name, "until"):
			t, day, err := parseDay(val)
			if err != nil {
				return f, fmt.Errorf("until:%s: %v", val, err)
			}
			if day {
				t = t.Add(24 * time.Hour)
			}
			f.until = t
		default:
			words = append(words, tok)
		}
	}
	f.text = strings.ToLower(strings.Join(words, " "))
	return f, nil
}

func parseDay(s string) (t time.Time, day bool, err error) {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, true, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), false, nil
	}
	return time.Time{}, false, fmt.Errorf("not a date: use YYYY-MM-DD or RFC 3339")
}

func knownReason(r engine.HaltReason) bool {
	for _, k := range engine.AllHaltReasons {
		if k == r {
			return true
		}
	}
	return false
}

func reasonList() string {
	var s []string
	for _, r := range engine.AllHaltReasons {
		s = append(s, string(r))
	}
	return strings.Join(s, ", ")
}

// matches applies the parts of the filter the store cannot: free text, and
// "reason:running".
func (f filterSpec) matches(s engine.SessionSummary) bool {
	if f.reason == "running" && !isRunning(s) {
		return false
	}
	if f.text == "" {
		return true
	}
	id := strings.ToLower(s.SessionID)
	reason := string(s.HaltReason)
	switch {
	case s.LeftOpen:
		reason = "left open"
	case s.Running():
		reason = "running"
	}
	for _, w := range strings.Fields(f.text) {
		if !strings.Contains(id, w) && !strings.Contains(reason, w) {
			return false
		}
	}
	return true
}

// clientSide reports whether the filter has parts applied after the query.
func (f filterSpec) clientSide() bool { return f.text != "" || f.reason == "running" }

// isRunning reports whether the session runs now: no end recorded, and its
// process not gone (a session a crash left open is not running).
func isRunning(s engine.SessionSummary) bool { return s.Running() && !s.LeftOpen }
