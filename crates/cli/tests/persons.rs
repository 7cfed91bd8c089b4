//! 人员信息 imports: every rule of the persons template, updates, 冒名,
//! idempotence and dry runs, on both backends.

use crate::common;
use common::{assert_error, id};

const HEADER: &str =
    "姓名,身份证号码,性别,出生日期,民族,文化程度,联系电话,户籍地,常住地,求职就业地,是否领取养老金";

#[test]
fn every_persons_rule_rejects_its_row_with_row_column_and_reason() {
    let good = id("371502", 1990, 5, 17, 123);
    let good_x = {
        // find an ID whose check character is X, written in lower case
        (0..1000)
            .map(|s| id("371522", 1985, 3, 9, s))
            .find(|i| i.ends_with('X'))
            .unwrap()
    };
    let mut bad_check = id("371502", 1991, 1, 1, 11);
    let last = bad_check.pop().unwrap();
    bad_check.push(if last == '1' { '2' } else { '1' });
    let future = format!(
        "371502{}0011",
        (chrono::Local::now().date_naive() + chrono::Duration::days(400)).format("%Y%m%d")
    );
    let bad_province = format!("991502{}", &id("371502", 1990, 1, 1, 5)[6..]);
    let male = id("371502", 1980, 2, 2, 1); // seq 001: odd → 男
    let rows = [
        format!("张三,{good},男,1990-05-17,汉族,高中,13812345678,371502,371502,371502,否"), // 2 ok
        format!(
            "李四,{},,1985/03/09,,,0635-8123456,371522,,,是",
            good_x.to_lowercase()
        ), // 3 ok, x → X
        format!(",{},,,,,,371502,,,", id("371502", 1970, 1, 1, 2)), // 4 name missing
        "王五,3715021990,,,,,,371502,,,".to_string(),               // 5 ID too short
        format!("赵六,{bad_check},,,,,,371502,,,"),                 // 6 check char
        format!("钱七,{future},,,,,,371502,,,"),                    // 7 birth in the future
        format!("孙八,{bad_province},,,,,,371502,,,"),              // 8 province
        format!("周九,{male},女,,,,,371502,,,"),                    // 9 sex disagrees
        format!(
            "吴十,{},,1980-02-03,,,,371502,,,",
            id("371502", 1980, 2, 2, 3)
        ), // 10 birth disagrees
        format!("郑一,{},,,,,12345,371502,,,", id("371502", 1980, 2, 2, 5)), // 11 phone
        format!("冯二,{},,,,,,999999,,,", id("371502", 1980, 2, 2, 7)), // 12 unknown hukou
        format!("陈三,{},,,,,,371502,123,,", id("371502", 1980, 2, 2, 9)), // 13 bad residence
        format!("褚四,{},,,,,,371502,,,也许", id("371502", 1980, 2, 2, 11)), // 14 yes/no
        format!("Tom3,{},,,,,,371502,,,", id("371502", 1980, 2, 2, 13)), // 15 name chars
        format!(
            "{},{},,,,,,371502,,,",
            "长".repeat(51),
            id("371502", 1980, 2, 2, 15)
        ), // 16 name too long
        format!(
            "阿依古丽·买买提,{},,,,,,371502,,,",
            id("371502", 1980, 2, 2, 17)
        ), // 17 ok, middle dot
    ];
    for db in common::initialised("persons_rules") {
        let file = db.csv("persons.csv", &format!("{HEADER}\n{}\n", rows.join("\n")));
        let (r, code) = db.import("persons", &file, &[]);
        assert_eq!(
            code, 1,
            "[{}] exit status 1 when rows are rejected",
            db.backend
        );
        assert_eq!(r["accepted"], 3, "[{}] {r:#}", db.backend);
        assert_eq!(r["rejected"], 13, "[{}] {r:#}", db.backend);
        for (row, column, why) in [
            (4, "姓名", "必填"),
            (5, "身份证号码", "18位"),
            (6, "身份证号码", "校验位"),
            (7, "身份证号码", "晚于"),
            (8, "身份证号码", "99"),
            (9, "性别", "不符"),
            (10, "出生日期", "不符"),
            (11, "联系电话", ""),
            (12, "户籍地", "999999"),
            (13, "常住地", ""),
            (14, "是否领取养老金", ""),
            (15, "姓名", ""),
            (16, "姓名", "50"),
        ] {
            assert_error(&r, row, column, why);
        }
        let a = db.archive(&good_x);
        assert_eq!(a["name"], "李四");
        assert!(
            a["id_number"].as_str().unwrap().ends_with('X'),
            "lower-case x is stored as X"
        );
        assert_eq!(
            a["id_number"].as_str().unwrap().matches('*').count(),
            10,
            "masked by default"
        );
    }
}

#[test]
fn known_id_updates_but_another_name_is_impersonation_and_reimport_changes_nothing() {
    let a = id("371502", 1990, 5, 17, 123);
    let b = id("371581", 1975, 12, 1, 44);
    for db in common::initialised("persons_update") {
        let first = db.csv(
            "p1.csv",
            &format!("{HEADER}\n张三,{a},,,,,13812345678,371502,,,\n李四,{b},,,,,,371581,,,\n"),
        );
        let (r, code) = db.import("persons", &first, &[]);
        assert_eq!(
            (r["accepted"].as_u64(), code),
            (Some(2), 0),
            "[{}] {r}",
            db.backend
        );

        // Same file again: nothing changes.
        let (r, _) = db.import("persons", &first, &[]);
        assert_eq!(
            (
                r["inserted"].as_u64(),
                r["updated"].as_u64(),
                r["unchanged"].as_u64()
            ),
            (Some(0), Some(0), Some(2))
        );

        // A new phone updates; another name for a known ID is refused (冒名).
        let second = db.csv(
            "p2.csv",
            &format!("{HEADER}\n张三,{a},,,,,13900000000,371502,,,\n王五,{b},,,,,,371581,,,\n"),
        );
        let (r, code) = db.import("persons", &second, &[]);
        assert_eq!(code, 1);
        assert_eq!(r["updated"], 1, "[{}] {r}", db.backend);
        assert_error(&r, 3, "姓名", "冒名");
        assert_eq!(db.archive(&b)["name"], "李四", "the registered name stays");
        assert_eq!(db.archive(&a)["phone"], "13900000000");
    }
}

#[test]
fn dry_run_checks_everything_and_writes_nothing() {
    let a = id("371502", 1990, 5, 17, 123);
    for db in common::initialised("persons_dry") {
        let f = db.csv("p.csv", &format!("{HEADER}\n张三,{a},,,,,,371502,,,\n"));
        let (r, code) = db.import("persons", &f, &["--dry-run"]);
        assert_eq!((r["accepted"].as_u64(), code), (Some(1), 0));
        let out = db.run(&["person", "show", &a]);
        assert!(
            !out.status.success(),
            "[{}] a dry run wrote the person",
            db.backend
        );
        assert!(String::from_utf8_lossy(&out.stderr).contains("未找到"));
    }
}

#[test]
fn revealing_an_id_is_audited_and_masked_views_are_not() {
    let a = id("371502", 1990, 5, 17, 123);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for db in common::initialised("persons_reveal") {
        let f = db.csv("p.csv", &format!("{HEADER}\n张三,{a},,,,,,371502,,,\n"));
        db.import("persons", &f, &[]);
        let store = rt.block_on(db.store());
        let audit = || {
            rt.block_on(store.count(jineng_store::RegistryTable::Audit))
                .unwrap()
        };
        let before = audit();
        let masked = db.ok(&["person", "show", &a]);
        assert!(
            !masked.contains(&a) && masked.contains("3715**********"),
            "[{}] {masked}",
            db.backend
        );
        let found = db.ok(&["person", "find", "张三"]);
        assert!(
            !found.contains(&a) && found.contains("3715**********"),
            "[{}] {found}",
            db.backend
        );
        assert_eq!(
            audit(),
            before,
            "[{}] masked views are not audited",
            db.backend
        );
        let revealed = db.ok(&["person", "show", &a, "--reveal"]);
        assert!(revealed.contains(&a));
        assert_eq!(audit(), before + 1, "[{}] a reveal is audited", db.backend);
        rt.block_on(store.close());
    }
}
