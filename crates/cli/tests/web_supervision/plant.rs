//! Cases planted in a demo database through the real binary: for three
//! paid claims, a second claim on the same certificate (S6 重复申领) is
//! imported, which opens one case each — one wholly in the county
//! (东昌府区), one of a county person trained elsewhere (it reaches the
//! county but crosses its border), one wholly outside the county.

#![allow(dead_code)]

use crate::common::TestDb;
use crate::common::http::{COUNTY, Sql};

/// One planted case: its number, the paid claim it names and the
/// duplicate imported beside it.
#[derive(Debug, Clone)]
pub struct Planted {
    pub case_no: String,
    pub claim: String,
    pub dup: String,
    pub amount_fen: i64,
    pub person_id: i64,
    pub id_number: String,
}

pub struct Cases {
    pub county: Planted,
    pub cross: Planted,
    pub outside: Planted,
}

async fn pick(sql: &mut Sql, cond: &str) -> (String, String, String, String, i64, i64) {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT c.claim_no, c.subsidy_type, p.id_number, c.cert_no, c.amount_fen, p.person_id \
         FROM claims c JOIN persons p ON p.person_id = c.person_id \
         JOIN classes cl ON cl.class_id = c.class_id JOIN institutions i ON i.institution_id = cl.institution_id \
         WHERE c.status = 'paid' AND c.subsidy_type IN ('职业培训补贴', '技能提升补贴') \
         AND c.cert_no IS NOT NULL AND {cond} ORDER BY c.claim_no LIMIT 1"
    )))
    .fetch_one(&mut sql.0)
    .await
    .unwrap_or_else(|e| panic!("the demo has a paid claim where {cond}: {e}"))
}

/// Plants the three cases; returns them by kind.
pub async fn plant(db: &TestDb, sql: &mut Sql) -> Cases {
    let c = COUNTY;
    let kinds = [
        format!(
            "p.hukou_region LIKE '{c}%' AND cl.site_region LIKE '{c}%' AND i.region_code LIKE '{c}%'"
        ),
        format!(
            "p.hukou_region LIKE '{c}%' AND (cl.site_region NOT LIKE '{c}%' OR i.region_code NOT LIKE '{c}%')"
        ),
        format!(
            "p.hukou_region NOT LIKE '{c}%' AND cl.site_region NOT LIKE '{c}%' AND i.region_code NOT LIKE '{c}%'"
        ),
    ];
    let mut csv = String::from(
        "申领编号,补贴类型,身份证号码,证书编号,班级编号,统一社会信用代码,申领单位,申请日期,月数,申请金额\n",
    );
    let mut picked = Vec::new();
    for (n, cond) in kinds.iter().enumerate() {
        let (claim, kind, id, cert, amount, person) = pick(sql, cond).await;
        let dup = format!("CF2019090{n}");
        csv.push_str(&format!("{dup},{kind},{id},{cert},,,,2019-09-01,,\n"));
        picked.push((claim, dup, amount, person, id));
    }
    let file = db.csv("duplicates.csv", &csv);
    let (report, code) = db.import("claims", &file, &[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        report["supervision"]["opened"], 3,
        "[{}] each duplicate opens a case: {report:#}",
        db.backend
    );
    let cases: Vec<serde_json::Value> = db
        .ok(&["supervise", "cases", "--status", "all", "--format", "jsonl"])
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut out = picked
        .into_iter()
        .map(|(claim, dup, amount_fen, person_id, id_number)| {
            let case = cases
                .iter()
                .find(|k| {
                    k["claim_nos"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|x| *x == *claim)
                })
                .unwrap_or_else(|| panic!("a case names {claim}: {cases:#?}"));
            Planted {
                case_no: case["case_no"].as_str().unwrap().to_string(),
                claim,
                dup,
                amount_fen,
                person_id,
                id_number,
            }
        });
    Cases {
        county: out.next().unwrap(),
        cross: out.next().unwrap(),
        outside: out.next().unwrap(),
    }
}
