-- jineng:no-transaction
-- What recomputing a cell of the facts reads (store/src/planning/rebuild.rs):
-- a region's classes ending in a month, the certificates issued in a
-- month, a class's certificates (the triggers of 0044, a class edit), and
-- a class's enrolments with what the counts read, from the index alone.
CREATE INDEX CONCURRENTLY IF NOT EXISTS classes_site_end ON classes (site_region, end_date);
CREATE INDEX CONCURRENTLY IF NOT EXISTS certificates_issued ON certificates (issue_date);
CREATE INDEX CONCURRENTLY IF NOT EXISTS certificates_class ON certificates (class_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS enrolments_class_completion ON enrolments (class_id, completion, person_id);
