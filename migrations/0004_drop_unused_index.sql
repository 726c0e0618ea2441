-- The Z report reads sales_daily now; nothing looks sale lines up by event,
-- so this index only slowed every sale down.
DROP INDEX IF EXISTS sale_lines_event;
