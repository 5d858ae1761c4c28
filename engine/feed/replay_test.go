package feed_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"neo/assets"
	"neo/engine"
	"neo/engine/feed"
)

// MustWriteFile writes text to name in a temp dir and returns its path.
func MustWriteFile(tb testing.TB, name, text string) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// MustOpenReplay opens a replay file or fails the test.
func MustOpenReplay(tb testing.TB, path string) *feed.Replay {
	tb.Helper()
	r, err := feed.OpenReplay(path)
	if err != nil {
		tb.Fatalf("OpenReplay: %v", err)
	}
	tb.Cleanup(func() { r.Close() })
	return r
}

// readAll returns every event of f up to io.EOF or the first error.
func readAll(f engine.Feed) ([]engine.MarketEvent, error) {
	var evs []engine.MarketEvent
	err := each(f, func(ev engine.MarketEvent) { evs = append(evs, ev) })
	return evs, err
}

// each calls fn with every event of f up to io.EOF, and returns the first
// other error.
func each(f engine.Feed, fn func(engine.MarketEvent)) error {
	for {
		ev, err := f.Next(context.Background())
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		fn(ev)
	}
}

// plainBars is a plain OHLCV file of the two bars TestReplayFormats reads:
// header (with its line end; "" for none), then the bars at the time
// fields a and b, each line ended by eol.
func plainBars(header, a, b, eol string) string {
	return header + a + ",2.30,2.32,2.29,2.31,1000" + eol + b + ",2.31,2.33,2.30,2.32,2000" + eol
}

// klineBars is the same two bars as Binance klines, with their open and
// close times.
func klineBars(header, open1, close1, open2, close2 string) string {
	return header +
		open1 + ",2.30,2.32,2.29,2.31,1000," + close1 + ",2300,10,500,1150,0\n" +
		open2 + ",2.31,2.33,2.30,2.32,2000," + close2 + ",4600,20,900,2070,0\n"
}

// TestReplayFormats is long because its table is: one row per accepted
// file format (Binance klines, plain OHLCV, each time layout, header or
// not), each read through the same checks.
func TestReplayFormats(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 3, 0, 0, 0, time.UTC)
	t1 := t0.Add(time.Minute)
	const binanceHeader = "open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore\n"
	const plainHeader = "time,open,high,low,close,volume\n"
	tests := []struct {
		name  string
		text  string
		times []time.Time
	}{
		{"BinanceMs", klineBars("", "1735700340000", "1735700399999", "1735700400000", "1735700459999"), []time.Time{t0, t1}},
		{"BinanceMsHeader", klineBars(binanceHeader, "1735700340000", "1735700399999", "1735700400000", "1735700459999"), []time.Time{t0, t1}},
		{"BinanceMicros", klineBars("", "1735700340000000", "1735700399999999", "1735700400000000", "1735700459999999"), []time.Time{t0, t1}},
		{"BinanceMicrosHeader", klineBars(binanceHeader, "1735700340000000", "1735700399999999", "1735700400000000", "1735700459999999"), []time.Time{t0, t1}},
		{"PlainSeconds", plainBars("", "1735700400", "1735700460", "\n"), []time.Time{t0, t1}},
		{"PlainSecondsHeader", plainBars(plainHeader, "1735700400", "1735700460", "\n"), []time.Time{t0, t1}},
		{"PlainMillis", plainBars("", "1735700400000", "1735700460000", "\n"), []time.Time{t0, t1}},
		{"PlainMicros", plainBars("time,open,high,low,close,volume\r\n", "1735700400000000", "1735700460000000", "\r\n"), []time.Time{t0, t1}},
		{"PlainSpaceTimestamp", plainBars(plainHeader, "2025-01-01 03:00:00", "2025-01-01 03:01:00", "\n"), []time.Time{t0, t1}},
		{"PlainRFC3339Z", plainBars("", "2025-01-01T03:00:00Z", "2025-01-01T03:01:00Z", "\n"), []time.Time{t0, t1}},
		{"PlainRFC3339Fraction", plainBars(plainHeader, "2025-01-01T03:00:00.000Z", "2025-01-01T03:01:00.250Z", "\n"), []time.Time{t0, t1.Add(250 * time.Millisecond)}},
		{"PlainRFC3339Offset", plainBars("", "2025-01-01T04:00:00+01:00", "2025-01-01T04:01:00+01:00", "\n"), []time.Time{t0, t1}},
		{"PlainISONoZone", plainBars("", "2025-01-01T03:00:00", "2025-01-01T03:01:00.5", "\n"), []time.Time{t0, t1.Add(500 * time.Millisecond)}},
		{"BOMBlankLinesSpaces", "\ufefftime, open, high, low, close, volume\n\n" +
			" 1735700400 , 2.30 , 2.32 , 2.29 , 2.31 , 1000 \n\n" +
			"1735700460,2.31,2.33,2.30,2.32,2000",
			[]time.Time{t0, t1}},
		// A quoted field may hold a comma (the hand-written splitter cut it
		// in two and saw 7 fields).
		{"QuotedComma", "\"time, UTC\",open,high,low,\"close, last\",volume\n" +
			"\"2025-01-01 03:00:00\",2.30,2.32,2.29,2.31,\"1000\"\n" +
			"  # a comment after spaces\n" +
			"2025-01-01 03:01:00,2.31,2.33,2.30,2.32,2000\n",
			[]time.Time{t0, t1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := MustWriteFile(t, "prices.csv", tt.text)
			r := MustOpenReplay(t, path)
			if got, want := r.Name(), "replay:"+path; got != want {
				t.Fatalf("Name()=%q, want %q", got, want)
			}
			evs, err := readAll(r)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := len(evs), len(tt.times); got != want {
				t.Fatalf("%d events, want %d", got, want)
			}
			for i, ev := range evs {
				if !ev.Time.Equal(tt.times[i]) {
					t.Errorf("event %d: time %s, want %s", i, ev.Time, tt.times[i])
				}
			}
			first, second := evs[0], evs[1]
			if first.Bar == nil || first.Bar.Open != 2.30 || first.Bar.High != 2.32 || first.Bar.Low != 2.29 || first.Bar.Close != 2.31 || first.Bar.Volume != 1000 {
				t.Fatalf("first bar %+v", first.Bar)
			}
			if first.Anchor != 0 || second.Anchor != 0 {
				t.Errorf("anchors %v, %v: a price file has no anchor, want 0", first.Anchor, second.Anchor)
			}
			if got, want := second.Mid(), 2.32; math.Abs(got-want) > 1e-12 {
				t.Errorf("mid %v, want the close %v", got, want)
			}
			if got, want := (second.Ask-second.Bid)/second.Mid()*1e4, 2.0; math.Abs(got-want) > 1e-9 {
				t.Errorf("spread %v bps, want %v", got, want)
			}
			if len(second.Trades) != 0 {
				t.Errorf("replay event has trades: %+v", second.Trades)
			}
			if _, err := r.Next(context.Background()); !errors.Is(err, io.EOF) {
				t.Errorf("Next after the end: %v, want io.EOF", err)
			}
		})
	}
}

func TestReplayBadLines(t *testing.T) {
	const header = "time,open,high,low,close,volume\n"
	const good = "1735700400,2.30,2.32,2.29,2.31,1000\n"
	tests := []struct {
		name string
		text string
		want string // after "prices.csv:"
	}{
		{"NotANumber", header + good + "1735700460,2.31,2.33,abc,2.32,2000\n", `3: field "low": "abc" is not a number`},
		{"TooFewColumns", header + good + "1735700460,2.31,2.33,2.30,2.32\n", `3: field "volume": missing`},
		{"TooManyColumns", good + "1735700460,2.31,2.33,2.30,2.32,2000,7\n", `2: 7 fields, want 6`},
		{"SameTime", header + good + "1735700400,2.31,2.33,2.30,2.32,2000\n", `3: field "time": 2025-01-01T03:00:00Z is not after`},
		{"TimeBackwards", good + "1735700000,2.31,2.33,2.30,2.32,2000\n", `2: field "time"`},
		{"LowAboveHigh", header + good + "1735700460,2.31,2.30,2.33,2.32,2000\n", `3: field "low": 2.33 is above high 2.3`},
		{"CloseOutside", good + "1735700460,2.31,2.33,2.30,2.35,2000\n", `2: field "close": 2.35 is outside low..high`},
		{"OpenOutside", good + "1735700460,2.29,2.33,2.30,2.32,2000\n", `2: field "open": 2.29 is outside low..high`},
		{"NegativePrice", good + "1735700460,-2.31,2.33,2.30,2.32,2000\n", `2: field "open": "-2.31" is not a positive price`},
		{"NaN", good + "1735700460,2.31,NaN,2.30,2.32,2000\n", `2: field "high": "NaN" is not a number`},
		{"NegativeVolume", good + "1735700460,2.31,2.33,2.30,2.32,-1\n", `2: field "volume": "-1" is negative`},
		{"BadTime", good + "yesterday,2.31,2.33,2.30,2.32,2000\n", `2: field "time": "yesterday" is not a time`},
		{"BadFirstLine", "1,2,3\n", `1: 3 fields; want 6`},
		{"Empty", "", `0: no bars`},
		{"HeaderOnly", header, `1: no bars`},
		{"BinanceCloseBeforeOpen", "1735700340000,2.30,2.32,2.29,2.31,1000,1735700339999,2300,10,500,1150,0\n", `1: field "close_time"`},
		{"BinanceBadOpenTime", "17357x0340000,2.30,2.32,2.29,2.31,1000,1735700399999,2300,10,500,1150,0\n", `1: field "open_time"`},
		{"HugePrice", good + "1735700460,2.31,1e306,2.30,2.32,2000\n", `2: field "high": "1e306" is outside the accepted prices`},
		{"TinyPrice", good + "1735700460,1e-12,2.33,1e-12,2.32,2000\n", `2: field "open": "1e-12" is outside the accepted prices`},
		{"HugeVolume", good + "1735700460,2.31,2.33,2.30,2.32,1e300\n", `2: field "volume": "1e300" is above`},
		{"BareQuote", good + "1735700460,2.31,2\"33,2.30,2.32,2000\n", `2: column 18: bare " in non-quoted-field`},
		{"LongLine", good + strings.Repeat("9", 2<<20) + "\n", `2: line longer than`},
		{"ControlCharacters", good + "1735700460,2.31,\x1b[31m,2.30,2.32,2000\n", `2: field "high": "\x1b[31m" is not a number`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := MustWriteFile(t, "prices.csv", tt.text)
			r, err := feed.OpenReplay(path)
			if err == nil {
				_, err = readAll(r)
				r.Close()
			}
			if err == nil {
				t.Fatal("accepted")
			}
			if want := path + ":" + tt.want; !strings.HasPrefix(err.Error(), want) {
				t.Fatalf("err=%q\nwant prefix %q", err, want)
			}
			if strings.ContainsRune(err.Error(), '\x1b') {
				t.Fatalf("error carries an escape character: %q", err)
			}
		})
	}

	// 40 good bars: more than OpenReplay reads ahead, so that the bad line
	// after them is met by Next.
	goods := plainText(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Minute, 40, "unix", nil)
	t.Run("ErrorIsSticky", func(t *testing.T) {
		r := MustOpenReplay(t, MustWriteFile(t, "prices.csv", goods+"x,1,1,1,1,1\n"+good))
		for range 40 {
			MustNext(t, r)
		}
		_, err1 := r.Next(context.Background())
		_, err2 := r.Next(context.Background())
		if err1 == nil || err2 == nil || err1.Error() != err2.Error() {
			t.Fatalf("errors %v then %v, want the same error twice", err1, err2)
		}
	})

	t.Run("Missing", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "nope.csv")
		if _, err := feed.OpenReplay(path); err == nil || !strings.Contains(err.Error(), path) {
			t.Fatalf("err=%v, want one naming %s", err, path)
		}
	})

	t.Run("LongLine", func(t *testing.T) {
		path := MustWriteFile(t, "prices.csv", goods+strings.Repeat("9", 2<<20)+"\n")
		r := MustOpenReplay(t, path)
		for range 40 {
			MustNext(t, r)
		}
		if _, err := r.Next(context.Background()); err == nil || !strings.HasPrefix(err.Error(), path+":42:") {
			t.Fatalf("err=%v", err)
		}
	})
}

func TestOpen(t *testing.T) {
	path := MustWriteFile(t, "prices.csv", "1735700400,2.30,2.32,2.29,2.31,1000\n")
	t.Run("Sim", func(t *testing.T) {
		f, err := feed.Open("sim", feed.Options{Seed: 1, Start: testStart})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := f.Name(), "sim"; got != want {
			t.Fatalf("Name()=%q, want %q", got, want)
		}
	})
	t.Run("Replay", func(t *testing.T) {
		f, err := feed.Open("replay:"+path, feed.Options{Seed: 1, Start: testStart})
		if err != nil {
			t.Fatal(err)
		}
		defer f.(io.Closer).Close()
		if got, want := f.Name(), "replay:"+path; got != want {
			t.Fatalf("Name()=%q, want %q", got, want)
		}
	})
	for _, spec := range []string{"", "simulated", "replay:", "file:" + path, "csv:" + path} {
		t.Run("Bad/"+spec, func(t *testing.T) {
			_, err := feed.Open(spec, feed.Options{Seed: 1, Start: testStart})
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), "replay:FILE") {
				t.Fatalf("err=%q does not give the accepted forms", err)
			}
		})
	}
}

func TestSampleReplay(t *testing.T) {
	t.Run("RegeneratesIdentically", func(t *testing.T) {
		var buf bytes.Buffer
		if err := feed.WriteSample(&buf); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), assets.SampleReplay) {
			t.Fatal("assets/sample_replay.csv differs from what the generator writes: run go generate ./assets and commit")
		}
	})

	t.Run("Replays", func(t *testing.T) {
		path := MustWriteFile(t, "sample.csv", string(assets.SampleReplay))
		evs, err := readAll(MustOpenReplay(t, path))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(evs), feed.SampleBars; got != want {
			t.Fatalf("%d events, want %d", got, want)
		}
		if got, want := evs[0].Time, feed.SampleStart().Add(feed.SampleInterval); !got.Equal(want) {
			t.Fatalf("first event at %s, want %s", got, want)
		}
	})

	t.Run("Deterministic", func(t *testing.T) {
		var a, b, c bytes.Buffer
		for _, x := range []struct {
			buf  *bytes.Buffer
			seed int64
		}{{&a, 5}, {&b, 5}, {&c, 6}} {
			if err := feed.WriteSampleBars(x.buf, x.seed, testStart, 500, time.Second); err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Fatal("same seed, different bytes")
		}
		if bytes.Equal(a.Bytes(), c.Bytes()) {
			t.Fatal("different seeds, same bytes")
		}
	})

	t.Run("BadArguments", func(t *testing.T) {
		if err := feed.WriteSampleBars(io.Discard, 1, testStart, -1, time.Minute); err == nil {
			t.Error("n=-1 accepted")
		}
		if err := feed.WriteSampleBars(io.Discard, 1, testStart, 1, 0); err == nil {
			t.Error("interval=0 accepted")
		}
	})
}

// MustWriteSampleFile writes n one-minute sample bars to a temp file.
func MustWriteSampleFile(tb testing.TB, n int) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), fmt.Sprintf("bars-%d.csv", n))
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	if err := feed.WriteSampleBars(f, 99, testStart, n, time.Minute); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

func TestReplayLargeFileBoundedMemory(t *testing.T) {
	n := 1_000_000
	if testing.Short() {
		n = 50_000
	}
	path := MustWriteSampleFile(t, n)
	r := MustOpenReplay(t, path)

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var last engine.MarketEvent
	count := 0
	err := each(r, func(ev engine.MarketEvent) {
		last = ev
		count++
	})
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if got, want := count, n; got != want {
		t.Fatalf("%d events, want %d", got, want)
	}
	if got, want := last.Time, testStart.Add(time.Duration(n)*time.Minute); !got.Equal(want) {
		t.Fatalf("last event at %s, want %s", got, want)
	}
	// Streaming: the live heap after the run must not grow with the file
	// (the file is ~55 bytes a bar).
	info, _ := os.Stat(path)
	grown := int64(after.HeapInuse) - int64(before.HeapInuse)
	t.Logf("%d bars, file %d MB, heap grew %d KB, peak heap sys %d MB", n, info.Size()>>20, grown>>10, after.HeapSys>>20)
	if grown > 8<<20 {
		t.Fatalf("heap grew by %d MB while replaying a %d MB file", grown>>20, info.Size()>>20)
	}
	if after.HeapSys > 64<<20 {
		t.Fatalf("heap reserved %d MB while replaying a %d MB file", after.HeapSys>>20, info.Size()>>20)
	}
}

func BenchmarkReplay(b *testing.B) {
	const n = 100_000
	path := MustWriteSampleFile(b, n)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r, err := feed.OpenReplay(path)
		if err != nil {
			b.Fatal(err)
		}
		count := 0
		if err := each(r, func(engine.MarketEvent) { count++ }); err != nil {
			b.Fatal(err)
		}
		if count != n {
			b.Fatalf("%d bars, want %d", count, n)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "bars/s")
}

func BenchmarkWriteSampleBars(b *testing.B) {
	for b.Loop() {
		w := bufio.NewWriter(io.Discard)
		if err := feed.WriteSampleBars(w, 1, testStart, 100_000, time.Minute); err != nil {
			b.Fatal(err)
		}
	}
}

// lineNumber matches "FILE:LINE:" at the start of a replay error.
var lineNumber = regexp.MustCompile(`^fuzz\.csv:[0-9]+: `)

func FuzzReplayCSV(f *testing.F) {
	f.Add([]byte("time,open,high,low,close,volume\n2025-01-01 03:00:00,2.3,2.32,2.29,2.31,1000\n"))
	f.Add([]byte("1735700340000,2.30,2.32,2.29,2.31,1000,1735700399999,2300,10,500,1150,0\n"))
	f.Add([]byte("1735700400,2.30,2.32,2.29,2.31,1000\n1735700460,2.31,2.33,2.30,2.32,2000\n"))
	f.Add([]byte("2025-01-01T03:00:00.5Z,1,1,1,1,0\n2025-01-01T03:00:00.25Z,1,1,1,1,0\n"))
	f.Add([]byte("\ufeff\"time\",\"open\",\"high\",\"low\",\"close\",\"volume\"\r\n\"1\",\"1\",\"1\",\"1\",\"1\",\"1\"\r\n"))
	f.Add([]byte("9999999999999999999,1,1,1,1,1\n"))
	f.Add([]byte("1.5e3,1,1,1,1,1\n"))
	f.Add([]byte(",,,,,\n,,,,,,,,,,,\n"))
	f.Add([]byte("#comment\n\n1,1,1,1,1,1\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "fuzz.csv")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		r, err := feed.OpenReplay(path)
		if err == nil {
			var evs []engine.MarketEvent
			evs, err = readAll(r)
			r.Close()
			for i, ev := range evs {
				if ev.Bar == nil || !(ev.Bid > 0 && ev.Bid < ev.Ask) || ev.Bar.Low > ev.Bar.High {
					t.Fatalf("event %d is not sane: %+v %+v", i, ev, ev.Bar)
				}
				if i > 0 && !ev.Time.After(evs[i-1].Time) {
					t.Fatalf("event %d at %s, not after %s", i, ev.Time, evs[i-1].Time)
				}
			}
		}
		if err == nil {
			return
		}
		msg := strings.TrimPrefix(err.Error(), filepath.Dir(path)+string(filepath.Separator))
		if !lineNumber.MatchString(msg) {
			t.Fatalf("error without a line number: %q", err)
		}
	})
}

// klineText writes n Binance kline lines of interval iv from t0 (open
// times in ms), skipping missing bars (by index) to make a gap in the data.
func klineText(t0 time.Time, iv time.Duration, n int, missing map[int]bool) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if missing[i] {
			continue
		}
		open := t0.Add(time.Duration(i) * iv).UnixMilli()
		end := open + iv.Milliseconds() - 1
		fmt.Fprintf(&b, "%d,0.50,0.51,0.49,0.50,1000,%d,500,10,500,250,0\n", open, end)
	}
	return b.String()
}

// plainText writes n plain lines of interval iv from t0, in the layout of
// format ("unix" or a time layout).
func plainText(t0 time.Time, iv time.Duration, n int, format string, missing map[int]bool) string {
	var b strings.Builder
	b.WriteString("time,open,high,low,close,volume\n")
	for i := 0; i < n; i++ {
		if missing[i] {
			continue
		}
		at := t0.Add(time.Duration(i+1) * iv)
		ts := strconv.FormatInt(at.Unix(), 10)
		if format != "unix" {
			ts = at.Format(format)
		}
		fmt.Fprintf(&b, "%s,2.50,2.51,2.49,2.50,1000\n", ts)
	}
	return b.String()
}

// TestReplayBarInterval: the interval is the spacing of the first bars,
// for every common kline interval and plain files, whatever a gap in the
// data or a missing bar among them; Next serves every bar as before.
func TestReplayBarInterval(t *testing.T) {
	t0 := time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC)
	gap := map[int]bool{3: true, 4: true, 5: true, 6: true, 10: true} // 4 bars of downtime, one missing
	type tc struct {
		name string
		text string
		want time.Duration
		bars int
	}
	var tests []tc
	for _, iv := range []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, 4 * time.Hour, 24 * time.Hour} {
		tests = append(tests,
			tc{"kline " + iv.String(), klineText(t0, iv, 100, nil), iv, 100},
			tc{"kline with a gap " + iv.String(), klineText(t0, iv, 100, gap), iv, 95},
			tc{"plain " + iv.String(), plainText(t0, iv, 100, "unix", nil), iv, 100},
			tc{"plain text time with a gap " + iv.String(), plainText(t0, iv, 100, "2006-01-02 15:04:05", gap), iv, 95},
		)
	}
	tests = append(tests,
		tc{"kline one bar", klineText(t0, time.Hour, 1, nil), time.Hour, 1},
		tc{"plain one bar", plainText(t0, time.Hour, 1, "unix", nil), 0, 1},
		tc{"plain two bars", plainText(t0, 4*time.Hour, 2, "unix", nil), 4 * time.Hour, 2},
		// Gaps outnumbering bars among the first: the shortest repeated
		// spacing still wins over a longer one seen as often.
		tc{"plain every other bar missing", plainText(t0, time.Minute, 12, "unix", map[int]bool{2: true, 5: true, 8: true}), time.Minute, 9},
	)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := MustOpenReplay(t, MustWriteFile(t, "bars.csv", tt.text))
			if got := r.BarInterval(); got != tt.want {
				t.Fatalf("BarInterval = %s, want %s", got, tt.want)
			}
			if r.Bars() != 0 {
				t.Fatalf("Bars = %d before any Next: the read-ahead counts as served", r.Bars())
			}
			evs, err := readAll(r)
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != tt.bars || r.Bars() != tt.bars {
				t.Fatalf("%d events, Bars %d; want %d", len(evs), r.Bars(), tt.bars)
			}
			for i := 1; i < len(evs); i++ {
				if !evs[i].Time.After(evs[i-1].Time) {
					t.Fatalf("event %d at %s is not after %s", i, evs[i].Time, evs[i-1].Time)
				}
			}
		})
	}
}

// TestReplayBadLineInReadAheadIsRefused: a bad line among the bars read
// ahead to find the interval was read before any session started: OpenReplay
// refuses the file naming file:line, like an empty one; a bad line after
// them stops the replay at Next, after the good bars before it.
func TestReplayBadLineInReadAheadIsRefused(t *testing.T) {
	const readAhead = 32 // feed.intervalSample: bars read after the first one
	t0 := time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC)
	text := plainText(t0, time.Hour, 2, "unix", nil) + "1614585600,x,1,1,1,1\n" + plainText(t0.Add(10*time.Hour), time.Hour, 40, "unix", nil)
	r, err := feed.OpenReplay(MustWriteFile(t, "bars.csv", text))
	if err == nil || !strings.Contains(err.Error(), `bars.csv:4: field "open"`) {
		if r != nil {
			r.Close()
		}
		t.Fatalf("OpenReplay: %v; want the bad line 4 refused", err)
	}
	late := plainText(t0, time.Hour, readAhead+5, "unix", nil) + "1914585600,x,1,1,1,1\n"
	r = MustOpenReplay(t, MustWriteFile(t, "late.csv", late))
	evs, err := readAll(r)
	if len(evs) != readAhead+5 || err == nil || !strings.Contains(err.Error(), fmt.Sprintf(`late.csv:%d: field "open"`, readAhead+7)) {
		t.Fatalf("%d events, err %v; want %d then the bad line", len(evs), err, readAhead+5)
	}
	if _, again := r.Next(context.Background()); again == nil || again.Error() != err.Error() {
		t.Fatalf("second Next: %v, want the same error", again)
	}
}
