//! The demo's everyday claims: a share of the certified trainees claim the
//! training subsidy (or, for start-up training, the start-up subsidy; for
//! insured employees the skill-upgrade subsidy), poor labourers in project
//! training their living allowance, enterprises their apprentices and
//! 以工代训 hires. Most trainees need no claim of their own.

use super::classes::{APPRENTICESHIP, WORK_TRAINING};
use super::people::Rng;
use super::world::{Claim, Place, World};
use chrono::{Duration, Months};

const TRAINING: &str = "职业培训补贴";
const INSURED: &str = "参保职工";
const POOR: &str = "贫困劳动力";
/// The groups whose start-up training the demo's institutions claim for
/// (聊城 三/九: the unemployed, graduates, migrant workers, veterans, the
/// poor); the start-up cases of `cases` show the rule's other side.
const STARTUP_GROUPS: &[&str] = &[
    "登记失业人员",
    "高校毕业生",
    "农村转移就业劳动者",
    "退役军人",
    POOR,
];

/// Files the everyday claims; `share` is the percent of certificates that
/// are claimed for.
pub(crate) fn file(w: &mut World, rng: &mut Rng, place: &Place, share: usize) {
    for k in 0..w.certs.len() {
        let (p, ci, issued) = (w.certs[k].person, w.certs[k].class, w.certs[k].issued);
        let c = &w.classes[ci];
        if c.ttype == APPRENTICESHIP || !rng.chance(share) {
            continue;
        }
        let person = &w.persons[p];
        if let Some(groups) = place.claim_groups
            && !groups.iter().any(|g| person.holds(g))
        {
            continue;
        }
        let stype = match c.ttype {
            "创业培训" if !STARTUP_GROUPS.iter().any(|g| person.holds(g)) => continue,
            "创业培训" => "创业培训补贴",
            "项目制培训" => place.project_subsidy.unwrap_or(TRAINING),
            // The skill-upgrade subsidy pays 初级 to 高级 (grades 5 to 3).
            "岗位技能提升培训"
                if (3..=5).contains(&w.certs[k].grade) && person.holds("企业职工") =>
            {
                let since = issued - Months::new(12 * rng.between(2, 6) as u32);
                let person = &mut w.persons[p];
                if !person.holds(INSURED) {
                    person.categories.push((INSURED, since));
                }
                "技能提升补贴"
            }
            _ => TRAINING,
        };
        let claimant = (stype != "技能提升补贴" && rng.chance(60)).then_some(c.inst);
        let applied = issued + Duration::days(rng.between(10, 40));
        w.claims.push(Claim {
            stype,
            person: p,
            cert: Some(k),
            class: Some(ci),
            claimant,
            applied,
            months: None,
        });
        if c.ttype == "项目制培训" && w.persons[p].holds(POOR) {
            allowance(w, ci, p, applied);
        }
    }
    for e in 0..w.enrols.len() {
        let (ci, p) = (w.enrols[e].class, w.enrols[e].person);
        let c = &w.classes[ci];
        match c.ttype {
            APPRENTICESHIP => w.claims.push(Claim {
                stype: "新型学徒制补贴",
                person: p,
                cert: None,
                class: Some(ci),
                claimant: Some(c.inst),
                applied: c.start + Duration::days(20),
                months: None,
            }),
            WORK_TRAINING => {
                let months = ((c.end - c.start).num_days() + 1) / 30;
                let applied = c.end + Duration::days(10);
                let person = &mut w.persons[p];
                if !person.holds(POOR) {
                    person.categories.push((POOR, c.start - Duration::days(90)));
                }
                work_training(w, ci, p, months, applied);
            }
            _ => {}
        }
    }
}

/// A living-allowance claim (生活费补贴) for the person's days in class `ci`.
pub(crate) fn allowance(w: &mut World, ci: usize, p: usize, applied: chrono::NaiveDate) {
    w.claims.push(Claim {
        stype: "生活费补贴",
        person: p,
        cert: None,
        class: Some(ci),
        claimant: None,
        applied,
        months: None,
    });
}

/// An enterprise's 以工代训 claim for `months` of person `p`.
pub(crate) fn work_training(
    w: &mut World,
    ci: usize,
    p: usize,
    months: i64,
    applied: chrono::NaiveDate,
) {
    let inst = w.classes[ci].inst;
    w.claims.push(Claim {
        stype: "以工代训补贴",
        person: p,
        cert: None,
        class: Some(ci),
        claimant: Some(inst),
        applied,
        months: Some(months),
    });
}
