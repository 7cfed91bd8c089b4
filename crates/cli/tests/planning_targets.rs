//! Targets, statistics and task tables through the binary on both
//! backends: the repository's files (seed 003 annex 1 and the others)
//! load and load again unchanged; a breakdown whose parts do not add up is
//! refused naming the parent, the sum, the stated total and the
//! difference, and writes nothing; tasks carry their lead unit and report.

use crate::common;
use common::TestDb;

fn repo(path: &str) -> String {
    format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"))
}

const HEAD: &str = "指标代码,起始年,截止年,区划代码,名称,上级区划代码,目标值,分解规则,依据";

/// An initialised database with 聊城's functional zones, which annex 1
/// breaks the target down to.
fn with_zones(test: &str) -> Vec<TestDb> {
    let dbs = common::initialised(test);
    for db in &dbs {
        let (r, code) = db.import(
            "regions",
            std::path::Path::new(&repo("demo/liaocheng/regions.csv")),
            &[],
        );
        assert_eq!(code, 0, "{r}");
    }
    dbs
}

fn targets_list(db: &TestDb) -> String {
    db.ok(&["targets", "list"])
}

#[test]
fn the_seed_targets_load_and_reload_unchanged() {
    for db in with_zones("plan_targets") {
        let b = db.backend;
        let files = [
            ("planning/targets/liaocheng-2019.csv", 13),
            ("planning/targets/liaocheng-2019-2021.csv", 3),
            ("planning/targets/tianshui-2019-2021.csv", 6),
            ("planning/targets/national-2021-2025.csv", 5),
        ];
        for (f, n) in files {
            let out = db.ok(&["targets", "import", &repo(f)]);
            assert!(
                out.contains(&format!("新增 {n}，更新 0，未变 0")),
                "[{b}] {f}: {out}"
            );
        }
        let before = targets_list(&db);
        for (f, n) in files {
            let out = db.ok(&["targets", "import", &repo(f)]);
            assert!(
                out.contains(&format!("新增 0，更新 0，未变 {n}")),
                "[{b}] {f} again: {out}"
            );
        }
        assert_eq!(targets_list(&db), before, "[{b}] re-import changes nothing");
        for needle in [
            "2019年 371500 聊城市 补贴性职业技能培训：40,100 人次",
            "2019年 371500 市本级 补贴性职业技能培训：2,200 人次（371500 的分解）",
            "2019年 371571 经济技术开发区 补贴性职业技能培训：3,700 人次（371500 的分解）",
            "2019—2021年 371500 聊城市 补贴性职业技能培训：140,000 人次",
            "2019—2021年 620500 天水市 技能劳动者占就业人员比例：25.00 %",
            "2021—2025年 000000 全国 其中：新增高技能人才：8,000,000 人次",
            "2021—2025年 000000 全国 新建公共实训基地：200 个",
        ] {
            assert!(
                before.contains(needle),
                "[{b}] 「{needle}」 missing:\n{before}"
            );
        }
        // The national view drills down to the provinces.
        let json = db.ok(&["report", "progress", "--region", "370000", "--year", "2019"]);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let lc = v
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["region"] == "371500" && e["period"] == "2019年")
            .unwrap();
        assert_eq!(
            (lc["target"].as_i64(), lc["actual"].as_i64()),
            (Some(40100), Some(0)),
            "[{b}]"
        );
    }
}

#[test]
fn a_breakdown_that_does_not_add_up_is_refused_and_writes_nothing() {
    for db in with_zones("plan_refuse") {
        let b = db.backend;
        // Annex 1 with 东昌府区 mistyped: 4,560 instead of 4,650.
        let text = std::fs::read_to_string(repo("planning/targets/liaocheng-2019.csv"))
            .unwrap()
            .replace("东昌府区,371500,4650", "东昌府区,371500,4560");
        let bad = db.csv("分解表.csv", &text);
        let out = db.run(&["targets", "import", bad.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "[{b}] {err}");
        for needle in [
            "文件「分解表.csv」",
            "第 2 行「目标值」",
            "聊城市（371500）2019年「补贴性职业技能培训」的分解（第 3–14 行，12 项）合计 40,010 人次，应等于目标值 40,100 人次，少 90 人次",
        ] {
            assert!(err.contains(needle), "[{b}] 「{needle}」 missing: {err}");
        }
        assert_eq!(targets_list(&db), "", "[{b}] nothing written");
        let json = db.run(&["targets", "import", bad.to_str().unwrap(), "--json"]);
        let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
        assert_eq!(v["errors"][0]["row"], 2, "[{b}] {v}");

        // Other mistakes are named by row and column, all at once.
        let bad = db.csv(
            "bad.csv",
            &format!(
                "{HEAD}\nnope,2019,2019,371500,聊城市,,1,,\ntraining,2019,2018,371500,聊城市,,1,,\n\
                 training,2019,2019,379999,某地,,1,,\ntraining,2019,2019,371502,东昌府区,,一千,,\n\
                 skilled_share,2019,2019,371500,聊城市,,25.555%,,\ntraining,2019,2019,371502,东昌府区,371500,1,平均,\n"
            ),
        );
        let out = db.run(&["targets", "import", bad.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&out.stderr);
        for needle in [
            "有 6 处问题，未导入任何内容",
            "第 2 行「指标代码」：未知的指标「nope」",
            "第 3 行「截止年」：截止年 2018 早于起始年 2019",
            "第 4 行「区划代码」：行政区划代码「379999」不存在",
            "第 5 行「目标值」：无法识别的数值「一千」",
            "第 6 行「目标值」：无法识别的数值「25.555%」",
            "第 7 行「分解规则」：未知的分解规则「平均」",
        ] {
            assert!(err.contains(needle), "[{b}] 「{needle}」 missing: {err}");
        }

        // Parts may come after their parent, in a file of their own; a
        // changed breakdown replaces the old one.
        let parent = db.csv(
            "p.csv",
            &format!("{HEAD}\ntraining,2020,2020,371500,聊城市,,100,不少于,\n"),
        );
        db.ok(&["targets", "import", parent.to_str().unwrap()]);
        let parts = db.csv(
            "parts.csv",
            &format!("{HEAD}\ntraining,2020,2020,371502,东昌府区,371500,60,,\ntraining,2020,2020,371521,阳谷县,371500,30,,\n"),
        );
        let out = db.run(&["targets", "import", parts.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("合计 90 人次，应不少于目标值 100 人次，少 10 人次"),
            "[{b}] {err}"
        );
        let parts = db.csv(
            "parts.csv",
            &format!("{HEAD}\ntraining,2020,2020,371502,东昌府区,371500,60,,\ntraining,2020,2020,371521,阳谷县,371500,50,,\n"),
        );
        assert!(
            db.ok(&["targets", "import", parts.to_str().unwrap()])
                .contains("新增 2"),
            "[{b}]"
        );
        let fewer = db.csv(
            "fewer.csv",
            &format!("{HEAD}\ntraining,2020,2020,371502,东昌府区,371500,100,,\n"),
        );
        let out = db.ok(&["targets", "import", fewer.to_str().unwrap()]);
        assert!(
            out.contains("更新 1") && out.contains("删除不再分解的 1"),
            "[{b}] {out}"
        );
        assert!(!targets_list(&db).contains("阳谷县"), "[{b}]");
    }
}

#[test]
fn statistics_and_tasks() {
    for db in common::initialised("plan_tasks") {
        let b = db.backend;
        let stats = db.csv(
            "s.csv",
            "区划代码,年度,统计项,数值,来源\n371500,2019,就业人员,1000,\n371500,20x9,技能劳动者,1,\n371500,2019,身高,1,\n",
        );
        let out = db.run(&["stats", "import", stats.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "[{b}]");
        assert!(
            err.contains("第 3 行「年度」")
                && err.contains("第 4 行「统计项」：未知的统计项「身高」"),
            "[{b}] {err}"
        );

        for (f, n) in [
            ("planning/tasks/tianjin.csv", 42),
            ("planning/tasks/rudong.csv", 19),
            ("planning/tasks/liaocheng-annex2.csv", 26),
        ] {
            let out = db.ok(&["tasks", "import", &repo(f)]);
            assert!(out.contains(&format!("新增 {n}")), "[{b}] {out}");
            let out = db.ok(&["tasks", "import", &repo(f)]);
            assert!(out.contains(&format!("未变 {n}")), "[{b}] {out}");
        }
        let list = db.ok(&["tasks", "list", "--doc", "天津市重点工作任务分解表"]);
        assert!(list.contains("第31项［（九）建立职业技能培训质量监管机制］建立基于互联网的职业技能培训公共服务平台"), "[{b}] {list}");
        assert!(
            list.contains("牵头：市人社局；配合：市教委；完成时限：未规定"),
            "[{b}]"
        );
        let doc = "聊政办发〔2019〕10号 附件2";
        let overdue = || {
            db.ok(&[
                "tasks",
                "list",
                "--doc",
                doc,
                "--overdue",
                "--as-of",
                "2022-01-01",
            ])
        };
        // `tasks report`: task `no` 已完成 by `unit`, with `extra`.
        let done = |no: &'static str, unit: &'static str, extra: &[&'static str]| {
            let mut args = vec![
                "tasks",
                "report",
                "--doc",
                doc,
                "--no",
                no,
                "--unit",
                unit,
                "--status",
                "已完成",
            ];
            args.extend_from_slice(extra);
            args
        };
        let late = overdue();
        assert!(late.contains("共 26 项"), "[{b}] {late}");
        let refused = db.run(&done("3", "市财政局", &[]));
        assert!(
            String::from_utf8_lossy(&refused.stderr).contains("「市财政局」不是"),
            "[{b}] only a responsible unit reports"
        );
        let note = ["--date", "2021-06-30", "--note", "护航行动已实施"];
        db.ok(&done("3", "市人力资源社会保障局", &note));
        db.ok(&done("1", "市教育体育局", &["--date", "2021-06-30"]));
        let late = overdue();
        assert!(
            late.contains("共 25 项"),
            "[{b}] task 3 done by its lead unit: {late}"
        );
        assert!(
            late.contains("第1项【逾期】"),
            "[{b}] a co-unit's report does not close task 1"
        );
        let json: serde_json::Value = serde_json::from_str(&db.ok(&[
            "tasks",
            "list",
            "--doc",
            doc,
            "--json",
            "--as-of",
            "2020-01-01",
        ]))
        .unwrap();
        let third = &json[2];
        assert_eq!(third["lead_unit"], "市人力资源社会保障局", "[{b}]");
        assert_eq!(third["reports"][0]["note"], "护航行动已实施", "[{b}]");
        assert_eq!(json[0]["overdue"], false, "[{b}] not due before 2021-12-31");
        assert_eq!(
            json[21]["lead_unit"], "各县（市、区）政府",
            "[{b}] a unit's own parentheses are kept"
        );
    }
}
