-- Certificates marked revoked before revocation proper existed (a case
-- closed 属实 with --revoke-certs, migration 0018) become revocations, so
-- that their status bit is set once their credential is issued. The case
-- number stays in the reason ("线索 {case_no} 核查属实").
INSERT INTO certificate_revocations (cert_type, cert_no, reason, revoked_at, revoked_by, case_no)
SELECT cert_type, cert_no, COALESCE(revoked_reason, '撤销标记'), revoked_on || 'T00:00:00.000Z',
       'migration', NULL
FROM certificates WHERE revoked_on IS NOT NULL;
