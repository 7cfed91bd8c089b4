//! Fraud planted on purpose so that 监管 has something to find: a training
//! school (鑫诚) that does what the public audit findings describe, a second
//! school it shares a teacher and trainees with (华育), and an assessment
//! company that certifies in bulk (正信). Each of the checks S1–S10 finds a
//! handful of cases in them:
//!
//! - S1: three trainees of 鑫诚's September class also on 华育's roll;
//! - S2: two October classes planned at more hours than their days hold
//!   (虚报课时; the roster books the excess as online hours);
//! - S3: two certificates dated before their class ended;
//! - S4: trainees on the lists of other departments while training (a
//!   person dead before the class began, one on the state payroll, one
//!   drawing a pension the registry does not show, a full-time student);
//! - S5: two insured employees in training reserved for job-seekers;
//! - S6: two certificates claimed again, as 技能提升补贴, after 鑫诚's
//!   training subsidy for them was paid;
//! - S7: four trainees of one class on one phone number (and a family of
//!   three in 华育's class on theirs, which the officer finds 不属实);
//! - S8: a class of 36 where everyone passed, 正信 certifying more than 50
//!   in a day, and 鑫诚's October claims far above its usual;
//! - S9: two teachers each teaching at both schools at the same time;
//! - S10: two of October's trainees learn online on two platforms at once
//!   (刷课); a classmate's back-to-back sessions are the near miss.
//!
//! Every planted record has a recognisable key: classes `LCJ…`,
//! certificates `LCJS…`, claims `CJ…` (the clean records' are `LC2…`,
//! `LCS…`, `C2…`), so a finding about planted fraud can be told from a
//! false alarm. `plant_load` imports them after the supervision file is in
//! force, so the checks that run after each import open the cases.

use super::classes::{OCCUPATIONS, institutions};
use super::people::{People, Rng};
use super::world::{Cert, Claim, Class, Enrol, World};
use chrono::{Duration, NaiveDate};

/// Prefix of the planted classes (and, with `S`, certificates).
pub(crate) const CLASS_KEY: &str = "LCJ";
/// Prefix of the planted claims.
pub(crate) const CLAIM_KEY: &str = "CJ";

/// The planted schools and assessment company (`name,kind,region,account,bank`).
const INSTITUTIONS: &str = "name,kind,region,account,bank
聊城市鑫诚职业培训学校,民办培训机构,371502,16815526730418862,中国工商银行聊城分行
聊城市华育职业技能培训中心,民办培训机构,371502,16356017844952107,中国建设银行聊城分行
聊城正信职业技能评价有限公司,评价机构,371502,16274830165529471,聊城农村商业银行
";
/// Indices of `INSTITUTIONS`.
const XINCHENG: usize = 0;
const HUAYU: usize = 1;
const TRAINING: &str = "职业培训补贴";
const JOB_SEEKING: &str = "就业技能培训";

/// The planted records, and what the demo does with them.
pub(crate) struct Fraud {
    pub w: World,
    /// Claims filed with the records; those after are filed once the
    /// first are paid (the second claims for one certificate).
    pub first_claims: usize,
    /// The comparison lists (比对名单) that arrive after payment.
    pub watchlist: String,
    /// The class whose shared phone is a family's (closed 不属实).
    pub family_class: String,
    /// The learning platform's log (线上学习记录, template `sessions`).
    pub sessions: String,
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The planted classes' indices in `World::classes`, in the order
/// `plant_classes` adds them.
const MARCH: usize = 0;
const SEPT: usize = 1;
const HUAYU_SEPT: usize = 2;
const OCT: usize = 3;
const HUAYU_OCT: usize = 4;

/// The planted classes' rolls (indices in `World::persons`).
struct Rolls {
    march: Vec<usize>,
    sept: Vec<usize>,
    huayu: Vec<usize>,
    oct: Vec<usize>,
    family: Vec<usize>,
}

/// Generates the planted records: its persons come from `people`, so their
/// ID numbers are unlike any clean record's. `employer` is the credit code
/// of an enterprise of the place (the insured trainees' employer).
pub(crate) fn generate(people: &mut People, seed: u64, employer: &str) -> Fraud {
    let mut rng = Rng::new(seed ^ 0x5A5A_1313);
    let mut w = World {
        key: CLASS_KEY,
        claim_key: CLAIM_KEY,
        region: "371500".into(),
        institutions: institutions(&mut rng, INSTITUTIONS),
        phone_from: 90_000_000,
        ..Default::default()
    };
    plant_classes(&mut w, people, &mut rng);
    let rolls = plant_rolls(&mut w, people, &mut rng);
    certify(&mut w, &rolls);
    let first_claims = plant_claims(&mut w);
    let watchlist = watchlist(&w, &rolls.march, rolls.sept[30], employer);
    let family_class = w.classes[HUAYU_OCT].no.clone();
    let sessions = sessions(&w, OCT, &rolls.oct);
    Fraud {
        w,
        first_claims,
        watchlist,
        family_class,
        sessions,
    }
}

/// 鑫诚's and 华育's five classes, two of them taught by one teacher at
/// once (S9).
fn plant_classes(w: &mut World, people: &mut People, rng: &mut Rng) {
    let mut teacher = || {
        let t = people.person(rng, "371502");
        (t.name, t.id.as_str().to_string())
    };
    let (t1, t2) = (teacher(), teacher());
    // (institution, occupation, grade, start, end, planned hours, teacher)
    let plan = [
        (
            XINCHENG,
            "4-10-01-05",
            5,
            ymd(2019, 3, 4),
            ymd(2019, 3, 29),
            144,
            None,
        ),
        (
            XINCHENG,
            "4-10-01-06",
            5,
            ymd(2019, 9, 2),
            ymd(2019, 9, 30),
            160,
            Some(t1.clone()),
        ),
        (
            HUAYU,
            "4-03-02-01",
            5,
            ymd(2019, 9, 9),
            ymd(2019, 9, 27),
            120,
            Some(t1),
        ),
        (
            XINCHENG,
            "4-01-06-01",
            4,
            ymd(2019, 10, 14),
            ymd(2019, 10, 25),
            128,
            Some(t2.clone()),
        ),
        (
            HUAYU,
            "4-10-01-03",
            5,
            ymd(2019, 10, 14),
            ymd(2019, 10, 23),
            100,
            Some(t2),
        ),
    ];
    for (n, (inst, occ, grade, start, end, hours, teacher)) in plan.into_iter().enumerate() {
        let occ = OCCUPATIONS
            .iter()
            .find(|o| o.0 == occ)
            .expect("a demo occupation")
            .0;
        w.classes.push(Class {
            no: format!("{CLASS_KEY}{}{:05}", start.format("%Y"), n + 1),
            inst,
            ttype: JOB_SEEKING,
            occ,
            grade,
            site: "371502".into(),
            start,
            end,
            hours,
            teacher,
        });
    }
}

/// The trainees of each class, with the shared phones of S7.
fn plant_rolls(w: &mut World, people: &mut People, rng: &mut Rng) -> Rolls {
    let mut person = |w: &mut World| {
        let mut p = people.person(rng, "371502");
        p.categories = vec![("登记失业人员", ymd(2018, 6, 1))];
        w.persons.push(p);
        w.persons.len() - 1
    };
    let march_roll: Vec<usize> = (0..16).map(|_| person(w)).collect();
    let sept_roll: Vec<usize> = (0..36).map(|_| person(w)).collect();
    // S1: three of September's trainees also on 华育's roll.
    let mut huayu_roll: Vec<usize> = sept_roll[..3].to_vec();
    huayu_roll.extend((0..17).map(|_| person(w)));
    let oct_roll: Vec<usize> = (0..12).map(|_| person(w)).collect();
    let family_roll: Vec<usize> = (0..12).map(|_| person(w)).collect();
    // S7: four of September's trainees on one number; a family of three
    // in 华育's October class on theirs.
    for &p in &sept_roll[20..24] {
        w.phones.insert(p, "13906358127".into());
    }
    for &p in &family_roll[..3] {
        w.phones.insert(p, "15263504416".into());
    }
    Rolls {
        march: march_roll,
        sept: sept_roll,
        huayu: huayu_roll,
        oct: oct_roll,
        family: family_roll,
    }
}

/// Enrolments, results and certificates (S2, S3, S8).
fn certify(w: &mut World, r: &Rolls) {
    let rolls = [
        (MARCH, &r.march, ymd(2019, 4, 12)),
        (SEPT, &r.sept, ymd(2019, 10, 9)),
        (HUAYU_SEPT, &r.huayu, ymd(2019, 10, 9)),
        (OCT, &r.oct, ymd(2019, 11, 5)),
        (HUAYU_OCT, &r.family, ymd(2019, 11, 5)),
    ];
    for (class, roll, issued) in rolls {
        for (i, &p) in roll.iter().enumerate() {
            // S8: September's 36 all pass; elsewhere the last does not.
            let passed = class == SEPT || i + 1 < roll.len();
            // S2's classes: the hours beyond 8 a day booked as online.
            let c = &w.classes[class];
            let days = (c.end - c.start).num_days() + 1;
            w.enrols.push(Enrol {
                class,
                person: p,
                online: (c.hours - 8 * days).max(0),
                passed,
            });
            if passed {
                w.certs.push(Cert {
                    ctype: "职业技能等级证书",
                    person: p,
                    occ: w.classes[class].occ,
                    grade: w.classes[class].grade,
                    issued,
                    class,
                });
            }
        }
    }
    // S3: two September certificates dated before the class ended (with
    // S8's assessor-day: 正信 issues the rest, and 华育's, on one day).
    for k in w.certs.iter_mut().filter(|k| k.class == SEPT).skip(34) {
        k.issued = ymd(2019, 9, 26);
    }
}

/// 鑫诚's claims (S8's surge, S6's second claims); returns how many claims
/// come before S6's.
fn plant_claims(w: &mut World) -> usize {
    // 鑫诚's claims: March's spread over April–September (its usual), then
    // all of September's in October (S8: far above the usual).
    let certs_of = |w: &World, class: usize| -> Vec<usize> {
        (0..w.certs.len())
            .filter(|&k| w.certs[k].class == class)
            .collect()
    };
    for (i, k) in certs_of(w, MARCH).into_iter().enumerate() {
        let applied = ymd(2019, 4, 20) + Duration::days(11 * i as i64);
        claim(w, TRAINING, k, applied);
    }
    for (i, k) in certs_of(w, SEPT).into_iter().enumerate() {
        let applied = ymd(2019, 10, 14) + Duration::days(i as i64 / 2);
        claim(w, TRAINING, k, applied);
    }
    let first_claims = w.claims.len();
    // S6: two March certificates claimed again as 技能提升补贴 after the
    // training subsidy for them was paid.
    for k in certs_of(w, MARCH).into_iter().skip(3).take(2) {
        claim(w, "技能提升补贴", k, ymd(2019, 11, 20));
        w.claims.last_mut().unwrap().claimant = None;
    }
    first_claims
}

/// The learning platforms' log of October's class (S10): the first two
/// trainees are logged on two platforms at once in the evenings (one
/// account played while another studies: 刷课); the third studies on both
/// platforms back to back, which is no finding.
fn sessions(w: &World, class: usize, roll: &[usize]) -> String {
    let c = &w.classes[class];
    let code = &w.institutions[c.inst].code;
    let mut s =
        String::from("身份证号码,姓名,班级编号,统一社会信用代码,学习平台,开始时间,结束时间\n");
    let rows: [(usize, &str, &str, &str); 6] = [
        (0, "齐鲁技能云课堂", "2019-10-15 19:00", "2019-10-15 23:00"),
        (
            0,
            "聊城职业培训在线",
            "2019-10-15 19:30",
            "2019-10-15 23:30",
        ),
        (1, "齐鲁技能云课堂", "2019-10-16 18:00", "2019-10-16 22:00"),
        (
            1,
            "聊城职业培训在线",
            "2019-10-16 20:00",
            "2019-10-17 00:30",
        ),
        (2, "齐鲁技能云课堂", "2019-10-15 19:00", "2019-10-15 21:00"),
        (
            2,
            "聊城职业培训在线",
            "2019-10-15 21:00",
            "2019-10-15 23:00",
        ),
    ];
    for (i, platform, from, to) in rows {
        let p = &w.persons[roll[i]];
        s.push_str(&format!(
            "{},{},{},{},{platform},{from},{to}\n",
            p.id,
            p.name,
            c.no,
            code.as_str()
        ));
    }
    s
}

fn claim(w: &mut World, stype: &'static str, cert: usize, applied: NaiveDate) {
    let class = w.certs[cert].class;
    w.claims.push(Claim {
        stype,
        person: w.certs[cert].person,
        cert: Some(cert),
        class: Some(class),
        claimant: Some(w.classes[class].inst),
        applied,
        months: None,
    });
}

/// The lists other departments send at the end of 2019 (the `watchlist`
/// template): S4's four and S5's two.
fn watchlist(w: &World, march: &[usize], student: usize, employer: &str) -> String {
    let mut s = String::from("名单类型,身份证号码,姓名,起始日期,截止日期,来源,参保单位\n");
    let rows = [
        (
            march[0],
            "死亡",
            "2019-01-15",
            "",
            "市民政局 殡葬信息 2019-12",
            "",
        ),
        (
            march[1],
            "财政供养",
            "2012-09-01",
            "",
            "市财政局 财政供养人员 2019-12",
            "",
        ),
        (
            march[2],
            "领取养老金",
            "2018-03-01",
            "",
            "市社保中心 养老金发放 2019-12",
            "",
        ),
        (
            student,
            "在校学生",
            "2017-09-01",
            "2021-06-30",
            "市教育局 在校生学籍 2019-11",
            "",
        ),
        (
            march[5],
            "在职参保",
            "2016-05-01",
            "",
            "市社保中心 参保缴费 2019-12",
            employer,
        ),
        (
            march[6],
            "在职参保",
            "2017-03-01",
            "",
            "市社保中心 参保缴费 2019-12",
            employer,
        ),
    ];
    for (p, kind, from, to, source, unit) in rows {
        let p = &w.persons[p];
        s.push_str(&format!(
            "{kind},{},{},{from},{to},{source},{unit}\n",
            p.id, p.name
        ));
    }
    s
}
