-- The epoch of the server's log this device last pulled from: when the
-- server answers another one, its log went back (it was restored from a
-- backup), and this device sends its own operations again and pulls from
-- the start.
ALTER TABLE sync_state ADD COLUMN server_epoch TEXT;
