package store

import (
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// TimeLayout is how times are stored: UTC text that sorts as time.
const TimeLayout = "2006-01-02T15:04:05.000Z"

// fmtTime formats t for a time column.
func fmtTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// fmtTimePtr formats an optional time (NULL when nil).
func fmtTimePtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return fmtTime(*t)
}

// msPtr is an optional time as milliseconds since the Unix epoch (the
// market_time columns), NULL when nil.
func msPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMilli()
}

// fromMS reads a market_time column: milliseconds since the Unix epoch.
func fromMS(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// fromMSPtr reads an optional market_time column.
func fromMSPtr(ms sql.NullInt64) *time.Time {
	if !ms.Valid {
		return nil
	}
	t := fromMS(ms.Int64)
	return &t
}

// parseTime reads a time column. Its error is `"text" is not a time`; the
// caller names the row and the column.
func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s is not a time", quoteText(s))
	}
	return t.UTC(), nil
}

// quoteText quotes text from the database for a message: control
// characters escaped (it may reach a terminal), length capped.
func quoteText(s string) string {
	const max = 60
	if len(s) > max {
		return strconv.Quote(s[:max]) + "…"
	}
	return strconv.Quote(s)
}

// rowName names a row by its key for a message: as is when printable,
// quoted otherwise.
func rowName(s string) string {
	if q := quoteText(s); q[1:len(q)-1] != s {
		return q
	}
	return s
}

// printable replaces control characters (C0, DEL, C1) and bidirectional
// overrides in text from the database with '?', so that it cannot drive a
// terminal or reorder a line.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x200e || r == 0x200f ||
			(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			return '?'
		}
		return r
	}, s)
}

// finite reports whether every x is a finite number.
func finite(xs ...float64) bool {
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

func parseTimePtr(s sql.NullString) (*time.Time, error) {
	if !s.Valid {
		return nil, nil
	}
	t, err := parseTime(s.String)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

func floatPtr(f sql.NullFloat64) *float64 {
	if !f.Valid {
		return nil
	}
	v := f.Float64
	return &v
}

func nullFloat(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
