-- SQLite only (PostgreSQL skips this file: its heap has no clustering to
-- choose, and a distributed PostgreSQL shards claims by person anyway).
--
-- The claims table kept its rows in rowid order, which is the order claims
-- were imported (by claim number), while a batch decide reads and writes
-- them by person, a chunk of persons at a time: each chunk touched pages
-- all over the table, and each page was written again by several chunks.
-- Clustered on its key (person_id, claim_no) (WITHOUT ROWID), a person's
-- claims share pages and a chunk's claims lie together (docs/scale.md,
-- Batch decide). The runner applies this with foreign-key enforcement off,
-- as SQLite's table-rebuild procedure requires, and checks the references
-- after it.
CREATE TABLE claims_v23 (
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
    outcome          TEXT,
    amount_fen       BIGINT,
    payee_kind       TEXT,
    payee_code       TEXT,
    advance_pct      BIGINT,
    basis_year       BIGINT,
    months_paid      BIGINT,
    veteran_free     BIGINT,
    flagged_rules    TEXT,
    trace            TEXT,
    policy_id        BIGINT,
    decided_at       TEXT,
    officer_note     TEXT,
    fund_code        TEXT,
    policy_version   BIGINT,
    period_from      TEXT,
    period_to        TEXT,
    paid_months      TEXT,
    PRIMARY KEY (person_id, claim_no)
) WITHOUT ROWID;
INSERT INTO claims_v23 (person_id, claim_no, subsidy_type, cert_type, cert_no, class_id,
    claimant_code, applied_on, months, amount_asked_fen, status, batch_id, updated_at, outcome,
    amount_fen, payee_kind, payee_code, advance_pct, basis_year, months_paid, veteran_free,
    flagged_rules, trace, policy_id, decided_at, officer_note, fund_code, policy_version,
    period_from, period_to, paid_months)
    SELECT person_id, claim_no, subsidy_type, cert_type, cert_no, class_id,
    claimant_code, applied_on, months, amount_asked_fen, status, batch_id, updated_at, outcome,
    amount_fen, payee_kind, payee_code, advance_pct, basis_year, months_paid, veteran_free,
    flagged_rules, trace, policy_id, decided_at, officer_note, fund_code, policy_version,
    period_from, period_to, paid_months
    FROM claims ORDER BY person_id, claim_no;
DROP TABLE claims;
ALTER TABLE claims_v23 RENAME TO claims;
CREATE INDEX claims_status ON claims (status, person_id);
CREATE INDEX claims_class ON claims (class_id);
