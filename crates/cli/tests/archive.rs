//! The printed certificate, the public `/verify` page and the worker's
//! archive (issue 15 items 4–5, docs/credentials.md) over the demo, on
//! SQLite and PostgreSQL, through the real binary and the real router:
//! - `cert pdf`: `pdftotext` finds the holder and the number, the QR code
//!   (rendered by `pdftoppm`, read by `zbarimg`) holds the verify address;
//! - `/verify` by that address and by number + name reads 有效, 已撤销
//!   after `cert revoke` (with the date and the reason's category, not its
//!   text), 未找到 for a made-up number; the lookup's limiter answers 429;
//! - `person archive` writes one audit row naming the person's masked ID
//!   and the officer; its JSON bundle verifies with `cert verify` and with
//!   the Python check, and fails with one byte changed; its PDF lists the
//!   certificates and the hours;
//! - on the web (`archive_web`) the worker downloads their own archive and
//!   certificates, and not another worker's.
//!
//! Poppler and zbar (`.ci/run` installs them) are needed for the PDF
//! checks: without them those checks are skipped with a note, except under
//! CI, where that is a failure.

use crate::common;

use axum::http::StatusCode;
use common::http::{Sql, get};
use common::{TestDb, backends};
use jineng_store::Actor;
use std::path::Path;
use std::process::Command;

fn tool(name: &str) -> bool {
    let ok = Command::new(name).arg("-v").output().is_ok();
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have {name} (apt-get install poppler-utils zbar-tools, see .ci/run)"
        );
        eprintln!("note: {name} not installed: the PDF checks are skipped");
    }
    ok
}

fn pdf_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// The QR code of the PDF's first page, as `zbarimg` reads it.
fn qr_of(pdf: &Path) -> String {
    let png = pdf.with_extension("");
    let st = Command::new("pdftoppm")
        .args(["-r", "150", "-png", "-singlefile", "-f", "1", "-l", "1"])
        .arg(pdf)
        .arg(&png)
        .status()
        .unwrap();
    assert!(st.success());
    let out = Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(png.with_extension("png"))
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The sample worker: person id, full ID number, name, and the numbers of
/// their valid and revoked certificates (the demo revokes one).
pub(crate) struct Sample {
    pub(crate) pid: i64,
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) valid: Vec<String>,
    pub(crate) revoked: Vec<String>,
}

async fn sample(db: &TestDb) -> Sample {
    let store = db.store().await;
    let name = store.first_person_with_claim().await.unwrap().unwrap();
    let hit = store
        .find_persons(&name, 1, &Actor("test".into()), false)
        .await
        .unwrap()
        .pop()
        .unwrap();
    let r = store.worker_record(hit.person_id).await.unwrap().unwrap();
    let mut sql = Sql::open(db).await;
    let id = sql
        .text(&format!(
            "SELECT id_number FROM persons WHERE person_id = {}",
            hit.person_id
        ))
        .await;
    let (revoked, valid): (Vec<_>, Vec<_>) =
        r.certificates.iter().partition(|c| c.revocation.is_some());
    Sample {
        pid: hit.person_id,
        id,
        name,
        valid: valid.iter().map(|c| c.cert.cert_no.clone()).collect(),
        revoked: revoked.iter().map(|c| c.cert.cert_no.clone()).collect(),
    }
}

/// Another demo person with a certificate (the first by certificate number).
pub(crate) async fn other_holder(db: &TestDb, not: i64) -> (i64, String) {
    let mut sql = Sql::open(db).await;
    let pid = sql
        .int(&format!(
            "SELECT MIN(person_id) FROM certificates WHERE person_id <> {not}"
        ))
        .await;
    let no = sql
        .text(&format!(
            "SELECT MIN(cert_no) FROM certificates WHERE person_id = {pid}"
        ))
        .await;
    (pid, no)
}

fn verify_state(body: &str) -> &'static str {
    for s in ["有效", "已撤销", "未找到"] {
        if body.contains(&format!("<strong id=\"verify-state\">{s}</strong>")) {
            return s;
        }
    }
    "none"
}

#[test]
fn certificate_pdf_qr_and_the_public_verify_page() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let tools = tool("pdftotext") && tool("pdftoppm") && tool("zbarimg");
    for db in backends("archive_verify") {
        let b = db.backend;
        db.demo(&["--persons", "300"]);
        let s = rt.block_on(sample(&db));
        let no = s.valid.first().cloned().expect("a valid certificate");
        let (url, pdf) = print(&db, &no, "cert.pdf");
        if tools {
            let text = pdf_text(&pdf);
            assert!(text.contains(&s.name) && text.contains(&no), "[{b}] {text}");
            assert!(!text.contains(&s.id), "[{b}] the full ID number printed");
            assert!(!text.contains("已撤销"), "[{b}]");
            assert_eq!(qr_of(&pdf), url, "[{b}]");
        }
        // The demo revoked one certificate: its PDF says so.
        let revoked = rt.block_on(async {
            Sql::open(&db)
                .await
                .text("SELECT MIN(cert_no) FROM certificate_revocations")
                .await
        });
        let (revoked_url, revoked_pdf) = print(&db, &revoked, "revoked.pdf");
        if tools {
            assert!(pdf_text(&revoked_pdf).contains("已撤销"), "[{b}]");
        }
        rt.block_on(async {
            let store = db.store().await;
            let app = common::http::app_of(&store);
            let path = url.trim_start_matches("http://127.0.0.1:8080");
            let r = get(&app, path, "").await;
            assert_eq!(r.status, StatusCode::OK, "[{b}]");
            assert_eq!(verify_state(&r.body), "有效", "[{b}] {}", r.body);
            assert!(!r.body.contains(&s.id), "[{b}] the full ID number shown");
            let by_name = get(
                &app,
                &format!("/verify?cert={no}&name={}", enc(&s.name)),
                "",
            )
            .await;
            assert_eq!(verify_state(&by_name.body), "有效", "[{b}]");
            // The number alone, a wrong name, a made-up number: 未找到.
            for q in [
                format!("/verify?cert={no}&name={}", enc("无此人")),
                "/verify?cert=NOSUCH0001&name=x".to_string(),
                format!("/verify?cert={no}&code=1-0"),
            ] {
                assert_eq!(
                    verify_state(&get(&app, &q, "").await.body),
                    "未找到",
                    "[{b}] {q}"
                );
            }
            let r = get(
                &app,
                revoked_url.trim_start_matches("http://127.0.0.1:8080"),
                "",
            )
            .await;
            assert_eq!(verify_state(&r.body), "已撤销", "[{b}]");
            store.close().await;
        });
        db.ok(&[
            "cert",
            "revoke",
            &no,
            "--reason",
            "内部备注：不应公开的原因",
        ]);
        rt.block_on(async {
            let store = db.store().await;
            let app = common::http::app_of(&store);
            let r = get(&app, url.trim_start_matches("http://127.0.0.1:8080"), "").await;
            assert_eq!(verify_state(&r.body), "已撤销", "[{b}]");
            assert!(r.body.contains("经发证或登记机构撤销"), "[{b}]");
            assert!(
                !r.body.contains("不应公开"),
                "[{b}] the reason's text shown"
            );
            // The lookup's limiter: the 4th query of a minute is refused.
            let limits = jineng_web::Limits {
                login_per_minute: 1000,
                lookup_per_minute: 3,
            };
            let app = jineng_web::router(jineng_web::AppState::new(store.clone(), limits, false));
            for _ in 0..3 {
                assert_eq!(
                    get(&app, "/verify?cert=X&name=y", "").await.status,
                    StatusCode::OK
                );
            }
            let r = get(&app, "/verify?cert=X&name=y", "").await;
            assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "[{b}]");
            // The empty form costs nothing.
            assert_eq!(get(&app, "/verify", "").await.status, StatusCode::OK);
            store.close().await;
        });
    }
}

/// `cert pdf NO`: the verify address it reports and the file.
fn print(db: &TestDb, no: &str, file: &str) -> (String, std::path::PathBuf) {
    let pdf = db.path(file);
    let said = db.ok(&["cert", "pdf", no, "--out", pdf.to_str().unwrap()]);
    let url = said
        .split("核验地址 ")
        .nth(1)
        .unwrap()
        .trim_end_matches(['）', '\n'])
        .to_string();
    assert!(
        url.starts_with(&format!("http://127.0.0.1:8080/verify?cert={no}&code=")),
        "[{}] {said}",
        db.backend
    );
    (url, pdf)
}

fn enc(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

fn verify_py() -> Option<std::path::PathBuf> {
    common::python_ready()
        .then(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/credentials/verify.py"))
}

#[test]
fn the_archive_bundle_and_pdf_verify_and_are_audited() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let tools = tool("pdftotext");
    let python = verify_py();
    for db in backends("archive_bundle") {
        let b = db.backend;
        db.demo(&["--persons", "300"]);
        let s = rt.block_on(sample(&db));
        let json = db.path("archive.json");
        let said = db.ok(&["person", "archive", &s.id, "--out", json.to_str().unwrap()]);
        assert!(said.contains("已记入审计日志"), "[{b}] {said}");
        let text = std::fs::read_to_string(&json).unwrap();
        assert!(
            !text.contains(&s.id),
            "[{b}] the full ID number in the bundle"
        );
        let vp: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(vp["type"], serde_json::json!(["VerifiablePresentation"]));
        let vcs = vp["verifiableCredential"].as_array().unwrap();
        assert_eq!(
            vcs[0]["type"],
            serde_json::json!(["VerifiableCredential", "JinengArchiveCredential"])
        );
        assert_eq!(
            vcs.len(),
            1 + s.valid.len(),
            "[{b}] one per valid certificate"
        );
        let out = db.run(&["cert", "verify", json.to_str().unwrap()]);
        let said = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "[{b}] {said}");
        assert!(said.starts_with("有效"), "[{b}] {said}");
        // One byte changed in the archive credential's subject: refused.
        let changed = db.path("changed.json");
        std::fs::write(
            &changed,
            text.replacen("\"countedHours\": ", "\"countedHours\": 1", 1),
        )
        .unwrap();
        let out = db.run(&["cert", "verify", changed.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "[{b}]");
        assert!(
            String::from_utf8_lossy(&out.stdout).starts_with("无效"),
            "[{b}]"
        );
        if let Some(script) = &python {
            let did = db.path("did.json");
            std::fs::write(&did, db.ok(&["keys", "show", "--did-document"])).unwrap();
            let run = |f: &Path| {
                let o = Command::new("python3")
                    .arg(script)
                    .arg(f)
                    .arg(&did)
                    .output()
                    .unwrap();
                (
                    o.status.code(),
                    String::from_utf8_lossy(&o.stdout).into_owned(),
                )
            };
            let (code, said) = run(&json);
            assert_eq!(
                (code, said.lines().next()),
                (Some(0), Some("VALID")),
                "[{b}] {said}"
            );
            let (code, said) = run(&changed);
            assert_eq!(code, Some(1), "[{b}] {said}");
            assert!(said.starts_with("INVALID"), "[{b}] {said}");
        }
        // The PDF: certificates and hours.
        let pdf = db.path("archive.pdf");
        db.ok(&["person", "archive", &s.id, "--out", pdf.to_str().unwrap()]);
        if tools {
            let t = pdf_text(&pdf);
            for no in s.valid.iter().chain(&s.revoked) {
                assert!(t.contains(no.as_str()), "[{b}] {no} not in {t}");
            }
            for w in [s.name.as_str(), "培训经历与学时", "计入", "学分银行"] {
                assert!(t.contains(w), "[{b}] {w} not in {t}");
            }
            assert!(!t.contains(&s.id), "[{b}] the full ID number printed");
        }
        // One audit row per export, naming the masked ID and the officer.
        let masked = format!("{}**********{}", &s.id[..4], &s.id[14..]);
        rt.block_on(async {
            let mut sql = Sql::open(&db).await;
            let rows = sql
                .texts(&format!(
                    "SELECT actor FROM audit_log WHERE action = 'export_archive' AND entity_key = '{masked}'"
                ))
                .await;
            assert_eq!(rows, vec!["cli:tester".to_string(), "cli:tester".to_string()], "[{b}]");
        });
        rt.block_on(crate::archive_web::web(&db, &s, &masked));
    }
}
