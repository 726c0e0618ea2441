-- How far a bulk first import has recorded (orders recorded / orders in
-- Shopify's file), for the app's Shopify panel and so that an import cut
-- off goes on in bulk; both NULL when none is under way. Written with each
-- page, in its transaction.
ALTER TABLE shopify_import ADD COLUMN bulk_done INTEGER;
ALTER TABLE shopify_import ADD COLUMN bulk_total INTEGER;
