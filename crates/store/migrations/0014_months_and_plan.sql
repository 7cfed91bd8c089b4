-- 以工代训 by calendar month (R10, R17): the months a claim covers, as
-- 'YYYY-MM', first and last included, and the months its decision paid,
-- comma-separated 'YYYY-MM' (one person-month is paid once, whichever
-- employer claims it).
ALTER TABLE claims ADD COLUMN period_from TEXT;
ALTER TABLE claims ADD COLUMN period_to TEXT;
ALTER TABLE claims ADD COLUMN paid_months TEXT;
-- Whether a class is in the local training plan (列入当地培训计划, the
-- condition of R9's advance): 1 yes, 0 no, NULL not stated.
ALTER TABLE classes ADD COLUMN in_plan BIGINT;
