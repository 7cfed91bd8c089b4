//! The online-sessions template (线上学习记录) and check S10: simultaneous
//! sessions and more online hours in a day than the file allows are found
//! at import, back-to-back sessions and a full but allowed day are not;
//! bad rows are refused naming row and column; a re-run changes nothing.

use super::common;
use super::common::assert_error;
use super::common::fixtures::*;
use super::{cases, name, p, registry, scan};

fn row(f: &Fx, n: u16, class: &str, platform: &str, from: &str, to: &str) -> String {
    format!(
        "{},{},{class},{},{platform},{from},{to}",
        p(n),
        name(n),
        f.school
    )
}

#[test]
fn online_sessions_at_impossible_rates_open_cases_and_near_misses_do_not() {
    let f = fx();
    for db in common::initialised("sup_sessions") {
        let be = db.backend;
        load_supervision(&db, "s10.supervision.toml", &s10_file("test-sessions"));
        registry(&db, &f);
        let first = [
            // 学员一: class A on one platform from 08:00 to 10:00 …
            row(&f, 1, "A", "学习通", "2024-03-02 08:00", "2024-03-02 10:00"),
            // 学员二: two back-to-back sessions (near miss: no overlap).
            row(&f, 2, "A", "学习通", "2024-03-03 08:00", "2024-03-03 10:00"),
            row(&f, 2, "A", "学习通", "2024-03-03 10:00", "2024-03-03 12:00"),
            // 学员三: 13 hours in one day (hit, above 12).
            row(
                &f,
                3,
                "C",
                "学习强国",
                "2024-03-04 00:00",
                "2024-03-04 13:00",
            ),
            // 学员四: exactly 12 hours (near miss).
            row(
                &f,
                4,
                "C",
                "学习强国",
                "2024-03-04 06:00",
                "2024-03-04 18:00",
            ),
        ];
        let r = load(&db, "sessions", SESSIONS, &first);
        assert_eq!(r["supervision"]["opened"], 1, "[{be}] {r:#}");
        // … and class B on another platform at 09:30 the same morning: the
        // overlap is found when this file is imported, against the stored one.
        let second = [row(
            &f,
            1,
            "B",
            "学习强国",
            "2024-03-02 09:30",
            "2024-03-02 11:00",
        )];
        let r = load(&db, "sessions", SESSIONS, &second);
        assert_eq!(r["supervision"]["opened"], 1, "[{be}] {r:#}");

        let all = cases(&db, "open");
        let s10: Vec<_> = all.iter().filter(|c| c["check"] == "S10").collect();
        assert_eq!(s10.len(), 2, "[{be}] {all:#?}");
        let texts: Vec<&str> = s10
            .iter()
            .map(|c| c["evidence"].as_str().unwrap())
            .collect();
        let overlap = texts
            .iter()
            .find(|t| t.contains("同时进行"))
            .expect("the overlap");
        assert!(overlap.contains("同时进行 30 分钟"), "[{be}] {overlap}");
        assert!(overlap.contains("学习通 2024-03-02 08:00"), "{overlap}");
        assert!(overlap.contains("培训班「B」"), "{overlap}");
        let day = texts
            .iter()
            .find(|t| t.contains("超过每天"))
            .expect("the long day");
        assert!(
            day.contains("于 2024-03-04 线上学习共 13小时0分，超过每天 12 小时"),
            "[{be}] {day}"
        );
        for t in &texts {
            for n in 1..=4 {
                assert!(!t.contains(&p(n)), "[{be}] unmasked ID in {t}");
            }
        }
        // A full scan finds the same, and opens nothing new.
        assert_eq!(scan(&db)["opened"], 0, "[{be}]");

        // A re-run of the same file changes nothing.
        let again = db.csv("sessions_again.csv", &csv_text(SESSIONS, &first));
        let (r, code) = db.import("sessions", &again, &[]);
        assert_eq!((code, counts(&r)), (0, (0, 0, 5)), "[{be}] {r:#}");
    }
}

#[test]
fn bad_session_rows_are_refused_naming_row_and_column() {
    let f = fx();
    for db in common::initialised("sup_sessions_bad") {
        registry(&db, &f);
        let mut s = Sheet::new(SESSIONS);
        s.good(row(
            &f,
            1,
            "A",
            "学习通",
            "2024/3/2 8:00",
            "2024/3/2 9:15:30",
        ));
        // Each row breaks one rule: (column, reason, class, platform, from, to).
        let broken = [
            (
                "结束时间",
                "应晚于开始时间",
                "A",
                "学习通",
                "2024-03-05 10:00",
                "2024-03-05 09:00",
            ),
            (
                "开始时间",
                "应为日期加时刻",
                "A",
                "学习通",
                "2024-03-05",
                "2024-03-05 09:00",
            ),
            (
                "结束时间",
                "时刻「24:30」不存在",
                "A",
                "学习通",
                "2024-03-05 08:00",
                "2024-03-05 24:30",
            ),
            (
                "班级编号",
                "没有编号为「Z」的培训班",
                "Z",
                "学习通",
                "2024-03-05 08:00",
                "2024-03-05 09:00",
            ),
            (
                "学习平台",
                "不能为空",
                "A",
                "",
                "2024-03-05 08:00",
                "2024-03-05 09:00",
            ),
        ];
        for (column, why, class, platform, from, to) in broken {
            s.bad(column, why, row(&f, 1, class, platform, from, to));
        }
        s.bad(
            "姓名",
            "",
            format!(
                "{},学员九,A,{},学习通,2024-03-05 08:00,2024-03-05 09:00",
                p(1),
                f.school
            ),
        );
        let (r, code) = s.import(&db, "sessions");
        s.check(&db, &r, code);
        assert_error(&r, 3, "结束时间", "应晚于开始时间");
        // Re-running keeps the good row once.
        let (r, _) = s.import(&db, "sessions");
        assert_eq!(counts(&r), (0, 0, 1));
    }
}
