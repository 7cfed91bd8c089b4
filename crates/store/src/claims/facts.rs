//! Reading what the engine decides from: for a set of persons, their record
//! (categories, family and the family's categories), every claim with the
//! certificate, class, institution and enrolment it rests on, and the claims
//! that already count as awards.

use std::collections::HashMap;

use chrono::NaiveDate;
use jineng_domain::policy::facts::{
    Award, CategorySpan, CertificateFacts, ClaimFacts, ClassFacts, EnrolmentFacts,
    InstitutionFacts, PersonFacts, Relative,
};
use jineng_domain::{
    CertificateType, CompletionResult, Fen, OccupationCode, RegionCode, RelationKind, Sex,
    SkillLevel,
};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::StoreError;
use crate::sql::{Val, select_in};

/// Claim statuses whose decision stands and counts towards caps.
pub(crate) const COUNTING: [&str; 4] = ["eligible", "approved", "advanced", "paid"];

/// One claim as stored, with its evidence.
#[derive(Debug, Clone)]
pub(crate) struct StoredClaim {
    pub person_id: i64,
    pub facts: ClaimFacts,
    pub status: String,
    pub claimant_code: Option<String>,
    pub institution_code: Option<String>,
    pub basis_year: Option<i64>,
    pub months_paid: Option<i64>,
    pub veteran_free: bool,
    pub policy_id: Option<i64>,
}

impl StoredClaim {
    /// The award this claim is, when its decision stands.
    pub fn award(&self) -> Option<Award> {
        if !COUNTING.contains(&self.status.as_str()) {
            return None;
        }
        let f = &self.facts;
        Some(Award {
            claim_no: f.claim_no.clone(),
            subsidy_type: f.subsidy_type.clone(),
            year: self.basis_year.unwrap_or(0) as i32,
            occupation: f.occupation().cloned(),
            level: f.level(),
            cert: f
                .certificate
                .as_ref()
                .map(|c| (c.cert_type, c.cert_no.clone())),
            class_key: f.class.as_ref().map(|c| c.key),
            months: self.months_paid.unwrap_or(0),
            veteran_free: self.veteran_free,
        })
    }
}

#[derive(Debug, Default)]
pub(crate) struct Loaded {
    pub persons: HashMap<i64, PersonFacts>,
    /// Each person's claims in claim-number order.
    pub claims: HashMap<i64, Vec<StoredClaim>>,
}

fn date(s: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| StoreError::Corrupt(format!("日期「{s}」格式不对")))
}

fn opt_date(s: Option<String>) -> Result<Option<NaiveDate>, StoreError> {
    s.as_deref().map(date).transpose()
}

fn region(s: &str) -> Result<RegionCode, StoreError> {
    RegionCode::parse(s).map_err(|e| StoreError::Corrupt(e.message().to_string()))
}

fn occupation(s: &str) -> Result<OccupationCode, StoreError> {
    OccupationCode::parse(s).map_err(|e| StoreError::Corrupt(e.message().to_string()))
}

fn level(v: Option<i64>) -> Option<SkillLevel> {
    v.and_then(|g| u8::try_from(g).ok())
        .and_then(SkillLevel::from_grade)
}

/// Loads the persons and all their claims.
pub(crate) async fn load(
    conn: &mut sqlx::AnyConnection,
    person_ids: &[i64],
) -> Result<Loaded, StoreError> {
    let keys: Vec<Val> = person_ids.iter().map(|p| Val::int(*p)).collect();
    let mut out = Loaded::default();
    let mut spans = categories(conn, &keys).await?;
    for r in select_in(
        conn,
        "SELECT person_id, birth_date, sex, receives_pension, hukou_region, residence_region, job_region FROM persons",
        "person_id",
        &keys,
    )
    .await?
    {
        let pid: i64 = r.try_get("person_id")?;
        let residence: Option<String> = r.try_get("residence_region")?;
        let job: Option<String> = r.try_get("job_region")?;
        out.persons.insert(
            pid,
            PersonFacts {
                birth_date: date(&r.try_get::<String, _>("birth_date")?)?,
                sex: if r.try_get::<String, _>("sex")? == "女" {
                    Sex::Female
                } else {
                    Sex::Male
                },
                receives_pension: r.try_get::<i64, _>("receives_pension")? != 0,
                hukou: region(&r.try_get::<String, _>("hukou_region")?)?,
                residence: residence.as_deref().map(region).transpose()?,
                job: job.as_deref().map(region).transpose()?,
                categories: spans.remove(&pid).unwrap_or_default(),
                family: Vec::new(),
            },
        );
    }
    family(conn, &keys, &mut out.persons).await?;
    for r in select_in(conn, CLAIMS_SELECT, "c.person_id", &keys).await? {
        let c = claim_row(&r)?;
        out.claims.entry(c.person_id).or_default().push(c);
    }
    for list in out.claims.values_mut() {
        list.sort_by(|a, b| a.facts.claim_no.cmp(&b.facts.claim_no));
    }
    Ok(out)
}

async fn categories(
    conn: &mut sqlx::AnyConnection,
    keys: &[Val],
) -> Result<HashMap<i64, Vec<CategorySpan>>, StoreError> {
    let mut out: HashMap<i64, Vec<CategorySpan>> = HashMap::new();
    for r in select_in(
        conn,
        "SELECT person_id, category, valid_from, valid_to FROM person_categories",
        "person_id",
        keys,
    )
    .await?
    {
        out.entry(r.try_get("person_id")?)
            .or_default()
            .push(CategorySpan {
                category: r.try_get("category")?,
                from: date(&r.try_get::<String, _>("valid_from")?)?,
                to: opt_date(r.try_get("valid_to")?)?,
            });
    }
    Ok(out)
}

async fn family(
    conn: &mut sqlx::AnyConnection,
    keys: &[Val],
    persons: &mut HashMap<i64, PersonFacts>,
) -> Result<(), StoreError> {
    let mut links: Vec<(i64, i64, RelationKind)> = Vec::new();
    for r in select_in(
        conn,
        "SELECT person_id, relative_id, relation FROM family_relations",
        "person_id",
        keys,
    )
    .await?
    {
        let relation: String = r.try_get("relation")?;
        let Some(kind) = RelationKind::from_code(&relation) else {
            continue;
        };
        links.push((r.try_get("person_id")?, r.try_get("relative_id")?, kind));
    }
    if links.is_empty() {
        return Ok(());
    }
    let rel_keys: Vec<Val> = links.iter().map(|(_, r, _)| Val::int(*r)).collect();
    let spans = categories(conn, &rel_keys).await?;
    for (pid, rid, kind) in links {
        if let Some(p) = persons.get_mut(&pid) {
            p.family.push(Relative {
                relation: kind,
                categories: spans.get(&rid).cloned().unwrap_or_default(),
            });
        }
    }
    Ok(())
}

const CLAIMS_SELECT: &str = "SELECT c.person_id, c.claim_no, c.subsidy_type, c.applied_on, c.months, \
    c.amount_asked_fen, c.claimant_code, c.status, c.basis_year, c.months_paid, c.veteran_free, \
    c.policy_id, \
    ce.cert_type, ce.cert_no AS ce_no, ce.occupation_code AS ce_occ, ce.skill_level AS ce_level, ce.issue_date, \
    cl.class_id, cl.training_type, cl.occupation_code AS cl_occ, cl.skill_level AS cl_level, \
    cl.site_region, cl.start_date, cl.end_date, i.credit_code, i.region_code AS inst_region, \
    (SELECT COUNT(*) FROM institution_catalogue ic WHERE ic.institution_id = cl.institution_id \
       AND ic.valid_from <= cl.start_date AND (ic.valid_to IS NULL OR ic.valid_to >= cl.start_date)) AS in_catalogue, \
    r.deep_poverty, e.offline_hours, e.online_hours, e.completion \
    FROM claims c \
    LEFT JOIN certificates ce ON ce.person_id = c.person_id AND ce.cert_no = c.cert_no \
      AND (c.cert_type IS NULL OR ce.cert_type = c.cert_type) \
    LEFT JOIN classes cl ON cl.class_id = COALESCE(c.class_id, ce.class_id) \
    LEFT JOIN institutions i ON i.institution_id = cl.institution_id \
    LEFT JOIN regions r ON r.code = cl.site_region \
    LEFT JOIN enrolments e ON e.person_id = c.person_id AND e.class_id = cl.class_id";

fn claim_row(r: &AnyRow) -> Result<StoredClaim, StoreError> {
    let certificate = match r.try_get::<Option<String>, _>("cert_type")? {
        Some(t) => Some(CertificateFacts {
            cert_type: CertificateType::from_code(&t)
                .ok_or_else(|| StoreError::Corrupt(format!("证书类型「{t}」")))?,
            cert_no: r.try_get("ce_no")?,
            occupation: occupation(&r.try_get::<String, _>("ce_occ")?)?,
            level: level(r.try_get("ce_level")?),
            issue_date: date(&r.try_get::<String, _>("issue_date")?)?,
        }),
        None => None,
    };
    let class = match r.try_get::<Option<i64>, _>("class_id")? {
        Some(key) => {
            let enrolment = match r.try_get::<Option<String>, _>("completion")? {
                Some(c) => Some(EnrolmentFacts {
                    offline_hours: r.try_get("offline_hours")?,
                    online_hours: r.try_get("online_hours")?,
                    completion: CompletionResult::from_code(&c)
                        .unwrap_or(CompletionResult::NotFinished),
                }),
                None => None,
            };
            Some(ClassFacts {
                key,
                institution: InstitutionFacts {
                    region: region(&r.try_get::<String, _>("inst_region")?)?,
                    in_catalogue: r.try_get::<i64, _>("in_catalogue")? > 0,
                },
                training_type: r.try_get("training_type")?,
                occupation: occupation(&r.try_get::<String, _>("cl_occ")?)?,
                level: level(r.try_get("cl_level")?),
                site: region(&r.try_get::<String, _>("site_region")?)?,
                site_deep_poverty: r.try_get::<Option<i64>, _>("deep_poverty")?.unwrap_or(0) != 0,
                start: date(&r.try_get::<String, _>("start_date")?)?,
                end: date(&r.try_get::<String, _>("end_date")?)?,
                enrolment,
            })
        }
        None => None,
    };
    let claimant_code: Option<String> = r.try_get("claimant_code")?;
    Ok(StoredClaim {
        person_id: r.try_get("person_id")?,
        facts: ClaimFacts {
            claim_no: r.try_get("claim_no")?,
            subsidy_type: r.try_get("subsidy_type")?,
            applied_on: date(&r.try_get::<String, _>("applied_on")?)?,
            certificate,
            class,
            has_claimant: claimant_code.is_some(),
            months: r.try_get("months")?,
            amount_asked: r.try_get::<Option<i64>, _>("amount_asked_fen")?.map(Fen),
        },
        status: r.try_get("status")?,
        claimant_code,
        institution_code: r.try_get("credit_code")?,
        basis_year: r.try_get("basis_year")?,
        months_paid: r.try_get("months_paid")?,
        veteran_free: r.try_get::<Option<i64>, _>("veteran_free")?.unwrap_or(0) != 0,
        policy_id: r.try_get("policy_id")?,
    })
}

impl crate::Store {
    /// Reads every submitted claim with its evidence, as a decide does, and
    /// decides nothing: the baseline of `jineng bench decide`.
    pub async fn bench_read_claims(&self) -> Result<u64, StoreError> {
        use futures_util::TryStreamExt;
        let sql = format!("{CLAIMS_SELECT} WHERE c.status = 'submitted'");
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(self.pool());
        let mut n = 0;
        while let Some(r) = rows.try_next().await? {
            std::hint::black_box(claim_row(&r)?);
            n += 1;
        }
        Ok(n)
    }
}
