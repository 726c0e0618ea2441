-- Market days across devices (issue 8): every device at an event has its
-- own cash drawer (float, count), the owner allots stock to each booth
-- device, and the event's Z report combines them. Written only by apply.rs.

-- One row per device working an event: the device that opened it (unless
-- it was planned ahead) and every device that joined it.
CREATE TABLE event_drawers (
    event_id      TEXT NOT NULL,
    device        TEXT NOT NULL,
    float_cents   INTEGER NOT NULL,
    opened_at_ms  INTEGER NOT NULL,
    closed_at_ms  INTEGER,
    counted_cents INTEGER,
    PRIMARY KEY (event_id, device)
) WITHOUT ROWID;
CREATE INDEX event_drawers_device ON event_drawers (device, closed_at_ms);
INSERT INTO event_drawers (event_id, device, float_cents, opened_at_ms, closed_at_ms, counted_cents)
    SELECT id, opened_by, float_cents, opened_at_ms, closed_at_ms, counted_cents FROM events;

-- Stock each booth device takes to an event: a register per (event, device, product).
CREATE TABLE allotments (
    event_id   TEXT NOT NULL,
    device     TEXT NOT NULL,
    product_id TEXT NOT NULL,
    qty        INTEGER NOT NULL,
    PRIMARY KEY (event_id, device, product_id)
) WITHOUT ROWID;

-- Which device's drawer a refund's money left.
ALTER TABLE refunds ADD COLUMN device TEXT;
UPDATE refunds SET device = (
    SELECT o.device FROM ops o WHERE o.kind = 'sale_refunded' AND json_extract(o.payload, '$.refund_id') = refunds.id
);
