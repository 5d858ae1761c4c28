package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/spf13/cobra"

	"neo/store"
	"neo/tui"
)

// historyCloseTimeout bounds closing the read-only database after the
// console.
const historyCloseTimeout = 3 * time.Second

// historyCmd opens the console on the history view: read-only, no engine,
// no instance lock, so it works beside a running `neo run`.
func (m *Main) historyCmd() *cobra.Command {
	var configPath string
	cmd := &cobra.Command{
		Use:   "history",
		Short: "Browse past sessions in the console (read-only)",
		Long: `Open the console on the history view: every recorded session with its
value curve, drift, fills and events. Read-only and lock-free: it can run
beside 'neo run'. 'e' on a session writes its fills as CSV beside the
database.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.history(cmd.Context(), configPath)
		},
	}
	cmd.Flags().StringVar(&configPath, "config", "", "TOML config, for the console theme (env NEO_CONFIG)")
	return cmd
}

func (m *Main) history(ctx context.Context, configPath string) error {
	if !isTerminal(m.Stdin) || !isTerminal(m.Stdout) {
		return exitf(exitUsage, "neo history needs a terminal; use 'neo sessions' (--json or --csv) for a printed list")
	}
	sup := m.newSupervisor()
	defer sup.stop()
	cfg, _, err := m.loadConfig(configPath)
	if err != nil {
		return err
	}
	dbPath, err := m.dbPath()
	if err != nil {
		return err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	db, err := store.Open(ctx, store.Options{Path: dbPath, ReadOnly: true})
	if err != nil {
		return storeExit(err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), historyCloseTimeout)
		defer cancel()
		if cerr := db.Close(cctx); cerr != nil {
			m.say("neo: %s\n", errorLine(fmt.Errorf("closing %s: %w", dbPath, cerr))) // after the console: a terminal that stopped reading must not hold the exit
		}
	}()

	// Nothing to close cleanly but the screen: any shutdown signal quits
	// the console, which restores the terminal. A terminal that has stopped
	// reading (a closed window) must not keep the process: after a grace
	// the console is killed, and then abandoned.
	c := m.newConsole(tui.Options{
		History:   db,
		Theme:     cfg.Console.Theme,
		NoColor:   m.Getenv("NO_COLOR") != "",
		ExportDir: filepath.Dir(dbPath),
		ReadOnly:  true,
	}, nil)
	err = sup.runConsole(c)
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		return exitf(exitRuntime, "console: %v", err)
	}
	return nil
}
