-- Every way people pay (#24): a configured tender's name on its payment
-- and on a refund made in it (NULL: the method says it), whether it gave
-- change, and a sale's tip, apart from the sale (not taxed, not revenue).
-- Takings are keyed by COALESCE(tender, method) in payments_daily.
ALTER TABLE sale_payments ADD COLUMN tender TEXT;
ALTER TABLE sale_payments ADD COLUMN gives_change INTEGER NOT NULL DEFAULT 0;
ALTER TABLE refunds ADD COLUMN tender TEXT;
ALTER TABLE sales ADD COLUMN tip_cents INTEGER NOT NULL DEFAULT 0 CHECK (typeof(tip_cents) = 'integer');
ALTER TABLE sales ADD COLUMN tip_method TEXT;
