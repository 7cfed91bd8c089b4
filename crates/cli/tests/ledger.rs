//! The dedicated-fund ledger (专账) on both backends: fund sources,
//! allocations, the report and the verification through the binary; the
//! claim movements (pay, advance, settle, recover) through the store, as
//! the claims workflow will drive them — refusals beyond a fund's balance
//! or of a second payment change nothing, also when writers race.

use crate::common;
use common::fixtures::{CLAIMS, base, fx, load};
use common::{TestDb, tamper};
use jineng_domain::Fen;
use jineng_domain::ledger::{FundCode, LedgerError, Op};
use jineng_store::{Actor, FundReport, RegistryTable, StoreError};
use serde_json::{Value, json};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap()
}

fn y(s: &str) -> Fen {
    Fen::parse_yuan(s).unwrap()
}

fn code(s: &str) -> FundCode {
    FundCode::parse(s).unwrap()
}

fn report_json(db: &TestDb) -> Vec<Value> {
    serde_json::from_str::<Value>(&db.ok(&["ledger", "report", "--json"]))
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn funds_allocations_report_and_verify_through_the_binary() {
    let rt = rt();
    for db in common::backends("ledger_cli") {
        let b = db.backend;
        assert!(db.ok(&["ledger", "funds"]).contains("尚未登记资金来源"));
        assert!(
            db.ok(&["ledger", "fund-add", "ui", "失业保险基金结余"])
                .contains("已登记资金来源 UI 失业保险基金结余")
        );
        db.ok(&["ledger", "fund-add", "EMP_AID", "就业补助资金"]);
        assert!(
            db.ok(&["ledger", "fund-add", "EMP_AID", "就业补助资金"])
                .contains("未作变更"),
            "[{b}] registering twice changes nothing"
        );
        db.ok(&[
            "ledger", "allocate", "--fund", "UI", "--amount", "100,000", "--memo", "首批",
        ]);
        db.ok(&["ledger", "allocate", "--fund", "ui", "--amount", "0.5"]);
        let out = db.ok(&[
            "ledger", "allocate", "--fund", "EMP_AID", "--amount", "2500.05",
        ]);
        assert!(out.contains("专账余额 2500.05 元"), "[{b}] {out}");

        for (args, needle) in [
            (["--fund", "UI", "--amount", "0"], "金额须大于零"),
            (["--fund", "UI", "--amount", "-5"], "不能为负数"),
            (
                ["--fund", "LOCAL", "--amount", "5"],
                "资金来源 LOCAL 未登记",
            ),
            (
                ["--fund", "U-I", "--amount", "5"],
                "资金来源代码「U-I」无效",
            ),
        ] {
            let out = db.run(&[&["ledger", "allocate"][..], &args[..]].concat());
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "[{b}] {args:?}: {err}");
            assert!(err.contains(needle), "[{b}] {args:?}: {err}");
        }

        let r = report_json(&db);
        assert_eq!(r.len(), 2, "[{b}] {r:#?}");
        let row = |f: &Value| (f["code"].clone(), f["allocated"].clone(), f["bank"].clone());
        assert_eq!(
            row(&r[0]),
            (json!("EMP_AID"), json!(250_005), json!(250_005))
        );
        assert_eq!(
            row(&r[1]),
            (json!("UI"), json!(10_000_050), json!(10_000_050))
        );
        let text = db.ok(&["ledger", "report"]);
        for needle in [
            "EMP_AID 就业补助资金",
            "UI 失业保险基金结余",
            "100000.50 元",
            "合计",
            "102500.55 元",
        ] {
            assert!(text.contains(needle), "[{b}] {needle}: {text}");
        }
        let funds = db.ok(&["ledger", "funds"]);
        assert!(
            funds.contains("UI 失业保险基金结余：专账余额 100000.50 元"),
            "[{b}] {funds}"
        );

        // A payment beyond the fund's balance is refused and changes nothing.
        let store = rt.block_on(db.store());
        let audit_before = rt.block_on(store.count(RegistryTable::Audit)).unwrap();
        let e = rt
            .block_on(store.post(
                &Op::Pay {
                    fund: code("EMP_AID"),
                    claim: "SL-NONE".into(),
                    amount: y("1"),
                },
                &Actor::cli("tester"),
            ))
            .unwrap_err();
        assert_eq!(e.to_string(), "申领编号 SL-NONE 不存在", "[{b}]");
        assert_eq!(report_json(&db), r, "[{b}] a refusal changes nothing");
        assert_eq!(
            rt.block_on(store.count(RegistryTable::Audit)).unwrap(),
            audit_before
        );
        rt.block_on(store.close());

        assert_eq!(db.ok(&["ledger", "verify"]).trim(), "专账校验通过");

        // Tampering with one line: the posting no longer balances and the
        // account's running balance no longer matches its entries.
        rt.block_on(tamper(
            &db,
            "UPDATE ledger_entries SET debit_fen = debit_fen + 1 WHERE tx_id = 1 AND line = 1",
        ));
        let out = db.run(&["ledger", "verify"]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "[{b}] {stdout}");
        for needle in [
            "专账校验发现 2 处问题",
            "第 1 笔记账（拨入）借方合计 100000.01 元与贷方合计 100000.00 元不等",
            "账户 专账存款（UI）余额 100000.50 元与明细合计 100000.51 元不符",
        ] {
            assert!(stdout.contains(needle), "[{b}] {needle}: {stdout}");
        }

        // A running balance changed behind the ledger's back.
        rt.block_on(tamper(
            &db,
            "UPDATE ledger_entries SET debit_fen = debit_fen - 1 WHERE tx_id = 1 AND line = 1;
             UPDATE fund_sources SET expense_fen = 7 WHERE code = 'EMP_AID'",
        ));
        let out = db.run(&["ledger", "verify"]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "[{b}] {stdout}");
        assert!(
            stdout.contains("账户 补贴支出（EMP_AID）余额 0.07 元与明细合计 0.00 元不符")
                && stdout.contains("资金来源 EMP_AID 账不平"),
            "[{b}] {stdout}"
        );

        // A line on an account its fund does not have: the code is read by
        // the domain, not spelled in the query.
        rt.block_on(tamper(
            &db,
            "UPDATE ledger_entries SET account = 'cash:UI' WHERE tx_id = 1 AND line = 2",
        ));
        let out = db.run(&["ledger", "verify"]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "[{b}] {stdout}");
        assert!(
            stdout
                .contains("第 1 笔记账（拨入）第 2 行分录的账户「cash:UI」不是资金来源 UI 的账户"),
            "[{b}] {stdout}"
        );
    }
}

/// Claims LC001…LCnnn for 张三's certificate, on top of the shared registry.
fn with_claims(db: &TestDb, n: usize) {
    let f = fx();
    base(db, &f, "certificates");
    let rows: Vec<String> = (1..=n)
        .map(|i| {
            format!(
                "LC{i:03},职业培训补贴,{},S000001,,,,2024-05-01,,100",
                f.zhang
            )
        })
        .collect();
    load(db, "claims", CLAIMS, &rows);
}

fn fund<'a>(r: &'a [FundReport], code: &str) -> &'a FundReport {
    r.iter().find(|f| f.code == code).unwrap()
}

/// (allocated, advanced, paid, recovered, bank) in yuan text.
fn money(f: &FundReport) -> [String; 5] {
    [f.allocated, f.advanced, f.paid, f.recovered, f.bank].map(|m| m.to_string())
}

#[test]
fn claim_movements_through_the_store() {
    let rt = rt();
    for db in common::initialised("ledger_claims") {
        let b = db.backend;
        with_claims(&db, 5);
        rt.block_on(async {
            let s = db.store().await;
            let me = Actor::cli("tester");
            let (ui, emp) = (code("UI"), code("EMP"));
            assert_eq!(
                s.upsert_funds(
                    &[
                        (ui.clone(), "失业保险基金结余".into()),
                        (emp.clone(), "就业补助资金".into()),
                        (code("LOCAL"), "地方人才经费".into()),
                    ],
                    &me,
                )
                .await
                .unwrap(),
                (3, 0)
            );
            assert_eq!(
                s.upsert_funds(&[(code("LOCAL"), "地方人才发展经费".into())], &me)
                    .await
                    .unwrap(),
                (0, 1)
            );
            s.allocate(&ui, y("1000"), "", &me).await.unwrap();
            s.allocate(&emp, y("500"), "", &me).await.unwrap();
            let pay = |fund: &FundCode, claim: &str, amount: &str| Op::Pay {
                fund: fund.clone(),
                claim: claim.into(),
                amount: y(amount),
            };
            let refused = |r: Result<i64, StoreError>| match r {
                Err(StoreError::Ledger(e)) => e,
                other => panic!("[{b}] expected a refusal, got {other:?}"),
            };

            // R16: beyond the balance → refused, nothing written.
            let before = (
                s.ledger_report().await.unwrap(),
                s.count(RegistryTable::Audit).await.unwrap(),
            );
            let e = refused(s.post(&pay(&ui, "LC001", "1200"), &me).await);
            assert_eq!(
                e.to_string(),
                "资金来源 UI 专账余额 1000.00 元，不足以支付 1200.00 元：支付不得超过该资金来源的结存（专款专用）"
            );
            let after = (
                s.ledger_report().await.unwrap(),
                s.count(RegistryTable::Audit).await.unwrap(),
            );
            assert_eq!(after, before, "[{b}] a refused payment changes nothing");
            assert!(s.claim_ledger("LC001").await.unwrap().is_empty());

            // Paid once, from one fund (R17).
            s.post(&pay(&ui, "LC001", "800"), &me).await.unwrap();
            assert!(matches!(
                refused(s.post(&pay(&ui, "LC001", "1"), &me).await),
                LedgerError::AlreadyBooked { .. }
            ));
            assert!(matches!(
                refused(s.post(&pay(&emp, "LC001", "1"), &me).await),
                LedgerError::OtherFund { .. }
            ));

            // Advance, a settlement beyond the balance, then within it.
            let advance = |fund: &FundCode, claim: &str, amount: &str| Op::Advance {
                fund: fund.clone(),
                claim: claim.into(),
                amount: y(amount),
            };
            let settle = |fund: &FundCode, claim: &str, total: &str| Op::Settle {
                fund: fund.clone(),
                claim: claim.into(),
                total: y(total),
            };
            s.post(&advance(&emp, "LC002", "300"), &me).await.unwrap();
            let e = refused(s.post(&settle(&emp, "LC002", "600"), &me).await);
            assert!(
                e.to_string().contains("专账余额 200.00 元，不足以支付 300.00 元"),
                "{e}"
            );
            s.allocate(&emp, y("100"), "追加", &me).await.unwrap();
            s.post(&settle(&emp, "LC002", "600"), &me).await.unwrap();
            assert!(matches!(
                refused(s.post(&settle(&emp, "LC002", "600"), &me).await),
                LedgerError::AlreadySettled(_)
            ));
            s.post(&advance(&ui, "LC003", "150"), &me).await.unwrap();
            assert!(matches!(
                refused(s.post(&settle(&ui, "LC003", "100"), &me).await),
                LedgerError::SettleBelowAdvance { .. }
            ));
            assert!(matches!(
                refused(s.post(&settle(&ui, "LC004", "100"), &me).await),
                LedgerError::NotAdvanced(_)
            ));

            // Recovery returns the money to the claim's fund, once.
            let recover = |claim: &str| Op::Recover {
                claim: claim.into(),
            };
            s.post(&recover("LC001"), &me).await.unwrap();
            assert_eq!(
                refused(s.post(&recover("LC001"), &me).await),
                LedgerError::AlreadyRecovered("LC001".into())
            );
            assert_eq!(
                refused(s.post(&recover("LC004"), &me).await),
                LedgerError::NothingToRecover("LC004".into())
            );
            assert!(matches!(
                refused(s.post(&pay(&code("GHOST"), "LC004", "1"), &me).await),
                LedgerError::UnknownFund(_)
            ));
            assert!(matches!(
                refused(s.post(&pay(&ui, "LC001", "1"), &me).await),
                LedgerError::AlreadyBooked { .. }
            ));
            let st = s.claim_ledger("LC002").await.unwrap();
            assert_eq!(
                (st.fund, st.advanced, st.settled, st.recovered),
                (Some(emp.clone()), Some(y("300")), Some(y("600")), false)
            );

            let r = s.ledger_report().await.unwrap();
            let (u, e) = (fund(&r, "UI"), fund(&r, "EMP"));
            assert_eq!(
                money(u),
                ["1000.00", "150.00", "0.00", "800.00", "850.00"],
                "[{b}]"
            );
            assert_eq!(
                (u.claims_paid, u.claims_advanced, u.claims_recovered),
                (0, 1, 1)
            );
            assert_eq!(
                money(e),
                ["600.00", "0.00", "600.00", "0.00", "0.00"],
                "[{b}]"
            );
            assert_eq!(
                (e.claims_paid, e.claims_advanced, e.claims_recovered),
                (1, 0, 0)
            );
            assert_eq!(fund(&r, "LOCAL").name, "地方人才发展经费");
            assert_eq!(s.ledger_verify().await.unwrap(), Vec::<String>::new());

            // Claim statuses are checked against the postings.
            tamper(
                &db,
                "UPDATE claims SET status = 'recovered' WHERE claim_no = 'LC001';
                 UPDATE claims SET status = 'paid' WHERE claim_no = 'LC002';
                 UPDATE claims SET status = 'advanced' WHERE claim_no = 'LC003'",
            )
            .await;
            assert_eq!(s.ledger_verify().await.unwrap(), Vec::<String>::new());
            tamper(
                &db,
                "UPDATE claims SET status = 'paid' WHERE claim_no IN ('LC001', 'LC004');
                 UPDATE claims SET status = 'advanced' WHERE claim_no = 'LC002'",
            )
            .await;
            assert_eq!(
                s.ledger_verify().await.unwrap(),
                [
                    "申领 LC001 的状态为「已支付」，与专账记录不符（支付 1 笔、追回 1 笔）",
                    "申领 LC002 的状态为「已预拨」，与专账记录不符（预付 1 笔、清算 1 笔）",
                    "申领 LC004 的状态为「已支付」，与专账记录不符（没有记账）",
                ],
                "[{b}]"
            );

            // A settlement that no longer clears its advance.
            tamper(
                &db,
                "UPDATE ledger_entries SET credit_fen = credit_fen - 100
                 WHERE account = 'advances:EMP' AND credit_fen > 0",
            )
            .await;
            let v = s.ledger_verify().await.unwrap();
            for needle in [
                "（清算）借方合计 600.00 元与贷方合计 599.00 元不等",
                "账户 预付款（EMP）余额 0.00 元与明细合计 1.00 元不符",
                "已清算的申领 LC002 在账户 预付款（EMP）上仍有余额（1.00 元）",
            ] {
                assert!(v.iter().any(|m| m.contains(needle)), "[{b}] {needle}: {v:#?}");
            }

            // A second payment smuggled in behind the unique index's back
            // is named.
            tamper(&db, "DROP INDEX ledger_tx_claim_kind").await;
            tamper(
                &db,
                "UPDATE claims SET status = 'submitted';
                 INSERT INTO ledger_tx (at, kind, fund_code, claim_no, actor, memo)
                 VALUES ('2024-01-01T00:00:00Z', 'pay', 'EMP', 'LC003', 'x', '')",
            )
            .await;
            let v = s.ledger_verify().await.unwrap();
            for needle in [
                "笔记账（支付）没有分录",
                "申领 LC003 既有支付又有预付，重复支付",
                "申领 LC003 由 2 个资金来源记账",
            ] {
                assert!(v.iter().any(|m| m.contains(needle)), "[{b}] {needle}: {v:#?}");
            }
            s.close().await;
        });
    }
}

#[test]
fn racing_payments_never_overdraw_nor_pay_a_claim_twice() {
    let rt = rt();
    for db in common::initialised("ledger_race") {
        let b = db.backend;
        with_claims(&db, 41);
        rt.block_on(async {
            let s = db.store().await;
            let me = Actor::cli("tester");
            let (ui, emp) = (code("UI"), code("EMP"));
            s.upsert_funds(
                &[
                    (ui.clone(), "失业保险基金结余".into()),
                    (emp.clone(), "就业补助资金".into()),
                ],
                &me,
            )
            .await
            .unwrap();
            s.allocate(&ui, y("1000"), "", &me).await.unwrap();
            s.allocate(&emp, y("1000"), "", &me).await.unwrap();

            // 40 claims of 100 元 at once against 1000 元: exactly 10 paid.
            let mut set = tokio::task::JoinSet::new();
            for i in 1..=40 {
                let (s, me, ui) = (s.clone(), me.clone(), ui.clone());
                set.spawn(async move {
                    let op = Op::Pay {
                        fund: ui,
                        claim: format!("LC{i:03}"),
                        amount: y("100"),
                    };
                    s.post(&op, &me).await
                });
            }
            let (mut paid, mut short) = (0, 0);
            while let Some(r) = set.join_next().await {
                match r.unwrap() {
                    Ok(_) => paid += 1,
                    Err(StoreError::Ledger(LedgerError::Insufficient { .. })) => short += 1,
                    Err(e) => panic!("[{b}] {e}"),
                }
            }
            assert_eq!((paid, short), (10, 30), "[{b}]");

            // One claim paid from two funds at once, eight times: once.
            let mut set = tokio::task::JoinSet::new();
            for i in 0..8 {
                let (s, me) = (s.clone(), me.clone());
                let fund = if i % 2 == 0 { ui.clone() } else { emp.clone() };
                set.spawn(async move {
                    let op = Op::Pay {
                        fund,
                        claim: "LC041".into(),
                        amount: y("1"),
                    };
                    s.post(&op, &me).await
                });
            }
            let mut ok = 0;
            while let Some(r) = set.join_next().await {
                match r.unwrap() {
                    Ok(_) => ok += 1,
                    Err(StoreError::Ledger(
                        LedgerError::AlreadyBooked { .. }
                        | LedgerError::OtherFund { .. }
                        | LedgerError::Insufficient { .. },
                    )) => {}
                    Err(e) => panic!("[{b}] {e}"),
                }
            }
            assert_eq!(ok, 1, "[{b}]");

            let r = s.ledger_report().await.unwrap();
            let (u, e) = (fund(&r, "UI"), fund(&r, "EMP"));
            assert_eq!(u.paid + e.paid, y("1001"), "[{b}]");
            assert_eq!(u.claims_paid + e.claims_paid, 11, "[{b}]");
            assert_eq!(u.bank + e.bank, y("999"), "[{b}]");
            assert_eq!(s.ledger_verify().await.unwrap(), Vec::<String>::new());
            s.close().await;
        });
    }
}
