//! Filing subsidy claims on the web, on SQLite and PostgreSQL (demo loaded
//! by the real binary, the real router in-process): an enterprise files an
//! apprenticeship claim for an employee and sees the engine's decision; an
//! institution files for the passed trainees of its class; a worker
//! applies on their own certificate and a second identical application is
//! refused with the engine's reason (R17); every filer stays inside its
//! scope, and the officers see the claims of their own county only.

use crate::common;

use crate::common::http::*;
use axum::http::StatusCode;
use common::TestDb;
use jineng_domain::RegionCode;
use jineng_domain::access::{Role, Scope};
use jineng_store::{Actor, Store};

#[test]
fn claimants_file_within_their_scope_and_see_the_decision() {
    on_demo("web_filing", "300", async |db| {
        filing(db).await;
        db.ok(&["audit", "verify"]);
    });
}

/// The claim numbers a page links to that start with `prefix`.
fn filed(html: &str, prefix: &str) -> Vec<String> {
    let mut v: Vec<String> = html
        .split("href=\"/claims/")
        .skip(1)
        .map(|s| s[..s.find(['"', '?']).unwrap()].to_string())
        .filter(|s| s.starts_with(prefix))
        .collect();
    v.sort();
    v.dedup();
    v
}

async fn officer(store: &Store, login: &str, county: &str) -> jineng_web::DemoAccount {
    let scope = Scope::Region(RegionCode::parse(county).unwrap());
    jineng_web::create_account(
        store,
        login,
        county,
        Role::Officer,
        scope,
        &Actor("test:setup".into()),
    )
    .await
    .unwrap()
}

async fn filing(db: &TestDb) {
    let b = db.backend;
    let site = Site::open(db).await;
    let (app, store) = (site.app.clone(), site.store.clone());
    let actor = Actor("test:setup".into());
    let (school, worker) = (site.account("school"), site.account("worker"));
    let (Scope::Institution(inst), Scope::Person(wid)) = (&school.scope, &worker.scope) else {
        panic!("demo scopes")
    };
    let firm_code = common::credit("371502", "777");
    let firm = jineng_web::create_account(
        &store,
        "firm",
        "聊城测试机械有限公司",
        Role::Enterprise,
        Scope::Enterprise(jineng_domain::CreditCode::parse(&firm_code).unwrap()),
        &actor,
    )
    .await
    .unwrap();
    let mut sql = Sql::open(db).await;
    let school_code = sql
        .text(&format!(
            "SELECT credit_code FROM institutions WHERE institution_id = {inst}"
        ))
        .await;

    // An apprenticeship class (新型学徒制) of the school, imported as any upload.
    let classes = db.csv(
        "classes.csv",
        &format!(
            "班级编号,统一社会信用代码,培训类型,职业编码,等级,培训地,开班日期,结业日期,计划课时\n\
             XT2020001,{school_code},新型学徒制,6-31-01-03,四级,371502,2020-03-01,2021-02-28,160\n"
        ),
    );
    let (report, code) = db.import("classes", &classes, &[]);
    assert_eq!(code, 0, "[{b}] {report}");
    let apprentice_class = sql
        .int("SELECT class_id FROM classes WHERE class_no = 'XT2020001'")
        .await;

    // The employee: a demo person of working age (the demo also holds
    // pensioners, whom R5 refuses); the school enrols them in the class.
    let employee = |col: &str| {
        format!(
            "SELECT {col} FROM persons WHERE receives_pension = 0 AND birth_date > '1970-01-01' \
             ORDER BY person_id LIMIT 1"
        )
    };
    let emp_id = sql.text(&employee("id_number")).await;
    let emp_name = sql.text(&employee("name")).await;
    let emp_county = sql.text(&employee("hukou_region")).await;
    let (school_cookie, school_csrf) = login(&app, "school", &school.password).await;
    let r = post(
        &app,
        &format!("/classes/{apprentice_class}/roster/enrol"),
        &school_cookie,
        &[
            ("csrf", &school_csrf),
            ("id_number", &emp_id),
            ("name", &emp_name),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "[{b}] {}", r.body);

    // The enterprise files 新型学徒制补贴 and sees it decided with its reasons.
    let (firm_cookie, firm_csrf) = login(&app, "firm", &firm.password).await;
    let page = get(&app, "/enterprise/claims", &firm_cookie).await;
    assert_eq!(page.status, StatusCode::OK, "[{b}] {}", page.body);
    assert!(
        page.body.contains("<option value=\"新型学徒制补贴\">"),
        "[{b}]"
    );
    assert!(
        !page.body.contains("<option value=\"职业培训补贴\">"),
        "[{b}] not an enterprise's"
    );
    let claim = |name: &str, kind: &str| {
        vec![
            ("csrf", firm_csrf.clone()),
            ("subsidy_type", kind.to_string()),
            ("name", name.to_string()),
            ("id_number", emp_id.clone()),
            ("class_no", "XT2020001".to_string()),
            ("institution", school_code.clone()),
            ("applied_on", "2020-04-01".to_string()),
        ]
    };
    let firm_files = async |name: &str, kind: &str| {
        postv(&app, "/enterprise/claims", &firm_cookie, &claim(name, kind)).await
    };
    let r = firm_files(&emp_name, "新型学徒制补贴").await;
    assert_eq!(r.status, StatusCode::OK, "[{b}] {}", r.body);
    let nos = filed(&r.body, "WQ");
    assert_eq!(nos.len(), 1, "[{b}] {}", r.body);
    let apprentice = nos[0].clone();
    let (status, claimant): (String, String) = (
        sql.text(&format!(
            "SELECT status FROM claims WHERE claim_no = '{apprentice}'"
        ))
        .await,
        sql.text(&format!(
            "SELECT claimant_code FROM claims WHERE claim_no = '{apprentice}'"
        ))
        .await,
    );
    assert_eq!(claimant, firm_code, "[{b}]");
    assert!(
        ["eligible", "review"].contains(&status.as_str()),
        "[{b}] {status}"
    );
    let r = get(&app, &format!("/claims/{apprentice}"), &firm_cookie).await;
    assert_eq!(r.status, StatusCode::OK, "[{b}]");
    assert!(
        r.body.contains("新型学徒制") && r.body.contains("十二"),
        "[{b}] {}",
        r.body
    );

    // Refused: another name for the ID (冒名), a type the enterprise does not
    // file, a form without CSRF. Nothing is written.
    let mine = format!("SELECT COUNT(*) FROM claims WHERE claimant_code = '{firm_code}'");
    let r = firm_files("冒名者", "新型学徒制补贴").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{b}] {}", r.body);
    // The same answer as for an unregistered ID (no registration oracle).
    assert!(
        r.body.contains("未找到姓名与身份证号码相符的登记人员"),
        "[{b}] {}",
        r.body
    );
    let r = firm_files(&emp_name, "职业培训补贴").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{b}]");
    assert!(
        r.body.contains("不是您可以申领的补贴类型"),
        "[{b}] {}",
        r.body
    );
    let mut no_csrf = claim(&emp_name, "新型学徒制补贴");
    no_csrf.remove(0);
    let r = postv(&app, "/enterprise/claims", &firm_cookie, &no_csrf).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}]");
    assert_eq!(sql.int(&mine).await, 1, "[{b}] only the one filed");

    // The enterprise sees its own claim and nothing else.
    let r = get(&app, "/claims", &firm_cookie).await;
    assert_eq!(filed(&r.body, ""), vec![apprentice.clone()], "[{b}]");
    let demo_claim = sql
        .text("SELECT MIN(claim_no) FROM claims WHERE claim_no LIKE 'C%'")
        .await;
    let r = get(&app, &format!("/claims/{demo_claim}"), &firm_cookie).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}]");
    let some_person = sql.int("SELECT MAX(person_id) FROM persons").await;
    let r = get(&app, &format!("/persons/{some_person}"), &firm_cookie).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}]");

    // The institution files 职业培训补贴 for the passed trainees of a class;
    // a trainee without a certificate is refused with the reason.
    let class = sql
        .int(&format!(
            "SELECT MIN(e.class_id) FROM enrolments e JOIN classes k ON k.class_id = e.class_id \
             WHERE k.institution_id = {inst} AND e.completion = 'passed' \
             AND NOT EXISTS (SELECT 1 FROM claims c WHERE c.class_id = e.class_id AND c.person_id = e.person_id)"
        ))
        .await;
    // 职业培训补贴 filed by the school for the persons `p` of a class.
    let file_class = async |class: i64, applied_on: &str, p: &[String]| {
        let mut form = vec![
            ("csrf", school_csrf.clone()),
            ("subsidy_type", "职业培训补贴".to_string()),
            ("applied_on", applied_on.to_string()),
        ];
        form.extend(p.iter().map(|t| ("p", t.clone())));
        let path = format!("/classes/{class}/claims");
        postv(&app, &path, &school_cookie, &form).await
    };
    let page = get(&app, &format!("/classes/{class}/claims"), &school_cookie).await;
    assert_eq!(page.status, StatusCode::OK, "[{b}] {}", page.body);
    let ticks: Vec<String> = page
        .body
        .split("name=\"p\" value=\"")
        .skip(1)
        .filter(|s| !s[..s.find('>').unwrap()].contains("disabled"))
        .map(|s| s[..s.find('"').unwrap()].to_string())
        .collect();
    let passed = sql
        .int(&format!(
            "SELECT COUNT(*) FROM enrolments e WHERE class_id = {class} AND completion = 'passed' \
             AND NOT EXISTS (SELECT 1 FROM claims c WHERE c.class_id = e.class_id \
             AND c.person_id = e.person_id AND c.subsidy_type IN ('职业培训补贴', '创业培训补贴'))"
        ))
        .await;
    assert_eq!(
        ticks.len() as i64,
        passed,
        "[{b}] only passed trainees not yet claimed for can be ticked"
    );
    let before = sql.int("SELECT COUNT(*) FROM claims").await;
    let r = file_class(class, "2021-12-01", &ticks).await;
    assert_eq!(r.status, StatusCode::OK, "[{b}] {}", r.body);
    let inst_claims = filed(&r.body, "WJ");
    assert_eq!(inst_claims.len(), ticks.len(), "[{b}] {}", r.body);
    assert_eq!(
        sql.int("SELECT COUNT(*) FROM claims").await,
        before + passed,
        "[{b}]"
    );
    let undecided = sql
        .int("SELECT COUNT(*) FROM claims WHERE claim_no LIKE 'WJ%' AND status = 'submitted'")
        .await;
    assert_eq!(undecided, 0, "[{b}] decided at once");
    let emp_pid = sql
        .int(&format!(
            "SELECT person_id FROM persons WHERE id_number = '{emp_id}'"
        ))
        .await;
    let r = file_class(apprentice_class, "2021-03-01", &[emp_pid.to_string()]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{b}] {}", r.body);
    assert!(r.body.contains("尚无证书"), "[{b}] {}", r.body);
    // Another institution's trainee cannot be filed for.
    let stranger = sql
        .int(&format!(
            "SELECT MIN(e.person_id) FROM enrolments e JOIN classes k ON k.class_id = e.class_id \
             WHERE k.institution_id <> {inst} AND e.person_id NOT IN \
             (SELECT x.person_id FROM enrolments x JOIN classes y ON y.class_id = x.class_id WHERE y.institution_id = {inst})"
        ))
        .await;
    let r = file_class(class, "2021-03-01", &[stranger.to_string()]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}] {}", r.body);
    assert_eq!(
        sql.int("SELECT COUNT(*) FROM claims").await,
        before + passed,
        "[{b}]"
    );

    let ctx = Ctx {
        db,
        store: &store,
        app: &app,
        school_code: &school_code,
        worker,
        wid: *wid,
    };
    let first = worker_applies(&ctx, &mut sql).await;
    officers_see_their_county(&ctx, &mut sql, &first, &apprentice, &emp_county).await;
    store.close().await;
}

/// What the worker's and officers' parts share.
struct Ctx<'a> {
    db: &'a TestDb,
    store: &'a Store,
    app: &'a axum::Router,
    school_code: &'a str,
    worker: &'a jineng_web::DemoAccount,
    wid: i64,
}

/// The worker applies on a new certificate of their own, twice; returns
/// the first claim's number.
async fn worker_applies(ctx: &Ctx<'_>, sql: &mut Sql) -> String {
    let (db, app, b, wid, school_code, worker) = (
        ctx.db,
        ctx.app,
        ctx.db.backend,
        ctx.wid,
        ctx.school_code,
        ctx.worker,
    );
    // The worker: a new certificate and insured-employee status, uploaded.
    let w_id = sql
        .text(&format!(
            "SELECT id_number FROM persons WHERE person_id = {wid}"
        ))
        .await;
    let w_name = sql
        .text(&format!("SELECT name FROM persons WHERE person_id = {wid}"))
        .await;
    let cats = db.csv(
        "cats.csv",
        &format!("身份证号码,人员类别,起始日期,截止日期,证明材料\n{w_id},参保职工,2018-01-01,,\n"),
    );
    let (report, code) = db.import("categories", &cats, &[]);
    assert_eq!(code, 0, "[{b}] {report}");
    let certs = db.csv(
        "certs.csv",
        &format!(
            "证书编号,证书类型,姓名,身份证号码,职业编码,等级,发证日期,发证机构,班级编号\n\
             T2020000001,职业技能等级证书,{w_name},{w_id},6-31-01-03,四级,2020-06-01,{school_code},\n"
        ),
    );
    let (report, code) = db.import("certificates", &certs, &[]);
    assert_eq!(code, 0, "[{b}] {report}");
    let (w_cookie, w_csrf) = login(app, "worker", &worker.password).await;
    let page = get(app, "/me/claims", &w_cookie).await;
    assert_eq!(page.status, StatusCode::OK, "[{b}] {}", page.body);
    assert!(
        page.body.contains("<option value=\"T2020000001\">"),
        "[{b}]"
    );
    assert!(
        page.body.contains("<option value=\"技能提升补贴\">"),
        "[{b}]"
    );
    let apply = vec![
        ("csrf", w_csrf.clone()),
        ("subsidy_type", "技能提升补贴".to_string()),
        ("cert_no", "T2020000001".to_string()),
        ("applied_on", "2020-07-01".to_string()),
    ];
    let r = postv(app, "/me/claims", &w_cookie, &apply).await;
    assert_eq!(r.status, StatusCode::OK, "[{b}] {}", r.body);
    let first = filed(&r.body, "WG");
    assert_eq!(first.len(), 1, "[{b}] {}", r.body);
    let first = first[0].clone();
    let status = sql
        .text(&format!(
            "SELECT status FROM claims WHERE claim_no = '{first}'"
        ))
        .await;
    assert!(
        ["eligible", "review"].contains(&status.as_str()),
        "[{b}] {status}"
    );
    let r = get(app, &format!("/claims/{first}"), &w_cookie).await;
    assert_eq!(r.status, StatusCode::OK, "[{b}]");
    assert!(r.body.contains("技能提升补贴"), "[{b}]");
    // The same application again: refused by the engine (R17), with the reason.
    let r = postv(app, "/me/claims", &w_cookie, &apply).await;
    assert_eq!(r.status, StatusCode::OK, "[{b}] {}", r.body);
    let second = filed(&r.body, "WG")
        .into_iter()
        .find(|n| *n != first)
        .unwrap();
    assert!(r.body.contains("不予核准"), "[{b}] {}", r.body);
    let r = get(app, &format!("/claims/{second}"), &w_cookie).await;
    assert!(
        r.body.contains(&format!("已由申领 #{first} 享受")),
        "[{b}] {}",
        r.body
    );
    // The worker reads why in plain words, and what would be needed.
    let refusal = web_admin_between(&r.body, "id=\"refusal\"", "</section>");
    assert!(
        refusal.contains("不重复申领") && refusal.contains("需要：同一证书"),
        "[{b}] {refusal}"
    );
    // Only their own certificate: someone else's is refused.
    let other_cert = sql
        .text(&format!(
            "SELECT MIN(cert_no) FROM certificates WHERE person_id <> {wid}"
        ))
        .await;
    let mut theft = apply.clone();
    theft[2].1 = other_cert;
    let r = postv(app, "/me/claims", &w_cookie, &theft).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{b}] {}", r.body);
    assert!(r.body.contains("证书编号"), "[{b}] {}", r.body);

    first
}

/// The officer of the person's county sees the new claims; another does not.
async fn officers_see_their_county(
    ctx: &Ctx<'_>,
    sql: &mut Sql,
    first: &str,
    apprentice: &str,
    emp_county: &str,
) {
    let (store, app, b) = (ctx.store, ctx.app, ctx.db.backend);
    let w_county = sql
        .text(&format!(
            "SELECT hukou_region FROM persons WHERE person_id = {}",
            ctx.wid
        ))
        .await;
    let other_county = sql
        .text(&format!(
            "SELECT MIN(code) FROM regions WHERE parent_code = '371500' AND code <> '{w_county}' AND code <> '{emp_county}'"
        ))
        .await;
    for (login_name, county, no) in [
        ("wc", w_county.as_str(), first),
        ("ec", emp_county, apprentice),
    ] {
        let mine = officer(store, login_name, county).await;
        let (c, _) = login(app, login_name, &mine.password).await;
        assert_eq!(
            get(app, &format!("/claims/{no}"), &c).await.status,
            StatusCode::OK,
            "[{b}]"
        );
        let queue = get(app, "/claims", &c).await;
        assert!(
            filed(&queue.body, "W").contains(&no.to_string()),
            "[{b}] {no} in the {county} queue"
        );
    }
    let stranger_officer = officer(store, "oc", &other_county).await;
    let (c, _) = login(app, "oc", &stranger_officer.password).await;
    for no in [first, apprentice] {
        assert_eq!(
            get(app, &format!("/claims/{no}"), &c).await.status,
            StatusCode::FORBIDDEN,
            "[{b}]"
        );
    }
    let queue = get(app, "/claims", &c).await;
    assert!(
        !filed(&queue.body, "W").contains(&first.to_string()),
        "[{b}]"
    );
}

/// The text between `from` and the next `to` (empty when absent).
fn web_admin_between(body: &str, from: &str, to: &str) -> String {
    body.split_once(from)
        .and_then(|(_, rest)| rest.split_once(to))
        .map(|(inside, _)| inside.to_string())
        .unwrap_or_default()
}
