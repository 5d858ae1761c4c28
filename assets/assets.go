// Package assets holds what is embedded in the neo binary: the commented
// default configuration, the console help text and a small sample replay
// file that the project generates itself (cmd/gensample).
package assets

import _ "embed"

//go:generate go run ../cmd/gensample -o sample_replay.csv

// DefaultConfig is assets/config.toml: every key with its default value and
// a comment giving its unit and meaning. A test keeps it equal to
// engine.DefaultConfig().
//
//go:embed config.toml
var DefaultConfig []byte

// SampleReplay is assets/sample_replay.csv: one day of one-minute bars in
// the plain `time,open,high,low,close,volume` format, generated from the
// simulated market with a fixed seed (go generate ./assets).
//
//go:embed sample_replay.csv
var SampleReplay []byte

// HelpText is assets/help.txt: the keys of the console.
//
//go:embed help.txt
var HelpText string
