package feed

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"
)

// The bars of assets/sample_replay.csv (go generate ./assets).
const (
	// SampleSeed seeds the random walk of the sample file.
	SampleSeed = 20250101
	// SampleBars is the number of bars of the sample file: one day.
	SampleBars = 1440
	// SampleInterval is the length of one bar of the sample file.
	SampleInterval = time.Minute
)

// SampleStart is the start of the first bar of the sample file.
func SampleStart() time.Time { return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) }

// WriteSample writes the bars of assets/sample_replay.csv.
func WriteSample(w io.Writer) error {
	return WriteSampleBars(w, SampleSeed, SampleStart(), SampleBars, SampleInterval)
}

// sampleSubsteps is the number of random-walk steps drawn inside one bar:
// enough for a realistic high/low, few enough to write a million bars in
// about a second.
const sampleSubsteps = 12

// WriteSampleBars writes n bars of the simulated mid as a plain CSV file
// with the header `time,open,high,low,close,volume`. The time is the end of
// each bar (start + (i+1)*interval) as ISO 8601 UTC; prices carry 8
// significant digits. The same arguments write the same bytes.
func WriteSampleBars(w io.Writer, seed int64, start time.Time, n int, interval time.Duration) error {
	if n < 0 {
		return fmt.Errorf("sample bars: n = %d: must be >= 0", n)
	}
	if interval <= 0 {
		return fmt.Errorf("sample bars: interval = %s: must be > 0", interval)
	}
	steps := sampleSubsteps
	if k := int(interval / SimStep); k < steps {
		steps = max(k, 1)
	}
	dt := interval.Seconds() / float64(steps)
	meanVolume := SimTradesPerSecond * interval.Seconds() * SimMedianTradeXRP * math.Exp(tradeSigma*tradeSigma/2)

	rng := newRand(seed)
	wk := walk{mid: SimStartPrice}
	bw := bufio.NewWriterSize(w, 64*1024)
	if _, err := bw.WriteString("time,open,high,low,close,volume\n"); err != nil {
		return err
	}
	start = start.UTC()
	buf := make([]byte, 0, 128)
	for i := range n {
		open := wk.mid
		high, low := open, open
		for range steps {
			m := wk.advance(rng, dt)
			high, low = math.Max(high, m), math.Min(low, m)
		}
		volume := meanVolume * math.Exp(float64(0.5*rng.NormFloat64())-0.125)

		buf = buf[:0]
		buf = start.Add(time.Duration(i+1)*interval).AppendFormat(buf, time.RFC3339Nano)
		for _, p := range [...]float64{open, high, low, wk.mid} {
			buf = append(buf, ',')
			buf = strconv.AppendFloat(buf, p, 'g', 8, 64)
		}
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, volume, 'f', 1, 64)
		buf = append(buf, '\n')
		if _, err := bw.Write(buf); err != nil {
			return err
		}
	}
	return bw.Flush()
}
