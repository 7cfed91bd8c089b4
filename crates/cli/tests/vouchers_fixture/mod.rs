//! The vouchers tests' scenario (`vouchers.rs`, `vouchers_web.rs`): five
//! persons of whom two are eligible, two schools, classes of 2019 and one
//! starting now, a claim, 聊城's policy in force to 2099 with a voucher
//! table of its own, and helpers reading what the ledger holds.
#![allow(dead_code)]

use crate::common::fixtures::{Registry, policy_file, sql_rows};
use crate::common::{TestDb, credit, id};
use serde_json::Value;

/// The people and places of the scenario.
pub struct Fx {
    /// 甲 and 乙: registered unemployed in 东昌府区 (eligible).
    pub a: String,
    pub b: String,
    /// 丙: an employee (not eligible); 丁: unemployed in 阳谷县 (outside
    /// the scope); 戊: unemployed until 2018 only.
    pub c: String,
    pub d: String,
    pub e: String,
    pub school: String,
    pub other: String,
}

pub fn fx() -> Fx {
    Fx {
        a: id("371502", 1985, 3, 12, 11),
        b: id("371502", 1990, 7, 1, 22),
        c: id("371502", 1988, 1, 9, 33),
        d: id("371521", 1979, 5, 5, 44),
        e: id("371502", 1992, 2, 2, 55),
        school: credit("371502", "1"),
        other: credit("371502", "2"),
    }
}

/// 聊城's policy in force to 2099, its [vouchers] table a table of its
/// own: 家政服务员 五级 at 900 元, where the catalogue pays 800 元.
pub fn policy(db: &TestDb) -> String {
    let text = std::fs::read_to_string(policy_file("liaocheng-2019.toml")).unwrap();
    let base = &text[..text.find("[vouchers]").unwrap()];
    let file = format!(
        "{}[vouchers]
clause = \"二十一（培训券）\"
subsidy_type = \"职业培训补贴\"
fund = \"ES\"
valid_months = 6
eligible = [\"登记失业人员\"]
kinds = [{{ code = \"JZ5\", name = \"家政初级券\", occupations = [\"4-10-01-06\"], level = \"五级\", yuan = 900 }}]
",
        base.replace("valid_to = \"2021-12-31\"", "valid_to = \"2099-12-31\"")
    );
    let path = db.path("vouchers-policy.toml");
    std::fs::write(&path, file).unwrap();
    path.to_str().unwrap().to_string()
}

/// Today and a day `days` later, as text.
pub fn day(days: i64) -> String {
    (chrono::Local::now().date_naive() + chrono::Duration::days(days)).to_string()
}

/// The registry, the policy, and `yuan` allocated to the fund ES.
pub fn registry(db: &TestDb, f: &Fx, yuan: &str) {
    let persons = [
        ("甲", &f.a, "371502"),
        ("乙", &f.b, "371502"),
        ("丙", &f.c, "371502"),
        ("丁", &f.d, "371521"),
        ("戊", &f.e, "371502"),
    ];
    let rows: Vec<String> = persons
        .iter()
        .map(|(n, i, r)| format!("{n},{i},{r}"))
        .collect();
    let (s, o) = (&f.school, &f.other);
    let (start, end) = (day(10), day(40));
    // A 家政服务员 class of March 2019 at `inst`.
    let march = |no: &str, inst: &str, level: &str| {
        format!(
            "{no},{inst},就业技能培训,4-10-01-06,家政服务员,{level},371502,2019-03-10,2019-03-30,80"
        )
    };
    Registry {
        persons: rows,
        categories: vec![
            format!("{},登记失业人员,2018-01-01,,", f.a),
            format!("{},登记失业人员,2018-01-01,,", f.b),
            format!("{},企业职工,2018-01-01,,", f.c),
            format!("{},登记失业人员,2018-01-01,,", f.d),
            format!("{},登记失业人员,2017-01-01,2018-12-31,", f.e),
        ],
        institutions: vec![
            format!("聊城市技工学校,{},技工院校,371502,是,2018-01-01,", f.school),
            format!(
                "东昌府区家政培训学校,{},民办培训机构,371502,是,2018-01-01,",
                f.other
            ),
        ],
        classes: vec![
            march("K1", s, "五级"),
            march("K2", s, "四级"),
            march("K3", o, "五级"),
            format!("W1,{s},就业技能培训,4-10-01-06,家政服务员,五级,371502,{start},{end},80"),
        ],
        roster: vec![
            format!("K1,{s},甲,{},80,0,合格", f.a),
            format!("K2,{s},甲,{},80,0,合格", f.a),
            format!("K1,{s},乙,{},80,0,合格", f.b),
            format!("W1,{s},甲,{},0,0,未结业", f.a),
            format!("W1,{s},乙,{},0,0,未结业", f.b),
        ],
        certificates: vec![format!(
            "E1,职业技能等级证书,甲,{},4-10-01-06,五级,2019-04-10,{s},K1",
            f.a
        )],
        claims: vec![format!("SLV1,职业培训补贴,{},E1,,,,2019-05-01,,", f.a)],
        ..Registry::default()
    }
    .load(db);
    db.ok(&["policy", "load", &policy(db)]);
    db.ok(&["ledger", "allocate", "--fund", "ES", "--amount", yuan]);
}

pub fn json_of(out: &str) -> Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

/// The voucher numbers of a person, by year.
pub fn vouchers_of(db: &TestDb, id_number: &str, year: i32) -> Vec<String> {
    sql_rows(
        db,
        &format!(
            "SELECT v.voucher_no FROM vouchers v JOIN persons p ON p.person_id = v.person_id \
             WHERE p.id_number = '{id_number}' AND v.year = {year} ORDER BY v.voucher_no"
        ),
    )
    .into_iter()
    .map(|r| r[0].clone())
    .collect()
}

/// The fund's running commitment, and Σ committed − Σ released by lapse
/// − Σ released by payment, recomputed from the postings.
pub fn commitments(db: &TestDb) -> (i64, i64, i64, i64, i64) {
    let kept: i64 = sql_rows(
        db,
        "SELECT committed_fen FROM fund_sources WHERE code = 'ES'",
    )[0][0]
        .parse()
        .unwrap();
    let sum = |cond: &str| -> i64 {
        sql_rows(
            db,
            &format!(
                "SELECT CAST(COALESCE(SUM(e.debit_fen), 0) AS BIGINT) FROM ledger_entries e \
                 JOIN ledger_tx t ON t.tx_id = e.tx_id JOIN vouchers v ON v.voucher_no = t.voucher_no \
                 WHERE {cond}"
            ),
        )[0][0]
            .parse()
            .unwrap()
    };
    let committed = sum("t.kind = 'commit' AND e.account = 'committed:ES'");
    let lapsed = sum("t.kind = 'release' AND e.account = 'pledge:ES' AND v.status = 'lapsed'");
    let paid = sum("t.kind = 'release' AND e.account = 'pledge:ES' AND v.claim_no IS NOT NULL");
    (kept, committed, lapsed, paid, committed - lapsed - paid)
}
