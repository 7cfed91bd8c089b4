//! Training vouchers (职业培训券) in the domain: the policy file's
//! [vouchers] table as the demo policies write it and each refusal naming
//! the file, the line and the key in Chinese; the engine settling a claim
//! at a redeemed voucher's face value with the voucher's line in its
//! trace; and property tests of the voucher number's check digit, the
//! redemption check and the commitments' bookkeeping.

use crate::common;

use common::*;
use jineng_domain::ledger::commitment::{
    ReleaseReason, VoucherLedgerState, commit, release, voucher_violations,
};
use jineng_domain::ledger::{FundBalances, FundCode};
use jineng_domain::policy::engine::{DecisionOutcome, PayeeKind, decide};
use jineng_domain::policy::facts::VoucherFacts;
use jineng_domain::voucher::{
    EnrolmentAt, FaceRule, VoucherFacts as Voucher, VoucherNo, VoucherStatus, check_redemption,
};
use jineng_domain::{CertificateType, Fen, SkillLevel};
use proptest::prelude::*;

/// 聊城's policy with its [vouchers] table replaced by `table`.
fn with_table(table: &str) -> Result<jineng_domain::policy::Policy, String> {
    let text = policy_text("liaocheng-2019.toml");
    let base = &text[..text.find("[vouchers]").unwrap()];
    let file = format!("{base}{table}");
    load_with(&[("lc.toml", &file)], &refdata()).map_err(|e| e.to_string())
}

const GOOD: &str = r#"[vouchers]
clause = "二十一"
subsidy_type = "职业培训补贴"
fund = "ES"
valid_months = 6
eligible = ["登记失业人员", ["农村转移就业劳动者", "贫困劳动力"]]
kinds = [
  { code = "JZ5", name = "家政初级券", occupations = ["4-10-01-06"], level = "五级", yuan = 900 },
  { code = "A5", name = "制造类初级券", occupations = ["6-31-01-03"], level = "五级", grade = "A", eligible = ["下岗失业人员"] },
]
"#;

#[test]
fn the_demo_policies_issue_vouchers_marked_as_examples() {
    for name in [
        "liaocheng-2019.toml",
        "tianshui-2019.toml",
        "rudong-2019.toml",
    ] {
        let p = repo_policy(name);
        let v = p.vouchers.as_ref().unwrap_or_else(|| panic!("{name}"));
        assert!(v.example && v.note.contains("示例"), "{name}");
        assert_eq!(v.subsidy_type, "职业培训补贴");
        assert!(v.kinds.iter().all(|k| k.rule.face.is_positive()));
    }
    let lc = repo_policy("liaocheng-2019.toml");
    let v = lc.vouchers.unwrap();
    assert_eq!((v.fund.as_str(), v.valid_months), ("ES", 6));
    let b5 = v.kind("B5").unwrap();
    // B 类 五级 of the catalogue's grades.
    assert_eq!(b5.rule.face, Fen(80_000));
    assert!(b5.basis.contains("补贴标准目录 B 类 五级"), "{}", b5.basis);
}

#[test]
fn a_table_of_its_own_and_categories_per_kind() {
    let p = with_table(GOOD).unwrap();
    let v = p.vouchers.unwrap();
    assert_eq!(v.kind("JZ5").unwrap().rule.face, Fen(90_000));
    assert_eq!(v.kind("A5").unwrap().rule.face, Fen(100_000));
    let on = d("2024-03-01");
    let unemployed = vec![cat("登记失业人员", "2023-01-01")];
    let codes = |c: &[jineng_domain::policy::facts::CategorySpan]| -> Vec<String> {
        v.kinds_for(c, on)
            .iter()
            .map(|k| k.rule.kind_code.clone())
            .collect()
    };
    assert_eq!(codes(&unemployed), ["JZ5"]);
    // A set holds only when every category of it is held.
    assert!(codes(&[cat("农村转移就业劳动者", "2023-01-01")]).is_empty());
    let both = vec![
        cat("农村转移就业劳动者", "2023-01-01"),
        cat("贫困劳动力", "2023-01-01"),
    ];
    assert_eq!(codes(&both), ["JZ5"]);
    assert_eq!(codes(&[cat("下岗失业人员", "2023-01-01")]), ["A5"]);
    // Categories in force on the issue date only.
    assert!(codes(&[cat("登记失业人员", "2024-04-01")]).is_empty());
}

#[test]
fn refusals_name_the_file_the_line_and_the_key() {
    let cases: [(&str, &str, &str); 10] = [
        (
            "fund = \"ES\"",
            "fund = \"EB\"",
            "[vouchers] fund：资金来源「EB」不在 R16 为「职业培训补贴」规定的资金来源（ES、ST）中",
        ),
        (
            "valid_months = 6",
            "valid_months = 0",
            "[vouchers] valid_months：有效期 0 个月不在 1 至 60 个月之间",
        ),
        (
            "subsidy_type = \"职业培训补贴\"",
            "subsidy_type = \"项目制培训补贴\"",
            "[vouchers] subsidy_type：本政策没有计算「项目制培训补贴」金额的规则",
        ),
        (
            "[\"登记失业人员\",",
            "[\"失业者\",",
            "[vouchers] eligible：未知的人员类别「失业者」",
        ),
        (
            "yuan = 900 }",
            "grade = \"Z\" }",
            "券种「JZ5」grade：未定义的标准分类「Z」",
        ),
        (
            "yuan = 900 }",
            "yuan = 900, grade = \"A\" }",
            "应给出 yuan（面值）或 grade",
        ),
        (
            "[\"4-10-01-06\"]",
            "[\"4-99-99-99\"]",
            "occupations：职业分类中没有「4-99-99-99」",
        ),
        ("code = \"A5\"", "code = \"JZ5\"", "券种代码「JZ5」重复"),
        (
            "level = \"五级\", yuan",
            "level = \"九级\", yuan",
            "券种「JZ5」level：",
        ),
        ("clause = \"二十一\"\n", "", "缺少参数 clause"),
    ];
    for (from, to, want) in cases {
        assert!(GOOD.contains(from), "{from}");
        let e = with_table(&GOOD.replacen(from, to, 1)).unwrap_err();
        assert!(e.contains(want), "{to}: {e}");
        assert!(e.starts_with("政策文件「lc.toml」第 "), "{e}");
    }
    // Two kinds covering the same occupation and level.
    let overlap = GOOD.replace("[\"6-31-01-03\"]", "[\"4-10-01-06\"]");
    let e = with_table(&overlap).unwrap_err();
    assert!(e.contains("覆盖同一职业和等级"), "{e}");
    // The line of the kind that is wrong: the table's, then 7 more.
    let e = with_table(&GOOD.replacen("yuan = 900 }", "yuan = -5 }", 1)).unwrap_err();
    let text = policy_text("liaocheng-2019.toml");
    let table_line = text[..text.find("[vouchers]").unwrap()]
        .matches('\n')
        .count()
        + 1;
    assert!(e.contains(&format!("第 {} 行", table_line + 7)), "{e}");
    assert!(e.contains("不能为负数"), "{e}");
}

fn lc_claim(voucher: Option<VoucherFacts>) -> jineng_domain::policy::facts::ClaimFacts {
    let mut k = class(
        7,
        "371502",
        "就业技能培训",
        "4-10-01-06",
        "2019-03-10",
        "2019-03-30",
    );
    k.level = Some(SkillLevel::Five);
    let c = cert(
        CertificateType::SkillLevel,
        "E1",
        "4-10-01-06",
        Some(SkillLevel::Five),
        "2019-04-10",
    );
    let mut claim = cert_claim("V1", c, k);
    claim.voucher = voucher;
    claim
}

#[test]
fn a_redeemed_voucher_settles_the_claim_at_face_value() {
    let p = with_table(GOOD).unwrap();
    let who = person("371502", vec![cat("登记失业人员", "2018-01-01")]);
    let plain = decide(&p, &who, &lc_claim(None), &[], d("2019-05-01"));
    assert_eq!(
        (plain.outcome, plain.amount),
        (DecisionOutcome::Approved, Fen(80_000))
    );
    assert_eq!(plain.payee(), Some(PayeeKind::Person));
    let v = VoucherFacts {
        voucher_no: "PXQ37150220190000015".into(),
        face: Fen(90_000),
    };
    let claim = lc_claim(Some(v));
    let dec = decide(&p, &who, &claim, &[], d("2019-05-01"));
    assert_eq!(
        (dec.outcome, dec.amount),
        (DecisionOutcome::Approved, Fen(90_000))
    );
    assert_eq!(dec.payee(), Some(PayeeKind::Institution));
    let lines = rendered(&p, &claim, &dec, "家政服务员");
    let line = lines
        .iter()
        .find(|l| l.contains("培训券 PXQ37150220190000015"))
        .unwrap_or_else(|| panic!("{lines:#?}"));
    assert!(
        line.contains("按券面值 900.00 元 结算（标准为 800.00 元），支付给培训机构"),
        "{line}"
    );
    assert!(line.contains("(聊政办发〔2019〕10号 二十一)"), "{line}");
    // A policy without vouchers ignores the voucher.
    let none = repo_policy("liaocheng-2019.toml");
    let mut bare = none.clone();
    bare.vouchers = None;
    let d2 = decide(&bare, &who, &claim, &[], d("2019-05-01"));
    assert_eq!(d2.amount, Fen(80_000));
}

#[test]
fn redemption_refusals_say_why() {
    let occ = occ("4-10-01-06");
    let v = Voucher {
        no: VoucherNo::new("371502", 2024, 7).unwrap(),
        person_id: 1,
        status: VoucherStatus::Issued,
        issued_on: d("2024-01-01"),
        valid_until: d("2024-06-30"),
        rule: FaceRule {
            kind_code: "JZ5".into(),
            kind_name: "家政服务初级券".into(),
            occupations: vec![occ.clone()],
            level: Some(SkillLevel::Five),
            face: Fen(90_000),
        },
        redeemed: None,
    };
    let class = EnrolmentAt {
        class_no: "2024-009".into(),
        occupation: occ,
        occupation_name: "家政服务员".into(),
        level: Some(SkillLevel::Five),
        end: d("2024-05-31"),
        enrolled: true,
        other_voucher: None,
        decided_claim: None,
    };
    let on = d("2024-05-01");
    assert_eq!(check_redemption(&v, 1, &class, on, "家政服务员"), Ok(()));
    let why = |v: &Voucher, p: i64, c: &EnrolmentAt, on: chrono::NaiveDate| {
        check_redemption(v, p, c, on, "家政服务员")
            .unwrap_err()
            .to_string()
    };
    assert!(why(&v, 2, &class, on).contains("不属于该学员"));
    assert!(why(&v, 1, &class, d("2024-07-01")).contains("已过有效期（有效期至 2024-06-30）"));
    let four = EnrolmentAt {
        level: Some(SkillLevel::Four),
        ..class.clone()
    };
    let m = why(&v, 1, &four, on);
    assert!(
        m.contains("限「家政服务初级券」（家政服务员 五级/初级工）"),
        "{m}"
    );
    assert!(m.contains("四级/中级工，职业或等级不符"), "{m}");
    let used = Voucher {
        status: VoucherStatus::Used,
        redeemed: Some(("2024-001".into(), d("2024-03-01"))),
        ..v.clone()
    };
    assert!(why(&used, 1, &class, on).contains("已于 2024-03-01 在培训班 2024-001 使用"));
    let out = EnrolmentAt {
        enrolled: false,
        ..class.clone()
    };
    assert!(why(&v, 1, &out, on).contains("不在培训班 2024-009 的花名册中"));
    assert!(why(&v, 1, &class, d("2024-06-01")).contains("已于 2024-05-31 结业"));
}

fn voucher(person_id: i64, status: VoucherStatus) -> Voucher {
    Voucher {
        no: VoucherNo::new("371502", 2024, 3).unwrap(),
        person_id,
        status,
        issued_on: d("2024-01-01"),
        valid_until: d("2024-06-30"),
        rule: FaceRule {
            kind_code: "JZ5".into(),
            kind_name: "家政初级券".into(),
            occupations: vec![occ("4-10-01-06")],
            level: Some(SkillLevel::Five),
            face: Fen(90_000),
        },
        redeemed: None,
    }
}

fn at(level: Option<SkillLevel>, enrolled: bool) -> EnrolmentAt {
    EnrolmentAt {
        class_no: "K1".into(),
        occupation: occ("4-10-01-06"),
        occupation_name: "家政服务员".into(),
        level,
        end: d("2024-12-31"),
        enrolled,
        other_voucher: None,
        decided_claim: None,
    }
}

proptest! {
    #[test]
    fn any_single_digit_typo_is_caught(region in 110000u32..660000, year in 2000i32..2100,
                                       seq in 1u32..999_999, pos in 3usize..20, delta in 1u8..10) {
        let no = VoucherNo::new(&region.to_string(), year, seq).unwrap();
        prop_assert_eq!(VoucherNo::parse(no.as_str()).unwrap(), no.clone());
        let mut bytes = no.as_str().as_bytes().to_vec();
        bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
        let typo = String::from_utf8(bytes).unwrap();
        prop_assert!(VoucherNo::parse(&typo).is_err(), "{} accepted", typo);
    }

    #[test]
    fn redemption_needs_holder_status_validity_and_fit(
        holder in 1i64..4, status in 0usize..3, day in 0i64..400, level in 3u8..6, enrolled: bool,
    ) {
        let st = VoucherStatus::ALL[status];
        let v = voucher(1, st);
        let on = d("2024-01-01") + chrono::Duration::days(day);
        let lvl = SkillLevel::from_grade(level);
        let ok = check_redemption(&v, holder, &at(lvl, enrolled), on, "家政服务员").is_ok();
        let want = holder == 1 && st == VoucherStatus::Issued && on <= v.valid_until
            && enrolled && lvl == Some(SkillLevel::Five);
        prop_assert_eq!(ok, want);
    }

    /// Random commits and releases of a few vouchers on one fund: what is
    /// refused changes nothing; the memorandum pair stays equal to the
    /// outstanding face values, the bank untouched; each voucher's
    /// postings pass the verification's check.
    #[test]
    fn commitments_track_outstanding_vouchers(ops in prop::collection::vec((0usize..6, any::<bool>(), 1i64..500), 1..200)) {
        let fund = FundCode::parse("ES").unwrap();
        let mut b = FundBalances { bank: Fen(100_000), source: Fen(100_000), ..FundBalances::default() };
        let mut states: Vec<VoucherLedgerState> = vec![VoucherLedgerState::default(); 6];
        let mut counts = [(0i64, 0i64, 0i64); 6];
        for (i, is_commit, amount) in ops {
            let name = format!("V{i}");
            let p = if is_commit {
                commit(&fund, &name, Fen(amount * 100), &b, &states[i])
            } else {
                release(&name, ReleaseReason::Lapsed, &states[i])
            };
            let Ok(p) = p else { continue };
            prop_assert!(p.problems().is_empty(), "{:?}", p.problems());
            b = b.after(&p).unwrap();
            states[i].record(&p);
            let c = &mut counts[i];
            if is_commit { c.0 += 1 } else { c.1 += 1 }
            c.2 += p.entries.iter().filter(|e| e.account.code().starts_with("committed:")).map(|e| e.debit.0 - e.credit.0).sum::<i64>();
        }
        let outstanding: Fen = states.iter().map(|s| s.outstanding()).sum();
        prop_assert_eq!(b.committed, outstanding);
        prop_assert_eq!(b.pledge, outstanding);
        prop_assert!(b.is_consistent());
        prop_assert_eq!(b.bank, Fen(100_000));
        prop_assert!(b.committed <= b.bank);
        for (i, s) in states.iter().enumerate() {
            let (commits, releases, net) = counts[i];
            if commits == 0 { continue; }
            let face = s.committed.as_ref().map(|(_, a)| *a).unwrap();
            let v = voucher_violations(&format!("V{i}"), commits, releases, net, face, !s.released);
            prop_assert!(v.is_empty(), "{:?}", v);
        }
    }
}
