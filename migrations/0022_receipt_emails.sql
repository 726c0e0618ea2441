-- Emailed receipts (#25). A request is an operation (it survives a dead
-- phone and syncs); what became of it is one or more outcome operations
-- from the sender. The status is read from both: sent if any outcome says
-- sent, else the latest failure by the outcome's clock, else queued, so
-- every device shows the same status whatever order they arrived in.
CREATE TABLE receipt_emails (
    request_id      TEXT PRIMARY KEY,
    sale_id         TEXT NOT NULL,
    address         TEXT NOT NULL,
    requested_at_ms INTEGER NOT NULL,
    device          TEXT NOT NULL
) STRICT;
CREATE INDEX receipt_emails_sale ON receipt_emails (sale_id);

CREATE TABLE receipt_email_outcomes (
    op_id       TEXT PRIMARY KEY,
    request_id  TEXT NOT NULL,
    sent        INTEGER NOT NULL,
    reason      TEXT,
    at_ms       INTEGER NOT NULL,
    hlc_ms      INTEGER NOT NULL,
    hlc_counter INTEGER NOT NULL
) STRICT;
CREATE INDEX receipt_email_outcomes_request ON receipt_email_outcomes (request_id);

-- This device's send log, when it is the shop's sender (no server): one
-- row per request it has started to send, written before the mail server
-- is asked and updated after, so a crash in between never sends twice.
-- Never synced.
CREATE TABLE mail_send_log (
    request_id TEXT PRIMARY KEY,
    state      TEXT NOT NULL,
    generation INTEGER NOT NULL,
    reason     TEXT
) STRICT;
