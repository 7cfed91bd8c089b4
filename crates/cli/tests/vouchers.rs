//! Training vouchers (职业培训券, docs/vouchers.md) through the real binary
//! on SQLite and PostgreSQL: issued to the eligible persons of a scope and
//! to no one else, once (a re-run issues nothing); redeemed by the
//! institution of the class when the person enrols, and refused with the
//! reason for the wrong person, the wrong institution, an expired or used
//! voucher and a class of another level; the claim for that training
//! settling at the voucher's face value (not the catalogue's amount) with
//! the voucher in its trace; expired vouchers lapsing; every step on the
//! ledger's commitments, which verify and equal committed − released −
//! paid. The web and the API: `vouchers_web.rs`.

use crate::common;
use crate::vouchers_fixture;

use crate::common::http::Sql;
use common::TestDb;
use common::fixtures::{show_claim, sql_rows};
use serde_json::json;
use vouchers_fixture::*;

/// Redeems through the binary; `Err` carries stderr.
fn redeem(
    db: &TestDb,
    voucher: &str,
    class: &str,
    inst: &str,
    idn: &str,
    on: &str,
) -> Result<String, String> {
    let out = db.run(&[
        "vouchers",
        "redeem",
        voucher,
        "--class",
        class,
        "--institution",
        inst,
        "--id",
        idn,
        "--on",
        on,
    ]);
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

#[test]
fn issue_redeem_settle_and_lapse_through_the_binary() {
    let f = fx();
    for db in common::initialised("vouchers_cli") {
        let b = db.backend;
        // A fund that cannot cover the commitments: nothing is issued.
        registry(&db, &f, "1000");
        // `vouchers issue` for 东昌府区 on 2019-03-01, with `extra`.
        let issue_args = |extra: &[&'static str]| {
            let mut args = vec![
                "vouchers",
                "issue",
                "--scope",
                "371502",
                "--year",
                "2019",
                "--on",
                "2019-03-01",
            ];
            args.extend_from_slice(extra);
            args
        };
        let out = db.run(&issue_args(&[]));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "[{b}] {err}");
        assert!(
            err.contains("资金来源 ES 专账余额 1000.00 元，已承诺 0.00 元，未承诺的 1000.00 元不足以承诺本次 2 张培训券共 1800.00 元：未发放"),
            "[{b}] {err}"
        );
        assert!(
            vouchers_of(&db, &f.a, 2019).is_empty(),
            "[{b}] nothing written"
        );
        db.ok(&["ledger", "allocate", "--fund", "ES", "--amount", "99000"]);
        let issue =
            |extra: &[&'static str]| json_of(&db.ok(&issue_args(&[&["--json"], extra].concat())));
        let s = issue(&[]);
        assert_eq!(
            (
                &s["eligible_persons"],
                &s["issued"],
                &s["face_fen"],
                &s["existing"]
            ),
            (&json!(2), &json!(2), &json!(180_000), &json!(0)),
            "[{b}] {s:#}"
        );
        assert_eq!(
            s["funds"],
            json!([{ "fund": "ES", "committed_fen": 180_000 }]),
            "[{b}]"
        );
        // Exactly one each for 甲 and 乙; none for the employee, the person
        // outside the scope, nor the one no longer unemployed.
        for (who, n) in [(&f.a, 1), (&f.b, 1), (&f.c, 0), (&f.d, 0), (&f.e, 0)] {
            assert_eq!(vouchers_of(&db, who, 2019).len(), n, "[{b}] {who}");
        }
        let again = issue(&[]);
        assert_eq!(
            (&again["issued"], &again["existing"]),
            (&json!(0), &json!(2)),
            "[{b}] {again:#}"
        );
        let text = db.ok(&issue_args(&[]));
        assert!(
            text.contains("发放 0 张") && text.contains("此前已发 2 张，未重发"),
            "[{b}] {text}"
        );
        assert_eq!(commitments(&db), (180_000, 180_000, 0, 0, 180_000), "[{b}]");
        assert!(
            db.ok(&["ledger", "verify"]).contains("专账校验通过"),
            "[{b}]"
        );

        let (va, vb) = (
            vouchers_of(&db, &f.a, 2019)[0].clone(),
            vouchers_of(&db, &f.b, 2019)[0].clone(),
        );
        let on = "2019-03-05";
        let refusals = [
            (vb.as_str(), "K1", &f.school, &f.a, on, "不属于该学员"),
            (
                va.as_str(),
                "K2",
                &f.school,
                &f.a,
                on,
                "培训班 K2 为 家政服务员 四级/中级工，职业或等级不符",
            ),
            (
                va.as_str(),
                "K1",
                &f.school,
                &f.a,
                "2019-09-01",
                "已过有效期（有效期至 2019-08-31）",
            ),
            (
                va.as_str(),
                "K1",
                &f.other,
                &f.a,
                on,
                "没有班级编号为「K1」的培训班",
            ),
            (
                va.as_str(),
                "K3",
                &f.other,
                &f.a,
                on,
                "不在培训班 K3 的花名册中",
            ),
        ];
        for (v, class, inst, who, date, why) in refusals {
            let e = redeem(&db, v, class, inst, who, date).unwrap_err();
            assert!(e.contains(why), "[{b}] {class} {date}: {e}");
        }
        let mut typo = va.clone();
        let last = typo.pop().unwrap();
        typo.push(if last == '0' { '1' } else { '0' });
        assert!(
            redeem(&db, &typo, "K1", &f.school, &f.a, on)
                .unwrap_err()
                .contains("校验位不符")
        );
        let ok = redeem(&db, &va, "K1", &f.school, &f.a, on).unwrap();
        assert!(
            ok.contains(&format!(
                "已核验：培训券 {va}（家政初级券，面值 900.00 元）由 甲 在培训班 K1 使用"
            )),
            "[{b}] {ok}"
        );
        let e = redeem(&db, &va, "K1", &f.school, &f.a, on).unwrap_err();
        assert!(
            e.contains("已于 2019-03-05 在培训班 K1 使用，不能再次使用"),
            "[{b}] {e}"
        );

        // The claim for that training settles at the voucher's 900, not the
        // catalogue's 800, paid to the school, the voucher in its trace.
        db.ok(&["claims", "decide", "--all"]);
        let got = common::fixtures::export_claims(&db);
        let c = &got["SLV1"];
        assert_eq!(
            (
                &c["status"],
                &c["amount_fen"],
                &c["payee"],
                &c["payee_code"]
            ),
            (
                &json!("eligible"),
                &json!(90_000),
                &json!("institution"),
                &json!(f.school)
            ),
            "[{b}] {c}"
        );
        let shown = show_claim(&db, "SLV1");
        for needle in [
            "R1 补贴标准",
            "家政服务员 五级/初级工 职业技能等级证书 = 800.00 元",
            &format!(
                "培训券 {va} 报名时已核验：按券面值 900.00 元 结算（标准为 800.00 元），支付给培训机构"
            ),
            "聊政办发〔2019〕10号 二十一（培训券）",
            "结论：核准 900.00 元",
        ] {
            assert!(shown.contains(needle), "[{b}] {needle}: {shown}");
        }
        assert!(!shown.contains(&f.a), "[{b}] the ID is masked");

        db.ok(&["claims", "approve", "SLV1"]);
        db.ok(&["claims", "pay", "SLV1"]);
        assert_eq!(
            commitments(&db),
            (90_000, 180_000, 0, 90_000, 90_000),
            "[{b}]"
        );
        let settled = sql_rows(
            &db,
            &format!("SELECT status, claim_no FROM vouchers WHERE voucher_no = '{va}'"),
        );
        assert_eq!(settled, [["used", "SLV1"]], "[{b}]");

        // 乙's voucher, unused, lapses after its last day, not before.
        let early = json_of(&db.ok(&["vouchers", "lapse", "--today", "2019-08-31", "--json"]));
        assert_eq!(early["lapsed"], json!(0), "[{b}] valid through 2019-08-31");
        let lapse = json_of(&db.ok(&["vouchers", "lapse", "--today", "2019-09-01", "--json"]));
        assert_eq!(
            (&lapse["lapsed"], &lapse["released_fen"]),
            (&json!(1), &json!(90_000)),
            "[{b}]"
        );
        assert_eq!(commitments(&db), (0, 180_000, 90_000, 90_000, 0), "[{b}]");
        let again = json_of(&db.ok(&["vouchers", "lapse", "--today", "2019-12-31", "--json"]));
        assert_eq!(
            again["lapsed"],
            json!(0),
            "[{b}] lapsing twice changes nothing"
        );

        let report = json_of(&db.ok(&["ledger", "report", "--json"]));
        let es = report
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == "ES")
            .unwrap()
            .clone();
        assert_eq!(
            (&es["committed"], &es["paid"], &es["bank"]),
            (&json!(0), &json!(90_000), &json!(9_910_000)),
            "[{b}] {es}"
        );
        let verify = db.ok(&["ledger", "verify"]);
        assert!(verify.contains("专账校验通过"), "[{b}] {verify}");
        let list = json_of(&db.ok(&["vouchers", "list", "--scope", "371502", "--json"]));
        let t = &list["totals"];
        assert_eq!(
            (
                &t["issued"],
                &t["paid"],
                &t["paid_fen"],
                &t["lapsed"],
                &t["committed_fen"]
            ),
            (&json!(2), &json!(1), &json!(90_000), &json!(1), &json!(0)),
            "[{b}] {t}"
        );
        let listed = list["vouchers"].to_string();
        assert!(
            !listed.contains(&f.a) && listed.contains("3715**********"),
            "[{b}] masked: {listed}"
        );
        let audits = sql_rows(
            &db,
            "SELECT action, COUNT(*) FROM audit_log WHERE entity = 'voucher' GROUP BY action ORDER BY action",
        );
        assert_eq!(
            audits,
            [
                ["issue", "2"],
                ["lapse", "1"],
                ["redeem", "1"],
                ["settle", "1"]
            ],
            "[{b}]"
        );
        assert!(
            db.ok(&["audit", "verify"]).contains("审计链校验通过"),
            "[{b}]"
        );
        tamper_is_found(&db, &va);
    }
}

/// A commitment edited behind the ledger's back is reported by verify.
fn tamper_is_found(db: &TestDb, voucher: &str) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut sql = Sql::open(db).await;
        sql.exec(&format!(
            "UPDATE vouchers SET claim_no = NULL WHERE voucher_no = '{voucher}'"
        ))
        .await;
    });
    let out = db.run(&["ledger", "verify"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "[{}] {text}", db.backend);
    assert!(
        text.contains(&format!("培训券 {voucher}")),
        "[{}] {text}",
        db.backend
    );
}
