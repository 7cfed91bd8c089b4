-- Foundation schema: reference data, the real-name registry, institutions,
-- classes, certificates, claims (records only), import batches and audit.
--
-- One text for both backends. `{pk}` is replaced per dialect (SQLite rowid
-- alias / PostgreSQL identity). Dates are ISO-8601 TEXT (`YYYY-MM-DD`),
-- timestamps RFC 3339 TEXT, money integer fen, flags 0/1 BIGINT: the sqlx
-- `Any` driver moves only integers and text portably.
--
-- Per-person tables carry `person_id` first in their primary key so that a
-- distributed PostgreSQL (Citus) can co-locate them (docs/scale.md).

CREATE TABLE regions (
    code         TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    parent_code  TEXT REFERENCES regions(code),
    level        TEXT NOT NULL CHECK (level IN ('province', 'prefecture', 'county')),
    -- administrative | functional (NBS development zone) | placeholder (市辖区 …)
    kind         TEXT NOT NULL,
    -- 1 = national reference data; 0 = defined by this deployment
    national     BIGINT NOT NULL DEFAULT 1,
    -- 1 on a prefecture-level city without counties (东莞市 441900 …) that
    -- statistics also count as a county-level unit under the same code
    county_level BIGINT NOT NULL DEFAULT 0,
    deep_poverty BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX regions_parent ON regions (parent_code);

CREATE TABLE occupations (
    code        TEXT PRIMARY KEY,
    level       BIGINT NOT NULL,
    name        TEXT NOT NULL,
    -- 2022 edition marks: L (green), S (digital), L/S (both)
    mark        TEXT NOT NULL DEFAULT '',
    definition  TEXT NOT NULL DEFAULT ''
);

-- Open vocabularies kept as data: person categories, training types,
-- institution types, subsidy types.
CREATE TABLE vocabulary (
    kind        TEXT NOT NULL,
    term        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (kind, term)
);

CREATE TABLE import_batches (
    batch_id    {pk},
    kind        TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    actor       TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    status      TEXT NOT NULL,
    inserted    BIGINT NOT NULL DEFAULT 0,
    updated     BIGINT NOT NULL DEFAULT 0,
    unchanged   BIGINT NOT NULL DEFAULT 0,
    rejected    BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE persons (
    person_id        {pk},
    id_number        TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    sex              TEXT NOT NULL,
    birth_date       TEXT NOT NULL,
    ethnicity        TEXT,
    education        TEXT,
    phone            TEXT,
    hukou_region     TEXT NOT NULL REFERENCES regions(code),
    residence_region TEXT REFERENCES regions(code),
    job_region       TEXT REFERENCES regions(code),
    receives_pension BIGINT NOT NULL DEFAULT 0,
    batch_id         BIGINT,
    updated_at       TEXT NOT NULL
);
CREATE INDEX persons_name ON persons (name);
CREATE INDEX persons_hukou ON persons (hukou_region);

CREATE TABLE person_categories (
    person_id  BIGINT NOT NULL REFERENCES persons(person_id),
    category   TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to   TEXT,
    evidence   TEXT,
    batch_id   BIGINT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (person_id, category, valid_from)
);

-- Stored in both directions so each person's relatives sit with the person.
CREATE TABLE family_relations (
    person_id   BIGINT NOT NULL REFERENCES persons(person_id),
    relative_id BIGINT NOT NULL REFERENCES persons(person_id),
    relation    TEXT NOT NULL,
    batch_id    BIGINT,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (person_id, relative_id)
);

CREATE TABLE institutions (
    institution_id {pk},
    credit_code    TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL,
    region_code    TEXT NOT NULL REFERENCES regions(code),
    status         TEXT NOT NULL DEFAULT 'active',
    credit_rating  TEXT,
    batch_id       BIGINT,
    updated_at     TEXT NOT NULL
);

-- Periods in the approved-institution catalogue (目录清单).
CREATE TABLE institution_catalogue (
    institution_id BIGINT NOT NULL REFERENCES institutions(institution_id),
    valid_from     TEXT NOT NULL,
    valid_to       TEXT,
    batch_id       BIGINT,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (institution_id, valid_from)
);

CREATE TABLE classes (
    class_id        {pk},
    institution_id  BIGINT NOT NULL REFERENCES institutions(institution_id),
    class_no        TEXT NOT NULL,
    training_type   TEXT NOT NULL,
    occupation_code TEXT NOT NULL REFERENCES occupations(code),
    -- 5 (五级/初级工) … 1 (一级/高级技师); NULL for 专项职业能力
    skill_level     BIGINT,
    site_region     TEXT NOT NULL REFERENCES regions(code),
    start_date      TEXT NOT NULL,
    end_date        TEXT NOT NULL,
    planned_hours   BIGINT NOT NULL,
    -- registered (开班备案) | closed (结业)
    status          TEXT NOT NULL DEFAULT 'registered',
    batch_id        BIGINT,
    updated_at      TEXT NOT NULL,
    UNIQUE (institution_id, class_no)
);
CREATE INDEX classes_site ON classes (site_region);

CREATE TABLE enrolments (
    person_id     BIGINT NOT NULL REFERENCES persons(person_id),
    class_id      BIGINT NOT NULL REFERENCES classes(class_id),
    offline_hours BIGINT NOT NULL DEFAULT 0,
    online_hours  BIGINT NOT NULL DEFAULT 0,
    -- passed | failed | not_finished
    completion    TEXT NOT NULL DEFAULT 'not_finished',
    batch_id      BIGINT,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (person_id, class_id)
);
CREATE INDEX enrolments_class ON enrolments (class_id);

CREATE TABLE certificates (
    person_id       BIGINT NOT NULL REFERENCES persons(person_id),
    cert_type       TEXT NOT NULL,
    cert_no         TEXT NOT NULL,
    occupation_code TEXT NOT NULL REFERENCES occupations(code),
    skill_level     BIGINT,
    issue_date      TEXT NOT NULL,
    issuer_code     TEXT NOT NULL,
    class_id        BIGINT REFERENCES classes(class_id),
    batch_id        BIGINT,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (person_id, cert_type, cert_no),
    UNIQUE (cert_type, cert_no)
);
CREATE INDEX certificates_no ON certificates (cert_no);

-- Claims as submitted; decisions, approvals and payments come with the
-- policy engine.
CREATE TABLE claims (
    person_id        BIGINT NOT NULL REFERENCES persons(person_id),
    claim_no         TEXT NOT NULL UNIQUE,
    subsidy_type     TEXT NOT NULL,
    cert_type        TEXT,
    cert_no          TEXT,
    class_id         BIGINT REFERENCES classes(class_id),
    claimant_code    TEXT,
    applied_on       TEXT NOT NULL,
    months           BIGINT,
    amount_asked_fen BIGINT,
    status           TEXT NOT NULL DEFAULT 'submitted',
    batch_id         BIGINT,
    updated_at       TEXT NOT NULL,
    PRIMARY KEY (person_id, claim_no)
);

-- Every write: bulk inserts by import are recorded once per batch (the rows
-- carry their batch_id); every update and every single write has its own row
-- with the state before and after. Sensitive values (ID numbers) are never
-- written here.
CREATE TABLE audit_log (
    audit_id   {pk},
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_key TEXT NOT NULL,
    batch_id   BIGINT,
    before     TEXT,
    after      TEXT
);
CREATE INDEX audit_entity ON audit_log (entity, entity_key);
