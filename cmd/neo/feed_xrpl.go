package main

// The --feed wiring of the live XRP Ledger: the [xrpl] config, --record,
// the live fill rules and the flag checks that only concern these feeds.

import (
	"time"

	"github.com/spf13/cobra"

	"neo/engine"
	"neo/engine/feed"
	"neo/engine/feed/xrpl"
)

// feedHelp and recordHelp are the --feed and --record help texts.
const (
	feedHelp = "market feed: sim | replay:FILE | xrpl (the live XRP Ledger, default servers) | " +
		"xrpl:URL[,URL…] (wss://, or ws:// on loopback) | xrpl-replay:FILE (a --record recording)"
	recordHelp = "with --feed xrpl: record every request and message as NDJSON to FILE (.gz compresses); " +
		"replay it with --feed xrpl-replay:FILE"
)

// validateFeedFlags refuses --record without the live feed and a --speed
// other than 1 with it (the ledger is the clock).
func validateFeedFlags(cmd *cobra.Command, f *runFlags) error {
	live := feed.IsLiveXRPL(f.feed)
	if f.record != "" && !live {
		return exitf(exitUsage, "--record %s: only the live feed is recorded (--feed xrpl or xrpl:URL); a replay or the sim needs no recording", clean(f.record))
	}
	if cmd.Flags().Changed("record") && f.record == "" {
		return exitf(exitUsage, "--record is empty: give a file name (e.g. --record session.ndjson.gz), or leave it out")
	}
	if live && cmd.Flags().Changed("speed") && f.speed != 1 {
		return exitf(exitUsage, "--speed %v with --feed %s: the live ledger runs at real time; leave --speed out (replay a --record recording with --feed xrpl-replay:FILE to run faster)", f.speed, clean(f.feed))
	}
	return nil
}

// openFeed opens the --feed. The live XRPL feed takes the [xrpl] config
// and --record; XRPL feeds (live or a recording) get the live fill rules.
func (m *Main) openFeed(f *runFlags, cfg engine.Config, seed int64) (engine.Feed, error) {
	fd, err := feed.Open(f.feed, feed.Options{Seed: seed, Start: time.Now().UTC(), XRPL: xrpl.ConfigFrom(cfg.XRPL), Record: f.record})
	if err != nil {
		return nil, err
	}
	if _, ok := fd.(*xrpl.Feed); ok {
		f.matcher, f.liveFeed = xrpl.NewExchange(), feed.IsLiveXRPL(f.feed)
	}
	return fd, nil
}
