//! Learning platforms report online sessions through the API
//! (`POST /api/v1/learning-sessions`, docs/learning.md), on SQLite and
//! PostgreSQL: a platform's token posts a batch in which the valid rows are
//! stored and every kind of impossible row is refused with its index and its
//! Chinese reason; a long but possible day is stored and opens check S10;
//! re-sending is idempotent and a changed re-send is refused; the platform
//! reads back its own sessions, masked, and nothing else (persons, figures,
//! classes are 403); an officer's token is 403 here; bodies outside the
//! document are refused whole; the template cannot overwrite a platform's
//! session.

use crate::common;
use crate::learning_helpers as helpers;

use axum::http::StatusCode;
use common::fixtures::*;
use common::http::app_of;
use common::{TestDb, id, initialised};
use helpers::*;
use jineng_domain::access::Role;
use serde_json::{Value, json};

/// The registry: 张三 on two classes numbered 2024-001 (two institutions),
/// 李四 on the school's 2024-001 and on 2024-010, held in 济南 (outside the
/// platform's 聊城), 王五 on 2024-002; 李四 already has two overlapping
/// template sessions on 2024-03-05 (12 hours each, 18 hours of the day).
fn registry(db: &TestDb, f: &Fx) {
    for kind in ["persons", "institutions"] {
        let (header, rows) = base_rows(kind, f);
        load(db, kind, header, &rows);
    }
    let (_, mut classes) = base_rows("classes", f);
    classes.push(format!(
        "2024-010,{},就业技能培训,6-31-01-03,电工,五级/初级工,370102,2024-03-01,2024-03-31,40",
        f.school
    ));
    load(db, "classes", CLASSES, &classes);
    let (_, mut roster) = base_rows("roster", f);
    roster.push(format!("2024-010,{},李四,{},10,0,未结业", f.school, f.li));
    load(db, "roster", ROSTER, &roster);
    load_supervision(db, "s10.supervision.toml", &s10_file("test-learning"));
    let rows = [
        format!(
            "{},李四,2024-001,{},学习强国,2024-03-05 00:00,2024-03-05 12:00",
            f.li, f.school
        ),
        format!(
            "{},李四,2024-001,{},学习强国,2024-03-05 06:00,2024-03-05 18:00",
            f.li, f.school
        ),
    ];
    load(db, "sessions", SESSIONS, &rows);
}

/// The batch: rows 0, 1 and 13 are good, every other row breaks one rule.
fn batch(f: &Fx) -> (Vec<Value>, Vec<(u64, &'static str, &'static str)>) {
    let school = f.school.as_str();
    // 张三's first session on the school's 2024-001, `minutes` long.
    let first = |minutes| {
        session(
            &f.zhang,
            "2024-001",
            Some(school),
            "2024-03-02T08:00:00+08:00",
            "2024-03-02T10:00:00+08:00",
            minutes,
            "A-1",
        )
    };
    let rows = vec![
        first(110),
        session(
            &f.li,
            "2024-001",
            None,
            "2024-03-02 08:00:00",
            "2024-03-02 09:00:00",
            60,
            "A-2",
        ),
        session(
            &f.zhang,
            "2024-001",
            None,
            "2024-03-03 08:00",
            "2024-03-03 09:00",
            60,
            "A-3",
        ),
        session(
            &f.stranger,
            "2024-001",
            None,
            "2024-03-03 08:00",
            "2024-03-03 09:00",
            60,
            "A-4",
        ),
        session(
            &f.li,
            "2099-999",
            None,
            "2024-03-03 08:00",
            "2024-03-03 09:00",
            60,
            "A-5",
        ),
        session(
            &f.wang,
            "2024-001",
            None,
            "2024-03-03 08:00",
            "2024-03-03 09:00",
            60,
            "A-6",
        ),
        session(
            &f.li,
            "2024-001",
            None,
            "2024-03-25 08:00",
            "2024-03-25 09:00",
            60,
            "A-7",
        ),
        session(
            &f.li,
            "2024-001",
            None,
            "2024-03-02 08:30",
            "2024-03-02 09:30",
            60,
            "A-8",
        ),
        session(
            &f.li,
            "2024-001",
            None,
            "2024-03-03 08:00",
            "2024-03-03 09:00",
            61,
            "A-9",
        ),
        session(
            &f.li,
            "2024-001",
            None,
            "2024-03-03 10:00",
            "2024-03-03 09:00",
            30,
            "A-10",
        ),
        session(
            &f.li,
            "2024-001",
            None,
            "明天",
            "2024-03-03 09:00",
            30,
            "A-11",
        ),
        session(
            &f.li,
            "2024-010",
            None,
            "2024-03-04 08:00",
            "2024-03-04 09:00",
            60,
            "A-12",
        ),
        session(
            &f.li,
            "2024-001",
            None,
            "2024-03-05 20:00",
            "2024-03-05 21:00",
            60,
            "A-13",
        ),
        session(
            &f.wang,
            "2024-002",
            None,
            "2024-04-02T06:00:00+08:00",
            "2024-04-02T19:00:00+08:00",
            780,
            "A-14",
        ),
        first(100),
        session(
            &f.li,
            "2024\u{0}001",
            None,
            "2024-03-03 08:00",
            "2024-03-03 09:00",
            60,
            "A-16",
        ),
    ];
    let refused = vec![
        (2, "ambiguous_class", "多个编号为「2024-001」的培训班"),
        (3, "unknown_person", "的人员未登记"),
        (4, "unknown_class", "培训班「2099-999」不存在"),
        (5, "not_enrolled", "本人不在培训班「2024-001」的花名册中"),
        (
            6,
            "outside_period",
            "不在培训班「2024-001」的培训期（2024-03-01 至 2024-03-20）内",
        ),
        (7, "overlap", "重叠 30 分钟"),
        (8, "minutes", "学习时长应为 1 至 60 分钟"),
        (9, "end_before_start", "结束时间应晚于开始时间"),
        (10, "invalid", "开始时间：无法识别的时间「明天」"),
        (11, "outside_scope", "不在本学习平台账号的服务区域内"),
        (
            12,
            "day_limit",
            "2024-03-05 的线上学习合计 25小时0分，超过一天的 24 小时",
        ),
        (14, "changed", "学习记录号「A-1」已报送过，内容与本次不同"),
        (15, "invalid", "班级编号：含有控制字符"),
    ];
    (rows, refused)
}

#[test]
fn a_platform_reports_sessions_row_by_row() {
    let f = fx();
    for db in initialised("learning_sessions") {
        registry(&db, &f);
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(scenario(&db, &f));
        // S10 found the 13-hour day (and the template's overlap earlier).
        let cases = db.ok(&["supervise", "cases", "--status", "all"]);
        assert!(
            cases.contains("线上学习共 13小时0分，超过每天 12 小时"),
            "[{}] {cases}",
            db.backend
        );
        // The template cannot change a session a platform reported.
        let row = format!(
            "{},张三,2024-001,{},学习通,2024-03-02 08:00,2024-03-02 10:30",
            f.zhang, f.school
        );
        let file = db.csv("overwrite.csv", &csv_text(SESSIONS, &[row]));
        let (r, code) = db.import("sessions", &file, &[]);
        assert_eq!(code, 1, "[{}] {r:#}", db.backend);
        common::assert_error(&r, 2, "学习平台", "由学习平台通过接口报送");
    }
}

async fn scenario(db: &TestDb, f: &Fx) {
    let be = db.backend;
    let store = db.store().await;
    let app = app_of(&store);
    let token = platform(&store, "xuexi", "学习通", "371500").await;
    let (rows, expected) = batch(f);
    let (status, r) = report(&app, &token, &rows).await;
    assert_eq!(status, StatusCode::OK, "[{be}] {r:#}");
    assert_eq!(
        (
            r["received"].clone(),
            r["accepted"].clone(),
            r["stored"].clone(),
            r["unchanged"].clone()
        ),
        (json!(16), json!(3), json!(3), json!(0)),
        "[{be}] {r:#}"
    );
    let got = refusals(&r);
    assert_eq!(got.len(), expected.len(), "[{be}] {r:#}");
    for (index, code, needle) in &expected {
        let (_, codes) = got
            .iter()
            .find(|(i, _)| i == index)
            .unwrap_or_else(|| panic!("[{be}] row {index} not refused: {r:#}"));
        assert_eq!(codes, &[code.to_string()], "[{be}] row {index}: {r:#}");
        let why = reasons_of(&r, *index);
        assert!(why.contains(needle), "[{be}] row {index}: {why}");
    }
    assert!(
        !reasons_of(&r, 3).contains(&f.stranger),
        "[{be}] the ID is masked"
    );
    assert!(
        r["supervision"]["opened"].as_u64().unwrap() >= 1,
        "[{be}] S10: {r:#}"
    );

    // The same sessions again: nothing new; a changed one: refused.
    let (_, again) = report(&app, &token, &rows[..2]).await;
    assert_eq!(
        (
            again["stored"].clone(),
            again["unchanged"].clone(),
            again["accepted"].clone()
        ),
        (json!(0), json!(2), json!(2)),
        "[{be}] {again:#}"
    );
    let mut changed = rows[0].clone();
    changed["end"] = json!("2024-03-02T10:30:00+08:00");
    let (_, c) = report(&app, &token, &[changed]).await;
    assert_eq!(
        refusals(&c),
        [(0, vec!["changed".to_string()])],
        "[{be}] {c:#}"
    );

    let mut sql = common::http::Sql::open(db).await;
    assert_eq!(
        sql.int("SELECT COUNT(*) FROM online_sessions WHERE account_id IS NOT NULL")
            .await,
        3,
        "[{be}]"
    );
    let minutes = |p: &str, class: &str| {
        format!(
            "SELECT e.platform_minutes FROM enrolments e JOIN persons p ON p.person_id = e.person_id \
             JOIN classes c ON c.class_id = e.class_id JOIN institutions i ON i.institution_id = c.institution_id \
             WHERE p.id_number = '{p}' AND c.class_no = '{class}' AND i.credit_code = '{}'",
            f.school
        )
    };
    assert_eq!(
        sql.opt_int(&minutes(&f.zhang, "2024-001")).await,
        Some(110),
        "[{be}]"
    );
    assert_eq!(
        sql.opt_int(&minutes(&f.wang, "2024-002")).await,
        Some(780),
        "[{be}]"
    );
    assert_eq!(
        sql.opt_int(&minutes(&f.li, "2024-010")).await,
        None,
        "[{be}]"
    );
    let audited = sql
        .int(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'import' AND entity = 'import_batch' \
             AND actor = 'web:xuexi'",
        )
        .await;
    assert_eq!(audited, 1, "[{be}] one batch stored rows");

    read_back(&app, &token, f, be).await;
    refusals_of_the_request(&app, &token, &store, be).await;
    platform_on_the_web(&app, &store, be).await;
}

/// Signed in on the web, a platform lands on its account page, where it
/// makes tokens; the pages of persons and archives are 403.
async fn platform_on_the_web(app: &axum::Router, store: &jineng_store::Store, be: &str) {
    use common::http::{get, login};
    let a = jineng_web::create_account(
        store,
        "xuexi-web",
        "学习通",
        Role::Platform,
        region("371500"),
        &actor(),
    )
    .await
    .unwrap();
    let (cookie, _) = login(app, "xuexi-web", &a.password).await;
    let home = get(app, "/", &cookie).await;
    assert_eq!(home.status, StatusCode::SEE_OTHER, "[{be}]");
    assert_eq!(home.headers["location"], "/account", "[{be}]");
    let account = get(app, "/account", &cookie).await;
    assert!(account.body.contains("id=\"platform-hint\""), "[{be}]");
    assert!(account.body.contains("学习平台"), "[{be}]");
    for path in [
        "/persons?q=%E5%BC%A0",
        "/me",
        "/classes",
        "/claims",
        "/imports",
    ] {
        let r = get(app, path, &cookie).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "[{be}] {path}");
    }
}

/// The platform reads back its own sessions, masked, and nothing else.
async fn read_back(app: &axum::Router, token: &str, f: &Fx, be: &str) {
    let (s, all) = get_json(app, "/api/v1/learning-sessions", token).await;
    assert_eq!(s, StatusCode::OK, "[{be}] {all:#}");
    let list = all["sessions"].as_array().unwrap();
    assert_eq!(list.len(), 3, "[{be}] {all:#}");
    for x in list {
        let person = x["person"].as_str().unwrap();
        assert!(
            person.contains('*') && person.len() == 18,
            "[{be}] {person}"
        );
    }
    let (_, one) = get_json(app, "/api/v1/learning-sessions?session_id=A-1", token).await;
    assert_eq!(one["sessions"][0]["minutes"], 110, "[{be}] {one:#}");
    assert_eq!(one["sessions"][0]["start"], "2024-03-02 08:00:00", "[{be}]");
    assert_eq!(
        one["sessions"][0]["institution"],
        f.school.as_str(),
        "[{be}]"
    );
    let (_, by_class) = get_json(app, "/api/v1/learning-sessions?class=2024-002", token).await;
    assert_eq!(by_class["sessions"].as_array().unwrap().len(), 1, "[{be}]");
    let (s, _) = get_json(app, "/api/v1/learning-sessions?class=", token).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "[{be}]");
    let (s, me) = get_json(app, "/api/v1/me", token).await;
    assert_eq!(
        (s, me["role"].as_str()),
        (StatusCode::OK, Some("platform")),
        "[{be}]"
    );
    for path in [
        "/api/v1/persons?q=%E5%BC%A0",
        "/api/v1/persons/1",
        "/api/v1/figures",
        "/api/v1/classes",
        "/api/v1/claims",
        "/api/v1/supervision/cases",
    ] {
        let (s, v) = get_json(app, path, token).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "[{be}] {path}: {v}");
    }
}

/// Requests refused whole, and other accounts refused.
async fn refusals_of_the_request(
    app: &axum::Router,
    token: &str,
    store: &jineng_store::Store,
    be: &str,
) {
    let one = session(
        &id("371502", 1990, 5, 17, 123),
        "2024-001",
        None,
        "2024-03-09 08:00",
        "2024-03-09 09:00",
        60,
        "B-1",
    );
    let officer = token_for(
        store,
        "officer",
        "聊城市人社局",
        Role::Officer,
        region("371500"),
    )
    .await;
    let (s, v) = report(app, &officer, std::slice::from_ref(&one)).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "[{be}] {v}");
    let (s, _) = get_json(app, "/api/v1/learning-sessions", &officer).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "[{be}]");
    let (s, _) = report(app, "", std::slice::from_ref(&one)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "[{be}]");
    let many: Vec<Value> = (0..5001).map(|_| one.clone()).collect();
    let (s, v) = report(app, token, &many).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "[{be}] {v}");
    assert!(
        v["error"].as_str().unwrap().contains("至多报送 5000 条"),
        "[{be}] {v}"
    );
    let mut missing = one.clone();
    missing.as_object_mut().unwrap().remove("minutes");
    let mut unknown = one.clone();
    unknown["minute"] = json!(60);
    for bad in [missing, unknown] {
        let (s, v) = report(app, token, &[bad]).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "[{be}] {v}");
        assert!(v["error"].is_string(), "[{be}] {v}");
    }
    // 60.0 is an integer as JSON Schema counts one; 60.5 is not.
    let mut whole = one.clone();
    whole["minutes"] = json!(60.0);
    let (s, v) = report(app, token, &[whole]).await;
    assert_eq!(s, StatusCode::OK, "[{be}] {v}");
    let mut half = one.clone();
    half["minutes"] = json!(60.5);
    let (s, v) = report(app, token, &[half]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "[{be}] {v}");
    let r = call(
        app,
        "POST",
        "/api/v1/learning-sessions",
        token,
        Some(("text/plain", "x".into())),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "[{be}] {}",
        r.body
    );
}

/// Online hours count toward R1's hours at the policy's share and up to
/// its cap (如东: 50 %, at most 40 hours; 80 of the class's 100 planned
/// hours required), and a platform's minutes replace the roster's online
/// column rather than adding to it.
#[test]
fn platform_hours_count_in_proportion_under_the_cap_and_replace_the_roster() {
    let trainees = [
        // 70 in person + 20 platform hours at 50 % = 80: enough.
        ("周一", 70, 0, "合格"),
        // 70 in person, nothing online: 70, short.
        ("吴二", 70, 0, "合格"),
        // 30 in person + 100 platform hours, capped at 40: 70, short.
        ("郑三", 30, 0, "合格"),
        // 45 in person + 100 platform hours, capped at 40: 85, enough.
        ("王四", 45, 0, "合格"),
        // 60 in person + the roster's 40 online at 50 % = 80: enough …
        ("冯五", 60, 40, "合格"),
        // … but a platform that reported 2 hours replaces the roster's 40: 61.
        ("陈六", 60, 40, "合格"),
    ];
    for db in initialised("learning_r1") {
        let be = db.backend;
        let rd = rudong(&db, &trainees);
        let p = |i: usize| rd.people[i].1.clone();
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let store = db.store().await;
            let app = app_of(&store);
            let token = platform(&store, "rudong-xuexi", "如东学习平台", "320623").await;
            let mut rows = daily_sessions(&p(0), "RD-01", "2019-09-02", 20, "zhou");
            rows.extend(daily_sessions(&p(2), "RD-01", "2019-09-02", 100, "zheng"));
            rows.extend(daily_sessions(&p(3), "RD-01", "2019-09-02", 100, "wang"));
            rows.extend(daily_sessions(&p(5), "RD-01", "2019-09-02", 2, "chen"));
            let (s, r) = report(&app, &token, &rows).await;
            assert_eq!(s, StatusCode::OK, "[{be}] {r:#}");
            assert_eq!(r["stored"], json!(rows.len()), "[{be}] {r:#}");
        });
        db.ok(&["claims", "decide", "--all"]);
        let claims = export_claims(&db);
        let outcome = |i: usize| {
            let c = &claims[&format!("RDSL-{}", i + 1)];
            (
                c["outcome"].as_str().unwrap().to_string(),
                c["rules"].clone(),
            )
        };
        for (i, want) in [
            "approved", "rejected", "rejected", "approved", "approved", "rejected",
        ]
        .iter()
        .enumerate()
        {
            let (got, rules) = outcome(i);
            assert_eq!(&got, want, "[{be}] {} {rules}", trainees[i].0);
            if *want == "rejected" {
                assert_eq!(rules, json!(["R1"]), "[{be}] {}", trainees[i].0);
            }
        }
        for (i, counted) in [
            (1, "计入课时 70，不足要求的 80 课时"),
            (2, "计入课时 70"),
            (5, "计入课时 61"),
        ] {
            let shown = show_claim(&db, &format!("RDSL-{}", i + 1));
            assert!(shown.contains(counted), "[{be}] {}: {shown}", trainees[i].0);
        }
        // The hours as the worker's statement shows them.
        let st: Value =
            serde_json::from_str(&db.ok(&["person", "credits", &p(5), "--json"])).unwrap();
        let training = st["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["source"]["kind"] == "training")
            .unwrap()
            .clone();
        assert_eq!(
            (
                training["source"]["offline_hours"].clone(),
                training["source"]["online_hours"].clone(),
                training["source"]["online_source"].clone(),
                training["source"]["counted_hours"].clone(),
            ),
            (json!(60), json!(2), json!("platform"), json!(61)),
            "[{be}] {st:#}"
        );
    }
}
