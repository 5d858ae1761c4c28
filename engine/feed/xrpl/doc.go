// Package xrpl is neo's live, read-only market-data feed from public XRP
// Ledger servers, for paper trading: the real XRP/RLUSD order book, the AMM
// pool as anchor, one engine.MarketEvent per validated ledger. It never
// signs or submits anything.
//
// Layers, from pure to I/O:
//
//   - amount.go, decode.go: exact amounts (drops; issued values as a 16-digit
//     Decimal, never float for price levels) and the documented message
//     shapes (API v2: tx_json, meta.AffectedNodes, validated).
//   - book.go, amm.go: the book kept from a snapshot plus validated
//     metadata, offers classified by the TYPE of TakerGets (never by the
//     bids/asks label of a both:true snapshot), levels keyed by the
//     directory quality (offers of a permissioned DEX, with a DomainID and
//     without lsfHybrid, are not in the open book and are skipped; an
//     offer past its Expiration at a ledger's close is unfunded for that
//     ledger's book view and fills, BookState.At); executions (offers
//     consumed, AMM swaps); the pool.
//   - processor.go: ledger assembly (ledger N completes when
//     ledgerClosed(N+1) arrives; a transaction delivered on both the book
//     and the AMM account subscriptions is applied once, by its hash; one
//     that comes before its own ledgerClosed, as clio may send it, is held
//     for it; one that comes after its ledger went out, clio's other
//     order, is a gap, never dropped in silence), gap detection, book_offers resync pinned to one ledger and
//     caught up with the stream. No I/O, no clock.
//   - fill.go: the paper fill rules (Matcher).
//   - client.go, dial.go, clock.go: the connection (coder/websocket), health
//     states, backoff, rotation, cooldowns; clock, dialer and randomness are
//     injected. session.go: one connection step by step (connect →
//     server_info → account_info → amm_info → subscribe → resync → read
//     loop), each step a method.
//   - record.go, replay.go: NDJSON recordings and their deterministic replay
//     through the same Processor.
//   - feed.go: the engine.Feed adapter; exchange.go: the engine.Matcher
//     (Exchange) that applies the fill rules to paper quotes.
//
// Wiring (for cmd/neo): feed.Open handles "xrpl", "xrpl:URL[,URL…]" (with
// the [xrpl] config and --record) and "xrpl-replay:FILE"; the engine reads
// Feed.Status for the console's book panel and Feed.TakeEvents for the
// session_events, and NewExchange is the paper exchange.
//
// Not modelled: offers of other books reached through paths or
// auto-bridging (their effect on this book's offers is seen, as
// consumptions); the AMM's synthetic offers in the book view (the pool is
// the anchor, its swaps are executions); funding changes that touch no
// offer (corrected by the per-minute resync; owner_funds is used when an
// offer is created); fee changes within a minute (the network fee is the
// ledger's base fee × server_info's load_factor, which includes the
// open-ledger cost, refreshed each minute); trust-line reserves (only
// base + owner reserve per resting offer); the effect of our
// paper orders on real takers beyond the rules in fill.go.
package xrpl
