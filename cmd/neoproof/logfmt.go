package main

import (
	"strings"

	"github.com/go-logfmt/logfmt"
)

// parseLogfmt splits one logfmt line (what neo's logfmt logger writes,
// through the same go-logfmt) into its fields; a key without "=" maps to
// "". A malformed line keeps the fields before the fault.
func parseLogfmt(line string) map[string]string {
	out := map[string]string{}
	d := logfmt.NewDecoder(strings.NewReader(line))
	for d.ScanRecord() {
		for d.ScanKeyval() {
			out[string(d.Key())] = string(d.Value())
		}
	}
	return out
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
