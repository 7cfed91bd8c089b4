//! Training vouchers (职业培训券, docs/vouchers.md) on SQLite and
//! PostgreSQL: issued by the real binary to the eligible persons of a
//! scope and to no one else, once (a re-run issues nothing); redeemed by
//! the institution of the class when the person enrols, and refused with
//! the reason for the wrong person, the wrong institution, an expired or
//! used voucher and a class of another level; the claim for that training
//! settling at the voucher's face value (not the catalogue's amount) with
//! the voucher in its trace; expired vouchers lapsing; every step on the
//! ledger's commitments, which verify and equal committed − released −
//! paid. On the web and the API: the clerk's form on the roster, the
//! officers' list, and the worker's own vouchers on /me, no one else's.

mod common;
mod web_client;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::fixtures::{CATEGORIES, CERTIFICATES, CLAIMS, CLASSES, INSTITUTIONS, PERSONS, ROSTER};
use common::fixtures::{load, policy_file, show_claim, sql_rows};
use common::{TestDb, credit, id};
use jineng_domain::access::{Role, Scope};
use jineng_store::{Actor, Store};
use serde_json::{Value, json};
use web_client::*;

/// The people and places of the scenario.
struct Fx {
    /// 甲 and 乙: registered unemployed in 东昌府区 (eligible).
    a: String,
    b: String,
    /// 丙: an employee (not eligible); 丁: unemployed in 阳谷县 (outside
    /// the scope); 戊: unemployed until 2018 only.
    c: String,
    d: String,
    e: String,
    school: String,
    other: String,
}

fn fx() -> Fx {
    Fx {
        a: id("371502", 1985, 3, 12, 11),
        b: id("371502", 1990, 7, 1, 22),
        c: id("371502", 1988, 1, 9, 33),
        d: id("371521", 1979, 5, 5, 44),
        e: id("371502", 1992, 2, 2, 55),
        school: credit("371502", "1"),
        other: credit("371502", "2"),
    }
}

/// 聊城's policy in force to 2099, its [vouchers] table a table of its
/// own: 家政服务员 五级 at 900 元, where the catalogue pays 800 元.
fn policy(db: &TestDb) -> String {
    let text = std::fs::read_to_string(policy_file("liaocheng-2019.toml")).unwrap();
    let base = &text[..text.find("[vouchers]").unwrap()];
    let file = format!(
        "{}[vouchers]
clause = \"二十一（培训券）\"
subsidy_type = \"职业培训补贴\"
fund = \"ES\"
valid_months = 6
eligible = [\"登记失业人员\"]
kinds = [{{ code = \"JZ5\", name = \"家政初级券\", occupations = [\"4-10-01-06\"], level = \"五级\", yuan = 900 }}]
",
        base.replace("valid_to = \"2021-12-31\"", "valid_to = \"2099-12-31\"")
    );
    let path = db.path("vouchers-policy.toml");
    std::fs::write(&path, file).unwrap();
    path.to_str().unwrap().to_string()
}

/// Today and a day `days` later, as text.
fn day(days: i64) -> String {
    (chrono::Local::now().date_naive() + chrono::Duration::days(days)).to_string()
}

fn registry(db: &TestDb, f: &Fx) {
    let persons = [
        ("甲", &f.a, "371502"),
        ("乙", &f.b, "371502"),
        ("丙", &f.c, "371502"),
        ("丁", &f.d, "371521"),
        ("戊", &f.e, "371502"),
    ];
    let rows: Vec<String> = persons
        .iter()
        .map(|(n, i, r)| format!("{n},{i},{r}"))
        .collect();
    load(db, "persons", PERSONS, &rows);
    load(
        db,
        "categories",
        CATEGORIES,
        &[
            format!("{},登记失业人员,2018-01-01,,", f.a),
            format!("{},登记失业人员,2018-01-01,,", f.b),
            format!("{},企业职工,2018-01-01,,", f.c),
            format!("{},登记失业人员,2018-01-01,,", f.d),
            format!("{},登记失业人员,2017-01-01,2018-12-31,", f.e),
        ],
    );
    load(
        db,
        "institutions",
        INSTITUTIONS,
        &[
            format!("聊城市技工学校,{},技工院校,371502,是,2018-01-01,", f.school),
            format!(
                "东昌府区家政培训学校,{},民办培训机构,371502,是,2018-01-01,",
                f.other
            ),
        ],
    );
    let (s, o) = (&f.school, &f.other);
    let (start, end) = (day(10), day(40));
    load(
        db,
        "classes",
        CLASSES,
        &[
            format!(
                "K1,{s},就业技能培训,4-10-01-06,家政服务员,五级,371502,2019-03-10,2019-03-30,80"
            ),
            format!(
                "K2,{s},就业技能培训,4-10-01-06,家政服务员,四级,371502,2019-03-10,2019-03-30,80"
            ),
            format!(
                "K3,{o},就业技能培训,4-10-01-06,家政服务员,五级,371502,2019-03-10,2019-03-30,80"
            ),
            format!("W1,{s},就业技能培训,4-10-01-06,家政服务员,五级,371502,{start},{end},80"),
        ],
    );
    load(
        db,
        "roster",
        ROSTER,
        &[
            format!("K1,{s},甲,{},80,0,合格", f.a),
            format!("K2,{s},甲,{},80,0,合格", f.a),
            format!("K1,{s},乙,{},80,0,合格", f.b),
            format!("W1,{s},甲,{},0,0,未结业", f.a),
            format!("W1,{s},乙,{},0,0,未结业", f.b),
        ],
    );
    load(
        db,
        "certificates",
        CERTIFICATES,
        &[format!(
            "E1,职业技能等级证书,甲,{},4-10-01-06,五级,2019-04-10,{s},K1",
            f.a
        )],
    );
    load(
        db,
        "claims",
        CLAIMS,
        &[format!("SLV1,职业培训补贴,{},E1,,,,2019-05-01,,", f.a)],
    );
    db.ok(&["policy", "load", &policy(db)]);
    db.ok(&["ledger", "allocate", "--fund", "ES", "--amount", "100000"]);
}

fn json_of(out: &str) -> Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

/// The voucher numbers of a person, by year.
fn vouchers_of(db: &TestDb, id_number: &str, year: i32) -> Vec<String> {
    sql_rows(
        db,
        &format!(
            "SELECT v.voucher_no FROM vouchers v JOIN persons p ON p.person_id = v.person_id \
             WHERE p.id_number = '{id_number}' AND v.year = {year} ORDER BY v.voucher_no"
        ),
    )
    .into_iter()
    .map(|r| r[0].clone())
    .collect()
}

/// The fund's running commitment, and Σ committed − Σ released by lapse
/// − Σ released by payment, recomputed from the postings.
fn commitments(db: &TestDb) -> (i64, i64, i64, i64, i64) {
    let kept: i64 = sql_rows(
        db,
        "SELECT committed_fen FROM fund_sources WHERE code = 'ES'",
    )[0][0]
        .parse()
        .unwrap();
    let sum = |cond: &str| -> i64 {
        sql_rows(
            db,
            &format!(
                "SELECT CAST(COALESCE(SUM(e.debit_fen), 0) AS BIGINT) FROM ledger_entries e \
                 JOIN ledger_tx t ON t.tx_id = e.tx_id JOIN vouchers v ON v.voucher_no = t.voucher_no \
                 WHERE {cond}"
            ),
        )[0][0]
            .parse()
            .unwrap()
    };
    let committed = sum("t.kind = 'commit' AND e.account = 'committed:ES'");
    let lapsed = sum("t.kind = 'release' AND e.account = 'pledge:ES' AND v.status = 'lapsed'");
    let paid = sum("t.kind = 'release' AND e.account = 'pledge:ES' AND v.claim_no IS NOT NULL");
    (kept, committed, lapsed, paid, committed - lapsed - paid)
}

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
        registry(&db, &f);
        let issue = |extra: &[&str]| {
            let mut args = vec![
                "vouchers",
                "issue",
                "--scope",
                "371502",
                "--year",
                "2019",
                "--on",
                "2019-03-01",
                "--json",
            ];
            args.extend_from_slice(extra);
            json_of(&db.ok(&args))
        };
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
        let text = db.ok(&[
            "vouchers",
            "issue",
            "--scope",
            "371502",
            "--year",
            "2019",
            "--on",
            "2019-03-01",
        ]);
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

#[test]
fn the_web_and_the_api_redeem_list_and_show_vouchers() {
    let f = fx();
    let rt = tokio::runtime::Runtime::new().unwrap();
    for db in common::initialised("vouchers_web") {
        registry(&db, &f);
        let year = chrono::Local::now().date_naive().format("%Y").to_string();
        db.ok(&["vouchers", "issue", "--scope", "371502", "--year", &year]);
        let year: i32 = year.parse().unwrap();
        let va = vouchers_of(&db, &f.a, year)[0].clone();
        let vb = vouchers_of(&db, &f.b, year)[0].clone();
        rt.block_on(web(&db, &f, &va, &vb));
        assert!(db.ok(&["ledger", "verify"]).contains("专账校验通过"));
        assert!(db.ok(&["audit", "verify"]).contains("审计链校验通过"));
    }
}

async fn person_id(sql: &mut Sql, idn: &str) -> i64 {
    sql.int(&format!(
        "SELECT person_id FROM persons WHERE id_number = '{idn}'"
    ))
    .await
}

async fn post_json(
    app: &axum::Router,
    path: &str,
    token: &str,
    body: Value,
) -> (StatusCode, Value) {
    let req = Request::post(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let r = send(app, req).await;
    (r.status, serde_json::from_str(&r.body).unwrap_or_default())
}

async fn web(db: &TestDb, f: &Fx, va: &str, vb: &str) {
    let b = db.backend;
    let store = Store::connect(&db.url).await.unwrap();
    let actor = Actor("test:setup".into());
    let mut sql = Sql::open(db).await;
    let inst = |code: &str| {
        format!("SELECT institution_id FROM institutions WHERE credit_code = '{code}'")
    };
    let (school, other) = (
        sql.int(&inst(&f.school)).await,
        sql.int(&inst(&f.other)).await,
    );
    let w1 = sql
        .int("SELECT class_id FROM classes WHERE class_no = 'W1'")
        .await;
    let pa = person_id(&mut sql, &f.a).await;
    let account = |login: &'static str, role: Role, scope: Scope| {
        let store = store.clone();
        let actor = actor.clone();
        async move {
            jineng_web::create_account(&store, login, login, role, scope, &actor)
                .await
                .unwrap()
        }
    };
    let clerk = account("clerk", Role::Institution, Scope::Institution(school)).await;
    let rival = account("rival", Role::Institution, Scope::Institution(other)).await;
    let officer = account(
        "officer",
        Role::Officer,
        Scope::Region(jineng_domain::RegionCode::parse("371500").unwrap()),
    )
    .await;
    let worker = account("jia", Role::Worker, Scope::Person(pa)).await;
    let app = app_of(&store);

    // The clerk redeems 甲's voucher on the roster; the flash says so and
    // the class's vouchers list it.
    let (cookie, csrf) = login(&app, "clerk", &clerk.password).await;
    let roster = format!("/classes/{w1}/roster");
    let page = get(&app, &roster, &cookie).await;
    assert!(
        page.body.contains("培训券核验") && page.body.contains(&format!("/classes/{w1}/vouchers")),
        "[{b}]"
    );
    let path = format!("/classes/{w1}/vouchers");
    // 乙's voucher with 甲's ID: refused, the input kept, the reason shown.
    let r = post(
        &app,
        &path,
        &cookie,
        &[("csrf", &csrf), ("voucher_no", vb), ("id_number", &f.a)],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{b}]");
    assert!(
        r.body.contains("不属于该学员") && r.body.contains(&format!("value=\"{vb}\"")),
        "[{b}] {}",
        r.body
    );
    let r = post(
        &app,
        &path,
        &cookie,
        &[("csrf", &csrf), ("voucher_no", va), ("id_number", &f.a)],
    )
    .await;
    assert_eq!(
        r.redirected.as_deref(),
        Some(roster.as_str()),
        "[{b}] {}",
        r.body
    );
    assert!(
        r.body
            .contains(&format!("已核验培训券 {va}（家政初级券，面值 900.00 元）")),
        "[{b}] {}",
        r.body
    );
    assert!(
        r.body.contains("id=\"class-vouchers\"") && r.body.contains(va),
        "[{b}]"
    );
    // Another institution's clerk reaches neither the class nor the voucher.
    let (rc, rcsrf) = login(&app, "rival", &rival.password).await;
    let r = post_raw(
        &app,
        &path,
        &rc,
        &[("csrf", &rcsrf), ("voucher_no", vb), ("id_number", &f.b)],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}] {}", r.body);

    // The API: the clerk redeems 乙's; again is a conflict with the reason;
    // the rival and an officer may not.
    let token = |id: i64| {
        let store = store.clone();
        let actor = actor.clone();
        async move {
            jineng_web::issue_api_token(&store, id, "t", &actor)
                .await
                .unwrap()
        }
    };
    let (ct, rt_, ot) = (
        token(clerk.account_id).await,
        token(rival.account_id).await,
        token(officer.account_id).await,
    );
    let body = json!({ "voucher_no": vb, "id_number": f.b });
    let api_path = format!("/api/v1/classes/{w1}/vouchers");
    let (s, v) = post_json(&app, &api_path, &rt_, body.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "[{b}] {v}");
    let (s, v) = post_json(&app, &api_path, &ot, body.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "[{b}] {v}");
    let (s, v) = post_json(&app, &api_path, &ct, body.clone()).await;
    assert_eq!(
        (s, &v["face_fen"], &v["class_no"]),
        (StatusCode::OK, &json!(90_000), &json!("W1")),
        "[{b}] {v}"
    );
    let (s, v) = post_json(&app, &api_path, &ct, body).await;
    assert_eq!(s, StatusCode::CONFLICT, "[{b}] {v}");
    assert!(
        v["error"].as_str().unwrap().contains("不能再次使用"),
        "[{b}] {v}"
    );
    let (s, v) = post_json(
        &app,
        &api_path,
        &ct,
        json!({ "voucher_no": " ", "id_number": f.b }),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "[{b}] {v}");

    // The officers' list: totals, masked IDs, the status filter, search.
    let (s, v) = api(&app, "GET", "/api/v1/vouchers", &ot).await;
    assert_eq!(
        (s, &v["total"], &v["totals"]["used"]),
        (StatusCode::OK, &json!(2), &json!(2)),
        "[{b}] {v}"
    );
    assert!(!v.to_string().contains(&f.a), "[{b}] masked");
    let (s, v) = api(&app, "GET", "/api/v1/vouchers", &ct).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "[{b}] {v}");
    let (oc, _) = login(&app, "officer", &officer.password).await;
    let list = get(&app, "/vouchers", &oc).await;
    assert_eq!(list.status, StatusCode::OK, "[{b}]");
    for needle in [
        "id=\"voucher-totals\"",
        "尚在承诺",
        "1,800.00 元",
        va,
        vb,
        "已使用",
        "id=\"committed-ES\"",
    ] {
        assert!(list.body.contains(needle), "[{b}] {needle}");
    }
    assert!(!list.body.contains(&f.a), "[{b}] the ID is masked");
    let found = get(&app, &format!("/vouchers?q={}", &va[9..]), &oc).await;
    assert!(
        found.body.contains(va) && !found.body.contains(vb),
        "[{b}] search by number"
    );
    let lapsed = get(&app, "/vouchers?status=lapsed", &oc).await;
    assert!(lapsed.body.contains("没有符合条件的培训券"), "[{b}]");
    let bad = get(&app, "/vouchers?status=nope", &oc).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "[{b}]");
    let trail = get(&app, "/audit?entity=voucher", &oc).await;
    assert!(
        trail.status == StatusCode::OK && trail.body.contains("核验使用培训券"),
        "[{b}] the redemption is in the audit trail"
    );
    let ledger = get(&app, "/ledger", &oc).await;
    assert!(
        ledger.body.contains("其中培训券承诺")
            && ledger.body.contains("id=\"committed-ES\">1,800.00 元"),
        "[{b}]"
    );

    // The worker sees their own voucher on /me, and not 乙's.
    let (wc, _) = login(&app, "jia", &worker.password).await;
    let me = get(&app, "/me", &wc).await;
    assert_eq!(me.status, StatusCode::OK, "[{b}]");
    for needle in [
        "职业培训券",
        va,
        "家政初级券",
        "900.00 元",
        "已使用",
        "培训班 W1",
    ] {
        assert!(me.body.contains(needle), "[{b}] {needle}: {}", me.body);
    }
    assert!(!me.body.contains(vb), "[{b}] not another's voucher");
    assert_eq!(
        get(&app, "/vouchers", &wc).await.status,
        StatusCode::FORBIDDEN,
        "[{b}]"
    );
}
