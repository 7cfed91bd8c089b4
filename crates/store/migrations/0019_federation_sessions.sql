-- Federation tags matched to local persons, and online learning sessions
-- (issue 13, docs/supervision.md).

-- The local person an imported tag matched: `federation import` computes
-- HMAC(key, ID number) of every local person once and writes the match
-- here, so deciding a claim needs no key (the key stays in its file).
-- NULL: no local person (yet); `federation match` resolves again.
ALTER TABLE federation_tags ADD COLUMN person_id BIGINT;
CREATE INDEX federation_tags_person ON federation_tags (person_id);

-- 线上学习记录 (template `sessions`), read by check S10. Per person: the
-- person key leads the primary key (docs/scale.md). A session is one
-- person's learning in one class on one platform from one start time.
CREATE TABLE online_sessions (
    person_id  BIGINT NOT NULL REFERENCES persons(person_id),
    class_id   BIGINT NOT NULL REFERENCES classes(class_id),
    platform   TEXT NOT NULL,
    -- 'YYYY-MM-DD HH:MM:SS'
    started_at TEXT NOT NULL,
    ended_at   TEXT NOT NULL,
    batch_id   BIGINT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (person_id, class_id, platform, started_at)
);
CREATE INDEX online_sessions_batch ON online_sessions (batch_id);
