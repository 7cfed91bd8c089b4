-- Online learning sessions reported by learning platforms through the API
-- (issue 15, docs/learning.md), in the table the 线上学习记录 template
-- fills, so that check S10 reads both alike.

-- A platform's session: the minutes it recorded, the platform account
-- (role `platform`) that reported it and the platform's own id for it.
-- NULL on rows imported by template. Re-sending an id is idempotent: one
-- row per (account, id).
ALTER TABLE online_sessions ADD COLUMN minutes BIGINT;
ALTER TABLE online_sessions ADD COLUMN account_id BIGINT REFERENCES accounts(account_id);
ALTER TABLE online_sessions ADD COLUMN session_ref TEXT;
CREATE UNIQUE INDEX online_sessions_ref ON online_sessions (account_id, session_ref);

-- The minutes platforms reported for an enrolment, summed when sessions
-- are accepted: the engine's online hours for the enrolment when set
-- (they replace the roster's online_hours column, never add to it).
-- NULL: no platform reported; the roster's column stands.
ALTER TABLE enrolments ADD COLUMN platform_minutes BIGINT;
