-- The local store of one device. Every business table below is written only
-- by applying operations (core/src/apply.rs); `ops` is the log they come from.
-- Money is integer cents, quantities integer base units, times UTC milliseconds.

-- This device: its id, clock and counters. Not replicated.
CREATE TABLE local_device (
    singleton      INTEGER PRIMARY KEY CHECK (singleton = 1),
    id             TEXT NOT NULL,
    receipt_prefix TEXT NOT NULL,
    next_receipt   INTEGER NOT NULL,
    next_seq       INTEGER NOT NULL,
    hlc_ms         INTEGER NOT NULL,
    hlc_counter    INTEGER NOT NULL
);

-- The operation log, in the order this device applied it.
CREATE TABLE ops (
    seq         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    device      TEXT NOT NULL,
    device_seq  INTEGER NOT NULL,
    hlc_ms      INTEGER NOT NULL,
    hlc_counter INTEGER NOT NULL,
    version     INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    -- 0 when this build does not know the kind or version yet (DESIGN rule 9).
    applied     INTEGER NOT NULL DEFAULT 1,
    server_seq  INTEGER,
    UNIQUE (device, device_seq)
);

-- Last-writer-wins stamps, one per register (entity, id, field).
CREATE TABLE field_clock (
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    field       TEXT NOT NULL,
    hlc_ms      INTEGER NOT NULL,
    hlc_counter INTEGER NOT NULL,
    device      TEXT NOT NULL,
    PRIMARY KEY (entity, entity_id, field)
) WITHOUT ROWID;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE supplies (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL COLLATE NOCASE,
    unit       TEXT NOT NULL CHECK (unit IN ('g', 'ml', 'each')),
    reorder_at INTEGER NOT NULL DEFAULT 0,
    supplier   TEXT,
    notes      TEXT,
    archived   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX supplies_name ON supplies (name);

CREATE TABLE products (
    id           TEXT PRIMARY KEY,
    sku          TEXT NOT NULL COLLATE NOCASE,
    name         TEXT NOT NULL COLLATE NOCASE,
    category     TEXT,
    price_cents  INTEGER NOT NULL DEFAULT 0,
    barcode      TEXT COLLATE NOCASE,
    low_stock_at INTEGER NOT NULL DEFAULT 0,
    favorite     INTEGER NOT NULL DEFAULT 0,
    no_oversell  INTEGER NOT NULL DEFAULT 0,
    archived     INTEGER NOT NULL DEFAULT 0
);
-- Not UNIQUE: two offline devices may both create a SKU; commands refuse
-- duplicates locally, and applying another device's operation never fails.
CREATE INDEX products_sku ON products (sku);
CREATE INDEX products_name ON products (name);
CREATE INDEX products_barcode ON products (barcode);

-- Every change of stock, keyed by the operation that made it (DESIGN rule 2).
CREATE TABLE stock_movements (
    op_id     TEXT NOT NULL,
    line      INTEGER NOT NULL,
    item_kind TEXT NOT NULL CHECK (item_kind IN ('product', 'supply')),
    item_id   TEXT NOT NULL,
    qty       INTEGER NOT NULL,
    reason    TEXT NOT NULL,
    note      TEXT,
    lot_id    TEXT,
    at_ms     INTEGER NOT NULL,
    PRIMARY KEY (op_id, line)
) WITHOUT ROWID;
CREATE INDEX stock_movements_item ON stock_movements (item_id, qty);

-- Supply receipts, each one a lot.
CREATE TABLE supply_lots (
    id             TEXT PRIMARY KEY,
    supply_id      TEXT NOT NULL,
    lot_code       TEXT NOT NULL,
    qty            INTEGER NOT NULL,
    cost_cents     INTEGER NOT NULL,
    received_at_ms INTEGER NOT NULL
);
CREATE INDEX supply_lots_supply ON supply_lots (supply_id);

CREATE TABLE recipes (
    product_id TEXT PRIMARY KEY,
    yield_qty  INTEGER NOT NULL
);
CREATE TABLE recipe_lines (
    product_id TEXT NOT NULL,
    supply_id  TEXT NOT NULL,
    qty        INTEGER NOT NULL,
    PRIMARY KEY (product_id, supply_id)
) WITHOUT ROWID;

-- Production batches, each one a lot of a product.
CREATE TABLE batches (
    id          TEXT PRIMARY KEY,
    product_id  TEXT NOT NULL,
    lot_code    TEXT NOT NULL,
    batches     INTEGER NOT NULL,
    output_qty  INTEGER NOT NULL,
    cost_cents  INTEGER NOT NULL,
    made_at_ms  INTEGER NOT NULL,
    expires_on  TEXT
);
CREATE INDEX batches_product ON batches (product_id);
CREATE TABLE batch_inputs (
    batch_id        TEXT NOT NULL,
    supply_id       TEXT NOT NULL,
    qty             INTEGER NOT NULL,
    cost_microcents INTEGER NOT NULL,
    PRIMARY KEY (batch_id, supply_id)
) WITHOUT ROWID;

CREATE TABLE events (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    location      TEXT NOT NULL,
    date          TEXT NOT NULL,
    float_cents   INTEGER NOT NULL,
    opened_at_ms  INTEGER NOT NULL,
    opened_by     TEXT NOT NULL,
    closed_at_ms  INTEGER,
    counted_cents INTEGER
);

CREATE TABLE customers (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    email         TEXT COLLATE NOCASE,
    phone         TEXT,
    notes         TEXT,
    created_at_ms INTEGER NOT NULL
);
CREATE INDEX customers_email ON customers (email);
CREATE INDEX customers_phone ON customers (phone);

CREATE TABLE sales (
    id             TEXT PRIMARY KEY,
    receipt_no     TEXT NOT NULL,
    device         TEXT NOT NULL,
    at_ms          INTEGER NOT NULL,
    event_id       TEXT,
    customer_id    TEXT,
    tax_bp         INTEGER NOT NULL,
    tax_inclusive  INTEGER NOT NULL,
    gross_cents    INTEGER NOT NULL,
    discount_cents INTEGER NOT NULL,
    tax_cents      INTEGER NOT NULL,
    total_cents    INTEGER NOT NULL,
    change_cents   INTEGER NOT NULL,
    voided         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sales_event ON sales (event_id);
CREATE INDEX sales_customer ON sales (customer_id);
CREATE INDEX sales_at ON sales (at_ms);

-- Sale lines carry the sale's time, event and void flag so reports over
-- millions of lines read one table.
CREATE TABLE sale_lines (
    sale_id          TEXT NOT NULL,
    line_no          INTEGER NOT NULL,
    product_id       TEXT NOT NULL,
    qty              INTEGER NOT NULL,
    unit_price_cents INTEGER NOT NULL,
    gross_cents      INTEGER NOT NULL,
    discount_cents   INTEGER NOT NULL,
    tax_cents        INTEGER NOT NULL,
    net_cents        INTEGER NOT NULL,
    total_cents      INTEGER NOT NULL,
    at_ms            INTEGER NOT NULL,
    event_id         TEXT,
    voided           INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (sale_id, line_no)
) WITHOUT ROWID;
CREATE INDEX sale_lines_product ON sale_lines
    (product_id, voided, at_ms, qty, gross_cents, discount_cents, tax_cents, net_cents, total_cents);
CREATE INDEX sale_lines_at ON sale_lines (at_ms);

CREATE TABLE sale_payments (
    sale_id        TEXT NOT NULL,
    n              INTEGER NOT NULL,
    method         TEXT NOT NULL CHECK (method IN ('cash', 'card', 'other')),
    amount_cents   INTEGER NOT NULL,
    tendered_cents INTEGER NOT NULL,
    PRIMARY KEY (sale_id, n)
) WITHOUT ROWID;

CREATE TABLE refunds (
    id          TEXT PRIMARY KEY,
    sale_id     TEXT NOT NULL,
    at_ms       INTEGER NOT NULL,
    event_id    TEXT,
    restock     INTEGER NOT NULL,
    method      TEXT NOT NULL,
    total_cents INTEGER NOT NULL
);
CREATE INDEX refunds_sale ON refunds (sale_id);
CREATE TABLE refund_lines (
    refund_id    TEXT NOT NULL,
    line_no      INTEGER NOT NULL,
    product_id   TEXT NOT NULL,
    qty          INTEGER NOT NULL,
    amount_cents INTEGER NOT NULL,
    tax_cents    INTEGER NOT NULL,
    at_ms        INTEGER NOT NULL,
    event_id     TEXT,
    PRIMARY KEY (refund_id, line_no)
) WITHOUT ROWID;
CREATE INDEX refund_lines_product ON refund_lines (product_id);
