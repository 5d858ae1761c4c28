// Package engine is neo's domain: the types a session is made of, the market
// feeds, the quoting strategy, the paper exchange, the risk checks and the
// session lifecycle with its single shutdown path.
//
// It declares the storage it needs (Store, History) and imports neither the
// SQLite adapter nor the console.
package engine
