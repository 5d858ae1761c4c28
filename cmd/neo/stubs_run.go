package main

import "github.com/spf13/cobra"

// Placeholder until cmd/neo/history_cmd.go lands.
func (m *Main) historyCmd() *cobra.Command {
	return &cobra.Command{Use: "history", Short: "Browse past sessions"}
}
