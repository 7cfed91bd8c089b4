-- Supervision reads by key (docs/supervision.md, issue 13): S8 loads an
-- assessor's certificates of a day and an institution's claims (through its
-- classes), after an import and in the full scan.
CREATE INDEX certificates_issuer ON certificates (issuer_code, issue_date);
CREATE INDEX claims_class ON claims (class_id);
