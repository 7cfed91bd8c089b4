//! Two uploads at once into the same store — overlapping files, as when two
//! clerks upload the same roster — both complete, and every person is
//! registered once.

use crate::common;
use std::io::Write;
use std::process::Command;

fn write_file(path: &std::path::Path, from: usize, to: usize) {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(w, "姓名,身份证号码,户籍地").unwrap();
    let start = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    for i in from..to {
        let birth = start + chrono::Duration::days((i / 1000) as i64);
        let id = jineng_domain::NationalId::from_parts("371581", birth, (i % 1000) as u16);
        writeln!(w, "并发{},{id},371581", ["甲", "乙"][i % 2]).unwrap();
    }
    w.flush().unwrap();
}

#[test]
fn overlapping_concurrent_imports_both_complete() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for db in common::initialised("concurrent") {
        let (a, b) = (db.path("a.csv"), db.path("b.csv"));
        write_file(&a, 0, 30_000);
        write_file(&b, 0, 40_000);
        let spawn = |f: &std::path::Path| {
            Command::new(env!("CARGO_BIN_EXE_jineng"))
                .args([
                    "--db",
                    &db.url,
                    "import",
                    "persons",
                    f.to_str().unwrap(),
                    "--json",
                    "--chunk",
                    "1000",
                ])
                .output()
        };
        let (ra, rb) = std::thread::scope(|s| {
            let ta = s.spawn(|| spawn(&a).unwrap());
            let tb = s.spawn(|| spawn(&b).unwrap());
            (ta.join().unwrap(), tb.join().unwrap())
        });
        for (name, out) in [("a", &ra), ("b", &rb)] {
            assert!(
                out.status.success(),
                "[{}] import {name} failed: {}{}",
                db.backend,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let report = |o: &std::process::Output| -> serde_json::Value {
            serde_json::from_slice(&o.stdout).unwrap()
        };
        let (ra, rb) = (report(&ra), report(&rb));
        let inserted = ra["inserted"].as_u64().unwrap() + rb["inserted"].as_u64().unwrap();
        assert_eq!(inserted, 40_000, "[{}] {ra} {rb}", db.backend);
        let store = rt.block_on(db.store());
        assert_eq!(
            rt.block_on(store.count(jineng_store::RegistryTable::Persons))
                .unwrap(),
            40_000
        );
        rt.block_on(store.close());
    }
}
