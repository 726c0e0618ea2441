-- A void that arrived before the sale it voids (another device's void,
-- reordered on the server by a restore): kept here until the sale is
-- applied, then applied and removed, so every device ends the same
-- whatever order the two came in.
CREATE TABLE early_voids (
    sale_id TEXT NOT NULL,
    op_id   TEXT NOT NULL PRIMARY KEY,
    device  TEXT NOT NULL,
    payload TEXT NOT NULL
);
CREATE INDEX early_voids_sale ON early_voids (sale_id);
