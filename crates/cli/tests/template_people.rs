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
    s.bad_cells(
        &format!("{},登记失业人员,2024-01-01,,", f.li),
        &[
            ("身份证号码", bad_check(&f.li).as_str(), "校验位"),
            ("身份证号码", f.stranger.as_str(), "尚未登记"),
            ("人员类别", "失业人员", "不是可用的人员类别"),
            ("人员类别", "", "必填"),
        ],
    );
    s.bad_cells(
        &format!("{},退役军人,2024-01-01,,", f.li),
        &[
            ("起始日期", "", "必填"),
            ("起始日期", "去年三月", "无法识别的日期格式"),
            ("起始日期", "2023-02-29", "不存在"),
            ("截止日期", "2023-12-31", "早于起始日期"),
            ("证明材料", "证".repeat(101).as_str(), "不能超过100个字符"),
        ],
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
    s.bad_cells(
        &format!("{},{},配偶", f.li, f.zhang),
        &[
            ("身份证号码", bad_check(&f.li).as_str(), "校验位"),
            ("身份证号码", f.stranger.as_str(), "尚未登记"),
            ("亲属身份证号码", "", "必填"),
            ("亲属身份证号码", bad_check(&f.zhang).as_str(), "校验位"),
            ("亲属身份证号码", f.stranger.as_str(), "尚未登记"),
            ("亲属身份证号码", f.li.as_str(), "不能与本人相同"),
        ],
    );
    s.bad_cells(
        &format!("{},{},配偶", f.li, f.wang),
        &[("关系", "", "必填"), ("关系", "兄弟", "无法识别的亲属关系")],
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
