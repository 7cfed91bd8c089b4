//! The web tests' client: requests against the real router in-process,
//! form posts, bearer-token API calls, sign-in with the CSRF token, the
//! demo's accounts on a database the real binary loaded, and plain SQL over
//! the same database to check what a page claims.

use super::{TestDb, backends};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use jineng_store::{Actor, Store};
use jineng_web::DemoAccount;
use sqlx::Connection;
use tower::ServiceExt;

pub const CITY: &str = "371500";
pub const COUNTY: &str = "371502";

/// On each backend: the demo with `persons` persons, loaded by the real
/// binary into a database named after `test`, then `walk` over it.
pub fn on_demo(test: &str, persons: &str, walk: impl AsyncFn(&TestDb)) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for db in backends(test) {
        db.demo(&["--persons", persons]);
        rt.block_on(walk(&db));
    }
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub bytes: Vec<u8>,
    pub body: String,
    /// Where a form post redirected to (303 See Other), when [`post`]
    /// followed it as a browser does.
    pub redirected: Option<String>,
}

pub async fn send(app: &Router, req: Request<Body>) -> Resp {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    let body = String::from_utf8_lossy(&bytes).into_owned();
    Resp {
        status,
        headers,
        bytes,
        body,
        redirected: None,
    }
}

pub async fn get(app: &Router, path: &str, cookie: &str) -> Resp {
    let req = Request::get(path).header(header::COOKIE, cookie);
    send(app, req.body(Body::empty()).unwrap()).await
}

/// A form post as a browser makes it: a 303 See Other (post/redirect/get)
/// is followed with a GET (not one to the login page), and the result
/// page returned with `redirected` set.
pub async fn post(app: &Router, path: &str, cookie: &str, form: &[(&str, &str)]) -> Resp {
    let r = post_raw(app, path, cookie, form).await;
    let to = r
        .headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    match to {
        Some(to) if r.status == StatusCode::SEE_OTHER && to != "/login" => {
            let mut page = get(app, &to, cookie).await;
            page.redirected = Some(to);
            page
        }
        _ => r,
    }
}

/// A form post, its response as is (no redirect followed).
pub async fn post_raw(app: &Router, path: &str, cookie: &str, form: &[(&str, &str)]) -> Resp {
    let body: String = form
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let req = Request::post(path)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    send(app, req.body(Body::from(body)).unwrap()).await
}

/// A form post with owned values.
pub async fn postv(app: &Router, path: &str, cookie: &str, form: &[(&str, String)]) -> Resp {
    let f: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    post(app, path, cookie, &f).await
}

/// An API call with a bearer token: status and JSON (`Null` if not JSON).
pub async fn api(
    app: &Router,
    method: &str,
    path: &str,
    token: &str,
) -> (StatusCode, serde_json::Value) {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    let r = send(app, req.body(Body::empty()).unwrap()).await;
    (r.status, serde_json::from_str(&r.body).unwrap_or_default())
}

pub use jineng_web::percent_encode as encode;

/// The value of the first `name="csrf" value="…"` in a page.
pub fn csrf_of(html: &str) -> String {
    between(html, "name=\"csrf\" value=\"", "\"").expect("a form with a CSRF token")
}

/// The text between the first `start` and the next `end`.
pub fn between(html: &str, start: &str, end: &str) -> Option<String> {
    let i = html.find(start)? + start.len();
    let j = html[i..].find(end)?;
    Some(html[i..i + j].to_string())
}

/// The `name=value` of a cookie the response sets.
pub fn set_cookie(r: &Resp, name: &str) -> Option<String> {
    r.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap().to_string())
}

/// Signs in through the login form: (session cookie, the session's CSRF
/// token); `None` when the login is refused.
pub async fn try_login(app: &Router, login: &str, password: &str) -> Option<(String, String)> {
    let page = get(app, "/login", "").await;
    let pre = set_cookie(&page, "jineng_login_csrf").expect("the login form's cookie");
    let r = post_raw(
        app,
        "/login",
        &pre,
        &[
            ("csrf", &csrf_of(&page.body)),
            ("login", login),
            ("password", password),
        ],
    )
    .await;
    if r.status != StatusCode::SEE_OTHER {
        assert!(r.body.contains("账号或密码错误"), "{}", r.body);
        return None;
    }
    let cookie = set_cookie(&r, "jineng_session").expect("a session cookie");
    let page = get(app, "/certificates/lookup", &cookie).await;
    Some((cookie, csrf_of(&page.body)))
}

/// Signs in; the login must succeed.
pub async fn login(app: &Router, login: &str, password: &str) -> (String, String) {
    try_login(app, login, password)
        .await
        .unwrap_or_else(|| panic!("login {login}"))
}

/// The real router on `store`, with limits no test reaches.
pub fn app_of(store: &Store) -> Router {
    let limits = jineng_web::Limits {
        login_per_minute: 1000,
        lookup_per_minute: 1000,
    };
    jineng_web::router(jineng_web::AppState::new(store.clone(), limits, false))
}

/// The router on the database, the demo's accounts and the store.
pub struct Site {
    pub app: Router,
    pub store: Store,
    pub accounts: Vec<DemoAccount>,
}

impl Site {
    pub async fn open(db: &TestDb) -> Site {
        let store = Store::connect(&db.url).await.unwrap();
        let sample = store.first_person_with_claim().await.unwrap().unwrap();
        let accounts =
            jineng_web::demo_accounts(&store, CITY, COUNTY, &sample, &Actor("test:setup".into()))
                .await
                .unwrap();
        Site {
            app: app_of(&store),
            store,
            accounts,
        }
    }

    pub fn account(&self, login: &str) -> &DemoAccount {
        self.accounts.iter().find(|a| a.login == login).unwrap()
    }

    /// Signs in a demo account: (cookie, CSRF token).
    pub async fn login(&self, login: &str) -> (String, String) {
        let pw = self.account(login).password.clone();
        self::login(&self.app, login, &pw).await
    }

    /// An API token of a demo account, issued as the setup does.
    pub async fn token(&self, login: &str) -> String {
        let account = self.account(login).account_id;
        jineng_web::issue_api_token(&self.store, account, "test", &Actor("test:setup".into()))
            .await
            .unwrap()
    }

    /// Uploads `file` as `kind` (not a dry run) and waits for the job:
    /// (job id, the finished status fragment).
    pub async fn import(
        &self,
        cookie: &str,
        csrf: &str,
        kind: &str,
        name: &str,
        file: &str,
    ) -> (String, String) {
        import(self, cookie, csrf, kind, name, file, false).await
    }

    pub async fn get(&self, path: &str, cookie: &str) -> Resp {
        get(&self.app, path, cookie).await
    }

    pub async fn post(&self, path: &str, cookie: &str, form: &[(&str, &str)]) -> Resp {
        post(&self.app, path, cookie, form).await
    }

    /// A claim's action button (`/claims/{claim}/{action}`) with the CSRF
    /// token alone.
    pub async fn claim_action(&self, claim: &str, action: &str, cookie: &str, csrf: &str) -> Resp {
        let path = format!("/claims/{claim}/{action}");
        self.post(&path, cookie, &[("csrf", csrf)]).await
    }

    pub async fn post_raw(&self, path: &str, cookie: &str, form: &[(&str, &str)]) -> Resp {
        post_raw(&self.app, path, cookie, form).await
    }

    pub async fn api(
        &self,
        method: &str,
        path: &str,
        token: &str,
    ) -> (StatusCode, serde_json::Value) {
        api(&self.app, method, path, token).await
    }
}

/// Plain SQL over the test database.
pub struct Sql(pub sqlx::AnyConnection);

/// A roster upload for a class held in the county, and three county persons
/// not on its roster; row 3 (the second data row) asks for more hours than
/// the class plans.
pub struct CountyRoster {
    pub class_id: i64,
    pub hours: i64,
    pub people: Vec<(String, String)>,
    pub csv: String,
}

impl Sql {
    pub async fn open(db: &TestDb) -> Sql {
        sqlx::any::install_default_drivers();
        Sql(sqlx::AnyConnection::connect(&db.url).await.unwrap())
    }
    pub async fn int(&mut self, sql: &str) -> i64 {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_one(&mut self.0)
            .await
            .unwrap()
    }
    pub async fn opt_int(&mut self, sql: &str) -> Option<i64> {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_one(&mut self.0)
            .await
            .unwrap()
    }
    pub async fn text(&mut self, sql: &str) -> String {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_one(&mut self.0)
            .await
            .unwrap()
    }
    pub async fn texts(&mut self, sql: &str) -> Vec<String> {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_all(&mut self.0)
            .await
            .unwrap()
    }
    /// The county's first class, reopened (the demo closes the classes that
    /// have ended, and a closed class's roster is final), with its roster
    /// file of one bad row.
    pub async fn county_roster_with_a_bad_row(&mut self) -> CountyRoster {
        let (class_id, class_no, credit, hours): (i64, String, String, i64) =
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT cl.class_id, cl.class_no, i.credit_code, cl.planned_hours FROM classes cl \
                 JOIN institutions i ON i.institution_id = cl.institution_id \
                 WHERE cl.site_region LIKE '{COUNTY}%' ORDER BY cl.class_id LIMIT 1"
            )))
            .fetch_one(&mut self.0)
            .await
            .unwrap();
        self.exec(&format!(
            "UPDATE classes SET status = 'approved' WHERE class_id = {class_id}"
        ))
        .await;
        let people: Vec<(String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT name, id_number FROM persons WHERE hukou_region LIKE '{COUNTY}%' \
             AND person_id NOT IN (SELECT person_id FROM enrolments WHERE class_id = {class_id}) \
             ORDER BY person_id LIMIT 3"
        )))
        .fetch_all(&mut self.0)
        .await
        .unwrap();
        let mut csv =
            String::from("班级编号,统一社会信用代码,姓名,身份证号码,线下课时,线上课时,结业结果\n");
        for (i, (name, idn)) in people.iter().enumerate() {
            let offline = if i == 1 { hours + 1 } else { hours };
            csv.push_str(&format!(
                "{class_no},{credit},{name},{idn},{offline},0,合格\n"
            ));
        }
        CountyRoster {
            class_id,
            hours,
            people,
            csv,
        }
    }
    pub async fn exec(&mut self, sql: &str) {
        sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&mut self.0)
            .await
            .unwrap();
    }
}

/// The page `body` holds every one of `needles` ([{b}] names the backend).
pub fn assert_all(b: &str, body: &str, needles: &[&str]) {
    for n in needles {
        assert!(body.contains(n), "[{b}] no {n:?} in: {body}");
    }
}

/// 1234567 fen as the pages print it: "12,345.67 元".
pub fn yuan(fen: i64) -> String {
    format!("{} 元", jineng_domain::Fen(fen).grouped())
}

/// A multipart upload as a browser sends the import form.
pub async fn upload(
    app: &Router,
    cookie: &str,
    fields: &[(&str, &str)],
    file_name: &str,
    file: &[u8],
) -> Resp {
    const B: &str = "----jinengtestboundary7d3f";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend(
            format!("--{B}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend(
        format!(
            "--{B}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend(file);
    body.extend(format!("\r\n--{B}--\r\n").as_bytes());
    let req = Request::post("/imports")
        .header(header::COOKIE, cookie)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={B}"),
        );
    send(app, req.body(Body::from(body)).unwrap()).await
}

/// Uploads and waits for the job: (job id, the finished status fragment).
pub async fn import(
    site: &Site,
    cookie: &str,
    csrf: &str,
    kind: &str,
    name: &str,
    file: &str,
    dry_run: bool,
) -> (String, String) {
    let mut fields = vec![("csrf", csrf), ("kind", kind)];
    if dry_run {
        fields.push(("dry_run", "1"));
    }
    let r = upload(&site.app, cookie, &fields, name, file.as_bytes()).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let to = r.headers[header::LOCATION].to_str().unwrap().to_string();
    let job = to.strip_prefix("/imports/").unwrap().to_string();
    let page = get(&site.app, &to, cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    if page.body.contains("正在导入") {
        assert!(
            page.body
                .contains(&format!("hx-get=\"/imports/{job}/progress\""))
                && page.body.contains("hx-trigger=\"every 1s\""),
            "a running job's page polls its fragment"
        );
    }
    for _ in 0..600 {
        let f = get(&site.app, &format!("/imports/{job}/progress"), cookie).await;
        assert_eq!(f.status, StatusCode::OK);
        if !f.body.contains("hx-trigger") {
            assert!(
                f.body.contains("导入完成") || f.body.contains("导入未成功"),
                "{}",
                f.body
            );
            return (job, f.body);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("import {job} did not finish");
}
