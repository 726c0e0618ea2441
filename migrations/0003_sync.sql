-- Sync with a central server.

-- Set when the server refused an operation for good; it then stays in the
-- log for the user to see (applied = 0) and the tables are rebuilt without it.
ALTER TABLE ops ADD COLUMN refused_reason TEXT;
-- This device's operations the server has not acknowledged yet.
CREATE INDEX ops_unsynced ON ops (device, device_seq) WHERE server_seq IS NULL;
-- Operations kept but not applied (unknown kind, or refused).
CREATE INDEX ops_unapplied ON ops (seq) WHERE applied = 0;

CREATE TABLE sync_state (
    singleton       INTEGER PRIMARY KEY CHECK (singleton = 1),
    server_url      TEXT NOT NULL,
    device_token    TEXT NOT NULL,
    device_name     TEXT NOT NULL,
    user_email      TEXT NOT NULL,
    role            TEXT NOT NULL,
    -- The server sequence of the last operation pulled and applied.
    pull_after      INTEGER NOT NULL DEFAULT 0,
    last_attempt_ms INTEGER,
    last_success_ms INTEGER,
    last_error      TEXT
);
