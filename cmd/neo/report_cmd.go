package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/charmbracelet/log"
	"github.com/spf13/cobra"

	"neo/engine"
)

// ---- neo report ----

func (m *Main) reportCmd() *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "report [SESSION]",
		Short: "Print a session's report (default: the latest session)",
		Long: `Print the report of a session (the latest one when no id is given; 'neo
sessions' lists the ids): its market span, fills and volume by side with
average prices, the P&L split into trading (spread captured against the
mid), fees (trading and network) and inventory moves (the effect of price
moves on the inventory held), the value against holding the starting
balances, the max drawdown with the market times of its peak and trough,
the market time spent at each skew tier and the P&L of each UTC market day.

--json prints the same figures as one JSON object: snake_case keys, times
in RFC 3339 UTC, each named for the clock it reads (market_* for the feed's
clock, wall_* for the machine's). Read-only: it works beside a running
session (whose report is as of its latest record).`,
		Example: `  neo report
  neo report 20261201T142000Z-1a2b3c --json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id := ""
			if len(args) == 1 {
				id = args[0]
				if id == "" {
					return exitf(exitUsage, "the session id is empty: give one that 'neo sessions' lists, or none for the latest session")
				}
			}
			return m.report(cmd.Context(), id, asJSON)
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON (one object)")
	return c
}

func (m *Main) report(ctx context.Context, id string, asJSON bool) error {
	db, err := m.openReadOnly(ctx)
	if err != nil {
		return err
	}
	defer closeQuietly(db)
	r, err := loadReport(ctx, db, id)
	if err != nil {
		if errors.Is(err, errNoSessions) {
			return exitf(exitRuntime, "no sessions recorded in %s: nothing to report (start one with 'neo run', or pass --db with the right database)", clean(db.Path()))
		}
		if errors.Is(err, engine.ErrNotFound) {
			return exitf(exitUsage, "no session %q in %s: 'neo sessions' lists the recorded ones", clean(id), clean(db.Path()))
		}
		return storeExit(err)
	}
	if asJSON {
		return writeJSON(m.Stdout, r)
	}
	if err := r.WriteText(m.Stdout); err != nil {
		return exitf(exitRuntime, "write report: %w", err)
	}
	if r.LeftOpen {
		if _, err := fmt.Fprintln(m.Stdout, leftOpenHint(db.Path())); err != nil {
			return exitf(exitRuntime, "write report: %w", err)
		}
	}
	return nil
}

// errNoSessions: the database has no session to report on.
var errNoSessions = errors.New("no sessions recorded")

// loadReport builds the report of one session: the latest when id is "".
func loadReport(ctx context.Context, h engine.History, id string) (engine.Report, error) {
	if id == "" {
		list, err := h.ListSessions(ctx, engine.SessionQuery{Limit: 1, Sort: engine.SortStartedAt})
		if err != nil {
			return engine.Report{}, err
		}
		if len(list) == 0 {
			return engine.Report{}, errNoSessions
		}
		id = list[0].SessionID
	}
	return engine.LoadReport(ctx, h, id)
}

// runReportTimeout bounds reading the report at the end of a headless run.
const runReportTimeout = 10 * time.Second

// printRunReport prints the short form of the session's report on stdout
// at the end of a headless run, after the final log line. The session is
// already closed and recorded: a report that cannot be read is a warning,
// never a change of the exit code.
func (m *Main) printRunReport(ctx context.Context, sessionID string, logger *log.Logger) {
	if sessionID == "" {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, runReportTimeout)
	defer cancel()
	db, err := m.openReadOnly(ctx)
	if err != nil {
		logger.Warn("the session report could not be read; 'neo report' prints it", "session", sessionID, "err", err)
		return
	}
	defer closeQuietly(db)
	r, err := loadReport(ctx, db, sessionID)
	if err != nil {
		logger.Warn("the session report could not be read; 'neo report' prints it", "session", sessionID, "err", err)
		return
	}
	fmt.Fprint(m.Stdout, r.Short())
}
