// Package proofkit is the one test kit of the end-to-end tests (cmd/neo) and
// the soak and bench driver (cmd/neoproof): it builds the neo binary once,
// runs it headless or under a pseudo-terminal, reads what it prints, and
// reads its database independently of the project's store.
//
// Every verdict a caller draws from it rests on its own observation: the
// process's exit code and output, the terminal's modes, and the database as
// a fresh read-only connection (modernc.org/sqlite) and the sqlite3 CLI
// (where installed) see it, never on what the binary says about itself.
//
// The parts:
//
//   - Build: `go build` once per package and tags, cached for the process.
//   - Buffer: a goroutine-safe output collector that can wait for text
//     with a deadline (raw bytes, or text with ANSI sequences stripped).
//   - Start, Run, Proc, Result: a headless process, started or run to its end.
//   - StartConsole, Console: the binary under a pseudo-terminal that answers
//     Bubble Tea's start-up queries; keys, signals, a stalled or vanished
//     terminal, and the check that the terminal was restored.
//   - OpenReader, ReadFile, CheckClosed, Collect, CLIQuery…: the independent
//     reader.
//   - WriteBars, FastXRPLConfig: inputs for the binary (a replay file, a
//     config for xrpltest's fake market).
package proofkit
