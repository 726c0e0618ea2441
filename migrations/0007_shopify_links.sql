-- Which Shopify variant each product is (issue 6: catalogue sync and stock
-- push-back). Replicated, a last-writer-wins register per product.
CREATE TABLE shopify_links (
    product_id          TEXT PRIMARY KEY,
    variant_gid         TEXT NOT NULL,
    inventory_item_gid  TEXT
) WITHOUT ROWID;
CREATE INDEX shopify_links_variant ON shopify_links (variant_gid);
