//! Payment through the bank (004 十九), on SQLite and PostgreSQL, through
//! the real binary: a disbursement batch moves approved claims' money into
//! transit and writes the bank's file (a payee without an account is left
//! out and reported); the bank's return file pays the successes, returns
//! the failures to the fund with the bank's reason, reports a line that
//! matches nothing or disagrees, and read again changes nothing; a failed
//! claim whose account is corrected by a re-import is paid in a later
//! batch; `ledger verify` passes throughout. Accounts are masked on the
//! terminal, in the archive and in the audit trail, shown with --reveal.
//!
//! Then a randomized run through the store: random batches with random
//! bank failures keep the ledger sound, and every claim ends paid once or
//! with its money back in its fund.

use crate::common;
use common::fixtures::{Registry, export_claims, load, policy_file, sql_rows};
use common::{TestDb, credit, id};
use jineng_domain::bank_account::luhn_digit;
use jineng_domain::{ClaimStatus, Fen};
use jineng_store::{Actor, ReturnLine};
use serde_json::Value;

const PERSONS: &str = "姓名,身份证号码,户籍地,社保卡银行账号,开户银行";

/// A valid 19-digit card number, distinct per `n`.
fn card(n: u32) -> String {
    let body = format!("622202160{n:09}");
    format!("{body}{}", luhn_digit(&body))
}

/// `n` persons, each with one 电工 五级 claim `PB-{i}`; person `i` has a
/// card unless listed in `without`. Returns (registry, person rows).
fn registry(n: u32, without: &[u32]) -> (Registry, Vec<String>) {
    let school = credit("371502", "1");
    let centre = credit("371502", "5");
    let mut reg = Registry {
        institutions: vec![format!(
            "聊城市技工学校,{school},技工院校,371502,是,2018-01-01,"
        )],
        classes: vec![format!(
            "CL-1,{school},就业技能培训,6-31-01-03,电工,五级,371502,2019-03-01,2019-03-20,80"
        )],
        ..Registry::default()
    };
    let mut persons = Vec::new();
    for i in 1..=n {
        let pid = id("371502", 1980, 1, 1 + i, 100 + i as u16);
        let name = format!(
            "钱{}",
            ["一", "二", "三", "四", "五", "六", "七", "八"][(i - 1) as usize % 8]
        );
        persons.push(if without.contains(&i) {
            format!("{name},{pid},371502,,")
        } else {
            format!("{name},{pid},371502,{},中国工商银行聊城分行", card(i))
        });
        reg.categories.push(format!("{pid},企业职工,2018-01-01,,"));
        reg.passed("CL-1", &school, &name, &pid);
        reg.certificates.push(format!(
            "ZPB{i},职业技能等级证书,{name},{pid},6-31-01-03,五级,2019-03-25,{centre},CL-1"
        ));
        reg.training_claim(&format!("PB-{i}"), &pid, &format!("ZPB{i}"), "2019-03-26");
    }
    (reg, persons)
}

/// Persons, registry, policy and money; every claim decided and approved.
fn approved(db: &TestDb, n: u32, without: &[u32]) -> Vec<String> {
    let (reg, persons) = registry(n, without);
    load(db, "persons", PERSONS, &persons);
    reg.load(db);
    db.ok(&["policy", "load", &policy_file("liaocheng-2019.toml")]);
    db.ok(&["ledger", "allocate", "--fund", "ES", "--amount", "100000"]);
    db.ok(&["claims", "decide", "--all"]);
    db.ok(&["claims", "approve", "--all"]);
    let claims = export_claims(db);
    for (no, c) in &claims {
        assert_eq!(c["status"], "approved", "[{}] {no}: {c}", db.backend);
    }
    persons
}

fn status(db: &TestDb, claim: &str) -> String {
    export_claims(db)[claim]["status"]
        .as_str()
        .unwrap()
        .to_string()
}

fn amount(db: &TestDb, claim: &str) -> i64 {
    export_claims(db)[claim]["amount_fen"].as_i64().unwrap()
}

fn report(db: &TestDb) -> Value {
    let r: Value = serde_json::from_str(&db.ok(&["ledger", "report", "--json"])).unwrap();
    r.as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "ES")
        .unwrap()
        .clone()
}

fn verified(db: &TestDb, stage: &str) {
    let out = db.run(&["ledger", "verify"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "[{}] {stage}: {}",
        db.backend,
        String::from_utf8_lossy(&out.stdout)
    );
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn count(db: &TestDb, sql: &str) -> i64 {
    sql_rows(db, sql)[0][0].parse().unwrap()
}

#[test]
fn batch_and_reconcile_through_the_binary() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for db in common::initialised("pay_bank") {
        let b = db.backend;
        let persons = approved(&db, 4, &[4]);
        let [a1, a2, a3] = [1, 2, 3].map(|i| amount(&db, &format!("PB-{i}")));

        // The batch: three claims in transit, 钱四 left out (no account).
        let out = db.run(&["pay", "batch", "--all", "--out", "b1.csv"]);
        let text = stdout(&out);
        assert_eq!(out.status.code(), Some(1), "[{b}] {text}");
        assert!(
            text.contains("未列入：PB-4：收款人未登记社保卡银行账号"),
            "[{b}] {text}"
        );
        assert!(text.contains("代发批次 B1：3 笔"), "[{b}] {text}");
        assert!(!text.contains(&card(1)), "[{b}] the terminal masks: {text}");
        assert!(
            text.contains(&format!("6222{}", &"*".repeat(11))),
            "[{b}] {text}"
        );
        let file = std::fs::read_to_string(db.path("b1.csv")).unwrap();
        let lines: Vec<&str> = file.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(
            lines[0], "批次行号,申领编号,收款人,银行账号,开户银行,金额（元）,资金来源",
            "[{b}]"
        );
        assert_eq!(
            lines[1],
            format!(
                "B1-1,PB-1,钱一,{},中国工商银行聊城分行,{},ES",
                card(1),
                Fen(a1)
            ),
            "[{b}] the bank's file carries the account in full"
        );
        assert_eq!(
            lines[4],
            format!("合计,3 笔,,,,{},", Fen(a1 + a2 + a3)),
            "[{b}]"
        );
        for (i, c) in [(1, "PB-1"), (2, "PB-2"), (3, "PB-3")] {
            assert_eq!(status(&db, c), "in_transit", "[{b}] {i}");
        }
        assert_eq!(status(&db, "PB-4"), "approved", "[{b}]");
        let r = report(&db);
        assert_eq!(r["in_transit"], a1 + a2 + a3, "[{b}] {r}");
        assert_eq!(r["bank"], 10_000_000 - a1 - a2 - a3, "[{b}] {r}");
        assert_eq!(r["claims_in_transit"], 3, "[{b}] {r}");
        verified(&db, "after the batch");
        // A second batch takes nothing in transit.
        let again = stdout(&db.run(&["pay", "batch", "--claims", "PB-1"]));
        assert!(
            again.contains("只有已核准或支付失败已更正的申领可以列入代发批次"),
            "[{b}] {again}"
        );

        // The bank's answer: 钱一 paid, 钱二 failed, an unknown line, and
        // 钱三's line with another amount (nothing booked for the last two).
        let back = db.csv(
            "r1.csv",
            &format!(
                "申领编号,批次行号,银行账号,金额（元）,处理结果,失败原因\n\
                 PB-1,,{},{},成功,\n\
                 ,B1-2,{},{},失败,账户已销户\n\
                 PB-99,,{},1.00,成功,\n\
                 PB-3,,{},{},成功,\n\
                 合计,,,,,\n",
                card(1),
                Fen(a1),
                card(2),
                Fen(a2),
                card(9),
                card(3),
                Fen(a3 + 1),
            ),
        );
        let out = db.run(&["pay", "reconcile", back.to_str().unwrap()]);
        let text = stdout(&out);
        assert_eq!(out.status.code(), Some(1), "[{b}] {text}");
        for needle in [
            format!(
                "支付成功 1 笔 {} 元，支付失败退回 1 笔 {} 元",
                Fen(a1),
                Fen(a2)
            ),
            "失败：PB-2：账户已销户".to_string(),
            "第 4 行未入账：申领 PB-99 没有代发记录".to_string(),
            format!(
                "第 5 行未入账：申领 PB-3 回盘金额 {} 元与代发金额 {} 元不符",
                Fen(a3 + 1),
                Fen(a3)
            ),
        ] {
            assert!(text.contains(&needle), "[{b}] {needle}: {text}");
        }
        assert_eq!(status(&db, "PB-1"), "paid", "[{b}]");
        assert_eq!(status(&db, "PB-2"), "failed", "[{b}]");
        assert_eq!(status(&db, "PB-3"), "in_transit", "[{b}]");
        let shown = db.ok(&["claims", "show", "PB-2"]);
        assert!(shown.contains("支付失败待更正"), "[{b}] {shown}");
        let r = report(&db);
        assert_eq!(
            (
                r["paid"].clone(),
                r["in_transit"].clone(),
                r["bank"].clone()
            ),
            (a1.into(), a3.into(), (10_000_000 - a1 - a3).into()),
            "[{b}] the failed payment is back in the fund: {r}"
        );
        verified(&db, "after the return file");

        // The same file again books nothing.
        let postings = "SELECT COUNT(*) FROM ledger_tx";
        let before = (count(&db, postings), export_claims(&db), report(&db));
        let text = stdout(&db.run(&["pay", "reconcile", back.to_str().unwrap()]));
        assert!(
            text.contains("支付成功 0 笔 0.00 元，支付失败退回 0 笔 0.00 元，此前已入账 2 笔"),
            "[{b}] {text}"
        );
        assert_eq!(
            (count(&db, postings), export_claims(&db), report(&db)),
            before,
            "[{b}]"
        );

        // Not corrected yet: --all leaves 钱二 out; naming it says why.
        let text = stdout(&db.run(&["pay", "batch", "--claims", "PB-2"]));
        assert!(
            text.contains("未更正，与上次支付失败时相同"),
            "[{b}] {text}"
        );
        // The account corrected by a re-import: paid in a later batch, as xlsx.
        let fixed = persons[1].replace(&card(2), &card(22));
        load(&db, "persons", PERSONS, &[fixed]);
        let out = db.run(&["pay", "batch", "--all", "--out", "b2.xlsx"]);
        let text = stdout(&out);
        // Batch numbers may skip one that sent nothing (PostgreSQL's
        // sequences do not roll back).
        let batch = batch_id(&text);
        assert!(
            batch > 1 && text.contains(&format!("代发批次 B{batch}：1 笔")),
            "[{b}] {text}"
        );
        let line = format!("B{batch}-1");
        assert!(text.contains(&format!("{line} PB-2")), "[{b}] {text}");
        let rows = read_xlsx(&db.path("b2.xlsx"));
        assert_eq!(
            rows[1][3],
            card(22),
            "[{b}] the account stays text: {rows:?}"
        );
        assert_eq!(rows[2][0], "合计", "[{b}] {rows:?}");
        let back = db.csv(
            "r2.csv",
            &format!(
                "批次行号,银行账号,金额（元）,处理结果\n{line},{},{},成功\nB1-3,{},{},成功\n",
                card(22),
                Fen(a2),
                card(3),
                Fen(a3)
            ),
        );
        let text = db.ok(&["pay", "reconcile", back.to_str().unwrap()]);
        assert!(text.contains("支付成功 2 笔"), "[{b}] {text}");
        for c in ["PB-1", "PB-2", "PB-3"] {
            assert_eq!(status(&db, c), "paid", "[{b}] {c}");
        }
        let pays = sql_rows(
            &db,
            "SELECT claim_no, COUNT(*) FROM ledger_tx WHERE kind = 'pay' GROUP BY claim_no ORDER BY claim_no",
        );
        assert_eq!(
            pays,
            [["PB-1", "1"], ["PB-2", "1"], ["PB-3", "1"]].map(|r| r.map(String::from).to_vec()),
            "[{b}] each paid once"
        );
        let r = report(&db);
        assert_eq!(
            (
                r["paid"].clone(),
                r["in_transit"].clone(),
                r["claims_paid"].clone()
            ),
            ((a1 + a2 + a3).into(), 0.into(), 3.into()),
            "[{b}] {r}"
        );
        verified(&db, "after the corrected claim is paid");
        let batches = db.ok(&["pay", "batches"]);
        assert!(
            batches.contains("B1") && batches.contains("已回盘"),
            "[{b}] {batches}"
        );
        rt.block_on(web_batches(&db, a1 + a2 + a3, &card(22)));

        // Sensitive: masked in the archive unless revealed; never in full
        // in the audit trail.
        let pid = id("371502", 1980, 1, 3, 102);
        let masked = db.ok(&["person", "show", &pid]);
        assert!(
            !masked.contains(&card(22)) && masked.contains("社保卡银行账号：6222"),
            "[{b}] {masked}"
        );
        let revealed = db.ok(&["person", "show", &pid, "--reveal"]);
        assert!(revealed.contains(&card(22)), "[{b}] {revealed}");
        for c in [card(1), card(2), card(22)] {
            let n = count(
                &db,
                &format!(
                    "SELECT COUNT(*) FROM audit_log WHERE COALESCE(after, '') LIKE '%{c}%' OR COALESCE(before, '') LIKE '%{c}%'"
                ),
            );
            assert_eq!(n, 0, "[{b}] the audit trail masks {c}");
        }
    }
}

/// The ledger page lists the batches with counts and totals in
/// `1,234.56 元`; the API lists them and a batch's lines, accounts masked.
async fn web_batches(db: &TestDb, first_total: i64, full_card: &str) {
    let b = db.backend;
    let site = common::http::Site::open(db).await;
    let (cookie, _) = site.login("county").await;
    let page = site.get("/ledger", &cookie).await;
    assert_eq!(
        page.status,
        axum::http::StatusCode::OK,
        "[{b}] {}",
        page.body
    );
    let row = common::http::between(&page.body, "id=\"batch-B1\">", "</tr>")
        .unwrap_or_else(|| panic!("[{b}] no batch B1: {}", page.body));
    assert!(
        row.contains("已回盘") && row.contains(&format!("{} 元", Fen(first_total).grouped())),
        "[{b}] {row}"
    );
    assert!(
        Fen(first_total).grouped().contains(','),
        "[{b}] grouped in thousands"
    );
    let actor = jineng_store::Actor("test:setup".into());
    let id = site.account("county").account_id;
    let token = jineng_web::issue_api_token(&site.store, id, "t", &actor)
        .await
        .unwrap();
    let (s, v) = site.api("GET", "/api/v1/pay/batches", &token).await;
    assert_eq!(s, axum::http::StatusCode::OK, "[{b}] {v}");
    let list = v.as_array().unwrap();
    assert_eq!(list.last().unwrap()["total_fen"], first_total, "[{b}] {v}");
    let newest = list[0]["batch_id"].as_i64().unwrap();
    let (s, v) = site
        .api("GET", &format!("/api/v1/pay/batches/{newest}"), &token)
        .await;
    assert_eq!(s, axum::http::StatusCode::OK, "[{b}] {v}");
    assert_eq!(v[0]["claim_no"], "PB-2", "[{b}] {v}");
    assert_eq!(v[0]["result_zh"], "成功", "[{b}] {v}");
    assert!(!v.to_string().contains(full_card), "[{b}] masked: {v}");
    let (s, _) = site.api("GET", "/api/v1/pay/batches/999", &token).await;
    assert_eq!(s, axum::http::StatusCode::NOT_FOUND, "[{b}]");
}

/// The batch number in `pay batch`'s summary line.
fn batch_id(text: &str) -> i64 {
    let at = text.find("代发批次 B").expect("a batch was made") + "代发批次 B".len();
    text[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

fn read_xlsx(path: &std::path::Path) -> Vec<Vec<String>> {
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(path).unwrap();
    let range = wb.worksheet_range("代发文件").unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

#[test]
fn persons_import_checks_bank_accounts() {
    for db in common::initialised("pay_bank_import") {
        let b = db.backend;
        let pid = id("371502", 1980, 1, 2, 102);
        let mut bad = card(7);
        let last = bad.pop().unwrap();
        bad.push(if last == '0' { '1' } else { '0' });
        let file = db.csv(
            "p.csv",
            &format!(
                "{PERSONS}\n钱二,{pid},371502,{bad},工行\n钱二,{pid},371502,{},\n",
                card(7)
            ),
        );
        let (r, code) = db.import("persons", &file, &[]);
        assert_eq!(code, 1, "[{b}] {r}");
        common::assert_error(&r, 2, "社保卡银行账号", "校验位不符");
        common::assert_error(
            &r,
            3,
            "开户银行",
            "填写了社保卡银行账号，须同时填写开户银行",
        );
        assert!(
            !r.to_string().contains(&bad),
            "[{b}] errors mask the account: {r}"
        );
        // A file without the bank columns keeps a stored account.
        load(
            &db,
            "persons",
            PERSONS,
            &[format!("钱二,{pid},371502,{},工行", card(7))],
        );
        load(
            &db,
            "persons",
            common::fixtures::PERSONS,
            &[format!("钱二,{pid},371502")],
        );
        let a = db.ok(&["person", "show", &pid, "--reveal"]);
        assert!(a.contains(&card(7)), "[{b}] {a}");
    }
}

/// A small deterministic generator: the runs are random but repeatable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

#[test]
fn random_batches_with_bank_failures_through_the_store() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for db in common::initialised("pay_bank_random") {
        let b = db.backend;
        let persons = approved(&db, 6, &[]);
        let claims: Vec<String> = (1..=6).map(|i| format!("PB-{i}")).collect();
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ b.len() as u64);
        let me = Actor::cli("tester");
        for round in 0..5u32 {
            let store = rt.block_on(db.store());
            let policies = rt.block_on(store.policy_set()).unwrap();
            let d = rt.block_on(store.pay_batch(&policies, None, &me)).unwrap();
            // The bank fails some lines; some lines are answered twice.
            let mut lines: Vec<ReturnLine> = d
                .lines
                .iter()
                .enumerate()
                .map(|(i, l)| ReturnLine {
                    row: i as u64 + 2,
                    claim_no: Some(l.claim_no.clone()),
                    line_id: None,
                    account: l.account.clone(),
                    amount: l.amount,
                    success: rng.chance(50),
                    reason: "户名不符".into(),
                })
                .collect();
            let repeats: Vec<ReturnLine> =
                lines.iter().filter(|_| rng.chance(30)).cloned().collect();
            lines.extend(repeats);
            let r = rt.block_on(store.reconcile(&lines, &me)).unwrap();
            assert!(
                r.unmatched.is_empty(),
                "[{b}] round {round}: {:?}",
                r.unmatched
            );
            let problems = rt.block_on(store.ledger_verify()).unwrap();
            assert!(problems.is_empty(), "[{b}] round {round}: {problems:?}");
            rt.block_on(store.close());
            // Correct every failed claim's account for the next round.
            let failed: Vec<usize> = (0..6)
                .filter(|i| status(&db, &claims[*i]) == ClaimStatus::Failed.code())
                .collect();
            let fixed: Vec<String> = failed
                .iter()
                .map(|i| {
                    let old = persons[*i].split(',').nth(3).unwrap().to_string();
                    persons[*i].replace(&old, &card(100 * (round + 1) + *i as u32))
                })
                .collect();
            if !fixed.is_empty() {
                load(&db, "persons", PERSONS, &fixed);
            }
        }
        // Every claim: paid once, or back in its fund.
        let exported = export_claims(&db);
        let mut paid = 0;
        for c in &claims {
            let pays = count(
                &db,
                &format!("SELECT COUNT(*) FROM ledger_tx WHERE kind = 'pay' AND claim_no = '{c}'"),
            );
            let net_bank = count(
                &db,
                &format!(
                    "SELECT COALESCE(CAST(SUM(e.debit_fen - e.credit_fen) AS BIGINT), 0) FROM ledger_entries e \
                     JOIN ledger_tx t ON t.tx_id = e.tx_id WHERE t.claim_no = '{c}' AND e.account = 'bank:ES'"
                ),
            );
            match exported[c]["status"].as_str().unwrap() {
                "paid" => {
                    assert_eq!(pays, 1, "[{b}] {c}");
                    assert_eq!(
                        -net_bank,
                        exported[c]["amount_fen"].as_i64().unwrap(),
                        "[{b}] {c}"
                    );
                    paid += exported[c]["amount_fen"].as_i64().unwrap();
                }
                "failed" => {
                    assert_eq!(
                        (pays, net_bank),
                        (0, 0),
                        "[{b}] {c}: the money is back in the fund"
                    );
                }
                other => panic!("[{b}] {c} ended {other}"),
            }
        }
        let r = report(&db);
        assert_eq!(
            (r["paid"].as_i64(), r["in_transit"].as_i64()),
            (Some(paid), Some(0)),
            "[{b}] {r}"
        );
        assert_eq!(r["bank"].as_i64(), Some(10_000_000 - paid), "[{b}] {r}");
        verified(&db, "after the random rounds");
    }
}
