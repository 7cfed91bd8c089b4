-- API tokens run out: when (UTC, RFC 3339). Tokens issued before are given
-- the default lifetime from the upgrade on (schema.rs).
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;

-- The audit chain is keyed from a marker row on (docs/security.md): the
-- marker's id and the id (a hash) of the key, whose secret stays outside
-- the database.
ALTER TABLE audit_chain_head ADD COLUMN keyed_from BIGINT;
ALTER TABLE audit_chain_head ADD COLUMN key_id TEXT;
