//! `jineng init`: the reference data on both backends.

use crate::common;

#[test]
fn init_loads_all_divisions_and_occupations_and_is_idempotent() {
    for db in common::backends("init") {
        let first = db.ok(&["init"]);
        assert!(
            first.contains("省级 31 个，地级 342 个，县级 2978 个，职业 1631 个"),
            "[{}] {first}",
            db.backend
        );
        let again = db.ok(&["init"]);
        assert!(
            again.contains("省级 31 个，地级 342 个，县级 2978 个，职业 1631 个"),
            "[{}] {again}",
            db.backend
        );
    }
}

#[test]
fn unsupported_database_url_is_a_clear_error() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_jineng"))
        .args(["--db", "mysql://x/y", "init"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("不支持的数据库地址"), "{err}");
}
