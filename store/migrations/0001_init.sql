-- Schema version 1: the session record. Column names are the `db` tags of
-- the engine structs; times are UTC text YYYY-MM-DDTHH:MM:SS.sssZ.

CREATE TABLE sessions (
	session_id         TEXT    NOT NULL PRIMARY KEY,
	started_at         TEXT    NOT NULL,
	ended_at           TEXT,
	ended_at_estimated INTEGER NOT NULL DEFAULT 0 CHECK (ended_at_estimated IN (0, 1)),
	mode               TEXT    NOT NULL,
	feed               TEXT    NOT NULL,
	config_json        TEXT    NOT NULL,
	app_version        TEXT    NOT NULL,
	starting_xrp       REAL    NOT NULL,
	starting_rlusd     REAL    NOT NULL,
	starting_value     REAL    NOT NULL,
	ending_xrp         REAL,
	ending_rlusd       REAL,
	ending_value       REAL,
	halt_reason        TEXT
) STRICT;

CREATE INDEX sessions_started_at ON sessions (started_at, session_id);
CREATE INDEX sessions_open ON sessions (ended_at) WHERE ended_at IS NULL;

CREATE TABLE orders (
	order_id   TEXT NOT NULL PRIMARY KEY,
	session_id TEXT NOT NULL REFERENCES sessions (session_id),
	side       TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
	price      REAL NOT NULL,
	qty_xrp    REAL NOT NULL,
	created_at TEXT NOT NULL,
	status     TEXT NOT NULL CHECK (status IN ('open', 'filled', 'cancelled')),
	closed_at  TEXT
) STRICT;

CREATE INDEX orders_session_created ON orders (session_id, created_at);
CREATE INDEX orders_session_status ON orders (session_id, status);

CREATE TABLE fills (
	fill_id     TEXT NOT NULL PRIMARY KEY,
	session_id  TEXT NOT NULL REFERENCES sessions (session_id),
	order_id    TEXT NOT NULL REFERENCES orders (order_id),
	executed_at TEXT NOT NULL,
	side        TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
	price       REAL NOT NULL,
	qty_xrp     REAL NOT NULL,
	value_rlusd REAL NOT NULL,
	fee_rlusd   REAL NOT NULL
) STRICT;

CREATE INDEX fills_session_executed ON fills (session_id, executed_at);
CREATE INDEX fills_order ON fills (order_id);

CREATE TABLE inventory_snapshots (
	session_id                 TEXT    NOT NULL REFERENCES sessions (session_id),
	created_at                 TEXT    NOT NULL,
	mid_price                  REAL    NOT NULL,
	xrp_balance                REAL    NOT NULL,
	rlusd_balance              REAL    NOT NULL,
	xrp_value_in_rlusd         REAL    NOT NULL,
	total_value_in_rlusd       REAL    NOT NULL,
	xrp_pct                    REAL    NOT NULL,
	drift_pct                  REAL    NOT NULL,
	skew_tier                  INTEGER NOT NULL,
	drift_velocity_pct_per_min REAL    NOT NULL
) STRICT;

CREATE INDEX inventory_snapshots_session_created ON inventory_snapshots (session_id, created_at);

CREATE TABLE valuation_snapshots (
	session_id           TEXT NOT NULL REFERENCES sessions (session_id),
	created_at           TEXT NOT NULL,
	mid_price            REAL NOT NULL,
	anchor_price         REAL NOT NULL,
	total_value_in_rlusd REAL NOT NULL,
	hold_value_in_rlusd  REAL NOT NULL,
	pnl_rlusd            REAL NOT NULL,
	fees_rlusd           REAL NOT NULL
) STRICT;

CREATE INDEX valuation_snapshots_session_created ON valuation_snapshots (session_id, created_at);

CREATE TABLE session_events (
	session_id TEXT NOT NULL REFERENCES sessions (session_id),
	created_at TEXT NOT NULL,
	level      TEXT NOT NULL,
	kind       TEXT NOT NULL,
	message    TEXT NOT NULL
) STRICT;

CREATE INDEX session_events_session_created ON session_events (session_id, created_at);
