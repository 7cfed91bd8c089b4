//! Renders a certificate and an archive and checks the PDFs with poppler
//! (`pdftotext`) and zbar (`zbarimg`) when they are installed (always
//! under CI): the text is there, the QR decodes to the verify address, the
//! font is embedded as a subset.

use jineng_pdf::{ArchiveSheet, CertificateSheet, Options, Table, archive, certificate};
use std::process::Command;

fn tool(name: &str) -> bool {
    let ok = Command::new(name).arg("-v").output().is_ok();
    if !ok {
        assert!(std::env::var_os("CI").is_none(), "{name} missing under CI");
        eprintln!("note: {name} not installed (apt-get install poppler-utils zbar-tools); skipped");
    }
    ok
}

fn sheet(name: &str) -> CertificateSheet {
    CertificateSheet {
        type_name: "职业技能等级证书".into(),
        cert_no: "LCJS20190000001".into(),
        holder_name: name.into(),
        holder_id_masked: "3715**********7230".into(),
        occupation_code: "4-10-01-05".into(),
        occupation_name: "养老护理员".into(),
        level_name: "五级/初级工".into(),
        issuing_body: "聊城正信职业技能评价有限公司".into(),
        issue_date: "2019-04-12".into(),
        bureau: "聊城市人力资源和社会保障局".into(),
        verify_url: "http://127.0.0.1:8080/verify?cert=LCJS20190000001&code=1-87151".into(),
        revoked: None,
        printed_at: "2026-12-07 10:00".into(),
    }
}

fn text_of(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("a.pdf");
    std::fs::write(&p, pdf).unwrap();
    let out = Command::new("pdftotext").arg(&p).arg("-").output().unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn certificate_text_and_qr() {
    let r = certificate(
        &sheet("吴刚"),
        Options {
            system_fonts: false,
        },
    )
    .unwrap();
    assert!(r.missing.is_empty());
    assert!(r.bytes.starts_with(b"%PDF-"));
    // Subset at write time: far smaller than the shipped 1.9 MB font.
    assert!(r.bytes.len() < 200_000, "{} bytes", r.bytes.len());
    if !tool("pdftotext") {
        return;
    }
    let text = text_of(&r.bytes);
    for want in [
        "吴刚",
        "LCJS20190000001",
        "3715**********7230",
        "养老护理员",
        "五级/初级工",
    ] {
        assert!(text.contains(want), "{want} not in {text}");
    }
    if !tool("zbarimg") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("c.pdf");
    std::fs::write(&p, &r.bytes).unwrap();
    let png = dir.path().join("c");
    let st = Command::new("pdftoppm")
        .args(["-r", "150", "-png", "-singlefile"])
        .arg(&p)
        .arg(&png)
        .status()
        .unwrap();
    assert!(st.success());
    let out = Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(dir.path().join("c.png"))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "http://127.0.0.1:8080/verify?cert=LCJS20190000001&code=1-87151"
    );
}

#[test]
fn a_character_outside_every_font_is_reported_not_fatal() {
    let r = certificate(
        &sheet("王\u{2A6D6}"),
        Options {
            system_fonts: false,
        },
    )
    .unwrap();
    assert_eq!(r.missing, vec!['\u{2A6D6}']);
    let r = certificate(
        &sheet("王堃"),
        Options {
            system_fonts: false,
        },
    )
    .unwrap();
    assert_eq!(r.missing, vec!['堃']);
}

#[test]
fn archive_breaks_pages() {
    let rows: Vec<Vec<String>> = (0..120)
        .map(|i| vec![format!("培训班 {i}"), "养老护理员".into(), format!("{i}")])
        .collect();
    let s = ArchiveSheet {
        holder_name: "吴刚".into(),
        holder_id_masked: "3715**********7230".into(),
        bureau: "人力资源和社会保障局".into(),
        generated_at: "2026-12-07 10:00".into(),
        sections: vec![Table {
            title: "培训经历".into(),
            columns: vec![
                ("培训班".into(), 2.0),
                ("职业".into(), 2.0),
                ("学时".into(), 1.0),
            ],
            rows,
            empty: "无".into(),
            note: Some("合计".into()),
        }],
        verify_url: Some("http://127.0.0.1:8080/verify".into()),
    };
    let r = archive(&s, Options::default()).unwrap();
    if !tool("pdftotext") {
        return;
    }
    let text = text_of(&r.bytes);
    assert!(text.contains("培训班 119"));
    assert!(text.replace(' ', "").contains("共3页"), "{text}");
}
