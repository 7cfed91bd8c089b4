//! A broken policy file is refused by `jineng policy load`, naming the file
//! and the line where the problem is written, and nothing of it is loaded;
//! on both backends.

use crate::common;
use common::TestDb;
use common::fixtures::policy_file;

/// The 1-based number of the first line for which `pred` holds.
fn line_of(lines: &[&str], pred: impl Fn(&str) -> bool) -> usize {
    lines
        .iter()
        .position(|l| pred(l))
        .expect("line in the policy file")
        + 1
}

/// A broken copy of the Liaocheng policy, with the line the loader must
/// name and a word its message must contain.
struct Broken {
    name: &'static str,
    text: String,
    line: usize,
    needle: String,
}

fn broken_copies() -> Vec<Broken> {
    let original = std::fs::read_to_string(policy_file("liaocheng-2019.toml")).unwrap();
    let lines: Vec<&str> = original.lines().collect();
    let join = |v: Vec<&str>| v.join("\n") + "\n";
    let mut out = Vec::new();

    // (a) A rule the engine does not know, written before [rules.R17].
    let r17 = line_of(&lines, |l| l.trim() == "[rules.R17]");
    let mut v = lines.clone();
    v.splice(r17 - 1..r17 - 1, ["[rules.R99]", "clause = \"二十五\"", ""]);
    out.push(Broken {
        name: "unknown_rule.toml",
        text: join(v),
        line: r17,
        needle: "未知规则「R99」".into(),
    });

    // (b) R8 without its daily amount: the rule's own table is named.
    let r8 = line_of(&lines, |l| l.trim() == "[rules.R8]");
    let daily = line_of(&lines, |l| l.trim_start().starts_with("daily ="));
    assert!(daily > r8, "daily is R8's");
    let mut v = lines.clone();
    v.remove(daily - 1);
    out.push(Broken {
        name: "no_daily.toml",
        text: join(v),
        line: r8,
        needle: "R8：缺少参数 daily".into(),
    });

    // (c) 保安员 五级 职业技能等级证书 a second time, for part of the period
    // the grade-C entry already covers.
    let entry = line_of(&lines, |l| {
        l.contains("\"4-07-05-01\"") && l.contains("cert = \"职业技能等级证书\"")
    });
    let mut v = lines.clone();
    v.insert(
        entry,
        "  { occupation = \"4-07-05-01\", name = \"保安员\", cert = \"职业技能等级证书\", level = \"五级\", yuan = 600, from = \"2019-06-01\", to = \"2019-12-31\" },",
    );
    out.push(Broken {
        name: "overlap.toml",
        text: join(v),
        line: entry + 1,
        needle: format!("的有效期与第 {entry} 行的条目重叠"),
    });
    out
}

fn assert_nothing_loaded(db: &TestDb, what: &str) {
    let b = db.backend;
    let out = db.run(&["policy", "show"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "[{b}] {what}: {stdout}");
    assert!(stdout.contains("尚未载入政策"), "[{b}] {what}: {stdout}");
    let funds = db.ok(&["ledger", "funds"]);
    assert!(
        funds.contains("尚未登记资金来源"),
        "[{b}] {what}: a refused file registers no fund source: {funds}"
    );
}

#[test]
fn a_broken_policy_file_is_refused_naming_the_line() {
    let copies = broken_copies();
    for db in common::initialised("claims_policy") {
        let b = db.backend;
        assert_nothing_loaded(&db, "fresh");
        for c in &copies {
            let path = db.path(c.name);
            std::fs::write(&path, &c.text).unwrap();
            let file = path.to_str().unwrap();
            let out = db.run(&["policy", "load", file]);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "[{b}] {}: {stderr}", c.name);
            let want = format!("政策文件「{file}」第 {} 行：", c.line);
            assert!(
                stderr.contains(&want),
                "[{b}] {}: expected 「{want}」 in {stderr}",
                c.name
            );
            assert!(
                stderr.contains(&c.needle),
                "[{b}] {}: expected 「{}」 in {stderr}",
                c.name,
                c.needle
            );
            assert_nothing_loaded(&db, c.name);
        }
        // The file as published loads.
        let out = db.ok(&["policy", "load", &policy_file("liaocheng-2019.toml")]);
        assert!(out.contains("已载入政策"), "[{b}] {out}");
        assert!(
            db.ok(&["policy", "show"]).contains("* liaocheng-2019"),
            "[{b}]"
        );
    }
}
