// Command neoproof drives a built neo binary through the soak and benchmark
// runs and prints Markdown tables. Every pass is decided by its own
// checks of the database (a fresh read-only connection and the sqlite3 CLI
// when installed) and of the process (exit code, termios, timing), never by
// what the binary says about itself.
//
//	go run ./cmd/neoproof soak  --bin bin/neo   # SOAK_SCALE=0.1 for a short run
//	go run ./cmd/neoproof bench --bin bin/neo   # --quick for a smaller run
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

// options are the flags shared by both subcommands.
type options struct {
	bin      string        // the neo binary under test (absolute)
	refBin   string        // bench: the binary of today's figure (absolute; "" = none)
	repo     string        // the module root (for go test runs)
	quick    bool          // a smaller run, for trying the tool
	scale    float64       // SOAK_SCALE: multiplies run counts and durations
	only     []string      // run only the rows whose name contains one of these
	fuzzTime time.Duration // per fuzz target; 0 = 2 min × scale
	workDir  string        // parent of the temporary directories
	keep     bool          // keep the temporary directories
	log      io.Writer     // progress lines
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	usage := func() {
		fmt.Fprintln(stderr, "usage: neoproof soak|bench [--bin bin/neo] [--ref-bin bin/neo-ref] [--quick] [--only a,b] [--fuzztime 2m] [--keep]\n  SOAK_SCALE (env, float, default 1) scales the soak's run counts and durations.")
	}
	if len(args) == 0 {
		usage()
		return 2
	}
	sub := args[0]
	fs := flag.NewFlagSet("neoproof "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := options{log: stderr}
	var only string
	fs.StringVar(&o.bin, "bin", "bin/neo", "the neo binary to drive (build it first: make build)")
	fs.StringVar(&o.refBin, "ref-bin", "", "bench: the binary of today's figure (commit "+refCommit+"; make bench builds bin/neo-ref), run on the same replay file")
	fs.StringVar(&o.repo, "repo", ".", "the module root, for the go test runs (fuzzing, benchmarks)")
	fs.BoolVar(&o.quick, "quick", false, "a smaller, faster run")
	fs.StringVar(&only, "only", "", "comma-separated substrings: run only the matching rows")
	fs.DurationVar(&o.fuzzTime, "fuzztime", 0, "time per fuzz target (default 2m × SOAK_SCALE)")
	fs.StringVar(&o.workDir, "workdir", "", "where to create temporary directories (default $TMPDIR)")
	fs.BoolVar(&o.keep, "keep", false, "keep the temporary directories for inspection")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(stderr, "neoproof %s: unexpected argument %q\n", sub, fs.Arg(0))
		return 2
	}
	if only != "" {
		o.only = strings.Split(only, ",")
	}
	o.scale = 1
	if s := getenv("SOAK_SCALE"); s != "" {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f <= 0 {
			fmt.Fprintf(stderr, "SOAK_SCALE=%q: want a positive number such as 0.1 or 2\n", s)
			return 2
		}
		o.scale = f
	}
	if o.quick && o.scale > 0.1 {
		o.scale = 0.1
	}
	bin, err := filepath.Abs(o.bin)
	if err == nil {
		_, err = os.Stat(bin)
	}
	if err != nil {
		fmt.Fprintf(stderr, "neoproof: the binary %s is not there (%v); run `make build` first or pass --bin\n", o.bin, err)
		return 2
	}
	o.bin = bin
	if o.refBin, err = resolveRefBin(o.refBin); err != nil {
		fmt.Fprintln(stderr, "neoproof:", err)
		return 2
	}
	if o.repo, err = filepath.Abs(o.repo); err != nil {
		fmt.Fprintln(stderr, "neoproof:", err)
		return 2
	}
	switch sub {
	case "soak":
		return soak(ctx, o, stdout)
	case "bench":
		return bench(ctx, o, stdout)
	}
	usage()
	return 2
}

// selected reports whether the row called name is to run (--only).
func (o options) selected(name string) bool {
	if len(o.only) == 0 {
		return true
	}
	for _, s := range o.only {
		if s != "" && strings.Contains(strings.ToLower(name), strings.ToLower(s)) {
			return true
		}
	}
	return false
}

// count scales a run count, never below min.
func (o options) count(n, min int) int {
	c := int(float64(n)*o.scale + 0.5)
	if c < min {
		c = min
	}
	return c
}

// logf prints a progress line with the time.
func (o options) logf(format string, args ...any) {
	fmt.Fprintf(o.log, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

// tempDir makes a temporary directory under --workdir; cleanup removes it
// unless --keep.
func (o options) tempDir(pattern string) (string, func(), error) {
	d, err := os.MkdirTemp(o.workDir, "neoproof-"+pattern+"-")
	if err != nil {
		return "", nil, fmt.Errorf("create a temporary directory: %w", err)
	}
	return d, func() {
		if !o.keep {
			makeWritable(d)
			os.RemoveAll(d)
		}
	}, nil
}

// sessionDir is tempDir holding a cfg.toml with config, and the paths of
// the database and the config file in it.
func (o options) sessionDir(name, config string) (dir, db, cfg string, cleanup func(), err error) {
	dir, cleanup, err = o.tempDir(name)
	if err != nil {
		return "", "", "", nil, err
	}
	db, cfg = filepath.Join(dir, "neo.db"), filepath.Join(dir, "cfg.toml")
	if err := os.WriteFile(cfg, []byte(config), 0o600); err != nil {
		cleanup()
		return "", "", "", nil, fmt.Errorf("write the config: %w", err)
	}
	return dir, db, cfg, cleanup, nil
}

// makeWritable undoes the permission changes of the read-only cases so that
// the directory can be removed.
func makeWritable(dir string) {
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && info.IsDir() {
			os.Chmod(p, 0o700)
		}
		return nil
	})
}
