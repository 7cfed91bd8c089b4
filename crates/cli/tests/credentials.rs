//! Verifiable certificates end to end (issue 15, docs/credentials.md), on
//! SQLite and PostgreSQL, through the real binary and the real router:
//! an issued credential verifies; with any byte changed it does not;
//! revoked it reads 已撤销 (exit 1), in the registry and in the published
//! status list; after `keys rotate` an old credential still verifies and a
//! new one is signed by the new key; the DID document and the status list
//! are served without login, cacheable; verification from the two files
//! alone agrees; a case closed 属实 revokes the certificates it names
//! through the same call. `python_verifies_…` checks an issued credential
//! with Python (`cryptography`, `jcs`), outside Rust.

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::fixtures::{base, fx, sql_rows};
use common::http::{Site, app_of, get, send};
use common::{TestDb, backends, python_ready};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// `jineng cert verify FILE extra…`: exit code and standard output.
fn verify(db: &TestDb, file: &Path, extra: &[&str]) -> (i32, String) {
    let mut args = vec!["cert", "verify", file.to_str().unwrap()];
    args.extend_from_slice(extra);
    let out = db.run(&args);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or_default()
}

fn read(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// The byte ranges of the values of `"key": "…"` in a pretty credential.
fn value_of(text: &str, key: &str) -> std::ops::Range<usize> {
    let start = text.find(&format!("\"{key}\": \"")).unwrap() + key.len() + 5;
    let end = start + text[start..].find('"').unwrap();
    start..end
}

/// The DID document and status list 1 as the router serves them, saved.
async fn published(db: &TestDb, dir: &Path) -> (PathBuf, PathBuf) {
    let store = db.store().await;
    let app = app_of(&store);
    let did = get(&app, "/.well-known/did.json", "").await;
    assert_eq!(did.status, StatusCode::OK, "[{}] {}", db.backend, did.body);
    let list = get(&app, "/credentials/status/1", "").await;
    assert_eq!(
        list.status,
        StatusCode::OK,
        "[{}] {}",
        db.backend,
        list.body
    );
    std::fs::create_dir_all(dir).unwrap();
    let (d, l) = (dir.join("did.json"), dir.join("status-1.json"));
    std::fs::write(&d, &did.bytes).unwrap();
    std::fs::write(&l, &list.bytes).unwrap();
    store.close().await;
    (d, l)
}

#[test]
fn issued_credentials_verify_until_changed_revoked_or_rotated() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for db in backends("credentials") {
        let b = db.backend;
        db.ok(&["init"]);
        let f = fx();
        base(&db, &f, "certificates");
        let out = db.path("vc");
        let printed = db.ok(&["cert", "issue", "--all", "--out", out.to_str().unwrap()]);
        assert!(printed.contains("已签发可验证证书 3 本"), "[{b}] {printed}");
        let s1 = out.join("S000001.json");
        let text = std::fs::read_to_string(&s1).unwrap();
        let vc = read(&s1);
        assert_eq!(
            vc["type"],
            serde_json::json!(["VerifiableCredential", "OpenBadgeCredential"]),
            "[{b}]"
        );
        assert_eq!(vc["issuer"]["id"], "did:web:127.0.0.1%3A8080", "[{b}]");
        assert_eq!(vc["validFrom"], "2024-04-10T00:00:00+08:00", "[{b}]");
        assert_eq!(vc["proof"]["cryptosuite"], "eddsa-jcs-2022", "[{b}]");
        let cert = &vc["credentialSubject"]["certificate"];
        assert_eq!(cert["holderName"], "张三", "[{b}]");
        assert_eq!(cert["occupationCode"], "6-31-01-03", "[{b}]");
        assert_eq!(cert["levelName"], "五级/初级工", "[{b}]");
        assert!(!text.contains(&f.zhang), "[{b}] the full ID number");
        assert!(text.contains(&format!("{}**********{}", &f.zhang[..4], &f.zhang[14..])));

        let (code, said) = verify(&db, &s1, &[]);
        assert_eq!((code, first_line(&said)), (0, "有效"), "[{b}] {said}");
        assert!(said.contains("持证人：张三"), "[{b}] {said}");

        // Any byte changed: in the holder's name, the certificate
        // number, the level, the status index, the dates, the proof's
        // key and value, and a sweep over the whole file.
        let mut positions: Vec<usize> = Vec::new();
        for key in [
            "holderName",
            "number",
            "levelName",
            "statusListIndex",
            "validFrom",
            "created",
            "verificationMethod",
            "proofValue",
        ] {
            let r = value_of(&text, key);
            positions.extend([r.start, r.start + (r.end - r.start) / 2, r.end - 1]);
        }
        positions.extend((0..text.len()).step_by(text.len() / 24));
        for (n, i) in positions.into_iter().enumerate() {
            let mut bytes = text.clone().into_bytes();
            bytes[i] ^= if bytes[i] == b' ' { 0x01 } else { 0x02 };
            let changed = db.path(&format!("changed-{n}.json"));
            std::fs::write(&changed, &bytes).unwrap();
            let (code, said) = verify(&db, &changed, &[]);
            assert_eq!(code, 1, "[{b}] byte {i} changed still verifies: {said}");
            assert!(
                first_line(&said).starts_with("无效："),
                "[{b}] byte {i}: {said}"
            );
        }

        // Published documents: no login, JSON, cacheable, 304 on the tag.
        rt.block_on(async {
            let store = db.store().await;
            let app = app_of(&store);
            for path in ["/.well-known/did.json", "/credentials/status/1"] {
                let r = get(&app, path, "").await;
                assert_eq!(r.status, StatusCode::OK, "[{b}] {path}");
                assert_eq!(r.headers[header::CONTENT_TYPE], "application/json", "[{b}]");
                assert!(
                    r.headers[header::CACHE_CONTROL]
                        .to_str()
                        .unwrap()
                        .contains("max-age"),
                    "[{b}] {path}"
                );
                let tag = r.headers[header::ETAG].to_str().unwrap().to_string();
                let again = send(
                    &app,
                    Request::get(path)
                        .header(header::IF_NONE_MATCH, &tag)
                        .body(Body::empty())
                        .unwrap(),
                )
                .await;
                assert_eq!(again.status, StatusCode::NOT_MODIFIED, "[{b}] {path}");
            }
            let did: Value =
                serde_json::from_str(&get(&app, "/.well-known/did.json", "").await.body).unwrap();
            assert_eq!(did["id"], "did:web:127.0.0.1%3A8080", "[{b}]");
            assert_eq!(
                did["assertionMethod"][0], vc["proof"]["verificationMethod"],
                "[{b}] the signing key is listed"
            );
            let post = common::http::post_raw(&app, "/.well-known/did.json", "", &[]).await;
            assert_eq!(post.status, StatusCode::METHOD_NOT_ALLOWED, "[{b}] no POST");
            for missing in [
                "/credentials/status/2",
                "/credentials/status/abc",
                "/credentials/status/01",
            ] {
                let r = get(&app, missing, "").await;
                assert_eq!(r.status, StatusCode::NOT_FOUND, "[{b}] {missing}");
                let v: Value = serde_json::from_str(&r.body).unwrap();
                assert!(v["error"].as_str().unwrap().contains("状态列表"), "[{b}]");
            }
            store.close().await;
        });

        // Offline, from the two published files alone.
        let before = rt.block_on(published(&db, &db.path("before")));
        let files = [
            "--did-doc",
            before.0.to_str().unwrap(),
            "--status-list",
            before.1.to_str().unwrap(),
        ];
        let s2 = out.join("S000002.json");
        assert_eq!(first_line(&verify(&db, &s2, &files).1), "有效", "[{b}]");

        // Revocation: the registry and the new list say 已撤销; the list
        // fetched before still says 有效 (a verifier needs a fresh list).
        let printed = db.ok(&[
            "cert",
            "revoke",
            "S000002",
            "--reason",
            "核查发现证书系伪造",
        ]);
        assert!(printed.contains("已撤销证书 S000002"), "[{b}] {printed}");
        let (code, said) = verify(&db, &s2, &[]);
        assert_eq!((code, first_line(&said)), (1, "已撤销"), "[{b}] {said}");
        assert!(said.contains("核查发现证书系伪造"), "[{b}] {said}");
        assert_eq!(first_line(&verify(&db, &s2, &files).1), "有效", "[{b}]");
        let after = rt.block_on(published(&db, &db.path("after")));
        let fresh = [
            "--did-doc",
            after.0.to_str().unwrap(),
            "--status-list",
            after.1.to_str().unwrap(),
        ];
        let (code, said) = verify(&db, &s2, &fresh);
        assert_eq!((code, first_line(&said)), (1, "已撤销"), "[{b}] {said}");
        assert_ne!(read(&before.1), read(&after.1), "[{b}] the list changed");
        assert_eq!(first_line(&verify(&db, &s1, &fresh).1), "有效", "[{b}]");
        let again = db.run(&["cert", "revoke", "S000002", "--reason", "再次"]);
        assert_eq!(again.status.code(), Some(1), "[{b}] revoked twice");
        assert!(String::from_utf8_lossy(&again.stderr).contains("不能重复撤销"));
        let named = db.run(&["cert", "issue", "S000002", "--out", out.to_str().unwrap()]);
        assert_eq!(
            named.status.code(),
            Some(1),
            "[{b}] a revoked one is not issued"
        );
        let all = db.ok(&[
            "cert",
            "issue",
            "--all",
            "--out",
            db.path("vc2").to_str().unwrap(),
        ]);
        assert!(
            all.contains("已签发可验证证书 2 本") && all.contains("跳过已撤销的证书 1 本"),
            "[{b}] {all}"
        );
        let status = db.ok(&["cert", "status", "S000002"]);
        assert!(
            status.contains("已撤销") && status.contains("状态列表"),
            "[{b}] {status}"
        );

        // Rotation: the old credential still verifies, locally and from
        // the new DID document; a new one is signed by the new key.
        let old_key = vc["proof"]["verificationMethod"]
            .as_str()
            .unwrap()
            .to_string();
        let rotated = db.ok(&["keys", "rotate"]);
        assert!(rotated.contains("已轮换签名密钥"), "[{b}] {rotated}");
        assert_eq!(
            first_line(&verify(&db, &s1, &[]).1),
            "有效",
            "[{b}] old, after rotation"
        );
        let reissued = db.path("vc3");
        // (A number named twice is issued once.)
        let printed = db.ok(&[
            "cert",
            "issue",
            "S000001",
            "S000001",
            "--out",
            reissued.to_str().unwrap(),
        ]);
        assert!(printed.contains("已签发可验证证书 1 本"), "[{b}] {printed}");
        let new_vc = read(&reissued.join("S000001.json"));
        let new_key = new_vc["proof"]["verificationMethod"].as_str().unwrap();
        assert_ne!(new_key, old_key, "[{b}] signed by the new key");
        assert_eq!(
            new_vc["credentialStatus"], vc["credentialStatus"],
            "[{b}] the status index is kept"
        );
        let rotated_docs = rt.block_on(published(&db, &db.path("rotated")));
        let did = read(&rotated_docs.0);
        assert_eq!(did["assertionMethod"][0], new_key, "[{b}]");
        assert_eq!(did["assertionMethod"][1], old_key.as_str(), "[{b}]");
        let files = [
            "--did-doc",
            rotated_docs.0.to_str().unwrap(),
            "--status-list",
            rotated_docs.1.to_str().unwrap(),
        ];
        for file in [&s1, &reissued.join("S000001.json")] {
            let (code, said) = verify(&db, file, &files);
            assert_eq!((code, first_line(&said)), (0, "有效"), "[{b}] {said}");
        }
        // The old DID document does not know the new key.
        let stale = [
            "--did-doc",
            before.0.to_str().unwrap(),
            "--status-list",
            rotated_docs.1.to_str().unwrap(),
        ];
        let (code, said) = verify(&db, &reissued.join("S000001.json"), &stale);
        assert_eq!(code, 1, "[{b}] {said}");

        let audited = sql_rows(
            &db,
            "SELECT action, COUNT(*) FROM audit_log WHERE action IN \
             ('issue_credential', 'revoke_certificate', 'rotate_signing_key') GROUP BY action ORDER BY action",
        );
        assert_eq!(
            audited,
            vec![
                vec!["issue_credential".to_string(), "3".into()],
                vec!["revoke_certificate".into(), "1".into()],
                vec!["rotate_signing_key".into(), "1".into()],
            ],
            "[{b}]"
        );
    }
}

#[test]
fn a_case_closed_true_revokes_the_certificates_it_names() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for db in backends("credentials_case") {
        let b = db.backend;
        db.demo(&["--persons", "300"]);
        let cases = db.ok(&["supervise", "cases", "--status", "open"]);
        let (case, cert) = cases
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .find_map(|c| {
                let cert = c["cert_nos"].as_array()?.first()?.as_str()?.to_string();
                (c["check"] == "S3").then(|| (c["case_no"].as_str().unwrap().to_string(), cert))
            })
            .unwrap_or_else(|| panic!("[{b}] an open S3 case naming a certificate"));
        let out = db.path("vc");
        db.ok(&["cert", "issue", &cert, "--out", out.to_str().unwrap()]);
        let file = out.join(format!("{cert}.json"));
        assert_eq!(first_line(&verify(&db, &file, &[]).1), "有效", "[{b}]");
        // Closed on the web, with the form's checkbox.
        rt.block_on(async {
            let site = Site::open(&db).await;
            let (city, csrf) = site.login("city").await;
            let path = format!("/supervision/cases/{case}");
            let page = site.get(&path, &city).await;
            assert!(page.body.contains("撤销所涉证书"), "[{b}] the checkbox");
            let form = [
                ("csrf", csrf.as_str()),
                ("finding", "属实"),
                ("note", "证书日期早于结业"),
                ("revoke_certs", "yes"),
            ];
            let confirm = site.post(&format!("{path}/close"), &city, &form).await;
            assert!(
                confirm.body.contains("撤销所涉证书 1 本"),
                "[{b}] {}",
                confirm.body
            );
            let mut sure = form.to_vec();
            sure.push(("confirm", "yes"));
            let done = site.post(&format!("{path}/close"), &city, &sure).await;
            assert_eq!(done.status, StatusCode::OK, "[{b}] {}", done.body);
            assert!(done.redirected.is_some(), "[{b}] {}", done.body);
            site.store.close().await;
        });
        let (code, said) = verify(&db, &file, &[]);
        assert_eq!((code, first_line(&said)), (1, "已撤销"), "[{b}] {said}");
        let status: Value =
            serde_json::from_str(&db.ok(&["cert", "status", &cert, "--json"])).unwrap();
        assert_eq!(
            status[0]["revocation"]["case_no"],
            case.as_str(),
            "[{b}] {status}"
        );
    }
}

#[test]
fn python_verifies_an_issued_credential() {
    if !python_ready() {
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/credentials/verify.py");
    let rt = tokio::runtime::Runtime::new().unwrap();
    for db in backends("credentials_python") {
        let b = db.backend;
        db.ok(&["init"]);
        base(&db, &fx(), "certificates");
        let out = db.path("vc");
        db.ok(&["cert", "issue", "--all", "--out", out.to_str().unwrap()]);
        db.ok(&["cert", "revoke", "S000003", "--reason", "撤销测试"]);
        let (did, list) = rt.block_on(published(&db, &db.path("pub")));
        let python = |file: &Path, with_list: bool| {
            let mut c = std::process::Command::new("python3");
            c.arg(&script).arg(file).arg(&did);
            if with_list {
                c.arg(&list);
            }
            let o = c.output().unwrap();
            (
                o.status.code().unwrap_or(-1),
                String::from_utf8_lossy(&o.stdout).trim().to_string(),
                String::from_utf8_lossy(&o.stderr).into_owned(),
            )
        };
        for no in ["S000001", "S000002"] {
            let (code, said, err) = python(&out.join(format!("{no}.json")), true);
            assert_eq!((code, said.as_str()), (0, "VALID"), "[{b}] {no}: {err}");
        }
        let (code, said, _) = python(&out.join("S000003.json"), true);
        assert_eq!((code, said.as_str()), (1, "REVOKED"), "[{b}]");
        let text = std::fs::read_to_string(out.join("S000001.json")).unwrap();
        let changed = db.path("changed.json");
        std::fs::write(&changed, text.replace("张三", "张叁")).unwrap();
        let (code, said, _) = python(&changed, false);
        assert_eq!(code, 1, "[{b}] {said}");
        assert!(said.starts_with("INVALID"), "[{b}] {said}");
    }
}
