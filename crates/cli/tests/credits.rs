//! The skills credit bank (学分银行, docs/learning.md), on SQLite and
//! PostgreSQL: credits accumulate from certificates (type × level) and from
//! completed trainings' counted hours as the 如东 policy's `[credits]` table
//! says, each line with its source and reason; a failed training and a
//! certificate no policy governs earn nothing and say why;
//! `jineng person credits` prints the statement masked (the full ID only
//! with `--reveal`), every reading audited; the worker's `/me` shows their
//! own statement and hours, and not another worker's.

use crate::common;
use crate::learning_helpers as helpers;

use axum::http::StatusCode;
use common::fixtures::*;
use common::http::{Sql, app_of, get, login};
use common::{id, initialised};
use helpers::*;
use jineng_domain::access::{Role, Scope};
use serde_json::{Value, json};

/// 周一 passes with 70 hours in person and 20 reported by a platform
/// (counted 80); 吴二 fails. 周一 also holds a 专项职业能力证书 with no class
/// (governed by 如东 where 周一 is registered); 刘七 of 聊城, where no policy
/// is loaded, holds a 职业资格证书.
fn registry(db: &common::TestDb) -> Rudong {
    let rd = rudong(db, &[("周一", 70, 0, "合格"), ("吴二", 70, 0, "不合格")]);
    let zhou = &rd.people[0].1;
    let liu = id("371502", 1985, 7, 7, 77);
    load(db, "persons", PERSONS, &[format!("刘七,{liu},371502")]);
    let inst = &rd.institution;
    load(
        db,
        "certificates",
        CERTIFICATES,
        &[
            format!("RDS-1,专项职业能力证书,周一,{zhou},4-10-01-06,,2019-11-01,{inst},"),
            format!("LCQ-1,职业资格证书,刘七,{liu},6-31-01-03,三级/高级工,2019-11-01,{inst},"),
        ],
    );
    rd
}

fn credits_json(db: &common::TestDb, id: &str) -> Value {
    serde_json::from_str(&db.ok(&["person", "credits", id, "--json"])).unwrap()
}

/// (reference, credits, reason) of each line.
fn lines(st: &Value) -> Vec<(String, f64, String)> {
    st["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let s = &l["source"];
            let r = match s["kind"].as_str().unwrap() {
                "certificate" => format!("证书 {}", s["cert_no"].as_str().unwrap()),
                _ => format!("培训班 {}", s["class_no"].as_str().unwrap()),
            };
            (
                r,
                l["credits"].as_f64().unwrap(),
                l["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn credits_accumulate_from_certificates_and_hours_as_the_table_says() {
    for db in initialised("credits") {
        let be = db.backend;
        let rd = registry(&db);
        let (zhou, wu) = (rd.people[0].1.clone(), rd.people[1].1.clone());
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let store = db.store().await;
            let app = app_of(&store);
            let token = platform(&store, "rd", "如东学习平台", "320623").await;
            let rows = daily_sessions(&zhou, "RD-01", "2019-09-02", 20, "zhou");
            let (s, r) = report(&app, &token, &rows).await;
            assert_eq!(
                (s, r["stored"].clone()),
                (StatusCode::OK, json!(5)),
                "[{be}] {r:#}"
            );
        });

        let st = credits_json(&db, &zhou);
        assert_eq!(st["total"], json!(11.0), "[{be}] 4 + 2 + 5: {st:#}");
        assert_eq!(st["example"], json!(true), "[{be}]");
        let got = lines(&st);
        let want: [(&str, f64, &str); 3] = [
            (
                "培训班 RD-01",
                5.0,
                "计入课时 80（线下 70，线上 20），每 16 课时计 1 学分，计 5 学分（示例标准）",
            ),
            (
                "证书 RDZ-1",
                4.0,
                "职业技能等级证书（五级/初级工）计 4 学分（示例标准）",
            ),
            (
                "证书 RDS-1",
                2.0,
                "专项职业能力证书（无等级）计 2 学分（示例标准）",
            ),
        ];
        assert_eq!(got.len(), want.len(), "[{be}] {got:#?}");
        for (r, c, why) in want {
            let line = got
                .iter()
                .find(|(x, ..)| x == r)
                .unwrap_or_else(|| panic!("[{be}] no line {r}: {got:#?}"));
            assert_eq!((line.1, line.2.as_str()), (c, why), "[{be}] {r}");
        }
        let clause = st["lines"][0]["clause"].as_str().unwrap();
        assert!(clause.contains("序号10"), "[{be}] {clause}");
        assert!(
            st["lines"][0]["policy"]
                .as_str()
                .unwrap()
                .starts_with("rudong-2019 第 1 版"),
            "[{be}] {st:#}"
        );

        // A failed training earns no credits; its certificate still does.
        let st = credits_json(&db, &wu);
        assert_eq!(st["total"], json!(4.0), "[{be}] {st:#}");
        assert!(
            lines(&st)
                .iter()
                .any(|(r, c, why)| r == "培训班 RD-01" && *c == 0.0 && why.contains("「不合格」")),
            "[{be}] {st:#}"
        );
        // No policy governs 聊城 here: no table, no credits.
        let liu = id("371502", 1985, 7, 7, 77);
        let st = credits_json(&db, &liu);
        assert_eq!(st["total"], json!(0.0), "[{be}]");
        assert_eq!(
            lines(&st)[0].2,
            "适用的政策未规定学分转换表，不计学分",
            "[{be}]"
        );

        // The text statement: masked, unless revealed; every reading audited.
        let text = db.ok(&["person", "credits", &zhou]);
        assert!(
            text.contains("学分合计：11 学分（学分转换表含示例标准）"),
            "[{be}] {text}"
        );
        assert!(
            text.contains("证书 RDZ-1 职业技能等级证书 电工：4 学分"),
            "[{be}] {text}"
        );
        assert!(
            !text.contains(&zhou) && text.contains(&zhou[14..]),
            "[{be}] {text}"
        );
        let revealed = db.ok(&["person", "credits", &zhou, "--reveal"]);
        assert!(revealed.contains(&zhou), "[{be}] {revealed}");
        let audit = sql_rows(
            &db,
            "SELECT action, COUNT(*) FROM audit_log WHERE action IN ('credit_statement', 'reveal') \
             GROUP BY action ORDER BY action",
        );
        assert_eq!(
            audit,
            [
                vec!["credit_statement".to_string(), "5".into()],
                vec!["reveal".into(), "1".into()]
            ],
            "[{be}]"
        );
        let e = db.run(&["person", "credits", &id("320623", 1970, 1, 1, 1)]);
        assert!(!e.status.success(), "[{be}]");
        assert!(
            String::from_utf8_lossy(&e.stderr).contains("未找到身份证号码为"),
            "[{be}]"
        );

        rt.block_on(me_pages(&db, &zhou, &wu));
    }
}

/// Each worker's `/me` shows their own hours and statement, and nothing of
/// the other's; a worker cannot open another's archive.
async fn me_pages(db: &common::TestDb, zhou: &str, wu: &str) {
    let be = db.backend;
    let store = db.store().await;
    let app = app_of(&store);
    let mut sql = Sql::open(db).await;
    let pid = |id: &str| format!("SELECT person_id FROM persons WHERE id_number = '{id}'");
    let (zhou_id, wu_id) = (sql.int(&pid(zhou)).await, sql.int(&pid(wu)).await);
    let mut cookies = Vec::new();
    for (login_name, person) in [("zhou", zhou_id), ("wu", wu_id)] {
        let a = jineng_web::create_account(
            &store,
            login_name,
            login_name,
            Role::Worker,
            Scope::Person(person),
            &actor(),
        )
        .await
        .unwrap();
        cookies.push(login(&app, login_name, &a.password).await.0);
    }
    let me = get(&app, "/me", &cookies[0]).await;
    assert_eq!(me.status, StatusCode::OK, "[{be}]");
    for needle in [
        "学分银行",
        "id=\"credit-total\">11<",
        "RDZ-1",
        "RDS-1",
        "计入课时 80（线下 70，线上 20）",
        "id=\"hours-RD-01\"",
        "20（学习平台记录，5 条，1200 分钟）",
        "线上课时按 50% 计入，至多 40 课时",
    ] {
        assert!(
            me.body.contains(needle),
            "[{be}] 「{needle}」 missing on /me"
        );
    }
    assert!(!me.body.contains(zhou), "[{be}] the ID number is masked");
    let other = get(&app, "/me", &cookies[1]).await;
    assert!(other.body.contains("id=\"credit-total\">4<"), "[{be}]");
    assert!(
        other.body.contains("RDZ-2") && !other.body.contains("RDZ-1"),
        "[{be}]"
    );
    assert!(
        !other.body.contains("RDS-1"),
        "[{be}] another worker's certificate"
    );
    let r = get(&app, &format!("/persons/{zhou_id}"), &cookies[1]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "[{be}]");
}
