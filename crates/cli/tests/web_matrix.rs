//! Every page and API route × every demo role, on SQLite and PostgreSQL:
//! each answer is a page, a redirect to sign in or 403 — never a server
//! error — and no answer carries a claim number outside the account's
//! scope (the claims of other counties' persons for the county officer,
//! of other institutions' classes for the clerk, of other persons for the
//! worker), whether in a list, a count's drill-down, an export or the API.
//! Records outside the scope opened by their address are 403. The 监管
//! routes (with cases planted through the binary) answer each role with
//! the status the role and the case's region call for.

use crate::common;

use crate::plant;

use crate::common::http::{COUNTY, Site, Sql};
use axum::http::StatusCode;
use common::{TestDb, backends};
use jineng_domain::access::{Role, Scope};

/// Routes with no record in their address, as a user would open them.
const PAGES: &[&str] = &[
    "/",
    "/persons?q=%E5%BC%A0",
    "/me",
    "/me/claims",
    "/me/archive.json",
    "/verify",
    "/claims",
    "/claims?status=paid",
    "/claims?status=eligible",
    "/classes",
    "/institutions",
    "/catalogue",
    "/ledger",
    "/ledger/postings.csv",
    "/vouchers",
    "/vouchers?status=used&sort=face&dir=desc",
    "/audit",
    "/audit?entity=claim",
    "/audit?entity=claims",
    "/audit?entity=ledger_tx",
    "/account",
    "/accounts",
    "/dashboard",
    "/policy/standards",
    "/policy/standards?year=2019&sort=paid_fen&dir=desc",
    "/policy/standards.xlsx?year=2019",
    "/tasks",
    "/imports",
    "/enterprise/claims",
    "/funds",
    "/certificates/lookup",
    "/supervision/cases",
    "/supervision/cases?status=open&sort=severity",
    "/supervision/credit",
    "/supervision/draws",
    "/public/credit",
    "/public/draws",
    "/.well-known/did.json",
    "/credentials/status/1",
    "/me/archive.pdf",
    "/claims/approve-clean",
    "/claims/pay-approved",
    "/claims/validity",
    "/classes/new",
    "/policy/whatif",
];

/// The 监管 routes with no record in their address: officers and
/// auditors come in, every other role is 403; the public pages are open.
const SUPERVISION: &[(&str, bool)] = &[
    ("/supervision/cases", false),
    ("/supervision/credit", false),
    ("/supervision/draws", false),
    ("/api/v1/supervision/cases", false),
    ("/api/v1/supervision/ratings", false),
    ("/api/v1/supervision/draws", false),
    ("/public/credit", true),
    ("/public/draws", true),
];

const API: &[&str] = &[
    "/api/v1/me",
    "/api/v1/figures",
    "/api/v1/persons?q=%E5%BC%A0",
    "/api/v1/claims",
    "/api/v1/claims?status=paid",
    "/api/v1/classes",
    "/api/v1/ledger",
    "/api/v1/vouchers",
    "/api/v1/vouchers?status=lapsed&per_page=10",
    "/api/v1/progress",
    "/api/v1/reports/standards",
    "/api/v1/reports/standards?year=2019",
    "/api/v1/supervision/cases",
    "/api/v1/supervision/ratings",
    "/api/v1/supervision/draws",
    "/api/v1/learning-sessions",
    "/api/v1/pay/batches",
];

/// Routes the walk does not open, each with where its access is decided
/// or tested instead.
const NOT_WALKED: &[(&str, &str)] = &[
    ("/login", "the sign-in form: public"),
    ("/assets/{file}", "static files: public"),
    ("/favicon.ico", "static file: public"),
    ("/healthz", "liveness: public, no data"),
    (
        "/api/openapi.json",
        "the API's description: public, no data",
    ),
    (
        "/templates/{file}",
        "blank import templates: public, no data",
    ),
    (
        "/api/v1/certificates/lookup",
        "public lookup by name and number (web_lookup.rs)",
    ),
    ("/metrics", "scraper token only (metrics.rs)"),
    (
        "/dashboard/chart.svg",
        "one chart of /dashboard's figures, through the same scoped load",
    ),
    (
        "/certificates/{no}/pdf",
        "holder or officer in scope (archive_web.rs)",
    ),
    (
        "/imports/{id}",
        "the uploader's own job (web_imports.rs, web_uploads.rs)",
    ),
    (
        "/imports/{id}/progress",
        "the uploader's own job (web_imports.rs)",
    ),
    (
        "/imports/{id}/errors.xlsx",
        "the uploader's own job (web_uploads.rs)",
    ),
    (
        "/imports/{id}/errors.csv",
        "the uploader's own job (web_uploads.rs)",
    ),
    (
        "/api/v1/imports/{id}",
        "the client's own job (api_imports.rs)",
    ),
    (
        "/policy/whatif/{id}",
        "the officer's own run (whatif_web.rs)",
    ),
    (
        "/policy/whatif/{id}/report.xlsx",
        "the officer's own run (whatif_web.rs)",
    ),
    (
        "/api/v1/pay/batches/{id}",
        "finance and officers in scope (pay_bank.rs)",
    ),
];

/// Whether the concrete `path` (query dropped) is an instance of the
/// route `pattern` (`{x}` matches one segment).
fn instance_of(path: &str, pattern: &str) -> bool {
    let path = path.split('?').next().unwrap_or_default();
    let (a, b): (Vec<_>, Vec<_>) = (path.split('/').collect(), pattern.split('/').collect());
    a.len() == b.len()
        && a.iter()
            .zip(&b)
            .all(|(x, y)| x == y || (y.starts_with('{') && y.ends_with('}')))
}

/// The router's GET routes, read off its source: a page added there
/// without a place in this matrix fails here.
#[test]
fn every_get_route_of_the_router_is_walked_or_accounted_for() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/src");
    let mut source = String::new();
    for f in ["lib.rs", "api/mod.rs"] {
        source.push_str(&std::fs::read_to_string(root.join(f)).unwrap());
    }
    let mut routes = Vec::new();
    for part in source.split(".route(").skip(1) {
        let path = part.split('"').nth(1).unwrap();
        let rest = &part[part.find('"').unwrap() + path.len() + 2..];
        if rest
            .trim_start_matches(|c: char| c == ',' || c.is_whitespace())
            .starts_with("get(")
        {
            routes.push(path.to_string());
        }
    }
    assert!(routes.len() > 60, "found only {} GET routes", routes.len());
    let walked: Vec<String> = PAGES
        .iter()
        .chain(API)
        .map(|p| p.to_string())
        .chain(SUPERVISION.iter().map(|(p, _)| p.to_string()))
        .chain(
            [
                "/claims/{no}",
                "/api/v1/claims/{no}",
                "/classes/{id}",
                "/classes/{id}/roster",
                "/classes/{id}/claims",
                "/api/v1/classes/{id}",
                "/persons/{id}",
                "/persons/{id}/archive.json",
                "/persons/{id}/archive.pdf",
                "/api/v1/persons/{id}",
                "/institutions/{id}",
                "/supervision/cases/{case_no}",
                "/api/v1/supervision/cases/{case_no}",
                "/supervision/draws/{draw_no}",
            ]
            .map(String::from),
        )
        .collect();
    let missing: Vec<&String> = routes
        .iter()
        .filter(|r| !walked.iter().any(|w| w == *r || instance_of(w, r)))
        .filter(|r| !NOT_WALKED.iter().any(|(p, _)| p == r))
        .collect();
    assert!(
        missing.is_empty(),
        "GET routes neither walked by the matrix nor accounted for: {missing:?}"
    );
}

#[test]
fn no_route_shows_a_role_anything_outside_its_scope() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for db in backends("web_matrix") {
        db.demo(&["--persons", "600"]);
        let inspectors = db.csv(
            "inspectors.csv",
            "检查人员编号,姓名,所在单位\nJC01,张检查,市人社局\nJC02,李检查,市人社局\n",
        );
        assert_eq!(db.import("inspectors", &inspectors, &[]).1, 0);
        db.ok(&[
            "inspect",
            "draw",
            "--year",
            "2019",
            "--seed",
            "matrix-1",
            "--institutions",
            "3",
            "--inspectors",
            "1",
        ]);
        db.ok(&["credit", "rate", "--year", "2019"]);
        // One credential, so that status list 1 is published.
        // (The demo revokes one certificate; a revoked one is not issued.)
        let cert = &common::fixtures::sql_rows(
            &db,
            "SELECT MIN(c.cert_no) FROM certificates c WHERE NOT EXISTS \
             (SELECT 1 FROM certificate_revocations r WHERE r.cert_no = c.cert_no AND r.cert_type = c.cert_type)",
        )[0][0];
        db.ok(&[
            "cert",
            "issue",
            cert,
            "--out",
            db.path("vc").to_str().unwrap(),
        ]);
        rt.block_on(walk(&db));
    }
}

/// The claim numbers an account must never see, and one record of each
/// kind outside its scope (claim number, class id, person id).
struct Outside {
    claims: Vec<String>,
    claim: Option<String>,
    class: Option<i64>,
    person: Option<i64>,
    institution: Option<i64>,
}

async fn outside(sql: &mut Sql, scope: &Scope) -> Outside {
    let (claims, classes, persons, institutions) = match scope {
        Scope::Region(r) => {
            let p = r.subtree_prefix();
            (
                format!(
                    "SELECT k.claim_no FROM claims k JOIN persons p ON p.person_id = k.person_id \
                     WHERE p.hukou_region NOT LIKE '{p}%' ORDER BY k.claim_no"
                ),
                format!("SELECT class_id AS id FROM classes WHERE site_region NOT LIKE '{p}%'"),
                format!("SELECT person_id AS id FROM persons WHERE hukou_region NOT LIKE '{p}%'"),
                format!(
                    "SELECT institution_id AS id FROM institutions WHERE region_code NOT LIKE '{p}%'"
                ),
            )
        }
        Scope::Institution(i) => (
            format!(
                "SELECT claim_no FROM claims WHERE class_id IS NULL OR class_id NOT IN \
                 (SELECT class_id AS id FROM classes WHERE institution_id = {i}) ORDER BY claim_no"
            ),
            format!("SELECT class_id AS id FROM classes WHERE institution_id <> {i}"),
            format!(
                "SELECT person_id AS id FROM persons WHERE person_id NOT IN (SELECT e.person_id FROM \
                 enrolments e JOIN classes c ON c.class_id = e.class_id WHERE c.institution_id = {i})"
            ),
            format!("SELECT institution_id AS id FROM institutions WHERE institution_id <> {i}"),
        ),
        Scope::Person(p) => (
            format!("SELECT claim_no FROM claims WHERE person_id <> {p} ORDER BY claim_no"),
            format!(
                "SELECT class_id AS id FROM classes WHERE class_id NOT IN \
                 (SELECT class_id FROM enrolments WHERE person_id = {p})"
            ),
            format!("SELECT person_id AS id FROM persons WHERE person_id <> {p}"),
            format!(
                "SELECT institution_id AS id FROM institutions WHERE institution_id NOT IN \
                 (SELECT k.institution_id FROM classes k JOIN enrolments e ON e.class_id = k.class_id \
                 WHERE e.person_id = {p})"
            ),
        ),
        Scope::Enterprise(c) => (
            format!(
                "SELECT claim_no FROM claims WHERE claimant_code IS NULL OR claimant_code <> '{}' \
                 ORDER BY claim_no",
                c.as_str()
            ),
            "SELECT class_id AS id FROM classes WHERE 1 = 0".into(),
            "SELECT person_id AS id FROM persons WHERE 1 = 0".into(),
            format!(
                "SELECT institution_id AS id FROM institutions WHERE credit_code <> '{}'",
                c.as_str()
            ),
        ),
        // No account has it: nothing lies outside.
        Scope::Jurisdiction => (
            "SELECT claim_no FROM claims WHERE 1 = 0".into(),
            "SELECT class_id AS id FROM classes WHERE 1 = 0".into(),
            "SELECT person_id AS id FROM persons WHERE 1 = 0".into(),
            "SELECT institution_id AS id FROM institutions WHERE 1 = 0".into(),
        ),
    };
    let claims = sql.texts(&claims).await;
    let first = |q: String| format!("SELECT MIN(id) FROM ({q}) t");
    Outside {
        claim: claims.first().cloned(),
        class: sql.opt_int(&first(classes)).await,
        person: sql.opt_int(&first(persons)).await,
        institution: sql.opt_int(&first(institutions)).await,
        claims,
    }
}

async fn walk(db: &TestDb) {
    let b = db.backend;
    let site = Site::open(db).await;
    let mut sql = Sql::open(db).await;
    let cases = plant::plant(db, &mut sql).await;
    let draw_no = sql.text("SELECT MIN(draw_no) FROM inspection_draws").await;
    let mut county_saw_its_claims = false;
    for account in &site.accounts {
        let who = format!("[{b}] {}", account.login);
        let out = outside(&mut sql, &account.scope).await;
        let (cookie, _) = site.login(&account.login).await;
        let token = jineng_web::issue_api_token(
            &site.store,
            account.account_id,
            "matrix",
            &jineng_store::Actor("test:matrix".into()),
        )
        .await
        .unwrap();
        let leaks = |path: &str, body: &str| {
            let leaked: Vec<&String> = out
                .claims
                .iter()
                .filter(|c| body.contains(c.as_str()))
                .collect();
            assert!(
                leaked.is_empty(),
                "{who} {path} shows claims outside its scope: {leaked:?}"
            );
        };
        for path in PAGES {
            let r = site.get(path, &cookie).await;
            assert!(
                matches!(
                    r.status,
                    StatusCode::OK | StatusCode::SEE_OTHER | StatusCode::FORBIDDEN
                ),
                "{who} {path}: {}",
                r.status
            );
            leaks(path, &r.body);
            if account.login == "county" && *path == "/claims" {
                let own = sql
                    .text(&format!(
                        "SELECT MIN(k.claim_no) FROM claims k JOIN persons p ON p.person_id = k.person_id \
                         WHERE p.hukou_region = '{COUNTY}'"
                    ))
                    .await;
                // The queue is paged: its first claim by number leads
                // when sorted by number.
                let sorted = site.get("/claims?sort=claim_no&dir=asc", &cookie).await;
                leaks("/claims?sort=claim_no", &sorted.body);
                county_saw_its_claims = sorted.body.contains(&own);
            }
        }
        for path in API {
            let (status, json) = site.api("GET", path, &token).await;
            assert!(
                matches!(status, StatusCode::OK | StatusCode::FORBIDDEN),
                "{who} {path}: {status}"
            );
            leaks(path, &json.to_string());
        }
        // The 监管 routes, by role; a case by its region.
        let supervises = matches!(account.role, Role::Officer | Role::Auditor);
        let mut expect: Vec<(String, StatusCode)> = SUPERVISION
            .iter()
            .map(|(path, public)| {
                let ok = *public || supervises;
                let s = if ok {
                    StatusCode::OK
                } else {
                    StatusCode::FORBIDDEN
                };
                (path.to_string(), s)
            })
            .collect();
        let in_county = account.login == "county";
        for (case, reaches_county) in [
            (&cases.county, true),
            (&cases.cross, true),
            (&cases.outside, false),
        ] {
            let ok = supervises && (!in_county || reaches_county);
            let s = if ok {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            };
            expect.push((format!("/supervision/cases/{}", case.case_no), s));
            expect.push((format!("/api/v1/supervision/cases/{}", case.case_no), s));
        }
        let s = if supervises {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        expect.push((format!("/supervision/draws/{draw_no}"), s));
        for (path, want) in &expect {
            let (status, body) = if path.starts_with("/api/") {
                let (s, v) = site.api("GET", path, &token).await;
                (s, v.to_string())
            } else {
                let r = site.get(path, &cookie).await;
                (r.status, r.body)
            };
            assert_eq!(status, *want, "{who} {path}");
            leaks(path, &body);
        }
        // Closing a case outside the role or the scope is 403 and
        // changes nothing (a fresh session, so the CSRF token is right).
        let closes = account.role == Role::Officer && !in_county;
        if !closes {
            let (fresh, csrf) = site.login(&account.login).await;
            let r = site
                .post(
                    &format!("/supervision/cases/{}/close", cases.outside.case_no),
                    &fresh,
                    &[
                        ("csrf", &csrf),
                        ("finding", "不属实"),
                        ("note", "矩阵"),
                        ("confirm", "yes"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{who} close");
            let open = sql
                .text(&format!(
                    "SELECT status FROM supervision_cases WHERE case_no = '{}'",
                    cases.outside.case_no
                ))
                .await;
            assert_eq!(open, "open", "{who} closed nothing");
        }

        // Records outside the scope, opened by their address.
        let mut direct = Vec::new();
        if let Some(no) = &out.claim {
            direct.push(format!("/claims/{no}"));
            direct.push(format!("/api/v1/claims/{no}"));
        }
        if let Some(id) = out.class {
            direct.push(format!("/classes/{id}"));
            direct.push(format!("/classes/{id}/roster"));
            direct.push(format!("/classes/{id}/claims"));
            direct.push(format!("/api/v1/classes/{id}"));
        }
        if let Some(id) = out.person {
            direct.push(format!("/persons/{id}"));
            direct.push(format!("/persons/{id}/archive.json"));
            direct.push(format!("/persons/{id}/archive.pdf"));
            direct.push(format!("/api/v1/persons/{id}"));
        }
        if let Some(id) = out.institution {
            direct.push(format!("/institutions/{id}"));
        }
        for path in &direct {
            let status = if path.starts_with("/api/") {
                site.api("GET", path, &token).await.0
            } else {
                site.get(path, &cookie).await.status
            };
            assert_eq!(status, StatusCode::FORBIDDEN, "{who} {path}");
        }
    }
    assert!(
        county_saw_its_claims,
        "[{b}] the county officer's queue lists its own claims"
    );
}
