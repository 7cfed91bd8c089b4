-- The effects of a supervision case closed 属实 (issue 13,
-- docs/supervision.md): a certificate the case named may be marked revoked
-- (撤销标记). Revocation proper (its workflow, the issuer's notice) lands
-- with the certificate issue; until then the mark is shown wherever the
-- certificate is listed.
ALTER TABLE certificates ADD COLUMN revoked_on TEXT;
ALTER TABLE certificates ADD COLUMN revoked_reason TEXT;
