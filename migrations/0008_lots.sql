-- Lots (issue 8): which lot every unit came from and went to, so a sale
-- takes from the earliest-expiring lot, a batch consumes supply lots in the
-- order they were received and costs what those lots cost, and a recall
-- follows a lot to the customers who bought it.
--
-- lot_moves is a sub-ledger of stock_movements: a movement that touches
-- lots is split across them (part 0, 1, …) under the movement's own key;
-- what a movement does not assign to a lot stays unassigned (sales made
-- before this migration, online orders). Written only by apply.rs.
CREATE TABLE lot_moves (
    op_id   TEXT NOT NULL,
    line    INTEGER NOT NULL,
    part    INTEGER NOT NULL,
    lot_id  TEXT NOT NULL,
    item_id TEXT NOT NULL,
    qty     INTEGER NOT NULL,
    reason  TEXT NOT NULL,
    -- The sale a sale, refund or void move belongs to; the batch lot a
    -- batch input went into.
    ref_id  TEXT,
    at_ms   INTEGER NOT NULL,
    PRIMARY KEY (op_id, line, part)
) WITHOUT ROWID;
CREATE INDEX lot_moves_lot ON lot_moves (lot_id, reason);
CREATE INDEX lot_moves_ref ON lot_moves (ref_id);

-- Units on hand per lot: the running sum of lot_moves, like stock_levels.
-- Negative when two devices sold the same last units offline: reported,
-- never reassigned.
CREATE TABLE lot_levels (
    lot_id  TEXT PRIMARY KEY,
    item_id TEXT NOT NULL,
    on_hand INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX lot_levels_item ON lot_levels (item_id, on_hand);

-- What the recipe promised when fewer units were made (yield and waste).
ALTER TABLE batches ADD COLUMN expected_qty INTEGER;

-- Purchases and batch outputs always named their lot.
INSERT INTO lot_moves (op_id, line, part, lot_id, item_id, qty, reason, ref_id, at_ms)
    SELECT op_id, line, 0, lot_id, item_id, qty, reason, NULL, at_ms FROM stock_movements
    WHERE lot_id IS NOT NULL AND reason IN ('purchase', 'batch_output');
INSERT INTO lot_levels (lot_id, item_id, on_hand)
    SELECT lot_id, item_id, SUM(qty) FROM lot_moves GROUP BY lot_id, item_id;
