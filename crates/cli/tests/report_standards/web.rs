//! The 标准评估 page, its xlsx and its API against the CLI's JSON: the
//! class-B 五级 row with the published amount beside the standard, the
//! reasons in Chinese with their clauses, the sort, the download's totals,
//! and the scope — a county officer sees the county only, the page and the
//! API refuse the city and a sibling.

use super::{i, report, sheet_totals};
use crate::common::TestDb;
use crate::common::http::{CITY, COUNTY, Site, Sql};
use axum::http::{StatusCode, header};
use calamine::{Reader, Xlsx, open_workbook_from_rs};
use serde_json::Value;

const SIBLING: &str = "371521";

pub async fn web_and_api(db: &TestDb, city: &Value) {
    let b = db.backend;
    let site = Site::open(db).await;
    let (cookie, _) = site.login("city").await;
    let page = site.get("/policy/standards?year=2019", &cookie).await;
    assert_eq!(page.status, StatusCode::OK, "[{b}] {}", page.body);
    assert!(page.body.contains("聊城市2019年补贴标准评估"), "[{b}]");
    assert!(
        page.body.contains("href=\"/policy/standards\""),
        "[{b}] in the menu"
    );
    assert!(
        page.body.contains("<div class=\"scroll\""),
        "[{b}] scrolls on a phone"
    );
    let key = "data-key=\"职业培训补贴|4-10-01-06|五级/初级工|职业技能等级证书\"";
    let at = page.body.find(key).expect("the B 五级 row");
    let tr = &page.body[at..at + page.body[at..].find("</tr>").unwrap()];
    assert!(
        tr.contains(">800.00 元<br><small>每人次"),
        "[{b}] the standard: {tr}"
    );
    assert!(
        tr.contains("B类职业 五级/初级工：800.00 元") && tr.contains("江苏省2023年"),
        "[{b}] the published amount beside it: {tr}"
    );
    assert!(
        page.body.contains("R2 年度次数"),
        "[{b}] reasons in Chinese"
    );
    assert!(
        page.body.contains("聊政办发〔2019〕10号 二十一"),
        "[{b}] with the clause"
    );
    // Sorted by money paid, most first: the first row is the JSON's largest.
    let sorted = site
        .get(
            "/policy/standards?year=2019&sort=paid_fen&dir=desc",
            &cookie,
        )
        .await;
    let most = city["rows"]
        .as_array()
        .unwrap()
        .iter()
        .max_by_key(|r| i(&r["paid_fen"]))
        .unwrap();
    let first = &sorted.body[sorted.body.find("<tbody>").unwrap()..];
    let first = &first[first.find("data-key=\"").unwrap() + 10..];
    let first = &first[..first.find('"').unwrap()];
    assert!(
        first.starts_with(&format!(
            "{}|{}|",
            most["subsidy_type"].as_str().unwrap(),
            most["occupation"].as_str().unwrap()
        )),
        "[{b}] {first}"
    );
    let x = site
        .get(
            &format!("/policy/standards.xlsx?region={CITY}&year=2019"),
            &cookie,
        )
        .await;
    assert_eq!(x.status, StatusCode::OK, "[{b}]");
    assert!(
        x.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    let mut wb: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(x.bytes)).unwrap();
    let t = &city["totals"];
    let want = (i(&t["claims"]), i(&t["approved_fen"]), i(&t["paid_fen"]));
    assert_eq!(
        sheet_totals(&wb.worksheet_range("标准评估").unwrap()),
        want,
        "[{b}]"
    );

    let path = |region: &str| format!("/api/v1/reports/standards?region={region}&year=2019");
    let (s, v) = site
        .api("GET", &path(CITY), &site.token("city").await)
        .await;
    assert_eq!(s, StatusCode::OK, "[{b}] {v}");
    assert_eq!(&v, city, "[{b}] the API answers what the CLI prints");

    // The county officer: the county only.
    let county_token = site.token("county").await;
    let county = report(db, COUNTY);
    let (s, v) = site.api("GET", &path(COUNTY), &county_token).await;
    assert_eq!((s, &v), (StatusCode::OK, &county), "[{b}] the county's own");
    for other in [CITY, SIBLING] {
        let (s, v) = site.api("GET", &path(other), &county_token).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "[{b}] {other}: {v}");
        assert!(
            v["error"].as_str().unwrap().contains("不在您的管理范围内"),
            "[{b}] {v}"
        );
    }
    let (worker, _) = site.login("worker").await;
    let r = site.get("/policy/standards", &worker).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}] a worker");
    let (cc, _) = site.login("county").await;
    let own = site.get("/policy/standards?year=2019", &cc).await;
    assert_eq!(own.status, StatusCode::OK, "[{b}]");
    assert!(own.body.contains("东昌府区2019年补贴标准评估"), "[{b}]");
    assert!(
        !own.body.contains(&format!("value=\"{CITY}\"")),
        "[{b}] no city to pick"
    );
    for other in [CITY, SIBLING] {
        let r = site
            .get(&format!("/policy/standards?region={other}&year=2019"), &cc)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}] {other}");
        let r = site
            .get(
                &format!("/policy/standards.xlsx?region={other}&year=2019"),
                &cc,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}] {other} xlsx");
    }
    // The county's training subsidies are those of the classes held there.
    let mut sql = Sql::open(db).await;
    let held = sql
        .int(&format!(
            "SELECT COUNT(*) FROM claims c LEFT JOIN certificates ce ON ce.person_id = c.person_id \
             AND ce.cert_no = c.cert_no JOIN classes cl ON cl.class_id = COALESCE(c.class_id, ce.class_id) \
             WHERE c.subsidy_type = '职业培训补贴' AND cl.site_region = '{COUNTY}' \
             AND COALESCE(c.basis_year, CAST(substr(c.applied_on, 1, 4) AS BIGINT)) = 2019"
        ))
        .await;
    let shown: i64 = county["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["subsidy_type"] == "职业培训补贴")
        .map(|r| i(&r["claims"]))
        .sum();
    assert!(held > 0, "[{b}] the county trains");
    assert_eq!(shown, held, "[{b}] county rows");
    assert!(
        i(&county["totals"]["claims"]) < i(&city["totals"]["claims"]),
        "[{b}]"
    );
    site.store.close().await;
}
