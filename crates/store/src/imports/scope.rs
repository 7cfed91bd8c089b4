//! The scope check of an upload: which rows of a chunk reach outside the
//! uploading account's scope. Each row names what it touches (a region it
//! writes, an existing person, institution or class it changes or refers
//! to); the store looks the stored ones up and rejects the row when any
//! lies outside (「不在您的管理范围内」). The command line imports with the
//! whole jurisdiction and does not call it.

use crate::imports::batch::Rejection;
use crate::sql::{Val, select_in};
use crate::{Store, StoreError};
use jineng_domain::access::Scope;
use sqlx::Row;
use std::collections::HashMap;

/// What a row touches, with the template column to blame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopeKey {
    /// A region the row writes (户籍地, 培训地, 所在地, 区划代码).
    Region { column: &'static str, code: String },
    /// A person by ID number: if stored, their 户籍地 must be in scope.
    Person { column: &'static str, id: String },
    /// An institution by credit code: if stored, its 所在地 must be in scope.
    Institution { column: &'static str, code: String },
    /// A class by institution credit code and class number: if stored, its
    /// 培训地 must be in scope.
    Class {
        column: &'static str,
        institution: String,
        class_no: String,
    },
}

pub const OUT_OF_SCOPE: &str = "不在您的管理范围内";

/// Stored facts a chunk's keys need.
#[derive(Default)]
struct Known {
    /// id_number → 户籍地
    persons: HashMap<String, String>,
    /// credit code → (institution_id, 所在地)
    institutions: HashMap<String, (i64, String)>,
    /// (credit code, class_no) → 培训地
    classes: HashMap<(String, String), String>,
}

impl Store {
    /// The rows of `rows` (row number, keys) that reach outside `scope`,
    /// each with its reason.
    pub async fn out_of_scope(
        &self,
        scope: &Scope,
        rows: &[(u64, Vec<ScopeKey>)],
    ) -> Result<Vec<(u64, Rejection)>, StoreError> {
        let known = self.known(rows).await?;
        let mut out = Vec::new();
        for (n, keys) in rows {
            if let Some(r) = check(scope, &known, keys) {
                out.push((*n, r));
            }
        }
        Ok(out)
    }

    async fn known(&self, rows: &[(u64, Vec<ScopeKey>)]) -> Result<Known, StoreError> {
        let (mut ids, mut codes) = (Vec::new(), Vec::new());
        for k in rows.iter().flat_map(|(_, ks)| ks) {
            match k {
                ScopeKey::Person { id, .. } => ids.push(Val::text(id)),
                ScopeKey::Institution { code, .. } => codes.push(Val::text(code)),
                ScopeKey::Class { institution, .. } => codes.push(Val::text(institution)),
                ScopeKey::Region { .. } => {}
            }
        }
        let mut conn = self.pool().acquire().await?;
        let mut known = Known::default();
        for r in select_in(
            &mut conn,
            "SELECT id_number, hukou_region FROM persons",
            "id_number",
            &ids,
        )
        .await?
        {
            known
                .persons
                .insert(r.try_get("id_number")?, r.try_get("hukou_region")?);
        }
        for r in select_in(
            &mut conn,
            "SELECT institution_id, credit_code, region_code FROM institutions",
            "credit_code",
            &codes,
        )
        .await?
        {
            known.institutions.insert(
                r.try_get("credit_code")?,
                (r.try_get("institution_id")?, r.try_get("region_code")?),
            );
        }
        let inst_ids: Vec<Val> = known
            .institutions
            .values()
            .map(|(id, _)| Val::int(*id))
            .collect();
        for r in select_in(
            &mut conn,
            "SELECT i.credit_code, cl.class_no, cl.site_region FROM classes cl JOIN institutions i ON i.institution_id = cl.institution_id",
            "cl.institution_id",
            &inst_ids,
        )
        .await?
        {
            known.classes.insert(
                (r.try_get("credit_code")?, r.try_get("class_no")?),
                r.try_get("site_region")?,
            );
        }
        Ok(known)
    }
}

/// The first key of a row outside the scope, as a rejection.
fn check(scope: &Scope, known: &Known, keys: &[ScopeKey]) -> Option<Rejection> {
    let region_ok = |code: &str| match scope {
        Scope::Region(r) => code.starts_with(r.subtree_prefix()),
        _ => false,
    };
    let own = |code: &str| match scope {
        Scope::Institution(id) => known.institutions.get(code).is_some_and(|(i, _)| i == id),
        _ => false,
    };
    let touches_institution = keys
        .iter()
        .any(|k| matches!(k, ScopeKey::Institution { .. } | ScopeKey::Class { .. }));
    let reachable = match scope {
        Scope::Region(_) => !keys.is_empty(),
        // An institution clerk writes only rows of its own institution.
        Scope::Institution(_) => touches_institution,
        Scope::Person(_) | Scope::Enterprise(_) => false,
        // The whole jurisdiction reaches every row.
        Scope::Jurisdiction => return None,
    };
    if !reachable {
        return Some(Rejection::new("", format!("该行{OUT_OF_SCOPE}")));
    }
    for k in keys {
        let bad = match (scope, k) {
            (Scope::Region(_), ScopeKey::Region { column, code }) => {
                (!region_ok(code)).then(|| (*column, format!("{code} {OUT_OF_SCOPE}")))
            }
            (Scope::Region(_), ScopeKey::Person { column, id }) => known
                .persons
                .get(id)
                .filter(|h| !region_ok(h))
                .map(|_| (*column, format!("该人员的户籍地{OUT_OF_SCOPE}"))),
            (Scope::Region(_), ScopeKey::Institution { column, code }) => known
                .institutions
                .get(code)
                .filter(|(_, r)| !region_ok(r))
                .map(|_| (*column, format!("该培训机构的所在地{OUT_OF_SCOPE}"))),
            (
                Scope::Region(_),
                ScopeKey::Class {
                    column,
                    institution,
                    class_no,
                },
            ) => known
                .classes
                .get(&(institution.clone(), class_no.clone()))
                .filter(|s| !region_ok(s))
                .map(|_| (*column, format!("该培训班的培训地{OUT_OF_SCOPE}"))),
            // An institution clerk reaches only its own institution's classes.
            (_, ScopeKey::Institution { column, code })
            | (
                _,
                ScopeKey::Class {
                    column,
                    institution: code,
                    ..
                },
            ) => (!own(code)).then(|| (*column, format!("该培训机构{OUT_OF_SCOPE}"))),
            (_, ScopeKey::Region { .. } | ScopeKey::Person { .. }) => None,
        };
        if let Some((column, message)) = bad {
            return Some(Rejection::new(column, message));
        }
    }
    None
}
