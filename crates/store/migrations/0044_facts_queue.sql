-- The aggregate facts are kept current cell by cell (docs/scale.md,
-- Dashboards and reports): triggers, created by this migration's hook
-- (store/src/planning/dirty.rs, one text per backend), queue in the
-- writer's transaction the cells a write touches: county-level region ×
-- month × family of measures (training, certificate, paid), with the
-- month's bounds [lo, hi) as ISO text. The next reader recomputes only
-- those cells. region_code '*' asks for a whole rebuild: the first read
-- after this migration rebuilds once. No uniqueness: PostgreSQL writers
-- must not wait on each other's queued cells.
CREATE TABLE plan_facts_dirty (
    region_code TEXT NOT NULL,
    year        BIGINT NOT NULL,
    month       BIGINT NOT NULL,
    family      TEXT NOT NULL,
    lo          TEXT NOT NULL,
    hi          TEXT NOT NULL
);
CREATE INDEX plan_facts_dirty_cell ON plan_facts_dirty (region_code, year, month, family);
INSERT INTO plan_facts_dirty (region_code, year, month, family, lo, hi) VALUES ('*', 0, 0, '*', '', '');
