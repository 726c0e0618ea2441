-- Money and quantities are integers, always. SQLite turns an integer sum
-- that leaves i64 into a REAL silently; these triggers make such a write
-- (or any non-integer figure) fail instead, so the operation that caused
-- it rolls back whole and nothing is ever stored as floating point. The
-- bounds in model::bounds keep honest operations far from this edge; this
-- is the table's own refusal, whatever the path in.

CREATE TRIGGER IF NOT EXISTS stock_levels_integers_insert BEFORE INSERT ON stock_levels
    WHEN typeof(NEW.on_hand) NOT IN ('integer', 'null')
    BEGIN SELECT RAISE(ABORT, 'a figure in stock_levels is out of range: money and quantities must be whole numbers within bounds'); END;

CREATE TRIGGER IF NOT EXISTS stock_levels_integers_update BEFORE UPDATE ON stock_levels
    WHEN typeof(NEW.on_hand) NOT IN ('integer', 'null')
    BEGIN SELECT RAISE(ABORT, 'a figure in stock_levels is out of range: money and quantities must be whole numbers within bounds'); END;

CREATE TRIGGER IF NOT EXISTS lot_levels_integers_insert BEFORE INSERT ON lot_levels
    WHEN typeof(NEW.on_hand) NOT IN ('integer', 'null')
    BEGIN SELECT RAISE(ABORT, 'a figure in lot_levels is out of range: money and quantities must be whole numbers within bounds'); END;

CREATE TRIGGER IF NOT EXISTS lot_levels_integers_update BEFORE UPDATE ON lot_levels
    WHEN typeof(NEW.on_hand) NOT IN ('integer', 'null')
    BEGIN SELECT RAISE(ABORT, 'a figure in lot_levels is out of range: money and quantities must be whole numbers within bounds'); END;

CREATE TRIGGER IF NOT EXISTS stock_movements_integers_insert BEFORE INSERT ON stock_movements
    WHEN typeof(NEW.qty) NOT IN ('integer', 'null')
    BEGIN SELECT RAISE(ABORT, 'a figure in stock_movements is out of range: money and quantities must be whole numbers within bounds'); END;

CREATE TRIGGER IF NOT EXISTS stock_movements_integers_update BEFORE UPDATE ON stock_movements
    WHEN typeof(NEW.qty) NOT IN ('integer', 'null')
    BEGIN SELECT RAISE(ABORT, 'a figure in stock_movements is out of range: money and quantities must be whole numbers within bounds'); END;

CREATE TRIGGER IF NOT EXISTS lot_moves_integers_insert BEFORE INSERT ON lot_moves
    WHEN typeof(NEW.qty) NOT IN ('integer', 'null')
    BEGIN SELECT RAISE(ABORT, 'a figure in lot_moves is out of range: money and quantities must be whole numbers within bounds'); END;

CREATE TRIGGER IF NOT EXISTS lot_moves_integers_update BEFORE UPDATE ON lot_moves
    WHEN typeof(NEW.qty) NOT IN ('integer', 'null')
    BEGIN SELECT RAISE(ABORT, 'a figure in lot_moves is out of range: money and quantities must be whole numbers within bounds'); END;

CREATE TRIGGER IF NOT EXISTS sales_daily_integers_insert BEFORE INSERT ON sales_daily
    WHEN typeof(NEW.units) NOT IN ('integer', 'null') OR typeof(NEW.gross_cents) NOT IN ('integer', 'null') OR typeof(NEW.discount_cents) NOT IN ('integer', 'null') OR typeof(NEW.tax_cents) NOT IN ('integer', 'null') OR typeof(NEW.net_cents) NOT IN ('integer', 'null') OR typeof(NEW.total_cents) NOT IN ('integer', 'null') OR typeof(NEW.refund_units) NOT IN ('integer', 'null') OR typeof(NEW.refund_cents) NOT IN ('integer', 'null') OR typeof(NEW.refund_tax_cents) NOT IN ('integer', 'null')
    BEGIN SELECT RAISE(ABORT, 'a figure in sales_daily is out of range: money and quantities must be whole numbers within bounds'); END;

CREATE TRIGGER IF NOT EXISTS sales_daily_integers_update BEFORE UPDATE ON sales_daily
    WHEN typeof(NEW.units) NOT IN ('integer', 'null') OR typeof(NEW.gross_cents) NOT IN ('integer', 'null') OR typeof(NEW.discount_cents) NOT IN ('integer', 'null') OR typeof(NEW.tax_cents) NOT IN ('integer', 'null') OR typeof(NEW.net_cents) NOT IN ('integer', 'null') OR typeof(NEW.total_cents) NOT IN ('integer', 'null') OR typeof(NEW.refund_units) NOT IN ('integer', 'null') OR typeof(NEW.refund_cents) NOT IN ('integer', 'null') OR typeof(NEW.refund_tax_cents) NOT IN ('integer', 'null')
    BEGIN SELECT RAISE(ABORT, 'a figure in sales_daily is out of range: money and quantities must be whole numbers within bounds'); END;

CREATE TRIGGER IF NOT EXISTS payments_daily_integers_insert BEFORE INSERT ON payments_daily
    WHEN typeof(NEW.payments) NOT IN ('integer', 'null') OR typeof(NEW.amount_cents) NOT IN ('integer', 'null') OR typeof(NEW.refund_cents) NOT IN ('integer', 'null')
    BEGIN SELECT RAISE(ABORT, 'a figure in payments_daily is out of range: money and quantities must be whole numbers within bounds'); END;

CREATE TRIGGER IF NOT EXISTS payments_daily_integers_update BEFORE UPDATE ON payments_daily
    WHEN typeof(NEW.payments) NOT IN ('integer', 'null') OR typeof(NEW.amount_cents) NOT IN ('integer', 'null') OR typeof(NEW.refund_cents) NOT IN ('integer', 'null')
    BEGIN SELECT RAISE(ABORT, 'a figure in payments_daily is out of range: money and quantities must be whole numbers within bounds'); END;

CREATE TRIGGER IF NOT EXISTS sales_integers_insert BEFORE INSERT ON sales
    WHEN typeof(NEW.gross_cents) NOT IN ('integer', 'null') OR typeof(NEW.discount_cents) NOT IN ('integer', 'null') OR typeof(NEW.tax_cents) NOT IN ('integer', 'null') OR typeof(NEW.total_cents) NOT IN ('integer', 'null') OR typeof(NEW.change_cents) NOT IN ('integer', 'null')
    BEGIN SELECT RAISE(ABORT, 'a figure in sales is out of range: money and quantities must be whole numbers within bounds'); END;

CREATE TRIGGER IF NOT EXISTS sales_integers_update BEFORE UPDATE ON sales
    WHEN typeof(NEW.gross_cents) NOT IN ('integer', 'null') OR typeof(NEW.discount_cents) NOT IN ('integer', 'null') OR typeof(NEW.tax_cents) NOT IN ('integer', 'null') OR typeof(NEW.total_cents) NOT IN ('integer', 'null') OR typeof(NEW.change_cents) NOT IN ('integer', 'null')
    BEGIN SELECT RAISE(ABORT, 'a figure in sales is out of range: money and quantities must be whole numbers within bounds'); END;

CREATE TRIGGER IF NOT EXISTS sale_lines_integers_insert BEFORE INSERT ON sale_lines
    WHEN typeof(NEW.qty) NOT IN ('integer', 'null') OR typeof(NEW.unit_price_cents) NOT IN ('integer', 'null') OR typeof(NEW.gross_cents) NOT IN ('integer', 'null') OR typeof(NEW.discount_cents) NOT IN ('integer', 'null') OR typeof(NEW.tax_cents) NOT IN ('integer', 'null') OR typeof(NEW.net_cents) NOT IN ('integer', 'null') OR typeof(NEW.total_cents) NOT IN ('integer', 'null')
    BEGIN SELECT RAISE(ABORT, 'a figure in sale_lines is out of range: money and quantities must be whole numbers within bounds'); END;

CREATE TRIGGER IF NOT EXISTS sale_lines_integers_update BEFORE UPDATE ON sale_lines
    WHEN typeof(NEW.qty) NOT IN ('integer', 'null') OR typeof(NEW.unit_price_cents) NOT IN ('integer', 'null') OR typeof(NEW.gross_cents) NOT IN ('integer', 'null') OR typeof(NEW.discount_cents) NOT IN ('integer', 'null') OR typeof(NEW.tax_cents) NOT IN ('integer', 'null') OR typeof(NEW.net_cents) NOT IN ('integer', 'null') OR typeof(NEW.total_cents) NOT IN ('integer', 'null')
    BEGIN SELECT RAISE(ABORT, 'a figure in sale_lines is out of range: money and quantities must be whole numbers within bounds'); END;

CREATE TRIGGER IF NOT EXISTS sale_payments_integers_insert BEFORE INSERT ON sale_payments
    WHEN typeof(NEW.amount_cents) NOT IN ('integer', 'null') OR typeof(NEW.tendered_cents) NOT IN ('integer', 'null')
    BEGIN SELECT RAISE(ABORT, 'a figure in sale_payments is out of range: money and quantities must be whole numbers within bounds'); END;

CREATE TRIGGER IF NOT EXISTS sale_payments_integers_update BEFORE UPDATE ON sale_payments
    WHEN typeof(NEW.amount_cents) NOT IN ('integer', 'null') OR typeof(NEW.tendered_cents) NOT IN ('integer', 'null')
    BEGIN SELECT RAISE(ABORT, 'a figure in sale_payments is out of range: money and quantities must be whole numbers within bounds'); END;

CREATE TRIGGER IF NOT EXISTS refunds_integers_insert BEFORE INSERT ON refunds
    WHEN typeof(NEW.total_cents) NOT IN ('integer', 'null')
    BEGIN SELECT RAISE(ABORT, 'a figure in refunds is out of range: money and quantities must be whole numbers within bounds'); END;

CREATE TRIGGER IF NOT EXISTS refunds_integers_update BEFORE UPDATE ON refunds
    WHEN typeof(NEW.total_cents) NOT IN ('integer', 'null')
    BEGIN SELECT RAISE(ABORT, 'a figure in refunds is out of range: money and quantities must be whole numbers within bounds'); END;

CREATE TRIGGER IF NOT EXISTS refund_lines_integers_insert BEFORE INSERT ON refund_lines
    WHEN typeof(NEW.qty) NOT IN ('integer', 'null') OR typeof(NEW.amount_cents) NOT IN ('integer', 'null') OR typeof(NEW.tax_cents) NOT IN ('integer', 'null')
    BEGIN SELECT RAISE(ABORT, 'a figure in refund_lines is out of range: money and quantities must be whole numbers within bounds'); END;

CREATE TRIGGER IF NOT EXISTS refund_lines_integers_update BEFORE UPDATE ON refund_lines
    WHEN typeof(NEW.qty) NOT IN ('integer', 'null') OR typeof(NEW.amount_cents) NOT IN ('integer', 'null') OR typeof(NEW.tax_cents) NOT IN ('integer', 'null')
    BEGIN SELECT RAISE(ABORT, 'a figure in refund_lines is out of range: money and quantities must be whole numbers within bounds'); END;

CREATE TRIGGER IF NOT EXISTS supply_lots_integers_insert BEFORE INSERT ON supply_lots
    WHEN typeof(NEW.qty) NOT IN ('integer', 'null') OR typeof(NEW.cost_cents) NOT IN ('integer', 'null')
    BEGIN SELECT RAISE(ABORT, 'a figure in supply_lots is out of range: money and quantities must be whole numbers within bounds'); END;

CREATE TRIGGER IF NOT EXISTS supply_lots_integers_update BEFORE UPDATE ON supply_lots
    WHEN typeof(NEW.qty) NOT IN ('integer', 'null') OR typeof(NEW.cost_cents) NOT IN ('integer', 'null')
    BEGIN SELECT RAISE(ABORT, 'a figure in supply_lots is out of range: money and quantities must be whole numbers within bounds'); END;

CREATE TRIGGER IF NOT EXISTS batches_integers_insert BEFORE INSERT ON batches
    WHEN typeof(NEW.output_qty) NOT IN ('integer', 'null') OR typeof(NEW.cost_cents) NOT IN ('integer', 'null')
    BEGIN SELECT RAISE(ABORT, 'a figure in batches is out of range: money and quantities must be whole numbers within bounds'); END;

CREATE TRIGGER IF NOT EXISTS batches_integers_update BEFORE UPDATE ON batches
    WHEN typeof(NEW.output_qty) NOT IN ('integer', 'null') OR typeof(NEW.cost_cents) NOT IN ('integer', 'null')
    BEGIN SELECT RAISE(ABORT, 'a figure in batches is out of range: money and quantities must be whole numbers within bounds'); END;

CREATE TRIGGER IF NOT EXISTS batch_inputs_integers_insert BEFORE INSERT ON batch_inputs
    WHEN typeof(NEW.qty) NOT IN ('integer', 'null') OR typeof(NEW.cost_microcents) NOT IN ('integer', 'null')
    BEGIN SELECT RAISE(ABORT, 'a figure in batch_inputs is out of range: money and quantities must be whole numbers within bounds'); END;

CREATE TRIGGER IF NOT EXISTS batch_inputs_integers_update BEFORE UPDATE ON batch_inputs
    WHEN typeof(NEW.qty) NOT IN ('integer', 'null') OR typeof(NEW.cost_microcents) NOT IN ('integer', 'null')
    BEGIN SELECT RAISE(ABORT, 'a figure in batch_inputs is out of range: money and quantities must be whole numbers within bounds'); END;

CREATE TRIGGER IF NOT EXISTS products_integers_insert BEFORE INSERT ON products
    WHEN typeof(NEW.price_cents) NOT IN ('integer', 'null') OR typeof(NEW.low_stock_at) NOT IN ('integer', 'null')
    BEGIN SELECT RAISE(ABORT, 'a figure in products is out of range: money and quantities must be whole numbers within bounds'); END;

CREATE TRIGGER IF NOT EXISTS products_integers_update BEFORE UPDATE ON products
    WHEN typeof(NEW.price_cents) NOT IN ('integer', 'null') OR typeof(NEW.low_stock_at) NOT IN ('integer', 'null')
    BEGIN SELECT RAISE(ABORT, 'a figure in products is out of range: money and quantities must be whole numbers within bounds'); END;

CREATE TRIGGER IF NOT EXISTS supplies_integers_insert BEFORE INSERT ON supplies
    WHEN typeof(NEW.reorder_at) NOT IN ('integer', 'null')
    BEGIN SELECT RAISE(ABORT, 'a figure in supplies is out of range: money and quantities must be whole numbers within bounds'); END;

CREATE TRIGGER IF NOT EXISTS supplies_integers_update BEFORE UPDATE ON supplies
    WHEN typeof(NEW.reorder_at) NOT IN ('integer', 'null')
    BEGIN SELECT RAISE(ABORT, 'a figure in supplies is out of range: money and quantities must be whole numbers within bounds'); END;

CREATE TRIGGER IF NOT EXISTS events_integers_insert BEFORE INSERT ON events
    WHEN typeof(NEW.float_cents) NOT IN ('integer', 'null') OR typeof(NEW.counted_cents) NOT IN ('integer', 'null')
    BEGIN SELECT RAISE(ABORT, 'a figure in events is out of range: money and quantities must be whole numbers within bounds'); END;

CREATE TRIGGER IF NOT EXISTS events_integers_update BEFORE UPDATE ON events
    WHEN typeof(NEW.float_cents) NOT IN ('integer', 'null') OR typeof(NEW.counted_cents) NOT IN ('integer', 'null')
    BEGIN SELECT RAISE(ABORT, 'a figure in events is out of range: money and quantities must be whole numbers within bounds'); END;

CREATE TRIGGER IF NOT EXISTS event_drawers_integers_insert BEFORE INSERT ON event_drawers
    WHEN typeof(NEW.float_cents) NOT IN ('integer', 'null') OR typeof(NEW.counted_cents) NOT IN ('integer', 'null')
    BEGIN SELECT RAISE(ABORT, 'a figure in event_drawers is out of range: money and quantities must be whole numbers within bounds'); END;

CREATE TRIGGER IF NOT EXISTS event_drawers_integers_update BEFORE UPDATE ON event_drawers
    WHEN typeof(NEW.float_cents) NOT IN ('integer', 'null') OR typeof(NEW.counted_cents) NOT IN ('integer', 'null')
    BEGIN SELECT RAISE(ABORT, 'a figure in event_drawers is out of range: money and quantities must be whole numbers within bounds'); END;

CREATE TRIGGER IF NOT EXISTS allotments_integers_insert BEFORE INSERT ON allotments
    WHEN typeof(NEW.qty) NOT IN ('integer', 'null')
    BEGIN SELECT RAISE(ABORT, 'a figure in allotments is out of range: money and quantities must be whole numbers within bounds'); END;

CREATE TRIGGER IF NOT EXISTS allotments_integers_update BEFORE UPDATE ON allotments
    WHEN typeof(NEW.qty) NOT IN ('integer', 'null')
    BEGIN SELECT RAISE(ABORT, 'a figure in allotments is out of range: money and quantities must be whole numbers within bounds'); END;
