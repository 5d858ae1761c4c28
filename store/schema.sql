-- The schema at the newest version, in one piece: what a NEW database gets,
-- in one transaction (a new database does not need the table rebuilds of
-- the migrations, which made a first start slow). It must equal what the
-- migrations in migrations/ build from an empty file: TestBaselineEqualsMigrations
-- holds them together. Change the schema by adding a migration AND editing
-- this file. Session times (wall clock and market span) are UTC text
-- YYYY-MM-DDTHH:MM:SS.sssZ; the rows of a session carry the market time of
-- what caused them as INTEGER milliseconds since the Unix epoch (UTC) and
-- point at their session by its INTEGER session_key (schema version 3: see
-- migrations/0003_market_time.sql for why). Every REAL is finite (9e999 is
-- +Inf in SQLite).

CREATE TABLE sessions (
	session_key        INTEGER PRIMARY KEY,
	session_id         TEXT    NOT NULL UNIQUE,
	started_at         TEXT    NOT NULL,
	ended_at           TEXT,
	ended_at_estimated INTEGER NOT NULL DEFAULT 0 CHECK (ended_at_estimated IN (0, 1)),
	market_started_at  TEXT,
	market_ended_at    TEXT,
	last_write_at      TEXT,
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
	session_key        INTEGER NOT NULL REFERENCES sessions (session_key),
	order_id           TEXT    NOT NULL,
	side               TEXT    NOT NULL CHECK (side IN ('buy', 'sell')),
	price              REAL    NOT NULL CHECK (abs(price) < 9e999),
	qty_xrp            REAL    NOT NULL CHECK (abs(qty_xrp) < 9e999),
	market_time        INTEGER NOT NULL,
	status             TEXT    NOT NULL CHECK (status IN ('open', 'filled', 'cancelled')),
	closed_market_time INTEGER,
	UNIQUE (session_key, order_id)
) STRICT;

CREATE TABLE fills (
	session_key INTEGER NOT NULL REFERENCES sessions (session_key),
	fill_id     TEXT    NOT NULL,
	order_id    TEXT    NOT NULL,
	market_time INTEGER NOT NULL,
	side        TEXT    NOT NULL CHECK (side IN ('buy', 'sell')),
	price       REAL    NOT NULL CHECK (abs(price) < 9e999),
	qty_xrp     REAL    NOT NULL CHECK (abs(qty_xrp) < 9e999),
	value_rlusd REAL    NOT NULL CHECK (abs(value_rlusd) < 9e999),
	fee_rlusd   REAL    NOT NULL CHECK (abs(fee_rlusd) < 9e999),
	UNIQUE (session_key, fill_id),
	FOREIGN KEY (session_key, order_id) REFERENCES orders (session_key, order_id)
) STRICT;

CREATE TABLE inventory_snapshots (
	session_key                INTEGER NOT NULL REFERENCES sessions (session_key),
	market_time                INTEGER NOT NULL,
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
	session_key          INTEGER NOT NULL REFERENCES sessions (session_key),
	market_time          INTEGER NOT NULL,
	mid_price            REAL    NOT NULL CHECK (abs(mid_price) < 9e999),
	anchor_price         REAL    CHECK (abs(anchor_price) < 9e999),
	total_value_in_rlusd REAL    NOT NULL CHECK (abs(total_value_in_rlusd) < 9e999),
	hold_value_in_rlusd  REAL    NOT NULL CHECK (abs(hold_value_in_rlusd) < 9e999),
	pnl_rlusd            REAL    NOT NULL CHECK (abs(pnl_rlusd) < 9e999),
	fees_rlusd           REAL    NOT NULL CHECK (abs(fees_rlusd) < 9e999)
) STRICT;

CREATE TABLE session_events (
	session_key INTEGER NOT NULL REFERENCES sessions (session_key),
	created_at  TEXT    NOT NULL,
	market_time INTEGER NOT NULL,
	level       TEXT    NOT NULL,
	kind        TEXT    NOT NULL,
	message     TEXT    NOT NULL
) STRICT;

CREATE TABLE damaged_values (
	table_name TEXT NOT NULL,
	row_key    TEXT NOT NULL,
	detail     TEXT NOT NULL,
	found_at   TEXT NOT NULL
) STRICT;

CREATE INDEX sessions_started_at ON sessions (started_at, session_id);
CREATE INDEX sessions_open ON sessions (ended_at) WHERE ended_at IS NULL;
CREATE INDEX orders_open ON orders (session_key) WHERE status = 'open';
CREATE INDEX fills_session_time ON fills (session_key, market_time);
CREATE INDEX inventory_snapshots_session_time ON inventory_snapshots (session_key, market_time);
CREATE INDEX valuation_snapshots_session_time ON valuation_snapshots (session_key, market_time);
CREATE INDEX session_events_session_time ON session_events (session_key, market_time);
CREATE INDEX damaged_values_table ON damaged_values (table_name, row_key);
