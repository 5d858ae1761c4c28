-- Schema version 2: every REAL column holds a finite number. A replay bar at
-- 1e306 once recorded starting_value = +Inf, which no JSON export can carry;
-- SQLite cannot add a CHECK with ALTER TABLE, so the tables with REAL columns
-- are rebuilt (the twelve steps of https://sqlite.org/lang_altertable.html:
-- foreign keys are switched off around this transaction by the migrator and
-- checked with foreign_key_check before it commits). 9e999 is +Inf in SQLite;
-- NaN is never stored (SQLite binds it as NULL).
--
-- A value that is not finite in a row written before this version:
--   * a session keeps its row; the value becomes NULL (starting_* are
--     nullable from this version on for that reason only: neo always writes
--     them);
--   * an order, fill or snapshot row is moved out of its table (with the
--     fills of a moved order): it cannot be shown or summed.
-- Either way damaged_values keeps the original values as text (quote()
-- writes +Inf as 9.0e+999), and neo check lists them.
-- neo:foreign_keys_off

CREATE TABLE damaged_values (
	table_name TEXT NOT NULL,
	row_key    TEXT NOT NULL,
	detail     TEXT NOT NULL,
	found_at   TEXT NOT NULL
) STRICT;

-- Sessions.
INSERT INTO damaged_values (table_name, row_key, detail, found_at)
SELECT 'sessions', session_id,
	'not finite, set to NULL by migration 2: starting_xrp=' || quote(starting_xrp) || ' starting_rlusd=' || quote(starting_rlusd) ||
	' starting_value=' || quote(starting_value) || ' ending_xrp=' || quote(ending_xrp) || ' ending_rlusd=' || quote(ending_rlusd) ||
	' ending_value=' || quote(ending_value),
	strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
FROM sessions
WHERE abs(starting_xrp) >= 9e999 OR abs(starting_rlusd) >= 9e999 OR abs(starting_value) >= 9e999
	OR abs(ending_xrp) >= 9e999 OR abs(ending_rlusd) >= 9e999 OR abs(ending_value) >= 9e999;

CREATE TABLE new_sessions (
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

INSERT INTO new_sessions (session_id, started_at, ended_at, ended_at_estimated, mode, feed, config_json, app_version,
	starting_xrp, starting_rlusd, starting_value, ending_xrp, ending_rlusd, ending_value, halt_reason)
SELECT session_id, started_at, ended_at, ended_at_estimated, mode, feed, config_json, app_version,
	CASE WHEN abs(starting_xrp) < 9e999 THEN starting_xrp END,
	CASE WHEN abs(starting_rlusd) < 9e999 THEN starting_rlusd END,
	CASE WHEN abs(starting_value) < 9e999 THEN starting_value END,
	CASE WHEN abs(ending_xrp) < 9e999 THEN ending_xrp END,
	CASE WHEN abs(ending_rlusd) < 9e999 THEN ending_rlusd END,
	CASE WHEN abs(ending_value) < 9e999 THEN ending_value END,
	halt_reason
FROM sessions ORDER BY rowid;

-- Orders (and the fills of an order that moves).
INSERT INTO damaged_values (table_name, row_key, detail, found_at)
SELECT 'orders', order_id,
	'not finite, row moved here by migration 2: session_id=' || quote(session_id) || ' side=' || quote(side) ||
	' price=' || quote(price) || ' qty_xrp=' || quote(qty_xrp) || ' created_at=' || quote(created_at) ||
	' status=' || quote(status) || ' closed_at=' || quote(closed_at),
	strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
FROM orders WHERE NOT (abs(price) < 9e999 AND abs(qty_xrp) < 9e999);

CREATE TABLE new_orders (
	order_id   TEXT NOT NULL PRIMARY KEY,
	session_id TEXT NOT NULL REFERENCES sessions (session_id),
	side       TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
	price      REAL NOT NULL CHECK (abs(price) < 9e999),
	qty_xrp    REAL NOT NULL CHECK (abs(qty_xrp) < 9e999),
	created_at TEXT NOT NULL,
	status     TEXT NOT NULL CHECK (status IN ('open', 'filled', 'cancelled')),
	closed_at  TEXT
) STRICT;

INSERT INTO new_orders SELECT order_id, session_id, side, price, qty_xrp, created_at, status, closed_at
FROM orders WHERE abs(price) < 9e999 AND abs(qty_xrp) < 9e999 ORDER BY rowid;

-- Fills.
INSERT INTO damaged_values (table_name, row_key, detail, found_at)
SELECT 'fills', fill_id,
	CASE WHEN order_id NOT IN (SELECT order_id FROM new_orders) THEN 'its order was moved, row moved here by migration 2: '
		ELSE 'not finite, row moved here by migration 2: ' END ||
	'session_id=' || quote(session_id) || ' order_id=' || quote(order_id) || ' executed_at=' || quote(executed_at) ||
	' side=' || quote(side) || ' price=' || quote(price) || ' qty_xrp=' || quote(qty_xrp) ||
	' value_rlusd=' || quote(value_rlusd) || ' fee_rlusd=' || quote(fee_rlusd),
	strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
FROM fills WHERE NOT (abs(price) < 9e999 AND abs(qty_xrp) < 9e999 AND abs(value_rlusd) < 9e999 AND abs(fee_rlusd) < 9e999)
	OR order_id NOT IN (SELECT order_id FROM new_orders);

CREATE TABLE new_fills (
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

INSERT INTO new_fills SELECT fill_id, session_id, order_id, executed_at, side, price, qty_xrp, value_rlusd, fee_rlusd
FROM fills WHERE abs(price) < 9e999 AND abs(qty_xrp) < 9e999 AND abs(value_rlusd) < 9e999 AND abs(fee_rlusd) < 9e999
	AND order_id IN (SELECT order_id FROM new_orders) ORDER BY rowid;

-- Inventory snapshots.
INSERT INTO damaged_values (table_name, row_key, detail, found_at)
SELECT 'inventory_snapshots', session_id || ' at ' || created_at,
	'not finite, row moved here by migration 2: mid_price=' || quote(mid_price) || ' xrp_balance=' || quote(xrp_balance) ||
	' rlusd_balance=' || quote(rlusd_balance) || ' xrp_value_in_rlusd=' || quote(xrp_value_in_rlusd) ||
	' total_value_in_rlusd=' || quote(total_value_in_rlusd) || ' xrp_pct=' || quote(xrp_pct) || ' drift_pct=' || quote(drift_pct) ||
	' skew_tier=' || quote(skew_tier) || ' drift_velocity_pct_per_min=' || quote(drift_velocity_pct_per_min),
	strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
FROM inventory_snapshots
WHERE NOT (abs(mid_price) < 9e999 AND abs(xrp_balance) < 9e999 AND abs(rlusd_balance) < 9e999 AND abs(xrp_value_in_rlusd) < 9e999
	AND abs(total_value_in_rlusd) < 9e999 AND abs(xrp_pct) < 9e999 AND abs(drift_pct) < 9e999 AND abs(drift_velocity_pct_per_min) < 9e999);

CREATE TABLE new_inventory_snapshots (
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

INSERT INTO new_inventory_snapshots SELECT session_id, created_at, mid_price, xrp_balance, rlusd_balance, xrp_value_in_rlusd,
	total_value_in_rlusd, xrp_pct, drift_pct, skew_tier, drift_velocity_pct_per_min
FROM inventory_snapshots
WHERE abs(mid_price) < 9e999 AND abs(xrp_balance) < 9e999 AND abs(rlusd_balance) < 9e999 AND abs(xrp_value_in_rlusd) < 9e999
	AND abs(total_value_in_rlusd) < 9e999 AND abs(xrp_pct) < 9e999 AND abs(drift_pct) < 9e999 AND abs(drift_velocity_pct_per_min) < 9e999
ORDER BY rowid;

-- Valuation snapshots.
INSERT INTO damaged_values (table_name, row_key, detail, found_at)
SELECT 'valuation_snapshots', session_id || ' at ' || created_at,
	'not finite, row moved here by migration 2: mid_price=' || quote(mid_price) || ' anchor_price=' || quote(anchor_price) ||
	' total_value_in_rlusd=' || quote(total_value_in_rlusd) || ' hold_value_in_rlusd=' || quote(hold_value_in_rlusd) ||
	' pnl_rlusd=' || quote(pnl_rlusd) || ' fees_rlusd=' || quote(fees_rlusd),
	strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
FROM valuation_snapshots
WHERE NOT (abs(mid_price) < 9e999 AND abs(anchor_price) < 9e999 AND abs(total_value_in_rlusd) < 9e999
	AND abs(hold_value_in_rlusd) < 9e999 AND abs(pnl_rlusd) < 9e999 AND abs(fees_rlusd) < 9e999);

CREATE TABLE new_valuation_snapshots (
	session_id           TEXT NOT NULL REFERENCES sessions (session_id),
	created_at           TEXT NOT NULL,
	mid_price            REAL NOT NULL CHECK (abs(mid_price) < 9e999),
	anchor_price         REAL NOT NULL CHECK (abs(anchor_price) < 9e999),
	total_value_in_rlusd REAL NOT NULL CHECK (abs(total_value_in_rlusd) < 9e999),
	hold_value_in_rlusd  REAL NOT NULL CHECK (abs(hold_value_in_rlusd) < 9e999),
	pnl_rlusd            REAL NOT NULL CHECK (abs(pnl_rlusd) < 9e999),
	fees_rlusd           REAL NOT NULL CHECK (abs(fees_rlusd) < 9e999)
) STRICT;

INSERT INTO new_valuation_snapshots SELECT session_id, created_at, mid_price, anchor_price, total_value_in_rlusd,
	hold_value_in_rlusd, pnl_rlusd, fees_rlusd
FROM valuation_snapshots
WHERE abs(mid_price) < 9e999 AND abs(anchor_price) < 9e999 AND abs(total_value_in_rlusd) < 9e999
	AND abs(hold_value_in_rlusd) < 9e999 AND abs(pnl_rlusd) < 9e999 AND abs(fees_rlusd) < 9e999
ORDER BY rowid;

-- Swap them in (children first), then the indexes of version 1.
DROP TABLE valuation_snapshots;
DROP TABLE inventory_snapshots;
DROP TABLE fills;
DROP TABLE orders;
DROP TABLE sessions;
ALTER TABLE new_sessions RENAME TO sessions;
ALTER TABLE new_orders RENAME TO orders;
ALTER TABLE new_fills RENAME TO fills;
ALTER TABLE new_inventory_snapshots RENAME TO inventory_snapshots;
ALTER TABLE new_valuation_snapshots RENAME TO valuation_snapshots;

CREATE INDEX sessions_started_at ON sessions (started_at, session_id);
CREATE INDEX sessions_open ON sessions (ended_at) WHERE ended_at IS NULL;
CREATE INDEX orders_session_created ON orders (session_id, created_at);
CREATE INDEX orders_session_status ON orders (session_id, status);
CREATE INDEX fills_session_executed ON fills (session_id, executed_at);
CREATE INDEX fills_order ON fills (order_id);
CREATE INDEX inventory_snapshots_session_created ON inventory_snapshots (session_id, created_at);
CREATE INDEX valuation_snapshots_session_created ON valuation_snapshots (session_id, created_at);
CREATE INDEX damaged_values_table ON damaged_values (table_name, row_key);
