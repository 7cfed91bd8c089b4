//! What the policy tests share: the repository's policy files and reference
//! data, a loader over in-memory files, a small test policy and the checks
//! of a refused file's error, and builders for the engine's facts.
#![allow(dead_code)]

use std::collections::HashMap;

use chrono::NaiveDate;
use jineng_domain::policy::engine::Decision;
use jineng_domain::policy::facts::{
    CategorySpan, CertificateFacts, ClaimFacts, ClassFacts, EnrolmentFacts, InstitutionFacts,
    PersonFacts, Relative,
};
use jineng_domain::policy::trace::{self, RenderCtx};
use jineng_domain::policy::{self, Policy, PolicyError};
use jineng_domain::refdata::RefData;
use jineng_domain::{
    CertificateType, CompletionResult, OccupationCode, RegionCode, RelationKind, Sex, SkillLevel,
};

fn repo_path(rel: &str) -> String {
    format!("{}/../../{rel}", env!("CARGO_MANIFEST_DIR"))
}

pub fn policy_text(name: &str) -> String {
    std::fs::read_to_string(repo_path(&format!("policies/{name}"))).unwrap()
}

/// One CSV line into fields: quoted fields may hold commas and `""`.
fn csv_fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    out.push(field);
    out
}

fn csv_rows(rel: &str) -> Vec<Vec<String>> {
    std::fs::read_to_string(repo_path(rel))
        .unwrap()
        .trim_start_matches('\u{feff}')
        .lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(csv_fields)
        .collect()
}

/// The repository's reference data (`reference/`), read as the store reads
/// it: 6-digit region codes, level-4 occupations with their marks split off,
/// the vocabularies.
pub fn refdata() -> RefData {
    let mut r = RefData::default();
    for row in csv_rows("reference/division_provinces.csv") {
        r.provinces.insert(row[0].clone());
        r.regions.insert(format!("{}0000", row[0]), row[1].clone());
    }
    for row in csv_rows("reference/division_cities.csv") {
        r.regions.insert(format!("{}00", row[0]), row[1].clone());
    }
    for row in csv_rows("reference/division_areas.csv") {
        r.regions.insert(row[0].clone(), row[1].clone());
    }
    for row in csv_rows("reference/occupation_csco22.csv") {
        if row[0] == "4" {
            let raw = row[3].as_str();
            let name = raw
                .strip_suffix("L/S")
                .or_else(|| raw.strip_suffix('L'))
                .or_else(|| raw.strip_suffix('S'))
                .unwrap_or(raw)
                .to_string();
            r.occupations.insert(row[1].clone(), name);
        }
    }
    let mut vocab: HashMap<String, Vec<String>> = HashMap::new();
    for row in csv_rows("reference/vocabulary.csv") {
        vocab
            .entry(row[0].clone())
            .or_default()
            .push(row[1].clone());
    }
    r.vocab = vocab;
    r
}

/// Loads `files[0]` (and what it extends) from in-memory texts.
pub fn load_with(files: &[(&str, &str)], refdata: &RefData) -> Result<Policy, PolicyError> {
    let mut read = |name: &str| {
        files
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| t.to_string())
            .ok_or_else(|| "没有该文件".to_string())
    };
    policy::load(files[0].0, &mut read, refdata).map(|(p, _)| p)
}

pub fn load_text(files: &[(&str, &str)]) -> Result<Policy, PolicyError> {
    load_with(files, &RefData::default())
}

/// The head of a small test policy file, before its rules.
pub const HEAD: &str = r#"[policy]
id = "t"
title = "测试政策"
doc_no = "测试〔2019〕1号"
region = "620500"
valid_from = "2019-01-01"
"#;

/// R1 (职业培训补贴) as a test policy writes it after `HEAD`.
pub const R1: &str = r#"
[rules.R1]
clause = "十"
subsidy_type = "职业培训补贴"
cert_types = ["职业资格证书", "职业技能等级证书"]
place_level = "市"
"#;

/// The 1-based line of the only line of `text` containing `needle`.
pub fn line_of(text: &str, needle: &str) -> usize {
    let hits: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains(needle))
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(hits.len(), 1, "「{needle}」 should occur once in:\n{text}");
    hits[0]
}

/// A policy error names `file` and `line`, says every key word, and reads
/// 政策文件「file」第 line 行：….
pub fn assert_error(e: &PolicyError, file: &str, line: usize, words: &[&str]) {
    assert_eq!(e.file, file, "{e}");
    assert_eq!(e.line, Some(line), "{e}");
    for w in words {
        assert!(e.message.contains(w), "「{w}」 not in: {e}");
    }
    assert!(
        e.to_string()
            .starts_with(&format!("政策文件「{file}」第 {line} 行：")),
        "{e}"
    );
}

/// A demo policy of the repository, checked against the reference data.
pub fn repo_policy(name: &str) -> Policy {
    let text = policy_text(name);
    load_with(&[(name, &text)], &refdata()).unwrap_or_else(|e| panic!("{e}"))
}

pub fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

pub fn region(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

pub fn occ(s: &str) -> OccupationCode {
    OccupationCode::parse(s).unwrap()
}

pub fn level(s: &str) -> Option<SkillLevel> {
    Some(SkillLevel::parse(s).unwrap())
}

/// A category held from `from` on.
pub fn cat(name: &str, from: &str) -> CategorySpan {
    CategorySpan {
        category: name.to_string(),
        from: d(from),
        to: None,
    }
}

/// A man born in 1985, registered, living and seeking work in `home`,
/// drawing no pension, with the given categories.
pub fn person(home: &str, categories: Vec<CategorySpan>) -> PersonFacts {
    PersonFacts {
        birth_date: d("1985-06-15"),
        sex: Sex::Male,
        receives_pension: false,
        hukou: region(home),
        residence: Some(region(home)),
        job: None,
        categories,
        family: Vec::new(),
        paid_elsewhere: Vec::new(),
    }
}

pub fn relative(relation: RelationKind, categories: Vec<CategorySpan>) -> Relative {
    Relative {
        relation,
        categories,
    }
}

/// A class given by an institution of `site` that is in the catalogue, the
/// person enrolled and passed.
pub fn class(
    key: i64,
    site: &str,
    training_type: &str,
    occupation: &str,
    start: &str,
    end: &str,
) -> ClassFacts {
    ClassFacts {
        key,
        institution: InstitutionFacts {
            region: region(site),
            in_catalogue: true,
            removed: None,
        },
        training_type: training_type.to_string(),
        occupation: occ(occupation),
        level: None,
        site: region(site),
        site_deep_poverty: false,
        start: d(start),
        end: d(end),
        enrolment: Some(EnrolmentFacts {
            offline_hours: 80,
            online_hours: 0,
            completion: CompletionResult::Passed,
        }),
        planned_hours: 0,
        in_plan: None,
    }
}

pub fn cert(
    cert_type: CertificateType,
    no: &str,
    occupation: &str,
    lvl: Option<SkillLevel>,
    issued: &str,
) -> CertificateFacts {
    CertificateFacts {
        cert_type,
        cert_no: no.to_string(),
        occupation: occ(occupation),
        level: lvl,
        issue_date: d(issued),
        revoked_on: None,
    }
}

/// A claim with nothing attached yet.
pub fn claim(no: &str, subsidy_type: &str, applied_on: &str) -> ClaimFacts {
    ClaimFacts {
        voucher: None,
        claim_no: no.to_string(),
        subsidy_type: subsidy_type.to_string(),
        applied_on: d(applied_on),
        certificate: None,
        class: None,
        has_claimant: false,
        months: None,
        amount_asked: None,
        period: None,
    }
}

/// A certificate-subsidy claim (职业培训补贴) with the class it came from.
pub fn cert_claim(no: &str, certificate: CertificateFacts, class: ClassFacts) -> ClaimFacts {
    let applied = certificate
        .issue_date
        .checked_add_days(chrono::Days::new(10))
        .unwrap();
    ClaimFacts {
        voucher: None,
        certificate: Some(certificate),
        class: Some(class),
        applied_on: applied,
        ..claim(no, "职业培训补贴", "2000-01-01")
    }
}

/// The trace rendered line by line, as the officer reads it.
pub fn rendered(p: &Policy, c: &ClaimFacts, dec: &Decision, occupation: &str) -> Vec<String> {
    let ctx = RenderCtx {
        subsidy_type: &c.subsidy_type,
        occupation,
        level: c.level(),
        cert_type: c.certificate.as_ref().map(|x| x.cert_type),
    };
    dec.trace
        .iter()
        .map(|l| trace::render_line(l, p, &ctx))
        .collect()
}
