-- Planning and reporting: indicators defined as data, targets broken down
-- to sub-regions, statistics entered per region and year, the task tables
-- of the seed documents with their progress reports, and the aggregate
-- facts the dashboards and reports read (docs/planning.md, docs/scale.md).

-- An indicator's definition over the records (kind + formula) or over the
-- statistics; `decimals` scales the integer values (a percentage with
-- decimals 2 is stored as 2500 for 25.00 %).
CREATE TABLE indicators (
    code       TEXT PRIMARY KEY,
    name_zh    TEXT NOT NULL,
    unit       TEXT NOT NULL,
    decimals   BIGINT NOT NULL DEFAULT 0,
    -- count (records) | statistic (sum of a statistic) | ratio (of two statistics)
    kind       TEXT NOT NULL CHECK (kind IN ('count', 'statistic', 'ratio')),
    -- JSON of the kind's parameters (measure and filters, or statistic keys)
    formula    TEXT NOT NULL,
    definition TEXT NOT NULL,
    -- the seed document and clause it comes from
    source     TEXT NOT NULL,
    position   BIGINT NOT NULL,
    updated_at TEXT NOT NULL
);

-- A target for a region over a year range. A part of a breakdown names its
-- parent region (`parent_code`); a part whose region is its parent's is the
-- parent's own share (市本级). `rule` on a parent says how its parts are
-- checked: sum (they add up to it), at_least (they add up to at least it),
-- none.
CREATE TABLE targets (
    target_id   {pk},
    indicator   TEXT NOT NULL REFERENCES indicators(code),
    year_from   BIGINT NOT NULL,
    year_to     BIGINT NOT NULL,
    -- 000000 = the whole country
    region_code TEXT NOT NULL,
    parent_code TEXT NOT NULL DEFAULT '',
    name        TEXT NOT NULL,
    value       BIGINT NOT NULL,
    rule        TEXT NOT NULL DEFAULT 'sum',
    source      TEXT NOT NULL DEFAULT '',
    file_name   TEXT NOT NULL,
    file_row    BIGINT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (indicator, year_from, year_to, region_code, parent_code)
);

-- Statistics entered or imported per region and year (就业人员, 技能劳动者 …).
CREATE TABLE statistics (
    region_code TEXT NOT NULL,
    year        BIGINT NOT NULL,
    stat_key    TEXT NOT NULL,
    value       BIGINT NOT NULL,
    source      TEXT NOT NULL DEFAULT '',
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (region_code, year, stat_key)
);

-- The task tables of the seed documents: task, requirement, the lead unit
-- (listed first) and the co-units.
CREATE TABLE tasks (
    task_id     {pk},
    doc         TEXT NOT NULL,
    task_no     BIGINT NOT NULL,
    region_code TEXT NOT NULL,
    heading     TEXT NOT NULL,
    requirement TEXT NOT NULL,
    lead_unit   TEXT NOT NULL,
    -- co-units, separated by 、
    co_units    TEXT NOT NULL DEFAULT '',
    due         TEXT,
    updated_at  TEXT NOT NULL,
    UNIQUE (doc, task_no)
);

-- Progress reported by a responsible unit on a task.
CREATE TABLE task_reports (
    report_id   {pk},
    task_id     BIGINT NOT NULL REFERENCES tasks(task_id),
    unit        TEXT NOT NULL,
    reported_on TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('not_started', 'in_progress', 'done')),
    note        TEXT NOT NULL DEFAULT '',
    actor       TEXT NOT NULL,
    at          TEXT NOT NULL,
    UNIQUE (task_id, unit, reported_on)
);

-- The aggregate facts: per county-level region × year × month × measure ×
-- training type × person category × fund source. category '' is every
-- person (each person-time once); a named category counts the person-times
-- of persons holding it. Rebuilt by `refresh` whenever the audit trail has
-- grown since (docs/scale.md).
CREATE TABLE plan_facts (
    region_code   TEXT NOT NULL,
    year          BIGINT NOT NULL,
    month         BIGINT NOT NULL,
    measure       TEXT NOT NULL,
    training_type TEXT NOT NULL,
    category      TEXT NOT NULL,
    fund_code     TEXT NOT NULL,
    value         BIGINT NOT NULL,
    PRIMARY KEY (year, region_code, month, measure, training_type, category, fund_code)
);

-- One row: the audit_id up to which plan_facts is complete.
CREATE TABLE plan_facts_state (
    id           BIGINT PRIMARY KEY,
    watermark    BIGINT NOT NULL,
    refreshed_at TEXT NOT NULL,
    seconds_ms   BIGINT NOT NULL
);
