-- Class filing review (开班备案审核) and closing (结业).
--
-- classes.status now runs: registered (已报备, 待审核: as the institution
-- filed it, by template or form) -> approved (备案通过) or returned (退回,
-- with a reason; filing it again sends it back to registered) -> closing
-- (申请结业, asked by the institution once training ended) -> closed
-- (已结业, by an officer of the 培训地 once every enrolment has a result).
-- Classes filed before this migration stay registered: no class is
-- approved without an officer.
--
-- Every step, with who took it, when and why.
CREATE TABLE class_events (
    event_id    {pk},
    class_id    BIGINT NOT NULL REFERENCES classes(class_id),
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    actor       TEXT NOT NULL,
    at          TEXT NOT NULL,
    reason      TEXT
);
CREATE INDEX class_events_class ON class_events (class_id);
CREATE INDEX classes_status ON classes (status);
