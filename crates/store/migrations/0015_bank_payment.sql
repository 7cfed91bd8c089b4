-- Payment through the bank (004 十九: subsidies to the social-security
-- card). Payees carry their bank account; a disbursement batch (代发批次)
-- sends approved claims to the bank, their money in transit (在途资金) on
-- the ledger until the bank's return file (回盘) says paid or returned.
--
-- Bank accounts are sensitive: stored in full (the bank needs them), shown
-- masked unless the role may see them.
ALTER TABLE persons ADD COLUMN bank_account TEXT;
ALTER TABLE persons ADD COLUMN bank_name TEXT;
ALTER TABLE institutions ADD COLUMN bank_account TEXT;
ALTER TABLE institutions ADD COLUMN bank_name TEXT;

-- The fifth account of each fund: money sent to the bank, not yet answered.
ALTER TABLE fund_sources ADD COLUMN transit_fen BIGINT NOT NULL DEFAULT 0;

-- The ledger's postings gain two kinds (disburse 代发, return 退回) that a
-- claim may have once per attempt: the kind CHECK and the once-per-kind
-- index become once per (kind, attempt). Neither backend can change a
-- CHECK in place the same way, so both tables are rebuilt with their rows.
CREATE TABLE ledger_tx_v15 (
    tx_id     {pk},
    at        TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('allocate', 'advance', 'pay', 'settle', 'recover', 'disburse', 'return')),
    fund_code TEXT NOT NULL REFERENCES fund_sources(code),
    claim_no  TEXT REFERENCES claims(claim_no),
    actor     TEXT NOT NULL,
    memo      TEXT NOT NULL DEFAULT '',
    -- 0 for kinds a claim has at most once; the attempt for disburse/return
    attempt   BIGINT NOT NULL DEFAULT 0,
    CHECK ((kind = 'allocate' AND claim_no IS NULL) OR (kind <> 'allocate' AND claim_no IS NOT NULL))
);
INSERT INTO ledger_tx_v15 (tx_id, at, kind, fund_code, claim_no, actor, memo, attempt)
    SELECT tx_id, at, kind, fund_code, claim_no, actor, memo, 0 FROM ledger_tx;
CREATE TABLE ledger_entries_v15 (
    tx_id      BIGINT NOT NULL REFERENCES ledger_tx_v15(tx_id),
    line       BIGINT NOT NULL,
    account    TEXT NOT NULL,
    fund_code  TEXT NOT NULL REFERENCES fund_sources(code),
    debit_fen  BIGINT NOT NULL DEFAULT 0,
    credit_fen BIGINT NOT NULL DEFAULT 0,
    CHECK ((debit_fen > 0 AND credit_fen = 0) OR (credit_fen > 0 AND debit_fen = 0)),
    PRIMARY KEY (tx_id, line)
);
INSERT INTO ledger_entries_v15 (tx_id, line, account, fund_code, debit_fen, credit_fen)
    SELECT tx_id, line, account, fund_code, debit_fen, credit_fen FROM ledger_entries;
DROP TABLE ledger_entries;
DROP TABLE ledger_tx;
ALTER TABLE ledger_tx_v15 RENAME TO ledger_tx;
ALTER TABLE ledger_entries_v15 RENAME TO ledger_entries;
CREATE UNIQUE INDEX ledger_tx_claim_kind ON ledger_tx (claim_no, kind, attempt);
CREATE INDEX ledger_tx_fund ON ledger_tx (fund_code, kind);
CREATE INDEX ledger_entries_fund ON ledger_entries (fund_code, account);

-- A disbursement batch (代发批次) and its lines, one per claim sent.
CREATE TABLE pay_batches (
    batch_id   {pk},
    created_at TEXT NOT NULL,
    actor      TEXT NOT NULL,
    file_name  TEXT NOT NULL DEFAULT '',
    line_count BIGINT NOT NULL,
    total_fen  BIGINT NOT NULL
);
CREATE TABLE pay_batch_lines (
    batch_id     BIGINT NOT NULL REFERENCES pay_batches(batch_id),
    line_no      BIGINT NOT NULL,
    claim_no     TEXT NOT NULL REFERENCES claims(claim_no),
    -- the claim's disbursement this line carries (ledger_tx.attempt)
    attempt      BIGINT NOT NULL,
    fund_code    TEXT NOT NULL,
    payee_kind   TEXT NOT NULL,
    payee_name   TEXT NOT NULL,
    bank_account TEXT NOT NULL,
    bank_name    TEXT NOT NULL DEFAULT '',
    amount_fen   BIGINT NOT NULL CHECK (amount_fen > 0),
    -- NULL until the bank answers: success | failure
    result       TEXT CHECK (result IN ('success', 'failure')),
    reason       TEXT,
    answered_at  TEXT,
    PRIMARY KEY (batch_id, line_no),
    UNIQUE (claim_no, attempt)
);
