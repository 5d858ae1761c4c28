package main

import "github.com/spf13/cobra"

// Placeholders replaced by the store commands.

func (m *Main) sessionsCmd() *cobra.Command {
	return &cobra.Command{Use: "sessions", Short: "Print past sessions"}
}
func (m *Main) checkCmd() *cobra.Command {
	return &cobra.Command{Use: "check", Short: "Integrity check"}
}
func (m *Main) backupCmd() *cobra.Command {
	return &cobra.Command{Use: "backup", Short: "Online backup now"}
}
func (m *Main) restoreCmd() *cobra.Command {
	return &cobra.Command{Use: "restore", Short: "Restore a backup"}
}
func (m *Main) backfillCmd() *cobra.Command {
	return &cobra.Command{Use: "backfill", Short: "Estimate ended_at"}
}
