//! 行政区划: a deployment defines its functional zones and flags deep-poverty
//! counties; national names cannot be changed.

use crate::common;
use common::assert_error;

#[test]
fn deployment_zones_and_flags() {
    let rows = [
        "371571,聊城经济技术开发区,371500,",       // 2 new zone
        "371572,聊城高新技术产业开发区,371500,否", // 3 new zone
        "620525,张家川回族自治县,,是",             // 4 national county flagged 深度贫困县
        "371502,东昌区,,",                         // 5 renaming a national region
        "371579,无上级,,",                         // 6 new code without parent
        "371578,挂在县下,371502,",                 // 7 parent is a county
        "371577,跨省,130100,",                     // 8 parent in another province
        "3715AB,坏代码,371500,",                   // 9 bad code
    ];
    for db in common::initialised("regions") {
        let file = db.csv(
            "r.csv",
            &format!(
                "区划代码,名称,上级区划代码,是否深度贫困县\n{}\n",
                rows.join("\n")
            ),
        );
        let (r, code) = db.import("regions", &file, &[]);
        assert_eq!(code, 1);
        assert_eq!(
            (
                r["inserted"].as_u64(),
                r["updated"].as_u64(),
                r["rejected"].as_u64()
            ),
            (Some(2), Some(1), Some(5)),
            "[{}] {r:#}",
            db.backend
        );
        assert_error(&r, 5, "名称", "东昌府区");
        assert_error(&r, 6, "上级区划代码", "须填写");
        assert_error(&r, 7, "上级区划代码", "地级市");
        assert_error(&r, 8, "上级区划代码", "同省");
        assert_error(&r, 9, "区划代码", "");
        let (again, code) = db.import(
            "regions",
            &db.csv(
                "r2.csv",
                &format!(
                    "区划代码,名称,上级区划代码,是否深度贫困县\n{}\n",
                    rows[..3].join("\n")
                ),
            ),
            &[],
        );
        assert_eq!(
            (again["unchanged"].as_u64(), code),
            (Some(3), 0),
            "[{}] {again}",
            db.backend
        );
        let init = db.ok(&["init"]);
        assert!(
            init.contains("县级 2978 个"),
            "deployment zones are not national: {init}"
        );
        // A person registered in the new zone.
        let id = common::id("371502", 1990, 1, 1, 1);
        let p = db.csv(
            "p.csv",
            &format!("姓名,身份证号码,户籍地\n张三,{id},371571\n"),
        );
        let (r, code) = db.import("persons", &p, &[]);
        assert_eq!(code, 0, "{r}");
        assert_eq!(db.archive(&id)["hukou_region_name"], "聊城经济技术开发区");
    }
}
