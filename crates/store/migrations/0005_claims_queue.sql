-- The claims queue index also carries the person: a batch decide lists the
-- persons with submitted claims from the index alone, without visiting a
-- million claim rows. (0004 is the planning schema.)
DROP INDEX claims_status;
CREATE INDEX claims_status ON claims (status, person_id);
