-- The incremental supervision check reads the rows one import batch wrote
-- (docs/supervision.md). Without these, each of its reads by `batch_id`
-- scanned the whole table: at 10M enrolments most of the check's time.
CREATE INDEX enrolments_batch ON enrolments (batch_id);
CREATE INDEX certificates_batch ON certificates (batch_id);
CREATE INDEX claims_batch ON claims (batch_id);
CREATE INDEX classes_batch ON classes (batch_id);
