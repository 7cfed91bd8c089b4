//! `jineng demo`: the Liaocheng jurisdiction, deterministic for a seed, the
//! same on both backends, and idempotent.

mod common;

#[test]
fn demo_loads_liaocheng_deterministically_on_both_backends() {
    let mut listings = Vec::new();
    for db in common::backends("demo") {
        let out = db.ok(&["demo", "--persons", "300"]);
        assert!(out.contains("persons: 300"), "[{}] {out}", db.backend);
        let sample = out
            .lines()
            .find_map(|l| l.strip_prefix("查找人员：jineng person find "))
            .unwrap()
            .trim()
            .to_string();
        let again = db.ok(&["demo", "--persons", "300"]);
        assert!(
            again.contains("persons: 300"),
            "a second load is accepted unchanged: {again}"
        );
        let found = db.ok(&["person", "find", &sample]);
        assert!(!found.trim().is_empty(), "[{}] {sample}", db.backend);
        // The three functional zones have deployment-defined codes.
        let init = db.ok(&["init"]);
        assert!(init.contains("县级 2978 个"), "{init}");
        listings.push((db.backend, found));
    }
    for (backend, found) in &listings[1..] {
        assert_eq!(
            found, &listings[0].1,
            "[{backend}] the demo differs between backends"
        );
    }
}
