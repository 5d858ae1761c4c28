package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
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
			fmt.Fprintf(m.Stderr, "neo: %s\n", errorLine(fmt.Errorf("closing %s: %w", dbPath, cerr)))
		}
	}()

	in, _ := m.Stdin.(*os.File)
	out, _ := m.Stdout.(*os.File)
	p := tea.NewProgram(tui.New(tui.Options{
		History:   db,
		Theme:     cfg.Console.Theme,
		NoColor:   m.Getenv("NO_COLOR") != "",
		ExportDir: filepath.Dir(dbPath),
		ReadOnly:  true,
	}),
		tea.WithAltScreen(),
		tea.WithoutSignalHandler(),
		tea.WithInput(in),
		tea.WithOutput(out),
	)

	// Nothing to close cleanly but the screen: any of the app's signals
	// quits the console, which restores the terminal. A terminal that has
	// stopped reading (a closed window) must not keep the process: after a
	// grace the console is killed, and then abandoned.
	sigs := m.notifySignals()
	defer signal.Stop(sigs)
	uiDone := make(chan error, 1)
	go func() {
		_, err := p.Run()
		uiDone <- err
	}()
	select {
	case err = <-uiDone:
	case <-sigs:
		go p.Quit() // Quit blocks while the event loop is stuck on the terminal
		select {
		case err = <-uiDone:
		case <-time.After(consoleQuitGrace):
			p.Kill()
			select {
			case err = <-uiDone:
			case <-time.After(consoleQuitGrace):
				err = nil
			}
		}
	}
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		return exitf(exitRuntime, "console: %v", err)
	}
	return nil
}
