//! 人员类别 and 家庭关系 imports: every rule rejects its own row with the
//! spreadsheet row number, the column and a Chinese reason, on both backends.

use crate::common;
use common::fixtures::*;
use jineng_store::RegistryTable;
use serde_json::json;

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
        assert_eq!(count(&db, RegistryTable::Categories), 3);
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
            count(&db, RegistryTable::Relations),
            8,
            "[{}] each relation is kept in both directions",
            db.backend
        );

        let (r, code) = s.import(&db, "relations");
        assert_eq!((code, counts(&r)), (1, (0, 0, 4)), "[{}] {r:#}", db.backend);
        assert_eq!(count(&db, RegistryTable::Relations), 8);
    }
}
