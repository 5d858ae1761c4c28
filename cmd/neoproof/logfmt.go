package main

import (
	"strconv"
	"strings"
)

// parseLogfmt splits one logfmt line (key=value, values with spaces quoted
// Go-style) into its fields. A key without "=" maps to "". Malformed quoting
// keeps the rest of the line as the value, so that no text is lost.
func parseLogfmt(line string) map[string]string {
	out := map[string]string{}
	s := strings.TrimSpace(line)
	for s != "" {
		i := strings.IndexAny(s, "= ")
		if i < 0 {
			out[s] = ""
			break
		}
		key := s[:i]
		if s[i] == ' ' {
			out[key] = ""
			s = strings.TrimLeft(s[i:], " ")
			continue
		}
		s = s[i+1:]
		var val string
		if strings.HasPrefix(s, `"`) {
			end := closingQuote(s)
			if end < 0 {
				val, s = s[1:], ""
			} else {
				q := s[:end+1]
				if u, err := strconv.Unquote(q); err == nil {
					val = u
				} else {
					val = q[1 : len(q)-1]
				}
				s = s[end+1:]
			}
		} else if j := strings.IndexByte(s, ' '); j >= 0 {
			val, s = s[:j], s[j:]
		} else {
			val, s = s, ""
		}
		if key != "" {
			out[key] = val
		}
		s = strings.TrimLeft(s, " ")
	}
	return out
}

// closingQuote is the index of the quote that closes the one at s[0], -1
// if none.
func closingQuote(s string) int {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}

// logValues returns the value of key on every logfmt line of log whose msg
// is msg, in order.
func logValues(log, msg, key string) []string {
	var out []string
	for _, line := range strings.Split(log, "\n") {
		if !strings.Contains(line, msg) {
			continue
		}
		f := parseLogfmt(line)
		if v, ok := f[key]; ok && f["msg"] == msg {
			out = append(out, v)
		}
	}
	return out
}
