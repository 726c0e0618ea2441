-- The central server's store: users, devices and the ordered operation log.
-- It needs no copy of the business tables: devices apply operations.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('owner', 'vendor')),
    created_at_ms INTEGER NOT NULL
);

CREATE TABLE devices (
    id            TEXT PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id),
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    revoked       INTEGER NOT NULL DEFAULT 0,
    -- The highest device_seq seen from this device, stored or refused.
    last_seq      INTEGER NOT NULL DEFAULT 0,
    created_at_ms INTEGER NOT NULL,
    last_seen_ms  INTEGER
);

-- server_seq is assigned inside the transaction that stores the operation;
-- SQLite has one writer, so sequence order is commit order and a pull never
-- skips a row committed late.
CREATE TABLE ops (
    server_seq  INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    device      TEXT NOT NULL,
    device_seq  INTEGER NOT NULL,
    hlc_ms      INTEGER NOT NULL,
    hlc_counter INTEGER NOT NULL,
    version     INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    received_ms INTEGER NOT NULL
);

-- Operations refused for good, kept only so a repeated push gets the same answer.
CREATE TABLE refusals (
    id         TEXT PRIMARY KEY,
    device     TEXT NOT NULL,
    device_seq INTEGER NOT NULL,
    reason     TEXT NOT NULL
);
