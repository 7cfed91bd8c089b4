//! Claims planted on purpose so that the demo shows the engine's judgement:
//! each case makes a claim the policy refuses under a named rule (R2 a
//! fourth certificate in a year, R3 a repeat, R4 a non-local institution,
//! R5 a pensioner, R8 no group or not completed, R10 past six months, R12
//! too short insured or too late, R14 no group, R17 a second claim for one
//! certificate), or holds for review (a certificate dated before its class
//! ended), beside a few that show a rule passing (an over-age worker
//! without pension, a veteran's free training with allowance, a recently
//! registered business owner). The persons are drawn from the seed among
//! trainees who have no claim yet, so each case stands alone.
//!
//! No case moves a person's 户籍地 out of the jurisdiction (R1's training
//! place): officers' scopes go by 户籍地, and the jurisdiction's batch audit
//! rows would then name a claim its officers may not open.

use super::claims::{allowance, work_training};
use super::classes::{APPRENTICESHIP, WORK_TRAINING, class, enrol, in_class_during, overlaps, ymd};
use super::people::{People, Rng};
use super::world::{Claim, World};
use chrono::{Datelike, Duration, Months, NaiveDate};
use jineng_domain::Sex;
use std::collections::{HashMap, HashSet};

const TRAINING: &str = "职业培训补贴";
/// The state the cases share: who is taken.
pub(crate) struct Planter<'a> {
    pub w: &'a mut World,
    pub rng: &'a mut Rng,
    pub people: &'a mut People,
    /// Persons with a claim or in a case.
    taken: HashSet<usize>,
    /// Persons with exactly one everyday claim and in no case (for R17).
    once: HashSet<usize>,
}

type Case = fn(&mut Planter<'_>) -> bool;

/// The cases, each with how many claims of the everyday ones make one of
/// it (one per 250: a few percent of rejections in all).
const CASES: &[(&str, Case, usize)] = &[
    ("R2 第4张证书", r2_fourth, 250),
    ("R3 重复", r3_repeat, 250),
    ("R4 非本地机构", r4_nonlocal, 250),
    ("R5 领取养老金", r5_pension, 250),
    ("R8 非生活费补贴对象", r8_no_group, 250),
    ("R8 未结业合格", r8_failed, 250),
    ("R10 超过6个月", r10_over_six, 250),
    ("R10 非以工代训对象", r10_no_group, 250),
    ("R12 参保不足", r12_short, 250),
    ("R12 逾期申领", r12_late, 250),
    ("R14 非创业培训对象", r14_no_group, 250),
    ("R17 重复申领", r17_duplicate, 250),
    ("复核：证书早于结业", review_early_cert, 80),
    ("R5 超龄未领养老金", r5_over_age, 400),
    ("R13 退役军人", r13_veteran, 400),
    ("R14 新注册个体工商户", r14_registered, 400),
];

/// Plants every case into `w`, in proportion to its everyday claims.
pub(crate) fn plant(w: &mut World, rng: &mut Rng, people: &mut People) {
    let everyday = w.claims.len();
    let mut count: HashMap<usize, u32> = HashMap::new();
    for c in &w.claims {
        *count.entry(c.person).or_default() += 1;
    }
    let once = count
        .iter()
        .filter(|(_, n)| **n == 1)
        .map(|(p, _)| *p)
        .collect();
    let mut p = Planter {
        w,
        rng,
        people,
        taken: count.into_keys().collect(),
        once,
    };
    for (_, case, per) in CASES {
        for _ in 0..(everyday / per).max(1) {
            case(&mut p);
        }
    }
}

impl Planter<'_> {
    /// A trainee with no claim whose enrolment `fits`, taken for one case.
    fn fresh(&mut self, fits: impl Fn(&World, usize) -> bool) -> Option<(usize, usize)> {
        let n = self.w.enrols.len();
        let start = self.rng.below(n);
        let found = (0..n)
            .map(|i| (start + i) % n)
            .find(|&e| !self.taken.contains(&self.w.enrols[e].person) && fits(self.w, e))?;
        let p = self.w.enrols[found].person;
        self.taken.insert(p);
        Some((p, found))
    }

    /// A fresh trainee certified at a level (职业技能等级证书) in an
    /// institution's class, with the certificate.
    fn certified(&mut self) -> Option<(usize, usize)> {
        for _ in 0..20 {
            let (p, e) = self.fresh(|w, e| {
                let c = &w.classes[w.enrols[e].class];
                w.enrols[e].passed && c.grade > 0 && c.ttype != APPRENTICESHIP
            })?;
            let class = self.w.enrols[e].class;
            let found =
                self.w.certs.iter().position(|k| {
                    k.person == p && k.class == class && k.ctype == "职业技能等级证书"
                });
            if found.is_some() {
                return found.map(|k| (p, k));
            }
        }
        None
    }

    /// A class whose `fits`, chosen from the seed.
    fn class(&mut self, fits: impl Fn(&World, usize) -> bool) -> Option<usize> {
        let n = self.w.classes.len();
        let start = self.rng.below(n);
        (0..n).map(|i| (start + i) % n).find(|&c| fits(self.w, c))
    }

    fn claim(&mut self, stype: &'static str, p: usize, cert: usize, applied: NaiveDate) {
        let class = self.w.certs[cert].class;
        self.w.claims.push(Claim {
            stype,
            person: p,
            cert: Some(cert),
            class: Some(class),
            claimant: None,
            applied,
            months: None,
        });
    }

    fn claim_cert(&mut self, stype: &'static str, p: usize, cert: usize) {
        let applied = self.w.certs[cert].issued + Duration::days(20);
        self.claim(stype, p, cert, applied);
    }

    /// Enrols `p` in class `c` as passed, with its certificate.
    fn train(&mut self, c: usize, p: usize) -> Option<usize> {
        enrol(self.w, self.rng, c, p, true)
    }
}

fn regular(w: &World, c: usize, year: i32) -> bool {
    let c = &w.classes[c];
    c.grade > 0 && c.start.year() == year && !matches!(c.ttype, APPRENTICESHIP | WORK_TRAINING)
}

fn r2_fourth(p: &mut Planter<'_>) -> bool {
    let Some((person, _)) = p.fresh(|_, _| true) else {
        return false;
    };
    let mut chosen: Vec<usize> = Vec::new();
    for _ in 0..200 {
        let Some(c) = p.class(|w, c| regular(w, c, 2019)) else {
            return false;
        };
        let occ = p.w.classes[c].occ;
        // Not a class the person sits at the same time as another.
        let free = !in_class_during(p.w, person, c) && chosen.iter().all(|&o| !overlaps(p.w, o, c));
        if free && chosen.iter().all(|&o| p.w.classes[o].occ != occ) {
            chosen.push(c);
        }
        if chosen.len() == 4 {
            break;
        }
    }
    if chosen.len() < 4 {
        return false;
    }
    chosen.sort_by_key(|&c| p.w.classes[c].end);
    for c in chosen {
        let k = p.train(c, person).expect("a level class certifies");
        p.w.certs[k].ctype = "职业技能等级证书";
        p.w.certs[k].grade = p.w.classes[c].grade;
        p.w.certs[k].issued = ymd(2019, 12, 20).min(p.w.certs[k].issued);
        p.claim_cert(TRAINING, person, k);
    }
    true
}

fn r3_repeat(p: &mut Planter<'_>) -> bool {
    let Some(later) = p.class(|w, c| regular(w, c, 2020)) else {
        return false;
    };
    let (occ, grade) = (p.w.classes[later].occ, p.w.classes[later].grade);
    let Some(earlier) = p.class(|w, c| {
        regular(w, c, 2019) && w.classes[c].occ == occ && w.classes[c].grade == grade
    }) else {
        return false;
    };
    let Some((person, _)) = p.fresh(|w, e| {
        let person = w.enrols[e].person;
        !in_class_during(w, person, earlier) && !in_class_during(w, person, later)
    }) else {
        return false;
    };
    for c in [earlier, later] {
        let k = p.train(c, person).expect("a level class certifies");
        p.w.certs[k].ctype = "职业技能等级证书";
        p.w.certs[k].grade = grade;
        p.claim_cert(TRAINING, person, k);
    }
    true
}

fn r4_nonlocal(p: &mut Planter<'_>) -> bool {
    let Some(inst) = (0..p.w.institutions.len()).find(|&i| {
        let inst = &p.w.institutions[i];
        !matches!(inst.kind.as_str(), "企业" | "评价机构") && !p.w.local(&inst.region)
    }) else {
        return false;
    };
    let site = p.w.region.clone();
    let Some((person, e)) = p.fresh(|_, _| true) else {
        return false;
    };
    let start = p.w.classes[p.w.enrols[e].class].start + Duration::days(45);
    let mut c = class(p.w, p.rng, inst, &site, "就业技能培训", start, 20);
    c.occ = "4-10-01-06";
    p.w.classes.push(c);
    let c = p.w.classes.len() - 1;
    // Not while the person sits another class.
    let mut shift = 0;
    while in_class_during(p.w, person, c) && shift < 20 {
        let k = &mut p.w.classes[c];
        (k.start, k.end) = (k.start + Duration::days(30), k.end + Duration::days(30));
        shift += 1;
    }
    // Registered unemployed: in every demo policy's groups (如东's R1).
    p.w.persons[person].categories = vec![("登记失业人员", ymd(2018, 1, 1))];
    let Some(k) = p.train(c, person) else {
        return false;
    };
    p.w.certs[k].ctype = "专项职业能力证书";
    p.w.certs[k].grade = 0;
    p.claim_cert(TRAINING, person, k);
    true
}

/// Makes `person` a man born in `years` (a new ID number: it carries both).
fn make_older(p: &mut Planter<'_>, person: usize, years: (i32, i32)) {
    loop {
        p.people.reborn(p.rng, &mut p.w.persons[person], years);
        if p.w.persons[person].id.sex() == Sex::Male {
            break;
        }
    }
}

fn r5_pension(p: &mut Planter<'_>) -> bool {
    let Some((person, k)) = p.certified() else {
        return false;
    };
    make_older(p, person, (1950, 1956));
    p.w.persons[person].pension = true;
    p.claim_cert(TRAINING, person, k);
    true
}

fn r5_over_age(p: &mut Planter<'_>) -> bool {
    let Some((person, k)) = p.certified() else {
        return false;
    };
    make_older(p, person, (1952, 1957));
    p.claim_cert(TRAINING, person, k);
    true
}

/// A living-allowance claim for a project-training trainee who `passed`
/// or not, holding only `category`.
fn r8(p: &mut Planter<'_>, passed: bool, category: &'static str) -> bool {
    let Some((person, e)) = p.fresh(|w, e| {
        w.enrols[e].passed == passed && w.classes[w.enrols[e].class].ttype == "项目制培训"
    }) else {
        return false;
    };
    p.w.persons[person].categories = vec![(category, ymd(2018, 1, 1))];
    let c = p.w.enrols[e].class;
    let applied = p.w.classes[c].end + Duration::days(15);
    allowance(p.w, c, person, applied);
    true
}

fn r8_no_group(p: &mut Planter<'_>) -> bool {
    r8(p, true, "企业职工")
}

fn r8_failed(p: &mut Planter<'_>) -> bool {
    r8(p, false, "贫困劳动力")
}

fn work_classes(p: &mut Planter<'_>) -> Vec<usize> {
    (0..p.w.classes.len())
        .filter(|&c| p.w.classes[c].ttype == WORK_TRAINING)
        .collect()
}

fn r10_over_six(p: &mut Planter<'_>) -> bool {
    let mut classes = work_classes(p);
    if classes.len() < 2 {
        return false;
    }
    let first = classes.remove(p.rng.below(classes.len()));
    let from = p.rng.below(classes.len());
    let Some(second) = (0..classes.len())
        .map(|i| classes[(from + i) % classes.len()])
        .find(|&c| !overlaps(p.w, first, c))
    else {
        return false;
    };
    let Some((person, _)) = p.fresh(|w, e| {
        let person = w.enrols[e].person;
        w.classes[w.enrols[e].class].ttype != WORK_TRAINING
            && !in_class_during(w, person, first)
            && !in_class_during(w, person, second)
    }) else {
        return false;
    };
    p.w.persons[person].categories = vec![("贫困劳动力", ymd(2018, 1, 1))];
    let mut pair = [first, second];
    pair.sort_by_key(|&c| p.w.classes[c].end);
    for (c, months) in pair.into_iter().zip([6, 3]) {
        enrol(p.w, p.rng, c, person, true);
        let applied = p.w.classes[c].end + Duration::days(10);
        work_training(p.w, c, person, months, applied);
    }
    true
}

fn r10_no_group(p: &mut Planter<'_>) -> bool {
    let classes = work_classes(p);
    if classes.is_empty() {
        return false;
    }
    let c = classes[p.rng.below(classes.len())];
    let Some((person, _)) = p.fresh(|w, e| !in_class_during(w, w.enrols[e].person, c)) else {
        return false;
    };
    p.w.persons[person].categories = vec![("高校毕业生", ymd(2018, 1, 1))];
    enrol(p.w, p.rng, c, person, true);
    let applied = p.w.classes[c].end + Duration::days(10);
    work_training(p.w, c, person, 4, applied);
    true
}

fn r12(p: &mut Planter<'_>, insured_months: u32, late_months: u32) -> bool {
    let Some((person, k)) = p.certified() else {
        return false;
    };
    p.w.certs[k].ctype = "职业技能等级证书";
    let issued = p.w.certs[k].issued;
    p.w.persons[person].categories = vec![
        ("企业职工", ymd(2015, 1, 1)),
        ("参保职工", issued - Months::new(insured_months)),
    ];
    let applied = issued + Months::new(late_months) + Duration::days(5);
    p.claim("技能提升补贴", person, k, applied);
    true
}

fn r12_short(p: &mut Planter<'_>) -> bool {
    r12(p, 6, 0)
}

fn r12_late(p: &mut Planter<'_>) -> bool {
    r12(p, 36, 14)
}

fn startup(p: &mut Planter<'_>, category: (&'static str, NaiveDate)) -> bool {
    let Some(c) = p.class(|w, c| w.classes[c].ttype == "创业培训") else {
        return false;
    };
    let Some((person, _)) = p.fresh(|w, e| !in_class_during(w, w.enrols[e].person, c)) else {
        return false;
    };
    p.w.persons[person].categories = vec![category];
    let Some(k) = p.train(c, person) else {
        return false;
    };
    p.claim_cert("创业培训补贴", person, k);
    true
}

fn r14_no_group(p: &mut Planter<'_>) -> bool {
    startup(p, ("企业职工", ymd(2016, 1, 1)))
}

fn r14_registered(p: &mut Planter<'_>) -> bool {
    startup(p, ("个体工商户经营者", ymd(2018, 3, 1)))
}

fn r13_veteran(p: &mut Planter<'_>) -> bool {
    let Some((person, k)) = p.certified() else {
        return false;
    };
    p.w.persons[person].categories = vec![("退役军人", ymd(2018, 1, 1))];
    p.claim_cert(TRAINING, person, k);
    let c = p.w.certs[k].class;
    let applied = p.w.classes[c].end + Duration::days(12);
    allowance(p.w, c, person, applied);
    true
}

fn r17_duplicate(p: &mut Planter<'_>) -> bool {
    let n = p.w.claims.len();
    let start = p.rng.below(n);
    let Some(i) = (0..n).map(|i| (start + i) % n).find(|&i| {
        let c = &p.w.claims[i];
        c.stype == TRAINING && c.cert.is_some() && p.once.contains(&c.person)
    }) else {
        return false;
    };
    let c = &p.w.claims[i];
    let copy = Claim {
        claimant: c.class.map(|k| p.w.classes[k].inst),
        applied: c.applied + Duration::days(30),
        ..*c
    };
    p.once.remove(&copy.person);
    p.w.claims.push(copy);
    true
}

fn review_early_cert(p: &mut Planter<'_>) -> bool {
    let Some((person, k)) = p.certified() else {
        return false;
    };
    let end = p.w.classes[p.w.certs[k].class].end;
    p.w.certs[k].issued = end - Duration::days(p.rng.between(2, 6));
    p.claim(TRAINING, person, k, end + Duration::days(15));
    true
}
