-- The dedicated-fund ledger (专账): fund sources with their running
-- balances, balanced double-entry transactions, and their lines. The rules
-- (R16: nothing beyond the fund's balance; R17: a claim paid once, from one
-- fund) are decided in domain::ledger; the schema backs them up.
--
-- Money is integer fen. Accounts are `bank:CODE` 专账存款, `source:CODE`
-- 资金拨入, `advances:CODE` 预付款, `expense:CODE` 补贴支出.

-- Running balances, updated in the same transaction as each posting (the
-- row is locked first, so they serialise per fund); `jineng ledger verify`
-- recomputes them from ledger_entries.
CREATE TABLE fund_sources (
    code         TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    -- R16: a fund's bank account never goes below zero
    bank_fen     BIGINT NOT NULL DEFAULT 0 CHECK (bank_fen >= 0),
    source_fen   BIGINT NOT NULL DEFAULT 0,
    advances_fen BIGINT NOT NULL DEFAULT 0,
    expense_fen  BIGINT NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL
);

CREATE TABLE ledger_tx (
    tx_id     {pk},
    at        TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('allocate', 'advance', 'pay', 'settle', 'recover')),
    fund_code TEXT NOT NULL REFERENCES fund_sources(code),
    -- NULL for allocations; every other kind names its claim
    claim_no  TEXT REFERENCES claims(claim_no),
    actor     TEXT NOT NULL,
    memo      TEXT NOT NULL DEFAULT '',
    CHECK ((kind = 'allocate' AND claim_no IS NULL) OR (kind <> 'allocate' AND claim_no IS NOT NULL))
);
-- A claim is advanced, paid, settled and recovered at most once each, even
-- when two writers race (both backends treat NULLs as distinct, so
-- allocations are not limited).
CREATE UNIQUE INDEX ledger_tx_claim_kind ON ledger_tx (claim_no, kind);
CREATE INDEX ledger_tx_fund ON ledger_tx (fund_code, kind);

CREATE TABLE ledger_entries (
    tx_id      BIGINT NOT NULL REFERENCES ledger_tx(tx_id),
    line       BIGINT NOT NULL,
    account    TEXT NOT NULL,
    fund_code  TEXT NOT NULL REFERENCES fund_sources(code),
    debit_fen  BIGINT NOT NULL DEFAULT 0,
    credit_fen BIGINT NOT NULL DEFAULT 0,
    -- one side positive, the other zero
    CHECK ((debit_fen > 0 AND credit_fen = 0) OR (credit_fen > 0 AND debit_fen = 0)),
    PRIMARY KEY (tx_id, line)
);
CREATE INDEX ledger_entries_fund ON ledger_entries (fund_code, account);
