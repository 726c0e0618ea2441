-- What Shopify withheld from the last import for want of a permission
-- (a field answered ACCESS_DENIED beside the rest): the import went on
-- without it, and the owner is told once which access the app lacks.
ALTER TABLE shopify_import ADD COLUMN withheld TEXT;
