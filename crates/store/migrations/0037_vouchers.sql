-- Training vouchers (职业培训券, docs/vouchers.md): issued to the eligible
-- persons of a scope under the policy's [vouchers] table, redeemed at an
-- institution when the person enrols, settled by the institution's claim
-- at face value, lapsed when unused past their validity. Each voucher's
-- face value is committed on the dedicated account when it is issued and
-- released when its claim is paid or it lapses.

CREATE TABLE vouchers (
    -- PXQ + county (6) + year (4) + sequence (6) + Luhn check digit
    voucher_no   TEXT PRIMARY KEY,
    person_id    BIGINT NOT NULL REFERENCES persons(person_id),
    year         BIGINT NOT NULL,
    -- the holder's 户籍地 county at issue, and the number's sequence in it
    region_code  TEXT NOT NULL,
    seq          BIGINT NOT NULL,
    -- the face-value rule it was issued under (the policy's kind), kept
    -- with the voucher so that a changed policy changes no issued voucher
    policy_id    BIGINT NOT NULL REFERENCES policies(policy_id),
    kind_code    TEXT NOT NULL,
    kind_name    TEXT NOT NULL,
    -- occupation codes joined by ',', or '*' for any
    occupations  TEXT NOT NULL,
    -- 5 (五级) … 1 (一级); NULL: a training without a level
    skill_level  BIGINT,
    face_fen     BIGINT NOT NULL CHECK (face_fen > 0),
    subsidy_type TEXT NOT NULL,
    fund_code    TEXT NOT NULL REFERENCES fund_sources(code),
    issued_on    TEXT NOT NULL,
    valid_until  TEXT NOT NULL,
    -- issued (未使用) | used (已使用) | lapsed (已过期)
    status       TEXT NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'used', 'lapsed')),
    class_id     BIGINT REFERENCES classes(class_id),
    redeemed_on  TEXT,
    redeemed_by  TEXT,
    lapsed_on    TEXT,
    -- the claim whose payment released the commitment
    claim_no     TEXT REFERENCES claims(claim_no),
    created_at   TEXT NOT NULL,
    CHECK ((status = 'used') = (class_id IS NOT NULL)),
    CHECK (claim_no IS NULL OR status = 'used'),
    -- one voucher of a kind per person and year
    UNIQUE (person_id, year, kind_code),
    UNIQUE (region_code, year, seq)
);
CREATE INDEX vouchers_status ON vouchers (status, valid_until);
CREATE INDEX vouchers_class ON vouchers (class_id, person_id);
CREATE INDEX vouchers_person ON vouchers (person_id);

-- What each fund has promised to vouchers (the running balance of its
-- memorandum accounts committed:CODE and pledge:CODE).
ALTER TABLE fund_sources ADD COLUMN committed_fen BIGINT NOT NULL DEFAULT 0 CHECK (committed_fen >= 0);

-- The ledger's postings gain two kinds for vouchers (commit 承诺, release
-- 释放) that name a voucher instead of a claim. As in 0015, neither
-- backend can change a CHECK in place the same way, so both tables are
-- rebuilt with their rows (schema.rs moves PostgreSQL's identity on).
CREATE TABLE ledger_tx_v37 (
    tx_id      {pk},
    at         TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('allocate', 'advance', 'pay', 'settle', 'recover', 'disburse', 'return', 'commit', 'release')),
    fund_code  TEXT NOT NULL REFERENCES fund_sources(code),
    claim_no   TEXT REFERENCES claims(claim_no),
    actor      TEXT NOT NULL,
    memo       TEXT NOT NULL DEFAULT '',
    attempt    BIGINT NOT NULL DEFAULT 0,
    voucher_no TEXT REFERENCES vouchers(voucher_no),
    CHECK ((kind = 'allocate' AND claim_no IS NULL AND voucher_no IS NULL)
        OR (kind IN ('commit', 'release') AND claim_no IS NULL AND voucher_no IS NOT NULL)
        OR (kind NOT IN ('allocate', 'commit', 'release') AND claim_no IS NOT NULL AND voucher_no IS NULL))
);
INSERT INTO ledger_tx_v37 (tx_id, at, kind, fund_code, claim_no, actor, memo, attempt)
    SELECT tx_id, at, kind, fund_code, claim_no, actor, memo, attempt FROM ledger_tx;
CREATE TABLE ledger_entries_v37 (
    tx_id      BIGINT NOT NULL REFERENCES ledger_tx_v37(tx_id),
    line       BIGINT NOT NULL,
    account    TEXT NOT NULL,
    fund_code  TEXT NOT NULL REFERENCES fund_sources(code),
    debit_fen  BIGINT NOT NULL DEFAULT 0,
    credit_fen BIGINT NOT NULL DEFAULT 0,
    CHECK ((debit_fen > 0 AND credit_fen = 0) OR (credit_fen > 0 AND debit_fen = 0)),
    PRIMARY KEY (tx_id, line)
);
INSERT INTO ledger_entries_v37 (tx_id, line, account, fund_code, debit_fen, credit_fen)
    SELECT tx_id, line, account, fund_code, debit_fen, credit_fen FROM ledger_entries;
DROP TABLE ledger_entries;
DROP TABLE ledger_tx;
ALTER TABLE ledger_tx_v37 RENAME TO ledger_tx;
ALTER TABLE ledger_entries_v37 RENAME TO ledger_entries;
CREATE UNIQUE INDEX ledger_tx_claim_kind ON ledger_tx (claim_no, kind, attempt);
-- A voucher is committed once and released at most once.
CREATE UNIQUE INDEX ledger_tx_voucher_kind ON ledger_tx (voucher_no, kind);
CREATE INDEX ledger_tx_fund ON ledger_tx (fund_code, kind);
CREATE INDEX ledger_entries_fund ON ledger_entries (fund_code, account);
