//! The restore drill through the binary, on both backends: demo → backup →
//! restore into an empty database → the same row counts, `ledger verify`
//! and `audit verify` pass, the claims export is byte-identical. A
//! non-empty target, a damaged or tampered archive and a missing audit key
//! are refused, leaving the target untouched.

use crate::common::{self, TestDb};
use std::io::{Read, Write};
use std::path::Path;

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs `jineng --db <target> restore <archive>` from the source's folder.
fn restore(target: &TestDb, archive: &Path) -> std::process::Output {
    target.run(&["restore", archive.to_str().unwrap()])
}

fn tables(db: &TestDb) -> Vec<String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(jineng_store::Store::existing_tables(&db.url))
        .unwrap()
}

fn facts(db: &TestDb) -> jineng_store::BackupFacts {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(jineng_store::Store::facts_at(&db.url)).unwrap()
}

#[test]
fn demo_backup_restore_verify_on_both_backends() {
    let targets = common::backends("bk_to");
    for (db, target) in common::backends("bk_from").into_iter().zip(&targets) {
        db.demo(&["--persons", "300"]);
        let archive = db.path("backup.zip");
        let out = db.ok(&[
            "backup",
            "--out",
            archive.to_str().unwrap(),
            "--include-keys",
        ]);
        assert!(out.contains("备份含密钥文件"), "{out}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&archive).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "[{}]", db.backend);
        }
        // A second backup never overwrites the first.
        let again = db.run(&["backup", "--out", archive.to_str().unwrap()]);
        assert!(!again.status.success() && text(&again).contains("已存在"));

        let out = restore(target, &archive);
        let said = text(&out);
        assert!(out.status.success(), "[{}] {said}", db.backend);
        assert!(said.contains("恢复完成，校验全部通过"), "{said}");

        let (before, after) = (facts(&db), facts(target));
        assert_eq!(before.row_counts, after.row_counts, "[{}]", db.backend);
        assert!(before.row_counts["claims"] > 0 && before.row_counts["audit_log"] > 0);
        assert!(target.ok(&["ledger", "verify"]).contains("专账校验通过"));
        assert!(target.ok(&["audit", "verify"]).contains("审计链校验通过"));
        let export = |d: &TestDb| {
            let out = d.run(&["claims", "export"]);
            assert!(out.status.success());
            out.stdout
        };
        let (a, b) = (export(&db), export(target));
        assert!(a.len() > 1000, "[{}] {} bytes", db.backend, a.len());
        assert!(
            a == b,
            "[{}] claims export differs after restore",
            db.backend
        );

        // The restored database is not empty any more: a second restore is refused.
        let out = restore(target, &archive);
        assert!(!out.status.success());
        assert!(text(&out).contains("不是空库"), "{}", text(&out));
    }
}

/// An archive of a freshly initialised database, and an empty target.
fn small_backup(test: &str) -> Vec<(TestDb, TestDb, std::path::PathBuf)> {
    let targets = common::backends(&format!("{test}_to"));
    common::initialised(test)
        .into_iter()
        .zip(targets)
        .map(|(db, target)| {
            let archive = db.path("small.zip");
            db.ok(&[
                "backup",
                "--out",
                archive.to_str().unwrap(),
                "--include-keys",
            ]);
            (db, target, archive)
        })
        .collect()
}

/// The archive with one byte of its database part changed, written again
/// as a valid zip with the manifest as it was.
fn tamper_part(archive: &Path, out: &Path) {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(archive).unwrap()).unwrap();
    let mut w = zip::ZipWriter::new(std::fs::File::create(out).unwrap());
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        if name.starts_with("database.") {
            let mid = bytes.len() / 2;
            bytes[mid] ^= 0x01;
        }
        w.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(&bytes).unwrap();
    }
    w.finish().unwrap();
}

#[test]
fn a_damaged_or_tampered_archive_is_refused() {
    for (db, target, archive) in small_backup("bk_tamper") {
        // One byte of the part changed, hashes in the manifest unchanged.
        let tampered = db.path("tampered.zip");
        tamper_part(&archive, &tampered);
        let out = restore(&target, &tampered);
        let said = text(&out);
        assert!(!out.status.success(), "[{}] {said}", db.backend);
        assert!(
            said.contains("SHA-256 与清单不符") && said.contains("database."),
            "{said}"
        );

        // One byte of the file itself flipped inside the part's data.
        let mut bytes = std::fs::read(&archive).unwrap();
        let at = bytes.len() / 3;
        bytes[at] ^= 0x40;
        let damaged = db.path("damaged.zip");
        std::fs::write(&damaged, bytes).unwrap();
        let out = restore(&target, &damaged);
        let said = text(&out);
        assert!(!out.status.success(), "[{}] {said}", db.backend);
        assert!(said.contains("拒绝恢复"), "{said}");

        assert!(
            tables(&target).is_empty(),
            "[{}] target touched",
            db.backend
        );
        // The intact archive still restores.
        let out = restore(&target, &archive);
        assert!(out.status.success(), "{}", text(&out));
    }
}

#[test]
fn without_keys_the_audit_key_must_be_put_in_place_first() {
    for (db, target) in common::initialised("bk_nokey")
        .into_iter()
        .zip(common::backends("bk_nokey_to"))
    {
        let archive = db.path("nokeys.zip");
        let out = db.ok(&["backup", "--out", archive.to_str().unwrap()]);
        assert!(out.contains("备份不含密钥文件"), "{out}");
        let source_key = jineng_store::audit_key_path(&db.url).unwrap();
        let target_key = jineng_store::audit_key_path(&target.url).unwrap();
        let out = restore(&target, &archive);
        let said = text(&out);
        assert!(!out.status.success(), "[{}] {said}", db.backend);
        assert!(said.contains(&target_key.display().to_string()), "{said}");
        assert!(tables(&target).is_empty());

        // As the drill says: copy the key file, then restore.
        std::fs::create_dir_all(target_key.parent().unwrap()).unwrap();
        std::fs::copy(&source_key, &target_key).unwrap();
        let out = restore(&target, &archive);
        assert!(out.status.success(), "[{}] {}", db.backend, text(&out));
        assert!(target.ok(&["audit", "verify"]).contains("审计链校验通过"));
    }
}

#[test]
fn restore_refuses_another_backend() {
    let dbs = common::initialised("bk_cross");
    let Some(pg) = dbs.iter().find(|d| d.backend == "postgres") else {
        return;
    };
    let sqlite = &dbs[0];
    let archive = sqlite.path("cross.zip");
    sqlite.ok(&[
        "backup",
        "--out",
        archive.to_str().unwrap(),
        "--include-keys",
    ]);
    let empty = common::backends("bk_cross_to");
    let target = empty.iter().find(|d| d.backend == "postgres").unwrap();
    let out = restore(target, &archive);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("不支持跨数据库类型恢复"),
        "{}",
        text(&out)
    );
    assert!(pg.ok(&["ledger", "verify"]).contains("通过"));
}
