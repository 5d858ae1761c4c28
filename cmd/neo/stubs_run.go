package main

import "github.com/spf13/cobra"

// Placeholders replaced by the run and history commands.

func (m *Main) runCmd() *cobra.Command {
	return &cobra.Command{Use: "run", Short: "Start a session", RunE: func(*cobra.Command, []string) error {
		return exitf(exitRuntime, "the engine is not built yet")
	}}
}
func (m *Main) historyCmd() *cobra.Command {
	return &cobra.Command{Use: "history", Short: "Browse past sessions"}
}
