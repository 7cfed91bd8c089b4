-- The web platform: accounts with their role and scope, browser sessions,
-- API tokens, and the hash chain over the audit trail.

-- role: officer | finance | auditor | institution | enterprise | worker.
-- The scope column that matches the role is set: region_code for officer,
-- finance and auditor; institution_id for an institution clerk; person_id
-- for a worker; enterprise_code for an enterprise clerk.
CREATE TABLE accounts (
    account_id      {pk},
    login           TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    role            TEXT NOT NULL,
    region_code     TEXT REFERENCES regions(code),
    institution_id  BIGINT REFERENCES institutions(institution_id),
    person_id       BIGINT REFERENCES persons(person_id),
    enterprise_code TEXT,
    active          BIGINT NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

-- A browser session: only the SHA-256 of the cookie's token is kept.
CREATE TABLE sessions (
    session_hash TEXT PRIMARY KEY,
    account_id   BIGINT NOT NULL REFERENCES accounts(account_id),
    csrf_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

-- A machine client's bearer token: only its SHA-256 is kept.
CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts(account_id),
    label      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked    BIGINT NOT NULL DEFAULT 0
);

-- Each audit row carries the hash of the row before it and its own hash
-- over its fields and that previous hash.
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN row_hash TEXT;

-- The chain's head: the last chained row and its hash. Writers lock this
-- one row, which serialises the chain; a deleted last row shows here.
CREATE TABLE audit_chain_head (
    id            BIGINT PRIMARY KEY,
    last_audit_id BIGINT NOT NULL,
    last_hash     TEXT NOT NULL
);
INSERT INTO audit_chain_head (id, last_audit_id, last_hash) VALUES (1, 0, 'genesis');
