-- The schema at the newest version, in one piece: what a NEW database gets,
-- in one transaction (a new database does not need the table rebuilds of
-- the migrations, which made a first start slow). It must equal what the
-- migrations in migrations/ build from an empty file: TestBaselineEqualsMigrations
-- holds them together. Change the schema by adding a migration AND editing
-- this file. Times are UTC text YYYY-MM-DDTHH:MM:SS.sssZ; every REAL is
-- finite (9e999 is +Inf in SQLite).

CREATE TABLE sessions (
	session_id         TEXT    NOT NULL PRIMARY KEY,
	started_at         TEXT    NOT NULL,
	ended_at           TEXT,
	ended_at_estimated INTEGER NOT NULL DEFAULT 0 CHECK (ended_at_estimated IN (0, 1)),
	mode               TEXT    NOT NULL,
	feed               TEXT    NOT NULL,
	config_json        TEXT    NOT NULL,
	app_version        TEXT    NOT NULL,
	starting_xrp       REAL    CHECK (abs(starting_xrp) < 9e999),
	starting_rlusd     REAL    CHECK (abs(starting_rlusd) < 9e999),
	starting_value     REAL    CHECK (abs(starting_value) < 9e999),
	ending_xrp         REAL    CHECK (abs(ending_xrp) < 9e999),
	ending_rlusd       REAL    CHECK (abs(ending_rlusd) < 9e999),
	ending_value       REAL    CHECK (abs(ending_value) < 9e999),
	halt_reason        TEXT
) STRICT;

CREATE TABLE orders (
	order_id   TEXT NOT NULL PRIMARY KEY,
	session_id TEXT NOT NULL REFERENCES sessions (session_id),
	side       TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
	price      REAL NOT NULL CHECK (abs(price) < 9e999),
	qty_xrp    REAL NOT NULL CHECK (abs(qty_xrp) < 9e999),
	created_at TEXT NOT NULL,
	status     TEXT NOT NULL CHECK (status IN ('open', 'filled', 'cancelled')),
	closed_at  TEXT
) STRICT;

CREATE TABLE fills (
	fill_id     TEXT NOT NULL PRIMARY KEY,
	session_id  TEXT NOT NULL REFERENCES sessions (session_id),
	order_id    TEXT NOT NULL REFERENCES orders (order_id),
	executed_at TEXT NOT NULL,
	side        TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
	price       REAL NOT NULL CHECK (abs(price) < 9e999),
	qty_xrp     REAL NOT NULL CHECK (abs(qty_xrp) < 9e999),
	value_rlusd REAL NOT NULL CHECK (abs(value_rlusd) < 9e999),
	fee_rlusd   REAL NOT NULL CHECK (abs(fee_rlusd) < 9e999)
) STRICT;

CREATE TABLE inventory_snapshots (
	session_id                 TEXT    NOT NULL REFERENCES sessions (session_id),
	created_at                 TEXT    NOT NULL,
	mid_price                  REAL    NOT NULL CHECK (abs(mid_price) < 9e999),
	xrp_balance                REAL    NOT NULL CHECK (abs(xrp_balance) < 9e999),
	rlusd_balance              REAL    NOT NULL CHECK (abs(rlusd_balance) < 9e999),
	xrp_value_in_rlusd         REAL    NOT NULL CHECK (abs(xrp_value_in_rlusd) < 9e999),
	total_value_in_rlusd       REAL    NOT NULL CHECK (abs(total_value_in_rlusd) < 9e999),
	xrp_pct                    REAL    NOT NULL CHECK (abs(xrp_pct) < 9e999),
	drift_pct                  REAL    NOT NULL CHECK (abs(drift_pct) < 9e999),
	skew_tier                  INTEGER NOT NULL,
	drift_velocity_pct_per_min REAL    NOT NULL CHECK (abs(drift_velocity_pct_per_min) < 9e999)
) STRICT;

CREATE TABLE valuation_snapshots (
	session_id           TEXT NOT NULL REFERENCES sessions (session_id),
	created_at           TEXT NOT NULL,
	mid_price            REAL NOT NULL CHECK (abs(mid_price) < 9e999),
	anchor_price         REAL NOT NULL CHECK (abs(anchor_price) < 9e999),
	total_value_in_rlusd REAL NOT NULL CHECK (abs(total_value_in_rlusd) < 9e999),
	hold_value_in_rlusd  REAL NOT NULL CHECK (abs(hold_value_in_rlusd) < 9e999),
	pnl_rlusd            REAL NOT NULL CHECK (abs(pnl_rlusd) < 9e999),
	fees_rlusd           REAL NOT NULL CHECK (abs(fees_rlusd) < 9e999)
) STRICT;

CREATE TABLE session_events (
	session_id TEXT NOT NULL REFERENCES sessions (session_id),
	created_at TEXT NOT NULL,
	level      TEXT NOT NULL,
	kind       TEXT NOT NULL,
	message    TEXT NOT NULL
) STRICT;

CREATE TABLE damaged_values (
	table_name TEXT NOT NULL,
	row_key    TEXT NOT NULL,
	detail     TEXT NOT NULL,
	found_at   TEXT NOT NULL
) STRICT;

CREATE INDEX sessions_started_at ON sessions (started_at, session_id);
CREATE INDEX sessions_open ON sessions (ended_at) WHERE ended_at IS NULL;
CREATE INDEX orders_session_created ON orders (session_id, created_at);
CREATE INDEX orders_session_status ON orders (session_id, status);
CREATE INDEX fills_session_executed ON fills (session_id, executed_at);
CREATE INDEX fills_order ON fills (order_id);
CREATE INDEX inventory_snapshots_session_created ON inventory_snapshots (session_id, created_at);
CREATE INDEX valuation_snapshots_session_created ON valuation_snapshots (session_id, created_at);
CREATE INDEX session_events_session_created ON session_events (session_id, created_at);
CREATE INDEX damaged_values_table ON damaged_values (table_name, row_key);
