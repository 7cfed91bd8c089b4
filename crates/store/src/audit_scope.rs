//! Which audit rows (审计日志) an account's scope reaches. A row names its
//! record by entity and key; the record's region decides, the same way the
//! record's own pages decide (persons and claims by 户籍地, classes by
//! 培训地, institutions by 所在地, training vouchers by their holder's
//! 户籍地). Rows about the jurisdiction's
//! configuration (policies, fund sources, indicators, plan tasks) are
//! public to every officer, as their pages are. Batch runs (an import, a
//! decision run) list or count records across the jurisdiction, so only a
//! scope covering the whole jurisdiction sees them: one that holds the
//! region of every loaded policy. Entities not named here are treated as
//! batch runs, the safe default for anything added later.

use crate::Backend;
use crate::scoped::{Subject, filter};
use crate::sql::Val;
use jineng_domain::access::Scope;

/// Entities about the jurisdiction's configuration: no person, no count.
const CONFIGURATION: &str = "'policy', 'fund_source', 'indicator', 'statistic_def', 'task'";

/// Entities whose key leads with a person_id (`person_id/…`).
const PERSON_LED: &str = "'person_category', 'family_relation'";

/// A key's part before its first `/`, and the part after it.
fn split(backend: Backend, col: &str) -> (String, String) {
    let pos = match backend {
        Backend::Sqlite => format!("instr({col}, '/')"),
        Backend::Postgres => format!("strpos({col}, '/')"),
    };
    (
        format!("substr({col}, 1, {pos} - 1)"),
        format!("substr({col}, {pos} + 1)"),
    )
}

/// The condition on `audit_log a` for this scope, with its value as `$n`.
pub(crate) fn audit_filter(backend: Backend, scope: &Scope, n: usize) -> (String, Vec<Val>) {
    let Scope::Region(_) = scope else {
        // Only region-scoped roles may read the trail at all.
        return ("1 = 0".into(), vec![]);
    };
    let (person, _) = filter(scope, Subject::Person, n);
    let (class, _) = filter(scope, Subject::Class, n);
    let (inst, val) = filter(scope, Subject::Institution, n);
    let key = "a.entity_key";
    let (head, tail) = split(backend, key);
    // The key is cast only on the rows of its entity (a CASE is evaluated
    // in order on PostgreSQL), so another entity's text key never is.
    let id = |entities: &str, expr: &str| {
        format!("CASE WHEN a.entity IN ({entities}) THEN CAST({expr} AS BIGINT) END")
    };
    let enrolment_class = format!(
        "CASE WHEN a.entity = 'enrolment' THEN CAST(CASE WHEN {key} LIKE '%/%' THEN {tail} ELSE {key} END AS BIGINT) END"
    );
    let persons_in = "SELECT 1 FROM persons p WHERE";
    let cond = format!(
        "(a.entity IN ({CONFIGURATION}) \
         OR (a.entity = 'claim' AND EXISTS (SELECT 1 FROM claims c JOIN persons p ON p.person_id = c.person_id \
             WHERE c.claim_no = {key} AND {person})) \
         OR (a.entity = 'person' AND EXISTS ({persons_in} p.person_id = {person_id} AND {person})) \
         OR (a.entity IN ({PERSON_LED}) AND EXISTS ({persons_in} p.person_id = {person_head} AND {person})) \
         OR (a.entity = 'certificate' AND EXISTS (SELECT 1 FROM certificates ce JOIN persons p ON p.person_id = ce.person_id \
             WHERE ce.cert_no = {tail} AND {person})) \
         OR (a.entity = 'voucher' AND EXISTS (SELECT 1 FROM vouchers v JOIN persons p ON p.person_id = v.person_id \
             WHERE v.voucher_no = {key} AND {person})) \
         OR (a.entity = 'class' AND EXISTS (SELECT 1 FROM classes cl WHERE cl.class_id = {class_id} AND {class})) \
         OR (a.entity = 'enrolment' AND EXISTS (SELECT 1 FROM classes cl WHERE cl.class_id = {enrolment_class} AND {class})) \
         OR (a.entity = 'institution' AND EXISTS (SELECT 1 FROM institutions i WHERE i.institution_id = {inst_id} AND {inst})) \
         OR (a.entity = 'institution_catalogue' AND EXISTS (SELECT 1 FROM institutions i WHERE i.institution_id = {inst_head} AND {inst})) \
         OR (a.entity = 'ledger_tx' AND EXISTS (SELECT 1 FROM ledger_tx t WHERE t.tx_id = {tx_id} AND (t.claim_no IS NULL \
             OR EXISTS (SELECT 1 FROM claims c JOIN persons p ON p.person_id = c.person_id WHERE c.claim_no = t.claim_no AND {person})))) \
         OR (a.entity = 'account' AND EXISTS (SELECT 1 FROM accounts ac WHERE ac.account_id = {account_id} AND ( \
             ac.region_code LIKE ${n} \
             OR EXISTS (SELECT 1 FROM institutions i WHERE i.institution_id = ac.institution_id AND {inst}) \
             OR EXISTS ({persons_in} p.person_id = ac.person_id AND {person})))) \
         OR (a.entity IN ('region', 'statistic') AND {key} LIKE ${n}) \
         OR (a.entity = 'target' AND {key} LIKE '%/%/' || ${n}) \
         OR (a.entity NOT IN ({CONFIGURATION}, {PERSON_LED}, 'claim', 'person', 'certificate', 'class', 'enrolment', \
             'institution', 'institution_catalogue', 'ledger_tx', 'account', 'region', 'statistic', 'target', \
             'voucher') \
             AND NOT EXISTS (SELECT 1 FROM policies po WHERE po.region_code NOT LIKE ${n})))",
        person_id = id("'person'", key),
        person_head = id(PERSON_LED, &head),
        class_id = id("'class'", key),
        inst_id = id("'institution'", key),
        inst_head = id("'institution_catalogue'", &head),
        tx_id = id("'ledger_tx'", key),
        account_id = id("'account'", key),
    );
    (cond, vec![val])
}
