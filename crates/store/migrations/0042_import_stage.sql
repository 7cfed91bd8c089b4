-- The staging table of bulk imports on PostgreSQL (issue 17, docs/scale.md,
-- import speed): an import chunk's decided rows are streamed in with COPY
-- on a connection of their own, merged into their table by one
-- INSERT ... SELECT (and one UPDATE ... FROM) in the chunk's transaction,
-- then deleted. Columns c1..c24 hold a row's key and data as text, in the
-- order of the target table's description in the store (upsert.rs); `op`
-- is 'I' (insert) or 'U' (update), `seq` the insert order. PostgreSQL makes
-- it UNLOGGED (schema.rs, after()); SQLite has it but never uses it.
CREATE TABLE import_stage (
    stage_id BIGINT NOT NULL,
    op       TEXT NOT NULL,
    seq      BIGINT NOT NULL,
    c1 TEXT, c2 TEXT, c3 TEXT, c4 TEXT, c5 TEXT, c6 TEXT, c7 TEXT, c8 TEXT,
    c9 TEXT, c10 TEXT, c11 TEXT, c12 TEXT, c13 TEXT, c14 TEXT, c15 TEXT, c16 TEXT,
    c17 TEXT, c18 TEXT, c19 TEXT, c20 TEXT, c21 TEXT, c22 TEXT, c23 TEXT, c24 TEXT
);
CREATE INDEX import_stage_by_id ON import_stage (stage_id);
