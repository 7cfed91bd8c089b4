-- Which process runs an import batch (`host:pid`), and why a batch that
-- never finished was stopped (issue 17, docs/operations: stale batches).
-- A batch left 'running' by a killed process is marked 'stopped' when the
-- server next starts; one the server was still running when it was asked
-- to stop is marked so as it stops.
ALTER TABLE import_batches ADD COLUMN owner TEXT;
ALTER TABLE import_batches ADD COLUMN note TEXT;
