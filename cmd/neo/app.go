package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
	"time"

	"github.com/spf13/cobra"
)

// Exit codes (README, "Exit codes").
const (
	exitOK       = 0
	exitRuntime  = 1
	exitUsage    = 2
	exitCorrupt  = 3
	exitLocked   = 4
	exitRiskHalt = 5
)

// exitError carries an exit code with the message the user reads.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// exitErr wraps err with an exit code.
func exitErr(code int, err error) error { return &exitError{code: code, err: err} }

// exitf formats an error with an exit code.
func exitf(code int, format string, args ...any) error {
	return &exitError{code: code, err: fmt.Errorf(format, args...)}
}

// Main is the program: what main() runs and what end-to-end tests drive.
type Main struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// LookupEnv tells an unset variable from an empty one; when nil, an
	// empty Getenv value counts as unset.
	LookupEnv func(string) (string, bool)
	Version   string
	// exit ends the process; the shutdown backstop (supervisor.go) calls it.
	exit func(code int)

	// Flags shared by every command.
	DBPath    string
	LogFormat string
	// dbFlagGiven reports whether --db was on the command line, to tell
	// "--db ''" from no --db.
	dbFlagGiven func() bool
}

// NewMain returns a Main wired to the process's standard streams.
func NewMain() *Main {
	return &Main{
		Stdin:     os.Stdin,
		Stdout:    os.Stdout,
		Stderr:    os.Stderr,
		Getenv:    os.Getenv,
		LookupEnv: os.LookupEnv,
		Version:   version,
		exit:      os.Exit,
	}
}

// Run parses args, runs the command and returns the exit code.
func (m *Main) Run(ctx context.Context, args []string) int {
	root := m.rootCmd()
	root.SetArgs(args)
	root.SetIn(m.Stdin)
	root.SetOut(m.Stdout)
	root.SetErr(m.Stderr)
	err := root.ExecuteContext(ctx)
	if err == nil || stdoutClosed(err) {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.err.Error() != "" {
			m.say("neo: %s\n", errorLine(ee.err))
		}
		return ee.code
	}
	// Cobra's own errors (unknown flag or command, bad argument) are usage
	// errors.
	m.say("neo: %s\nRun 'neo --help' for usage.\n", errorLine(err))
	return exitUsage
}

// stdoutClosed reports whether err is a write to the process's stdout that
// failed with EPIPE: the reader went away (neo sessions | head -1). As other
// Unix tools do, the command then ends quietly with exit 0: what was asked
// for was read, and nobody is left to read the rest or a message about it.
// (SIGPIPE is notified in main, so such a write fails instead of killing
// the process.) An EPIPE anywhere else (a socket) is an error as before.
func stdoutClosed(err error) bool {
	var pe *fs.PathError
	return errors.As(err, &pe) && pe.Op == "write" && pe.Path == os.Stdout.Name() && errors.Is(pe.Err, syscall.EPIPE)
}

// sayTimeout bounds a message to the terminal: after a console session the
// terminal may have stopped reading, and a blocked write must not keep the
// process alive.
const sayTimeout = 250 * time.Millisecond

// say writes a message to stderr, giving up after sayTimeout.
func (m *Main) say(format string, args ...any) {
	done := make(chan struct{})
	go func() {
		fmt.Fprintf(m.Stderr, format, args...)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(sayTimeout):
	}
}

func (m *Main) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "neo",
		Short: "Terminal console for a paper market-making engine quoting XRP/RLUSD",
		Long: `neo runs a paper market-making session on XRP/RLUSD and shows it live in a
terminal console; every session is recorded in an SQLite database that is
checked, backed up and checkpointed at every step.

With no command, neo runs a session ('neo run').`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       m.Version,
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.PersistentFlags().StringVar(&m.DBPath, "db", "", m.dbPathHelp())
	m.dbFlagGiven = func() bool { return root.PersistentFlags().Changed("db") }
	root.PersistentFlags().StringVar(&m.LogFormat, "log-format", "text", "log format: text | logfmt | json")
	run := m.runCmd()
	root.AddCommand(
		run,
		m.historyCmd(),
		m.sessionsCmd(),
		m.reportCmd(),
		m.checkCmd(),
		m.backupCmd(),
		m.restoreCmd(),
		m.backfillCmd(),
		m.versionCmd(),
	)
	// `neo` alone runs a session: share run's flags and action.
	root.Flags().AddFlagSet(run.Flags())
	root.RunE = run.RunE
	return root
}

func (m *Main) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintf(m.Stdout, "neo %s\n", m.Version)
			return nil
		},
	}
}
