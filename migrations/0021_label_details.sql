-- What a label says (#25): a product's net content (base units of g or
-- ml), the name on its label and its warnings; a supply's INCI name and,
-- for one measured in ml, its density (mg per ml) to order ingredients by
-- weight. Each is a last-writer-wins register like the other fields.
ALTER TABLE products ADD COLUMN net_qty INTEGER CHECK (net_qty IS NULL OR typeof(net_qty) = 'integer');
ALTER TABLE products ADD COLUMN net_unit TEXT CHECK (net_unit IS NULL OR net_unit IN ('g', 'ml'));
ALTER TABLE products ADD COLUMN label_name TEXT;
ALTER TABLE products ADD COLUMN warnings TEXT;
ALTER TABLE supplies ADD COLUMN inci TEXT;
ALTER TABLE supplies ADD COLUMN density_mg_per_ml INTEGER CHECK (density_mg_per_ml IS NULL OR typeof(density_mg_per_ml) = 'integer');
