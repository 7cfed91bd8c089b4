//! The engine on hand-built facts: docs/spec/POLICY.md's four worked examples (1 and 2
//! under Liaocheng's policy, 3 and 4 under Tianshui's) and one case or more
//! for each rule that decides, with the rendered trace an officer reads.

use crate::common;

use common::{
    cat, cert, cert_claim, claim, class, d, level, person, relative, rendered, repo_policy,
};
use jineng_domain::policy::engine::{self, Decision, DecisionOutcome, PayeeKind};
use jineng_domain::policy::facts::{Award, ClaimFacts, PersonFacts};
use jineng_domain::policy::trace::{Detail, Verdict};
use jineng_domain::policy::{Policy, RuleId};
use jineng_domain::{CertificateType, Fen, RelationKind, Sex};

use CertificateType::{SkillLevel as LevelCert, SpecialAbility};

const TODAY: &str = "2021-06-30";

fn liaocheng() -> Policy {
    repo_policy("liaocheng-2019.toml")
}
fn tianshui() -> Policy {
    repo_policy("tianshui-2019.toml")
}
fn rudong() -> Policy {
    repo_policy("rudong-2019.toml")
}

fn decide(p: &Policy, who: &PersonFacts, c: &ClaimFacts, history: &[Award]) -> Decision {
    engine::decide(p, who, c, history, d(TODAY))
}

/// The rendered lines of `rule` (one or more, which must exist), joined.
fn line_of(lines: &[String], rule: RuleId) -> String {
    let head = format!("  {} ", rule.as_str());
    let mine: Vec<&str> = lines
        .iter()
        .filter(|l| l.starts_with(&head))
        .map(String::as_str)
        .collect();
    assert!(!mine.is_empty(), "no {rule} line in {lines:#?}");
    mine.join("\n")
}

fn approved(dec: &Decision, fen: i64, payee: PayeeKind) {
    assert_eq!(dec.outcome, DecisionOutcome::Approved, "{:#?}", dec.trace);
    assert_eq!(dec.amount, Fen(fen));
    assert_eq!(dec.payee(), Some(payee));
    assert_eq!(dec.payments.iter().map(|p| p.amount).sum::<Fen>(), Fen(fen));
}

fn rejected_by(dec: &Decision, rules: &[RuleId]) {
    assert_eq!(dec.outcome, DecisionOutcome::Rejected, "{:#?}", dec.trace);
    assert_eq!(dec.amount, Fen::ZERO);
    assert!(dec.payments.is_empty());
    assert!(dec.award.is_none());
    assert_eq!(dec.rules(), rules, "{:#?}", dec.trace);
}

// ---------------------------------------------------------------- Liaocheng

/// 东昌府区, 聊城市.
const LC: &str = "371502";

fn lc_cert_claim(
    no: &str,
    occupation: &str,
    lvl: &str,
    issued: &str,
    class_key: i64,
) -> ClaimFacts {
    let start = d(issued) - chrono::Days::new(40);
    let end = d(issued) - chrono::Days::new(10);
    let mut k = class(
        class_key,
        LC,
        "就业技能培训",
        occupation,
        &start.to_string(),
        &end.to_string(),
    );
    k.level = level(lvl);
    cert_claim(
        no,
        cert(LevelCert, &format!("C{no}"), occupation, level(lvl), issued),
        k,
    )
}

#[test]
fn example_1_three_a_year_then_a_new_year() {
    let p = liaocheng();
    let who = person(LC, vec![cat("农村转移就业劳动者", "2015-01-01")]);
    // Given out of order: the engine decides them by certificate date.
    let claims = vec![
        lc_cert_claim("5", "4-07-05-01", "五级", "2020-01-08", 5), // 保安员
        lc_cert_claim("4", "4-10-01-05", "五级", "2019-12-02", 4), // 养老护理员
        lc_cert_claim("1", "6-31-01-03", "五级", "2019-03-20", 1), // 电工
        lc_cert_claim("3", "4-10-01-06", "四级", "2019-09-10", 3), // 家政服务员
        lc_cert_claim("2", "6-18-02-04", "五级", "2019-06-15", 2), // 焊工
    ];
    let mut history = Vec::new();
    let out = engine::decide_person(&p, &who, &claims, &mut history, d(TODAY));
    // Free training for a rural migrant worker: paid to the institution.
    approved(&out[2], 100_000, PayeeKind::Institution);
    approved(&out[4], 100_000, PayeeKind::Institution);
    approved(&out[3], 120_000, PayeeKind::Institution);
    rejected_by(&out[1], &[RuleId::R2]);
    approved(&out[0], 50_000, PayeeKind::Institution);
    assert_eq!((out[1].year, out[0].year), (2019, 2020));
    assert_eq!(history.len(), 4);

    let lines = rendered(&p, &claims[1], &out[1], "养老护理员");
    let r2 = line_of(&lines, RuleId::R2);
    for w in [
        "年度次数",
        "2019年已享受 3 次",
        "3 次上限",
        "不通过",
        "(聊政办发〔2019〕10号 二十一)",
    ] {
        assert!(r2.contains(w), "「{w}」 not in {r2}");
    }
    let lines = rendered(&p, &claims[0], &out[0], "保安员");
    let r2 = line_of(&lines, RuleId::R2);
    assert!(
        r2.contains("2020年已享受 0 次，本次为第 1 次，未超过 3 次"),
        "{r2}"
    );
    let r7 = line_of(&lines, RuleId::R7);
    assert!(
        r7.contains("免费培训对象：农村转移就业劳动者，全额支付给培训机构"),
        "{r7}"
    );
    let r1 = line_of(&lines, RuleId::R1);
    assert!(
        r1.contains("保安员 五级/初级工 职业技能等级证书 = 500.00 元"),
        "{r1}"
    );
}

#[test]
fn example_2_same_occupation_and_level_never_twice() {
    let p = liaocheng();
    let who = person(LC, vec![cat("登记失业人员", "2018-10-01")]);
    let first = lc_cert_claim("1", "6-31-01-03", "四级", "2019-05-10", 1);
    // Another 电工 四级 certificate, another number, a year later.
    let second = lc_cert_claim("2", "6-31-01-03", "四级", "2020-04-20", 2);
    let mut history = Vec::new();
    let out = engine::decide_person(&p, &who, &[second.clone(), first], &mut history, d(TODAY));
    approved(&out[1], 150_000, PayeeKind::Person);
    rejected_by(&out[0], &[RuleId::R3]);

    let lines = rendered(&p, &second, &out[0], "电工");
    let r3 = line_of(&lines, RuleId::R3);
    for w in [
        "不重复",
        "电工 四级/中级工 已享受过（申领 #1）",
        "不通过",
        "二十一",
    ] {
        assert!(r3.contains(w), "「{w}」 not in {r3}");
    }
    // Not a yearly-cap matter: 2020 has none before it.
    assert!(line_of(&lines, RuleId::R2).contains("通过"));
}

// ----------------------------------------------------------------- Tianshui

/// 秦州区, 天水市; 张家川回族自治县 for the deep-poverty county.
const TS: &str = "620502";
const TS_DEEP: &str = "620525";

#[test]
fn example_3_living_allowance_in_a_deep_poverty_county() {
    let p = tianshui();
    let who = person(TS, vec![cat("贫困劳动力", "2016-01-01")]);
    let mut k = class(
        7,
        TS_DEEP,
        "就业技能培训",
        "4-03-02-02",
        "2020-05-11",
        "2020-05-20",
    );
    k.site_deep_poverty = true;
    let c = ClaimFacts {
        voucher: None,
        class: Some(k.clone()),
        ..claim("31", "生活费补贴", "2020-05-25")
    };
    let dec = decide(&p, &who, &c, &[]);
    approved(&dec, 36_000, PayeeKind::Person);
    assert!(dec.trace.iter().any(|l| l.detail
        == Detail::Allowance {
            days: 10,
            base: Fen(3000),
            daily: Fen(3600),
            uplift_pct: 20,
            amount: Fen(36_000)
        }));
    let lines = rendered(&p, &c, &dec, "中式面点师");
    let r8 = lines
        .iter()
        .find(|l| l.contains("培训 10 天"))
        .expect("allowance line");
    for w in [
        "R8 生活费补贴",
        "10 天 × 36.00 元",
        "30.00 元",
        "深度贫困县上浮 20%",
        "= 360.00 元",
        "(天水市人民政府办公室（2019年8月23日） 九)",
    ] {
        assert!(r8.contains(w), "「{w}」 not in {r8}");
    }

    // The same class outside a deep-poverty county: 10 × 30元.
    k.site_deep_poverty = false;
    let c = ClaimFacts {
        voucher: None,
        class: Some(k.clone()),
        ..c
    };
    approved(&decide(&p, &who, &c, &[]), 30_000, PayeeKind::Person);

    // Not completed: no allowance (the file pays on completion).
    k.enrolment.as_mut().unwrap().completion = jineng_domain::CompletionResult::NotFinished;
    let c = ClaimFacts {
        voucher: None,
        class: Some(k),
        ..c
    };
    rejected_by(&decide(&p, &who, &c, &[]), &[RuleId::R8]);

    // An enterprise employee is not among the groups.
    let employee = person(TS, vec![cat("企业职工", "2016-01-01")]);
    let c = ClaimFacts {
        voucher: None,
        class: Some(class(
            7,
            TS_DEEP,
            "就业技能培训",
            "4-03-02-02",
            "2020-05-11",
            "2020-05-20",
        )),
        ..claim("32", "生活费补贴", "2020-05-25")
    };
    rejected_by(&decide(&p, &employee, &c, &[]), &[RuleId::R8]);
}

#[test]
fn tianshui_living_allowance_for_rural_and_dibao_school_leavers() {
    let p = tianshui();
    let c = ClaimFacts {
        voucher: None,
        class: Some(class(
            8,
            TS,
            "就业技能培训",
            "4-03-02-01",
            "2020-03-02",
            "2020-03-06",
        )),
        ..claim("33", "生活费补贴", "2020-03-10")
    };
    let leaver = |other: &str| {
        person(
            TS,
            vec![
                cat("城乡未继续升学初高中毕业生", "2019-07-01"),
                cat(other, "2010-01-01"),
            ],
        )
    };
    // 两后生 from the countryside, and from an urban 低保 family: 5 × 30元.
    for other in ["农村转移就业劳动者", "农村低保家庭成员", "城市低保家庭成员"]
    {
        approved(
            &decide(&p, &leaver(other), &c, &[]),
            15_000,
            PayeeKind::Person,
        );
    }
    // An urban school leaver of an ordinary family is not covered.
    rejected_by(&decide(&p, &leaver("企业职工"), &c, &[]), &[RuleId::R8]);
}

#[test]
fn example_4_work_for_training_six_months_at_most() {
    let p = tianshui();
    let mut total = Fen::ZERO;
    for (i, no) in ["41", "42"].into_iter().enumerate() {
        let who = person(TS, vec![cat("贫困劳动力", "2016-01-01")]);
        let c = ClaimFacts {
            voucher: None,
            has_claimant: true,
            months: Some(8),
            ..claim(no, "以工代训补贴", "2020-11-30")
        };
        let dec = decide(&p, &who, &c, &[]);
        approved(&dec, 120_000, PayeeKind::Enterprise);
        total += dec.amount;
        let lines = rendered(&p, &c, &dec, "");
        let r10 = line_of(&lines, RuleId::R10);
        for w in [
            "以工代训",
            "申请 8 个月",
            "最长 6 个月",
            "核定 6 个月 × 200.00 元 = 1,200.00 元",
            "九",
        ] {
            assert!(r10.contains(w), "person {i}: 「{w}」 not in {r10}");
        }
        // A later claim for the same person finds the six months used.
        let later = ClaimFacts {
            voucher: None,
            months: Some(2),
            ..claim("49", "以工代训补贴", "2021-03-31")
        };
        let later = ClaimFacts {
            voucher: None,
            has_claimant: true,
            ..later
        };
        let dec2 = decide(&p, &who, &later, &[dec.award.clone().unwrap()]);
        rejected_by(&dec2, &[RuleId::R10]);
    }
    assert_eq!(total, Fen(240_000));

    // Hired but not among the groups; or no employer named.
    let employee = person(TS, vec![cat("企业职工", "2016-01-01")]);
    let c = ClaimFacts {
        voucher: None,
        has_claimant: true,
        months: Some(3),
        ..claim("43", "以工代训补贴", "2020-11-30")
    };
    rejected_by(&decide(&p, &employee, &c, &[]), &[RuleId::R10]);
    let poor = person(TS, vec![cat("贫困劳动力", "2016-01-01")]);
    let c = ClaimFacts {
        voucher: None,
        has_claimant: false,
        ..c
    };
    rejected_by(&decide(&p, &poor, &c, &[]), &[RuleId::R10]);
}

fn ts_cert_claim(
    no: &str,
    who_site: &str,
    occupation: &str,
    lvl: &str,
    issued: &str,
) -> ClaimFacts {
    let mut k = class(
        no.parse().unwrap(),
        who_site,
        "就业技能培训",
        occupation,
        "2020-03-01",
        "2020-04-30",
    );
    k.level = level(lvl);
    cert_claim(
        no,
        cert(LevelCert, &format!("T{no}"), occupation, level(lvl), issued),
        k,
    )
}

#[test]
fn r7_decides_the_payee() {
    let p = tianshui();
    let c = ts_cert_claim("51", TS, "4-10-01-05", "四级", "2020-05-15");
    // Free groups: the institution is paid the full standard.
    let poor = person(TS, vec![cat("贫困劳动力", "2016-01-01")]);
    approved(&decide(&p, &poor, &c, &[]), 120_000, PayeeKind::Institution);
    let disabled = person(TS, vec![cat("残疾人", "2010-01-01")]);
    approved(
        &decide(&p, &disabled, &c, &[]),
        120_000,
        PayeeKind::Institution,
    );
    // Enterprise employees and graduates: to the person, by the standard.
    let employee = person(TS, vec![cat("企业职工", "2016-01-01")]);
    let dec = decide(&p, &employee, &c, &[]);
    approved(&dec, 120_000, PayeeKind::Person);
    let lines = rendered(&p, &c, &dec, "养老护理员");
    assert!(line_of(&lines, RuleId::R7).contains("非免费培训对象，按标准补贴给本人"));
    // A category held only after the training began does not count.
    let late = person(TS, vec![cat("贫困劳动力", "2020-04-01")]);
    approved(&decide(&p, &late, &c, &[]), 120_000, PayeeKind::Person);

    // Training outside the city where the person lives: R1 refuses.
    let elsewhere = ts_cert_claim("52", "620102", "4-10-01-05", "四级", "2020-05-15");
    rejected_by(&decide(&p, &poor, &elsewhere, &[]), &[RuleId::R1]);
    // Unless the person seeks work there.
    let mut seeker = poor.clone();
    seeker.job = Some(common::region("620102"));
    approved(
        &decide(&p, &seeker, &elsewhere, &[]),
        120_000,
        PayeeKind::Institution,
    );
}

#[test]
fn r9_apprenticeship_advance() {
    let c = |training_type: &str| ClaimFacts {
        voucher: None,
        has_claimant: true,
        class: Some(class(
            61,
            TS,
            training_type,
            "6-18-02-04",
            "2020-01-01",
            "2021-01-31",
        )),
        ..claim("61", "新型学徒制补贴", "2021-02-10")
    };
    let who = person(TS, vec![cat("企业职工", "2019-01-01")]);
    // Tianshui 十: 20% may be advanced for enterprise training; 13 months
    // started two years: 2 × 4000元, to the enterprise.
    let p = tianshui();
    let dec = decide(&p, &who, &c("新型学徒制"), &[]);
    approved(&dec, 800_000, PayeeKind::Enterprise);
    assert_eq!(dec.advance_pct, 20);
    let lines = rendered(&p, &c("新型学徒制"), &dec, "焊工");
    let r9 = line_of(&lines, RuleId::R9);
    for w in [
        "学徒 2 年 × 4,000.00 元 = 8,000.00 元",
        "支付给企业",
        "可预支 20%",
        "九、十",
    ] {
        assert!(r9.contains(w), "「{w}」 not in {r9}");
    }
    // Liaocheng 十二: up to 60%.
    let p = liaocheng();
    let mut c60 = c("新型学徒制");
    c60.class.as_mut().unwrap().site = common::region(LC);
    // …when the class is in the local training plan (列入当地培训计划).
    c60.class.as_mut().unwrap().in_plan = Some(true);
    assert_eq!(decide(&p, &who, &c60, &[]).advance_pct, 60);
    // Another kind of class is not an apprenticeship.
    rejected_by(
        &decide(&tianshui(), &who, &c("岗位技能提升培训"), &[]),
        &[RuleId::R9],
    );
}

#[test]
fn r11_project_training_advance() {
    let p = tianshui();
    let who = person(TS, vec![cat("贫困劳动力", "2016-01-01")]);
    let mut k = class(
        71,
        TS,
        "项目制培训",
        "4-10-01-06",
        "2020-06-01",
        "2020-06-30",
    );
    k.level = level("五级");
    let c = ClaimFacts {
        voucher: None,
        class: Some(k.clone()),
        certificate: Some(cert(
            LevelCert,
            "P71",
            "4-10-01-06",
            level("五级"),
            "2020-07-10",
        )),
        has_claimant: true,
        ..claim("71", "项目制培训补贴", "2020-07-20")
    };
    let dec = decide(&p, &who, &c, &[]);
    approved(&dec, 80_000, PayeeKind::Institution);
    assert_eq!(dec.advance_pct, 20);
    let lines = rendered(&p, &c, &dec, "家政服务员");
    assert!(line_of(&lines, RuleId::R11).contains("项目制培训，可先行拨付 20%"));
    // Project training counts towards the yearly cap and the no-repeat
    // rule like the certificate subsidy: the same certificate level again
    // as a 职业培训补贴 is refused.
    let again = ts_cert_claim("72", TS, "4-10-01-06", "五级", "2020-09-01");
    rejected_by(
        &decide(&p, &who, &again, &[dec.award.unwrap()]),
        &[RuleId::R3],
    );
}

#[test]
fn r12_insured_months_and_time_limit() {
    let p = tianshui();
    let who = person(
        TS,
        vec![cat("参保职工", "2019-01-15"), cat("企业职工", "2019-01-15")],
    );
    let c = |issued: &str, applied: &str| ClaimFacts {
        voucher: None,
        certificate: Some(cert(LevelCert, "U1", "6-31-01-03", level("四级"), issued)),
        ..claim("81", "技能提升补贴", applied)
    };
    // 11 months of insurance on the certificate's date: too few.
    let dec = decide(&p, &who, &c("2019-12-20", "2020-01-10"), &[]);
    rejected_by(&dec, &[RuleId::R12]);
    let lines = rendered(&p, &c("2019-12-20", "2020-01-10"), &dec, "电工");
    assert!(line_of(&lines, RuleId::R12).contains("参保 11 个月，不满 12 个月"));
    // 12 months: the catalogue's 中级 amount, paid to the employee.
    let dec = decide(&p, &who, &c("2020-01-15", "2020-02-01"), &[]);
    approved(&dec, 150_000, PayeeKind::Person);
    assert!(dec.trace.iter().any(|l| l.detail
        == Detail::Insured {
            months: 12,
            min: 12
        }));
    // Applied 13 months after the certificate: too late.
    rejected_by(
        &decide(&p, &who, &c("2020-01-15", "2021-02-16"), &[]),
        &[RuleId::R12],
    );
    // Not insured at all.
    let other = person(TS, vec![cat("企业职工", "2019-01-15")]);
    rejected_by(
        &decide(&p, &other, &c("2020-01-15", "2020-02-01"), &[]),
        &[RuleId::R12],
    );
}

// ------------------------------------------------------------------ Rudong

/// 如东县; 崇川区 (南通市, not 如东).
const RD: &str = "320623";
const NOT_RD: &str = "320613";

fn rd_special_claim(no: &str, site: &str, in_catalogue: bool) -> ClaimFacts {
    let mut k = class(
        no.parse().unwrap(),
        site,
        "专项职业能力培训",
        "4-10-01-06",
        "2020-03-01",
        "2020-03-20",
    );
    k.institution.in_catalogue = in_catalogue;
    cert_claim(
        no,
        cert(
            SpecialAbility,
            &format!("S{no}"),
            "4-10-01-06",
            None,
            "2020-04-01",
        ),
        k,
    )
}

#[test]
fn r4_special_certificates_need_a_local_institution() {
    let p = rudong();
    // 序号13 does not restrict the training place; R4 restricts the
    // institution for these three certificate types.
    let who = person(RD, vec![cat("登记失业人员", "2019-10-01")]);
    let local = rd_special_claim("91", RD, true);
    approved(&decide(&p, &who, &local, &[]), 60_000, PayeeKind::Person);

    let dec = decide(&p, &who, &rd_special_claim("92", NOT_RD, true), &[]);
    rejected_by(&dec, &[RuleId::R4]);
    let lines = rendered(
        &p,
        &rd_special_claim("92", NOT_RD, true),
        &dec,
        "家政服务员",
    );
    let r4 = line_of(&lines, RuleId::R4);
    for w in [
        "本地机构",
        "专项职业能力证书 须经本辖区目录内机构培训",
        "不通过",
        "序号13",
    ] {
        assert!(r4.contains(w), "「{w}」 not in {r4}");
    }
    // In 如东 but not in its catalogue of approved institutions.
    rejected_by(
        &decide(&p, &who, &rd_special_claim("93", RD, false), &[]),
        &[RuleId::R4],
    );
    // A level certificate from the same non-local institution is not R4's.
    let mut k = class(
        94,
        NOT_RD,
        "就业技能培训",
        "4-10-01-06",
        "2020-03-01",
        "2020-03-20",
    );
    k.level = level("四级");
    let c = cert_claim(
        "94",
        cert(LevelCert, "L94", "4-10-01-06", level("四级"), "2020-04-01"),
        k,
    );
    approved(&decide(&p, &who, &c, &[]), 120_000, PayeeKind::Person);
}

#[test]
fn r5_pension_and_retirement_age() {
    let p = tianshui();
    let c = ts_cert_claim("101", TS, "4-10-01-05", "五级", "2020-05-15");
    let mut old = person(TS, vec![]);
    old.birth_date = d("1955-03-01");
    old.sex = Sex::Male;
    // Over 60, no pension: eligible, and the trace says why.
    let dec = decide(&p, &old, &c, &[]);
    approved(&dec, 80_000, PayeeKind::Person);
    let lines = rendered(&p, &c, &dec, "养老护理员");
    let r5 = line_of(&lines, RuleId::R5);
    for w in [
        "退休年龄",
        "65 岁",
        "超过法定退休年龄、未领取养老金，可享受",
        "通过",
        "十",
    ] {
        assert!(r5.contains(w), "「{w}」 not in {r5}");
    }
    // Drawing a monthly pension: refused, and nothing else is weighed.
    old.receives_pension = true;
    let dec = decide(&p, &old, &c, &[]);
    rejected_by(&dec, &[RuleId::R5]);
    assert_eq!(dec.trace.len(), 1);
    // A woman of 52 without pension is over the age too (50).
    let mut woman = person(TS, vec![]);
    woman.sex = Sex::Female;
    woman.birth_date = d("1968-01-10");
    let dec = decide(&p, &woman, &c, &[]);
    approved(&dec, 80_000, PayeeKind::Person);
    assert!(dec.trace.iter().any(|l| l.detail
        == Detail::Age {
            age: 52,
            retired: true
        }));

    // Rudong: the over-age group is named in the registry's categories.
    let p = rudong();
    let mut k = class(
        102,
        RD,
        "就业技能培训",
        "4-10-01-05",
        "2020-03-01",
        "2020-03-20",
    );
    k.level = level("五级");
    let c = cert_claim(
        "102",
        cert(LevelCert, "R102", "4-10-01-05", level("五级"), "2020-04-01"),
        k,
    );
    let mut old = person(RD, vec![cat("超过法定退休年龄人员", "2015-03-01")]);
    old.birth_date = d("1955-03-01");
    approved(&decide(&p, &old, &c, &[]), 80_000, PayeeKind::Person);
    old.receives_pension = true;
    rejected_by(&decide(&p, &old, &c, &[]), &[RuleId::R5]);
}

#[test]
fn r6_immediate_family_of_the_poor_is_treated_as_poor() {
    let p = rudong();
    let mut k = class(
        111,
        RD,
        "就业技能培训",
        "4-10-01-03",
        "2020-03-01",
        "2020-03-20",
    );
    k.level = level("五级");
    let c = cert_claim(
        "111",
        cert(LevelCert, "F111", "4-10-01-03", level("五级"), "2020-04-01"),
        k,
    );
    // A young woman with no category of her own, whose father is a
    // registered poor labourer.
    let mut child = person(RD, vec![]);
    child.family = vec![relative(
        RelationKind::Parent,
        vec![cat("贫困劳动力", "2016-01-01")],
    )];
    let dec = decide(&p, &child, &c, &[]);
    // Treated as the poor labourer: eligible (R1) and trained free (R7,
    // 序号11), so the institution is paid.
    approved(&dec, 80_000, PayeeKind::Institution);
    assert!(dec.trace.iter().any(|l| l.rule == Some(RuleId::R6)
        && l.detail
            == Detail::Family {
                relation: RelationKind::Parent,
                category: p.categories.iter().position(|c| c == "贫困劳动力").unwrap() as u16,
            }));
    let lines = rendered(&p, &c, &dec, "保育师");
    let r6 = line_of(&lines, RuleId::R6);
    for w in ["直系亲属", "父母", "贫困劳动力", "序号13"] {
        assert!(r6.contains(w), "「{w}」 not in {r6}");
    }
    assert!(line_of(&lines, RuleId::R7).contains("免费培训对象：贫困劳动力"));

    // A severely disabled spouse counts too (eligible; 重度残疾人 are not in
    // Rudong's free groups, so paid to the person).
    let mut spouse = person(RD, vec![]);
    spouse.family = vec![relative(
        RelationKind::Spouse,
        vec![cat("重度残疾人", "2010-01-01")],
    )];
    approved(&decide(&p, &spouse, &c, &[]), 80_000, PayeeKind::Person);

    // Nobody in the family: not among Rudong's groups.
    rejected_by(&decide(&p, &person(RD, vec![]), &c, &[]), &[RuleId::R1]);
    // A relative with some other category does not extend.
    let mut other = person(RD, vec![]);
    other.family = vec![relative(
        RelationKind::Parent,
        vec![cat("登记失业人员", "2016-01-01")],
    )];
    rejected_by(&decide(&p, &other, &c, &[]), &[RuleId::R1]);
}

// ----------------------------------------------------------- Liaocheng again

#[test]
fn r13_a_veteran_trains_free_once() {
    let p = liaocheng();
    let vet = person(LC, vec![cat("退役军人", "2018-12-01")]);
    let first = lc_cert_claim("121", "4-12-01-01", "五级", "2019-05-10", 121);
    let second = lc_cert_claim("122", "6-31-01-03", "五级", "2019-10-10", 122);
    let mut history = Vec::new();
    let out = engine::decide_person(
        &p,
        &vet,
        &[second.clone(), first.clone()],
        &mut history,
        d(TODAY),
    );
    // The first training is the free one, paid to the institution …
    approved(&out[1], 100_000, PayeeKind::Institution);
    assert!(out[1].trace.iter().any(|l| l.rule == Some(RuleId::R13)
        && l.verdict == Verdict::Pass
        && l.detail == Detail::VeteranOnce { used: false }));
    assert!(out[1].award.as_ref().unwrap().veteran_free);
    // … the second is subsidised by the standard, to the person.
    approved(&out[0], 100_000, PayeeKind::Person);
    let lines = rendered(&p, &second, &out[0], "电工");
    let r13 = line_of(&lines, RuleId::R13);
    for w in [
        "退役军人",
        "免费培训已享受过一次",
        "(聊政办发〔2019〕10号 八)",
    ] {
        assert!(r13.contains(w), "「{w}」 not in {r13}");
    }
}

#[test]
fn r13_the_free_training_includes_its_living_allowance() {
    // 003 八: one free training *with* a living allowance. The allowance and
    // the training subsidy of that one class are the one free training,
    // whichever is decided first.
    let p = liaocheng();
    let vet = person(LC, vec![cat("退役军人", "2018-12-01")]);
    let training = lc_cert_claim("131", "4-12-01-01", "五级", "2019-05-10", 131);
    let allowance = ClaimFacts {
        voucher: None,
        class: training.class.clone(),
        ..claim("132", "生活费补贴", "2019-05-01")
    };
    let mut history = Vec::new();
    let out = engine::decide_person(&p, &vet, &[training, allowance], &mut history, d(TODAY));
    // The allowance (class end) is decided before the certificate.
    assert!(
        out[1].outcome == DecisionOutcome::Approved,
        "{:#?}",
        out[1].trace
    );
    assert!(out[1].award.as_ref().unwrap().veteran_free);
    approved(&out[0], 100_000, PayeeKind::Institution);

    // A later training of the veteran is no longer free, nor its allowance.
    let later = lc_cert_claim("133", "6-31-01-03", "五级", "2020-05-10", 133);
    let later_allowance = ClaimFacts {
        voucher: None,
        class: later.class.clone(),
        ..claim("134", "生活费补贴", "2020-05-01")
    };
    let out = engine::decide_person(&p, &vet, &[later, later_allowance], &mut history, d(TODAY));
    approved(&out[0], 100_000, PayeeKind::Person);
    rejected_by(&out[1], &[RuleId::R8]);
}

#[test]
fn r14_startup_training_within_three_years_of_registration() {
    let p = liaocheng();
    let c = ClaimFacts {
        voucher: None,
        class: Some(class(
            141,
            LC,
            "创业培训",
            "4-01-06-01",
            "2020-02-01",
            "2020-02-10",
        )),
        ..claim("141", "创业培训补贴", "2020-02-20")
    };
    let owner = |since: &str| person(LC, vec![cat("个体工商户经营者", since)]);
    let dec = decide(&p, &owner("2017-03-01"), &c, &[]);
    approved(&dec, 100_000, PayeeKind::Person);
    let lines = rendered(&p, &c, &dec, "电子商务师");
    let r14 = line_of(&lines, RuleId::R14);
    for w in [
        "创业培训",
        "「个体工商户经营者」自 2017-03-01 起，在 3 年注册期内",
        "九",
    ] {
        assert!(r14.contains(w), "「{w}」 not in {r14}");
    }
    // Registered more than three years before the class began.
    rejected_by(&decide(&p, &owner("2017-01-31"), &c, &[]), &[RuleId::R14]);
    // Exactly three years is within.
    approved(
        &decide(&p, &owner("2017-02-01"), &c, &[]),
        100_000,
        PayeeKind::Person,
    );
    // Other groups need no registration date; a poor labourer trains free.
    let poor = person(LC, vec![cat("贫困劳动力", "2016-01-01")]);
    approved(&decide(&p, &poor, &c, &[]), 100_000, PayeeKind::Institution);
}

#[test]
fn r17_one_certificate_is_paid_once() {
    let p = liaocheng();
    let who = person(
        LC,
        vec![cat("参保职工", "2017-01-01"), cat("企业职工", "2017-01-01")],
    );
    let training = lc_cert_claim("151", "6-31-01-03", "三级", "2020-06-01", 151);
    let dec = decide(&p, &who, &training, &[]);
    approved(&dec, 200_000, PayeeKind::Person);
    // The same certificate claimed again as a skill-upgrade subsidy:
    // R3 does not count that type in Liaocheng, R17 refuses it.
    let upgrade = ClaimFacts {
        voucher: None,
        certificate: training.certificate.clone(),
        ..claim("152", "技能提升补贴", "2020-06-20")
    };
    let history = vec![dec.award.clone().unwrap()];
    let dup = decide(&p, &who, &upgrade, &history);
    rejected_by(&dup, &[RuleId::R17]);
    let lines = rendered(&p, &upgrade, &dup, "电工");
    let r17 = line_of(&lines, RuleId::R17);
    for w in ["不重复申领", "已由申领 #151 享受", "不通过", "二十四"] {
        assert!(r17.contains(w), "「{w}」 not in {r17}");
    }
    // Another certificate number for it is a different certificate.
    let mut other = upgrade.clone();
    other.certificate.as_mut().unwrap().cert_no = "OTHER".into();
    approved(
        &decide(&p, &who, &other, &history),
        200_000,
        PayeeKind::Person,
    );
    // One class's living allowance is paid once. (A poor labourer's
    // allowance is for project training only in Liaocheng, 003 六: the
    // claimant here draws unemployment benefit and is employment-difficult.)
    let poor = person(
        LC,
        vec![
            cat("领取失业保险金人员", "2020-01-01"),
            cat("就业困难人员", "2019-01-01"),
        ],
    );
    let allowance = ClaimFacts {
        voucher: None,
        class: training.class.clone(),
        ..claim("153", "生活费补贴", "2020-06-05")
    };
    let first = decide(&p, &poor, &allowance, &[]);
    assert_eq!(first.outcome, DecisionOutcome::Approved);
    let again = ClaimFacts {
        voucher: None,
        claim_no: "154".into(),
        ..allowance
    };
    rejected_by(
        &decide(&p, &poor, &again, &[first.award.unwrap()]),
        &[RuleId::R17],
    );
}

#[test]
fn claims_outside_the_policy_or_its_subsidies() {
    let p = tianshui();
    let who = person(TS, vec![cat("企业职工", "2016-01-01")]);
    // Before the document was issued.
    let early = ts_cert_claim("161", TS, "6-31-01-03", "五级", "2019-08-01");
    let dec = decide(&p, &who, &early, &[]);
    assert_eq!(dec.outcome, DecisionOutcome::Rejected);
    let lines = rendered(&p, &early, &dec, "电工");
    assert!(
        lines[0].contains("事件日期不在政策有效期内（2019-08-23 起，至 2021-12-31 止）"),
        "{lines:?}"
    );
    // A subsidy Tianshui's policy does not price.
    let c = claim("162", "创业培训补贴", "2020-01-01");
    let dec = decide(&p, &who, &c, &[]);
    assert_eq!(dec.outcome, DecisionOutcome::Rejected);
    assert!(rendered(&p, &c, &dec, "")[0].contains("本地政策未规定「创业培训补贴」"));
}

#[test]
fn a_certificate_without_its_class_needs_review() {
    // Tianshui checks the training place; without the class it cannot.
    let p = tianshui();
    let who = person(TS, vec![cat("企业职工", "2016-01-01")]);
    let mut c = ts_cert_claim("171", TS, "6-31-01-03", "五级", "2020-05-15");
    c.class = None;
    let dec = decide(&p, &who, &c, &[]);
    assert_eq!(dec.outcome, DecisionOutcome::Review, "{:#?}", dec.trace);
    assert_eq!(dec.amount, Fen(100_000));
    assert_eq!(dec.rules(), vec![RuleId::R1]);
    let lines = rendered(&p, &c, &dec, "电工");
    let flag = lines
        .iter()
        .find(|l| l.contains("需人工复核"))
        .expect("flagged line");
    assert!(flag.contains("证书未关联培训班，无法核实培训地"), "{flag}");
}

#[test]
fn an_allowance_of_no_day_is_refused_by_r8() {
    // Days counted from in-person hours (8 a day): 4 hours make no day.
    let text = common::policy_text("tianshui-2019.toml").replace(
        "require_completion = true",
        "require_completion = true\nhours_per_day = 8",
    );
    let p = common::load_text(&[("tianshui-2019.toml", &text)]).unwrap_or_else(|e| panic!("{e}"));
    let who = person(TS, vec![cat("贫困劳动力", "2016-01-01")]);
    let mut k = class(
        181,
        TS,
        "就业技能培训",
        "4-03-02-02",
        "2020-05-11",
        "2020-05-20",
    );
    let c = |k: &jineng_domain::policy::facts::ClassFacts| ClaimFacts {
        voucher: None,
        class: Some(k.clone()),
        ..claim("181", "生活费补贴", "2020-05-25")
    };
    // 80 hours: 10 days.
    approved(&decide(&p, &who, &c(&k), &[]), 30_000, PayeeKind::Person);
    // 36 hours: 4 days of the 10.
    k.enrolment.as_mut().unwrap().offline_hours = 36;
    approved(&decide(&p, &who, &c(&k), &[]), 12_000, PayeeKind::Person);
    k.enrolment.as_mut().unwrap().offline_hours = 4;
    let dec = decide(&p, &who, &c(&k), &[]);
    rejected_by(&dec, &[RuleId::R8]);
    let lines = rendered(&p, &c(&k), &dec, "中式面点师");
    assert!(
        line_of(&lines, RuleId::R8).contains("培训 0 天 × 30.00 元 = 0.00 元  不通过"),
        "{lines:?}"
    );
}

/// A revoked certificate (a case closed 属实 revoked it) earns nothing: R1
/// refuses the claim and the trace names the revocation and the clause.
#[test]
fn a_revoked_certificate_earns_no_r1_subsidy() {
    let p = liaocheng();
    let who = person(LC, vec![cat("农村转移就业劳动者", "2015-01-01")]);
    let mut c = lc_cert_claim("9", "6-31-01-03", "五级", "2019-03-20", 9);
    approved(&decide(&p, &who, &c, &[]), 100_000, PayeeKind::Institution);
    if let Some(cert) = c.certificate.as_mut() {
        cert.revoked_on = Some(d("2019-05-01"));
    }
    let dec = decide(&p, &who, &c, &[]);
    rejected_by(&dec, &[RuleId::R1]);
    let lines = rendered(&p, &c, &dec, "电工");
    let r1 = line_of(&lines, RuleId::R1);
    for w in ["已于 2019-05-01 撤销", "不通过", "(聊政办发〔2019〕10号"] {
        assert!(r1.contains(w), "「{w}」 not in {r1}");
    }
}
