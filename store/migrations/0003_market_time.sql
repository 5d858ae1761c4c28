-- Schema version 3: market time, integer keys, a lean record (issue 11).
--
-- Every order, fill, snapshot and event carries the market time of what
-- caused it (the bar's time in a replay, the simulated clock in sim, the
-- ledger's close time live) in market_time, INTEGER milliseconds since the
-- Unix epoch (UTC); an order's close is closed_market_time. A session keeps
-- its wall-clock started_at/ended_at and gains its market span
-- (market_started_at, market_ended_at: text like started_at) and
-- last_write_at (the wall time of its last committed batch: what recovery
-- estimates ended_at from).
--
-- The rows of a session point at it by session_key, the session's INTEGER
-- PRIMARY KEY, not by its 23-character text id: a replayed year writes a
-- million order rows, and the text ids and text times in every row and
-- index were most of the CPU of a replay (comparing keys) and of the file
-- (~1,000 bytes per bar). sessions.session_id keeps the text id (UNIQUE).
-- order_id and fill_id are unique within their session (UNIQUE with
-- session_key) rather than across the database. The indexes are the ones
-- the readers use: (session_key, market_time) on fills, snapshots and
-- events; the open orders of a session (recovery).
--
-- Rows written before this version: market_time = their wall time (the
-- only time they had); a session's market span = its wall span. A row
-- whose time is not a time cannot be placed in market time: it is moved to
-- damaged_values with all its values (as migration 2 did with numbers that
-- were not finite; neo check lists it), and so is a row whose session does
-- not exist (written with foreign keys off: it cannot get a session_key),
-- and the fills of a moved order. Nothing else is dropped: the migrator
-- checks, for every table, rows before = rows after + rows moved here
-- ("row moved here by migration 3") before it commits.
-- neo:foreign_keys_off

CREATE TABLE new_sessions (
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

INSERT INTO new_sessions (session_key, session_id, started_at, ended_at, ended_at_estimated, market_started_at, market_ended_at,
	last_write_at, mode, feed, config_json, app_version, starting_xrp, starting_rlusd, starting_value, ending_xrp, ending_rlusd,
	ending_value, halt_reason)
SELECT s.rowid, s.session_id, s.started_at, s.ended_at, s.ended_at_estimated, s.started_at, s.ended_at,
	max(s.started_at, IFNULL((SELECT max(executed_at) FROM fills WHERE session_id = s.session_id AND executed_at GLOB '[0-9][0-9][0-9][0-9]-*'), ''), IFNULL((SELECT max(created_at) FROM inventory_snapshots WHERE session_id = s.session_id AND created_at GLOB '[0-9][0-9][0-9][0-9]-*'), ''),
		IFNULL((SELECT max(created_at) FROM valuation_snapshots WHERE session_id = s.session_id AND created_at GLOB '[0-9][0-9][0-9][0-9]-*'), ''), IFNULL((SELECT max(created_at) FROM session_events WHERE session_id = s.session_id AND created_at GLOB '[0-9][0-9][0-9][0-9]-*'), ''),
		IFNULL((SELECT max(created_at) FROM orders WHERE session_id = s.session_id AND created_at GLOB '[0-9][0-9][0-9][0-9]-*'), ''), IFNULL((SELECT max(closed_at) FROM orders WHERE session_id = s.session_id AND closed_at GLOB '[0-9][0-9][0-9][0-9]-*'), '')),
	s.mode, s.feed, s.config_json, s.app_version, s.starting_xrp, s.starting_rlusd, s.starting_value, s.ending_xrp, s.ending_rlusd,
	s.ending_value, s.halt_reason
FROM sessions s ORDER BY s.rowid;

-- Orders.
INSERT INTO damaged_values (table_name, row_key, detail, found_at)
SELECT 'orders', order_id,
	CASE WHEN NOT EXISTS (SELECT 1 FROM sessions s WHERE s.session_id = o.session_id) THEN 'its session does not exist, row moved here by migration 3: '
		ELSE 'a time that is not a time, row moved here by migration 3: ' END ||
	'session_id=' || quote(session_id) || ' side=' || quote(side) ||
	' price=' || quote(price) || ' qty_xrp=' || quote(qty_xrp) || ' created_at=' || quote(created_at) ||
	' status=' || quote(status) || ' closed_at=' || quote(closed_at),
	strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
FROM orders o WHERE julianday(created_at) IS NULL OR (closed_at IS NOT NULL AND julianday(closed_at) IS NULL)
	OR NOT EXISTS (SELECT 1 FROM sessions s WHERE s.session_id = o.session_id);

CREATE TABLE new_orders (
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

INSERT INTO new_orders (session_key, order_id, side, price, qty_xrp, market_time, status, closed_market_time)
SELECT s.rowid, o.order_id, o.side, o.price, o.qty_xrp, CAST(round((julianday(o.created_at) - 2440587.5) * 86400000) AS INTEGER), o.status,
	CASE WHEN o.closed_at IS NOT NULL THEN CAST(round((julianday(o.closed_at) - 2440587.5) * 86400000) AS INTEGER) END
FROM orders o JOIN sessions s ON s.session_id = o.session_id
WHERE NOT (julianday(o.created_at) IS NULL OR (o.closed_at IS NOT NULL AND julianday(o.closed_at) IS NULL))
ORDER BY o.rowid;

-- Fills (and those of an order that moved).
INSERT INTO damaged_values (table_name, row_key, detail, found_at)
SELECT 'fills', f.fill_id,
	CASE WHEN julianday(f.executed_at) IS NULL THEN 'a time that is not a time, row moved here by migration 3: '
		WHEN NOT EXISTS (SELECT 1 FROM sessions s WHERE s.session_id = f.session_id) THEN 'its session does not exist, row moved here by migration 3: '
		ELSE 'its order was moved, row moved here by migration 3: ' END ||
	'session_id=' || quote(f.session_id) || ' order_id=' || quote(f.order_id) || ' executed_at=' || quote(f.executed_at) ||
	' side=' || quote(f.side) || ' price=' || quote(f.price) || ' qty_xrp=' || quote(f.qty_xrp) ||
	' value_rlusd=' || quote(f.value_rlusd) || ' fee_rlusd=' || quote(f.fee_rlusd),
	strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
FROM fills f
WHERE julianday(f.executed_at) IS NULL OR NOT EXISTS (SELECT 1 FROM new_orders n JOIN sessions s ON s.rowid = n.session_key
	WHERE s.session_id = f.session_id AND n.order_id = f.order_id);

CREATE TABLE new_fills (
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

INSERT INTO new_fills (session_key, fill_id, order_id, market_time, side, price, qty_xrp, value_rlusd, fee_rlusd)
SELECT s.rowid, f.fill_id, f.order_id, CAST(round((julianday(f.executed_at) - 2440587.5) * 86400000) AS INTEGER), f.side, f.price, f.qty_xrp, f.value_rlusd, f.fee_rlusd
FROM fills f JOIN sessions s ON s.session_id = f.session_id
WHERE NOT julianday(f.executed_at) IS NULL AND EXISTS (SELECT 1 FROM new_orders n WHERE n.session_key = s.rowid AND n.order_id = f.order_id)
ORDER BY f.rowid;

-- Inventory snapshots.
INSERT INTO damaged_values (table_name, row_key, detail, found_at)
SELECT 'inventory_snapshots', session_id || ' at ' || created_at,
	CASE WHEN julianday(created_at) IS NULL THEN 'a time that is not a time, row moved here by migration 3: '
		ELSE 'its session does not exist, row moved here by migration 3: ' END || 'mid_price=' || quote(mid_price) || ' xrp_balance=' || quote(xrp_balance) ||
	' rlusd_balance=' || quote(rlusd_balance) || ' xrp_value_in_rlusd=' || quote(xrp_value_in_rlusd) ||
	' total_value_in_rlusd=' || quote(total_value_in_rlusd) || ' xrp_pct=' || quote(xrp_pct) || ' drift_pct=' || quote(drift_pct) ||
	' skew_tier=' || quote(skew_tier) || ' drift_velocity_pct_per_min=' || quote(drift_velocity_pct_per_min),
	strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
FROM inventory_snapshots i WHERE julianday(created_at) IS NULL
	OR NOT EXISTS (SELECT 1 FROM sessions s WHERE s.session_id = i.session_id);

CREATE TABLE new_inventory_snapshots (
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

INSERT INTO new_inventory_snapshots (session_key, market_time, mid_price, xrp_balance, rlusd_balance, xrp_value_in_rlusd,
	total_value_in_rlusd, xrp_pct, drift_pct, skew_tier, drift_velocity_pct_per_min)
SELECT s.rowid, CAST(round((julianday(i.created_at) - 2440587.5) * 86400000) AS INTEGER), i.mid_price, i.xrp_balance, i.rlusd_balance, i.xrp_value_in_rlusd,
	i.total_value_in_rlusd, i.xrp_pct, i.drift_pct, i.skew_tier, i.drift_velocity_pct_per_min
FROM inventory_snapshots i JOIN sessions s ON s.session_id = i.session_id
WHERE NOT julianday(i.created_at) IS NULL ORDER BY i.rowid;

-- Valuation snapshots. anchor_price is nullable from this version on: a
-- feed without an anchor (a replay) records none rather than 0. An old 0
-- meant exactly that (no feed has a price of 0).
INSERT INTO damaged_values (table_name, row_key, detail, found_at)
SELECT 'valuation_snapshots', session_id || ' at ' || created_at,
	CASE WHEN julianday(created_at) IS NULL THEN 'a time that is not a time, row moved here by migration 3: '
		ELSE 'its session does not exist, row moved here by migration 3: ' END || 'mid_price=' || quote(mid_price) || ' anchor_price=' || quote(anchor_price) ||
	' total_value_in_rlusd=' || quote(total_value_in_rlusd) || ' hold_value_in_rlusd=' || quote(hold_value_in_rlusd) ||
	' pnl_rlusd=' || quote(pnl_rlusd) || ' fees_rlusd=' || quote(fees_rlusd),
	strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
FROM valuation_snapshots v WHERE julianday(created_at) IS NULL
	OR NOT EXISTS (SELECT 1 FROM sessions s WHERE s.session_id = v.session_id);

CREATE TABLE new_valuation_snapshots (
	session_key          INTEGER NOT NULL REFERENCES sessions (session_key),
	market_time          INTEGER NOT NULL,
	mid_price            REAL    NOT NULL CHECK (abs(mid_price) < 9e999),
	anchor_price         REAL    CHECK (abs(anchor_price) < 9e999),
	total_value_in_rlusd REAL    NOT NULL CHECK (abs(total_value_in_rlusd) < 9e999),
	hold_value_in_rlusd  REAL    NOT NULL CHECK (abs(hold_value_in_rlusd) < 9e999),
	pnl_rlusd            REAL    NOT NULL CHECK (abs(pnl_rlusd) < 9e999),
	fees_rlusd           REAL    NOT NULL CHECK (abs(fees_rlusd) < 9e999)
) STRICT;

INSERT INTO new_valuation_snapshots (session_key, market_time, mid_price, anchor_price, total_value_in_rlusd,
	hold_value_in_rlusd, pnl_rlusd, fees_rlusd)
SELECT s.rowid, CAST(round((julianday(v.created_at) - 2440587.5) * 86400000) AS INTEGER), v.mid_price, CASE WHEN v.anchor_price <> 0 THEN v.anchor_price END, v.total_value_in_rlusd,
	v.hold_value_in_rlusd, v.pnl_rlusd, v.fees_rlusd
FROM valuation_snapshots v JOIN sessions s ON s.session_id = v.session_id
WHERE NOT julianday(v.created_at) IS NULL ORDER BY v.rowid;

-- Session events keep their wall-clock created_at beside the market time.
INSERT INTO damaged_values (table_name, row_key, detail, found_at)
SELECT 'session_events', session_id || ' at ' || created_at,
	CASE WHEN julianday(created_at) IS NULL THEN 'a time that is not a time, row moved here by migration 3: '
		ELSE 'its session does not exist, row moved here by migration 3: ' END || 'level=' || quote(level) || ' kind=' || quote(kind) ||
	' message=' || quote(message),
	strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
FROM session_events e WHERE julianday(created_at) IS NULL
	OR NOT EXISTS (SELECT 1 FROM sessions s WHERE s.session_id = e.session_id);

CREATE TABLE new_session_events (
	session_key INTEGER NOT NULL REFERENCES sessions (session_key),
	created_at  TEXT    NOT NULL,
	market_time INTEGER NOT NULL,
	level       TEXT    NOT NULL,
	kind        TEXT    NOT NULL,
	message     TEXT    NOT NULL
) STRICT;

INSERT INTO new_session_events (session_key, created_at, market_time, level, kind, message)
SELECT s.rowid, e.created_at, CAST(round((julianday(e.created_at) - 2440587.5) * 86400000) AS INTEGER), e.level, e.kind, e.message
FROM session_events e JOIN sessions s ON s.session_id = e.session_id
WHERE NOT julianday(e.created_at) IS NULL ORDER BY e.rowid;

-- Swap them in (children first), then the indexes of version 3.
DROP TABLE session_events;
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
ALTER TABLE new_session_events RENAME TO session_events;

CREATE INDEX sessions_started_at ON sessions (started_at, session_id);
CREATE INDEX sessions_open ON sessions (ended_at) WHERE ended_at IS NULL;
CREATE INDEX orders_open ON orders (session_key) WHERE status = 'open';
CREATE INDEX fills_session_time ON fills (session_key, market_time);
CREATE INDEX inventory_snapshots_session_time ON inventory_snapshots (session_key, market_time);
CREATE INDEX valuation_snapshots_session_time ON valuation_snapshots (session_key, market_time);
CREATE INDEX session_events_session_time ON session_events (session_key, market_time);
