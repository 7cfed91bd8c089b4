//! Payment (拨付) through the web, on SQLite and PostgreSQL. The demo is
//! loaded by the real binary into a database whose dedicated account holds
//! one fen, so its 2019 claims stay approved and unpaid: paying one is
//! refused with the Chinese reason and books nothing; after an allocation
//! the county officer pays it and the ledger page's fund balance falls by
//! exactly its amount, the ledger still verifies; another county's claim
//! is 403, finance and auditor may not pay, the batch pays what is in
//! scope only, the API pays, and a recovery books the money back.

use crate::common;

use crate::common::http::{COUNTY, Site, Sql, assert_all, between, yuan};
use axum::http::StatusCode;
use common::{TestDb, backends};

#[test]
fn officers_pay_approved_claims_from_the_dedicated_account() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for db in backends("web_payment") {
        db.ok(&["init"]);
        db.ok(&["ledger", "fund-add", "ES", "就业补助资金"]);
        db.ok(&["ledger", "allocate", "--fund", "ES", "--amount", "0.01"]);
        db.ok(&["demo", "--persons", "300"]);
        rt.block_on(pay(&db));
    }
}

/// `12,345.67 元`, as the batch pages print money.
fn grouped(fen: i64) -> String {
    let y = (fen / 100).to_string();
    let mut g = String::new();
    for (i, c) in y.chars().enumerate() {
        if i > 0 && (y.len() - i).is_multiple_of(3) {
            g.push(',');
        }
        g.push(c);
    }
    format!("{g}.{:02} 元", fen % 100)
}

/// The bank balance of `fund` as the ledger page shows it.
fn bank_on_page(html: &str, fund: &str) -> String {
    between(html, &format!("id=\"bank-{fund}\">"), "<")
        .unwrap_or_else(|| panic!("no balance of {fund} on the ledger page"))
}

async fn pay(db: &TestDb) {
    let b = db.backend;
    let site = Site::open(db).await;
    let mut sql = Sql::open(db).await;
    let in_county = |status: &str, inside: bool| {
        format!(
            "SELECT c.claim_no FROM claims c JOIN persons p ON p.person_id = c.person_id \
             WHERE c.status = '{status}' AND p.hukou_region {}LIKE '{COUNTY}%' ORDER BY c.claim_no",
            if inside { "" } else { "NOT " }
        )
    };
    // Claims an open case holds (the demo's planted fraud, approved before
    // the lists came): no batch pays them; the batch names the case.
    let held_by = |no: &str| -> Option<String> {
        let v: serde_json::Value =
            serde_json::from_str(&db.ok(&["claims", "show", no, "--json"])).unwrap();
        v["held_by"].as_str().map(str::to_string)
    };
    let all_mine = sql.texts(&in_county("approved", true)).await;
    let (held_mine, mine): (Vec<String>, Vec<String>) =
        all_mine.into_iter().partition(|c| held_by(c).is_some());
    let others = sql.texts(&in_county("approved", false)).await;
    assert!(
        mine.len() >= 3 && !others.is_empty(),
        "[{b}] the demo leaves approved claims unpaid: {} / {}",
        mine.len(),
        others.len()
    );
    let claim = mine[0].clone();
    let status = |no: &str| format!("SELECT status FROM claims WHERE claim_no = '{no}'");
    let postings = "SELECT COUNT(*) FROM ledger_tx";
    let booked = sql.int(postings).await;
    let (county, csrf) = site.login("county").await;

    // No fund holds enough: refused, in Chinese, naming the funds and what
    // is missing; nothing booked.
    let r = site.claim_action(&claim, "pay", &county, &csrf).await;
    assert_eq!(r.status, StatusCode::OK, "[{b}] {}", r.body);
    assert_all(
        b,
        &r.body,
        &["未拨付", "资金来源余额不足", "ES 余额 0.01 元", "尚缺"],
    );
    assert_eq!(sql.text(&status(&claim)).await, "approved", "[{b}]");
    assert_eq!(sql.int(postings).await, booked, "[{b}] nothing booked");

    // Money arrives; the forged form, another county's claim, finance and
    // the auditor are all refused and book nothing.
    for fund in ["ES", "ST", "UI", "EB"] {
        db.ok(&["ledger", "allocate", "--fund", fund, "--amount", "1000000"]);
    }
    let booked = sql.int(postings).await;
    let r = site
        .post(
            &format!("/claims/{claim}/pay"),
            &county,
            &[("csrf", "forged")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}]");
    let other = &others[0];
    let r = site.claim_action(other, "pay", &county, &csrf).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}] {}", r.body);
    for role in ["finance", "auditor"] {
        let (cookie, token) = site.login(role).await;
        let r = site.claim_action(&claim, "pay", &cookie, &token).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}] {role}");
        let r = site
            .post("/claims/pay-approved", &cookie, &[("csrf", &token)])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}] {role}");
        let ledger = site.get("/ledger", &cookie).await;
        assert_eq!(
            ledger.status,
            StatusCode::OK,
            "[{b}] {role} reads the ledger"
        );
        assert!(
            !ledger.body.contains("action=\"/claims/"),
            "[{b}] read only"
        );
    }
    // The demo's type has no advance share (R9/R11): no 预拨 button, and
    // advancing or settling it is refused.
    let page = site.get(&format!("/claims/{claim}"), &county).await;
    assert!(!page.body.contains("/advance"), "[{b}]");
    for (action, why) in [
        ("advance", "按政策不可预拨"),
        ("settle", "只有已预拨的申领可以清算"),
    ] {
        let r = site.claim_action(&claim, action, &county, &csrf).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{b}] {action}");
        assert!(r.body.contains(why), "[{b}] {action}: {}", r.body);
    }
    assert_eq!(sql.int(postings).await, booked, "[{b}] nothing booked");
    assert_eq!(sql.text(&status(other)).await, "approved", "[{b}]");
    assert_eq!(sql.text(&status(&claim)).await, "approved", "[{b}]");

    // The officer pays: the claim shows 已拨付, the fund's balance on the
    // ledger page falls by exactly the claim's amount, the ledger verifies.
    let amount = sql
        .int(&format!(
            "SELECT amount_fen FROM claims WHERE claim_no = '{claim}'"
        ))
        .await;
    let page = site.get(&format!("/claims/{claim}"), &county).await;
    assert!(
        page.body.contains(&format!("/claims/{claim}/pay")),
        "[{b}] the button"
    );
    let before = site.get("/ledger", &county).await.body;
    let r = site.claim_action(&claim, "pay", &county, &csrf).await;
    assert_eq!(r.status, StatusCode::OK, "[{b}] {}", r.body);
    assert!(
        r.body
            .contains(&format!("已拨付 1 件，合计 {}", yuan(amount))),
        "[{b}] {}",
        r.body
    );
    assert_eq!(sql.text(&status(&claim)).await, "paid", "[{b}]");
    let page = site.get(&format!("/claims/{claim}"), &county).await;
    assert!(
        page.body.contains("状态：已支付"),
        "[{b}] the claim shows it paid"
    );
    assert!(
        !page.body.contains(&format!("/claims/{claim}/pay\"")),
        "[{b}] no second 拨付"
    );
    let fund = sql
        .text(&format!(
            "SELECT fund_code FROM claims WHERE claim_no = '{claim}'"
        ))
        .await;
    let after = site.get("/ledger", &county).await.body;
    let fen = |s: String| -> i64 { jineng_domain::Fen::parse_yuan(&s).unwrap().0 };
    assert_eq!(
        fen(bank_on_page(&before, &fund)) - fen(bank_on_page(&after, &fund)),
        amount,
        "[{b}] {fund} falls by the claim's amount"
    );
    assert!(after.contains("专账校验通过"), "[{b}]");
    assert!(
        after.contains(&format!("<a href=\"/claims/{claim}\">{claim}</a>")),
        "[{b}] the posting is listed"
    );
    assert!(
        db.ok(&["ledger", "verify"]).contains("专账校验通过"),
        "[{b}]"
    );
    let queue = site.get("/claims?status=paid", &county).await.body;
    assert!(queue.contains(&claim) && queue.contains("已支付"), "[{b}]");
    // Paid once only.
    let booked = sql.int(postings).await;
    let r = site.claim_action(&claim, "pay", &county, &csrf).await;
    assert!(r.body.contains("未拨付"), "[{b}] {}", r.body);
    assert_eq!(sql.int(postings).await, booked, "[{b}] paid once only");

    // The batch pays every approved claim of the county that no case
    // holds, nothing else.
    let held_list = held_mine
        .iter()
        .map(|c| format!("'{c}'"))
        .chain(["''".to_string()])
        .collect::<Vec<_>>()
        .join(", ");
    let rest: i64 = sql
        .int(&format!(
            "SELECT CAST(SUM(c.amount_fen) AS BIGINT) FROM claims c JOIN persons p ON p.person_id = c.person_id \
             WHERE c.status = 'approved' AND p.hukou_region LIKE '{COUNTY}%' \
             AND c.claim_no NOT IN ({})",
            held_list
        ))
        .await;
    let bank = "SELECT CAST(SUM(bank_fen) AS BIGINT) FROM fund_sources";
    let held = sql.int(bank).await;
    // The preview first: count and total, the held claims named; then
    // the confirmation acts and redirects to the queue's notice.
    let r = site.get("/claims/pay-approved", &county).await;
    assert_eq!(r.status, StatusCode::OK, "[{b}] {}", r.body);
    let summary = between(&r.body, "id=\"batch-summary\">", "</p>").unwrap();
    assert!(
        summary.contains(&format!("<strong>{}</strong> 件", mine.len() - 1))
            && summary.contains(&grouped(rest)),
        "[{b}] want {} / {}: {summary}",
        mine.len() - 1,
        grouped(rest)
    );
    for c in &held_mine {
        assert!(r.body.contains(c.as_str()), "[{b}] {c} held: {}", r.body);
    }
    assert_eq!(
        held - sql.int(bank).await,
        0,
        "[{b}] a preview pays nothing"
    );
    let fingerprint = between(&r.body, "name=\"fingerprint\" value=\"", "\"").unwrap();
    let r = site
        .post_raw(
            "/claims/pay-approved",
            &county,
            &[("csrf", &csrf), ("fingerprint", &fingerprint)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "[{b}] {}", r.body);
    let to = r.headers["location"].to_str().unwrap().to_string();
    let r = site.get(&to, &county).await;
    assert!(
        r.body.contains(&format!(
            "已拨付 {} 件，合计 {}",
            mine.len() - 1,
            grouped(rest)
        )),
        "[{b}] want {} / {}: {}",
        mine.len() - 1,
        grouped(rest),
        r.body
    );
    assert_eq!(held - sql.int(bank).await, rest, "[{b}]");
    if !held_mine.is_empty() {
        assert!(
            r.body.contains(&format!("未拨付 {} 件", held_mine.len())),
            "[{b}] held: {}",
            r.body
        );
    }
    assert_eq!(
        sql.texts(&in_county("approved", true)).await,
        held_mine,
        "[{b}] only the held claims stay approved"
    );
    assert_eq!(
        sql.texts(&in_county("approved", false)).await,
        others,
        "[{b}]"
    );

    // The API: a city token pays another county's claim; finance's cannot.
    let city_id = site.account("city").account_id;
    let actor = jineng_store::Actor("test:setup".into());
    let token = jineng_web::issue_api_token(&site.store, city_id, "t", &actor)
        .await
        .unwrap();
    let fin = site.account("finance").account_id;
    let fin_token = jineng_web::issue_api_token(&site.store, fin, "t", &actor)
        .await
        .unwrap();
    let path = format!("/api/v1/claims/{other}/pay");
    assert_eq!(
        site.api("POST", &path, &fin_token).await.0,
        StatusCode::FORBIDDEN,
        "[{b}]"
    );
    let (s, v) = site.api("POST", &path, &token).await;
    assert_eq!(
        (s, v["paid"].as_u64()),
        (StatusCode::OK, Some(1)),
        "[{b}] {v}"
    );
    assert_eq!(sql.text(&status(other)).await, "paid", "[{b}]");

    // Recovery needs a reason, then books the money back.
    let held = sql.int(bank).await;
    let r = site.claim_action(&claim, "recover", &county, &csrf).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{b}]");
    assert!(r.body.contains("请填写追回理由"), "[{b}]");
    let r = site
        .post(
            &format!("/claims/{claim}/recover"),
            &county,
            &[("csrf", &csrf), ("reason", "虚假培训记录")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "[{b}] {}", r.body);
    assert!(
        r.body.contains(&format!("已追回 {}", yuan(amount))),
        "[{b}]"
    );
    assert_eq!(sql.text(&status(&claim)).await, "recovered", "[{b}]");
    assert_eq!(sql.int(bank).await - held, amount, "[{b}]");
    assert!(
        site.store.ledger_verify().await.unwrap().is_empty(),
        "[{b}]"
    );
    assert_eq!(
        site.store.verify_audit().await.unwrap().broken,
        None,
        "[{b}]"
    );

    // The export: the scope's postings, no ID number.
    let csv = site.get("/ledger/postings.csv", &county).await;
    assert_eq!(csv.status, StatusCode::OK, "[{b}]");
    assert!(
        csv.body.contains(&claim) && !csv.body.contains(other.as_str()),
        "[{b}]"
    );
    for id in sql.texts("SELECT id_number FROM persons").await {
        assert!(!csv.body.contains(&id), "[{b}] an ID number in the export");
    }
    site.store.close().await;
}
