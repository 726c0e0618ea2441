-- This device's link to a Shopify store. Local only (never replicated, never
-- an operation): the access token belongs to the device that imports, and it
-- is kept encrypted with a key that lives outside the database file, so a
-- copied database or backup does not carry a usable token.
CREATE TABLE shopify_link (
    singleton        INTEGER PRIMARY KEY CHECK (singleton = 1),
    shop             TEXT NOT NULL,
    token_nonce      BLOB NOT NULL,
    token_sealed     BLOB NOT NULL,
    updated_at_ms    INTEGER NOT NULL
);
