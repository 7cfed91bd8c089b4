//! Drafts and the what-if replay under Liaocheng's policy: an overlay merges
//! into its base path by path (an identity overlay is the base, an unknown
//! path is refused naming it), and the replay compares the base and the
//! draft claim by claim with the same history.

use crate::common;

use common::{cat, cert, cert_claim, class, level, person, policy_text, refdata};
use jineng_domain::policy::overlay::{self, DraftKind};
use jineng_domain::policy::whatif::{self, Comparison, PersonClaims, ReplayClaim};
use jineng_domain::policy::{Policy, PolicySources, RuleId};
use jineng_domain::{CertificateType, Fen, RegionCode, SkillLevel};
use proptest::prelude::*;

const BASE: &str = "liaocheng-2019.toml";

fn base_sources() -> PolicySources {
    PolicySources {
        files: vec![(BASE.to_string(), policy_text(BASE))],
    }
}

fn base() -> Policy {
    common::repo_policy(BASE)
}

fn apply(text: &str) -> Result<overlay::Applied, jineng_domain::policy::PolicyError> {
    overlay::apply("drafts/x.toml", text, &base_sources(), &refdata())
}

const HEAD: &str = "[overlay]\nbase = \"liaocheng-2019\"\ntitle = \"测试\"\n";

/// What a catalogue prices, without where each entry was written.
fn prices(p: &Policy) -> Vec<String> {
    p.catalogue
        .entries
        .iter()
        .map(|e| format!("{} {} {:?} {}", e.describe(), e.amount, e.from, e.dept))
        .collect()
}

#[test]
fn an_empty_overlay_is_its_base() {
    let a = apply(HEAD).unwrap();
    let b = base();
    assert_eq!(prices(&a.policy), prices(&b));
    assert_eq!(format!("{:?}", a.policy.rules), format!("{:?}", b.rules));
    assert_eq!(a.policy.meta, b.meta);
    assert!(a.changes.is_empty());
    assert_eq!(a.head.title, "测试");
}

#[test]
fn a_grade_level_changes_only_that_level_of_the_grade() {
    let a = apply(&format!(
        "{HEAD}[catalogue.grades]\nB = {{ \"五级\" = 1000 }}\n"
    ))
    .unwrap();
    assert_eq!(a.changes, ["catalogue.grades.B.五级"]);
    let b = base();
    let find = |p: &Policy, occ: &str, lvl: &str| {
        p.catalogue
            .find(
                "职业培训补贴",
                Some(&common::occ(occ)),
                level(lvl),
                Some(CertificateType::SkillLevel),
                common::d("2019-06-01"),
            )
            .map(|f| f.base)
    };
    // 家政服务员 is class B, 电工 class A.
    assert_eq!(find(&b, "4-10-01-06", "五级"), Some(Fen(80_000)));
    assert_eq!(find(&a.policy, "4-10-01-06", "五级"), Some(Fen(100_000)));
    assert_eq!(find(&a.policy, "4-10-01-06", "四级"), Some(Fen(120_000)));
    assert_eq!(find(&a.policy, "6-31-01-03", "五级"), Some(Fen(100_000)));
    assert_eq!(find(&b, "6-31-01-03", "五级"), Some(Fen(100_000)));
}

#[test]
fn rules_are_changed_switched_off_and_added_parameter_by_parameter() {
    let a = apply(&format!(
        "{HEAD}[rules.R2]\nmax_per_year = 2\n[rules.R3]\nenabled = false\n[rules.R8]\ndaily = \"35.50\"\nmax_days = 20\n"
    ))
    .unwrap();
    let r = &a.policy.rules;
    assert_eq!(r.r2.as_ref().unwrap().params.max_per_year, 2);
    assert!(r.r3.is_none());
    let r8 = &r.r8.as_ref().unwrap().params;
    assert_eq!(r8.daily, Fen(3550));
    assert_eq!(r8.max_days, Some(20));
    assert_eq!(
        a.changes,
        [
            "rules.R2.max_per_year",
            "rules.R3.enabled",
            "rules.R8.daily",
            "rules.R8.max_days"
        ]
    );
}

#[test]
fn an_entry_for_the_same_item_replaces_the_base_one_and_a_new_item_is_appended() {
    let a = apply(&format!(
        "{HEAD}[catalogue]\nentries = [\n  {{ occupation = \"4-10-01-06\", cert = \"专项职业能力证书\", yuan = 1000, from = \"2019-01-01\" }},\n  {{ occupation = \"4-03-02-01\", cert = \"专项职业能力证书\", yuan = 700, from = \"2019-01-01\" }},\n]\n"
    ))
    .unwrap();
    let b = base();
    assert_eq!(
        a.policy.catalogue.entries.len(),
        b.catalogue.entries.len() + 1
    );
    let find = |occ: &str| {
        a.policy
            .catalogue
            .find(
                "职业培训补贴",
                Some(&common::occ(occ)),
                None,
                Some(CertificateType::SpecialAbility),
                common::d("2019-06-01"),
            )
            .map(|f| f.base)
    };
    assert_eq!(find("4-10-01-06"), Some(Fen(100_000)));
    assert_eq!(find("4-03-02-01"), Some(Fen(70_000)));
    assert_eq!(a.changes, ["catalogue.entries[0]", "catalogue.entries[1]"]);
}

#[test]
fn an_unknown_path_is_refused_naming_it_and_its_line() {
    let cases = [
        ("[rules.R2]\nmax_per_yaer = 2\n", "rules.R2.max_per_yaer", 5),
        ("[rules.R99]\nclause = \"一\"\n", "rules.R99", 4),
        ("[catalog]\nnote = \"x\"\n", "catalog", 4),
        ("[catalogue]\nnotes = \"x\"\n", "catalogue.notes", 5),
        (
            "[catalogue]\nentries = [{ occupation = \"*\", cert = \"培训合格证书\", yaun = 600, from = \"2019-01-01\" }]\n",
            "catalogue.entries[0].yaun",
            5,
        ),
        (
            "[catalogue.grades.B]\n\"六级\" = 900\n",
            "catalogue.grades.B.六级",
            5,
        ),
    ];
    for (body, path, line) in cases {
        let e = apply(&format!("{HEAD}{body}")).unwrap_err();
        assert!(e.message.contains(path), "{path}: {e}");
        assert!(
            e.message.contains("未知") || e.message.contains("没有"),
            "{e}"
        );
        assert_eq!(e.file, "drafts/x.toml");
        assert_eq!(e.line, Some(line), "{path}: {e}");
    }
}

#[test]
fn a_draft_is_validated_as_a_policy_is() {
    let e = apply(&format!("{HEAD}[rules.R8]\ndaily = 30.5\n")).unwrap_err();
    assert!(
        e.to_string().contains("与基础政策「liaocheng-2019」合并后"),
        "{e}"
    );
    assert!(e.to_string().contains("避免浮点数"), "{e}");
    let e = apply(&format!("{HEAD}[policy]\nvalid_to = \"2022-12-31\"\n")).unwrap_err();
    assert!(e.message.contains("[policy]"), "{e}");
    let e = apply("[overlay]\ntitle = \"x\"\n").unwrap_err();
    assert!(e.message.contains("base"), "{e}");
    assert_eq!(
        overlay::kind("p.toml", &policy_text(BASE)).unwrap(),
        DraftKind::Full {
            id: "liaocheng-2019".into()
        }
    );
}

// ---------------------------------------------------------------- replay --

const SITE: &str = "371502";

/// Claim `n` of one person: a certificate of `occ` at `lvl`, in 2019.
fn item(n: u32, occ: &str, lvl: &str, month: u32) -> ReplayClaim {
    let day = format!("2019-{month:02}-20");
    let start = format!("2019-{month:02}-01");
    let end = format!("2019-{month:02}-15");
    let facts = cert_claim(
        &format!("C{n:03}"),
        cert(
            CertificateType::SkillLevel,
            &format!("Z{n}"),
            occ,
            level(lvl),
            &day,
        ),
        class(i64::from(n), SITE, "就业技能培训", occ, &start, &end),
    );
    ReplayClaim {
        facts,
        replay: true,
        award: None,
        region: RegionCode::parse(SITE).unwrap(),
        institution: Some("INST".into()),
    }
}

fn one_person(claims: Vec<ReplayClaim>) -> PersonClaims {
    PersonClaims {
        person: person(SITE, vec![cat("登记失业人员", "2018-01-01")]),
        claims,
    }
}

fn compare(draft: &Policy, p: &PersonClaims) -> (Comparison, Vec<whatif::ChangedClaim>) {
    let b = base();
    let today = common::d("2021-06-01");
    let compared = whatif::replay(&b, draft, p, today);
    let mut c = Comparison::default();
    let changed = c.add(&b, draft, p, &compared);
    (c, changed)
}

/// The draft policy of the overlay `HEAD` + `tail`.
fn draft(tail: &str) -> jineng_domain::policy::Policy {
    apply(&format!("{HEAD}{tail}")).unwrap().policy
}

#[test]
fn a_cap_change_flips_the_claim_the_cap_decided() {
    let draft = draft("[rules.R2]\nmax_per_year = 2\n");
    let p = one_person(vec![
        item(1, "4-10-01-06", "五级", 3),
        item(2, "6-31-01-03", "五级", 5),
        item(3, "4-07-05-01", "五级", 7),
        item(4, "4-03-02-01", "五级", 9),
    ]);
    let (c, changed) = compare(&draft, &p);
    assert_eq!(c.claims, 4);
    // Base: three approved, the fourth refused by R2; draft: two.
    assert_eq!(c.changed, 1);
    assert_eq!(c.flips.approved_to_rejected, 1);
    assert_eq!(changed[0].claim_no, "C003");
    assert_eq!(changed[0].rules_changed, [RuleId::R2]);
    assert_eq!(changed[0].base.amount_fen, 50_000);
    assert_eq!(changed[0].draft.amount_fen, 0);
    assert_eq!(c.base_fen - c.draft_fen, 50_000);
}

#[test]
fn a_catalogue_change_moves_the_claims_it_prices_by_the_difference() {
    let draft = draft("[catalogue.grades]\nB = { \"五级\" = 1000 }\n");
    let p = one_person(vec![
        item(1, "4-10-01-06", "五级", 3),
        item(2, "4-10-01-06", "四级", 5),
        item(3, "6-31-01-03", "五级", 7),
    ]);
    let (c, changed) = compare(&draft, &p);
    assert_eq!(c.changed, 1);
    assert_eq!(c.flips.amount_up, 1);
    assert_eq!(changed[0].claim_no, "C001");
    assert_eq!(changed[0].rules_changed, [RuleId::R1]);
    assert_eq!(c.draft_fen - c.base_fen, 20_000);
    let r = c.report("liaocheng-2019", &Default::default(), &[], &[]);
    let b5 = r
        .by_occupation
        .iter()
        .find(|o| o.occupation == "4-10-01-06" && o.level == "五级")
        .unwrap();
    assert_eq!(
        (
            b5.figures.changed,
            b5.figures.draft_fen - b5.figures.base_fen
        ),
        (1, 20_000)
    );
}

#[test]
fn an_award_before_the_period_counts_for_both_alike() {
    let draft = draft("[rules.R2]\nmax_per_year = 2\n");
    let mut earlier = item(1, "4-10-01-06", "五级", 3);
    earlier.replay = false;
    earlier.award = Some(jineng_domain::policy::facts::Award {
        claim_no: "C001".into(),
        subsidy_type: "职业培训补贴".into(),
        year: 2019,
        occupation: Some(common::occ("4-10-01-06")),
        level: Some(SkillLevel::Five),
        cert: None,
        class_key: None,
        months: 0,
        paid_months: Vec::new(),
        veteran_free: false,
    });
    let p = one_person(vec![
        earlier,
        item(2, "6-31-01-03", "五级", 5),
        item(3, "4-07-05-01", "五级", 7),
    ]);
    let (c, changed) = compare(&draft, &p);
    assert_eq!(c.claims, 2, "the earlier claim is not replayed");
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].claim_no, "C003");
}

/// Parameters of the base as written in its file: setting any of them to
/// the same value changes nothing.
const SAME: [&str; 6] = [
    "[rules.R2]\nmax_per_year = 3\n",
    "[rules.R8]\ndaily = 30\n",
    "[rules.R10]\nmonthly = 200\nmax_months = 6\n",
    "[catalogue.grades]\nB = { \"五级\" = 800, \"三级\" = 1800 }\n",
    "[catalogue]\nentries = [{ occupation = \"*\", cert = \"培训合格证书\", yuan = 500, from = \"2019-01-01\" }]\n",
    "[rules.R9]\nadvance_pct = 60\n",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn an_overlay_restating_base_values_is_the_base(pick in proptest::sample::subsequence(SAME.to_vec(), 0..=SAME.len())) {
        let a = apply(&format!("{HEAD}{}", pick.concat())).unwrap();
        let b = base();
        prop_assert_eq!(prices(&a.policy), prices(&b));
        prop_assert_eq!(format!("{:?}", a.policy.rules), format!("{:?}", b.rules));
        let p = one_person(vec![item(1, "4-10-01-06", "五级", 3), item(2, "6-31-01-03", "四级", 5),
            item(3, "4-07-05-01", "五级", 7), item(4, "4-03-02-01", "五级", 9)]);
        let (c, _) = compare(&a.policy, &p);
        prop_assert_eq!(c.changed, 0);
        prop_assert_eq!(c.base_fen, c.draft_fen);
    }
}

#[test]
fn the_shipped_draft_applies_to_its_base() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../policies/drafts/liaocheng-b5-1000.toml"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let a = overlay::apply(
        "policies/drafts/liaocheng-b5-1000.toml",
        &text,
        &base_sources(),
        &refdata(),
    )
    .unwrap();
    assert_eq!(a.head.base, "liaocheng-2019");
    assert_eq!(a.changes, ["catalogue.grades.B.五级"]);
}
