-- Carts a vendor set aside to serve the next customer (#23). This device's
-- alone: not an operation, never synced, no figure of the books. A cart
-- comes back whole or not at all (taken out in one statement).
CREATE TABLE parked_carts (
    id TEXT PRIMARY KEY,
    parked_at_ms INTEGER NOT NULL,
    label TEXT NOT NULL,
    -- model::app::ParkedCart as JSON, checked when parked and when read.
    cart TEXT NOT NULL
) STRICT;
