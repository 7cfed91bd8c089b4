-- Verifiable certificates (issue 15, docs/credentials.md).
--
-- Status lists: each is a Bitstring Status List of `bits` bits published
-- at /credentials/status/{list_id}; `updated_at` is its last change (a
-- revocation) and the signed list's validFrom. A list takes entries up to
-- half its size, then the next list is opened.
CREATE TABLE credential_status_lists (
    list_id    BIGINT PRIMARY KEY,
    bits       BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- A certificate's place in a status list: a random index, allocated when
-- its credential is first issued and never reused (rows are never
-- deleted, not even with the certificate).
CREATE TABLE credential_status (
    list_id      BIGINT NOT NULL REFERENCES credential_status_lists(list_id),
    status_index BIGINT NOT NULL,
    cert_type    TEXT NOT NULL,
    cert_no      TEXT NOT NULL,
    allocated_at TEXT NOT NULL,
    PRIMARY KEY (list_id, status_index),
    UNIQUE (cert_type, cert_no)
);

-- Revocations: by `jineng cert revoke` or a supervision case closed 属实
-- (`case_no`). One per certificate; a revocation is final.
CREATE TABLE certificate_revocations (
    cert_type  TEXT NOT NULL,
    cert_no    TEXT NOT NULL,
    reason     TEXT NOT NULL,
    revoked_at TEXT NOT NULL,
    revoked_by TEXT NOT NULL,
    case_no    TEXT,
    PRIMARY KEY (cert_type, cert_no)
);
