//! Institution credit (信用等级评定) and exit (退出): the yearly A/B/C/D
//! rating of training and assessment institutions (001 #17 and #18; 000
//! (九); 003 十五). The rules are data, the `[credit]` section of the
//! supervision file: a base score, points per case found true (by
//! severity), per upheld complaint, per inspection result and per pass-rate
//! band, the lowest score of each grade, and the consequences of a grade
//! (e.g. D: removed from the catalogue from a date; C: no advances).
//! [`rate`] is pure and gives each point with its reason in Chinese.

mod rules;

use chrono::{NaiveDate, TimeDelta};
use serde::Serialize;

pub use rules::{Band, Consequence, CreditRules, RawCredit};

use crate::supervision::{CheckId, Cite, Severity};

/// The four grades, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Grade {
    A,
    B,
    C,
    D,
}

impl Grade {
    pub const ALL: [Grade; 4] = [Grade::A, Grade::B, Grade::C, Grade::D];

    pub fn as_str(self) -> &'static str {
        ["A", "B", "C", "D"][self as usize]
    }

    pub fn parse(s: &str) -> Option<Grade> {
        Grade::ALL.into_iter().find(|g| g.as_str() == s)
    }
}

/// Which institutions are rated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum InstitutionKind {
    /// 培训机构
    Training,
    /// 评价机构
    Assessment,
}

impl InstitutionKind {
    pub fn as_zh(self) -> &'static str {
        match self {
            InstitutionKind::Training => "培训机构",
            InstitutionKind::Assessment => "评价机构",
        }
    }
}

/// A case found true (属实) that names the institution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFound {
    pub case_no: String,
    pub check: CheckId,
    pub severity: Severity,
}

/// An inspection of the institution (双随机) and its recorded result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectionResult {
    pub draw_no: String,
    pub result: String,
}

/// What the year's rating of one institution is computed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatingInputs {
    pub institution: String,
    pub kind: InstitutionKind,
    pub year: i32,
    pub cases_true: Vec<CaseFound>,
    pub complaints_upheld: u32,
    pub inspections: Vec<InspectionResult>,
    /// Trainees (or candidates assessed) in the year, and how many passed.
    pub trainees: u32,
    pub passed: u32,
}

/// One line of a rating: points added or taken, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Point {
    pub delta: i32,
    pub reason: String,
}

/// What a grade entails, dated.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Consequences {
    /// Removed from the approved-institution catalogue from this date
    /// (R1 and R4 then refuse its training).
    pub removed_from: Option<NaiveDate>,
    /// No advance payments (先行拨付).
    pub no_advances: bool,
    pub note: String,
}

/// A rating with its reasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rating {
    pub institution: String,
    pub kind: InstitutionKind,
    pub year: i32,
    pub score: i32,
    pub grade: Grade,
    pub points: Vec<Point>,
    pub consequences: Consequences,
    pub cite: Cite,
    pub rated_on: NaiveDate,
}

fn signed(delta: i32) -> String {
    if delta < 0 {
        format!("扣 {} 分", -delta)
    } else {
        format!("加 {delta} 分")
    }
}

/// Rates one institution for a year, on `rated_on`.
pub fn rate(rules: &CreditRules, inputs: &RatingInputs, rated_on: NaiveDate) -> Rating {
    let mut points = vec![Point {
        delta: rules.base,
        reason: format!("基础分 {}", rules.base),
    }];
    for case in &inputs.cases_true {
        let delta = rules.case_points(case.severity);
        points.push(Point {
            delta,
            reason: format!(
                "线索「{}」（{} {}，{}风险）核查属实，{}",
                case.case_no,
                case.check,
                case.check.title_zh(),
                case.severity.as_zh(),
                signed(delta)
            ),
        });
    }
    if inputs.complaints_upheld > 0 && rules.complaint != 0 {
        let delta = rules.complaint * inputs.complaints_upheld as i32;
        points.push(Point {
            delta,
            reason: format!(
                "投诉属实 {} 件，每件{}，{}",
                inputs.complaints_upheld,
                signed(rules.complaint),
                signed(delta)
            ),
        });
    }
    for i in &inputs.inspections {
        let point = match rules.inspection.get(&i.result) {
            Some(&delta) => Point {
                delta,
                reason: format!(
                    "双随机抽查「{}」结果「{}」，{}",
                    i.draw_no,
                    i.result,
                    signed(delta)
                ),
            },
            None => Point {
                delta: 0,
                reason: format!(
                    "双随机抽查「{}」结果「{}」未列入评级规则，不计分",
                    i.draw_no, i.result
                ),
            },
        };
        points.push(point);
    }
    points.extend(pass_rate_point(rules, inputs));
    let score: i32 = points.iter().map(|p| p.delta).sum();
    let grade = rules.grade(score);
    let consequences = match rules.consequences.get(&grade) {
        Some(c) => Consequences {
            removed_from: c
                .remove_from_catalogue
                .then(|| rated_on + TimeDelta::days(i64::from(c.removal_after_days))),
            no_advances: c.no_advances,
            note: c.note.clone(),
        },
        None => Consequences::default(),
    };
    Rating {
        institution: inputs.institution.clone(),
        kind: inputs.kind,
        year: inputs.year,
        score,
        grade,
        points,
        consequences,
        cite: rules.cite.clone(),
        rated_on,
    }
}

/// The band the year's pass rate falls in (the first, from the top, whose
/// floor it reaches), when enough people were trained to judge.
fn pass_rate_point(rules: &CreditRules, inputs: &RatingInputs) -> Option<Point> {
    if inputs.trainees == 0 || inputs.trainees < rules.pass_rate_min_trainees {
        return None;
    }
    let (n, k) = (
        u64::from(inputs.trainees),
        u64::from(inputs.passed.min(inputs.trainees)),
    );
    let band = rules
        .pass_rate
        .iter()
        .find(|b| k * 100 >= u64::from(b.min_pct) * n)?;
    Some(Point {
        delta: band.points,
        reason: format!(
            "年度合格率 {}%（{}/{}），达到 {}% 档，{}",
            k * 100 / n,
            k,
            n,
            band.min_pct,
            signed(band.points)
        ),
    })
}

#[cfg(test)]
mod tests;
