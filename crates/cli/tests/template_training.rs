//! 培训机构, 培训班 and 花名册 imports: every rule rejects its own row with the
//! spreadsheet row number, the column and a Chinese reason, on both backends.

use crate::common;
use common::fixtures::*;
use common::{assert_error, credit};
use jineng_store::RegistryTable;

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
    // 某培训学校 of credit code `tail`, with one cell changed.
    let school = |tail: &str, column: &str, value: &str| {
        let base = format!(
            "某培训学校,{},民办培训机构,371502,否,,",
            credit("371502", tail)
        );
        with_cell(INSTITUTIONS, &base, column, value)
    };
    for (tail, column, value, needle) in [
        ("13", "统一社会信用代码", "", "必填"),
        (
            "13",
            "统一社会信用代码",
            bad_check(&credit("371502", "13")).as_str(),
            "校验位",
        ),
        (
            "14",
            "统一社会信用代码",
            &credit("371502", "14")[..17],
            "应为18位",
        ),
        ("15", "机构类型", "", "必填"),
        ("16", "机构类型", "培训公司", "不是可用的机构类型"),
        ("17", "所在地", "", "必填"),
        ("18", "所在地", "999999", "999999 不存在"),
        ("19", "是否目录内", "也许", "无法识别的是否值"),
    ] {
        let line = school(tail, column, value);
        s.bad(column, needle, line);
    }
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
            count(&db, RegistryTable::Institutions),
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
        assert_eq!(count(&db, RegistryTable::Institutions), 3);
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
    let class = |no: &str| {
        format!(
            "{no},{},就业技能培训,6-31-01-03,,五级,371502,2024-03-01,2024-03-20,80",
            f.school
        )
    };
    let bad_school = bad_check(&f.school);
    for (no, column, value, needle) in [
        ("", "班级编号", "", "必填"),
        ("2024-101", "统一社会信用代码", "", "必填"),
        (
            "2024-102",
            "统一社会信用代码",
            bad_school.as_str(),
            "校验位",
        ),
        (
            "2024-103",
            "统一社会信用代码",
            f.unregistered.as_str(),
            "尚未登记",
        ),
        ("2024-104", "培训类型", "", "必填"),
        ("2024-105", "培训类型", "技能培训", "不是可用的培训类型"),
        ("2024-106", "职业编码", "", "必填"),
        ("2024-107", "职业编码", "63101", "格式错误"),
        (
            "2024-108",
            "职业编码",
            "6-31-01-99",
            "不在2022年版职业分类大典中",
        ),
        ("2024-109", "职业名称", "家政服务员", "不符"),
        ("2024-110", "等级", "六级", "无法识别的技能等级"),
        ("2024-111", "等级", "五级/中级工", "前后不一致"),
        ("2024-112", "培训地", "", "必填"),
        ("2024-113", "培训地", "999999", "999999 不存在"),
        ("2024-114", "开班日期", "", "必填"),
        ("2024-115", "开班日期", "2024-02-30", "不存在"),
        ("2024-116", "结业日期", "", "必填"),
        ("2024-118", "计划课时", "", "必填"),
        ("2024-119", "计划课时", "0", "超出范围"),
        ("2024-122", "计划课时", "200000", "不大于 100000"),
        ("2024-120", "计划课时", "八十", "应为整数"),
    ] {
        let line = with_cell(CLASSES, &class(no), column, value);
        s.bad(column, needle, line);
    }
    s.bad(
        "等级",
        "专项职业能力培训不分等级",
        format!(
            "2024-121,{},专项职业能力培训,4-03-02-01,,五级,371502,2024-07-01,2024-07-05,24",
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
        assert_eq!(count(&db, RegistryTable::Classes), 5);

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
        assert_eq!(count(&db, RegistryTable::Classes), 5);

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
    let zhao = format!("2024-001,{},赵六,{},10,0,", f.school, f.zhao);
    s.bad_cells(
        &zhao,
        &[
            ("班级编号", "", "必填"),
            ("班级编号", "2024-999", "没有编号为「2024-999」的培训班"),
            ("统一社会信用代码", "", "必填"),
            ("统一社会信用代码", bad_check(&f.school).as_str(), "校验位"),
            ("统一社会信用代码", f.unregistered.as_str(), "尚未登记"),
            ("姓名", "", "必填"),
            ("姓名", "李四", "冒名"),
            ("身份证号码", "", "必填"),
            ("身份证号码", bad_check(&f.zhao).as_str(), "校验位"),
            ("线下课时", "81", "超过该班计划课时 80"),
            ("线下课时", "-1", "超出范围"),
            ("线下课时", "十", "应为整数"),
            ("结业结果", "优秀", "无法识别的结业结果"),
        ],
    );
    s.bad(
        "身份证号码",
        "尚未登记",
        format!("2024-001,{},钱七,{},10,0,", f.school, f.stranger),
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
    for db in common::initialised("tpl_roster") {
        base(&db, &f, "classes");
        let (r, code) = s.import(&db, "roster");
        s.check(&db, &r, code);
        assert_eq!(counts(&r), (5, 0, 0));
        assert_eq!(
            count(&db, RegistryTable::Enrolments),
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
        assert_eq!(count(&db, RegistryTable::Enrolments), 5);

        // Once the school's class 2024-001 is closed (已结业) its roster is
        // final: the same rows again are unchanged; new hours, a new
        // trainee are refused, row by row; the open class still updates.
        close_class(&db, "2024-001", &f.school);
        let r = load(&db, "roster", ROSTER, &again);
        assert_eq!(counts(&r), (0, 0, 4), "[{}] {r:#}", db.backend);
        let lines = [
            format!("2024-001,{},张三,{},70,10,合格", f.school, f.zhang),
            format!("2024-001,{},赵六,{},10,0,", f.school, f.zhao),
            format!("2024-002,{},李四,{},5,0,", f.school, f.li),
        ];
        let file = db.csv("roster_closed.csv", &csv_text(ROSTER, &lines));
        let (r, code) = db.import("roster", &file, &[]);
        assert_eq!((code, counts(&r)), (1, (0, 1, 0)), "[{}] {r:#}", db.backend);
        assert_error(&r, 2, "班级编号", "已结业，课时和结业结果不能再修改");
        assert_error(&r, 3, "班级编号", "已结业，不能再增加学员");
        assert_eq!(
            hours(&f.zhang)[0],
            h("2024-001 聊城市技工学校", 60, 20, "passed")
        );
        assert!(hours(&f.zhao).is_empty(), "[{}]", db.backend);
        assert_eq!(
            hours(&f.li)[1],
            h("2024-002 聊城市技工学校", 5, 0, "not_finished")
        );
    }
}

/// Marks a class closed (结业), as the officer's review does.
fn close_class(db: &common::TestDb, class_no: &str, institution: &str) {
    sql_rows(
        db,
        &format!(
            "UPDATE classes SET status = 'closed' WHERE class_no = '{class_no}' AND institution_id = \
             (SELECT institution_id FROM institutions WHERE credit_code = '{institution}')"
        ),
    );
}
