-- Supervision (issue 13, docs/supervision.md): loaded supervision files,
-- comparison lists, cases with the records they name, inspectors and
-- 双随机 draws, credit ratings, other deployments' federation tags, and the
-- teacher of a class (S9).

-- The text of each loaded supervision file, so its checks compile again
-- exactly as loaded (like policies).
CREATE TABLE supervision_files (
    file_id     {pk},
    file_key    TEXT NOT NULL UNIQUE,
    file_name   TEXT NOT NULL,
    title       TEXT NOT NULL,
    doc_no      TEXT NOT NULL,
    region_code TEXT NOT NULL,
    source      TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    loaded_at   TEXT NOT NULL,
    actor       TEXT NOT NULL
);

-- 比对名单 rows. The person need not be in the registry: a row is
-- evidence for later imports. Shown only masked.
CREATE TABLE watchlist_entries (
    entry_id      {pk},
    id_number     TEXT NOT NULL,
    name          TEXT NOT NULL,
    -- 名单类型 as written: 死亡 | 财政供养 | 服刑 | 在校学生 | 领取养老金 | 在职参保
    kind          TEXT NOT NULL,
    valid_from    TEXT NOT NULL,
    valid_to      TEXT,
    source        TEXT NOT NULL,
    employer_code TEXT,
    batch_id      BIGINT,
    updated_at    TEXT NOT NULL,
    UNIQUE (id_number, kind, valid_from, source)
);
CREATE INDEX watchlist_entries_batch ON watchlist_entries (batch_id);

-- 线索: one per evidence fingerprint, open or closed; a closed case is
-- never reopened by the same evidence.
CREATE TABLE supervision_cases (
    case_id     {pk},
    case_no     TEXT NOT NULL UNIQUE,
    check_id    TEXT NOT NULL,
    severity    TEXT NOT NULL,
    -- open | closed_true | closed_not_true
    status      TEXT NOT NULL DEFAULT 'open',
    fingerprint TEXT NOT NULL UNIQUE,
    evidence    TEXT NOT NULL,
    doc_no      TEXT NOT NULL,
    clause      TEXT NOT NULL,
    opened_at   TEXT NOT NULL,
    closed_at   TEXT,
    -- 属实 | 不属实, kept for the effects on claims that are applied later
    finding     TEXT,
    note        TEXT,
    closed_by   TEXT
);
CREATE INDEX supervision_cases_status ON supervision_cases (status, check_id);

-- The records a case names; persons by full ID number (for linking only).
CREATE TABLE supervision_case_records (
    case_id    BIGINT NOT NULL REFERENCES supervision_cases(case_id),
    kind       TEXT NOT NULL CHECK (kind IN ('claim', 'class', 'cert', 'institution', 'person')),
    record_key TEXT NOT NULL,
    PRIMARY KEY (case_id, kind, record_key)
);
CREATE INDEX supervision_case_records_key ON supervision_case_records (kind, record_key);

-- 检查人员 (双随机 lists).
CREATE TABLE inspectors (
    inspector_code TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    unit           TEXT NOT NULL DEFAULT '',
    batch_id       BIGINT,
    updated_at     TEXT NOT NULL
);

-- A published draw: enough to re-run it (seed, algorithm, list digests).
CREATE TABLE inspection_draws (
    draw_id             {pk},
    draw_no             TEXT NOT NULL UNIQUE,
    year                BIGINT NOT NULL,
    seed                TEXT NOT NULL,
    algorithm           TEXT NOT NULL,
    institutions        TEXT NOT NULL,
    inspectors          TEXT NOT NULL,
    institutions_digest TEXT NOT NULL,
    inspectors_digest   TEXT NOT NULL,
    drawn_at            TEXT NOT NULL,
    actor               TEXT NOT NULL
);

CREATE TABLE inspection_results (
    draw_id          BIGINT NOT NULL REFERENCES inspection_draws(draw_id),
    institution_code TEXT NOT NULL,
    result           TEXT NOT NULL,
    recorded_at      TEXT NOT NULL,
    actor            TEXT NOT NULL,
    PRIMARY KEY (draw_id, institution_code)
);

-- Yearly ratings with their reasons (JSON points) and dated consequences.
CREATE TABLE credit_ratings (
    institution_code TEXT NOT NULL,
    year             BIGINT NOT NULL,
    kind             TEXT NOT NULL,
    score            BIGINT NOT NULL,
    grade            TEXT NOT NULL,
    points           TEXT NOT NULL,
    removed_from     TEXT,
    no_advances      BIGINT NOT NULL DEFAULT 0,
    rated_on         TEXT NOT NULL,
    PRIMARY KEY (institution_code, year)
);

-- Other deployments' tags (HMAC of an ID number, never the number).
CREATE TABLE federation_tags (
    line_sha256  TEXT PRIMARY KEY,
    tag          TEXT NOT NULL,
    deployment   TEXT NOT NULL,
    occupation   TEXT,
    level        TEXT,
    subsidy_type TEXT NOT NULL,
    year         BIGINT NOT NULL,
    first_month  TEXT,
    months       BIGINT,
    fund         TEXT NOT NULL,
    imported_at  TEXT NOT NULL
);
CREATE INDEX federation_tags_tag ON federation_tags (tag);

-- 授课教师 of a class (optional template columns), for S9.
ALTER TABLE classes ADD COLUMN teacher_name TEXT;
ALTER TABLE classes ADD COLUMN teacher_id TEXT;
