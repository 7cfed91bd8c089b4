-- Every audit row carries the region of the record it names, so that the
-- scope filter of the audit page is a predicate on one indexed column
-- (store/src/audit/scope.rs says what the column holds). The rows written
-- before get theirs in `after` (schema.rs), a range of ids at a time. The
-- column is not part of a row's hash: `audit verify` is unchanged.
ALTER TABLE audit_log ADD COLUMN region_code TEXT;
CREATE INDEX audit_region ON audit_log (region_code, audit_id);
