//! The import templates after 人员信息 (TEMPLATES.md): 人员类别, 家庭关系,
//! 培训机构, 培训班, 花名册, 证书 and 补贴申领. Every rule rejects its own row
//! with the spreadsheet row number, the column and a Chinese reason; what is
//! accepted is checked in the e-archive; re-imports, updates, column
//! matching, spellings and file formats, on both backends.

mod common;
use common::{TestDb, assert_error, credit, errors, id};
use jineng_store::Table;
use serde_json::{Value, json};

// ------------------------------------------------------------- fixture ----

/// The people and bodies the tests work with.
struct Fx {
    /// 张三, born 1990.
    zhang: String,
    /// 李四, 张三's spouse.
    li: String,
    /// 王五, 张三's parent.
    wang: String,
    /// 赵六, 张三's child.
    zhao: String,
    /// A valid ID that is never registered.
    stranger: String,
    /// 聊城市技工学校 (技工院校, in the catalogue).
    school: String,
    /// 阳谷县金穗职业培训学校 (民办培训机构).
    private: String,
    /// A valid credit code that is never registered.
    unregistered: String,
}

fn fx() -> Fx {
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
fn bad_check(code: &str) -> String {
    let mut s = code.to_string();
    let last = s.pop().unwrap();
    s.push(if last == '1' { '2' } else { '1' });
    s
}

/// ASCII letters, digits and punctuation as their full-width forms.
fn fullwidth(s: &str) -> String {
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

const PERSONS: &str = "姓名,身份证号码,户籍地";
const CATEGORIES: &str = "身份证号码,人员类别,起始日期,截止日期,证明材料";
const RELATIONS: &str = "身份证号码,亲属身份证号码,关系";
const INSTITUTIONS: &str =
    "机构名称,统一社会信用代码,机构类型,所在地,是否目录内,目录起始日期,目录截止日期";
const CLASSES: &str =
    "班级编号,统一社会信用代码,培训类型,职业编码,职业名称,等级,培训地,开班日期,结业日期,计划课时";
const ROSTER: &str = "班级编号,统一社会信用代码,姓名,身份证号码,线下课时,线上课时,结业结果";
const CERTIFICATES: &str =
    "证书编号,证书类型,姓名,身份证号码,职业编码,等级,发证日期,发证机构,班级编号";
const CLAIMS: &str = "申领编号,补贴类型,身份证号码,证书编号,班级编号,统一社会信用代码,申领单位,申请日期,月数,申请金额";

/// The registry the later templates build on, one template at a time.
const STAGES: [&str; 6] = [
    "persons",
    "institutions",
    "classes",
    "roster",
    "certificates",
    "claims",
];

/// The good rows of the shared registry for `kind`.
fn base_rows(kind: &str, f: &Fx) -> (&'static str, Vec<String>) {
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

fn csv_text(header: &str, rows: &[String]) -> String {
    format!("{header}\n{}\n", rows.join("\n"))
}

/// Imports rows that must all be accepted.
fn load(db: &TestDb, kind: &str, header: &str, rows: &[String]) -> Value {
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
fn base(db: &TestDb, f: &Fx, upto: &str) {
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
fn counts(r: &Value) -> (u64, u64, u64) {
    (
        r["inserted"].as_u64().unwrap(),
        r["updated"].as_u64().unwrap(),
        r["unchanged"].as_u64().unwrap(),
    )
}

fn count(db: &TestDb, table: Table) -> i64 {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async { db.store().await.count(table).await.unwrap() })
}

// --------------------------------------------------------------- sheet ----

/// A CSV under construction that knows which rows must be accepted and
/// which rejected, for which column and why. Row numbers are a
/// spreadsheet's: the header is row 1.
struct Sheet {
    header: &'static str,
    lines: Vec<String>,
    good: u64,
    bad: Vec<(u64, &'static str, &'static str)>,
}

impl Sheet {
    fn new(header: &'static str) -> Sheet {
        Sheet {
            header,
            lines: Vec::new(),
            good: 0,
            bad: Vec::new(),
        }
    }

    fn good(&mut self, line: impl Into<String>) -> u64 {
        self.good += 1;
        self.push(line.into())
    }

    /// A row that breaks one rule: rejected for `column`, with a message containing `needle`.
    fn bad(&mut self, column: &'static str, needle: &'static str, line: impl Into<String>) -> u64 {
        let row = self.push(line.into());
        self.bad.push((row, column, needle));
        row
    }

    /// An empty line: skipped, but the rows after it keep their spreadsheet numbers.
    fn blank(&mut self, line: &str) {
        self.push(line.to_string());
    }

    fn push(&mut self, line: String) -> u64 {
        self.lines.push(line);
        self.lines.len() as u64 + 1
    }

    fn import(&self, db: &TestDb, kind: &str) -> (Value, i32) {
        self.import_with(db, kind, &[])
    }

    fn import_with(&self, db: &TestDb, kind: &str, extra: &[&str]) -> (Value, i32) {
        let file = db.csv(&format!("{kind}.csv"), &csv_text(self.header, &self.lines));
        db.import(kind, &file, extra)
    }

    /// The good rows accepted, each bad row rejected for its rule and no
    /// other, exit status 1.
    fn check(&self, db: &TestDb, r: &Value, code: i32) {
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

#[test]
fn categories_every_rule_rejects_its_row() {
    let f = fx();
    let mut s = Sheet::new(CATEGORIES);
    s.good(format!(
        "{},登记失业人员,2024-01-01,,3715020012345",
        f.zhang
    ));
    s.good(format!(
        "{},就业困难人员,2023/06/01,2024年12月31日,",
        f.zhang
    ));
    s.good(format!("{},农村转移就业劳动者,20230101,,", f.li));
    s.bad("身份证号码", "必填", ",登记失业人员,2024-01-01,,");
    s.bad(
        "身份证号码",
        "校验位",
        format!("{},登记失业人员,2024-01-01,,", bad_check(&f.li)),
    );
    s.bad(
        "身份证号码",
        "尚未登记",
        format!("{},登记失业人员,2024-01-01,,", f.stranger),
    );
    s.bad(
        "人员类别",
        "不是可用的人员类别",
        format!("{},失业人员,2024-01-01,,", f.li),
    );
    s.bad("人员类别", "必填", format!("{},,2024-01-01,,", f.li));
    s.bad("起始日期", "必填", format!("{},退役军人,,,", f.li));
    s.bad(
        "起始日期",
        "无法识别的日期格式",
        format!("{},退役军人,去年三月,,", f.li),
    );
    s.bad(
        "起始日期",
        "不存在",
        format!("{},退役军人,2023-02-29,,", f.li),
    );
    s.bad(
        "截止日期",
        "早于起始日期",
        format!("{},退役军人,2024-01-01,2023-12-31,", f.li),
    );
    s.bad(
        "证明材料",
        "不能超过100个字符",
        format!("{},退役军人,2024-01-01,,{}", f.li, "证".repeat(101)),
    );
    for db in common::initialised("tpl_categories") {
        base(&db, &f, "persons");
        let (r, code) = s.import(&db, "categories");
        s.check(&db, &r, code);
        assert_eq!(counts(&r), (3, 0, 0));
        assert_eq!(
            db.archive(&f.zhang)["categories"],
            json!([
                {"category": "就业困难人员", "valid_from": "2023-06-01", "valid_to": "2024-12-31", "evidence": null},
                {"category": "登记失业人员", "valid_from": "2024-01-01", "valid_to": null, "evidence": "3715020012345"},
            ]),
            "[{}]",
            db.backend
        );
        assert_eq!(
            db.archive(&f.li)["categories"][0]["category"],
            "农村转移就业劳动者"
        );

        // The same file again changes nothing.
        let (r, code) = s.import(&db, "categories");
        assert_eq!(
            (code, counts(&r), r["rejected"].as_u64()),
            (1, (0, 0, 3), Some(10)),
            "[{}] {r:#}",
            db.backend
        );

        // A closing date for a known category is an update.
        let r = load(
            &db,
            "categories",
            CATEGORIES,
            &[format!(
                "{},登记失业人员,2024-01-01,2024-06-30,3715020012345",
                f.zhang
            )],
        );
        assert_eq!(counts(&r), (0, 1, 0));
        assert_eq!(
            db.archive(&f.zhang)["categories"][1]["valid_to"],
            "2024-06-30"
        );
        assert_eq!(count(&db, Table::Categories), 3);
    }
}

// ----------------------------------------------------------- relations ----

#[test]
fn relations_every_rule_rejects_its_row() {
    let f = fx();
    let mut s = Sheet::new(RELATIONS);
    s.good(format!("{},{},父母", f.zhang, f.wang));
    s.good(format!("{},{},配偶", f.zhang, f.li));
    s.good(format!("{},{},子女", f.zhang, f.zhao));
    s.good(format!("{},{},祖父母", f.zhao, f.wang));
    s.bad("身份证号码", "必填", format!(",{},配偶", f.li));
    s.bad(
        "身份证号码",
        "校验位",
        format!("{},{},配偶", bad_check(&f.li), f.zhang),
    );
    s.bad(
        "身份证号码",
        "尚未登记",
        format!("{},{},配偶", f.stranger, f.zhang),
    );
    s.bad("亲属身份证号码", "必填", format!("{},,配偶", f.li));
    s.bad(
        "亲属身份证号码",
        "校验位",
        format!("{},{},配偶", f.li, bad_check(&f.zhang)),
    );
    s.bad(
        "亲属身份证号码",
        "尚未登记",
        format!("{},{},配偶", f.li, f.stranger),
    );
    s.bad(
        "亲属身份证号码",
        "不能与本人相同",
        format!("{},{},配偶", f.li, f.li),
    );
    s.bad("关系", "必填", format!("{},{},", f.li, f.wang));
    s.bad(
        "关系",
        "无法识别的亲属关系",
        format!("{},{},兄弟", f.li, f.wang),
    );
    for db in common::initialised("tpl_relations") {
        base(&db, &f, "persons");
        let (r, code) = s.import(&db, "relations");
        s.check(&db, &r, code);
        assert_eq!(counts(&r), (4, 0, 0));
        assert_eq!(
            count(&db, Table::Relations),
            8,
            "[{}] each relation is kept in both directions",
            db.backend
        );

        let (r, code) = s.import(&db, "relations");
        assert_eq!((code, counts(&r)), (1, (0, 0, 4)), "[{}] {r:#}", db.backend);
        assert_eq!(count(&db, Table::Relations), 8);
    }
}

// -------------------------------------------------------- institutions ----

#[test]
fn institutions_every_rule_rejects_its_row() {
    let f = fx();
    let third = credit("371581", "3");
    let mut s = Sheet::new(INSTITUTIONS);
    s.good(format!(
        "聊城市技工学校,{},技工院校,371502,是,2020-01-01,2025-12-31",
        f.school
    ));
    s.good(format!(
        "阳谷县金穗职业培训学校,{},民办培训机构,371521,否,,",
        f.private
    ));
    // Full-width, lower-case and padded: normalised.
    s.good(format!(
        " 临清市公共实训基地 , {} ,公共实训基地,{},是,2021年1月1日,",
        fullwidth(&third.to_lowercase()),
        fullwidth("371581")
    ));
    s.bad(
        "机构名称",
        "必填",
        format!(",{},企业,371502,否,,", credit("371502", "11")),
    );
    s.bad(
        "机构名称",
        "不能超过100个字符",
        format!(
            "{},{},企业,371502,否,,",
            "培".repeat(101),
            credit("371502", "12")
        ),
    );
    s.bad(
        "统一社会信用代码",
        "必填",
        "某培训学校,,民办培训机构,371502,否,,",
    );
    s.bad(
        "统一社会信用代码",
        "校验位",
        format!(
            "某培训学校,{},民办培训机构,371502,否,,",
            bad_check(&credit("371502", "13"))
        ),
    );
    s.bad(
        "统一社会信用代码",
        "应为18位",
        format!(
            "某培训学校,{},民办培训机构,371502,否,,",
            &credit("371502", "14")[..17]
        ),
    );
    s.bad(
        "机构类型",
        "必填",
        format!("某培训学校,{},,371502,否,,", credit("371502", "15")),
    );
    s.bad(
        "机构类型",
        "不是可用的机构类型",
        format!("某培训学校,{},培训公司,371502,否,,", credit("371502", "16")),
    );
    s.bad(
        "所在地",
        "必填",
        format!("某培训学校,{},民办培训机构,,否,,", credit("371502", "17")),
    );
    s.bad(
        "所在地",
        "999999 不存在",
        format!(
            "某培训学校,{},民办培训机构,999999,否,,",
            credit("371502", "18")
        ),
    );
    s.bad(
        "是否目录内",
        "无法识别的是否值",
        format!(
            "某培训学校,{},民办培训机构,371502,也许,,",
            credit("371502", "19")
        ),
    );
    s.bad(
        "目录起始日期",
        "须填写目录起始日期",
        format!(
            "某培训学校,{},民办培训机构,371502,是,,",
            credit("371502", "20")
        ),
    );
    s.bad(
        "目录起始日期",
        "无法识别的日期格式",
        format!(
            "某培训学校,{},民办培训机构,371502,是,今年,",
            credit("371502", "21")
        ),
    );
    s.bad(
        "目录截止日期",
        "早于目录起始日期",
        format!(
            "某培训学校,{},民办培训机构,371502,是,2022-01-01,2021-12-31",
            credit("371502", "22")
        ),
    );
    for db in common::initialised("tpl_institutions") {
        let (r, code) = s.import(&db, "institutions");
        s.check(&db, &r, code);
        assert_eq!(counts(&r), (3, 0, 0));
        assert_eq!(
            count(&db, Table::Institutions),
            3,
            "[{}] only the good rows are written",
            db.backend
        );

        let (r, code) = s.import(&db, "institutions");
        assert_eq!((code, counts(&r)), (1, (0, 0, 3)), "[{}] {r:#}", db.backend);

        // A new name for a known code updates it; the code as normally
        // written finds the institution registered in full-width.
        let r = load(
            &db,
            "institutions",
            INSTITUTIONS,
            &[format!(
                "聊城市高级技工学校,{},技工院校,371502,是,2020-01-01,2025-12-31",
                f.school
            )],
        );
        assert_eq!(counts(&r), (0, 1, 0));
        load(
            &db,
            "classes",
            CLASSES,
            &[format!(
                "LQ-01,{third},就业技能培训,6-31-01-03,电工,五级,371581,2024-03-01,2024-03-20,40"
            )],
        );
        assert_eq!(count(&db, Table::Institutions), 3);
    }
}

// ------------------------------------------------------------- classes ----

#[test]
fn classes_every_rule_rejects_its_row() {
    let f = fx();
    let mut s = Sheet::new(CLASSES);
    s.good(format!(
        "2024-001,{},就业技能培训,6-31-01-03,电工,五级/初级工,371502,2024-03-01,2024-03-20,80",
        f.school
    ));
    s.good(format!(
        "2024-002,{},岗位技能提升培训,4100106,家政服务员,初级工,371503,2024/04/01,2024/04/30,60",
        f.school
    ));
    s.good(format!(
        "2024-001,{},就业技能培训,4-03-02-01,,五级,371521,20240501,2024年5月31日,100",
        f.private
    ));
    s.good(format!(
        "2024-003,{},创业培训,4-03-02-01,中式烹调师,,371502,2024-06-01,2024-06-01,40.0",
        f.school
    ));
    s.good(format!(
        "2024-004,{},专项职业能力培训,4-03-02-01,,,371502,2024-07-01,2024-07-05,24",
        f.school
    ));
    s.bad(
        "班级编号",
        "必填",
        format!(
            ",{},就业技能培训,6-31-01-03,,五级,371502,2024-03-01,2024-03-20,80",
            f.school
        ),
    );
    s.bad(
        "统一社会信用代码",
        "必填",
        "2024-101,,就业技能培训,6-31-01-03,,五级,371502,2024-03-01,2024-03-20,80",
    );
    s.bad(
        "统一社会信用代码",
        "校验位",
        format!(
            "2024-102,{},就业技能培训,6-31-01-03,,五级,371502,2024-03-01,2024-03-20,80",
            bad_check(&f.school)
        ),
    );
    s.bad(
        "统一社会信用代码",
        "尚未登记",
        format!(
            "2024-103,{},就业技能培训,6-31-01-03,,五级,371502,2024-03-01,2024-03-20,80",
            f.unregistered
        ),
    );
    s.bad(
        "培训类型",
        "必填",
        format!(
            "2024-104,{},,6-31-01-03,,五级,371502,2024-03-01,2024-03-20,80",
            f.school
        ),
    );
    s.bad(
        "培训类型",
        "不是可用的培训类型",
        format!(
            "2024-105,{},技能培训,6-31-01-03,,五级,371502,2024-03-01,2024-03-20,80",
            f.school
        ),
    );
    s.bad(
        "职业编码",
        "必填",
        format!(
            "2024-106,{},就业技能培训,,,五级,371502,2024-03-01,2024-03-20,80",
            f.school
        ),
    );
    s.bad(
        "职业编码",
        "格式错误",
        format!(
            "2024-107,{},就业技能培训,63101,,五级,371502,2024-03-01,2024-03-20,80",
            f.school
        ),
    );
    s.bad(
        "职业编码",
        "不在2022年版职业分类大典中",
        format!(
            "2024-108,{},就业技能培训,6-31-01-99,,五级,371502,2024-03-01,2024-03-20,80",
            f.school
        ),
    );
    s.bad(
        "职业名称",
        "不符",
        format!(
            "2024-109,{},就业技能培训,6-31-01-03,家政服务员,五级,371502,2024-03-01,2024-03-20,80",
            f.school
        ),
    );
    s.bad(
        "等级",
        "无法识别的技能等级",
        format!(
            "2024-110,{},就业技能培训,6-31-01-03,,六级,371502,2024-03-01,2024-03-20,80",
            f.school
        ),
    );
    s.bad(
        "等级",
        "前后不一致",
        format!(
            "2024-111,{},就业技能培训,6-31-01-03,,五级/中级工,371502,2024-03-01,2024-03-20,80",
            f.school
        ),
    );
    s.bad(
        "等级",
        "专项职业能力培训不分等级",
        format!(
            "2024-121,{},专项职业能力培训,4-03-02-01,,五级,371502,2024-07-01,2024-07-05,24",
            f.school
        ),
    );
    s.bad(
        "培训地",
        "必填",
        format!(
            "2024-112,{},就业技能培训,6-31-01-03,,五级,,2024-03-01,2024-03-20,80",
            f.school
        ),
    );
    s.bad(
        "培训地",
        "999999 不存在",
        format!(
            "2024-113,{},就业技能培训,6-31-01-03,,五级,999999,2024-03-01,2024-03-20,80",
            f.school
        ),
    );
    s.bad(
        "开班日期",
        "必填",
        format!(
            "2024-114,{},就业技能培训,6-31-01-03,,五级,371502,,2024-03-20,80",
            f.school
        ),
    );
    s.bad(
        "开班日期",
        "不存在",
        format!(
            "2024-115,{},就业技能培训,6-31-01-03,,五级,371502,2024-02-30,2024-03-20,80",
            f.school
        ),
    );
    s.bad(
        "结业日期",
        "必填",
        format!(
            "2024-116,{},就业技能培训,6-31-01-03,,五级,371502,2024-03-01,,80",
            f.school
        ),
    );
    s.bad(
        "结业日期",
        "早于开班日期",
        format!(
            "2024-117,{},就业技能培训,6-31-01-03,,五级,371502,2024-03-20,2024-03-01,80",
            f.school
        ),
    );
    s.bad(
        "计划课时",
        "必填",
        format!(
            "2024-118,{},就业技能培训,6-31-01-03,,五级,371502,2024-03-01,2024-03-20,",
            f.school
        ),
    );
    s.bad(
        "计划课时",
        "超出范围",
        format!(
            "2024-119,{},就业技能培训,6-31-01-03,,五级,371502,2024-03-01,2024-03-20,0",
            f.school
        ),
    );
    s.bad(
        "计划课时",
        "不大于 100000",
        format!(
            "2024-122,{},就业技能培训,6-31-01-03,,五级,371502,2024-03-01,2024-03-20,200000",
            f.school
        ),
    );
    s.bad(
        "计划课时",
        "应为整数",
        format!(
            "2024-120,{},就业技能培训,6-31-01-03,,五级,371502,2024-03-01,2024-03-20,八十",
            f.school
        ),
    );
    for db in common::initialised("tpl_classes") {
        base(&db, &f, "institutions");
        let (r, code) = s.import(&db, "classes");
        s.check(&db, &r, code);
        assert_eq!(
            counts(&r),
            (5, 0, 0),
            "[{}] 2024-001 at two institutions is two classes",
            db.backend
        );
        assert_eq!(count(&db, Table::Classes), 5);

        let (r, code) = s.import(&db, "classes");
        assert_eq!((code, counts(&r)), (1, (0, 0, 5)), "[{}] {r:#}", db.backend);

        // A class number is unique within its institution: a new plan updates the class.
        let r = load(
            &db,
            "classes",
            CLASSES,
            &[format!(
                "2024-001,{},就业技能培训,6-31-01-03,电工,五级/初级工,371502,2024-03-01,2024-03-22,96",
                f.school
            )],
        );
        assert_eq!(counts(&r), (0, 1, 0));
        assert_eq!(count(&db, Table::Classes), 5);

        // What was written, as the e-archive shows it.
        load(
            &db,
            "roster",
            ROSTER,
            &[
                format!("2024-001,{},张三,{},90,0,合格", f.school, f.zhang),
                format!("2024-002,{},张三,{},0,0,", f.school, f.zhang),
                format!("2024-001,{},张三,{},0,0,", f.private, f.zhang),
                format!("2024-003,{},张三,{},0,0,", f.school, f.zhang),
            ],
        );
        let e = &db.archive(&f.zhang)["enrolments"];
        let row = |i: usize| {
            let e = &e[i];
            (
                e["class_no"].as_str().unwrap().to_string(),
                e["institution"].as_str().unwrap().to_string(),
                e["training_type"].as_str().unwrap().to_string(),
                e["occupation_code"].as_str().unwrap().to_string(),
                e["occupation_name"].as_str().unwrap().to_string(),
                e["skill_level"].as_i64(),
                e["start_date"].as_str().unwrap().to_string(),
                e["end_date"].as_str().unwrap().to_string(),
            )
        };
        let owned =
            |a: &str, b: &str, c: &str, d: &str, n: &str, l: Option<i64>, s: &str, t: &str| {
                (
                    a.to_string(),
                    b.to_string(),
                    c.to_string(),
                    d.to_string(),
                    n.to_string(),
                    l,
                    s.to_string(),
                    t.to_string(),
                )
            };
        assert_eq!(e.as_array().unwrap().len(), 4, "[{}] {e:#}", db.backend);
        assert_eq!(
            row(0),
            owned(
                "2024-001",
                "聊城市技工学校",
                "就业技能培训",
                "6-31-01-03",
                "电工",
                Some(5),
                "2024-03-01",
                "2024-03-22"
            )
        );
        assert_eq!(
            row(1),
            owned(
                "2024-002",
                "聊城市技工学校",
                "岗位技能提升培训",
                "4-10-01-06",
                "家政服务员",
                Some(5),
                "2024-04-01",
                "2024-04-30"
            )
        );
        assert_eq!(
            row(2),
            owned(
                "2024-001",
                "阳谷县金穗职业培训学校",
                "就业技能培训",
                "4-03-02-01",
                "中式烹调师",
                Some(5),
                "2024-05-01",
                "2024-05-31"
            )
        );
        assert_eq!(
            row(3),
            owned(
                "2024-003",
                "聊城市技工学校",
                "创业培训",
                "4-03-02-01",
                "中式烹调师",
                None,
                "2024-06-01",
                "2024-06-01"
            )
        );
    }
}

// -------------------------------------------------------------- roster ----

#[test]
fn roster_every_rule_rejects_its_row() {
    let f = fx();
    let (_, base_roster) = base_rows("roster", &f);
    let mut s = Sheet::new(ROSTER);
    for line in &base_roster {
        s.good(line.clone());
    }
    s.good(format!("2024-002,{},李四,{},,,", f.school, f.li)); // no hours yet, 未结业
    s.blank("");
    s.blank(",,,,,,");
    s.bad(
        "班级编号",
        "必填",
        format!(",{},赵六,{},10,0,", f.school, f.zhao),
    );
    s.bad(
        "班级编号",
        "没有编号为「2024-999」的培训班",
        format!("2024-999,{},赵六,{},10,0,", f.school, f.zhao),
    );
    s.bad(
        "统一社会信用代码",
        "必填",
        format!("2024-001,,赵六,{},10,0,", f.zhao),
    );
    s.bad(
        "统一社会信用代码",
        "校验位",
        format!("2024-001,{},赵六,{},10,0,", bad_check(&f.school), f.zhao),
    );
    s.bad(
        "统一社会信用代码",
        "尚未登记",
        format!("2024-001,{},赵六,{},10,0,", f.unregistered, f.zhao),
    );
    s.bad(
        "姓名",
        "必填",
        format!("2024-001,{},,{},10,0,", f.school, f.zhao),
    );
    s.bad(
        "姓名",
        "冒名",
        format!("2024-001,{},李四,{},10,0,", f.school, f.zhao),
    );
    s.bad(
        "身份证号码",
        "必填",
        format!("2024-001,{},赵六,,10,0,", f.school),
    );
    s.bad(
        "身份证号码",
        "校验位",
        format!("2024-001,{},赵六,{},10,0,", f.school, bad_check(&f.zhao)),
    );
    s.bad(
        "身份证号码",
        "尚未登记",
        format!("2024-001,{},钱七,{},10,0,", f.school, f.stranger),
    );
    s.bad(
        "线下课时",
        "超过该班计划课时 80",
        format!("2024-001,{},赵六,{},81,0,", f.school, f.zhao),
    );
    s.bad(
        "线下课时",
        "超出范围",
        format!("2024-001,{},赵六,{},-1,0,", f.school, f.zhao),
    );
    s.bad(
        "线下课时",
        "应为整数",
        format!("2024-001,{},赵六,{},十,0,", f.school, f.zhao),
    );
    s.bad(
        "线上课时",
        "超过该班计划课时 80",
        format!("2024-001,{},赵六,{},0,81,", f.school, f.zhao),
    );
    s.bad(
        "线上课时",
        "合计 90 超过该班计划课时 80",
        format!("2024-001,{},赵六,{},50,40,", f.school, f.zhao),
    );
    s.bad(
        "结业结果",
        "无法识别的结业结果",
        format!("2024-001,{},赵六,{},10,0,优秀", f.school, f.zhao),
    );
    for db in common::initialised("tpl_roster") {
        base(&db, &f, "classes");
        let (r, code) = s.import(&db, "roster");
        s.check(&db, &r, code);
        assert_eq!(counts(&r), (5, 0, 0));
        assert_eq!(
            count(&db, Table::Enrolments),
            5,
            "[{}] only the good rows are written",
            db.backend
        );
        let hours = |id: &str| -> Vec<(String, i64, i64, String)> {
            db.archive(id)["enrolments"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    (
                        format!(
                            "{} {}",
                            e["class_no"].as_str().unwrap(),
                            e["institution"].as_str().unwrap()
                        ),
                        e["offline_hours"].as_i64().unwrap(),
                        e["online_hours"].as_i64().unwrap(),
                        e["completion"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        };
        let h = |c: &str, off: i64, on: i64, done: &str| (c.to_string(), off, on, done.to_string());
        assert_eq!(
            hours(&f.zhang),
            [
                h("2024-001 聊城市技工学校", 60, 20, "passed"),
                h("2024-001 阳谷县金穗职业培训学校", 40, 0, "not_finished")
            ]
        );
        assert_eq!(
            hours(&f.li),
            [
                h("2024-001 聊城市技工学校", 30, 0, "failed"),
                h("2024-002 聊城市技工学校", 0, 0, "not_finished")
            ]
        );
        assert_eq!(
            hours(&f.wang),
            [h("2024-002 聊城市技工学校", 50, 10, "passed")]
        );
        assert!(
            hours(&f.zhao).is_empty(),
            "[{}] rejected rows are not written",
            db.backend
        );

        // The same file again changes nothing.
        let (r, code) = s.import(&db, "roster");
        assert_eq!((code, counts(&r)), (1, (0, 0, 5)), "[{}] {r:#}", db.backend);

        // New hours for an enrolment are an update, visible in the archive.
        let mut again = base_roster.clone();
        again[1] = format!("2024-001,{},张三,{},92,8,合格", f.private, f.zhang);
        let r = load(&db, "roster", ROSTER, &again);
        assert_eq!(counts(&r), (0, 1, 3), "[{}] {r:#}", db.backend);
        assert_eq!(
            hours(&f.zhang)[1],
            h("2024-001 阳谷县金穗职业培训学校", 92, 8, "passed")
        );
        assert_eq!(count(&db, Table::Enrolments), 5);
    }
}

// -------------------------------------------------------- certificates ----

#[test]
fn certificates_every_rule_rejects_its_row() {
    let f = fx();
    let future = (chrono::Local::now().date_naive() + chrono::Duration::days(30))
        .format("%Y-%m-%d")
        .to_string();
    let mut s = Sheet::new(CERTIFICATES);
    s.good(format!(
        "S000001,职业技能等级证书,张三,{},6-31-01-03,五级/初级工,2024-04-10,{},",
        f.zhang, f.school
    ));
    s.good(format!(
        "S000002,专项职业能力证书,李四,{},4-03-02-01,,2024/05/01,{},2024-001",
        f.li, f.private
    ));
    s.good(format!(
        "S000003,培训合格证书,王五,{},4100106,,20240601,{},2024-002",
        f.wang, f.school
    ));
    // Unique per certificate type: the same number under another type is another certificate.
    s.good(format!(
        "S000001,职业资格证书,李四,{},6-31-01-03,四级,2024年6月2日,{},",
        f.li, f.school
    ));
    s.bad(
        "证书编号",
        "必填",
        format!(
            ",职业技能等级证书,张三,{},6-31-01-03,五级,2024-04-10,{},",
            f.zhang, f.school
        ),
    );
    s.bad(
        "证书编号",
        "已登记在其他人员名下",
        format!(
            "S000001,职业技能等级证书,李四,{},6-31-01-03,五级,2024-04-10,{},",
            f.li, f.school
        ),
    );
    s.bad(
        "证书类型",
        "必填",
        format!(
            "S000101,,张三,{},6-31-01-03,五级,2024-04-10,{},",
            f.zhang, f.school
        ),
    );
    s.bad(
        "证书类型",
        "无法识别的证书类型",
        format!(
            "S000102,驾驶证,张三,{},6-31-01-03,五级,2024-04-10,{},",
            f.zhang, f.school
        ),
    );
    s.bad(
        "姓名",
        "必填",
        format!(
            "S000103,职业技能等级证书,,{},6-31-01-03,五级,2024-04-10,{},",
            f.zhang, f.school
        ),
    );
    s.bad(
        "姓名",
        "冒名",
        format!(
            "S000104,职业技能等级证书,王五,{},6-31-01-03,五级,2024-04-10,{},",
            f.zhang, f.school
        ),
    );
    s.bad(
        "身份证号码",
        "必填",
        format!(
            "S000105,职业技能等级证书,张三,,6-31-01-03,五级,2024-04-10,{},",
            f.school
        ),
    );
    s.bad(
        "身份证号码",
        "校验位",
        format!(
            "S000106,职业技能等级证书,张三,{},6-31-01-03,五级,2024-04-10,{},",
            bad_check(&f.zhang),
            f.school
        ),
    );
    s.bad(
        "身份证号码",
        "尚未登记",
        format!(
            "S000107,职业技能等级证书,钱七,{},6-31-01-03,五级,2024-04-10,{},",
            f.stranger, f.school
        ),
    );
    s.bad(
        "职业编码",
        "必填",
        format!(
            "S000108,职业技能等级证书,张三,{},,五级,2024-04-10,{},",
            f.zhang, f.school
        ),
    );
    s.bad(
        "职业编码",
        "不在2022年版职业分类大典中",
        format!(
            "S000109,职业技能等级证书,张三,{},6-31-01-99,五级,2024-04-10,{},",
            f.zhang, f.school
        ),
    );
    s.bad(
        "等级",
        "须填写等级",
        format!(
            "S000110,职业技能等级证书,张三,{},6-31-01-03,,2024-04-10,{},",
            f.zhang, f.school
        ),
    );
    s.bad(
        "等级",
        "无法识别的技能等级",
        format!(
            "S000111,职业技能等级证书,张三,{},6-31-01-03,六级,2024-04-10,{},",
            f.zhang, f.school
        ),
    );
    s.bad(
        "等级",
        "专项职业能力证书不分等级",
        format!(
            "S000119,专项职业能力证书,李四,{},4-03-02-01,五级,2024-05-01,{},",
            f.li, f.private
        ),
    );
    s.bad(
        "发证日期",
        "必填",
        format!(
            "S000112,职业技能等级证书,张三,{},6-31-01-03,五级,,{},",
            f.zhang, f.school
        ),
    );
    s.bad(
        "发证日期",
        "不存在",
        format!(
            "S000113,职业技能等级证书,张三,{},6-31-01-03,五级,2024-02-30,{},",
            f.zhang, f.school
        ),
    );
    s.bad(
        "发证日期",
        "晚于今天",
        format!(
            "S000114,职业技能等级证书,张三,{},6-31-01-03,五级,{future},{},",
            f.zhang, f.school
        ),
    );
    s.bad(
        "发证机构",
        "必填",
        format!(
            "S000115,职业技能等级证书,张三,{},6-31-01-03,五级,2024-04-10,,",
            f.zhang
        ),
    );
    s.bad(
        "发证机构",
        "校验位",
        format!(
            "S000116,职业技能等级证书,张三,{},6-31-01-03,五级,2024-04-10,{},",
            f.zhang,
            bad_check(&f.school)
        ),
    );
    s.bad(
        "班级编号",
        "没有班级编号为「2024-001」的参训记录",
        format!(
            "S000117,培训合格证书,王五,{},4-10-01-06,,2024-06-01,{},2024-001",
            f.wang, f.school
        ),
    );
    s.bad(
        "班级编号",
        "多个编号为「2024-001」的班级",
        format!(
            "S000118,职业技能等级证书,张三,{},6-31-01-03,五级,2024-04-10,{},2024-001",
            f.zhang, f.school
        ),
    );
    for db in common::initialised("tpl_certificates") {
        base(&db, &f, "roster");
        // Written two rows per transaction: row numbers and the owner check hold across chunks.
        let (r, code) = s.import_with(&db, "certificates", &["--chunk", "2"]);
        s.check(&db, &r, code);
        assert_eq!(counts(&r), (4, 0, 0));
        assert_eq!(count(&db, Table::Certificates), 4);
        assert_eq!(
            db.archive(&f.zhang)["certificates"],
            json!([{
                "cert_type": "skill_level", "cert_no": "S000001", "occupation_code": "6-31-01-03",
                "occupation_name": "电工", "skill_level": 5, "issue_date": "2024-04-10", "issuer_code": f.school,
            }]),
            "[{}]",
            db.backend
        );
        assert_eq!(
            db.archive(&f.li)["certificates"],
            json!([
                {
                    "cert_type": "special_ability", "cert_no": "S000002", "occupation_code": "4-03-02-01",
                    "occupation_name": "中式烹调师", "skill_level": null, "issue_date": "2024-05-01", "issuer_code": f.private,
                },
                {
                    "cert_type": "qualification", "cert_no": "S000001", "occupation_code": "6-31-01-03",
                    "occupation_name": "电工", "skill_level": 4, "issue_date": "2024-06-02", "issuer_code": f.school,
                },
            ]),
            "[{}]",
            db.backend
        );
        let w = &db.archive(&f.wang)["certificates"][0];
        assert_eq!(
            (
                &w["occupation_code"],
                &w["occupation_name"],
                &w["issue_date"]
            ),
            (
                &json!("4-10-01-06"),
                &json!("家政服务员"),
                &json!("2024-06-01")
            )
        );

        let (r, code) = s.import(&db, "certificates");
        assert_eq!((code, counts(&r)), (1, (0, 0, 4)), "[{}] {r:#}", db.backend);
    }
}

#[test]
fn a_certificate_number_registered_to_another_person_is_refused() {
    let f = fx();
    for db in common::initialised("tpl_cert_owner") {
        base(&db, &f, "certificates");
        let file = db.csv(
            "moved.csv",
            &csv_text(
                CERTIFICATES,
                &[
                    // 张三's certificate, uploaded again for 李四.
                    format!(
                        "S000001,职业技能等级证书,李四,{},6-31-01-03,五级/初级工,2024-04-10,{},",
                        f.li, f.school
                    ),
                    // Its holder may correct it.
                    format!(
                        "S000001,职业技能等级证书,张三,{},6-31-01-03,四级/中级工,2024-04-10,{},",
                        f.zhang, f.school
                    ),
                ],
            ),
        );
        let (r, code) = db.import("certificates", &file, &[]);
        assert_eq!(
            (code, r["rejected"].as_u64(), counts(&r)),
            (1, Some(1), (0, 1, 0)),
            "[{}] {r:#}",
            db.backend
        );
        assert_error(&r, 2, "证书编号", "该证书编号已登记在其他人员名下");
        assert!(
            db.archive(&f.li)["certificates"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["cert_no"] != "S000001")
        );
        let z = &db.archive(&f.zhang)["certificates"];
        assert_eq!(
            (z.as_array().unwrap().len(), &z[0]["skill_level"]),
            (1, &json!(4)),
            "[{}] {z:#}",
            db.backend
        );
    }
}

// -------------------------------------------------------------- claims ----

#[test]
fn claims_every_rule_rejects_its_row() {
    let f = fx();
    let future = (chrono::Local::now().date_naive() + chrono::Duration::days(30))
        .format("%Y-%m-%d")
        .to_string();
    let (z, w, l, school, private) = (&f.zhang, &f.wang, &f.li, &f.school, &f.private);
    let mut s = Sheet::new(CLAIMS);
    // Certificate-based, class-based with the institution, class-based by enrolment.
    s.good(format!(
        "SL2024001,职业培训补贴,{z},S000001,,,,2024-05-01,,1200.00"
    ));
    s.good(format!(
        "SL2024002,职业培训补贴,{w},,2024-002,{school},{school},2024/06/15,,800.5"
    ));
    s.good(format!(
        "SL2024003,以工代训补贴,{l},,2024-001,,,20240701,6,"
    ));
    s.good(format!(
        "SL2024004,生活费补贴,{z},,2024-001,{private},,2024年7月1日,,"
    ));
    s.bad(
        "申领编号",
        "必填",
        format!(",职业培训补贴,{z},S000001,,,,2024-05-01,,"),
    );
    s.bad(
        "申领编号",
        "已用于其他人员",
        format!("SL2024001,职业培训补贴,{l},,,,,2024-05-01,,"),
    );
    s.bad(
        "补贴类型",
        "必填",
        format!("SL2024101,,{z},,,,,2024-05-01,,"),
    );
    s.bad(
        "补贴类型",
        "不是可用的补贴类型",
        format!("SL2024102,误工补贴,{z},,,,,2024-05-01,,"),
    );
    s.bad(
        "身份证号码",
        "必填",
        "SL2024103,职业培训补贴,,,,,,2024-05-01,,",
    );
    s.bad(
        "身份证号码",
        "校验位",
        format!("SL2024104,职业培训补贴,{},,,,,2024-05-01,,", bad_check(z)),
    );
    s.bad(
        "身份证号码",
        "尚未登记",
        format!("SL2024105,职业培训补贴,{},,,,,2024-05-01,,", f.stranger),
    );
    s.bad(
        "证书编号",
        "没有此编号的证书",
        format!("SL2024106,职业培训补贴,{z},S999999,,,,2024-05-01,,"),
    );
    s.bad(
        "证书编号",
        "没有此编号的证书",
        format!("SL2024107,职业培训补贴,{w},S000002,,,,2024-05-01,,"),
    ); // 李四's
    s.bad(
        "班级编号",
        "该机构没有编号为「2024-999」的培训班",
        format!("SL2024108,职业培训补贴,{z},,2024-999,{school},,2024-05-01,,"),
    );
    s.bad(
        "班级编号",
        "须同时填写班级编号",
        format!("SL2024109,职业培训补贴,{z},,,{school},,2024-05-01,,"),
    );
    s.bad(
        "班级编号",
        "没有班级编号为「2024-001」的参训记录",
        format!("SL2024110,职业培训补贴,{w},,2024-001,,,2024-05-01,,"),
    );
    s.bad(
        "班级编号",
        "多个编号为「2024-001」的班级",
        format!("SL2024111,职业培训补贴,{z},,2024-001,,,2024-05-01,,"),
    );
    s.bad(
        "统一社会信用代码",
        "尚未登记",
        format!(
            "SL2024112,职业培训补贴,{z},,2024-001,{},,2024-05-01,,",
            f.unregistered
        ),
    );
    s.bad(
        "统一社会信用代码",
        "校验位",
        format!(
            "SL2024113,职业培训补贴,{z},,2024-001,{},,2024-05-01,,",
            bad_check(school)
        ),
    );
    s.bad(
        "申领单位",
        "校验位",
        format!(
            "SL2024114,职业培训补贴,{z},S000001,,,{},2024-05-01,,",
            bad_check(school)
        ),
    );
    s.bad(
        "申请日期",
        "必填",
        format!("SL2024115,职业培训补贴,{z},S000001,,,,,,"),
    );
    s.bad(
        "申请日期",
        "晚于今天",
        format!("SL2024116,职业培训补贴,{z},S000001,,,,{future},,"),
    );
    s.bad(
        "申请日期",
        "无法识别的日期格式",
        format!("SL2024117,职业培训补贴,{z},S000001,,,,2024-05/01,,"),
    );
    s.bad(
        "月数",
        "超出范围",
        format!("SL2024118,以工代训补贴,{l},,2024-001,,,2024-07-01,0,"),
    );
    s.bad(
        "月数",
        "应为整数",
        format!("SL2024119,以工代训补贴,{l},,2024-001,,,2024-07-01,半年,"),
    );
    s.bad(
        "申请金额",
        "小数超过两位",
        format!("SL2024120,职业培训补贴,{z},S000001,,,,2024-05-01,,12.345"),
    );
    s.bad(
        "申请金额",
        "不能为负数",
        format!("SL2024121,职业培训补贴,{z},S000001,,,,2024-05-01,,-5"),
    );
    s.bad(
        "申请金额",
        "无法识别的金额",
        format!("SL2024122,职业培训补贴,{z},S000001,,,,2024-05-01,,一千元"),
    );
    for db in common::initialised("tpl_claims") {
        base(&db, &f, "certificates");
        let (r, code) = s.import(&db, "claims");
        s.check(&db, &r, code);
        assert_eq!(counts(&r), (4, 0, 0));
        assert_eq!(count(&db, Table::Claims), 4);
        let claims = |id: &str| -> Vec<(String, String, String, Option<i64>, String)> {
            db.archive(id)["claims"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    (
                        c["claim_no"].as_str().unwrap().to_string(),
                        c["subsidy_type"].as_str().unwrap().to_string(),
                        c["applied_on"].as_str().unwrap().to_string(),
                        c["amount_asked_fen"].as_i64(),
                        c["status"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        };
        let c = |no: &str, kind: &str, on: &str, fen: Option<i64>| {
            (
                no.to_string(),
                kind.to_string(),
                on.to_string(),
                fen,
                "submitted".to_string(),
            )
        };
        assert_eq!(
            claims(z),
            [
                c("SL2024001", "职业培训补贴", "2024-05-01", Some(120_000)),
                c("SL2024004", "生活费补贴", "2024-07-01", None)
            ],
            "[{}]",
            db.backend
        );
        assert_eq!(
            claims(w),
            [c("SL2024002", "职业培训补贴", "2024-06-15", Some(80_050))]
        );
        assert_eq!(
            claims(l),
            [c("SL2024003", "以工代训补贴", "2024-07-01", None)]
        );

        let (r, code) = s.import(&db, "claims");
        assert_eq!((code, counts(&r)), (1, (0, 0, 4)), "[{}] {r:#}", db.backend);

        // A corrected amount is an update.
        let r = load(
            &db,
            "claims",
            CLAIMS,
            &[format!(
                "SL2024001,职业培训补贴,{z},S000001,,,,2024-05-01,,1000"
            )],
        );
        assert_eq!(counts(&r), (0, 1, 0));
        assert_eq!(claims(z)[0].3, Some(100_000));
    }
}

// ----------------------------------------------------------- spellings ----

/// 职业编码 bare or hyphenated, 等级 as grade, title or both, and the four
/// textual date formats all land as the same values.
#[test]
fn occupation_codes_levels_and_dates_are_normalised() {
    let f = fx();
    let sc = &f.school;
    let classes = [
        format!("D1,{sc},就业技能培训,6310103,电工,五级,371502,2019-10-21,2019/10/31,40"),
        format!("D2,{sc},就业技能培训,6-31-01-03,,初级工,371502,2019/10/21,20191031,40"),
        format!(
            "D3,{sc},就业技能培训,4100106,家政服务员,五级/初级工,371502,20191021,2019年10月31日,40"
        ),
        format!("D4,{sc},专项职业能力培训,4-03-02-01,,,371502,2019年10月21日,2019-10-31,40"),
    ];
    for db in common::initialised("tpl_spellings") {
        base(&db, &f, "institutions");
        load(&db, "persons", PERSONS, &base_rows("persons", &f).1);
        load(&db, "classes", CLASSES, &classes);
        let roster: Vec<String> = ["D1", "D2", "D3", "D4"]
            .iter()
            .map(|c| format!("{c},{sc},张三,{},40,0,合格", f.zhang))
            .collect();
        load(&db, "roster", ROSTER, &roster);
        load(
            &db,
            "certificates",
            CERTIFICATES,
            &[
                format!(
                    "C1,职业技能等级证书,张三,{},6310103,初级工,2019年11月5日,{sc},D1",
                    f.zhang
                ),
                format!(
                    "C2,职业技能等级证书,张三,{},4-10-01-06,五级,20191106,{sc},D3",
                    f.zhang
                ),
                format!(
                    "C3,职业资格证书,张三,{},6-31-01-03,五级/初级工,2019/11/07,{sc},",
                    f.zhang
                ),
            ],
        );
        let a = db.archive(&f.zhang);
        let enrolments: Vec<(&str, &str, Option<i64>, &str, &str)> = a["enrolments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["class_no"].as_str().unwrap(),
                    e["occupation_code"].as_str().unwrap(),
                    e["skill_level"].as_i64(),
                    e["start_date"].as_str().unwrap(),
                    e["end_date"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            enrolments,
            [
                ("D1", "6-31-01-03", Some(5), "2019-10-21", "2019-10-31"),
                ("D2", "6-31-01-03", Some(5), "2019-10-21", "2019-10-31"),
                ("D3", "4-10-01-06", Some(5), "2019-10-21", "2019-10-31"),
                ("D4", "4-03-02-01", None, "2019-10-21", "2019-10-31"),
            ],
            "[{}]",
            db.backend
        );
        let certs: Vec<(&str, &str, Option<i64>, &str)> = a["certificates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["cert_no"].as_str().unwrap(),
                    c["occupation_code"].as_str().unwrap(),
                    c["skill_level"].as_i64(),
                    c["issue_date"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            certs,
            [
                ("C1", "6-31-01-03", Some(5), "2019-11-05"),
                ("C2", "4-10-01-06", Some(5), "2019-11-06"),
                ("C3", "6-31-01-03", Some(5), "2019-11-07"),
            ],
            "[{}]",
            db.backend
        );
    }
}

// ------------------------------------------------------------- columns ----

/// Every template with its columns in reverse order, headers marked `*`
/// and padded, an unknown column in the middle, and every value full-width
/// and padded: accepted, with one warning per file naming the ignored column.
#[test]
fn columns_in_any_order_unknown_ignored_with_warning_values_normalised() {
    let f = fx();
    let shuffle = |header: &str, rows: &[String]| -> String {
        let arrange = |cells: Vec<String>, extra: &str| {
            let mut cells: Vec<String> = cells.into_iter().rev().collect();
            cells.insert(2, extra.to_string());
            cells.join(",")
        };
        let mut out = vec![arrange(
            header.split(',').map(|h| format!(" {h}* ")).collect(),
            "备注",
        )];
        for row in rows {
            let cells = row
                .split(',')
                .map(|c| {
                    if c.is_empty() {
                        String::new()
                    } else {
                        format!(" {}\u{3000}", fullwidth(c))
                    }
                })
                .collect();
            out.push(arrange(cells, "随便写"));
        }
        out.join("\n") + "\n"
    };
    for db in common::initialised("tpl_columns") {
        for kind in STAGES {
            let (header, rows) = base_rows(kind, &f);
            let file = db.csv(&format!("{kind}_shuffled.csv"), &shuffle(header, &rows));
            let (r, code) = db.import(kind, &file, &[]);
            assert_eq!(
                (code, r["accepted"].as_u64()),
                (0, Some(rows.len() as u64)),
                "[{}] {kind}: {r:#}",
                db.backend
            );
            assert_eq!(
                r["warnings"],
                json!(["忽略未知列「备注」"]),
                "[{}] {kind}",
                db.backend
            );
        }
        let a = db.archive(&f.zhang);
        assert_eq!(
            a["enrolments"].as_array().unwrap().len(),
            2,
            "[{}] {a:#}",
            db.backend
        );
        assert_eq!(a["enrolments"][0]["offline_hours"], 60);
        assert_eq!(a["certificates"][0]["cert_no"], "S000001");
        assert_eq!(a["claims"][0]["amount_asked_fen"], 120_000);
        // The same rows written plainly are already there.
        for kind in STAGES {
            let (header, rows) = base_rows(kind, &f);
            let file = db.csv(&format!("{kind}_plain.csv"), &csv_text(header, &rows));
            let (r, code) = db.import(kind, &file, &[]);
            assert_eq!(
                (code, counts(&r)),
                (0, (0, 0, rows.len() as u64)),
                "[{}] {kind}: {r:#}",
                db.backend
            );
            assert!(r["warnings"].as_array().unwrap().is_empty());
        }
    }
}

/// Each template's required columns (TEMPLATES.md `*`).
const REQUIRED: [(&str, &str, &[&str]); 7] = [
    (
        "categories",
        CATEGORIES,
        &["身份证号码", "人员类别", "起始日期"],
    ),
    (
        "relations",
        RELATIONS,
        &["身份证号码", "亲属身份证号码", "关系"],
    ),
    (
        "institutions",
        INSTITUTIONS,
        &["机构名称", "统一社会信用代码", "机构类型", "所在地"],
    ),
    (
        "classes",
        CLASSES,
        &[
            "班级编号",
            "统一社会信用代码",
            "培训类型",
            "职业编码",
            "培训地",
            "开班日期",
            "结业日期",
            "计划课时",
        ],
    ),
    (
        "roster",
        ROSTER,
        &["班级编号", "统一社会信用代码", "姓名", "身份证号码"],
    ),
    (
        "certificates",
        CERTIFICATES,
        &[
            "证书编号",
            "证书类型",
            "姓名",
            "身份证号码",
            "职业编码",
            "发证日期",
            "发证机构",
        ],
    ),
    (
        "claims",
        CLAIMS,
        &["申领编号", "补贴类型", "身份证号码", "申请日期"],
    ),
];

#[test]
fn a_missing_required_column_refuses_the_file() {
    let f = fx();
    for db in common::initialised("tpl_required") {
        base(&db, &f, "certificates");
        for (kind, header, required) in REQUIRED {
            let stage_rows = if kind == "categories" || kind == "relations" {
                None
            } else {
                Some(base_rows(kind, &f).1)
            };
            let all: Vec<&str> = header.split(',').collect();
            for column in all.iter().copied() {
                let keep: Vec<usize> = (0..all.len()).filter(|&i| all[i] != column).collect();
                let head: Vec<&str> = keep.iter().map(|&i| all[i]).collect();
                let rows: Vec<String> = stage_rows
                    .iter()
                    .flatten()
                    .map(|r| {
                        let cells: Vec<&str> = r.split(',').collect();
                        keep.iter().map(|&i| cells[i]).collect::<Vec<_>>().join(",")
                    })
                    .collect();
                let file = db.csv(
                    &format!("{kind}_without.csv"),
                    &csv_text(&head.join(","), &rows),
                );
                let (r, code) = db.import(kind, &file, &[]);
                if required.contains(&column) {
                    eprintln!("[{}] {kind} without {column}: {r}", db.backend);
                    assert_eq!(
                        (code, r["accepted"].as_u64()),
                        (1, Some(0)),
                        "[{}] {kind} without {column}",
                        db.backend
                    );
                    assert_error(&r, 1, "", &format!("缺少必填列「{column}」"));
                } else if stage_rows.is_some() {
                    // An optional column may be left out (the rows then change, but are accepted or
                    // rejected row by row, never for the header).
                    assert!(
                        errors(&r).iter().all(|(n, ..)| *n > 1),
                        "[{}] {kind} without {column}: {r:#}",
                        db.backend
                    );
                }
            }
        }
    }
}

// ---------------------------------------------------------------- files ----

/// CSV in GB18030 (what Chinese Excel writes) and with a UTF-8 BOM, and
/// `.xlsx` read from the sheet named after the template, with Excel dates
/// and numbers.
#[test]
fn gb18030_bom_and_xlsx_files_are_read() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let f = fx();
    for db in common::initialised("tpl_files") {
        base(&db, &f, "institutions");

        // 人员类别 in GB18030.
        let text = csv_text(
            CATEGORIES,
            &[format!("{},高校毕业生,2024年7月1日,,毕业证", f.zhang)],
        );
        let (bytes, _, lossy) = encoding_rs::GB18030.encode(&text);
        assert!(!lossy);
        let gb = db.path("categories_gb.csv");
        std::fs::write(&gb, &bytes).unwrap();
        let (r, code) = db.import("categories", &gb, &[]);
        assert_eq!(
            (code, r["accepted"].as_u64(), r["encoding"].as_str()),
            (0, Some(1), Some("GB18030")),
            "[{}] {r:#}",
            db.backend
        );
        assert_eq!(
            db.archive(&f.zhang)["categories"][0]["category"],
            "高校毕业生"
        );

        // 家庭关系 with a BOM.
        let bom = db.path("relations_bom.csv");
        std::fs::write(
            &bom,
            format!(
                "\u{FEFF}{}",
                csv_text(RELATIONS, &[format!("{},{},配偶", f.zhang, f.li)])
            ),
        )
        .unwrap();
        let (r, code) = db.import("relations", &bom, &[]);
        assert_eq!(
            (code, r["accepted"].as_u64(), r["encoding"].as_str()),
            (0, Some(1), Some("UTF-8 (BOM)")),
            "[{}] {r:#}",
            db.backend
        );

        // 培训班 and 花名册 as workbooks whose first sheet is notes.
        let date = Format::new().set_num_format("yyyy-mm-dd");
        let mut book = Workbook::new();
        book.add_worksheet()
            .set_name("填写说明")
            .unwrap()
            .write_string(0, 0, "请勿修改表头")
            .unwrap();
        let sheet = book.add_worksheet().set_name("培训班").unwrap();
        for (c, h) in CLASSES.split(',').enumerate() {
            sheet.write_string(0, c as u16, h).unwrap();
        }
        for (c, v) in [
            "X1",
            f.school.as_str(),
            "就业技能培训",
            "6-31-01-03",
            "电工",
            "五级/初级工",
            "371502",
        ]
        .iter()
        .enumerate()
        {
            sheet.write_string(1, c as u16, *v).unwrap();
        }
        sheet
            .write_datetime_with_format(1, 7, ExcelDateTime::from_ymd(2024, 9, 2).unwrap(), &date)
            .unwrap();
        sheet
            .write_datetime_with_format(1, 8, ExcelDateTime::from_ymd(2024, 9, 27).unwrap(), &date)
            .unwrap();
        sheet.write_number(1, 9, 72).unwrap();
        let xlsx = db.path("classes.xlsx");
        book.save(&xlsx).unwrap();
        let (r, code) = db.import("classes", &xlsx, &[]);
        assert_eq!(
            (code, r["accepted"].as_u64()),
            (0, Some(1)),
            "[{}] {r:#}",
            db.backend
        );

        let mut book = Workbook::new();
        let sheet = book.add_worksheet().set_name("花名册").unwrap();
        for (c, h) in ROSTER.split(',').enumerate() {
            sheet.write_string(0, c as u16, h).unwrap();
        }
        for (c, v) in ["X1", f.school.as_str(), "张三", f.zhang.as_str()]
            .iter()
            .enumerate()
        {
            sheet.write_string(1, c as u16, *v).unwrap();
        }
        sheet.write_number(1, 4, 64).unwrap();
        sheet.write_number(1, 5, 8).unwrap();
        sheet.write_string(1, 6, "合格").unwrap();
        // A second trainee over the plan: rejected on spreadsheet row 3.
        for (c, v) in ["X1", f.school.as_str(), "李四", f.li.as_str()]
            .iter()
            .enumerate()
        {
            sheet.write_string(2, c as u16, *v).unwrap();
        }
        sheet.write_number(2, 4, 73).unwrap();
        let xlsx = db.path("roster.xlsx");
        book.save(&xlsx).unwrap();
        let (r, code) = db.import("roster", &xlsx, &[]);
        assert_eq!(
            (code, r["accepted"].as_u64()),
            (1, Some(1)),
            "[{}] {r:#}",
            db.backend
        );
        assert_error(&r, 3, "线下课时", "超过该班计划课时 72");

        let e = &db.archive(&f.zhang)["enrolments"][0];
        assert_eq!(
            (
                &e["class_no"],
                &e["start_date"],
                &e["end_date"],
                &e["offline_hours"],
                &e["online_hours"],
                &e["completion"]
            ),
            (
                &json!("X1"),
                &json!("2024-09-02"),
                &json!("2024-09-27"),
                &json!(64),
                &json!(8),
                &json!("passed")
            ),
            "[{}] {e:#}",
            db.backend
        );
    }
}
