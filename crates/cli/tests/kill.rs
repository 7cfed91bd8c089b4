//! `kill -9` in the middle of a large import leaves no half-written row, and
//! running the same import again completes it.

use crate::common;
use jineng_store::RegistryTable;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ROWS: usize = 150_000;
const CHUNK: usize = 2_000;

fn write_file(path: &std::path::Path) {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(w, "姓名,身份证号码,户籍地,联系电话").unwrap();
    let start = chrono::NaiveDate::from_ymd_opt(1960, 1, 1).unwrap();
    for i in 0..ROWS {
        let birth = start + chrono::Duration::days((i / 1000) as i64);
        let id = jineng_domain::NationalId::from_parts("371502", birth, (i % 1000) as u16);
        writeln!(
            w,
            "测试{},{id},371502,138{:08}",
            ["甲", "乙", "丙"][i % 3],
            i
        )
        .unwrap();
    }
    w.flush().unwrap();
}

#[test]
fn killed_import_keeps_whole_chunks_and_rerun_completes() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for db in common::initialised("kill") {
        let file = db.path("big.csv");
        write_file(&file);
        let store = rt.block_on(db.store());
        let mut child = Command::new(env!("CARGO_BIN_EXE_jineng"))
            .args([
                "--db",
                &db.url,
                "import",
                "persons",
                file.to_str().unwrap(),
                "--json",
                "--chunk",
                &CHUNK.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        let reached = loop {
            let n = rt
                .block_on(store.count(RegistryTable::Persons))
                .map_or(0, |n| n as usize);
            if n >= 4 * CHUNK || started.elapsed() > Duration::from_secs(120) {
                break n >= 4 * CHUNK;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        assert!(reached, "[{}] the import did not start", db.backend);
        let before = rt.block_on(store.count(RegistryTable::Persons)).unwrap() as usize;
        assert!(
            before < ROWS,
            "[{}] the import finished before it could be killed",
            db.backend
        );
        assert_eq!(
            before % CHUNK,
            0,
            "[{}] {before} rows: a chunk was half-written",
            db.backend
        );
        assert!(
            rt.block_on(store.integrity_check()).unwrap(),
            "[{}] database damaged",
            db.backend
        );

        let (r, code) = db.import("persons", &file, &[]);
        assert_eq!(code, 0, "[{}] {r}", db.backend);
        assert_eq!(
            r["inserted"].as_u64().unwrap() as usize,
            ROWS - before,
            "[{}] {r}",
            db.backend
        );
        assert_eq!(r["unchanged"].as_u64().unwrap() as usize, before);
        assert_eq!(
            rt.block_on(store.count(RegistryTable::Persons)).unwrap() as usize,
            ROWS
        );
        rt.block_on(store.close());
    }
}
