-- The lists' orders and filters (docs/web.md, Lists): the claims queue
-- opens newest first (applied_on DESC, claim_no) and pages by OFFSET; it
-- filters by subsidy type and by the fund that paid. Classes open by
-- their start date.
CREATE INDEX claims_applied ON claims (applied_on, claim_no);
CREATE INDEX claims_subsidy_type ON claims (subsidy_type, status);
CREATE INDEX claims_fund ON claims (fund_code);
CREATE INDEX classes_start ON classes (start_date, class_no);
