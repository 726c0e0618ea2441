-- Online orders from Shopify (issue 6). Replicated: every device applies the
-- newest state of each order with the same code, so these rows, like the
-- sale and movements they become, are the same everywhere.

-- The state of each order in force: the newest by (updated_at_ms, op_id).
CREATE TABLE shopify_orders (
    gid           TEXT PRIMARY KEY,
    sale_id       TEXT NOT NULL,
    name          TEXT NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    op_id         TEXT NOT NULL,
    email         TEXT COLLATE NOCASE,
    payload       TEXT NOT NULL
);
CREATE INDEX shopify_orders_email ON shopify_orders (email);

-- Each line of each order and the product it was matched to; a line with no
-- product is held until its SKU is mapped.
CREATE TABLE shopify_order_lines (
    order_gid  TEXT NOT NULL,
    line_no    INTEGER NOT NULL,
    sku        TEXT COLLATE NOCASE,
    qty        INTEGER NOT NULL,
    product_id TEXT,
    at_ms      INTEGER NOT NULL,
    PRIMARY KEY (order_gid, line_no)
) WITHOUT ROWID;
CREATE INDEX shopify_order_lines_sku ON shopify_order_lines (sku);
CREATE INDEX shopify_order_lines_held ON shopify_order_lines (sku) WHERE product_id IS NULL;

-- Shopify SKUs the owner mapped to a product by hand.
CREATE TABLE shopify_sku_map (
    sku        TEXT PRIMARY KEY COLLATE NOCASE,
    product_id TEXT NOT NULL
) WITHOUT ROWID;

-- This device's import: where it starts and how far it has read. Local only,
-- like the token: the importing device's bookmark, advanced in the same
-- transaction as the page of orders it read.
CREATE TABLE shopify_import (
    singleton     INTEGER PRIMARY KEY CHECK (singleton = 1),
    since_ms      INTEGER NOT NULL,
    cursor_ms     INTEGER,
    api_version   TEXT NOT NULL,
    location_gid  TEXT,
    push_stock    INTEGER NOT NULL DEFAULT 0,
    last_run_ms   INTEGER,
    last_error    TEXT
);

-- Online orders' money is paid through Shopify: its own payment method, so
-- the market's cash-up never counts it. SQLite cannot change a CHECK in
-- place: the table is rebuilt with its rows.
CREATE TABLE sale_payments_new (
    sale_id        TEXT NOT NULL,
    n              INTEGER NOT NULL,
    method         TEXT NOT NULL CHECK (method IN ('cash', 'card', 'other', 'shopify')),
    amount_cents   INTEGER NOT NULL,
    tendered_cents INTEGER NOT NULL,
    PRIMARY KEY (sale_id, n)
) WITHOUT ROWID;
INSERT INTO sale_payments_new SELECT sale_id, n, method, amount_cents, tendered_cents FROM sale_payments;
DROP TABLE sale_payments;
ALTER TABLE sale_payments_new RENAME TO sale_payments;
