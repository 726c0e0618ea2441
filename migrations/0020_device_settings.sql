-- This device's own settings (#25): its receipt printer and whether it
-- prints after each sale. Not operations, never synced: the booth phone's
-- printer is not the owner laptop's.
CREATE TABLE device_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
