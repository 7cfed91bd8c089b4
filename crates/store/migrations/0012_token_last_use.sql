-- When each API token was last used (UTC, RFC 3339), for its owner's
-- account page; written at most once a minute per token.
ALTER TABLE api_tokens ADD COLUMN last_used_at TEXT;
