package feed

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"neo/engine"
)

// maxLineBytes bounds one line of a replay file (and one record: a quoted
// field left open runs on over lines); anything longer is not a price file.
const maxLineBytes = 1 << 20

// Accepted prices. XRP has traded between a few tenths of a cent and a few
// RLUSD; the range leaves nine orders of magnitude on each side, and keeps
// every product the engine forms (price × balances of up to 1e9, sums over a
// session) far from float64 overflow, so no value it records can become
// infinite. A bar outside it is a broken file, not a market.
const (
	minPrice = 1e-9
	maxPrice = 1e9
	// maxVolume bounds a bar's volume for the same reason.
	maxVolume = 1e18
)

// Column names of the two accepted CSV formats, used in error messages.
var (
	plainFields   = []string{"time", "open", "high", "low", "close", "volume"}
	binanceFields = []string{"open_time", "open", "high", "low", "close", "volume",
		"close_time", "quote_volume", "count", "taker_buy_volume", "taker_buy_quote_volume", "ignore"}
)

// csvFormat is the layout of a replay file, decided by its first line.
type csvFormat int

const (
	formatUnknown csvFormat = iota
	formatPlain             // time,open,high,low,close,volume
	formatBinance           // the 12 columns of a Binance kline file
)

// Replay streams bars from an OHLCV CSV file, one MarketEvent per bar. It
// reads one line at a time, so memory stays bounded whatever the file's
// size.
//
// Accepted files: Binance kline files (12 columns, open and close times in
// milliseconds or microseconds) and plain `time,open,high,low,close,volume`
// files, each with or without a header line. In a plain file the time is the
// END of the bar (the moment its close was known), as Unix seconds,
// milliseconds, microseconds or nanoseconds (decided by magnitude) or as a
// UTC timestamp (`2025-01-01 03:00:00`, ISO 8601 / RFC 3339 with or without
// fractional seconds and zone). A kline's event time is its close_time
// rounded up to the bar's end (Binance writes open+interval-1ms).
//
// Each event has Bar set, Bid/Ask = close ∓ 1 bp and no Trades. A price file
// carries no AMM pool price, so Anchor is 0: the engine then quotes around
// the mid and the anchor guards have nothing to check (a lagged close used
// as a stand-in halted one-minute replays on anchor_divergence). Times must strictly
// increase; prices must be positive with low <= open, close <= high. The
// first bad line stops the replay with an error naming the file, the line
// and the field; OpenReplay returns it when it lies among the bars read
// ahead (the first intervalSample+1), before a session can start.
type Replay struct {
	path   string
	file   *os.File
	src    *boundedReader
	csv    *csv.Reader
	line   int // line of the last record read
	format csvFormat
	layout int // index in timeLayouts of the last layout that matched

	prevTime time.Time
	bars     int // bars parsed (read ahead included)
	served   int // bars returned by Next

	queue     []engine.MarketEvent // bars read ahead by OpenReplay, served first
	klineSpan time.Duration        // open to end of the first kline; 0 in a plain file
	interval  time.Duration        // the file's bar interval (BarInterval)
	err       error                // sticky: io.EOF or the first bad line
}

var _ engine.BarFeed = (*Replay)(nil)

// intervalSample is how many gaps between the first bars decide a file's
// bar interval: enough that a gap in the data among them is outvoted.
const intervalSample = 32

// OpenReplay opens a replay file and reads its first bars (up to
// intervalSample+1, to find the bar interval), so that a file that is
// missing, empty or malformed there is refused before a session starts.
// The file is closed at the end of the data, on the first error, or by
// Close.
func OpenReplay(path string) (*Replay, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open replay file: %w (check the path after replay:)", err)
	}
	r := newReplay(path, f)
	r.file = f
	ev, err := r.read()
	if err != nil {
		r.Close()
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s:%d: no bars in the file (empty, or only a header)", path, r.line)
		}
		return nil, err
	}
	r.queue = append(r.queue, ev)
	if err := r.readAhead(); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// readAhead reads up to intervalSample more bars into the queue and
// decides the bar interval from them. A bad line among them is returned:
// it was read before any session started, so the file is refused like an
// empty one (file:line), rather than failing a session a moment later.
func (r *Replay) readAhead() error {
	for len(r.queue) <= intervalSample {
		ev, err := r.read()
		if errors.Is(err, io.EOF) {
			r.err = err
			r.Close()
			break
		}
		if err != nil {
			return err
		}
		r.queue = append(r.queue, ev)
	}
	times := make([]time.Time, len(r.queue))
	for i, ev := range r.queue {
		times[i] = ev.Time
	}
	r.interval = barInterval(times, r.klineSpan)
	return nil
}

// barInterval is the spacing of bars at times: the most frequent gap
// between consecutive bars (the median when no gap repeats; the shorter on
// a tie), so that a gap in the data or a missing bar among them does not
// count. With fewer than two bars it is fallback (a kline's own span).
func barInterval(times []time.Time, fallback time.Duration) time.Duration {
	if len(times) < 2 {
		return fallback
	}
	gaps := make([]time.Duration, 0, len(times)-1)
	count := map[time.Duration]int{}
	for i := 1; i < len(times); i++ {
		g := times[i].Sub(times[i-1])
		gaps = append(gaps, g)
		count[g]++
	}
	slices.Sort(gaps)
	best, n := gaps[len(gaps)/2], 1
	for _, g := range gaps { // ascending: the shorter wins a tie
		if count[g] > n {
			best, n = g, count[g]
		}
	}
	return best
}

// BarInterval returns the file's bar interval, decided when it was opened
// from the spacing of its first bars (1m, 5m, 1h, 1d, …); 0 for a file of
// one bar in a plain format.
func (r *Replay) BarInterval() time.Duration { return r.interval }

// newReplay reads from rd; path is used in messages and in Name.
func newReplay(path string, rd io.Reader) *Replay {
	src := &boundedReader{r: rd, max: maxLineBytes}
	// csv.NewReader uses a *bufio.Reader as it is: one buffer, not two.
	br := bufio.NewReaderSize(src, 64*1024)
	// A byte order mark (spreadsheet exports) is not part of the first field.
	if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
		br.Discard(3)
	}
	c := csv.NewReader(br)
	c.FieldsPerRecord = -1 // the format is decided by the first line; parse counts
	c.ReuseRecord = true
	c.TrimLeadingSpace = true
	c.Comment = '#'
	return &Replay{path: path, src: src, csv: c}
}

// errRecordTooLong is what boundedReader returns past its bound.
var errRecordTooLong = errors.New("record too long")

// boundedReader fails once more than max bytes (plus one buffer) follow the
// end of the last record the csv.Reader returned (mark), so that one endless
// line or quoted field cannot take the memory that encoding/csv would give
// it.
type boundedReader struct {
	r     io.Reader
	max   int64
	total int64 // bytes handed out
	mark  int64 // input offset of the end of the last record
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.total-b.mark > b.max {
		return 0, errRecordTooLong
	}
	n, err := b.r.Read(p)
	b.total += int64(n)
	return n, err
}

// Name returns "replay:" and the path as given.
func (r *Replay) Name() string { return "replay:" + r.path }

// Bars returns the number of bars returned by Next so far.
func (r *Replay) Bars() int { return r.served }

// Close closes the file. It is safe to call more than once.
func (r *Replay) Close() error {
	if r.file == nil {
		return nil
	}
	err := r.file.Close()
	r.file = nil
	return err
}

// Next returns the event of the next bar, io.EOF after the last one, or the
// error of the first bad line (and the same error on every later call).
func (r *Replay) Next(ctx context.Context) (engine.MarketEvent, error) {
	if err := ctx.Err(); err != nil {
		return engine.MarketEvent{}, err
	}
	if len(r.queue) > 0 {
		ev := r.queue[0]
		r.queue = r.queue[1:]
		if len(r.queue) == 0 {
			r.queue = nil // let the read-ahead array go
		}
		r.served++
		return ev, nil
	}
	if r.err != nil {
		return engine.MarketEvent{}, r.err
	}
	ev, err := r.read()
	if err != nil {
		r.err = err
		r.Close()
		return engine.MarketEvent{}, err
	}
	r.served++
	return ev, nil
}

// read parses records until it has a bar.
func (r *Replay) read() (engine.MarketEvent, error) {
	for {
		rec, err := r.csv.Read()
		if err != nil {
			var pe *csv.ParseError
			switch {
			case errors.Is(err, io.EOF):
				return engine.MarketEvent{}, io.EOF
			case errors.Is(err, errRecordTooLong):
				return engine.MarketEvent{}, fmt.Errorf("%s:%d: line longer than %d bytes (or a quoted field never closed): not a CSV price file", r.path, r.line+1, maxLineBytes)
			case errors.As(err, &pe):
				r.line = pe.Line
				return engine.MarketEvent{}, r.errorf("column %d: %v (quote a field whole, \"like this\", or not at all)", pe.Column, pe.Err)
			}
			return engine.MarketEvent{}, fmt.Errorf("%s:%d: read: %w", r.path, r.line+1, err)
		}
		r.line, _ = r.csv.FieldPos(0)
		r.src.mark = r.csv.InputOffset()
		n := len(rec)
		for i, f := range rec {
			// Leading space is gone (TrimLeadingSpace); write back only
			// when a trailing one is cut, which few fields have.
			if t := strings.TrimSpace(f); len(t) != len(f) {
				rec[i] = t
			}
		}
		fields := rec
		// A line of spaces, or one whose first field starts a comment after
		// leading spaces.
		if (n == 1 && fields[0] == "") || (fields[0] != "" && fields[0][0] == '#') {
			continue
		}
		if r.format == formatUnknown {
			switch n {
			case len(plainFields):
				r.format = formatPlain
			case len(binanceFields):
				r.format = formatBinance
			default:
				return engine.MarketEvent{}, r.errorf("%d fields; want 6 (time,open,high,low,close,volume) or 12 (a Binance kline file)", n)
			}
			if r.bars == 0 && isHeader(fields[0]) {
				continue
			}
		}
		return r.parse(fields, n)
	}
}

// isHeader reports whether a first field is a column name rather than a
// time: it has letters and no digit ("time", "open_time", "timestamp").
func isHeader(first string) bool {
	return strings.ContainsFunc(first, func(c rune) bool {
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
	}) && !strings.ContainsAny(first, "0123456789")
}

// parse turns the fields of one data line into an event.
func (r *Replay) parse(fields []string, n int) (engine.MarketEvent, error) {
	names := plainFields
	if r.format == formatBinance {
		names = binanceFields
	}
	if n < len(names) {
		return engine.MarketEvent{}, r.fieldErrorf(names[n], "missing (the line has %d fields, want %d: %s)", n, len(names), strings.Join(names, ","))
	}
	if n > len(names) {
		return engine.MarketEvent{}, r.errorf("%d fields, want %d like the first line (%s)", n, len(names), strings.Join(names, ","))
	}

	at, err := r.barTime(fields, names)
	if err != nil {
		return engine.MarketEvent{}, err
	}
	bar, err := r.barValues(fields, names)
	if err != nil {
		return engine.MarketEvent{}, err
	}
	if err := r.checkBarRange(bar); err != nil {
		return engine.MarketEvent{}, err
	}

	r.prevTime = at
	r.bars++
	return engine.MarketEvent{
		Time: at,
		Bid:  bar.Close * (1 - bp),
		Ask:  bar.Close * (1 + bp),
		Bar:  &bar,
	}, nil
}

// barTime reads the bar's market time (for Binance klines, its close time)
// and checks that it comes strictly after the previous bar's.
func (r *Replay) barTime(fields, names []string) (time.Time, error) {
	var (
		at  time.Time
		err error
	)
	if r.format == formatBinance {
		at, err = r.klineEnd(fields[0], fields[6])
	} else {
		at, err = parseTime(fields[0], &r.layout)
		if err != nil {
			err = r.fieldErrorf("time", "%s", err)
		}
	}
	if err != nil {
		return time.Time{}, err
	}
	if r.bars > 0 && !at.After(r.prevTime) {
		return time.Time{}, r.fieldErrorf(names[0], "%s is not after the previous bar's %s: times must strictly increase",
			at.Format(time.RFC3339Nano), r.prevTime.Format(time.RFC3339Nano))
	}
	return at, nil
}

// barValues reads open, high, low, close (each an accepted XRP/RLUSD price)
// and volume (not negative, not above maxVolume) from fields 1 to 5.
func (r *Replay) barValues(fields, names []string) (engine.Bar, error) {
	var bar engine.Bar
	for i, dst := range []*float64{&bar.Open, &bar.High, &bar.Low, &bar.Close, &bar.Volume} {
		col := i + 1
		v, err := strconv.ParseFloat(fields[col], 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return engine.Bar{}, r.fieldErrorf(names[col], "%s is not a number", quoteField(fields[col]))
		}
		switch {
		case col == 5 && v < 0:
			return engine.Bar{}, r.fieldErrorf(names[col], "%s is negative", quoteField(fields[col]))
		case col == 5 && v > maxVolume:
			return engine.Bar{}, r.fieldErrorf(names[col], "%s is above the largest accepted volume %g", quoteField(fields[col]), float64(maxVolume))
		case col != 5 && v <= 0:
			return engine.Bar{}, r.fieldErrorf(names[col], "%s is not a positive price", quoteField(fields[col]))
		case col != 5 && (v < minPrice || v > maxPrice):
			return engine.Bar{}, r.fieldErrorf(names[col], "%s is outside the accepted prices %g..%g: not an XRP/RLUSD price", quoteField(fields[col]), minPrice, maxPrice)
		}
		*dst = v
	}
	return bar, nil
}

// checkBarRange checks that low <= high and that open and close lie within.
func (r *Replay) checkBarRange(bar engine.Bar) error {
	if bar.Low > bar.High {
		return r.fieldErrorf("low", "%v is above high %v", bar.Low, bar.High)
	}
	if bar.Open < bar.Low || bar.Open > bar.High {
		return r.fieldErrorf("open", "%v is outside low..high (%v..%v)", bar.Open, bar.Low, bar.High)
	}
	if bar.Close < bar.Low || bar.Close > bar.High {
		return r.fieldErrorf("close", "%v is outside low..high (%v..%v)", bar.Close, bar.Low, bar.High)
	}
	return nil
}

// klineEnd returns the end of a Binance kline: its close_time, rounded up
// by one unit when that lands on a whole second (Binance writes
// open_time + interval - 1 ms).
func (r *Replay) klineEnd(openField, closeField string) (time.Time, error) {
	open, openUnit, err := parseUnixInt(openField)
	if err != nil {
		return time.Time{}, r.fieldErrorf("open_time", "%s", err)
	}
	end, closeUnit, err := parseUnixInt(closeField)
	if err != nil {
		return time.Time{}, r.fieldErrorf("close_time", "%s", err)
	}
	if r.bars == 0 {
		r.klineSpan = unixTime(end, openUnit).Sub(unixTime(open, openUnit)).Round(time.Second)
	}
	if openUnit != closeUnit {
		return time.Time{}, r.fieldErrorf("close_time", "%s is not in the same unit as open_time %s", quoteField(closeField), quoteField(openField))
	}
	if end <= open {
		return time.Time{}, r.fieldErrorf("close_time", "%s is not after open_time %s", quoteField(closeField), quoteField(openField))
	}
	perSecond := int64(time.Second / openUnit)
	if (end+1-open)%perSecond == 0 {
		end++
	}
	return unixTime(end, openUnit), nil
}

// errorf is an error naming the file and the current line.
func (r *Replay) errorf(format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", r.path, r.line, fmt.Sprintf(format, args...))
}

// fieldErrorf is an error naming the file, the current line and a field.
func (r *Replay) fieldErrorf(field, format string, args ...any) error {
	return fmt.Errorf("%s:%d: field %q: %s", r.path, r.line, field, fmt.Sprintf(format, args...))
}

// quoteField quotes a value from the file for a message: control
// characters escaped, length capped.
func quoteField(s string) string {
	const max = 40
	if len(s) > max {
		return strconv.Quote(s[:max]) + "…"
	}
	return strconv.Quote(s)
}

// timeLayouts are the accepted text timestamps; zone-less ones are UTC.
// Fractional seconds are accepted after the seconds by time.Parse.
var timeLayouts = [...]string{
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05-0700",
	"2006-01-02 15:04:05-0700",
	"2006-01-02 15:04:05 MST",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
	"2006-01-02",
}

// parseTime reads a Unix time (seconds, ms, µs or ns by magnitude) or a text
// timestamp. *layout remembers the layout that matched last, so a file in
// one layout is parsed with one attempt per line.
func parseTime(s string, layout *int) (time.Time, error) {
	if s == "" {
		return time.Time{}, errors.New(`"" is not a time`)
	}
	if c := s[0]; c >= '0' && c <= '9' && !strings.ContainsAny(s, "-:T ") {
		return parseUnix(s)
	}
	if t, err := time.Parse(timeLayouts[*layout], s); err == nil {
		return t.UTC(), nil
	}
	for i, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			*layout = i
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%s is not a time (use Unix seconds/ms/µs or a UTC timestamp such as 2025-01-01 03:00:00 or 2025-01-01T03:00:00Z)", quoteField(s))
}

// parseUnix reads a Unix time whose unit follows from its magnitude; a
// fractional part is allowed.
func parseUnix(s string) (time.Time, error) {
	whole, frac, hasFrac := strings.Cut(s, ".")
	v, unit, err := parseUnixInt(whole)
	if err != nil {
		return time.Time{}, err
	}
	t := unixTime(v, unit)
	if hasFrac {
		f, err := strconv.ParseFloat("0."+frac, 64)
		if err != nil || frac == "" || strings.Trim(frac, "0123456789") != "" {
			return time.Time{}, fmt.Errorf("%s is not a time", quoteField(s))
		}
		t = t.Add(time.Duration(math.Round(f * float64(unit))))
	}
	return t, nil
}

// parseUnixInt reads a non-negative integer Unix time and decides its unit
// by magnitude: below 1e11 seconds, below 1e14 milliseconds, below 1e17
// microseconds, else nanoseconds.
func parseUnixInt(s string) (int64, time.Duration, error) {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		return 0, 0, fmt.Errorf("%s is not a Unix time (a non-negative integer)", quoteField(s))
	}
	switch {
	case v < 1e11:
		return v, time.Second, nil
	case v < 1e14:
		return v, time.Millisecond, nil
	case v < 1e17:
		return v, time.Microsecond, nil
	default:
		return v, time.Nanosecond, nil
	}
}

// unixTime converts an integer count of unit since the epoch.
func unixTime(v int64, unit time.Duration) time.Time {
	perSecond := int64(time.Second / unit)
	return time.Unix(v/perSecond, (v%perSecond)*int64(unit)).UTC()
}
