-- The aggregate facts (plan_facts) are rebuilt when the records behind
-- them change, not on every audited write: a login, an ID reveal, a task
-- report or a target changes no fact. The chain head keeps, beside the
-- last audit row, the last audit row that recorded such a change; the
-- facts' watermark is compared with it (store/src/planning/facts.rs).
ALTER TABLE audit_chain_head ADD COLUMN facts_audit_id BIGINT NOT NULL DEFAULT 0;
UPDATE audit_chain_head SET facts_audit_id = last_audit_id;
