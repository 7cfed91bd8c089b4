//! The task tables of `web_dashboard.rs`, and the progress form.

use super::*;

/// The form of a progress report on task 3 of the city's table.
fn form(csrf: &str) -> Vec<(&'static str, &str)> {
    vec![
        ("csrf", csrf),
        ("doc", TASK_DOC),
        ("no", "3"),
        ("unit", "市人力资源社会保障局"),
        ("status", "in_progress"),
        ("date", "2019-06-30"),
        ("note", "已开展援企稳岗培训"),
    ]
}

/// The task tables, and a progress report through the form.
pub async fn tasks(db: &TestDb, w: &mut World) {
    let b = db.backend;
    let path = format!("/tasks?doc={}", encode(TASK_DOC));
    let r = get(&w.app, &path, &w.city.0).await;
    assert_eq!(r.status, StatusCode::OK, "[{b}] {}", r.body);
    assert!(
        r.body.contains("逾期") && r.body.contains("市人力资源社会保障局"),
        "[{b}]"
    );
    let count = "SELECT COUNT(*) FROM task_reports";
    let audits = "SELECT COUNT(*) FROM audit_log";
    let (reports0, audits0) = (w.sql.int(count).await, w.sql.int(audits).await);
    let no = "3";
    let (city_csrf, county_csrf) = (w.city.1.as_str(), w.county.1.as_str());
    let finance_csrf = w.finance.1.as_str();
    // No token, another session's token, a county officer, finance: 403.
    let mut no_token = form("");
    no_token.remove(0);
    for (cookie, f, who) in [
        (&w.city.0, no_token, "no token"),
        (&w.city.0, form(county_csrf), "another session's token"),
        (&w.county.0, form(county_csrf), "county officer, city task"),
        (&w.finance.0, form(finance_csrf), "finance"),
    ] {
        let r = post(&w.app, "/tasks/report", cookie, &f).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}] {who}: {}", r.body);
    }
    let mut stranger = form(city_csrf);
    stranger[3] = ("unit", "市财政局");
    let r = post(&w.app, "/tasks/report", &w.city.0, &stranger).await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "[{b}] not a responsible unit"
    );
    assert!(r.body.contains("不是"), "[{b}] {}", r.body);
    assert_eq!(w.sql.int(count).await, reports0, "[{b}] nothing written");
    assert_eq!(w.sql.int(audits).await, audits0, "[{b}] nothing audited");

    let r = post(&w.app, "/tasks/report", &w.city.0, &form(city_csrf)).await;
    assert_eq!(r.status, StatusCode::OK, "[{b}] {}", r.body);
    let shown = "2019-06-30 市人力资源社会保障局：进行中（已开展援企稳岗培训）";
    assert!(r.body.contains("已记录"), "[{b}]");
    assert!(
        get(&w.app, &path, &w.city.0).await.body.contains(shown),
        "[{b}] on the list"
    );
    assert_eq!(w.sql.int(count).await, reports0 + 1, "[{b}]");
    let audited = w
        .sql
        .int(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE actor = 'web:city' AND action = 'report'
             AND entity = 'task' AND entity_key = '{TASK_DOC}/{no}'"
        ))
        .await;
    assert_eq!(audited, 1, "[{b}] the report is in the audit trail");
    // The county sees the city's tables (they bind it) but has no form.
    let r = get(&w.app, &path, &w.county.0).await;
    assert!(
        r.body.contains(shown) && !r.body.contains("action=\"/tasks/report\""),
        "[{b}]"
    );
}
