//! Ratings and draws on the 监管 pages and the API, a result recorded
//! (refused outside the county officer's region), and the public pages
//! (一公开), which carry no ID number, masked or not.

use crate::common::TestDb;
use crate::common::http::{COUNTY, Site, Sql};
use axum::http::StatusCode;
use serde_json::Value;

/// An API token for a demo account.
pub async fn token(site: &Site, login: &str) -> String {
    jineng_web::issue_api_token(
        &site.store,
        site.account(login).account_id,
        "supervision",
        &jineng_store::Actor("test:supervision".into()),
    )
    .await
    .unwrap()
}

pub async fn ratings_and_draws(db: &TestDb, site: &Site, sql: &mut Sql) {
    let b = db.backend;
    let inspectors = db.csv(
        "inspectors.csv",
        "检查人员编号,姓名,所在单位\nJC01,张检查,市人社局\nJC02,李检查,市人社局\nJC03,王检查,县人社局\n",
    );
    let (r, code) = db.import("inspectors", &inspectors, &[]);
    assert_eq!(code, 0, "{r:#}");
    let seed = "2019年第一批-4417";
    // Every active institution is drawn, so the one outside the county is.
    let all = sql
        .int("SELECT COUNT(*) FROM institutions WHERE status = 'active'")
        .await
        .to_string();
    let drawn: Value = serde_json::from_str(&db.ok(&[
        "inspect",
        "draw",
        "--year",
        "2019",
        "--seed",
        seed,
        "--institutions",
        &all,
        "--inspectors",
        "2",
        "--json",
    ]))
    .unwrap();
    let draw_no = drawn["draw_no"].as_str().unwrap().to_string();
    db.ok(&["credit", "rate", "--year", "2019"]);

    let (city, city_csrf) = site.login("city").await;
    let r = site.get("/supervision/credit?year=2019", &city).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("聊城市技师学院") && r.body.contains("基础分"),
        "[{b}] {}",
        r.body
    );
    let r = site.get("/supervision/draws", &city).await;
    assert!(r.body.contains(&draw_no) && r.body.contains(seed));
    let r = site
        .get(&format!("/supervision/draws/{draw_no}"), &city)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("记录结果"), "[{b}] the officer's form");
    assert!(
        ["张检查", "李检查", "王检查"]
            .iter()
            .filter(|n| r.body.contains(*n))
            .count()
            == 2,
        "[{b}] the two inspectors drawn"
    );
    // A result for a drawn institution outside the county is refused to
    // the county officer, recorded by the city's.
    let far = sql
        .text(&format!(
            "SELECT MIN(credit_code) FROM institutions WHERE region_code NOT LIKE '{COUNTY}%' AND status = 'active'"
        ))
        .await;
    let (county, county_csrf) = site.login("county").await;
    let results = format!("/supervision/draws/{draw_no}/results");
    let r = site
        .post(
            &results,
            &county,
            &[
                ("csrf", &county_csrf),
                ("institution", &far),
                ("result", "不合格"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}] {}", r.body);
    let r = site
        .post_raw(
            &results,
            &city,
            &[
                ("csrf", &city_csrf),
                ("institution", &far),
                ("result", "不合格"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "[{b}] {}", r.body);

    // The public pages: no sign-in, no person.
    let ids = sql.texts("SELECT id_number FROM persons").await;
    let credit = site.get("/public/credit", "").await;
    assert_eq!(credit.status, StatusCode::OK);
    assert!(credit.body.contains("聊城市技师学院") && credit.body.contains("信用等级"));
    assert!(
        !credit.body.contains("基础分"),
        "[{b}] the points stay internal"
    );
    let draws = site.get("/public/draws", "").await;
    assert_eq!(draws.status, StatusCode::OK);
    for want in [
        seed,
        "jineng-draw-v1",
        drawn["institutions_digest"].as_str().unwrap(),
        "不合格",
        "抽取算法",
    ] {
        assert!(draws.body.contains(want), "[{b}] public draws show {want}");
    }
    for page in [&credit.body, &draws.body] {
        let leaked: Vec<&String> = ids.iter().filter(|i| page.contains(i.as_str())).collect();
        assert!(
            leaked.is_empty(),
            "[{b}] ID numbers on a public page: {leaked:?}"
        );
        assert!(!page.contains("****"), "[{b}] not even masked ones");
    }
    let t = token(site, "auditor").await;
    let (s, v) = site.api("GET", "/api/v1/supervision/draws", &t).await;
    assert_eq!(s, StatusCode::OK);
    assert!(v.to_string().contains(&draw_no));
    let (s, v) = site
        .api("GET", "/api/v1/supervision/ratings?year=2019", &t)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(!v.as_array().unwrap().is_empty());
}
