-- SQLite only; PostgreSQL changes the key in place (schema.rs, `after`).
--
-- A voucher is a per-person record: its key becomes (person_id,
-- voucher_no), as claims', so that a distributed PostgreSQL can shard
-- vouchers with their holders (docs/scale.md, The national layout). The
-- number stays unique on its own (the ledger's commitments refer to it; in
-- Citus it becomes a lookup table). SQLite cannot change a primary key in
-- place: the table is rebuilt with its rows, foreign-key enforcement off,
-- the references checked after it by the runner.
CREATE TABLE vouchers_v48 (
    person_id    BIGINT NOT NULL REFERENCES persons(person_id),
    voucher_no   TEXT NOT NULL UNIQUE,
    year         BIGINT NOT NULL,
    region_code  TEXT NOT NULL,
    seq          BIGINT NOT NULL,
    policy_id    BIGINT NOT NULL REFERENCES policies(policy_id),
    kind_code    TEXT NOT NULL,
    kind_name    TEXT NOT NULL,
    occupations  TEXT NOT NULL,
    skill_level  BIGINT,
    face_fen     BIGINT NOT NULL CHECK (face_fen > 0),
    subsidy_type TEXT NOT NULL,
    fund_code    TEXT NOT NULL REFERENCES fund_sources(code),
    issued_on    TEXT NOT NULL,
    valid_until  TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'used', 'lapsed')),
    class_id     BIGINT REFERENCES classes(class_id),
    redeemed_on  TEXT,
    redeemed_by  TEXT,
    lapsed_on    TEXT,
    claim_no     TEXT REFERENCES claims(claim_no),
    created_at   TEXT NOT NULL,
    CHECK ((status = 'used') = (class_id IS NOT NULL)),
    CHECK (claim_no IS NULL OR status = 'used'),
    PRIMARY KEY (person_id, voucher_no),
    UNIQUE (person_id, year, kind_code),
    UNIQUE (region_code, year, seq)
);
INSERT INTO vouchers_v48 (person_id, voucher_no, year, region_code, seq, policy_id, kind_code,
        kind_name, occupations, skill_level, face_fen, subsidy_type, fund_code, issued_on,
        valid_until, status, class_id, redeemed_on, redeemed_by, lapsed_on, claim_no, created_at)
    SELECT person_id, voucher_no, year, region_code, seq, policy_id, kind_code,
        kind_name, occupations, skill_level, face_fen, subsidy_type, fund_code, issued_on,
        valid_until, status, class_id, redeemed_on, redeemed_by, lapsed_on, claim_no, created_at
    FROM vouchers;
DROP TABLE vouchers;
ALTER TABLE vouchers_v48 RENAME TO vouchers;
CREATE INDEX vouchers_status ON vouchers (status, valid_until);
CREATE INDEX vouchers_class ON vouchers (class_id, person_id);
