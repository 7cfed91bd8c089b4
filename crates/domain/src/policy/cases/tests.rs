use super::*;
use crate::refdata::RefData;

const POLICY: &str = r#"
[policy]
id = "t"
title = "测试政策"
doc_no = "测政发〔2019〕1号"
region = "371500"
valid_from = "2019-01-01"

[rules.R1]
clause = "二十一"
subsidy_type = "职业培训补贴"
cert_types = ["职业技能等级证书"]
training_place = ["户籍地"]
place_level = "市"

[rules.R2]
clause = "二十一"
max_per_year = 3
year_basis = "证书日期"
subsidy_types = ["职业培训补贴"]

[catalogue]
entries = [
  { occupation = "6-31-01-03", cert = "职业技能等级证书", level = "四级", yuan = 1500, from = "2019-01-01" },
]
"#;

fn policy() -> Policy {
    let mut read = |_: &str| Ok(POLICY.to_string());
    super::super::load("t.toml", &mut read, &RefData::default())
        .unwrap()
        .0
}

fn err(text: &str) -> CasesError {
    parse("t.tests.toml", text, &policy()).unwrap_err()
}

const GOOD: &str = r#"
[[case]]
name = "电工四级"
clause = "测政发〔2019〕1号 二十一"
[case.claim.certificate]
level = "四级"
[case.expect]
outcome = "approved"
amount = "1,500.00"
payee = "person"
rules = []

[[case]]
name = "第四次"
clause = "测政发〔2019〕1号 二十一"
awards = [{}, {}, {}]
[case.claim.certificate]
level = "四级"
[case.expect]
outcome = "核准"
amount = 1500
"#;

#[test]
fn a_good_file_runs_and_a_wrong_expectation_is_reported_with_expected_and_got() {
    let p = policy();
    let file = parse("t.tests.toml", GOOD, &p).unwrap();
    assert_eq!(file.cases.len(), 2);
    assert_eq!(file.cases[0].line, 2);
    assert_eq!(file.cases[1].line, 13);
    let c = &file.cases[0];
    assert_eq!(
        c.person.hukou.as_str(),
        "371500",
        "户籍 defaults to the policy's region"
    );
    assert_eq!(
        c.claim.certificate.as_ref().unwrap().issue_date.to_string(),
        "2019-10-10"
    );
    assert_eq!(c.claim.applied_on.to_string(), "2019-10-20");
    let results = run(&p, &file, &|_| None);
    assert_eq!(results[0].status, Status::Passed, "{:?}", results[0]);
    assert_eq!(results[1].status, Status::Failed);
    assert_eq!(
        results[1].mismatches,
        vec![
            "结论：应为 核准，实际 不予核准".to_string(),
            "金额：应为 1500.00元，实际 0.00元".to_string()
        ]
    );
    assert_eq!(results[1].got.rules, vec![RuleId::R2]);
    let s = Summary::of(&results);
    assert_eq!(s.to_string(), "1 passed, 1 failed, 0 pending");
}

#[test]
fn a_pending_case_does_not_fail_and_one_the_engine_now_agrees_with_is_fixed() {
    let p = policy();
    let text = GOOD
        .replace("name = \"第四次\"", "name = \"第四次\"\npending = \"示例\"")
        .replace(
            "name = \"电工四级\"",
            "name = \"电工四级\"\npending = \"示例\"",
        );
    let results = run(&p, &parse("t.tests.toml", &text, &p).unwrap(), &|_| None);
    assert_eq!(results[0].status, Status::Fixed);
    assert_eq!(results[1].status, Status::Pending);
    let s = Summary::of(&results);
    assert_eq!((s.failed, s.pending, s.fixed), (0, 1, 1));
}

#[test]
fn defaults_fill_what_a_case_leaves_out() {
    let text = r#"
[defaults.person]
categories = ["登记失业人员"]
[defaults.claim.class]
site = "371502"
start = "2020-03-02"

[[case]]
name = "a"
clause = "二十一"
[case.claim.class]
end = "2020-04-30"
[case.expect]
outcome = "approved"
"#;
    let f = parse("t.tests.toml", text, &policy()).unwrap();
    let c = &f.cases[0];
    let class = c.claim.class.as_ref().unwrap();
    assert_eq!(class.site.as_str(), "371502");
    assert_eq!(class.start.to_string(), "2020-03-02");
    assert_eq!(class.end.to_string(), "2020-04-30");
    assert_eq!(c.person.categories[0].category, "登记失业人员");
}

#[test]
fn errors_name_the_file_the_line_and_what_is_wrong_in_chinese() {
    let e = err(
        "[[case]]\nname = \"a\"\nclause = \"x\"\ncolour = 1\n[case.expect]\noutcome = \"approved\"\n",
    );
    assert_eq!(e.line, Some(4));
    assert!(
        e.to_string()
            .starts_with("政策测试文件「t.tests.toml」第 4 行："),
        "{e}"
    );
    assert!(e.message.contains("未知参数 colour"), "{e}");

    let e = err("[[case]]\nname = \"a\"\nclause = \"x\"\n[case.expect]\noutcome = \"ok\"\n");
    assert_eq!(e.line, Some(5));
    assert!(e.message.contains("无法识别的结论「ok」"), "{e}");

    let e = err("[[case]]\nname = \"a\"\n\n[case.expect]\noutcome = \"approved\"\n");
    assert_eq!(e.line, Some(1));
    assert!(e.message.contains("缺少 clause"), "{e}");

    let e = err("[[case]]\nname = \"a\"\nclause = \"x\"\n");
    assert!(e.message.contains("缺少 [case.expect]"), "{e}");

    let e = err(
        "[[case]]\nname = \"a\"\nclause = \"x\"\n[case.expect]\noutcome = \"rejected\"\nrules = [\"R2\", \"R18\"]\n",
    );
    assert_eq!(e.line, Some(6));
    assert!(e.message.contains("未知规则「R18」"), "{e}");

    let e = err(
        "[[case]]\nname = \"a\"\nclause = \"x\"\n[case.claim.certificate]\ndate = \"2019-13-01\"\n[case.expect]\noutcome = \"approved\"\n",
    );
    assert_eq!(e.line, Some(5));

    let e = err(
        "[[case]]\nname = \"a\"\nclause = \"x\"\n[case.claim.certificate]\ntype = \"毕业证\"\n[case.expect]\noutcome = \"approved\"\n",
    );
    assert_eq!(e.line, Some(5));
    assert!(e.message.contains("无法识别的证书类型「毕业证」"), "{e}");

    let e = err(
        "[[case]]\nname = \"a\"\nclause = \"x\"\n[case.expect]\noutcome = \"approved\"\namount = 1500.5\n",
    );
    assert_eq!(e.line, Some(6));
    assert!(e.message.contains("避免浮点数"), "{e}");

    let dup = "[[case]]\nname = \"a\"\nclause = \"x\"\n[case.expect]\noutcome = \"approved\"\n";
    let e = err(&format!("{dup}{dup}"));
    assert_eq!(e.line, Some(6));
    assert!(e.message.contains("用例名称「a」重复"), "{e}");

    let e = err("policy = \"t.toml\"\n");
    assert_eq!(e.line, None);
    assert!(e.message.contains("没有测试用例"), "{e}");
}
