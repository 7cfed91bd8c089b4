//! `jineng bench report`, the incremental part: on the filled and
//! refreshed store, one institution's roster of 10,000 new enrolments goes
//! through the real import pipeline (persons, institution and classes
//! imported first, untimed), then the city's dashboard is read: the time
//! of that first read, which recomputes the queued cells, is
//! `incremental_ms`. The figures it shows must include the new
//! enrolments, and the whole aggregate must then equal a full rebuild's
//! (timed too, as the repair command's cost).

use crate::import::options;
use jineng_domain::{CreditCode, NationalId};
use jineng_ingest::pipeline::import_file;
use jineng_store::{Actor, Store};
use serde_json::json;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

const NEW_ENROLMENTS: usize = 10_000;
const CLASSES: usize = 200;
const PER_PERSON: usize = 5;

fn write(path: &Path, header: &str, rows: impl Iterator<Item = String>) -> anyhow::Result<()> {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(w, "{header}")?;
    for r in rows {
        writeln!(w, "{r}")?;
    }
    Ok(w.flush()?)
}

async fn import(
    store: &Store,
    actor: &Actor,
    kind: &str,
    path: &Path,
    rows: usize,
) -> anyhow::Result<()> {
    let report = import_file(
        store,
        kind,
        path,
        &options(actor, false, None, 5000),
        &|_| {},
    )
    .await?;
    anyhow::ensure!(
        report.rejected == 0 && report.inserted as usize == rows,
        "基准导入 {kind} 应新增 {rows} 行：{:?}",
        report.errors.first()
    );
    Ok(())
}

/// The training figure the city's dashboard shows for `county` in 2019.
async fn training_shown(
    store: &Store,
    actor: &Actor,
    city: &str,
    county: &str,
) -> anyhow::Result<i64> {
    let as_of = chrono::NaiveDate::from_ymd_opt(2019, 12, 31).unwrap_or_default();
    let (_, entries, _) = crate::report::dashboard(store, actor, city, 2019, as_of).await?;
    Ok(entries
        .iter()
        .find(|e| e.indicator == "training" && e.region == county)
        .and_then(|e| e.actual)
        .unwrap_or(0))
}

/// Imports the roster and measures; `county` is where the institution and
/// its classes are.
pub async fn measure(
    store: &Store,
    actor: &Actor,
    city: &str,
    county: &str,
    dir: &Path,
) -> anyhow::Result<serde_json::Value> {
    let before = training_shown(store, actor, city, county).await?;
    let persons = NEW_ENROLMENTS / PER_PERSON;
    let birth = chrono::NaiveDate::from_ymd_opt(1980, 1, 1).unwrap_or_default();
    let ids: Vec<String> = (0..persons)
        .map(|i| {
            let day = birth + chrono::Duration::days((i / 900) as i64);
            NationalId::from_parts(county, day, (i % 900) as u16 + 1)
                .as_str()
                .to_string()
        })
        .collect();
    let credit = CreditCode::from_body(&format!("52{county}{:0>9}", "42")[..17])
        .as_str()
        .to_string();
    let file = |name: &str| dir.join(name);
    write(
        &file("p.csv"),
        "姓名,身份证号码,户籍地",
        ids.iter().map(|id| format!("测试,{id},{county}")),
    )?;
    import(store, actor, "persons", &file("p.csv"), persons).await?;
    write(
        &file("i.csv"),
        "机构名称,统一社会信用代码,机构类型,所在地,是否目录内,目录起始日期,目录截止日期",
        std::iter::once(format!("基准增量培训学校,{credit},技工院校,{county},否,,")),
    )?;
    import(store, actor, "institutions", &file("i.csv"), 1).await?;
    // Classes ending in November and December 2019: two cells of the
    // county, as one institution's rosters of a season would be.
    write(
        &file("c.csv"),
        "班级编号,统一社会信用代码,培训类型,职业编码,职业名称,等级,培训地,开班日期,结业日期,计划课时",
        (0..CLASSES).map(|c| {
            let month = 11 + c % 2;
            format!("INC{c},{credit},就业技能培训,6-31-01-03,电工,五级,{county},2019-{month}-01,2019-{month}-25,80")
        }),
    )?;
    import(store, actor, "classes", &file("c.csv"), CLASSES).await?;
    // Whatever the preparation queued is drained before the clock starts.
    store.refresh_facts(false).await?;

    write(
        &file("r.csv"),
        "班级编号,统一社会信用代码,姓名,身份证号码,线下课时,线上课时,结业结果",
        (0..NEW_ENROLMENTS).map(|n| {
            let (person, k) = (n / PER_PERSON, n % PER_PERSON);
            // A person's classes differ: k·40 < 200.
            let class = (person + k * (CLASSES / PER_PERSON)) % CLASSES;
            format!("INC{class},{credit},测试,{},80,0,合格", ids[person])
        }),
    )?;
    let t = Instant::now();
    import(store, actor, "roster", &file("r.csv"), NEW_ENROLMENTS).await?;
    let import_ms = t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    let after = training_shown(store, actor, city, county).await?;
    let incremental_ms = t.elapsed().as_secs_f64() * 1e3;
    anyhow::ensure!(
        after - before == NEW_ENROLMENTS as i64,
        "看板应多出 {NEW_ENROLMENTS} 人次，实际多出 {}",
        after - before
    );
    let kept = store.all_facts().await?;
    let t = Instant::now();
    let full = store.refresh_facts(true).await?;
    let full_seconds = t.elapsed().as_secs_f64();
    let rebuilt = store.all_facts().await?;
    anyhow::ensure!(
        kept == rebuilt,
        "增量维护的汇总与全量重算不一致（{} 行对 {} 行）",
        kept.len(),
        rebuilt.len()
    );
    Ok(json!({
        "new_enrolments": NEW_ENROLMENTS,
        "roster_import_ms": (import_ms * 10.0).round() / 10.0,
        "incremental_ms": (incremental_ms * 10.0).round() / 10.0,
        "incremental_equals_full": true,
        "full_rebuild_seconds": (full_seconds * 100.0).round() / 100.0,
        "full_rebuild_rows": full.map(|r| r.rows),
    }))
}
