//! The demo's training: institutions and enterprises, the classes of each
//! county and year sized to its training volume, the trainees who fill
//! them (30–60 a class), their results and certificates.

use super::people::{People, Rng};
use super::world::{Cert, Class, Enrol, Inst, Place, World};
use chrono::{Duration, NaiveDate};
use jineng_domain::CreditCode;
use std::collections::{HashMap, HashSet};

/// (occupation code, levels offered: grades 5..1)
pub(crate) const OCCUPATIONS: &[(&str, &[u8])] = &[
    ("4-10-01-06", &[5, 4, 3]),
    ("4-10-01-05", &[5, 4, 3]),
    ("4-10-01-03", &[5, 4]),
    ("4-07-05-01", &[5, 4]),
    ("4-01-06-01", &[4, 3]),
    ("4-12-01-01", &[5, 4, 3, 2]),
    ("6-31-01-03", &[5, 4, 3, 2]),
    ("4-03-02-01", &[5, 4, 3]),
    ("4-03-02-02", &[5, 4, 3]),
    ("6-18-02-04", &[5, 4, 3]),
];
/// Occupations with a 专项职业能力 item in the demo catalogues.
const SPECIAL: &[&str] = &["4-10-01-06", "4-10-01-05", "4-03-02-02", "4-01-06-01"];
/// Training types of the institutions' classes, with their share in percent.
const TRAINING_TYPES: &[(&str, usize)] = &[
    ("就业技能培训", 40),
    ("岗位技能提升培训", 25),
    ("项目制培训", 20),
    ("创业培训", 15),
];
pub(crate) const APPRENTICESHIP: &str = "新型学徒制";
pub(crate) const WORK_TRAINING: &str = "以工代训";
/// Seats in the institutions' classes per enterprise class of each kind
/// (apprenticeship, 以工代训) in a year.
const SEATS_PER_ENTERPRISE_CLASS: i64 = 2500;

pub(crate) fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub(crate) fn credit_code(rng: &mut Rng, kind: &str, region: &str) -> CreditCode {
    const ALPHA: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let head = if kind.contains("院校") {
        "12"
    } else if kind == "企业" || kind == "企业培训中心" {
        "91"
    } else {
        "52"
    };
    let mut body = format!("{head}{region}");
    while body.len() < 17 {
        body.push(ALPHA[rng.below(ALPHA.len())] as char);
    }
    CreditCode::from_body(&body)
}

/// The place's institutions (`name,kind,region,account,bank` rows).
pub(crate) fn institutions(rng: &mut Rng, csv_text: &str) -> Vec<Inst> {
    csv::Reader::from_reader(csv_text.as_bytes())
        .records()
        .map(|r| {
            let r = r.expect("demo institutions CSV");
            Inst {
                name: r[0].to_string(),
                code: credit_code(rng, &r[1], &r[2]),
                kind: r[1].to_string(),
                region: r[2].to_string(),
                account: r.get(3).unwrap_or_default().to_string(),
                bank: r.get(4).unwrap_or_default().to_string(),
            }
        })
        .collect()
}

fn pick_type(rng: &mut Rng) -> &'static str {
    let mut roll = rng.below(100);
    for (t, share) in TRAINING_TYPES {
        if roll < *share {
            return t;
        }
        roll -= share;
    }
    TRAINING_TYPES[0].0
}

/// A class of `inst` at `site` in `year` (or from `start`, `days` long).
pub(crate) fn class(
    w: &World,
    rng: &mut Rng,
    inst: usize,
    site: &str,
    ttype: &'static str,
    start: NaiveDate,
    days: i64,
) -> Class {
    let &(occ, levels) = rng.pick(OCCUPATIONS);
    let grade = if ttype == "创业培训" || ttype == WORK_TRAINING {
        0
    } else {
        *rng.pick(levels)
    };
    Class {
        no: format!("{}{}{:05}", w.key, start.format("%Y"), w.classes.len() + 1),
        inst,
        ttype,
        occ,
        grade,
        site: site.to_string(),
        start,
        end: start + Duration::days(days - 1),
        // No more than a full day of 8 hours for each day of the class.
        hours: (40 + 8 * rng.below(20) as i64).min(8 * days),
        teacher: None,
    }
}

/// Plans the classes of every area and year (sizes beside them): the
/// area's volume times the year's share times `scale`, in classes of 30–60;
/// plus the enterprises' apprenticeship and 以工代训 groups of 10–30.
pub(crate) fn plan(w: &mut World, rng: &mut Rng, place: &Place, scale: f64) -> Vec<usize> {
    let trainers: Vec<usize> = (0..w.institutions.len())
        .filter(|&i| !matches!(w.institutions[i].kind.as_str(), "评价机构" | "企业"))
        .collect();
    let firms: Vec<usize> = (0..w.institutions.len())
        .filter(|&i| w.institutions[i].kind == "企业")
        .collect();
    let mut sizes = Vec::new();
    // Each area's pace against its target, fixed for the seed (78–112 %:
    // the enterprises' groups and the planted cases come on top): some
    // counties ahead, some behind.
    let pace: Vec<f64> = place
        .areas
        .iter()
        .map(|_| 0.78 + rng.below(35) as f64 / 100.0)
        .collect();
    for &(year, pct) in place.years {
        let mut seats = 0;
        for ((site, volume), pace) in place.areas.iter().zip(&pace) {
            let local: Vec<usize> = trainers
                .iter()
                .copied()
                .filter(|&i| &w.institutions[i].region == site)
                .collect();
            let pool = if local.is_empty() { &trainers } else { &local };
            let mut left = (*volume as f64 * pace * pct as f64 / 100.0 * scale).round() as i64;
            seats += left;
            while left > 0 {
                let size = if left <= 60 {
                    left
                } else {
                    rng.between(30, 60).min(left - 30)
                };
                left -= size;
                let start = ymd(year, 1, 10) + Duration::days(rng.below(300) as i64);
                let (inst, ttype, days) = (*rng.pick(pool), pick_type(rng), rng.between(10, 40));
                let c = class(w, rng, inst, site, ttype, start, days);
                w.classes.push(c);
                sizes.push(size as usize);
            }
        }
        if !firms.is_empty() {
            let n = (seats / SEATS_PER_ENTERPRISE_CLASS).max(1);
            let last = place.years.last().map_or(year, |y| y.0);
            enterprise_classes(w, rng, &firms, (year, last), n, &mut sizes);
        }
    }
    sizes
}

/// `n` apprenticeship and `n` 以工代训 groups of 10–30 at the enterprises
/// in `year`. Apprenticeships last one or two years and end by the `last`
/// year of the programme (its policy's term): none start in that year.
fn enterprise_classes(
    w: &mut World,
    rng: &mut Rng,
    firms: &[usize],
    (year, last): (i32, i32),
    n: i64,
    sizes: &mut Vec<usize>,
) {
    for ttype in [APPRENTICESHIP, WORK_TRAINING] {
        let years_left = i64::from(last - year);
        if ttype == APPRENTICESHIP && years_left < 1 {
            continue;
        }
        for _ in 0..n {
            let firm = *rng.pick(firms);
            let site = w.institutions[firm].region.clone();
            let start = ymd(year, 3, 1) + Duration::days(rng.below(180) as i64);
            let days = if ttype == APPRENTICESHIP {
                365 * rng.between(1, years_left.min(2))
            } else {
                30 * rng.between(3, 8)
            };
            let c = class(w, rng, firm, &site, ttype, start, days);
            w.classes.push(c);
            sizes.push(rng.between(10, 30) as usize);
        }
    }
}

/// Fills the planned classes with `persons` trainees: each seat goes to a
/// new person while new ones are due, else to an earlier trainee of the
/// same county (a second or third training) who is not in a class at the
/// same time. Persons left over are registered without a training. A class
/// of 10 or more has at least one trainee who does not pass (the demo
/// plants a class where everyone passed).
pub(crate) fn fill(
    w: &mut World,
    rng: &mut Rng,
    people: &mut People,
    place: &Place,
    sizes: &[usize],
    persons: usize,
) {
    let counties: Vec<&str> = place
        .areas
        .iter()
        .map(|(c, _)| c.as_str())
        .filter(|c| !c.ends_with("00"))
        .collect();
    let mut seats: usize = sizes.iter().sum();
    let mut of_county: HashMap<String, Vec<usize>> = HashMap::new();
    // Each person's classes so far, to keep one body in one classroom.
    let mut busy: HashMap<usize, Vec<usize>> = HashMap::new();
    for (ci, &size) in sizes.iter().enumerate() {
        let site = w.classes[ci].site.clone();
        let mut members = HashSet::new();
        let mut failed = false;
        for _ in 0..size {
            let county = if counties.contains(&site.as_str()) {
                site.clone()
            } else {
                rng.pick(&counties).to_string()
            };
            let due = persons.saturating_sub(w.persons.len());
            let known = of_county.get(&county).map_or(0, Vec::len);
            let new = due > 0 && (known == 0 || rng.below(seats) < due);
            seats -= 1;
            let p = if new {
                w.persons.push(people.person(rng, &county));
                of_county
                    .entry(county)
                    .or_default()
                    .push(w.persons.len() - 1);
                w.persons.len() - 1
            } else if known > 0 {
                let pool = &of_county[&county];
                let from = rng.below(known);
                let free = (0..known)
                    .map(|i| pool[(from + i) % known])
                    .find(|&q| !members.contains(&q) && !busy_during(w, &busy, q, ci));
                match free {
                    Some(q) => q,
                    None => continue,
                }
            } else {
                continue;
            };
            let passed = rng.chance(90);
            failed |= !passed;
            if members.insert(p) {
                busy.entry(p).or_default().push(ci);
                enrol(w, rng, ci, p, passed);
            }
        }
        if !failed && members.len() >= 10 {
            fail_last(w, ci);
        }
    }
    while w.persons.len() < persons {
        let county = rng.pick(&counties).to_string();
        w.persons.push(people.person(rng, &county));
    }
}

/// Marks the last trainee of class `ci` as not passed, without the
/// certificate.
fn fail_last(w: &mut World, ci: usize) {
    let Some(e) = w.enrols.iter().rposition(|e| e.class == ci) else {
        return;
    };
    w.enrols[e].passed = false;
    let p = w.enrols[e].person;
    if let Some(k) = w.certs.iter().rposition(|k| k.person == p && k.class == ci) {
        w.certs.remove(k);
    }
}

/// Whether `p` is in one of `busy`'s classes while class `ci` runs.
fn busy_during(w: &World, busy: &HashMap<usize, Vec<usize>>, p: usize, ci: usize) -> bool {
    busy.get(&p)
        .is_some_and(|cs| cs.iter().any(|&o| overlaps(w, o, ci)))
}

/// Whether classes `a` and `b` share a day.
pub(crate) fn overlaps(w: &World, a: usize, b: usize) -> bool {
    let (a, b) = (&w.classes[a], &w.classes[b]);
    a.start <= b.end && b.start <= a.end
}

/// Whether person `p` is enrolled in a class that shares a day with `c`.
pub(crate) fn in_class_during(w: &World, p: usize, c: usize) -> bool {
    w.enrols
        .iter()
        .any(|e| e.person == p && overlaps(w, e.class, c))
}

/// Enrols person `p` in class `ci` with a result; a passed trainee of a
/// class that leads to one gets a certificate.
pub(crate) fn enrol(
    w: &mut World,
    rng: &mut Rng,
    ci: usize,
    p: usize,
    passed: bool,
) -> Option<usize> {
    let hours = w.classes[ci].hours;
    let online = if rng.chance(30) { hours / 4 } else { 0 };
    w.enrols.push(Enrol {
        class: ci,
        person: p,
        online,
        passed,
    });
    let c = &w.classes[ci];
    if !passed || c.ttype == WORK_TRAINING {
        return None;
    }
    let ctype = match c.ttype {
        "创业培训" => "培训合格证书",
        "就业技能培训" if rng.chance(15) && SPECIAL.contains(&c.occ) => "专项职业能力证书",
        "就业技能培训" if rng.chance(10) => "培训合格证书",
        _ => "职业技能等级证书",
    };
    let grade = if ctype == "职业技能等级证书" {
        c.grade
    } else {
        0
    };
    let issued = c.end + Duration::days(rng.between(7, 25));
    w.certs.push(Cert {
        ctype,
        person: p,
        occ: c.occ,
        grade,
        issued,
        class: ci,
    });
    Some(w.certs.len() - 1)
}

/// Marks the persons of `w` who are someone's relatives (a poor labourer's
/// child registered after them, for R6).
pub(crate) fn relatives(w: &mut World, rng: &mut Rng) {
    let poor: Vec<usize> = (0..w.persons.len())
        .filter(|&i| w.persons[i].holds("贫困劳动力"))
        .collect();
    for pair in poor.windows(2) {
        if rng.chance(20) {
            w.relations.push((pair[1], pair[0]));
        }
    }
}
