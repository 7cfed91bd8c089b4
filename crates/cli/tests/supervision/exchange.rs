//! 双随机 draws re-run from their seed, inspection results in the credit
//! rating, and federation tag files that reveal no ID number.

use super::common;
use super::common::fixtures::*;
use super::common::initialised;
use serde_json::Value;

#[test]
fn federation_tags_reveal_no_id_and_load_elsewhere() {
    use md5::{Digest as _, Md5};
    use sha2::Sha256;
    let dbs = common::backends("sup_fed");
    let others = common::backends("sup_fed_other");
    for (db, other) in dbs.iter().zip(&others) {
        db.ok(&["demo", "--persons", "200"]);
        let key = db.path("federation.key");
        std::fs::write(
            &key,
            "# 测试用联邦密钥\n00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n",
        )
        .unwrap();
        let out = db.path("tags.jsonl");
        db.ok(&[
            "federation",
            "export",
            "--key-file",
            key.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        let text = std::fs::read_to_string(&out).unwrap();
        let paid = sql_rows(db, "SELECT COUNT(*) FROM claims WHERE status = 'paid'")[0][0].clone();
        assert!(paid.parse::<u64>().unwrap() > 0);
        assert_eq!(
            text.lines().count() as u64,
            paid.parse::<u64>().unwrap() + 1,
            "header + one line per paid claim"
        );
        assert!(
            text.lines()
                .next()
                .unwrap()
                .contains("jineng-federation-tags")
        );
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        let lower = text.to_lowercase();
        for row in sql_rows(db, "SELECT id_number, name FROM persons") {
            let id = &row[0];
            assert!(!text.contains(id.as_str()), "ID number in the tag file");
            assert!(!text.contains(row[1].as_str()), "name in the tag file");
            assert!(
                !lower.contains(&hex(&Sha256::digest(id.as_bytes()))),
                "SHA-256 of an ID"
            );
            assert!(
                !lower.contains(&hex(&Md5::digest(id.as_bytes()))),
                "MD5 of an ID"
            );
        }
        // The deployment's own file is refused; another deployment loads it once.
        let refused = db.run(&[
            "federation",
            "import",
            out.to_str().unwrap(),
            "--key-file",
            key.to_str().unwrap(),
        ]);
        assert!(!refused.status.success());
        assert!(String::from_utf8_lossy(&refused.stderr).contains("自己导出"));
        other.ok(&["init"]);
        other.ok(&["policy", "load", &policy_file("tianshui-2019.toml")]);
        let args = [
            "federation",
            "import",
            out.to_str().unwrap(),
            "--key-file",
            key.to_str().unwrap(),
            "--json",
        ];
        let r: Value = serde_json::from_str(&other.ok(&args)).unwrap();
        assert_eq!(
            r["tags"].as_u64().unwrap(),
            paid.parse::<u64>().unwrap(),
            "{r:#}"
        );
        let again: Value = serde_json::from_str(&other.ok(&args)).unwrap();
        assert!(r["inserted"].as_u64().unwrap() > 0, "{r:#}");
        assert_eq!(again["inserted"], 0);
        assert_eq!(again["unchanged"], r["tags"]);
        // Another key is refused, naming the key.
        let wrong = db.path("wrong.key");
        std::fs::write(&wrong, "ff".repeat(32)).unwrap();
        let bad = other.run(&[
            "federation",
            "import",
            out.to_str().unwrap(),
            "--key-file",
            wrong.to_str().unwrap(),
        ]);
        assert!(String::from_utf8_lossy(&bad.stderr).contains("密钥"));
    }
}

#[test]
fn a_draw_reruns_from_its_seed_and_results_count_in_the_rating() {
    let f = fx();
    for db in initialised("sup_draw") {
        base(&db, &f, "institutions");
        db.ok(&[
            "supervise",
            "load",
            &policy_file("liaocheng-2019.supervision.toml"),
        ]);
        let inspectors = db.csv(
            "inspectors.csv",
            "检查人员编号,姓名,所在单位\nJC01,张检查,市人社局\nJC02,李检查,市人社局\nJC03,王检查,县人社局\n",
        );
        let (r, code) = db.import("inspectors", &inspectors, &[]);
        assert_eq!((code, r["accepted"].as_u64()), (0, Some(3)), "{r:#}");
        let draw = |seed: &str| -> Value {
            serde_json::from_str(&db.ok(&[
                "inspect",
                "draw",
                "--year",
                "2024",
                "--seed",
                seed,
                "--institutions",
                "1",
                "--inspectors",
                "2",
                "--json",
            ]))
            .unwrap()
        };
        let a = draw("2024年第一批-7391");
        let b = draw("2024年第一批-7391");
        assert_ne!(a["draw_no"], b["draw_no"]);
        for k in [
            "institutions",
            "inspectors",
            "institutions_digest",
            "inspectors_digest",
            "algorithm",
        ] {
            assert_eq!(a[k], b[k], "[{}] {k}", db.backend);
        }
        assert_eq!(a["inspectors"].as_array().unwrap().len(), 2);
        // The same draw by the domain's published algorithm.
        let d = jineng_domain::inspection::draw(
            "2024年第一批-7391",
            &[f.school.clone(), f.private.clone()],
            1,
            &["JC01".into(), "JC02".into(), "JC03".into()],
            2,
        )
        .unwrap();
        assert_eq!(a["institutions"][0].as_str().unwrap(), d.institutions[0]);

        let picked = a["institutions"][0].as_str().unwrap().to_string();
        let other = if picked == f.school {
            &f.private
        } else {
            &f.school
        };
        let no = a["draw_no"].as_str().unwrap();
        let out = db.run(&[
            "inspect",
            "record",
            no,
            "--institution",
            other,
            "--result",
            "合格",
        ]);
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("不在抽查"),
            "{out:?}"
        );
        db.ok(&[
            "inspect",
            "record",
            no,
            "--institution",
            &picked,
            "--result",
            "不合格",
        ]);

        let rated: Vec<Value> = db
            .ok(&["credit", "rate", "--year", "2024", "--json"])
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(rated.len(), 2);
        let mine = rated
            .iter()
            .find(|r| r["institution"] == picked.as_str())
            .unwrap();
        let clean = rated
            .iter()
            .find(|r| r["institution"] == other.as_str())
            .unwrap();
        assert_eq!(
            mine["score"].as_i64().unwrap(),
            clean["score"].as_i64().unwrap() - 20,
            "{mine:#}"
        );
        assert!(mine["points"].to_string().contains("不合格"));
        let list = db.ok(&["credit", "list", "--json"]);
        assert_eq!(list.lines().count(), 2);
    }
}
