-- Running totals kept by apply.rs in the same transaction as the rows they
-- sum, so reads do not grow with history. Both are derived: a replay
-- rebuilds them, and a test checks them against the rows they total.

-- Stock on hand per item: the sum of its stock_movements, incremented as
-- each movement is first inserted (never set).
CREATE TABLE stock_levels (
    item_id TEXT PRIMARY KEY,
    on_hand INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO stock_levels (item_id, on_hand)
    SELECT item_id, SUM(qty) FROM stock_movements GROUP BY item_id;

-- Sales and refunds per UTC day, product and event ('' for none).
CREATE TABLE sales_daily (
    day              TEXT NOT NULL,
    product_id       TEXT NOT NULL,
    event_id         TEXT NOT NULL,
    units            INTEGER NOT NULL DEFAULT 0,
    gross_cents      INTEGER NOT NULL DEFAULT 0,
    discount_cents   INTEGER NOT NULL DEFAULT 0,
    tax_cents        INTEGER NOT NULL DEFAULT 0,
    net_cents        INTEGER NOT NULL DEFAULT 0,
    total_cents      INTEGER NOT NULL DEFAULT 0,
    refund_units     INTEGER NOT NULL DEFAULT 0,
    refund_cents     INTEGER NOT NULL DEFAULT 0,
    refund_tax_cents INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, product_id, event_id)
) WITHOUT ROWID;
CREATE INDEX sales_daily_event ON sales_daily (event_id);
INSERT INTO sales_daily (day, product_id, event_id, units, gross_cents, discount_cents, tax_cents, net_cents, total_cents)
    SELECT strftime('%Y-%m-%d', at_ms / 1000, 'unixepoch'), product_id, COALESCE(event_id, ''),
           SUM(qty), SUM(gross_cents), SUM(discount_cents), SUM(tax_cents), SUM(net_cents), SUM(total_cents)
    FROM sale_lines WHERE voided = 0 GROUP BY 1, 2, 3;
INSERT INTO sales_daily (day, product_id, event_id, refund_units, refund_cents, refund_tax_cents)
    SELECT strftime('%Y-%m-%d', at_ms / 1000, 'unixepoch'), product_id, COALESCE(event_id, ''),
           SUM(qty), SUM(amount_cents), SUM(tax_cents)
    FROM refund_lines GROUP BY 1, 2, 3
    ON CONFLICT (day, product_id, event_id) DO UPDATE SET
        refund_units = excluded.refund_units, refund_cents = excluded.refund_cents, refund_tax_cents = excluded.refund_tax_cents;

-- Takings per UTC day and payment method.
CREATE TABLE payments_daily (
    day          TEXT NOT NULL,
    method       TEXT NOT NULL,
    payments     INTEGER NOT NULL DEFAULT 0,
    amount_cents INTEGER NOT NULL DEFAULT 0,
    refund_cents INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, method)
) WITHOUT ROWID;
INSERT INTO payments_daily (day, method, payments, amount_cents)
    SELECT strftime('%Y-%m-%d', s.at_ms / 1000, 'unixepoch'), p.method, COUNT(*), SUM(p.amount_cents)
    FROM sale_payments p JOIN sales s ON s.id = p.sale_id WHERE s.voided = 0 GROUP BY 1, 2;
INSERT INTO payments_daily (day, method, refund_cents)
    SELECT strftime('%Y-%m-%d', at_ms / 1000, 'unixepoch'), method, SUM(total_cents) FROM refunds GROUP BY 1, 2
    ON CONFLICT (day, method) DO UPDATE SET refund_cents = excluded.refund_cents;

-- Reports read the rollups now; these only slowed every sale down.
DROP INDEX sale_lines_product;
DROP INDEX sale_lines_at;
CREATE INDEX sale_lines_event ON sale_lines (event_id);
