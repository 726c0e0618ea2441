-- Tax that follows the market and the market's cut (#24). Places live in
-- the synced settings (one register per place, `tax_place:<name>`).
-- A product's tax category; "standard" for every product until set.
ALTER TABLE products ADD COLUMN tax_category TEXT NOT NULL DEFAULT 'standard';
-- An event's terms, each a last-writer-wins register: the place as its
-- rates were when set (JSON, model::tax::TaxPlace), the booth fee, the
-- commission and its base, the minutes the owner worked it.
ALTER TABLE events ADD COLUMN tax_place TEXT;
ALTER TABLE events ADD COLUMN fee_cents INTEGER NOT NULL DEFAULT 0 CHECK (typeof(fee_cents) = 'integer');
ALTER TABLE events ADD COLUMN commission_bp INTEGER NOT NULL DEFAULT 0 CHECK (typeof(commission_bp) = 'integer');
ALTER TABLE events ADD COLUMN commission_base TEXT NOT NULL DEFAULT 'gross';
ALTER TABLE events ADD COLUMN minutes_worked INTEGER;
-- The place a sale was taxed by (NULL: the shop's rate, as before places).
ALTER TABLE sales ADD COLUMN tax_place TEXT;
-- A market day's other costs (travel, stall, a helper), keyed by operation.
CREATE TABLE event_costs (
    op_id TEXT PRIMARY KEY,
    event_id TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    amount_cents INTEGER NOT NULL CHECK (typeof(amount_cents) = 'integer'),
    note TEXT NOT NULL
) STRICT;
CREATE INDEX event_costs_event ON event_costs (event_id);
