//! 证书 and 补贴申领 imports: every rule rejects its own row; numbers may not
//! move to another person; on both backends.

use crate::common;
use common::assert_error;
use common::fixtures::*;
use jineng_store::RegistryTable;
use serde_json::json;

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
        assert_eq!(count(&db, RegistryTable::Certificates), 4);
        assert_eq!(
            db.archive(&f.zhang)["certificates"],
            json!([{
                "cert_type": "skill_level", "cert_no": "S000001", "occupation_code": "6-31-01-03",
                "occupation_name": "电工", "skill_level": 5, "issue_date": "2024-04-10", "issuer_code": f.school,
                "revoked_on": null, "revoked_reason": null,
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
                    "revoked_on": null, "revoked_reason": null,
                },
                {
                    "cert_type": "qualification", "cert_no": "S000001", "occupation_code": "6-31-01-03",
                    "occupation_name": "电工", "skill_level": 4, "issue_date": "2024-06-02", "issuer_code": f.school,
                    "revoked_on": null, "revoked_reason": null,
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
        assert_eq!(count(&db, RegistryTable::Claims), 4);
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
