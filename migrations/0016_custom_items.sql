-- A sale line may be a custom-amount item (#23): no product (kept as '', as
-- a sale outside a market day has event ''), what it was, typed at the
-- booth, and the tax category and rate the line was taxed at (NULL: the
-- sale's rate, as every line before this migration was).
ALTER TABLE sale_lines ADD COLUMN description TEXT;
ALTER TABLE sale_lines ADD COLUMN tax_category TEXT NOT NULL DEFAULT 'standard';
ALTER TABLE sale_lines ADD COLUMN tax_bp INTEGER;
