// Command gensample writes neo's sample replay file (assets/sample_replay.csv)
// from the simulated market: `go generate ./assets` runs it. The defaults
// write exactly the committed file; the flags make other files for trials.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"neo/engine/feed"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "gensample: %s\n", err)
		os.Exit(2)
	}
}

// run parses the flags and writes the file through a temporary name, so
// that an interrupted run never leaves half a file behind.
func run(args []string) error {
	fs := flag.NewFlagSet("gensample", flag.ContinueOnError)
	out := fs.String("o", "", "output file (required)")
	seed := fs.Int64("seed", feed.SampleSeed, "seed of the random walk")
	n := fs.Int("n", feed.SampleBars, "number of bars")
	interval := fs.Duration("interval", feed.SampleInterval, "length of one bar")
	startText := fs.String("start", feed.SampleStart().Format(time.RFC3339), "start of the first bar (RFC 3339)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("-o FILE is required")
	}
	start, err := time.Parse(time.RFC3339, *startText)
	if err != nil {
		return fmt.Errorf("-start %q: %w", *startText, err)
	}

	tmp, err := os.CreateTemp(filepath.Dir(*out), ".gensample-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if err := feed.WriteSampleBars(tmp, *seed, start, *n, *interval); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), *out)
}
