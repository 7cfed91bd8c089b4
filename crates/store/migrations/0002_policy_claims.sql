-- Policies and claim decisions.
--
-- A policy is kept as the text of its files (the main file and the ones it
-- extends), so it can be compiled again exactly as loaded; a claim records
-- the policy that decided it.

CREATE TABLE policies (
    policy_id   {pk},
    policy_key  TEXT NOT NULL UNIQUE,
    title       TEXT NOT NULL,
    doc_no      TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions(code),
    valid_from  TEXT NOT NULL,
    valid_to    TEXT,
    -- JSON array of [file name, text], main file first
    sources     TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    loaded_at   TEXT NOT NULL,
    actor       TEXT NOT NULL
);

-- The decision on a claim. status: submitted → eligible | review | rejected
-- (engine) → approved | rejected (officer) → advanced → paid (ledger) →
-- recovered (追回).
ALTER TABLE claims ADD COLUMN outcome TEXT;
ALTER TABLE claims ADD COLUMN amount_fen BIGINT;
ALTER TABLE claims ADD COLUMN payee_kind TEXT;
ALTER TABLE claims ADD COLUMN payee_code TEXT;
ALTER TABLE claims ADD COLUMN advance_pct BIGINT;
-- the year the claim counts in for R2, on the policy's basis
ALTER TABLE claims ADD COLUMN basis_year BIGINT;
ALTER TABLE claims ADD COLUMN months_paid BIGINT;
ALTER TABLE claims ADD COLUMN veteran_free BIGINT;
-- rule ids that rejected or flagged the claim, comma-separated
ALTER TABLE claims ADD COLUMN flagged_rules TEXT;
-- the decision's trace (JSON, rendered in Chinese on display)
ALTER TABLE claims ADD COLUMN trace TEXT;
ALTER TABLE claims ADD COLUMN policy_id BIGINT;
ALTER TABLE claims ADD COLUMN decided_at TEXT;
ALTER TABLE claims ADD COLUMN officer_note TEXT;
ALTER TABLE claims ADD COLUMN fund_code TEXT;
CREATE INDEX claims_status ON claims (status);
