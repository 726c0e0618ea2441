-- A card or other payment taken off a sale before it was finished, with
-- the vendor's answer to "was it charged?" (#23). Written by applying
-- payment_withdrawn operations; keyed by the operation.
CREATE TABLE withdrawn_payments (
    op_id TEXT PRIMARY KEY,
    device TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    event_id TEXT,
    method TEXT NOT NULL,
    amount_cents INTEGER NOT NULL CHECK (typeof(amount_cents) = 'integer'),
    charged INTEGER NOT NULL
) STRICT;
CREATE INDEX withdrawn_payments_event ON withdrawn_payments (event_id);
