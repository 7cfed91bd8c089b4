//! `jineng demo`: loads the demo jurisdiction, 聊城市, with its counties and
//! functional zones, institutions, classes and a few thousand generated
//! trainees. Everything is generated from a seed (same seed, same data),
//! written as template CSV files and imported through the real pipeline.

use crate::import::options;
use anyhow::bail;
use chrono::{Duration, NaiveDate};
use clap::Args;
use jineng_domain::{CreditCode, Fen, NationalId};
use jineng_ingest::pipeline::{ImportOptions, import_file};
use jineng_store::{Actor, Store};
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

const REGIONS: &str = include_str!("../../../demo/liaocheng/regions.csv");
const INSTITUTIONS: &str = include_str!("../../../demo/liaocheng/institutions.csv");
const CITY: &str = "371500";

#[derive(Args)]
pub struct DemoArgs {
    /// 生成的学员人数
    #[arg(long, default_value_t = 3000)]
    persons: usize,
    /// 随机种子（同一种子生成相同数据）
    #[arg(long, default_value_t = 2019)]
    seed: u64,
}

/// SplitMix64: tiny, deterministic across platforms and versions.
pub(crate) struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗",
];
const GIVEN_MALE: &[&str] = &[
    "伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "明", "超", "平", "刚", "建华", "志强", "春生",
];
const GIVEN_FEMALE: &[&str] = &[
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "秀英", "霞", "桂英", "玉兰", "海燕", "红梅",
];
/// (occupation code, levels offered: grades 5..1, 0 = 专项 without level)
const OCCUPATIONS: &[(&str, &[u8])] = &[
    ("4-10-01-06", &[5, 4, 3]),
    ("4-10-01-05", &[5, 4, 3]),
    ("4-10-01-03", &[5, 4]),
    ("4-07-05-01", &[5, 4]),
    ("4-01-06-01", &[4, 3]),
    ("4-12-01-01", &[5, 4, 3, 2]),
    ("6-31-01-03", &[5, 4, 3, 2]),
    ("4-03-02-01", &[5, 4, 3]),
    ("4-03-02-02", &[5, 4, 3]),
    ("6-18-02-04", &[5, 4, 3]),
];
const TRAINING_TYPES: &[&str] = &[
    "就业技能培训",
    "就业技能培训",
    "岗位技能提升培训",
    "创业培训",
    "项目制培训",
];
const CATEGORIES: &[(&str, usize)] = &[
    ("农村转移就业劳动者", 40),
    ("登记失业人员", 15),
    ("贫困劳动力", 10),
    ("企业职工", 20),
    ("高校毕业生", 8),
    ("退役军人", 4),
    ("残疾人", 3),
];

fn credit_code(rng: &mut Rng, kind: &str, region: &str) -> CreditCode {
    const ALPHA: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let head = if kind.contains("院校") {
        "12"
    } else if kind == "企业" || kind == "企业培训中心" {
        "91"
    } else {
        "52"
    };
    let mut body = format!("{head}{region}");
    while body.len() < 17 {
        body.push(ALPHA[rng.below(ALPHA.len())] as char);
    }
    CreditCode::from_body(&body)
}

fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The generated template files, as CSV text.
pub(crate) struct DemoFiles {
    pub files: Vec<(&'static str, String)>,
    /// The name of a trainee with a certificate and a claim, to show.
    pub sample: String,
}

pub(crate) fn generate(persons: usize, seed: u64, counties: &[String]) -> DemoFiles {
    let mut rng = Rng::new(seed);
    // Institutions
    let mut inst = String::from(
        "机构名称,统一社会信用代码,机构类型,所在地,是否目录内,目录起始日期,目录截止日期\n",
    );
    let mut trainers = Vec::new();
    let mut assessor = None;
    for r in csv::Reader::from_reader(INSTITUTIONS.as_bytes()).records() {
        let r = r.expect("demo institutions CSV");
        let code = credit_code(&mut rng, &r[1], &r[2]);
        writeln!(
            inst,
            "{},{},{},{},是,2019-01-01,2021-12-31",
            &r[0], code, &r[1], &r[2]
        )
        .unwrap();
        if &r[1] == "评价机构" {
            assessor = Some(code);
        } else {
            trainers.push((code, r[2].to_string()));
        }
    }
    let assessor = assessor.expect("the demo has an assessment body");
    // Classes: six per training institution over 2019–2021.
    let mut classes = String::from(
        "班级编号,统一社会信用代码,培训类型,职业编码,等级,培训地,开班日期,结业日期,计划课时\n",
    );
    let mut class_list = Vec::new();
    for (i, (code, region)) in trainers.iter().enumerate() {
        for k in 0..6 {
            let (occ, levels) = rng.pick(OCCUPATIONS);
            let grade = *rng.pick(levels);
            let start = NaiveDate::from_ymd_opt(2019 + (k % 3), 3, 1).unwrap()
                + Duration::days(rng.below(240) as i64);
            let end = start + Duration::days(10 + rng.below(40) as i64);
            let hours = 40 + 8 * rng.below(20) as i64;
            let no = format!("LC{}{:02}{:02}", start.format("%Y"), i + 1, k + 1);
            let level = jineng_domain::SkillLevel::from_grade(grade)
                .map(|l| l.as_zh())
                .unwrap_or("");
            writeln!(
                classes,
                "{no},{code},{},{occ},{level},{region},{},{},{hours}",
                rng.pick(TRAINING_TYPES),
                date(start),
                date(end)
            )
            .unwrap();
            class_list.push((no, code.clone(), *occ, grade, end, hours));
        }
    }
    // Persons, categories, enrolments, certificates, claims.
    let mut people = String::from(
        "姓名,身份证号码,性别,出生日期,民族,文化程度,联系电话,户籍地,常住地,是否领取养老金\n",
    );
    let mut cats = String::from("身份证号码,人员类别,起始日期,截止日期,证明材料\n");
    let mut rels = String::from("身份证号码,亲属身份证号码,关系\n");
    let mut roster =
        String::from("班级编号,统一社会信用代码,姓名,身份证号码,线下课时,线上课时,结业结果\n");
    let mut certs = String::from(
        "证书编号,证书类型,姓名,身份证号码,职业编码,等级,发证日期,发证机构,班级编号\n",
    );
    let mut claims = String::from(
        "申领编号,补贴类型,身份证号码,证书编号,班级编号,统一社会信用代码,申领单位,申请日期\n",
    );
    let mut seen = std::collections::HashSet::new();
    let mut prev: Option<(NationalId, String)> = None;
    let mut cert_seq = 0;
    let mut sample = None;
    while seen.len() < persons {
        let county = rng.pick(counties).clone();
        let birth = NaiveDate::from_ymd_opt(1966, 1, 1).unwrap()
            + Duration::days(rng.below(37 * 365) as i64);
        let id = NationalId::from_parts(&county, birth, rng.below(1000) as u16);
        if !seen.insert(id.as_str().to_string()) {
            continue;
        }
        let given = if id.sex() == jineng_domain::Sex::Male {
            GIVEN_MALE
        } else {
            GIVEN_FEMALE
        };
        let name = format!("{}{}", rng.pick(SURNAMES), rng.pick(given));
        let phone = format!("13{}{:08}", 5 + rng.below(5), rng.below(100_000_000));
        let edu = rng.pick(&["初中", "高中", "中专", "大专", "本科"]);
        writeln!(
            people,
            "{name},{id},{},{},汉族,{edu},{phone},{county},{county},否",
            id.sex().as_zh(),
            date(birth)
        )
        .unwrap();
        let mut roll = rng.below(100);
        let category = CATEGORIES.iter().find(|(_, p)| {
            let hit = roll < *p;
            roll = roll.saturating_sub(*p);
            hit
        });
        if let Some((c, _)) = category {
            writeln!(cats, "{id},{c},2018-01-01,,").unwrap();
            if *c == "贫困劳动力"
                && let Some((pid, _)) = &prev
                && pid != &id
            {
                writeln!(rels, "{id},{pid},子女").unwrap();
            }
        }
        let (no, code, occ, grade, end, hours) = rng.pick(&class_list).clone();
        let online = if rng.chance(30) { hours / 4 } else { 0 };
        let passed = rng.chance(85);
        let result = if passed { "合格" } else { "不合格" };
        writeln!(
            roster,
            "{no},{code},{name},{id},{},{online},{result}",
            hours - online
        )
        .unwrap();
        if passed {
            cert_seq += 1;
            let issued = end + Duration::days(15);
            let cert_no = format!("S{}{:07}", issued.format("%Y"), cert_seq);
            let level = jineng_domain::SkillLevel::from_grade(grade)
                .map(|l| l.as_zh())
                .unwrap_or("");
            writeln!(
                certs,
                "{cert_no},职业技能等级证书,{name},{id},{occ},{level},{},{assessor},{no}",
                date(issued)
            )
            .unwrap();
            if rng.chance(80) {
                sample.get_or_insert_with(|| name.clone());
                let applied = issued + Duration::days(10 + rng.below(30) as i64);
                writeln!(
                    claims,
                    "C{}{:07},职业培训补贴,{id},{cert_no},{no},{code},,{}",
                    applied.format("%Y"),
                    cert_seq,
                    date(applied)
                )
                .unwrap();
            }
        }
        prev = Some((id, name));
    }
    DemoFiles {
        files: vec![
            ("institutions", inst),
            ("classes", classes),
            ("persons", people),
            ("categories", cats),
            ("relations", rels),
            ("roster", roster),
            ("certificates", certs),
            ("claims", claims),
        ],
        sample: sample.unwrap_or_default(),
    }
}

const POLICY_FILE: &str = "policies/liaocheng-2019.toml";
const POLICY: &str = include_str!("../../../policies/liaocheng-2019.toml");

/// The demo's allocations to the dedicated account, in yuan (examples).
const DEMO_ALLOCATIONS: [(&str, i64); 4] = [
    ("ES", 3_000_000),
    ("ST", 1_000_000),
    ("UI", 2_000_000),
    ("EB", 500_000),
];

/// Imports 聊城's functional zones (demo/liaocheng/regions.csv).
pub(crate) async fn load_zones(store: &Store, actor: &Actor, dir: &Path) -> anyhow::Result<()> {
    let opts = options(actor, false, None, 5000);
    import_demo_file(store, "regions", REGIONS, dir, &opts).await
}

/// Loads the demo's records into `store` (reference data first): regions,
/// institutions, classes, persons and their trainings, certificates, claims.
pub(crate) async fn load_records(
    store: &Store,
    actor: &Actor,
    persons: usize,
    seed: u64,
    dir: &Path,
) -> anyhow::Result<(String, jineng_domain::refdata::RefData)> {
    crate::init(store).await?;
    load_zones(store, actor, dir).await?;
    let refdata = store.ref_data().await?;
    let mut counties: Vec<String> = refdata
        .regions
        .keys()
        .filter(|c| c.starts_with(&CITY[..4]) && c.as_str() != CITY && c.as_bytes()[4] != b'7')
        .cloned()
        .collect();
    counties.sort();
    let demo = generate(persons, seed, &counties);
    let opts = options(actor, false, None, 5000);
    for (kind, text) in &demo.files {
        import_demo_file(store, kind, text, dir, &opts).await?;
    }
    // The filed classes reviewed as an officer would: approved, and those
    // that ended with every trainee's result closed (结业).
    let (approved, closed) = store
        .settle_demo_classes(crate::claims::today(), actor)
        .await?;
    if approved > 0 {
        println!("  培训班：备案通过 {approved} 个，其中已结业 {closed} 个");
    }
    Ok((demo.sample, refdata))
}

/// Loads the demo into `store` (reference data first), with its policy and
/// claims decided. Idempotent. Returns the name of a trainee to show.
pub(crate) async fn load(
    store: &Store,
    actor: &Actor,
    persons: usize,
    seed: u64,
    dir: &Path,
) -> anyhow::Result<String> {
    let (sample, refdata) = load_records(store, actor, persons, seed, dir).await?;
    claims(store, actor, &refdata).await?;
    load_planning(store, actor, dir).await?;
    Ok(sample)
}

/// The Liaocheng policy, the demo's fund allocations, and the claims
/// decided; the claims of 2019 approved and paid, the later ones left for
/// an officer to approve.
/// Loads the Liaocheng policy.
pub(crate) async fn load_policy(
    store: &Store,
    actor: &Actor,
    refdata: &jineng_domain::refdata::RefData,
) -> anyhow::Result<()> {
    let mut read = |name: &str| match name {
        POLICY_FILE => Ok(POLICY.to_string()),
        _ => Err(format!("演示中没有政策文件「{name}」")),
    };
    let (policy, sources) = jineng_domain::policy::load(POLICY_FILE, &mut read, refdata)?;
    crate::policy::load(store, &policy, &sources, actor).await?;
    crate::supervise::load_text(
        store,
        actor,
        "liaocheng-2019.supervision.toml",
        include_str!("../../../policies/liaocheng-2019.supervision.toml"),
    )
    .await?;
    println!("  政策：{}（{}）", policy.meta.title, policy.meta.doc_no);
    Ok(())
}

async fn claims(
    store: &Store,
    actor: &Actor,
    refdata: &jineng_domain::refdata::RefData,
) -> anyhow::Result<()> {
    load_policy(store, actor, refdata).await?;
    if store
        .ledger_report()
        .await?
        .iter()
        .all(|f| f.allocated.0 == 0)
    {
        for (fund, yuan) in DEMO_ALLOCATIONS {
            let fund = jineng_domain::ledger::FundCode::parse(fund)?;
            store
                .allocate(&fund, Fen(yuan * 100), "演示拨入（金额为示例）", actor)
                .await?;
        }
    }
    let policies = store.policy_set().await?;
    let today = crate::claims::today();
    let decided = store
        .decide_claims(&policies, None, today, actor, &|_| {})
        .await?;
    let due: Vec<String> = store
        .claims_with_status("eligible")
        .await?
        .into_iter()
        .filter(|c| c.starts_with("C2019"))
        .collect();
    if !due.is_empty() {
        store
            .approve_claims(&policies, Some(&due), Some("演示：批量核准"), today, actor)
            .await?;
        store.pay_claims(&policies, Some(&due), actor).await?;
    }
    println!(
        "  申领：决定 {} 件（核准 {}，不予核准 {}，待复核 {}），2019 年的 {} 件已核准并支付",
        decided.decided,
        decided.approved,
        decided.rejected,
        decided.review,
        due.len()
    );
    Ok(())
}

/// The demo's sample trainee in a database that already holds the demo:
/// the first person with a paid claim.
pub(crate) async fn sample_name(store: &Store) -> anyhow::Result<String> {
    store.first_person_with_claim().await?.ok_or_else(|| {
        anyhow::anyhow!("数据库中没有演示数据：请用空数据库运行 jineng serve --demo")
    })
}

/// The planning files of the repository the demo loads: targets (seed 003
/// annex 1 and 一, seed 002 一 and 二, seed 004 专栏1) and task tables
/// (seeds 000, 001, 003 annex 2).
const PLANNING: [(&str, &str); 7] = [
    (
        "liaocheng-2019.csv",
        include_str!("../../../planning/targets/liaocheng-2019.csv"),
    ),
    (
        "liaocheng-2019-2021.csv",
        include_str!("../../../planning/targets/liaocheng-2019-2021.csv"),
    ),
    (
        "tianshui-2019-2021.csv",
        include_str!("../../../planning/targets/tianshui-2019-2021.csv"),
    ),
    (
        "national-2021-2025.csv",
        include_str!("../../../planning/targets/national-2021-2025.csv"),
    ),
    (
        "liaocheng-annex2.csv",
        include_str!("../../../planning/tasks/liaocheng-annex2.csv"),
    ),
    (
        "tianjin.csv",
        include_str!("../../../planning/tasks/tianjin.csv"),
    ),
    (
        "rudong.csv",
        include_str!("../../../planning/tasks/rudong.csv"),
    ),
];
const STATISTICS: &str = include_str!("../../../demo/liaocheng/statistics.csv");

/// Loads the indicators, targets, task tables and the demo's example
/// statistics, and brings the aggregates up to date.
async fn load_planning(store: &Store, actor: &Actor, dir: &Path) -> anyhow::Result<()> {
    crate::planning::indicators(store, actor).await?;
    let (mut targets, mut tasks) = (0, 0);
    for (name, text) in PLANNING {
        let path = dir.join(name);
        std::fs::write(&path, text)?;
        if text.starts_with("指标代码") {
            let c = crate::planning::import_targets(store, actor, &path)
                .await?
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            targets += c.inserted + c.updated + c.unchanged;
        } else {
            let known = |_: &str| true;
            let (_, rows) = jineng_ingest::planning::read_tasks(&path, &known)?;
            let c = store.import_tasks(&rows, actor).await?;
            tasks += c.inserted + c.updated + c.unchanged;
        }
    }
    let path = dir.join("statistics.csv");
    std::fs::write(&path, STATISTICS)?;
    let set = store.indicator_set().await?;
    let (_, rows) = jineng_ingest::planning::read_statistics(&path, &set, &|_| true)?;
    store.import_statistics(&rows, actor).await?;
    let refreshed = store.refresh_facts(false).await?;
    println!(
        "  规划：目标 {targets} 条（聊城2019年分解、2019—2021年目标，天水，“十四五”全国指标），重点任务 {tasks} 项{}",
        refreshed
            .map(|r| format!("，汇总数据 {} 行", r.rows))
            .unwrap_or_default()
    );
    Ok(())
}

async fn import_demo_file(
    store: &Store,
    kind: &str,
    text: &str,
    dir: &Path,
    opts: &ImportOptions,
) -> anyhow::Result<()> {
    let path = dir.join(format!("{kind}.csv"));
    std::fs::write(&path, text)?;
    let r = import_file(store, kind, &path, opts, &|_| {}).await?;
    if r.rejected > 0 {
        bail!(
            "演示数据「{kind}」有 {} 行被拒绝：{:?}",
            r.rejected,
            r.errors.first()
        );
    }
    println!("  {kind}: {} 行", r.accepted);
    Ok(())
}

pub async fn run(db: &str, actor: &Actor, args: DemoArgs) -> anyhow::Result<ExitCode> {
    let store = Store::connect(db).await?;
    let dir = std::env::temp_dir().join(format!("jineng-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    println!("正在载入演示辖区：聊城市（8 个县市区、3 个功能区）……");
    let result = load(&store, actor, args.persons, args.seed, &dir).await;
    let _ = std::fs::remove_dir_all(&dir);
    let sample = result?;
    println!("演示数据已载入 {db}。");
    println!("查找人员：jineng person find {sample}");
    println!("查看档案：jineng person show <身份证号码>（完整号码须 --reveal，并记入审计日志）");
    println!(
        "补贴申领：jineng claims export --format jsonl；jineng claims show <申领编号>；jineng claims approve --all"
    );
    println!("专账：jineng ledger report；jineng ledger verify");
    println!(
        "目标进度：jineng report progress --region 371500 --year 2019 --format text；年报：jineng report annual --region 371500 --year 2019 --out 年报.xlsx"
    );
    Ok(ExitCode::SUCCESS)
}
