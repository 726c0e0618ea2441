-- The integer rule of migration 0010, kept, moved from triggers into the
-- tables themselves: every money and quantity column it guarded now has
-- `CHECK (typeof(x) = 'integer')` (as the columns added since 0017 have),
-- and the `*_integers_insert` / `*_integers_update` triggers are gone with
-- the tables they were on.
--
-- Why: a statement on a table with a trigger that may abort opens a
-- statement journal (a savepoint), so every sale rung up and every pulled
-- operation paid for one per row written: about a fifth of applying a
-- pulled page. A CHECK refuses the same writes (a REAL, a text, a sum that
-- left i64 and became a REAL) at the same moment, with no journal.
--
-- SQLite cannot add a CHECK to a column, so each table is rebuilt: its
-- rows copied aside into a table of the same file (rowids kept; not a TEMP
-- table, whose file a phone may have nowhere to put), the table dropped
-- (its triggers and indexes with it), made again with the CHECKs, the rows
-- copied back, the copy dropped, the indexes made again. No table here has
-- or is named by a foreign key. Not the usual new-table-then-rename: each
-- ALTER TABLE RENAME re-reads the whole schema, and nineteen of them made
-- every new database (a device's first start, each replay check) about
-- 50 ms slower to create.
--
-- The copy cannot fail on a figure, since 0010 let no non-integer into
-- these columns; were one there, the copy would refuse it and the whole
-- migration roll back, leaving the database as it was. The constraint's
-- name is the sentence a refused write reports.

-- stock_levels
CREATE TABLE stock_levels_rows AS SELECT item_id, on_hand FROM stock_levels;
DROP TABLE stock_levels;
CREATE TABLE stock_levels (
    item_id TEXT PRIMARY KEY,
    on_hand INTEGER NOT NULL CONSTRAINT "a figure in stock_levels must be a whole number" CHECK (typeof(on_hand) = 'integer')
) WITHOUT ROWID;
INSERT INTO stock_levels (item_id, on_hand)
    SELECT item_id, on_hand FROM stock_levels_rows;
DROP TABLE stock_levels_rows;

-- lot_levels
CREATE TABLE lot_levels_rows AS SELECT lot_id, item_id, on_hand FROM lot_levels;
DROP TABLE lot_levels;
CREATE TABLE lot_levels (
    lot_id  TEXT PRIMARY KEY,
    item_id TEXT NOT NULL,
    on_hand INTEGER NOT NULL CONSTRAINT "a figure in lot_levels must be a whole number" CHECK (typeof(on_hand) = 'integer')
) WITHOUT ROWID;
INSERT INTO lot_levels (lot_id, item_id, on_hand)
    SELECT lot_id, item_id, on_hand FROM lot_levels_rows;
DROP TABLE lot_levels_rows;
CREATE INDEX lot_levels_item ON lot_levels (item_id, on_hand);

-- stock_movements
CREATE TABLE stock_movements_rows AS SELECT op_id, line, item_kind, item_id, qty, reason, note, lot_id, at_ms FROM stock_movements;
DROP TABLE stock_movements;
CREATE TABLE stock_movements (
    op_id     TEXT NOT NULL,
    line      INTEGER NOT NULL,
    item_kind TEXT NOT NULL CHECK (item_kind IN ('product', 'supply')),
    item_id   TEXT NOT NULL,
    qty       INTEGER NOT NULL CONSTRAINT "a figure in stock_movements must be a whole number" CHECK (typeof(qty) = 'integer'),
    reason    TEXT NOT NULL,
    note      TEXT,
    lot_id    TEXT,
    at_ms     INTEGER NOT NULL,
    PRIMARY KEY (op_id, line)
) WITHOUT ROWID;
INSERT INTO stock_movements (op_id, line, item_kind, item_id, qty, reason, note, lot_id, at_ms)
    SELECT op_id, line, item_kind, item_id, qty, reason, note, lot_id, at_ms FROM stock_movements_rows;
DROP TABLE stock_movements_rows;
CREATE INDEX stock_movements_item ON stock_movements (item_id, qty);

-- lot_moves
CREATE TABLE lot_moves_rows AS SELECT op_id, line, part, lot_id, item_id, qty, reason, ref_id, at_ms FROM lot_moves;
DROP TABLE lot_moves;
CREATE TABLE lot_moves (
    op_id   TEXT NOT NULL,
    line    INTEGER NOT NULL,
    part    INTEGER NOT NULL,
    lot_id  TEXT NOT NULL,
    item_id TEXT NOT NULL,
    qty     INTEGER NOT NULL CONSTRAINT "a figure in lot_moves must be a whole number" CHECK (typeof(qty) = 'integer'),
    reason  TEXT NOT NULL,
    -- The sale a sale, refund or void move belongs to; the batch lot a
    -- batch input went into.
    ref_id  TEXT,
    at_ms   INTEGER NOT NULL,
    PRIMARY KEY (op_id, line, part)
) WITHOUT ROWID;
INSERT INTO lot_moves (op_id, line, part, lot_id, item_id, qty, reason, ref_id, at_ms)
    SELECT op_id, line, part, lot_id, item_id, qty, reason, ref_id, at_ms FROM lot_moves_rows;
DROP TABLE lot_moves_rows;
CREATE INDEX lot_moves_lot ON lot_moves (lot_id, reason);
CREATE INDEX lot_moves_ref ON lot_moves (ref_id);

-- sales_daily
CREATE TABLE sales_daily_rows AS SELECT day, product_id, event_id, units, gross_cents, discount_cents, tax_cents, net_cents, total_cents, refund_units, refund_cents, refund_tax_cents FROM sales_daily;
DROP TABLE sales_daily;
CREATE TABLE sales_daily (
    day              TEXT NOT NULL,
    product_id       TEXT NOT NULL,
    event_id         TEXT NOT NULL,
    units            INTEGER NOT NULL DEFAULT 0 CONSTRAINT "a figure in sales_daily must be a whole number" CHECK (typeof(units) = 'integer'),
    gross_cents      INTEGER NOT NULL DEFAULT 0 CONSTRAINT "a figure in sales_daily must be a whole number" CHECK (typeof(gross_cents) = 'integer'),
    discount_cents   INTEGER NOT NULL DEFAULT 0 CONSTRAINT "a figure in sales_daily must be a whole number" CHECK (typeof(discount_cents) = 'integer'),
    tax_cents        INTEGER NOT NULL DEFAULT 0 CONSTRAINT "a figure in sales_daily must be a whole number" CHECK (typeof(tax_cents) = 'integer'),
    net_cents        INTEGER NOT NULL DEFAULT 0 CONSTRAINT "a figure in sales_daily must be a whole number" CHECK (typeof(net_cents) = 'integer'),
    total_cents      INTEGER NOT NULL DEFAULT 0 CONSTRAINT "a figure in sales_daily must be a whole number" CHECK (typeof(total_cents) = 'integer'),
    refund_units     INTEGER NOT NULL DEFAULT 0 CONSTRAINT "a figure in sales_daily must be a whole number" CHECK (typeof(refund_units) = 'integer'),
    refund_cents     INTEGER NOT NULL DEFAULT 0 CONSTRAINT "a figure in sales_daily must be a whole number" CHECK (typeof(refund_cents) = 'integer'),
    refund_tax_cents INTEGER NOT NULL DEFAULT 0 CONSTRAINT "a figure in sales_daily must be a whole number" CHECK (typeof(refund_tax_cents) = 'integer'),
    PRIMARY KEY (day, product_id, event_id)
) WITHOUT ROWID;
INSERT INTO sales_daily (day, product_id, event_id, units, gross_cents, discount_cents, tax_cents, net_cents, total_cents, refund_units, refund_cents, refund_tax_cents)
    SELECT day, product_id, event_id, units, gross_cents, discount_cents, tax_cents, net_cents, total_cents, refund_units, refund_cents, refund_tax_cents FROM sales_daily_rows;
DROP TABLE sales_daily_rows;
CREATE INDEX sales_daily_event ON sales_daily (event_id);

-- payments_daily
CREATE TABLE payments_daily_rows AS SELECT day, method, payments, amount_cents, refund_cents FROM payments_daily;
DROP TABLE payments_daily;
CREATE TABLE payments_daily (
    day          TEXT NOT NULL,
    method       TEXT NOT NULL,
    payments     INTEGER NOT NULL DEFAULT 0 CONSTRAINT "a figure in payments_daily must be a whole number" CHECK (typeof(payments) = 'integer'),
    amount_cents INTEGER NOT NULL DEFAULT 0 CONSTRAINT "a figure in payments_daily must be a whole number" CHECK (typeof(amount_cents) = 'integer'),
    refund_cents INTEGER NOT NULL DEFAULT 0 CONSTRAINT "a figure in payments_daily must be a whole number" CHECK (typeof(refund_cents) = 'integer'),
    PRIMARY KEY (day, method)
) WITHOUT ROWID;
INSERT INTO payments_daily (day, method, payments, amount_cents, refund_cents)
    SELECT day, method, payments, amount_cents, refund_cents FROM payments_daily_rows;
DROP TABLE payments_daily_rows;

-- sales
CREATE TABLE sales_rows AS SELECT rowid AS old_rowid, id, receipt_no, device, at_ms, event_id, customer_id, tax_bp, tax_inclusive, gross_cents, discount_cents, tax_cents, total_cents, change_cents, voided, tax_place, tip_cents, tip_method FROM sales;
DROP TABLE sales;
CREATE TABLE sales (
    id             TEXT PRIMARY KEY,
    receipt_no     TEXT NOT NULL,
    device         TEXT NOT NULL,
    at_ms          INTEGER NOT NULL,
    event_id       TEXT,
    customer_id    TEXT,
    tax_bp         INTEGER NOT NULL,
    tax_inclusive  INTEGER NOT NULL,
    gross_cents    INTEGER NOT NULL CONSTRAINT "a figure in sales must be a whole number" CHECK (typeof(gross_cents) = 'integer'),
    discount_cents INTEGER NOT NULL CONSTRAINT "a figure in sales must be a whole number" CHECK (typeof(discount_cents) = 'integer'),
    tax_cents      INTEGER NOT NULL CONSTRAINT "a figure in sales must be a whole number" CHECK (typeof(tax_cents) = 'integer'),
    total_cents    INTEGER NOT NULL CONSTRAINT "a figure in sales must be a whole number" CHECK (typeof(total_cents) = 'integer'),
    change_cents   INTEGER NOT NULL CONSTRAINT "a figure in sales must be a whole number" CHECK (typeof(change_cents) = 'integer'),
    voided         INTEGER NOT NULL DEFAULT 0,
    tax_place TEXT,
    tip_cents INTEGER NOT NULL DEFAULT 0 CHECK (typeof(tip_cents) = 'integer'),
    tip_method TEXT
);
INSERT INTO sales (rowid, id, receipt_no, device, at_ms, event_id, customer_id, tax_bp, tax_inclusive, gross_cents, discount_cents, tax_cents, total_cents, change_cents, voided, tax_place, tip_cents, tip_method)
    SELECT old_rowid, id, receipt_no, device, at_ms, event_id, customer_id, tax_bp, tax_inclusive, gross_cents, discount_cents, tax_cents, total_cents, change_cents, voided, tax_place, tip_cents, tip_method FROM sales_rows;
DROP TABLE sales_rows;
CREATE INDEX sales_at ON sales (at_ms);
CREATE INDEX sales_customer ON sales (customer_id);
CREATE INDEX sales_event ON sales (event_id);

-- sale_lines
CREATE TABLE sale_lines_rows AS SELECT sale_id, line_no, product_id, qty, unit_price_cents, gross_cents, discount_cents, tax_cents, net_cents, total_cents, at_ms, event_id, voided, description, tax_category, tax_bp FROM sale_lines;
DROP TABLE sale_lines;
CREATE TABLE sale_lines (
    sale_id          TEXT NOT NULL,
    line_no          INTEGER NOT NULL,
    product_id       TEXT NOT NULL,
    qty              INTEGER NOT NULL CONSTRAINT "a figure in sale_lines must be a whole number" CHECK (typeof(qty) = 'integer'),
    unit_price_cents INTEGER NOT NULL CONSTRAINT "a figure in sale_lines must be a whole number" CHECK (typeof(unit_price_cents) = 'integer'),
    gross_cents      INTEGER NOT NULL CONSTRAINT "a figure in sale_lines must be a whole number" CHECK (typeof(gross_cents) = 'integer'),
    discount_cents   INTEGER NOT NULL CONSTRAINT "a figure in sale_lines must be a whole number" CHECK (typeof(discount_cents) = 'integer'),
    tax_cents        INTEGER NOT NULL CONSTRAINT "a figure in sale_lines must be a whole number" CHECK (typeof(tax_cents) = 'integer'),
    net_cents        INTEGER NOT NULL CONSTRAINT "a figure in sale_lines must be a whole number" CHECK (typeof(net_cents) = 'integer'),
    total_cents      INTEGER NOT NULL CONSTRAINT "a figure in sale_lines must be a whole number" CHECK (typeof(total_cents) = 'integer'),
    at_ms            INTEGER NOT NULL,
    event_id         TEXT,
    voided           INTEGER NOT NULL DEFAULT 0,
    description TEXT,
    tax_category TEXT NOT NULL DEFAULT 'standard',
    tax_bp INTEGER,
    PRIMARY KEY (sale_id, line_no)
) WITHOUT ROWID;
INSERT INTO sale_lines (sale_id, line_no, product_id, qty, unit_price_cents, gross_cents, discount_cents, tax_cents, net_cents, total_cents, at_ms, event_id, voided, description, tax_category, tax_bp)
    SELECT sale_id, line_no, product_id, qty, unit_price_cents, gross_cents, discount_cents, tax_cents, net_cents, total_cents, at_ms, event_id, voided, description, tax_category, tax_bp FROM sale_lines_rows;
DROP TABLE sale_lines_rows;

-- sale_payments
CREATE TABLE sale_payments_rows AS SELECT sale_id, n, method, amount_cents, tendered_cents, tender, gives_change FROM sale_payments;
DROP TABLE sale_payments;
CREATE TABLE sale_payments (
    sale_id        TEXT NOT NULL,
    n              INTEGER NOT NULL,
    method         TEXT NOT NULL CHECK (method IN ('cash', 'card', 'other', 'shopify')),
    amount_cents   INTEGER NOT NULL CONSTRAINT "a figure in sale_payments must be a whole number" CHECK (typeof(amount_cents) = 'integer'),
    tendered_cents INTEGER NOT NULL CONSTRAINT "a figure in sale_payments must be a whole number" CHECK (typeof(tendered_cents) = 'integer'),
    tender TEXT,
    gives_change INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (sale_id, n)
) WITHOUT ROWID;
INSERT INTO sale_payments (sale_id, n, method, amount_cents, tendered_cents, tender, gives_change)
    SELECT sale_id, n, method, amount_cents, tendered_cents, tender, gives_change FROM sale_payments_rows;
DROP TABLE sale_payments_rows;

-- refunds
CREATE TABLE refunds_rows AS SELECT rowid AS old_rowid, id, sale_id, at_ms, event_id, restock, method, total_cents, device, tender FROM refunds;
DROP TABLE refunds;
CREATE TABLE refunds (
    id          TEXT PRIMARY KEY,
    sale_id     TEXT NOT NULL,
    at_ms       INTEGER NOT NULL,
    event_id    TEXT,
    restock     INTEGER NOT NULL,
    method      TEXT NOT NULL,
    total_cents INTEGER NOT NULL CONSTRAINT "a figure in refunds must be a whole number" CHECK (typeof(total_cents) = 'integer'),
    device TEXT,
    tender TEXT
);
INSERT INTO refunds (rowid, id, sale_id, at_ms, event_id, restock, method, total_cents, device, tender)
    SELECT old_rowid, id, sale_id, at_ms, event_id, restock, method, total_cents, device, tender FROM refunds_rows;
DROP TABLE refunds_rows;
CREATE INDEX refunds_sale ON refunds (sale_id);

-- refund_lines
CREATE TABLE refund_lines_rows AS SELECT refund_id, line_no, product_id, qty, amount_cents, tax_cents, at_ms, event_id FROM refund_lines;
DROP TABLE refund_lines;
CREATE TABLE refund_lines (
    refund_id    TEXT NOT NULL,
    line_no      INTEGER NOT NULL,
    product_id   TEXT NOT NULL,
    qty          INTEGER NOT NULL CONSTRAINT "a figure in refund_lines must be a whole number" CHECK (typeof(qty) = 'integer'),
    amount_cents INTEGER NOT NULL CONSTRAINT "a figure in refund_lines must be a whole number" CHECK (typeof(amount_cents) = 'integer'),
    tax_cents    INTEGER NOT NULL CONSTRAINT "a figure in refund_lines must be a whole number" CHECK (typeof(tax_cents) = 'integer'),
    at_ms        INTEGER NOT NULL,
    event_id     TEXT,
    PRIMARY KEY (refund_id, line_no)
) WITHOUT ROWID;
INSERT INTO refund_lines (refund_id, line_no, product_id, qty, amount_cents, tax_cents, at_ms, event_id)
    SELECT refund_id, line_no, product_id, qty, amount_cents, tax_cents, at_ms, event_id FROM refund_lines_rows;
DROP TABLE refund_lines_rows;
CREATE INDEX refund_lines_product ON refund_lines (product_id);

-- supply_lots
CREATE TABLE supply_lots_rows AS SELECT rowid AS old_rowid, id, supply_id, lot_code, qty, cost_cents, received_at_ms FROM supply_lots;
DROP TABLE supply_lots;
CREATE TABLE supply_lots (
    id             TEXT PRIMARY KEY,
    supply_id      TEXT NOT NULL,
    lot_code       TEXT NOT NULL,
    qty            INTEGER NOT NULL CONSTRAINT "a figure in supply_lots must be a whole number" CHECK (typeof(qty) = 'integer'),
    cost_cents     INTEGER NOT NULL CONSTRAINT "a figure in supply_lots must be a whole number" CHECK (typeof(cost_cents) = 'integer'),
    received_at_ms INTEGER NOT NULL
);
INSERT INTO supply_lots (rowid, id, supply_id, lot_code, qty, cost_cents, received_at_ms)
    SELECT old_rowid, id, supply_id, lot_code, qty, cost_cents, received_at_ms FROM supply_lots_rows;
DROP TABLE supply_lots_rows;
CREATE INDEX supply_lots_supply ON supply_lots (supply_id);

-- batches
CREATE TABLE batches_rows AS SELECT rowid AS old_rowid, id, product_id, lot_code, batches, output_qty, cost_cents, made_at_ms, expires_on, expected_qty FROM batches;
DROP TABLE batches;
CREATE TABLE batches (
    id          TEXT PRIMARY KEY,
    product_id  TEXT NOT NULL,
    lot_code    TEXT NOT NULL,
    batches     INTEGER NOT NULL,
    output_qty  INTEGER NOT NULL CONSTRAINT "a figure in batches must be a whole number" CHECK (typeof(output_qty) = 'integer'),
    cost_cents  INTEGER NOT NULL CONSTRAINT "a figure in batches must be a whole number" CHECK (typeof(cost_cents) = 'integer'),
    made_at_ms  INTEGER NOT NULL,
    expires_on  TEXT,
    expected_qty INTEGER
);
INSERT INTO batches (rowid, id, product_id, lot_code, batches, output_qty, cost_cents, made_at_ms, expires_on, expected_qty)
    SELECT old_rowid, id, product_id, lot_code, batches, output_qty, cost_cents, made_at_ms, expires_on, expected_qty FROM batches_rows;
DROP TABLE batches_rows;
CREATE INDEX batches_product ON batches (product_id);

-- batch_inputs
CREATE TABLE batch_inputs_rows AS SELECT batch_id, supply_id, qty, cost_microcents FROM batch_inputs;
DROP TABLE batch_inputs;
CREATE TABLE batch_inputs (
    batch_id        TEXT NOT NULL,
    supply_id       TEXT NOT NULL,
    qty             INTEGER NOT NULL CONSTRAINT "a figure in batch_inputs must be a whole number" CHECK (typeof(qty) = 'integer'),
    cost_microcents INTEGER NOT NULL CONSTRAINT "a figure in batch_inputs must be a whole number" CHECK (typeof(cost_microcents) = 'integer'),
    PRIMARY KEY (batch_id, supply_id)
) WITHOUT ROWID;
INSERT INTO batch_inputs (batch_id, supply_id, qty, cost_microcents)
    SELECT batch_id, supply_id, qty, cost_microcents FROM batch_inputs_rows;
DROP TABLE batch_inputs_rows;

-- products
CREATE TABLE products_rows AS SELECT rowid AS old_rowid, id, sku, name, category, price_cents, barcode, low_stock_at, favorite, no_oversell, archived, tax_category, net_qty, net_unit, label_name, warnings FROM products;
DROP TABLE products;
CREATE TABLE products (
    id           TEXT PRIMARY KEY,
    sku          TEXT NOT NULL COLLATE NOCASE,
    name         TEXT NOT NULL COLLATE NOCASE,
    category     TEXT,
    price_cents  INTEGER NOT NULL DEFAULT 0 CONSTRAINT "a figure in products must be a whole number" CHECK (typeof(price_cents) = 'integer'),
    barcode      TEXT COLLATE NOCASE,
    low_stock_at INTEGER NOT NULL DEFAULT 0 CONSTRAINT "a figure in products must be a whole number" CHECK (typeof(low_stock_at) = 'integer'),
    favorite     INTEGER NOT NULL DEFAULT 0,
    no_oversell  INTEGER NOT NULL DEFAULT 0,
    archived     INTEGER NOT NULL DEFAULT 0,
    tax_category TEXT NOT NULL DEFAULT 'standard',
    net_qty INTEGER CHECK (net_qty IS NULL OR typeof(net_qty) = 'integer'),
    net_unit TEXT CHECK (net_unit IS NULL OR net_unit IN ('g', 'ml')),
    label_name TEXT,
    warnings TEXT
);
INSERT INTO products (rowid, id, sku, name, category, price_cents, barcode, low_stock_at, favorite, no_oversell, archived, tax_category, net_qty, net_unit, label_name, warnings)
    SELECT old_rowid, id, sku, name, category, price_cents, barcode, low_stock_at, favorite, no_oversell, archived, tax_category, net_qty, net_unit, label_name, warnings FROM products_rows;
DROP TABLE products_rows;
CREATE INDEX products_barcode ON products (barcode);
CREATE INDEX products_name ON products (name);
CREATE INDEX products_sku ON products (sku);

-- supplies
CREATE TABLE supplies_rows AS SELECT rowid AS old_rowid, id, name, unit, reorder_at, supplier, notes, archived, inci, density_mg_per_ml FROM supplies;
DROP TABLE supplies;
CREATE TABLE supplies (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL COLLATE NOCASE,
    unit       TEXT NOT NULL CHECK (unit IN ('g', 'ml', 'each')),
    reorder_at INTEGER NOT NULL DEFAULT 0 CONSTRAINT "a figure in supplies must be a whole number" CHECK (typeof(reorder_at) = 'integer'),
    supplier   TEXT,
    notes      TEXT,
    archived   INTEGER NOT NULL DEFAULT 0,
    inci TEXT,
    density_mg_per_ml INTEGER CHECK (density_mg_per_ml IS NULL OR typeof(density_mg_per_ml) = 'integer')
);
INSERT INTO supplies (rowid, id, name, unit, reorder_at, supplier, notes, archived, inci, density_mg_per_ml)
    SELECT old_rowid, id, name, unit, reorder_at, supplier, notes, archived, inci, density_mg_per_ml FROM supplies_rows;
DROP TABLE supplies_rows;
CREATE INDEX supplies_name ON supplies (name);

-- events
CREATE TABLE events_rows AS SELECT rowid AS old_rowid, id, name, location, date, float_cents, opened_at_ms, opened_by, closed_at_ms, counted_cents, tax_place, fee_cents, commission_bp, commission_base, minutes_worked FROM events;
DROP TABLE events;
CREATE TABLE events (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    location      TEXT NOT NULL,
    date          TEXT NOT NULL,
    float_cents   INTEGER NOT NULL CONSTRAINT "a figure in events must be a whole number" CHECK (typeof(float_cents) = 'integer'),
    opened_at_ms  INTEGER NOT NULL,
    opened_by     TEXT NOT NULL,
    closed_at_ms  INTEGER,
    counted_cents INTEGER CONSTRAINT "a figure in events must be a whole number" CHECK (counted_cents IS NULL OR typeof(counted_cents) = 'integer'),
    tax_place TEXT,
    fee_cents INTEGER NOT NULL DEFAULT 0 CHECK (typeof(fee_cents) = 'integer'),
    commission_bp INTEGER NOT NULL DEFAULT 0 CHECK (typeof(commission_bp) = 'integer'),
    commission_base TEXT NOT NULL DEFAULT 'gross',
    minutes_worked INTEGER
);
INSERT INTO events (rowid, id, name, location, date, float_cents, opened_at_ms, opened_by, closed_at_ms, counted_cents, tax_place, fee_cents, commission_bp, commission_base, minutes_worked)
    SELECT old_rowid, id, name, location, date, float_cents, opened_at_ms, opened_by, closed_at_ms, counted_cents, tax_place, fee_cents, commission_bp, commission_base, minutes_worked FROM events_rows;
DROP TABLE events_rows;

-- event_drawers
CREATE TABLE event_drawers_rows AS SELECT event_id, device, float_cents, opened_at_ms, closed_at_ms, counted_cents FROM event_drawers;
DROP TABLE event_drawers;
CREATE TABLE event_drawers (
    event_id      TEXT NOT NULL,
    device        TEXT NOT NULL,
    float_cents   INTEGER NOT NULL CONSTRAINT "a figure in event_drawers must be a whole number" CHECK (typeof(float_cents) = 'integer'),
    opened_at_ms  INTEGER NOT NULL,
    closed_at_ms  INTEGER,
    counted_cents INTEGER CONSTRAINT "a figure in event_drawers must be a whole number" CHECK (counted_cents IS NULL OR typeof(counted_cents) = 'integer'),
    PRIMARY KEY (event_id, device)
) WITHOUT ROWID;
INSERT INTO event_drawers (event_id, device, float_cents, opened_at_ms, closed_at_ms, counted_cents)
    SELECT event_id, device, float_cents, opened_at_ms, closed_at_ms, counted_cents FROM event_drawers_rows;
DROP TABLE event_drawers_rows;
CREATE INDEX event_drawers_device ON event_drawers (device, closed_at_ms);

-- allotments
CREATE TABLE allotments_rows AS SELECT event_id, device, product_id, qty FROM allotments;
DROP TABLE allotments;
CREATE TABLE allotments (
    event_id   TEXT NOT NULL,
    device     TEXT NOT NULL,
    product_id TEXT NOT NULL,
    qty        INTEGER NOT NULL CONSTRAINT "a figure in allotments must be a whole number" CHECK (typeof(qty) = 'integer'),
    PRIMARY KEY (event_id, device, product_id)
) WITHOUT ROWID;
INSERT INTO allotments (event_id, device, product_id, qty)
    SELECT event_id, device, product_id, qty FROM allotments_rows;
DROP TABLE allotments_rows;
