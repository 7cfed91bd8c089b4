//! `jineng report standards`, the 标准评估 page and its API on the demo
//! jurisdiction, on SQLite and PostgreSQL: the counts and sums of a row are
//! the records' (the claims export and plain SQL, counted apart from the
//! report); the published Jiangsu amount stands beside the class-B 五级
//! row (800 元); the refusals are counted per rule as the export names
//! them; the xlsx opens with the same totals; the API answers what the CLI
//! prints; a county officer sees only the county, and the API refuses
//! another region.

use crate::common;

use crate::common::http::{CITY, Sql};
use calamine::{Data, Reader, Xlsx, open_workbook};
use common::fixtures::export_claims;
use common::{TestDb, backends};
use serde_json::Value;
use std::collections::BTreeMap;

const APPROVED: [&str; 5] = ["approved", "advanced", "in_transit", "failed", "paid"];

pub fn report(db: &TestDb, region: &str) -> Value {
    let out = db.ok(&["report", "standards", "--region", region, "--year", "2019"]);
    serde_json::from_str(&out).unwrap()
}

pub fn row<'a>(
    r: &'a Value,
    subsidy: &str,
    occ: &str,
    level: Option<u64>,
    cert: &str,
) -> &'a Value {
    r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| {
            x["subsidy_type"] == subsidy
                && x["occupation"] == occ
                && x["level"].as_u64() == level
                && x["cert_type"] == cert
        })
        .unwrap_or_else(|| panic!("no row {subsidy} {occ} {level:?} {cert}"))
}

pub fn i(v: &Value) -> i64 {
    v.as_i64().unwrap()
}

#[path = "report_standards/web.rs"]
mod web;
use web::web_and_api;

#[test]
fn the_evaluation_counts_compares_and_keeps_to_the_scope() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for db in backends("report_standards") {
        db.demo(&["--persons", "1000"]);
        let city = report(&db, CITY);
        let claims = export_claims(&db);
        rt.block_on(async {
            let mut sql = Sql::open(&db).await;
            a_row_is_the_records(&db, &city, &claims, &mut sql).await;
            the_totals_are_the_records(&db, &city, &claims, &mut sql).await;
        });
        jiangsu_beside_the_b_five_row(&db, &city);
        refusals_by_rule(&db, &city, &claims);
        xlsx_has_the_same_totals(&db, &city);
        rt.block_on(web_and_api(&db, &city));
        refusals_of_the_command(&db);
        rt.block_on(an_undecided_claim_joins_its_row(&db, &city));
    }
}

/// 养老护理员 五级 职业技能等级证书 (职业培训补贴): its claims found by
/// SQL through their certificates, their outcomes and amounts from the
/// export, their money from the ledger.
async fn a_row_is_the_records(
    db: &TestDb,
    city: &Value,
    claims: &BTreeMap<String, Value>,
    sql: &mut Sql,
) {
    let b = db.backend;
    let nos = sql
        .texts(
            "SELECT c.claim_no FROM claims c JOIN certificates ce ON ce.person_id = c.person_id \
             AND ce.cert_no = c.cert_no WHERE c.subsidy_type = '职业培训补贴' \
             AND ce.occupation_code = '4-10-01-05' AND ce.skill_level = 5 AND ce.cert_type = 'skill_level' \
             ORDER BY c.claim_no",
        )
        .await;
    let of_year: Vec<&Value> = nos
        .iter()
        .map(|n| &claims[n])
        .filter(|c| c["year"] == 2019)
        .collect();
    assert!(of_year.len() >= 5, "[{b}] the demo's row has claims");
    let approved: Vec<&&Value> = of_year
        .iter()
        .filter(|c| APPROVED.contains(&c["status"].as_str().unwrap()))
        .collect();
    let status = |s: &str| of_year.iter().filter(|c| c["status"] == s).count() as i64;
    let r = row(city, "职业培训补贴", "4-10-01-05", Some(5), "skill_level");
    assert_eq!(i(&r["claims"]), of_year.len() as i64, "[{b}] claims");
    assert_eq!(i(&r["approved"]), approved.len() as i64, "[{b}] approved");
    assert_eq!(i(&r["rejected"]), status("rejected"), "[{b}] rejected");
    assert_eq!(i(&r["review"]), status("review"), "[{b}] review");
    let approved_fen: i64 = approved.iter().map(|c| i(&c["amount_fen"])).sum();
    assert_eq!(i(&r["approved_fen"]), approved_fen, "[{b}] approved_fen");
    let list = approved
        .iter()
        .map(|c| format!("'{}'", c["claim_no"].as_str().unwrap()))
        .collect::<Vec<_>>()
        .join(",");
    let certs = sql
        .int(&format!(
            "SELECT COUNT(DISTINCT cert_no) FROM claims WHERE claim_no IN ({list})"
        ))
        .await;
    assert_eq!(i(&r["certificates"]), certs, "[{b}] certificates");
    assert_eq!(
        i(&r["avg_fen_per_certificate"]),
        approved_fen / certs,
        "[{b}] avg"
    );
    // Paid: what the ledger's expense and advance accounts took for them.
    let paid = sql
        .int(&format!(
            "SELECT CAST(COALESCE(SUM(e.debit_fen - e.credit_fen), 0) AS BIGINT) FROM ledger_tx t \
             JOIN ledger_entries e ON e.tx_id = t.tx_id WHERE t.claim_no IN ({list}) \
             AND (e.account LIKE 'expense:%' OR e.account LIKE 'advances:%')"
        ))
        .await;
    assert_eq!(i(&r["paid_fen"]), paid, "[{b}] paid_fen");
    let paid_export: i64 = approved
        .iter()
        .filter(|c| c["status"] == "paid")
        .map(|c| i(&c["amount_fen"]))
        .sum();
    assert_eq!(paid, paid_export, "[{b}] paid claims are paid in full");
    assert_eq!(
        i(&r["fund_share_bp"]),
        paid * 10_000 / i(&city["totals"]["paid_fen"]),
        "[{b}] share"
    );
}

/// The whole city: every 2019 claim of the export (the demo without
/// `--all` is 聊城 alone), and the shares adding up.
async fn the_totals_are_the_records(
    db: &TestDb,
    city: &Value,
    claims: &BTreeMap<String, Value>,
    sql: &mut Sql,
) {
    let b = db.backend;
    let t = &city["totals"];
    let year: Vec<&Value> = claims.values().filter(|c| c["year"] == 2019).collect();
    assert_eq!(i(&t["claims"]), year.len() as i64, "[{b}] total claims");
    let approved_fen: i64 = year
        .iter()
        .filter(|c| APPROVED.contains(&c["status"].as_str().unwrap()))
        .map(|c| i(&c["amount_fen"]))
        .sum();
    assert_eq!(i(&t["approved_fen"]), approved_fen, "[{b}] approved_fen");
    let rows = city["rows"].as_array().unwrap();
    let sum = |k: &str| rows.iter().map(|r| i(&r[k])).sum::<i64>();
    for k in ["claims", "approved", "rejected", "paid_fen", "certificates"] {
        assert_eq!(sum(k), i(&t[k]), "[{b}] Σ rows {k}");
    }
    let shares = sum("fund_share_bp");
    assert!(
        shares <= 10_000 && shares > 10_000 - rows.len() as i64,
        "[{b}] {shares}"
    );
    let n = sql.int("SELECT COUNT(*) FROM claims").await;
    assert!(n > year.len() as i64, "[{b}] other years are left out");
}

fn jiangsu_beside_the_b_five_row(db: &TestDb, city: &Value) {
    let b = db.backend;
    let r = row(city, "职业培训补贴", "4-10-01-06", Some(5), "skill_level");
    assert_eq!(r["occupation_name"], "家政服务员", "[{b}]");
    assert_eq!(r["standard_fen"], 80_000, "[{b}] the catalogue's B 五级");
    assert_eq!(r["grade"], "B", "[{b}]");
    assert_eq!(r["published_fen"], 80_000, "[{b}] Jiangsu's B 五级");
    assert_eq!(r["published_kind"], "exact", "[{b}]");
    assert_eq!(r["published_label"], "B类职业 五级/初级工", "[{b}]");
    assert!(
        r["published_source"]
            .as_str()
            .unwrap()
            .contains("江苏省2023年"),
        "[{b}] {r}"
    );
    assert_eq!(r["difference_fen"], 0, "[{b}]");
    let a = row(city, "职业培训补贴", "4-12-01-01", Some(4), "skill_level");
    assert_eq!(
        (&a["grade"], &a["published_fen"]),
        (&"A".into(), &150_000.into())
    );
    let up = row(city, "技能提升补贴", "4-10-01-05", Some(5), "skill_level");
    assert_eq!(up["published_kind"], "up_to", "[{b}] {up}");
    assert_eq!(city["published_file"], "data/published_amounts.toml");
}

/// The refusals per rule: the rejected 2019 claims of the export naming it.
fn refusals_by_rule(db: &TestDb, city: &Value, claims: &BTreeMap<String, Value>) {
    let b = db.backend;
    let mut want: BTreeMap<String, i64> = BTreeMap::new();
    for c in claims
        .values()
        .filter(|c| c["year"] == 2019 && c["status"] == "rejected")
    {
        for r in c["rules"].as_array().unwrap() {
            *want.entry(r.as_str().unwrap().to_string()).or_default() += 1;
        }
    }
    let got: BTreeMap<String, i64> = city["totals"]["rejections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["rule"].as_str().unwrap().to_string(), i(&r["count"])))
        .collect();
    assert_eq!(got, want, "[{b}] refusals by rule");
    assert!(
        got.contains_key("R2"),
        "[{b}] the planted fourth certificate"
    );
    let r2 = city["totals"]["rejections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "R2")
        .unwrap();
    assert_eq!(r2["title"], "年度次数", "[{b}]");
    assert_eq!(r2["clause"], "聊政办发〔2019〕10号 二十一", "[{b}]");
}

pub fn number(d: &Data) -> f64 {
    match d {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => panic!("not a number: {other:?}"),
    }
}

/// The rows' sheet's total line: claims, approved 元, paid 元.
pub fn sheet_totals(range: &calamine::Range<Data>) -> (i64, i64, i64) {
    let rows: Vec<&[Data]> = range.rows().collect();
    assert_eq!(rows[2][17], Data::String("现行标准（元）".into()));
    assert_eq!(rows[2][21], Data::String("公开标准（元）".into()));
    let total = rows.last().unwrap();
    assert_eq!(total[0], Data::String("合计".into()));
    let fen = |d: &Data| (number(d) * 100.0).round() as i64;
    (number(&total[6]) as i64, fen(&total[12]), fen(&total[13]))
}

fn xlsx_has_the_same_totals(db: &TestDb, city: &Value) {
    let b = db.backend;
    let path = db.path("standards.xlsx");
    let p = path.to_str().unwrap();
    db.ok(&[
        "report",
        "standards",
        "--region",
        CITY,
        "--year",
        "2019",
        "--out",
        p,
    ]);
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    let range = wb.worksheet_range("标准评估").unwrap();
    let t = &city["totals"];
    let want = (i(&t["claims"]), i(&t["approved_fen"]), i(&t["paid_fen"]));
    assert_eq!(sheet_totals(&range), want, "[{b}] xlsx totals");
    let b5 = range
        .rows()
        .find(|r| {
            r[0] == Data::String("职业培训补贴".into())
                && r[1] == Data::String("4-10-01-06".into())
                && r[3] == Data::String("五级/初级工".into())
                && r[4] == Data::String("职业技能等级证书".into())
        })
        .unwrap();
    assert_eq!((number(&b5[17]), number(&b5[21])), (800.0, 800.0), "[{b}]");
    let reasons = wb.worksheet_range("不予核准原因").unwrap();
    assert!(
        reasons.rows().any(|r| r[0] == Data::String("R2".into())),
        "[{b}] R2 on the refusals' sheet"
    );
}

fn refusals_of_the_command(db: &TestDb) {
    let b = db.backend;
    let out = db.run(&[
        "report",
        "standards",
        "--region",
        "371599",
        "--year",
        "2019",
    ]);
    assert!(!out.status.success(), "[{b}]");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("没有地区「371599」"), "[{b}] {err}");
    let bad = db.csv(
        "bad.toml",
        "[[source]]\nid = \"x\"\ntitle = \"示例\"\n\n[[amount]]\nsource = \"x\"\nlabel = \"a\"\nsubsidy = \"职业培训补贴\"\nyuan = 800.5\n",
    );
    let out = db.run(&against(&bad));
    assert!(!out.status.success(), "[{b}]");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("公开标准文件") && err.contains("第 ") && err.contains("浮点"),
        "[{b}] {err}"
    );
    // Another file is read instead of the shipped one.
    let own = db.csv(
        "own.toml",
        "[[source]]\nid = \"x\"\ntitle = \"本省示例\"\n\n[[amount]]\nsource = \"x\"\nlabel = \"B五级\"\nsubsidy = \"职业培训补贴\"\ngrade = \"B\"\nlevel = \"五级\"\nyuan = 1000\n",
    );
    let out = db.ok(&against(&own));
    let v: Value = serde_json::from_str(&out).unwrap();
    let r = row(&v, "职业培训补贴", "4-10-01-06", Some(5), "skill_level");
    assert_eq!(
        (&r["published_fen"], &r["difference_fen"]),
        (&100_000.into(), &(-20_000).into())
    );
}

/// `report standards` for the city in 2019, against the published
/// standards of `file` instead of the shipped ones.
fn against(file: &std::path::Path) -> [&str; 8] {
    let file = file.to_str().unwrap();
    [
        "report",
        "standards",
        "--region",
        CITY,
        "--year",
        "2019",
        "--published",
        file,
    ]
}

/// A claim not decided yet (its decision wiped here) stays in its row,
/// under the policy governing the city, as pending.
async fn an_undecided_claim_joins_its_row(db: &TestDb, city: &Value) {
    let b = db.backend;
    let mut sql = Sql::open(db).await;
    let no = sql
        .text(
            "SELECT MIN(c.claim_no) FROM claims c JOIN certificates ce ON ce.person_id = c.person_id \
             AND ce.cert_no = c.cert_no WHERE c.subsidy_type = '职业培训补贴' AND c.status = 'eligible' \
             AND ce.occupation_code = '4-10-01-06' AND ce.skill_level = 5 AND ce.cert_type = 'skill_level' \
             AND c.basis_year = 2019 AND c.applied_on LIKE '2019%'",
        )
        .await;
    sql.exec(&format!(
        "UPDATE claims SET status = 'submitted', outcome = NULL, policy_id = NULL, policy_version = NULL, \
         basis_year = NULL, trace = NULL, flagged_rules = NULL, amount_fen = NULL WHERE claim_no = '{no}'"
    ))
    .await;
    let after = report(db, CITY);
    let before = row(city, "职业培训补贴", "4-10-01-06", Some(5), "skill_level");
    let now = row(&after, "职业培训补贴", "4-10-01-06", Some(5), "skill_level");
    assert_eq!(
        now["claims"], before["claims"],
        "[{b}] {no} stays in its row"
    );
    assert_eq!(
        now["pending"], before["pending"],
        "[{b}] eligible or undecided: pending"
    );
    assert_eq!(now["policy"], "liaocheng-2019", "[{b}]");
    assert!(
        after["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["policy"] == "liaocheng-2019"),
        "[{b}] no row without its policy"
    );
}
