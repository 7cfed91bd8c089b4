//! The demo's records in memory before they are written as template CSV
//! files: what a place is (its areas, volumes, years), and the World of
//! institutions, classes, persons, enrolments, certificates and claims.

use super::people::Person;
use chrono::NaiveDate;
use jineng_domain::{CreditCode, SkillLevel};
use std::fmt::Write as _;

/// A jurisdiction the demo loads.
pub(crate) struct Place {
    /// Prefix of its class and certificate numbers.
    pub key: &'static str,
    /// Prefix of its claim numbers.
    pub claim_key: &'static str,
    pub name: &'static str,
    /// Training sites (county-level areas, or the city itself for 市本级)
    /// with their training volume at full scale in the first year.
    pub areas: Vec<(String, i64)>,
    /// `name,kind,region,account,bank` of its institutions, enterprises
    /// and its assessment body.
    pub institutions: &'static str,
    /// The years with classes, each with its volume in percent of `areas`.
    pub years: &'static [(i32, u32)],
    /// Subsidy type of 项目制培训 certificates when the policy prices it
    /// apart (天水: 项目制培训补贴); otherwise 职业培训补贴.
    pub project_subsidy: Option<&'static str>,
    /// When set, training claims are filed only for these groups (如东:
    /// the policy's eligible groups).
    pub claim_groups: Option<&'static [&'static str]>,
}

pub(crate) struct Inst {
    pub name: String,
    pub code: CreditCode,
    pub kind: String,
    pub region: String,
    /// Its settlement account (银行账号) and bank: the payee of the
    /// subsidies paid to it.
    pub account: String,
    pub bank: String,
}

pub(crate) struct Class {
    pub no: String,
    pub inst: usize,
    pub ttype: &'static str,
    pub occ: &'static str,
    /// 5..1, 0 for none.
    pub grade: u8,
    pub site: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub hours: i64,
    /// 授课教师: name and ID number (the planted fraud's classes name one).
    pub teacher: Option<(String, String)>,
}

pub(crate) struct Enrol {
    pub class: usize,
    pub person: usize,
    pub online: i64,
    pub passed: bool,
}

pub(crate) struct Cert {
    pub ctype: &'static str,
    pub person: usize,
    pub occ: &'static str,
    pub grade: u8,
    pub issued: NaiveDate,
    pub class: usize,
}

#[derive(Clone, Copy)]
pub(crate) struct Claim {
    pub stype: &'static str,
    pub person: usize,
    pub cert: Option<usize>,
    pub class: Option<usize>,
    /// The institution or enterprise filing it (申领单位).
    pub claimant: Option<usize>,
    pub applied: NaiveDate,
    pub months: Option<i64>,
}

#[derive(Default)]
pub(crate) struct World {
    pub key: &'static str,
    pub claim_key: &'static str,
    /// The region whose policy governs the place (its code).
    pub region: String,
    pub institutions: Vec<Inst>,
    pub classes: Vec<Class>,
    pub persons: Vec<Person>,
    pub enrols: Vec<Enrol>,
    pub certs: Vec<Cert>,
    pub claims: Vec<Claim>,
    /// (person, relative who is the person's child).
    pub relations: Vec<(usize, usize)>,
    /// Added to a person's index to make their phone number (worlds loaded
    /// side by side have different numbers).
    pub phone_from: usize,
    /// Phone numbers given instead (persons sharing one).
    pub phones: std::collections::HashMap<usize, String>,
}

/// The header of the persons file.
pub(crate) const PERSONS_HEADER: &str = "姓名,身份证号码,性别,出生日期,民族,文化程度,联系电话,户籍地,常住地,是否领取养老金,社保卡银行账号,开户银行\n";

fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn level(grade: u8) -> &'static str {
    SkillLevel::from_grade(grade)
        .map(|l| l.as_zh())
        .unwrap_or("")
}

impl World {
    /// Whether `region` lies in the place's own region.
    pub fn local(&self, region: &str) -> bool {
        let own = self.region.trim_end_matches("00");
        region.starts_with(own)
    }

    /// The assessment body (评价机构) certifying the trainees of class `c`:
    /// the place's bodies take the classes in turn.
    pub fn assessor(&self, c: usize) -> &CreditCode {
        let bodies: Vec<&Inst> = self
            .institutions
            .iter()
            .filter(|i| i.kind == "评价机构")
            .collect();
        assert!(!bodies.is_empty(), "the demo has an assessment body");
        &bodies[c % bodies.len()].code
    }

    pub fn cert_no(&self, i: usize) -> String {
        format!(
            "{}S{}{:07}",
            self.key,
            self.certs[i].issued.format("%Y"),
            i + 1
        )
    }

    pub fn claim_no(&self, i: usize) -> String {
        format!(
            "{}{}{:07}",
            self.claim_key,
            self.claims[i].applied.format("%Y"),
            i + 1
        )
    }

    /// The template files, in import order.
    pub fn files(&self) -> Vec<(&'static str, String)> {
        vec![
            ("institutions", self.institutions_csv()),
            ("classes", self.classes_csv()),
            ("persons", self.persons_csv()),
            ("categories", self.categories_csv()),
            ("relations", self.relations_csv()),
            ("roster", self.roster_csv()),
            ("certificates", self.certificates_csv()),
            ("claims", self.claims_csv()),
        ]
    }

    fn institutions_csv(&self) -> String {
        let mut s = String::from(
            "机构名称,统一社会信用代码,机构类型,所在地,是否目录内,目录起始日期,目录截止日期,银行账号,开户银行\n",
        );
        for i in &self.institutions {
            let listed = if i.kind == "企业" {
                "否,,"
            } else {
                "是,2019-01-01,2021-12-31"
            };
            writeln!(
                s,
                "{},{},{},{},{listed},{},{}",
                i.name, i.code, i.kind, i.region, i.account, i.bank
            )
            .unwrap();
        }
        s
    }

    fn classes_csv(&self) -> String {
        let mut s = String::from(
            "班级编号,统一社会信用代码,培训类型,职业编码,等级,培训地,开班日期,结业日期,计划课时,是否列入培训计划",
        );
        // The optional teacher columns when a class names its teacher.
        let teachers = self.classes.iter().any(|c| c.teacher.is_some());
        s.push_str(if teachers {
            ",授课教师姓名,授课教师身份证号码\n"
        } else {
            "\n"
        });
        // Every demo class is in the local training plan (R9's advance
        // needs it).
        for c in &self.classes {
            write!(
                s,
                "{},{},{},{},{},{},{},{},{},是",
                c.no,
                self.institutions[c.inst].code,
                c.ttype,
                c.occ,
                level(c.grade),
                c.site,
                date(c.start),
                date(c.end),
                c.hours
            )
            .unwrap();
            if teachers {
                let (name, id) = c.teacher.clone().unwrap_or_default();
                write!(s, ",{name},{id}").unwrap();
            }
            s.push('\n');
        }
        s
    }

    fn persons_csv(&self) -> String {
        let mut s = String::from(PERSONS_HEADER);
        for i in 0..self.persons.len() {
            s.push_str(&self.person_row(i, 0));
        }
        s
    }

    /// Person `i`'s row of the persons file (with its newline), with the
    /// card of `issue` (0: the first; a later one replaces a card the bank
    /// refused).
    pub fn person_row(&self, i: usize, issue: u64) -> String {
        const EDU: [&str; 5] = ["初中", "高中", "中专", "大专", "本科"];
        let p = &self.persons[i];
        let n = i + self.phone_from;
        let phone = self.phones.get(&i).cloned().unwrap_or_else(|| {
            format!("13{}{:08}", 5 + n % 5, (n * 7919 + 1_234_567) % 100_000_000)
        });
        let (card, bank) = super::people::card(&p.id, issue).unwrap_or_default();
        format!(
            "{},{},{},{},汉族,{},{phone},{},{},{},{card},{bank}\n",
            p.name,
            p.id,
            p.id.sex().as_zh(),
            date(p.birth),
            EDU[i % EDU.len()],
            p.hukou,
            p.hukou,
            if p.pension { "是" } else { "否" }
        )
    }

    fn categories_csv(&self) -> String {
        let mut s = String::from("身份证号码,人员类别,起始日期,截止日期,证明材料\n");
        for p in &self.persons {
            for (c, from) in &p.categories {
                writeln!(s, "{},{c},{},,", p.id, date(*from)).unwrap();
            }
        }
        s
    }

    fn relations_csv(&self) -> String {
        let mut s = String::from("身份证号码,亲属身份证号码,关系\n");
        for (p, child) in &self.relations {
            writeln!(
                s,
                "{},{},子女",
                self.persons[*p].id, self.persons[*child].id
            )
            .unwrap();
        }
        s
    }

    fn roster_csv(&self) -> String {
        let mut s =
            String::from("班级编号,统一社会信用代码,姓名,身份证号码,线下课时,线上课时,结业结果\n");
        for e in &self.enrols {
            let c = &self.classes[e.class];
            let p = &self.persons[e.person];
            writeln!(
                s,
                "{},{},{},{},{},{},{}",
                c.no,
                self.institutions[c.inst].code,
                p.name,
                p.id,
                c.hours - e.online,
                e.online,
                if e.passed { "合格" } else { "不合格" }
            )
            .unwrap();
        }
        s
    }

    fn certificates_csv(&self) -> String {
        let mut s = String::from(
            "证书编号,证书类型,姓名,身份证号码,职业编码,等级,发证日期,发证机构,班级编号\n",
        );
        for (i, k) in self.certs.iter().enumerate() {
            let assessor = self.assessor(k.class);
            let p = &self.persons[k.person];
            writeln!(
                s,
                "{},{},{},{},{},{},{},{assessor},{}",
                self.cert_no(i),
                k.ctype,
                p.name,
                p.id,
                k.occ,
                level(k.grade),
                date(k.issued),
                self.classes[k.class].no
            )
            .unwrap();
        }
        s
    }

    fn claims_csv(&self) -> String {
        self.claims_csv_of(0..self.claims.len())
    }

    /// The claims file of the claims in `range`.
    pub fn claims_csv_of(&self, range: std::ops::Range<usize>) -> String {
        let mut s = String::from(
            "申领编号,补贴类型,身份证号码,证书编号,班级编号,统一社会信用代码,申领单位,申请日期,月数\n",
        );
        for (i, c) in self
            .claims
            .iter()
            .enumerate()
            .skip(range.start)
            .take(range.len())
        {
            let cert = c.cert.map(|k| self.cert_no(k)).unwrap_or_default();
            let (class, inst) = match c.class {
                Some(k) => {
                    let class = &self.classes[k];
                    (
                        class.no.clone(),
                        self.institutions[class.inst].code.to_string(),
                    )
                }
                None => Default::default(),
            };
            let claimant = c
                .claimant
                .map(|k| self.institutions[k].code.to_string())
                .unwrap_or_default();
            let months = c.months.map(|m| m.to_string()).unwrap_or_default();
            writeln!(
                s,
                "{},{},{},{cert},{class},{inst},{claimant},{},{months}",
                self.claim_no(i),
                c.stype,
                self.persons[c.person].id,
                date(c.applied)
            )
            .unwrap();
        }
        s
    }
}
