//! What every visitor meets before any flow: the public home page, the
//! icon, a verifier's DID document and status list refusal in JSON, and
//! refusals in Chinese HTML — a bad record number in an address,
//! a bad query, an unknown page, a method the address does not take —
//! where the framework would answer in English plain text. Run on SQLite
//! and PostgreSQL over the demo the real binary loads.

use crate::common;

use crate::common::http::{Site, send};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::backends;

#[test]
fn visitors_meet_chinese_pages_and_refusals() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for db in backends("web_pages") {
        db.demo(&["--persons", "300"]);
        rt.block_on(async {
            let b = db.backend;
            let site = Site::open(&db).await;

            let home = site.get("/", "").await;
            assert_eq!(home.status, StatusCode::OK, "[{b}]");
            for link in [
                "/certificates/lookup",
                "/public/credit",
                "/public/draws",
                "/login",
            ] {
                assert!(
                    home.body.contains(&format!("href=\"{link}\"")),
                    "[{b}] {link}"
                );
            }
            let icon = site.get("/favicon.ico", "").await;
            assert_eq!(icon.status, StatusCode::OK, "[{b}]");
            assert_eq!(icon.headers[header::CONTENT_TYPE], "image/x-icon", "[{b}]");
            assert_eq!(&icon.bytes[..4], &[0, 0, 1, 0], "[{b}] an ICO file");

            // A verifier's documents: JSON without login, refusals too.
            let did = site.get("/.well-known/did.json", "").await;
            assert_eq!(did.status, StatusCode::OK, "[{b}]");
            assert_eq!(
                did.headers[header::CONTENT_TYPE],
                "application/json",
                "[{b}]"
            );
            assert!(
                did.body.contains("\"assertionMethod\""),
                "[{b}] {}",
                did.body
            );
            let list = site.get("/credentials/status/999", "").await;
            assert_eq!(list.status, StatusCode::NOT_FOUND, "[{b}]");
            assert_eq!(
                list.headers[header::CONTENT_TYPE],
                "application/json",
                "[{b}]"
            );
            assert!(
                list.body.contains("没有编号为「999」的状态列表"),
                "[{b}] {}",
                list.body
            );

            let (city, _) = site.login("city").await;
            // Each answer: the status, an HTML page in Chinese, no English.
            let method = send(
                &site.app,
                Request::get("/claims/ZZ-1/approve")
                    .header(header::COOKIE, &city)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
            for (what, r, status, words) in [
                (
                    "/persons/abc",
                    site.get("/persons/abc", &city).await,
                    StatusCode::BAD_REQUEST,
                    "网址中的编号无效",
                ),
                (
                    "/audit?page=x",
                    site.get("/audit?page=x", &city).await,
                    StatusCode::BAD_REQUEST,
                    "查询条件无效",
                ),
                (
                    "/policy/standards?year=x",
                    site.get("/policy/standards?year=x", &city).await,
                    StatusCode::BAD_REQUEST,
                    "年度「x」无效",
                ),
                (
                    "/policy/standards?sort=x",
                    site.get("/policy/standards?sort=x", &city).await,
                    StatusCode::BAD_REQUEST,
                    "未知的排序方式",
                ),
                (
                    "/vouchers?status=x",
                    site.get("/vouchers?status=x", &city).await,
                    StatusCode::BAD_REQUEST,
                    "未知的培训券状态「x」",
                ),
                (
                    "/nowhere",
                    site.get("/nowhere", &city).await,
                    StatusCode::NOT_FOUND,
                    "页面不存在",
                ),
                (
                    "GET a claim's approve",
                    method,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "此地址不能这样访问",
                ),
            ] {
                assert_eq!(r.status, status, "[{b}] {what}: {}", r.body);
                let kind = r.headers[header::CONTENT_TYPE].to_str().unwrap();
                assert!(kind.starts_with("text/html"), "[{b}] {what}: {kind}");
                assert!(r.body.contains(words), "[{b}] {what}: {}", r.body);
                assert!(
                    r.body.contains("lang=\"zh-CN\"") && r.body.contains("返回首页"),
                    "[{b}] {what}"
                );
                for english in [
                    "Invalid URL",
                    "Failed to deserialize",
                    "Cannot parse",
                    "Method Not Allowed",
                ] {
                    assert!(!r.body.contains(english), "[{b}] {what}: {english}");
                }
            }
            site.store.close().await;
        });
    }
}
