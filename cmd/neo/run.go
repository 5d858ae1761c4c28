package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/charmbracelet/log"
	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"neo/engine"
	"neo/store"
)

// runFlags are the flags of `neo run`.
type runFlags struct {
	configPath  string
	feed        string
	speed       float64
	duration    time.Duration
	seed        int64
	headless    bool
	printConfig bool
	record      string // --record: the live XRPL feed's recording

	// Set by openFeed (feed_xrpl.go) for the engine.
	matcher  engine.Matcher
	liveFeed bool
}

func (m *Main) runCmd() *cobra.Command {
	f := &runFlags{}
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Start a paper session (console on a terminal, headless otherwise)",
		Long: `Start a paper market-making session on XRP/RLUSD.

The console opens when stdin and stdout are a terminal; otherwise, or with
--headless, the session runs headless and logs one line per event to stderr.
q or Ctrl+C in the console, SIGINT, SIGTERM and SIGHUP all end the session
through the same shutdown path: orders cancelled, session row written,
database checkpointed.`,
		Example: `  neo run                               # console, simulated market, real time
  neo run --headless --speed 0 --duration 2h
  neo run --feed replay:prices.csv --speed 0
  neo run --feed xrpl --record today.ndjson.gz   # the live XRP Ledger, paper orders only
  neo run --feed xrpl-replay:today.ndjson.gz --speed 0
  neo run --print-config > config.toml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := validateRunFlags(cmd, f); err != nil {
				return err
			}
			return m.run(cmd.Context(), f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.configPath, "config", "", m.configPathHelp())
	fl.StringVar(&f.feed, "feed", "sim", feedHelp)
	fl.StringVar(&f.record, "record", "", recordHelp)
	fl.Float64Var(&f.speed, "speed", 1, speedHelp)
	fl.DurationVar(&f.duration, "duration", 0, durationHelp)
	fl.Int64Var(&f.seed, "seed", 0, "seed of the simulated market (same seed, same session; 0 = random)")
	fl.BoolVar(&f.headless, "headless", false, "never start the console")
	fl.BoolVar(&f.printConfig, "print-config", false, "print the effective config as TOML and exit (the commented defaults when there is no config to merge)")
	return cmd
}

// configDefaults is the config "path" when no file was merged.
const configDefaults = "(defaults)"

// loadConfig resolves and loads the config: --config, NEO_CONFIG, then the
// user config file if it exists (skipped when HOME is unset), else the
// defaults (path configDefaults).
func (m *Main) loadConfig(flagPath string) (engine.Config, string, error) {
	path := flagPath
	if path == "" {
		var err error
		if path, err = m.envPath("NEO_CONFIG"); err != nil {
			return engine.Config{}, "", err
		}
	}
	if path == "" {
		if def, ok := m.defaultConfigPath(); ok {
			if _, err := os.Stat(def); err == nil {
				path = def
			}
		}
	}
	if path == "" {
		return engine.DefaultConfig(), configDefaults, nil
	}
	cfg, err := engine.LoadConfig(path)
	if err != nil {
		return engine.Config{}, path, exitErr(exitUsage, err)
	}
	return cfg, path, nil
}

func (m *Main) run(ctx context.Context, f *runFlags) error {
	// Signals are the supervisor's from the first instant: one that comes
	// before the start waits in its channel and cancels the start.
	sup := m.newSupervisor()
	defer sup.stop()
	cfg, cfgPath, err := m.loadConfig(f.configPath)
	if err != nil {
		return err
	}
	if f.printConfig {
		return m.printConfig(cfg, cfgPath)
	}
	seed := f.seed
	if seed == 0 {
		seed = time.Now().UnixNano() % 1_000_000_007
	}
	dbPath, err := m.dbPath() // before the feed: a refused --db opens nothing (--record would create its file)
	if err != nil {
		return err
	}
	fd, err := m.openFeed(f, cfg, seed)
	if err != nil {
		return exitErr(exitUsage, err)
	}
	if c, ok := fd.(io.Closer); ok {
		defer c.Close()
	}
	console := !f.headless && isTerminal(m.Stdin) && isTerminal(m.Stdout)

	logger, closeLog, err := m.runLogger(console, dbPath)
	if err != nil {
		return err
	}
	defer closeLog()
	for _, w := range cfg.Warnings() {
		logger.Warn(w)
	}
	logger.Info("starting", "version", m.Version, "db", dbPath, "config", cfgPath, "feed", fd.Name(), "seed", seed, "speed", f.speed)

	sup.logger, sup.timeout = logger, cfg.Session.ShutdownTimeout.Duration

	eng, sig, err := sup.start(ctx, func(ctx context.Context) (*engine.Engine, error) {
		return m.startSession(ctx, cfg, fd, dbPath, f, logger)
	})
	if err != nil {
		return m.notStarted(err, sig, logger, console)
	}
	var c *consoleUI
	if console && sig == nil {
		var closeHist func()
		c, closeHist = m.sessionConsole(eng, dbPath, cfg, logger)
		defer closeHist()
	}
	res := sup.runSession(eng, c)
	err = m.finish(res, logger, console)
	// The short report (report_cmd.go) follows the final log line of a
	// headless run that ended by itself and cleanly. Not after a signal:
	// whoever sent it wants the process gone (systemd, an operator), and
	// not after a failure: the store may still be stuck. A signal during
	// the report cuts it short.
	if !console && res.Err == nil && !res.Reason.OperatorAsked() {
		rctx, interrupted := sup.interruptible(ctx)
		m.printRunReport(rctx, res.SessionID, logger)
		interrupted()
	}
	return err
}

// runLogger is the session's logger: to the log file beside the database
// under the console (the screen is the console's), else m.newLogger's. Call
// the returned func to close the file once the run is over.
func (m *Main) runLogger(console bool, dbPath string) (*log.Logger, func(), error) {
	if !console {
		logger, err := m.newLogger()
		return logger, func() {}, err
	}
	lf, err := openLogFile(dbPath)
	if err != nil {
		return nil, nil, exitErr(exitRuntime, err)
	}
	logger := log.NewWithOptions(lf, log.Options{ReportTimestamp: true, TimeFormat: time.RFC3339Nano, Formatter: log.LogfmtFormatter})
	return logger, func() { lf.Close() }, nil
}

// notStarted reports a start that failed and returns run's result: nil when
// a signal stopped it (a clean operator stop: no session row was written),
// else the store's exit error.
func (m *Main) notStarted(err error, sig os.Signal, logger *log.Logger, console bool) error {
	if sig != nil {
		// A start that failed for a reason of its own is said too.
		logger.Info("session not started: stopped by a signal before the session row; nothing was recorded", "signal", sig.String(), "start", err)
		if !errors.Is(err, context.Canceled) {
			logger.Warn("the start had failed by itself too", "err", err)
		}
		if console {
			m.say("neo: %s before the session started: nothing was recorded\n", sig)
		}
		return nil
	}
	if !console {
		logger.Error("session not started", "err", err)
	}
	return storeExit(err)
}

// startSession opens the database (locked) and starts the engine. The store
// is closed exactly once: by the engine's shutdown path once Start has
// succeeded (the engine owns it from then on), else here. On error nothing
// is left open and no session row was written.
func (m *Main) startSession(ctx context.Context, cfg engine.Config, fd engine.Feed, dbPath string, f *runFlags, logger *log.Logger) (*engine.Engine, error) {
	st, err := store.Open(ctx, store.Options{
		Path:               dbPath,
		Lock:               true,
		PreRunBackup:       true,
		CheckpointInterval: cfg.Store.CheckpointInterval.Duration,
		BackupRetention:    cfg.Store.BackupRetention,
		Logger:             logger,
		Faults:             m.storeFaults(),
	})
	if err != nil {
		return nil, err
	}
	eng, err := engine.New(engine.Options{
		Config:     cfg,
		Feed:       fd,
		Store:      m.withFaults(st, logger),
		Logger:     slog.New(logger), // charmbracelet/log is the slog handler
		Speed:      f.speed,
		Duration:   f.duration,
		AppVersion: m.Version,
		Matcher:    f.matcher,
		LiveFeed:   f.liveFeed,
	})
	if err == nil {
		err = eng.Start(ctx)
	}
	if err != nil {
		cctx, cancel := context.WithTimeout(context.Background(), cfg.Session.ShutdownTimeout.Duration)
		defer cancel()
		if cerr := st.Close(cctx); cerr != nil {
			logger.Error("closing the database after a failed start", "err", cerr)
		}
		return nil, err
	}
	return eng, nil
}

// resultCode is the exit code for how a session ended. (A final checkpoint
// left incomplete by another process's reader is no error: the engine
// keeps it out of the result, as a warning on its step.)
func resultCode(res engine.Result) int {
	switch {
	case res.Reason == engine.HaltEngineError, res.Err != nil:
		return exitRuntime
	case res.Reason.IsRisk():
		return exitRiskHalt
	}
	return exitOK
}

// finish logs the closing line and maps the result to the exit code.
func (m *Main) finish(res engine.Result, logger *log.Logger, console bool) error {
	kv := []any{"session", res.SessionID, "halt_reason", res.Reason,
		"ending_value", fmt.Sprintf("%.6f", res.EndingValue), "shutdown", res.ShutdownDuration.Round(time.Microsecond)}
	switch {
	case res.Err != nil:
		logger.Error("session ended with an error", append(kv, "err", res.Err)...)
	case res.Reason == engine.HaltEngineError:
		logger.Error("session ended with an error", kv...)
	default:
		logger.Info("session ended", kv...)
	}
	if console {
		// The console's log went to neo.log; say the essentials on the
		// restored terminal too.
		m.say("neo: session %s ended: %s, ending value %.4f RLUSD, shutdown %s\n",
			res.SessionID, res.Reason, res.EndingValue, res.ShutdownDuration.Round(time.Millisecond))
	}
	switch code := resultCode(res); code {
	case exitOK:
		return nil
	case exitRuntime:
		if res.Err == nil {
			// The engine ended as engine_error without an error of its own
			// (the console broke): the log above it says what failed.
			where := "the log above"
			if console {
				where = "neo.log beside the database"
			}
			return exitf(code, "session %s ended as %s; %s says why", res.SessionID, res.Reason, where)
		}
		return exitf(code, "session %s ended with an error: %v", res.SessionID, res.Err)
	default:
		return exitErr(code, errors.New(""))
	}
}

// newLogger makes the headless logger on stderr in the --log-format.
func (m *Main) newLogger() (*log.Logger, error) {
	opts := log.Options{ReportTimestamp: true, TimeFormat: time.RFC3339Nano}
	switch m.LogFormat {
	case "", "text":
		opts.Formatter = log.TextFormatter
	case "logfmt":
		opts.Formatter = log.LogfmtFormatter
	case "json":
		opts.Formatter = log.JSONFormatter
	default:
		return nil, exitf(exitUsage, "--log-format %q: use text, logfmt or json", m.LogFormat)
	}
	return log.NewWithOptions(m.Stderr, opts), nil
}

// openLogFile opens neo.log beside the database for the console's logs.
func openLogFile(dbPath string) (*os.File, error) {
	dir := filepath.Dir(dbPath)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create %s for the database and its log: %w", dir, err)
	}
	p := filepath.Join(dir, "neo.log")
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open the console log %s: %w (pass --headless to log to stderr instead)", p, err)
	}
	return f, nil
}

// isTerminal reports whether r is a terminal.
func isTerminal(v any) bool {
	f, ok := v.(interface{ Fd() uintptr })
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}
