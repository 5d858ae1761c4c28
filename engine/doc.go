// Package engine is neo's domain: the types a session is made of, the market
// feeds, the quoting strategy, the paper exchange, the risk checks and the
// session lifecycle with its single shutdown path.
//
// It declares the storage it needs (Store, History) and imports neither the
// SQLite adapter nor the console.
//
// The running session, file by job:
//   - engine.go: Options, the Engine and its field groups, New, Start, the
//     loop (one goroutine per session);
//   - feedreader.go: the goroutine that reads the Feed for the loop;
//   - tick.go: one market event (apply): its pacing, fills, valuation,
//     risk, snapshots, quotes; the operator's pause;
//   - pace.go: market time played at --speed (a live feed comes at its own
//     pace);
//   - liveness.go: a live feed's health in the session: quotes pulled while
//     it is not LIVE, its connection events, the ledger's costs;
//   - risk.go: the risk checks, pure functions of config, valuation, event
//     and market clock;
//   - recorder.go: every write to the Store while the session runs;
//   - publish.go: the immutable State the console reads;
//   - shutdown.go: the one shutdown path, its doors (RequestClose, Close)
//     and its steps.
//
// The pieces they use: strategy.go (quotes), paper.go (the paper exchange,
// its Matcher and partial fills), inventory.go (valuation, drift),
// report.go (a session's report, one streaming pass), error.go (the error
// codes every layer shares), config.go and config_load.go, types.go,
// state.go, store.go (the Store and History interfaces), feed.go (the Feed
// interface).
package engine
