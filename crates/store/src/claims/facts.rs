//! Reading what the engine decides from: for a set of persons, their record
//! (categories, family and the family's categories), every claim with the
//! certificate, class, institution and enrolment it rests on, and the claims
//! that already count as awards.

use std::collections::HashMap;

use chrono::NaiveDate;
use jineng_domain::federation::TagRecord;
use jineng_domain::learning::hours::online_hours as online_hours_of;
use jineng_domain::policy::facts::{
    Award, CatalogueRemoval, CategorySpan, CertificateFacts, ClaimFacts, ClassFacts,
    EnrolmentFacts, ForeignAward, InstitutionFacts, PersonFacts, Relative, VoucherFacts,
};
use jineng_domain::{
    CertificateType, ClaimStatus, CompletionResult, Fen, OccupationCode, RegionCode, RelationKind,
    Sex, SkillLevel,
};
#[cfg(feature = "bench")]
use sqlx::Row;

use crate::StoreError;
use crate::read_rows::{Direct, Failed, Source};
use crate::sql::{GRP, REC, Unpack, Val, packed};

/// One claim as stored, with its evidence.
#[derive(Debug, Clone)]
pub(crate) struct StoredClaim {
    pub person_id: i64,
    pub facts: ClaimFacts,
    pub status: ClaimStatus,
    pub claimant_code: Option<String>,
    pub institution_code: Option<String>,
    pub basis_year: Option<i64>,
    pub months_paid: Option<i64>,
    pub veteran_free: bool,
    pub policy_id: Option<i64>,
    /// The calendar months the decision paid (以工代训).
    pub paid_months: Vec<NaiveDate>,
    /// The policy version the claim was decided under.
    pub policy_version: Option<i64>,
    /// The registered region of the claiming institution or enterprise
    /// (申领单位), when it is registered.
    pub claimant_region: Option<RegionCode>,
}

impl StoredClaim {
    /// The award this claim is, when its decision stands.
    pub fn award(&self) -> Option<Award> {
        // Decisions that stand count towards caps (ClaimStatus::counts_as_award).
        if !self.status.counts_as_award() {
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
            paid_months: self.paid_months.clone(),
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

/// Classes with their institution and site, read once per batch: a city has
/// few classes, and every claim of a class shares them.
#[derive(Debug, Default)]
pub(crate) struct Classes {
    map: HashMap<i64, (ClassFacts, Option<String>)>,
    /// Claimants (申领单位) by credit code: their registered region, None
    /// when not registered. Few, and shared by many claims, like classes.
    claimants: HashMap<String, Option<RegionCode>>,
}

fn date(s: &str) -> Result<NaiveDate, StoreError> {
    s.parse()
        .map_err(|_| StoreError::Corrupt(format!("日期「{s}」格式不对")))
}

/// A stored calendar month ('YYYY-MM') as its first day.
fn month(s: &str) -> Result<NaiveDate, StoreError> {
    date(&format!("{s}-01"))
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

/// The column a packed statement's one value is named.
const PACKED: &str = "packed";

/// The packed values `select` (one `… AS packed` column) reads for `keys`.
async fn packed_rows(
    src: &mut impl Source,
    select: &str,
    key_column: &str,
    keys: &[Val],
) -> Result<Vec<String>, StoreError> {
    src.select_in(select, key_column, keys, |r| r.text(PACKED))
        .await
}

/// Loads the persons and all their claims through the pool's driver (a
/// decide's reads run on its write transaction); classes not yet in
/// `classes` are read and kept there.
pub(crate) async fn load(
    conn: &mut sqlx::AnyConnection,
    person_ids: &[i64],
    classes: &mut Classes,
) -> Result<Loaded, StoreError> {
    load_from(conn, person_ids, classes).await
}

/// [`load`] through rusqlite on one of the store's read connections to its
/// SQLite file: the same statements and conversions.
pub(crate) fn load_direct(
    conn: &rusqlite::Connection,
    person_ids: &[i64],
    classes: &mut Classes,
) -> Result<Loaded, Failed> {
    Direct::run(conn, async |d| load_from(d, person_ids, classes).await)
}

/// Each person comes back as one packed row: their fields, their category
/// spans and their claims with evidence, so a chunk is one statement and
/// one value per person.
async fn load_from(
    src: &mut impl Source,
    person_ids: &[i64],
    classes: &mut Classes,
) -> Result<Loaded, StoreError> {
    let keys: Vec<Val> = person_ids.iter().map(|p| Val::int(*p)).collect();
    let backend = src.backend();
    let mut out = Loaded::default();
    let select = format!(
        "SELECT concat_ws('{GRP}', {}, \
           COALESCE((SELECT {} FROM person_categories pc WHERE pc.person_id = p.person_id), ''), \
           COALESCE((SELECT {} FROM claims c {CLAIM_JOINS} WHERE c.person_id = p.person_id), ''), \
           COALESCE((SELECT {} FROM federation_tags ft WHERE ft.person_id = p.person_id), '')) \
         AS {PACKED} FROM persons p",
        packed(&[
            "p.person_id",
            "p.birth_date",
            "p.sex",
            "p.receives_pension",
            "p.hukou_region",
            "p.residence_region",
            "p.job_region"
        ]),
        backend.agg(&packed(&CATEGORY_FIELDS), REC),
        backend.agg(&packed(&CLAIM_FIELDS), REC),
        backend.agg(&packed(&TAG_FIELDS), REC),
    );
    let raw = packed_rows(src, &select, "p.person_id", &keys).await?;
    let claim_rows = || {
        raw.iter()
            .filter_map(|r| r.split(GRP).nth(2))
            .flat_map(|list| list.split(REC))
            .filter(|c| !c.is_empty())
    };
    classes.fetch_missing(src, claim_rows()).await?;
    classes.fetch_claimants(src, claim_rows()).await?;
    for row in &raw {
        let mut sections = row.split(GRP);
        let mut f = Unpack::new(sections.next().unwrap_or_default());
        let pid = f.int()?;
        let mut categories = Vec::new();
        for span in sections.next().unwrap_or_default().split(REC) {
            if !span.is_empty() {
                categories.push(category_span(&mut Unpack::new(span))?);
            }
        }
        out.persons.insert(
            pid,
            PersonFacts {
                birth_date: date(f.text()?)?,
                sex: if f.text()? == "女" {
                    Sex::Female
                } else {
                    Sex::Male
                },
                receives_pension: f.int()? != 0,
                hukou: region(f.text()?)?,
                residence: f.opt().map(region).transpose()?,
                job: f.opt().map(region).transpose()?,
                categories,
                family: Vec::new(),
                paid_elsewhere: Vec::new(),
            },
        );
        let mut list = Vec::new();
        for c in sections.next().unwrap_or_default().split(REC) {
            if !c.is_empty() {
                list.push(claim_row(c, classes)?);
            }
        }
        if let Some(p) = out.persons.get_mut(&pid) {
            for t in sections.next().unwrap_or_default().split(REC) {
                if !t.is_empty() {
                    p.paid_elsewhere.push(tag_row(&mut Unpack::new(t))?);
                }
            }
        }
        list.sort_by(|a, b| a.facts.claim_no.cmp(&b.facts.claim_no));
        if !list.is_empty() {
            out.claims.insert(pid, list);
        }
    }
    family(src, &keys, &mut out.persons).await?;
    Ok(out)
}

const CATEGORY_FIELDS: [&str; 3] = ["category", "valid_from", "valid_to"];

/// Another deployment's paid subsidy matched to the person (federation
/// tags), as [`tag_row`] reads it.
const TAG_FIELDS: [&str; 7] = [
    "ft.deployment",
    "ft.subsidy_type",
    "ft.year",
    "ft.occupation",
    "ft.level",
    "ft.first_month",
    "ft.months",
];

fn tag_row(f: &mut Unpack<'_>) -> Result<ForeignAward, StoreError> {
    Ok(TagRecord {
        tag: String::new(),
        deployment: f.text()?.to_string(),
        subsidy_type: f.text()?.to_string(),
        year: f.int()? as i32,
        occupation: f.opt().map(str::to_string),
        level: f.opt().map(str::to_string),
        first_month: f.opt().map(str::to_string),
        months: f.opt_int()?.and_then(|m| u32::try_from(m).ok()),
        fund: String::new(),
    }
    .as_award())
}

fn category_span(f: &mut Unpack<'_>) -> Result<CategorySpan, StoreError> {
    Ok(CategorySpan {
        category: f.text()?.into(),
        from: date(f.text()?)?,
        to: f.opt().map(date).transpose()?,
    })
}

async fn categories(
    src: &mut impl Source,
    keys: &[Val],
) -> Result<HashMap<i64, Vec<CategorySpan>>, StoreError> {
    let mut out: HashMap<i64, Vec<CategorySpan>> = HashMap::new();
    let mut fields = vec!["person_id"];
    fields.extend(CATEGORY_FIELDS);
    let select = format!(
        "SELECT {} AS {PACKED} FROM person_categories",
        packed(&fields)
    );
    for row in packed_rows(src, &select, "person_id", keys).await? {
        let mut f = Unpack::new(&row);
        out.entry(f.int()?)
            .or_default()
            .push(category_span(&mut f)?);
    }
    Ok(out)
}

async fn family(
    src: &mut impl Source,
    keys: &[Val],
    persons: &mut HashMap<i64, PersonFacts>,
) -> Result<(), StoreError> {
    let links: Vec<(i64, i64, RelationKind)> = src
        .select_in(
            "SELECT person_id, relative_id, relation FROM family_relations",
            "person_id",
            keys,
            |r| {
                let Some(kind) = RelationKind::from_code(&r.text("relation")?) else {
                    return Ok(None);
                };
                Ok(Some((r.int("person_id")?, r.int("relative_id")?, kind)))
            },
        )
        .await?
        .into_iter()
        .flatten()
        .collect();
    if links.is_empty() {
        return Ok(());
    }
    let rel_keys: Vec<Val> = links.iter().map(|(_, r, _)| Val::int(*r)).collect();
    let spans = categories(src, &rel_keys).await?;
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

/// The evidence joined to a claim `c`; the class comes from [`Classes`].
const CLAIM_JOINS: &str = "LEFT JOIN certificates ce ON ce.person_id = c.person_id \
      AND ce.cert_no = c.cert_no AND (c.cert_type IS NULL OR ce.cert_type = c.cert_type) \
    LEFT JOIN enrolments e ON e.person_id = c.person_id \
      AND e.class_id = COALESCE(c.class_id, ce.class_id)";

/// A claim with its certificate and enrolment, as [`claim_row`] reads it.
const CLAIM_FIELDS: [&str; 29] = [
    "c.person_id",
    "c.claim_no",
    "c.subsidy_type",
    "c.applied_on",
    "c.months",
    "c.amount_asked_fen",
    "c.claimant_code",
    "c.status",
    "c.basis_year",
    "c.months_paid",
    "c.veteran_free",
    "c.policy_id",
    "COALESCE(c.class_id, ce.class_id)",
    "ce.cert_type",
    "ce.cert_no",
    "ce.occupation_code",
    "ce.skill_level",
    "ce.issue_date",
    // A revoked certificate earns nothing (R1, R12: `Ctx::certificate`).
    "ce.revoked_on",
    "e.offline_hours",
    "e.online_hours",
    "e.completion",
    "c.period_from",
    "c.period_to",
    "c.paid_months",
    "c.policy_version",
    // The minutes learning platforms reported for the enrolment: when
    // set, the online hours instead of the roster's column (docs/learning.md).
    "e.platform_minutes",
    // The voucher redeemed for the claim's training (docs/vouchers.md).
    VOUCHER_NO,
    VOUCHER_FACE,
];

/// The voucher the person redeemed for the claim's class, of the claim's
/// subsidy type: its number and face value.
const VOUCHER_NO: &str = "(SELECT v.voucher_no FROM vouchers v WHERE v.class_id = COALESCE(c.class_id, ce.class_id) \
     AND v.person_id = c.person_id AND v.subsidy_type = c.subsidy_type AND v.status = 'used')";
const VOUCHER_FACE: &str = "(SELECT v.face_fen FROM vouchers v WHERE v.class_id = COALESCE(c.class_id, ce.class_id) \
     AND v.person_id = c.person_id AND v.subsidy_type = c.subsidy_type AND v.status = 'used')";

/// The class id of a packed claim row (its 13th field).
fn class_of(row: &str) -> Option<i64> {
    row.split(crate::sql::SEP)
        .nth(12)
        .and_then(|f| f.parse().ok())
}

/// The claimant's credit code of a packed claim row (its 7th field).
fn claimant_of(row: &str) -> Option<&str> {
    row.split(crate::sql::SEP).nth(6).filter(|f| !f.is_empty())
}

/// The keys packed claim rows name that are not `known` yet, sorted and
/// deduplicated.
fn unknown<'r, K: Ord>(
    rows: impl Iterator<Item = &'r str>,
    key: impl Fn(&'r str) -> Option<K>,
    known: impl Fn(&K) -> bool,
) -> Vec<K> {
    let mut out: Vec<K> = rows.filter_map(key).filter(|k| !known(k)).collect();
    out.sort_unstable();
    out.dedup();
    out
}

impl Classes {
    /// Reads the registered region of the claimants not yet known.
    async fn fetch_claimants<'r>(
        &mut self,
        src: &mut impl Source,
        rows: impl Iterator<Item = &'r str>,
    ) -> Result<(), StoreError> {
        let missing = unknown(rows, claimant_of, |k| self.claimants.contains_key(*k));
        if missing.is_empty() {
            return Ok(());
        }
        let keys: Vec<Val> = missing.iter().map(|k| Val::text(*k)).collect();
        let found = src
            .select_in(
                "SELECT credit_code, region_code FROM institutions",
                "credit_code",
                &keys,
                |r| Ok((r.text("credit_code")?, region(&r.text("region_code")?)?)),
            )
            .await?;
        for (code, at) in found {
            self.claimants.insert(code, Some(at));
        }
        for k in missing {
            self.claimants.entry(k.to_string()).or_insert(None);
        }
        Ok(())
    }

    async fn fetch_missing<'r>(
        &mut self,
        src: &mut impl Source,
        rows: impl Iterator<Item = &'r str>,
    ) -> Result<(), StoreError> {
        let missing = unknown(rows, class_of, |k| self.map.contains_key(k));
        if missing.is_empty() {
            return Ok(());
        }
        let keys: Vec<Val> = missing.iter().map(|k| Val::int(*k)).collect();
        let select = format!(
            "SELECT {} AS {PACKED} FROM classes cl \
             JOIN institutions i ON i.institution_id = cl.institution_id \
             LEFT JOIN regions r ON r.code = cl.site_region",
            packed(&[
                "cl.class_id",
                "cl.training_type",
                "cl.occupation_code",
                "cl.skill_level",
                "cl.site_region",
                "cl.start_date",
                "cl.end_date",
                "i.credit_code",
                "i.region_code",
                "(SELECT COUNT(*) FROM institution_catalogue ic \
                  WHERE ic.institution_id = cl.institution_id AND ic.valid_from <= cl.start_date \
                  AND (ic.valid_to IS NULL OR ic.valid_to >= cl.start_date))",
                "r.deep_poverty",
                "cl.planned_hours",
                "cl.in_plan",
                // A credit rating's removal from the catalogue: the earliest.
                "(SELECT cr.removed_from FROM credit_ratings cr WHERE cr.institution_code = i.credit_code \
                  AND cr.removed_from IS NOT NULL ORDER BY cr.removed_from, cr.year LIMIT 1)",
                "(SELECT cr.year FROM credit_ratings cr WHERE cr.institution_code = i.credit_code \
                  AND cr.removed_from IS NOT NULL ORDER BY cr.removed_from, cr.year LIMIT 1)",
                "(SELECT cr.grade FROM credit_ratings cr WHERE cr.institution_code = i.credit_code \
                  AND cr.removed_from IS NOT NULL ORDER BY cr.removed_from, cr.year LIMIT 1)",
            ])
        );
        for row in packed_rows(src, &select, "cl.class_id", &keys).await? {
            let mut f = Unpack::new(&row);
            let key = f.int()?;
            let training_type = f.text()?.to_string();
            let occ = occupation(f.text()?)?;
            let lvl = level(f.opt_int()?);
            let site = region(f.text()?)?;
            let start = date(f.text()?)?;
            let end = date(f.text()?)?;
            let credit_code = f.opt().map(str::to_string);
            let inst_region = region(f.text()?)?;
            let in_catalogue = f.int()? > 0;
            let deep_poverty = f.opt_int()?.unwrap_or(0) != 0;
            let planned_hours = f.opt_int()?.unwrap_or(0);
            let in_plan = f.opt_int()?.map(|v| v != 0);
            let removed_from = f.opt().map(date).transpose()?;
            let rating_year = f.opt_int()?;
            let grade = f.opt().unwrap_or_default().to_string();
            let removed = match (removed_from, rating_year, &credit_code) {
                (Some(from), Some(year), Some(code)) => Some(CatalogueRemoval {
                    institution: code.clone(),
                    year: year as i32,
                    grade,
                    from,
                }),
                _ => None,
            };
            let facts = ClassFacts {
                key,
                institution: InstitutionFacts {
                    region: inst_region,
                    in_catalogue,
                    removed,
                },
                training_type,
                occupation: occ,
                level: lvl,
                site,
                site_deep_poverty: deep_poverty,
                start,
                end,
                enrolment: None,
                planned_hours,
                in_plan,
            };
            self.map.insert(key, (facts, credit_code));
        }
        Ok(())
    }
}

fn claim_row(row: &str, classes: &Classes) -> Result<StoredClaim, StoreError> {
    let mut f = Unpack::new(row);
    let person_id = f.int()?;
    let claim_no = f.text()?.to_string();
    let subsidy_type = f.text()?.to_string();
    let applied_on = date(f.text()?)?;
    let months = f.opt_int()?;
    let amount_asked = f.opt_int()?.map(Fen);
    let claimant_code = f.opt().map(str::to_string);
    let status = super::stored_status(f.text()?)?;
    let basis_year = f.opt_int()?;
    let months_paid = f.opt_int()?;
    let veteran_free = f.opt_int()?.unwrap_or(0) != 0;
    let policy_id = f.opt_int()?;
    let class_id = f.opt_int()?;
    let certificate = match f.opt() {
        Some(t) => Some(CertificateFacts {
            cert_type: CertificateType::from_code(t)
                .ok_or_else(|| StoreError::Corrupt(format!("证书类型「{t}」")))?,
            cert_no: f.text()?.to_string(),
            occupation: occupation(f.text()?)?,
            level: level(f.opt_int()?),
            issue_date: date(f.text()?)?,
            revoked_on: f.opt().map(date).transpose()?,
        }),
        None => {
            for _ in 0..5 {
                f.opt();
            }
            None
        }
    };
    let offline_hours = f.opt_int()?;
    let online_hours = f.opt_int()?;
    let completion = f.opt();
    let period_from = f.opt().map(month).transpose()?;
    let period_to = f.opt().map(month).transpose()?;
    let paid_months = f
        .opt()
        .map(|list| list.split(',').map(month).collect::<Result<Vec<_>, _>>())
        .transpose()?
        .unwrap_or_default();
    let policy_version = f.opt_int()?;
    let platform_minutes = f.opt_int()?;
    let enrolment = completion.map(|c| EnrolmentFacts {
        offline_hours: offline_hours.unwrap_or(0),
        online_hours: online_hours_of(online_hours.unwrap_or(0), platform_minutes).hours,
        completion: CompletionResult::from_code(c).unwrap_or(CompletionResult::NotFinished),
    });
    let voucher_no = f.opt().map(str::to_string);
    let voucher = voucher_no
        .zip(f.opt_int()?)
        .map(|(voucher_no, face)| VoucherFacts {
            voucher_no,
            face: Fen(face),
        });
    let claimant_region = claimant_code
        .as_ref()
        .and_then(|k| classes.claimants.get(k).cloned().flatten());
    let (class, institution_code) = match class_id.and_then(|k| classes.map.get(&k)) {
        Some((facts, credit_code)) => (
            Some(ClassFacts {
                enrolment,
                ..facts.clone()
            }),
            credit_code.clone(),
        ),
        None => (None, None),
    };
    Ok(StoredClaim {
        person_id,
        facts: ClaimFacts {
            voucher,
            claim_no,
            subsidy_type,
            applied_on,
            certificate,
            class,
            has_claimant: claimant_code.is_some(),
            months,
            amount_asked,
            period: period_from.zip(period_to),
        },
        status,
        claimant_code,
        institution_code,
        basis_year,
        months_paid,
        veteran_free,
        policy_id,
        paid_months,
        policy_version,
        claimant_region,
    })
}

impl crate::Store {
    /// Reads every submitted claim with its evidence, as a decide does, and
    /// decides nothing: the baseline of `jineng bench decide`.
    #[cfg(feature = "bench")]
    pub async fn bench_read_claims(&self) -> Result<u64, StoreError> {
        use futures_util::TryStreamExt;
        let mut conn = self.pool().acquire().await?;
        let mut classes = Classes::default();
        let sql = format!(
            "SELECT {} FROM claims c {CLAIM_JOINS} WHERE c.status = '{}'",
            packed(&CLAIM_FIELDS),
            ClaimStatus::Submitted.code()
        );
        let mut raw = Vec::new();
        {
            let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(&mut *conn);
            while let Some(r) = rows.try_next().await? {
                raw.push(r.try_get::<String, _>(0)?);
            }
        }
        classes
            .fetch_missing(&mut *conn, raw.iter().map(String::as_str))
            .await?;
        classes
            .fetch_claimants(&mut *conn, raw.iter().map(String::as_str))
            .await?;
        for row in &raw {
            std::hint::black_box(claim_row(row, &classes)?);
        }
        Ok(raw.len() as u64)
    }
}
