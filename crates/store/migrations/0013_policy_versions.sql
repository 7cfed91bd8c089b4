-- Policy versions: loading a changed file under the same policy id keeps
-- the old text as an earlier version, and each decision names the version
-- it was made under (claims.policy_version), so a decision reads again as
-- it was made. `policies` stays the policy's current state; its versions,
-- the current one included, are here, numbered 1, 2, … per policy, each
-- with the SHA-256 of its files.

CREATE TABLE policy_versions (
    version_id  {pk},
    policy_id   BIGINT NOT NULL REFERENCES policies(policy_id),
    version_no  BIGINT NOT NULL,
    sha256      TEXT NOT NULL,
    title       TEXT NOT NULL,
    doc_no      TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions(code),
    valid_from  TEXT NOT NULL,
    valid_to    TEXT,
    -- JSON array of [file name, text], main file first
    sources     TEXT NOT NULL,
    loaded_at   TEXT NOT NULL,
    actor       TEXT NOT NULL,
    UNIQUE (policy_id, version_no)
);

-- The policies loaded before versions existed are their own version 1.
INSERT INTO policy_versions (policy_id, version_no, sha256, title, doc_no, region_code, valid_from, valid_to, sources, loaded_at, actor)
SELECT policy_id, 1, sha256, title, doc_no, region_code, valid_from, valid_to, sources, loaded_at, actor FROM policies;

-- The version a decision used (policy_versions.version_id); NULL while
-- undecided, and for a claim held because no policy applies (无适用政策).
ALTER TABLE claims ADD COLUMN policy_version BIGINT;
UPDATE claims SET policy_version = (SELECT v.version_id FROM policy_versions v WHERE v.policy_id = claims.policy_id)
WHERE policy_id IS NOT NULL;
