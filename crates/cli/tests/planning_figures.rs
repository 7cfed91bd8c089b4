//! Every indicator's value from known records, at county, city and
//! province level, on both backends, through the binary: the 年报's
//! sheets, the progress JSON (the dashboard's API) and the progress xlsx
//! must agree with each other and with the records — after the imports, and
//! again after the claims are decided and paid.

use crate::common;
use calamine::{Data, Reader, Xlsx, open_workbook};
use common::fixtures::{Registry, export_claims, policy_file};
use common::{TestDb, credit, id};
use serde_json::Value;
use std::collections::BTreeMap;

/// A sheet of an xlsx report: row label (the first two columns, or the
/// first) → the row's cells, plus the header row.
fn sheet(path: &std::path::Path, name: &str) -> (Vec<String>, BTreeMap<String, Vec<Data>>) {
    sheet_by(path, name, 2)
}

/// A sheet keyed by its first `key` columns joined with `|`.
fn sheet_by(
    path: &std::path::Path,
    name: &str,
    key: usize,
) -> (Vec<String>, BTreeMap<String, Vec<Data>>) {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let range = wb.worksheet_range(name).unwrap();
    let rows: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
    let headers = rows[2].iter().map(|c| c.to_string()).collect();
    let mut out = BTreeMap::new();
    for r in &rows[3..] {
        let k: Vec<String> = r[..key].iter().map(|c| c.to_string()).collect();
        out.insert(k.join("|"), r.clone());
    }
    (headers, out)
}

fn num(d: &Data) -> f64 {
    match d {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => panic!("not a number: {other:?}"),
    }
}

/// The by-region sheet of the 年报 as label → (column header → value).
fn annual(db: &TestDb, region: &str, name: &str) -> BTreeMap<String, BTreeMap<String, f64>> {
    let out = db.path(name);
    db.ok(&[
        "report",
        "annual",
        "--region",
        region,
        "--year",
        "2019",
        "--out",
        out.to_str().unwrap(),
    ]);
    let (headers, rows) = sheet(&out, "分地区");
    rows.into_iter()
        .map(|(label, cells)| {
            let values = headers[2..]
                .iter()
                .zip(&cells[2..])
                .map(|(h, c)| (h.split('（').next().unwrap().to_string(), num(c)))
                .collect();
            (label, values)
        })
        .collect()
}

/// `report progress` of 聊城 for 2019 as of its last day, with `extra`.
fn progress(db: &TestDb, extra: &[&str]) -> String {
    let mut args = vec![
        "report",
        "progress",
        "--region",
        "371500",
        "--year",
        "2019",
        "--as-of",
        "2019-12-31",
    ];
    args.extend_from_slice(extra);
    db.ok(&args)
}

const TRAINING: &str = "补贴性职业技能培训";
const MIGRANT: &str = "其中：农民工参加职业技能培训";
const CERTS: &str = "新增取得职业资格证书或职业技能等级证书";
const HIGH: &str = "其中：新增高技能人才";
const APPRENTICES: &str = "企业新型学徒制培训";
const PAID: &str = "补贴资金支出";

fn registry() -> (Registry, String) {
    let p: Vec<String> = [
        ("371502", 1985, 11),
        ("371502", 1990, 12),
        ("371521", 1988, 13),
        ("371521", 1992, 14),
        ("371521", 1995, 15),
        ("370102", 1980, 16),
    ]
    .iter()
    .map(|(r, y, s)| id(r, *y, 3, 12, *s))
    .collect();
    let school = credit("371502", "1");
    let centre = credit("371502", "5");
    let names = ["甲一", "乙二", "丙三", "丁四", "戊五", "己六"];
    let hukou = ["371502", "371502", "371521", "371521", "371521", "370102"];
    let reg = Registry {
        persons: (0..6)
            .map(|i| format!("{},{},{}", names[i], p[i], hukou[i]))
            .collect(),
        categories: vec![
            format!("{},农村转移就业劳动者,2018-01-01,,", p[0]),
            // Held no longer when class A ends: not counted there.
            format!("{},农村转移就业劳动者,2018-01-01,2019-02-28,", p[1]),
            format!("{},登记失业人员,2018-01-01,,", p[2]),
        ],
        institutions: vec![
            format!("聊城市技工学校,{school},技工院校,371502,是,2018-01-01,"),
            format!("聊城市职业技能鉴定中心,{centre},评价机构,371502,否,,"),
        ],
        classes: vec![
            format!("A,{school},就业技能培训,6-31-01-03,电工,五级,371502,2019-03-01,2019-03-20,80"),
            format!("B,{school},新型学徒制,6-18-02-04,焊工,三级,371521,2019-05-01,2019-06-10,80"),
            format!(
                "C,{school},就业技能培训,4-10-01-06,家政服务员,四级,370102,2019-07-01,2019-07-20,80"
            ),
            // At the city's own code: the city's own share (市本级).
            format!(
                "D,{school},岗位技能提升培训,4-07-05-01,保安员,五级,371500,2019-08-01,2019-08-15,80"
            ),
        ],
        roster: vec![
            format!("A,{school},甲一,{},80,0,合格", p[0]),
            format!("A,{school},乙二,{},80,0,合格", p[1]),
            format!("A,{school},丙三,{},80,0,不合格", p[2]),
            format!("A,{school},丁四,{},20,0,未结业", p[3]),
            format!("B,{school},甲一,{},80,0,合格", p[0]),
            format!("B,{school},戊五,{},80,0,合格", p[4]),
            format!("C,{school},己六,{},80,0,合格", p[5]),
            format!("D,{school},丙三,{},80,0,合格", p[2]),
        ],
        certificates: vec![
            format!(
                "K1,职业技能等级证书,甲一,{},6-31-01-03,五级,2019-04-10,{centre},A",
                p[0]
            ),
            format!(
                "K2,职业技能等级证书,甲一,{},6-18-02-04,三级,2019-06-20,{centre},B",
                p[0]
            ),
            format!(
                "K3,职业技能等级证书,戊五,{},6-18-02-04,三级,2019-06-20,{centre},B",
                p[4]
            ),
            format!(
                "K4,专项职业能力证书,乙二,{},6-31-01-03,,2019-04-10,{centre},A",
                p[1]
            ),
            format!(
                "K5,职业技能等级证书,己六,{},4-10-01-06,四级,2019-08-01,{centre},C",
                p[5]
            ),
            // No class: counted at the holder's 户籍地 (371521).
            format!(
                "K6,职业资格证书,丙三,{},4-07-05-01,五级,2019-09-01,{centre},",
                p[2]
            ),
        ],
        claims: vec![format!("SL-1,职业培训补贴,{},K1,,,,2019-04-20,,", p[0])],
        ..Registry::default()
    };
    (reg, school)
}

#[test]
fn every_indicator_at_county_city_and_province_level() {
    let (reg, _) = registry();
    for db in common::initialised("plan_figures") {
        let b = db.backend;
        reg.load(&db);
        let targets = db.csv(
            "t.csv",
            "指标代码,起始年,截止年,区划代码,名称,上级区划代码,目标值,分解规则,依据\n\
             training,2019,2019,371500,聊城市,,45,合计,测试\n\
             training,2019,2019,371500,市本级,371500,10,,测试\n\
             training,2019,2019,371502,东昌府区,371500,20,,测试\n\
             training,2019,2019,371521,阳谷县,371500,15,,测试\n\
             skilled_share,2019,2019,371500,聊城市,,25%,,测试\n",
        );
        db.ok(&["targets", "import", targets.to_str().unwrap()]);
        let stats = db.csv(
            "s.csv",
            "区划代码,年度,统计项,数值,来源\n371500,2019,就业人员,1000,测试\n371500,2019,技能劳动者,230,测试\n",
        );
        db.ok(&["stats", "import", stats.to_str().unwrap()]);

        // County level: the city's by-region sheet; city: its total;
        // province: the province's sheet.
        let city = annual(&db, "371500", "city.xlsx");
        let row = |label: &str| &city[label];
        let expect = |r: &BTreeMap<String, f64>, want: [f64; 6], what: &str| {
            let got = [TRAINING, MIGRANT, CERTS, HIGH, APPRENTICES, PAID].map(|k| r[k]);
            assert_eq!(got, want, "[{b}] {what}");
        };
        expect(
            row("371502|东昌府区"),
            [3.0, 1.0, 1.0, 0.0, 0.0, 0.0],
            "东昌府区",
        );
        expect(
            row("371521|阳谷县"),
            [2.0, 1.0, 3.0, 2.0, 2.0, 0.0],
            "阳谷县",
        );
        expect(
            row("371500|市本级"),
            [1.0, 0.0, 0.0, 0.0, 0.0, 0.0],
            "市本级",
        );
        expect(row("371500|合计"), [6.0, 2.0, 4.0, 2.0, 2.0, 0.0], "聊城市");
        let province = annual(&db, "370000", "province.xlsx");
        expect(
            &province["371500|聊城市"],
            [6.0, 2.0, 4.0, 2.0, 2.0, 0.0],
            "聊城市 in 山东省",
        );
        expect(
            &province["370100|济南市"],
            [1.0, 0.0, 1.0, 0.0, 0.0, 0.0],
            "济南市",
        );
        expect(
            &province["370000|合计"],
            [7.0, 2.0, 5.0, 2.0, 2.0, 0.0],
            "山东省",
        );
        let county = annual(&db, "371521", "county.xlsx");
        expect(
            &county["371521|合计"],
            [2.0, 1.0, 3.0, 2.0, 2.0, 0.0],
            "阳谷县 alone",
        );

        // The money comes once the claim is decided, approved and paid.
        db.ok(&["policy", "load", &policy_file("liaocheng-2019.toml")]);
        db.ok(&["claims", "decide", "--all"]);
        db.ok(&["claims", "approve", "--all"]);
        let decided = annual(&db, "371500", "decided.xlsx");
        assert_eq!(
            decided["371502|东昌府区"][PAID], 0.0,
            "[{b}] approved, not paid"
        );
        db.ok(&["ledger", "allocate", "--fund", "ES", "--amount", "100000"]);
        db.ok(&["ledger", "allocate", "--fund", "UI", "--amount", "100000"]);
        db.ok(&["claims", "pay", "--all"]);
        let claim = &export_claims(&db)["SL-1"];
        assert_eq!(claim["status"], "paid", "[{b}] {claim}");
        let yuan = claim["amount_fen"].as_i64().unwrap() as f64 / 100.0;
        assert!(yuan > 0.0);
        let paid = annual(&db, "371500", "paid.xlsx");
        expect(
            &paid["371502|东昌府区"],
            [3.0, 1.0, 1.0, 0.0, 0.0, yuan],
            "东昌府区 paid",
        );
        expect(
            &paid["371500|合计"],
            [6.0, 2.0, 4.0, 2.0, 2.0, yuan],
            "聊城市 paid",
        );
        let out = db.path("paid.xlsx");
        let (_, funds) = sheet(&out, "资金分来源");
        let total: f64 = funds
            .iter()
            .filter(|(k, _)| !k.starts_with("合计"))
            .map(|(_, r)| num(r.last().unwrap()))
            .sum();
        assert_eq!(total, yuan, "[{b}] funds by source add up to what was paid");

        // By person category and by training type.
        let (_, cats) = sheet(&out, "分人员类别");
        let migrant = cats
            .iter()
            .find(|(k, _)| k.starts_with("农村转移就业劳动者"))
            .unwrap()
            .1;
        assert_eq!(
            (num(&migrant[1]), num(&migrant[2])),
            (2.0, 2.0),
            "[{b}] 农民工 training, certificates"
        );
        let (_, types) = sheet(&out, "分培训类型");
        let apprentices = types
            .iter()
            .find(|(k, _)| k.starts_with("新型学徒制"))
            .unwrap()
            .1;
        assert_eq!(
            (num(&apprentices[1]), num(&apprentices[3])),
            (2.0, 2.0),
            "[{b}]"
        );
        let no_class = types
            .iter()
            .find(|(k, _)| k.starts_with("（未关联"))
            .unwrap()
            .1;
        assert_eq!(num(&no_class[2]), 1.0, "[{b}] K6 has no class");

        // The dashboard's JSON and the progress xlsx agree with the 年报.
        let json: Vec<Value> = serde_json::from_str(&progress(&db, &[])).unwrap();
        let by_region: BTreeMap<&str, (i64, i64)> = json
            .iter()
            .filter(|e| e["indicator"] == "training")
            .map(|e| {
                (
                    e["name"].as_str().unwrap(),
                    (e["target"].as_i64().unwrap(), e["actual"].as_i64().unwrap()),
                )
            })
            .collect();
        assert_eq!(
            by_region,
            BTreeMap::from([
                ("市本级", (10, 1)),
                ("东昌府区", (20, 3)),
                ("阳谷县", (15, 2))
            ]),
            "[{b}] {json:#?}"
        );
        assert!(
            json.iter().all(|e| e["behind"] == true),
            "[{b}] none reached its target"
        );
        let px = db.path("progress.xlsx");
        progress(&db, &["--out", px.to_str().unwrap()]);
        let (_, rows) = sheet_by(&px, "目标进度", 3);
        for e in &json {
            let key = ["region", "name", "indicator_name"].map(|k| e[k].as_str().unwrap());
            let r = &rows[&key.join("|")];
            assert_eq!(
                num(&r[5]),
                e["target"].as_f64().unwrap(),
                "[{b}] target of {e}"
            );
            assert_eq!(
                num(&r[6]),
                e["actual"].as_f64().unwrap(),
                "[{b}] actual of {e}"
            );
            let sheet_value = city[&key[..2].join("|")][TRAINING];
            assert_eq!(
                sheet_value,
                e["actual"].as_f64().unwrap(),
                "[{b}] 年报 vs JSON"
            );
        }
        let total = &rows[&format!("371500|聊城市（合计）|{TRAINING}")];
        assert_eq!((num(&total[5]), num(&total[6])), (45.0, 6.0), "[{b}]");
        // 230 / 1000 skilled: 23.00 % against 25 %.
        let share = rows
            .iter()
            .find(|(_, r)| r[2].to_string().starts_with("技能劳动者"))
            .unwrap()
            .1;
        assert_eq!((num(&share[5]), num(&share[6])), (25.0, 23.0), "[{b}]");

        // The charts: bars per area against the targets, the city's line.
        let svg = db.path("p.svg");
        progress(&db, &["--out", svg.to_str().unwrap()]);
        let svg = std::fs::read_to_string(svg).unwrap();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"), "[{b}]");
        for needle in [
            "东昌府区：完成 3，目标 20",
            "市本级：完成 1，目标 10",
            "目标 45",
            "19-12：6",
        ] {
            assert!(
                svg.contains(needle),
                "[{b}] 「{needle}」 missing in the SVG"
            );
        }

        // A new enrolment counts at once: the aggregates follow the import.
        let late = id("371502", 1999, 1, 1, 17);
        common::fixtures::load(
            &db,
            "persons",
            common::fixtures::PERSONS,
            &[format!("庚七,{late},371502")],
        );
        common::fixtures::load(
            &db,
            "roster",
            common::fixtures::ROSTER,
            &[format!("A,{},庚七,{late},80,0,合格", credit("371502", "1"))],
        );
        let again = annual(&db, "371500", "again.xlsx");
        assert_eq!(
            again["371502|东昌府区"][TRAINING], 4.0,
            "[{b}] after a roster import"
        );
        assert_eq!(again["371500|合计"][TRAINING], 7.0, "[{b}]");
    }
}
