//! The public certificate lookup reads the live database, on SQLite and
//! PostgreSQL: a certificate another connection is still writing is not
//! shown and does not hold the lookup up; once committed it is found at
//! once, and once deleted it is gone. (On SQLite the lookup runs on its
//! own direct read path, `store/src/lookup.rs`; nothing may be cached.)

use crate::common;

use axum::http::StatusCode;
use common::backends;
use common::http::{Sql, encode, get};
use jineng_store::Store;

#[test]
fn lookup_sees_only_committed_certificates_at_once() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for db in backends("web_lookup") {
        db.demo(&["--persons", "300"]);
        rt.block_on(async {
            let b = db.backend;
            let store = Store::connect(&db.url).await.unwrap();
            let limits = jineng_web::Limits {
                login_per_minute: 10,
                lookup_per_minute: 1000,
            };
            let app = jineng_web::router(jineng_web::AppState::new(store.clone(), limits, false));
            let mut sql = Sql::open(&db).await;
            let cert = sql
                .text("SELECT MIN(cert_no) FROM certificates")
                .await;
            let name = sql
                .text(&format!(
                    "SELECT p.name FROM certificates c JOIN persons p ON p.person_id = c.person_id \
                     WHERE c.cert_no = '{cert}'"
                ))
                .await;
            let id = sql
                .text(&format!(
                    "SELECT p.id_number FROM certificates c JOIN persons p ON p.person_id = c.person_id \
                     WHERE c.cert_no = '{cert}'"
                ))
                .await;
            let page = |no: &str| format!("/certificates/lookup?name={}&cert_no={no}", encode(&name));
            let by_id = format!("/api/v1/certificates/lookup?name={}&id_number={id}", encode(&name));

            let r = get(&app, &page(&cert), "").await;
            assert_eq!(r.status, StatusCode::OK, "[{b}]");
            assert!(r.body.contains(&cert) && !r.body.contains(&id), "[{b}] found, ID masked");
            let r = get(&app, &by_id, "").await;
            assert!(r.body.contains(&cert) && !r.body.contains(&id), "[{b}] {}", r.body);

            // Another connection writes a second certificate for the same
            // person and has not committed yet.
            let begin = if b == "sqlite" { "BEGIN IMMEDIATE" } else { "BEGIN" };
            sql.exec(begin).await;
            sql.exec(&format!(
                "INSERT INTO certificates (person_id, cert_type, cert_no, occupation_code, skill_level, \
                 issue_date, issuer_code, class_id, batch_id, updated_at) \
                 SELECT person_id, cert_type, 'TLOOKUP0001', occupation_code, skill_level, issue_date, \
                 issuer_code, class_id, batch_id, updated_at FROM certificates WHERE cert_no = '{cert}'"
            ))
            .await;
            let r = get(&app, &page("TLOOKUP0001"), "").await;
            assert_eq!(r.status, StatusCode::OK, "[{b}] the writer does not block the lookup");
            assert!(r.body.contains("未查询到"), "[{b}] nothing uncommitted is shown");

            sql.exec("COMMIT").await;
            let r = get(&app, &page("TLOOKUP0001"), "").await;
            assert!(r.body.contains("TLOOKUP0001"), "[{b}] committed: found at once");
            let r = get(&app, &by_id, "").await;
            assert!(
                r.body.contains("TLOOKUP0001") && r.body.contains(&cert),
                "[{b}] by ID number: both certificates"
            );

            sql.exec("DELETE FROM certificates WHERE cert_no = 'TLOOKUP0001'")
                .await;
            let r = get(&app, &page("TLOOKUP0001"), "").await;
            assert!(r.body.contains("未查询到"), "[{b}] deleted: gone at once");
            store.close().await;
        });
    }
}
