-- The central server's store on PostgreSQL: the same contract as the
-- SQLite schema beside it.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE users (
    id            BIGSERIAL PRIMARY KEY,
    email         TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('owner', 'vendor')),
    created_at_ms BIGINT NOT NULL
);
CREATE UNIQUE INDEX users_email ON users (lower(email));

CREATE TABLE devices (
    id            TEXT PRIMARY KEY,
    user_id       BIGINT NOT NULL REFERENCES users (id),
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    revoked       BOOLEAN NOT NULL DEFAULT FALSE,
    last_seq      BIGINT NOT NULL DEFAULT 0,
    created_at_ms BIGINT NOT NULL,
    last_seen_ms  BIGINT
);

-- server_seq comes from this row, updated inside the storing transaction:
-- its lock is held until commit, so numbers are handed out in commit order
-- and a pull can never pass a number that a slower transaction commits
-- later (a SEQUENCE would allow exactly that).
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('server_seq', 0);

CREATE TABLE ops (
    server_seq  BIGINT PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    device      TEXT NOT NULL,
    device_seq  BIGINT NOT NULL,
    hlc_ms      BIGINT NOT NULL,
    hlc_counter BIGINT NOT NULL,
    version     INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    received_ms BIGINT NOT NULL
);

CREATE TABLE refusals (
    id         TEXT PRIMARY KEY,
    device     TEXT NOT NULL,
    device_seq BIGINT NOT NULL,
    reason     TEXT NOT NULL
);
