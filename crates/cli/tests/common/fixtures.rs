//! Fixtures of the template tests: the people, institutions and classes
//! they work with, the base rows of each template, and helpers to load them.

use super::{TestDb, assert_error, credit, errors, id};
use jineng_store::RegistryTable;
use serde_json::{Value, json};

// ------------------------------------------------------------- fixture ----

/// The people and bodies the tests work with.
pub struct Fx {
    /// 张三, born 1990.
    pub zhang: String,
    /// 李四, 张三's spouse.
    pub li: String,
    /// 王五, 张三's parent.
    pub wang: String,
    /// 赵六, 张三's child.
    pub zhao: String,
    /// A valid ID that is never registered.
    pub stranger: String,
    /// 聊城市技工学校 (技工院校, in the catalogue).
    pub school: String,
    /// 阳谷县金穗职业培训学校 (民办培训机构).
    pub private: String,
    /// A valid credit code that is never registered.
    pub unregistered: String,
}

pub fn fx() -> Fx {
    Fx {
        zhang: id("371502", 1990, 5, 17, 123),
        li: id("371521", 1991, 3, 9, 44),
        wang: id("371581", 1962, 12, 1, 7),
        zhao: id("371502", 2015, 6, 1, 31),
        stranger: id("371524", 1988, 8, 8, 88),
        school: credit("371502", "1"),
        private: credit("371521", "2"),
        unregistered: credit("371503", "9"),
    }
}

/// `code` with a wrong last (check) character.
pub fn bad_check(code: &str) -> String {
    let mut s = code.to_string();
    let last = s.pop().unwrap();
    s.push(if last == '1' { '2' } else { '1' });
    s
}

/// ASCII letters, digits and punctuation as their full-width forms.
pub fn fullwidth(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_graphic() {
                char::from_u32(c as u32 + 0xFEE0).unwrap()
            } else {
                c
            }
        })
        .collect()
}

pub const PERSONS: &str = "姓名,身份证号码,户籍地";
pub const CATEGORIES: &str = "身份证号码,人员类别,起始日期,截止日期,证明材料";
pub const RELATIONS: &str = "身份证号码,亲属身份证号码,关系";
pub const INSTITUTIONS: &str =
    "机构名称,统一社会信用代码,机构类型,所在地,是否目录内,目录起始日期,目录截止日期";
pub const CLASSES: &str =
    "班级编号,统一社会信用代码,培训类型,职业编码,职业名称,等级,培训地,开班日期,结业日期,计划课时";
pub const ROSTER: &str = "班级编号,统一社会信用代码,姓名,身份证号码,线下课时,线上课时,结业结果";
pub const CERTIFICATES: &str =
    "证书编号,证书类型,姓名,身份证号码,职业编码,等级,发证日期,发证机构,班级编号";
pub const CLAIMS: &str = "申领编号,补贴类型,身份证号码,证书编号,班级编号,统一社会信用代码,申领单位,申请日期,月数,申请金额";

/// Every import template (the `template` command, the import form).
/// The online-sessions template (线上学习记录).
pub const SESSIONS: &str = "身份证号码,姓名,班级编号,统一社会信用代码,学习平台,开始时间,结束时间";

/// A supervision file for 聊城 (371500): its head, of id `id`, `title` and
/// 文号 `doc_no`, then `rest` (its checks, its credit rules).
pub fn supervision_doc(id: &str, title: &str, doc_no: &str, rest: &str) -> String {
    format!(
        "\n[supervision]\nid = \"{id}\"\ntitle = \"{title}\"\ndoc_no = \"{doc_no}\"\nregion = \"371500\"\n{rest}"
    )
}

/// A test supervision file (测试监管规则, 聊政办发〔2019〕10号) of id `id`.
pub fn supervision_file(id: &str, rest: &str) -> String {
    supervision_doc(id, "测试监管规则", "聊政办发〔2019〕10号", rest)
}

/// Credit rules of base score `base` and case deductions `cases` (lines
/// such as `"高" = -30`): A from 90, B from 75, C from 60, and C means no
/// advances.
pub fn credit_rules(base: i32, cases: &str) -> String {
    format!(
        r#"
[credit]
clause = "序号17、序号18"
base = {base}
[credit.cases]
{cases}
[credit.grades]
A = 90
B = 75
C = 60
[credit.consequences.C]
no_advances = true
"#
    )
}

/// A supervision file with check S10 alone (12 online hours a day at the
/// most), of id `id`.
pub fn s10_file(id: &str) -> String {
    let s10 = "\n[checks.S10]\nclause = \"二十七（互联网+监管）\"\nmax_hours_per_day = 12\n";
    supervision_doc(id, "测试监管规则（线上学习）", "人社部发〔2021〕102号", s10)
}

/// Writes `text` as the supervision file `name` in the test's folder and
/// loads it (`supervise load`).
pub fn load_supervision(db: &TestDb, name: &str, text: &str) {
    let file = db.path(name);
    std::fs::write(&file, text).unwrap();
    db.ok(&["supervise", "load", file.to_str().unwrap()]);
}

/// The classes template with the training-plan column (是否列入培训计划).
pub const CLASSES_WITH_PLAN: &str = "班级编号,统一社会信用代码,培训类型,职业编码,等级,培训地,开班日期,结业日期,计划课时,是否列入培训计划";

/// The apprentice 刘学徒 (`worker`, of 371502) of the firm `firm`
/// (聊城某机械有限公司), on each of its apprenticeship classes `classes`
/// (class number, end date, 是否列入培训计划), 400 hours from 2019-03-01,
/// passed.
pub fn apprentice(db: &TestDb, worker: &str, firm: &str, classes: &[(&str, &str, &str)]) {
    load(db, "persons", PERSONS, &[format!("刘学徒,{worker},371502")]);
    load(
        db,
        "institutions",
        INSTITUTIONS,
        &[format!("聊城某机械有限公司,{firm},企业,371502,否,,")],
    );
    let (mut rows, mut roster) = (Vec::new(), Vec::new());
    for (no, end, plan) in classes {
        rows.push(format!(
            "{no},{firm},新型学徒制,6-18-02-04,五级,371502,2019-03-01,{end},400,{plan}"
        ));
        roster.push(format!("{no},{firm},刘学徒,{worker},400,0,合格"));
    }
    load(db, "classes", CLASSES_WITH_PLAN, &rows);
    load(db, "roster", ROSTER, &roster);
}

pub const KINDS: [&str; 9] = [
    "persons",
    "categories",
    "relations",
    "institutions",
    "classes",
    "roster",
    "certificates",
    "claims",
    "regions",
];

/// The registry the later templates build on, one template at a time.
pub const STAGES: [&str; 6] = [
    "persons",
    "institutions",
    "classes",
    "roster",
    "certificates",
    "claims",
];

/// The good rows of the shared registry for `kind`.
pub fn base_rows(kind: &str, f: &Fx) -> (&'static str, Vec<String>) {
    match kind {
        "persons" => (
            PERSONS,
            vec![
                format!("张三,{},371502", f.zhang),
                format!("李四,{},371521", f.li),
                format!("王五,{},371581", f.wang),
                format!("赵六,{},371502", f.zhao),
            ],
        ),
        "institutions" => (
            INSTITUTIONS,
            vec![
                format!(
                    "聊城市技工学校,{},技工院校,371502,是,2020-01-01,2025-12-31",
                    f.school
                ),
                format!(
                    "阳谷县金穗职业培训学校,{},民办培训机构,371521,否,,",
                    f.private
                ),
            ],
        ),
        "classes" => (
            CLASSES,
            vec![
                format!(
                    "2024-001,{},就业技能培训,6-31-01-03,电工,五级/初级工,371502,2024-03-01,2024-03-20,80",
                    f.school
                ),
                format!(
                    "2024-002,{},岗位技能提升培训,4-10-01-06,家政服务员,四级/中级工,371503,2024-04-01,2024-04-30,60",
                    f.school
                ),
                // The same class number at another institution is another class.
                format!(
                    "2024-001,{},就业技能培训,4-03-02-01,中式烹调师,五级,371521,2024-05-01,2024-05-31,100",
                    f.private
                ),
            ],
        ),
        "roster" => (
            ROSTER,
            vec![
                format!("2024-001,{},张三,{},60,20,合格", f.school, f.zhang),
                format!("2024-001,{},张三,{},40,0,未结业", f.private, f.zhang),
                format!("2024-001,{},李四,{},30,0,不合格", f.school, f.li),
                format!("2024-002,{},王五,{},50,10,合格", f.school, f.wang),
            ],
        ),
        "certificates" => (
            CERTIFICATES,
            vec![
                format!(
                    "S000001,职业技能等级证书,张三,{},6-31-01-03,五级/初级工,2024-04-10,{},",
                    f.zhang, f.school
                ),
                format!(
                    "S000002,专项职业能力证书,李四,{},4-03-02-01,,2024-05-01,{},2024-001",
                    f.li, f.private
                ),
                format!(
                    "S000003,培训合格证书,王五,{},4-10-01-06,,2024-06-01,{},2024-002",
                    f.wang, f.school
                ),
            ],
        ),
        "claims" => (
            CLAIMS,
            vec![
                format!(
                    "SL2024001,职业培训补贴,{},S000001,,,,2024-05-01,,1200.00",
                    f.zhang
                ),
                format!(
                    "SL2024002,职业培训补贴,{},,2024-002,{},{},2024-06-15,,800.5",
                    f.wang, f.school, f.school
                ),
            ],
        ),
        other => panic!("no base rows for {other}"),
    }
}

pub fn csv_text(header: &str, rows: &[String]) -> String {
    format!("{header}\n{}\n", rows.join("\n"))
}

/// Imports rows that must all be accepted.
pub fn load(db: &TestDb, kind: &str, header: &str, rows: &[String]) -> Value {
    let file = db.csv(&format!("{kind}_load.csv"), &csv_text(header, rows));
    let (r, code) = db.import(kind, &file, &[]);
    assert_eq!(
        (code, r["accepted"].as_u64(), r["rejected"].as_u64()),
        (0, Some(rows.len() as u64), Some(0)),
        "[{}] {kind}: {r:#}",
        db.backend
    );
    r
}

/// Loads the shared registry up to and including `upto`.
pub fn base(db: &TestDb, f: &Fx, upto: &str) {
    for kind in STAGES {
        let (header, rows) = base_rows(kind, f);
        load(db, kind, header, &rows);
        if kind == upto {
            return;
        }
    }
    panic!("unknown stage {upto}");
}

/// (inserted, updated, unchanged) of a report.
pub fn counts(r: &Value) -> (u64, u64, u64) {
    (
        r["inserted"].as_u64().unwrap(),
        r["updated"].as_u64().unwrap(),
        r["unchanged"].as_u64().unwrap(),
    )
}

pub fn count(db: &TestDb, table: RegistryTable) -> i64 {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async { db.store().await.count(table).await.unwrap() })
}

// --------------------------------------------------------------- sheet ----

/// `base`, a CSV line under `header`, with the cell under `column` set to `value`.
pub fn with_cell(header: &str, base: &str, column: &str, value: &str) -> String {
    let at = header
        .split(',')
        .position(|c| c == column)
        .unwrap_or_else(|| panic!("no column 「{column}」 in {header}"));
    let mut cells: Vec<&str> = base.split(',').collect();
    cells[at] = value;
    cells.join(",")
}

/// A CSV under construction that knows which rows must be accepted and
/// which rejected, for which column and why. Row numbers are a
/// spreadsheet's: the header is row 1.
pub struct Sheet {
    pub header: &'static str,
    pub lines: Vec<String>,
    pub good: u64,
    pub bad: Vec<(u64, &'static str, &'static str)>,
}

impl Sheet {
    pub fn new(header: &'static str) -> Sheet {
        Sheet {
            header,
            lines: Vec::new(),
            good: 0,
            bad: Vec::new(),
        }
    }

    pub fn good(&mut self, line: impl Into<String>) -> u64 {
        self.good += 1;
        self.push(line.into())
    }

    /// A row that breaks one rule: rejected for `column`, with a message containing `needle`.
    pub fn bad(
        &mut self,
        column: &'static str,
        needle: &'static str,
        line: impl Into<String>,
    ) -> u64 {
        let row = self.push(line.into());
        self.bad.push((row, column, needle));
        row
    }

    /// Rows that each break one rule in one cell: `base` with the cell under
    /// `column` set to `value`, rejected for that column with a message
    /// containing `needle`.
    pub fn bad_cells(&mut self, base: &str, cases: &[(&'static str, &str, &'static str)]) {
        for &(column, value, needle) in cases {
            let line = with_cell(self.header, base, column, value);
            self.bad(column, needle, line);
        }
    }

    /// An empty line: skipped, but the rows after it keep their spreadsheet numbers.
    pub fn blank(&mut self, line: &str) {
        self.push(line.to_string());
    }

    pub fn push(&mut self, line: String) -> u64 {
        self.lines.push(line);
        self.lines.len() as u64 + 1
    }

    pub fn import(&self, db: &TestDb, kind: &str) -> (Value, i32) {
        self.import_with(db, kind, &[])
    }

    pub fn import_with(&self, db: &TestDb, kind: &str, extra: &[&str]) -> (Value, i32) {
        let file = db.csv(&format!("{kind}.csv"), &csv_text(self.header, &self.lines));
        db.import(kind, &file, extra)
    }

    /// The good rows accepted, each bad row rejected for its rule and no
    /// other, exit status 1.
    pub fn check(&self, db: &TestDb, r: &Value, code: i32) {
        eprintln!("[{}] checking {r:#}", db.backend);
        assert_eq!(
            code, 1,
            "[{}] exit status 1 when rows are rejected",
            db.backend
        );
        assert_eq!(
            r["accepted"].as_u64(),
            Some(self.good),
            "[{}] accepted",
            db.backend
        );
        assert_eq!(
            r["rejected"].as_u64(),
            Some(self.bad.len() as u64),
            "[{}] rejected",
            db.backend
        );
        let errs = errors(r);
        for (row, column, needle) in &self.bad {
            assert_error(r, *row, column, needle);
            let of_row: Vec<_> = errs.iter().filter(|(n, ..)| n == row).collect();
            assert_eq!(
                of_row.len(),
                1,
                "[{}] row {row} should break only the rule of 「{column}」: {of_row:#?}",
                db.backend
            );
        }
        for (row, column, message) in &errs {
            assert!(
                self.bad.iter().any(|(n, ..)| n == row),
                "[{}] good row {row} rejected: 「{column}」{message}",
                db.backend
            );
        }
    }
}

// ---------------------------------------------------------- categories ----

// -------------------------------------------------------------- claims ----

pub const REGIONS: &str = "区划代码,名称,上级区划代码,是否深度贫困县";

/// A policy file of the repository (`policies/NAME`), by absolute path.
pub fn policy_file(name: &str) -> String {
    format!("{}/../../policies/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// The rows of a claims scenario, template by template; `load` imports
/// them in the order the templates build on each other.
#[derive(Default)]
pub struct Registry {
    pub regions: Vec<String>,
    pub persons: Vec<String>,
    pub categories: Vec<String>,
    pub institutions: Vec<String>,
    pub classes: Vec<String>,
    pub roster: Vec<String>,
    pub certificates: Vec<String>,
    pub claims: Vec<String>,
}

impl Registry {
    /// `name` (`pid`) on class `class` of `school`: 80 hours, passed.
    pub fn passed(&mut self, class: &str, school: &str, name: &str, pid: &str) {
        let row = format!("{class},{school},{name},{pid},80,0,合格");
        self.roster.push(row);
    }

    /// A 职业培训补贴 claim `no` of `pid` on certificate `cert`, applied
    /// for on `date`.
    pub fn training_claim(&mut self, no: &str, pid: &str, cert: &str, date: &str) {
        let row = format!("{no},职业培训补贴,{pid},{cert},,,,{date},,");
        self.claims.push(row);
    }

    pub fn load(&self, db: &TestDb) {
        for (kind, header, rows) in [
            ("regions", REGIONS, &self.regions),
            ("persons", PERSONS, &self.persons),
            ("categories", CATEGORIES, &self.categories),
            ("institutions", INSTITUTIONS, &self.institutions),
            ("classes", CLASSES, &self.classes),
            ("roster", ROSTER, &self.roster),
            ("certificates", CERTIFICATES, &self.certificates),
            ("claims", CLAIMS, &self.claims),
        ] {
            if !rows.is_empty() {
                load(db, kind, header, rows);
            }
        }
    }
}

/// `claims export --format jsonl`, by claim number.
pub fn export_claims(db: &TestDb) -> std::collections::BTreeMap<String, Value> {
    db.ok(&["claims", "export", "--format", "jsonl"])
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (v["claim_no"].as_str().unwrap().to_string(), v)
        })
        .collect()
}

/// Runs a query on the test database behind the binary's back; every
/// column read as text (integers written out).
pub fn sql_rows(db: &TestDb, sql: &str) -> Vec<Vec<String>> {
    use sqlx::Row;
    super::query_rows(db, sql, |r, i| match r.try_get::<i64, _>(i) {
        Ok(n) => n.to_string(),
        Err(_) => r
            .try_get::<Option<String>, _>(i)
            .unwrap()
            .unwrap_or_default(),
    })
}

/// (status, outcome, amount_fen, rules, payee, payee_code, year) of an
/// exported claim: what an officer checks of a decision.
pub fn claim_line(c: &Value) -> Value {
    json!([
        c["status"],
        c["outcome"],
        c["amount_fen"],
        c["rules"],
        c["payee"],
        c["payee_code"],
        c["year"]
    ])
}

/// `claims show CLAIM`: the decision as an officer reads it.
pub fn show_claim(db: &TestDb, claim: &str) -> String {
    db.ok(&["claims", "show", claim])
}

/// Asserts that `text` contains every needle.
pub fn assert_contains(db: &TestDb, text: &str, needles: &[&str]) {
    for n in needles {
        assert!(
            text.contains(n),
            "[{}] 「{n}」 missing in:\n{text}",
            db.backend
        );
    }
}
