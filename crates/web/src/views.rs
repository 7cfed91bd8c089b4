//! What pages share: the navigation bar for the account's role, HTML
//! responses, number formats, and the vendored static assets (htmx and the
//! style sheet, compiled into the binary: no CDN, no internet).

use crate::auth::User;
use crate::error::AppError;
use askama::Template;
use axum::extract::Path;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use jineng_domain::access::{Action, Role};
use jineng_domain::{Fen, SkillLevel, Stamp};

/// The top bar: who is signed in and the links their role may follow,
/// grouped by task (业务办理 / 资金 / 监管 / 数据 / 系统).
#[derive(Debug, Clone)]
pub struct Nav {
    pub name: String,
    pub role: String,
    pub csrf: String,
    /// (group name, [(href, label)]); empty groups are left out.
    pub groups: Vec<(&'static str, Vec<(&'static str, &'static str)>)>,
    /// What the last form POST did (post/redirect/get, `crate::flash`).
    pub flash: Option<crate::flash::Flash>,
}

/// Every menu entry: (group, what the role must be allowed, href, label).
/// `None`: every signed-in account.
const MENU: [(&str, Option<Action>, &str, &str); 20] = [
    (
        "业务办理",
        Some(Action::ViewPersons),
        "/persons",
        "人员查询",
    ),
    ("业务办理", Some(Action::ViewClasses), "/classes", "培训班"),
    ("业务办理", Some(Action::ViewClaims), "/claims", "补贴申领"),
    (
        "业务办理",
        Some(Action::ViewInstitutions),
        "/institutions",
        "培训机构",
    ),
    (
        "业务办理",
        Some(Action::ViewCatalogue),
        "/catalogue",
        "补贴目录",
    ),
    ("资金", Some(Action::ViewLedger), "/ledger", "专账"),
    ("资金", Some(Action::ViewVouchers), "/vouchers", "培训券"),
    ("资金", None, "/funds", "资金公开"),
    (
        "监管",
        Some(Action::ViewSupervision),
        "/supervision/cases",
        "监管线索",
    ),
    ("监管", Some(Action::ViewAudit), "/audit", "审计日志"),
    ("监管", None, "/public/credit", "信用公示"),
    ("监管", None, "/public/draws", "抽查公示"),
    ("数据", Some(Action::ViewProgress), "/dashboard", "工作进度"),
    ("数据", Some(Action::ViewProgress), "/tasks", "重点任务"),
    (
        "数据",
        Some(Action::ViewProgress),
        "/policy/standards",
        "标准评估",
    ),
    (
        "数据",
        Some(Action::ViewProgress),
        "/policy/whatif",
        "政策测算",
    ),
    ("数据", Some(Action::Import), "/imports", "数据导入"),
    ("数据", None, "/certificates/lookup", "证书查询"),
    (
        "系统",
        Some(Action::ManageAccounts),
        "/accounts",
        "账号管理",
    ),
    ("系统", None, "/account", "我的账号"),
];

impl Nav {
    pub fn of(user: &User) -> Nav {
        let role = user.role();
        let mut groups: Vec<(&'static str, Vec<(&'static str, &'static str)>)> = Vec::new();
        let mut push = |group: &'static str, href: &'static str, label: &'static str| match groups
            .iter_mut()
            .find(|(g, _)| *g == group)
        {
            Some((_, links)) => links.push((href, label)),
            None => groups.push((group, vec![(href, label)])),
        };
        // Claimants file from their own page; institutions from a class's roster.
        match role {
            Role::Worker => {
                push("本人", "/me", "我的档案");
                push("本人", "/me/claims", "申领补贴");
            }
            Role::Enterprise => {
                push("业务办理", "/", "首页");
                push("业务办理", "/enterprise/claims", "企业申领");
            }
            // A learning platform works through the API: its account only.
            Role::Platform => {}
            _ => push("业务办理", "/", "首页"),
        }
        for (group, action, href, label) in MENU {
            // The enterprise's claims page is its queue and its form: one entry.
            let elsewhere = role == Role::Enterprise && href == "/claims";
            if action.is_none_or(|a| role.may(a)) && !elsewhere {
                push(group, href, label);
            }
        }
        Nav {
            name: user.account.display_name.clone(),
            role: role.as_zh().to_string(),
            csrf: user.csrf.clone(),
            groups,
            flash: user.flash.clone(),
        }
    }
}

/// Renders a template as an HTML response.
pub fn page<T: Template>(t: &T) -> Result<Response, AppError> {
    Ok(Html(t.render()?).into_response())
}

/// Money, one way on every page and message: 1234567 fen → "12,345.67 元".
pub fn yuan(fen: i64) -> String {
    jineng_domain::Yuan(Fen(fen)).to_string()
}

/// The zone times are shown in: Asia/Shanghai (UTC+8 all year, no DST).
pub fn local_zone() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// A stored moment in local time (UTC+8) to the second,
/// "2026-12-07 08:15:02".
pub fn local_time(at: &Stamp) -> String {
    local(at, "%Y-%m-%d %H:%M:%S")
}

/// A stored moment in local time (UTC+8) to the minute, "2026-12-07 08:15".
pub fn local_minute(at: &Stamp) -> String {
    local(at, "%Y-%m-%d %H:%M")
}

fn local(at: &Stamp, layout: &str) -> String {
    at.instant()
        .with_timezone(&local_zone())
        .format(layout)
        .to_string()
}

pub fn level(grade: Option<i64>) -> String {
    grade
        .and_then(|g| u8::try_from(g).ok())
        .and_then(SkillLevel::from_grade)
        .map(|l| l.as_zh().to_string())
        .unwrap_or_else(|| "—".into())
}

const HTMX: &str = include_str!("../assets/htmx.min.js");
const CSS: &str = include_str!("../assets/app.css");
const ICON: &[u8] = include_bytes!("../assets/favicon.ico");

/// `/favicon.ico`: the vendored icon.
pub async fn favicon() -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/x-icon"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        ICON,
    )
        .into_response()
}

/// `/assets/{file}`: the vendored files, cacheable.
pub async fn asset(Path(file): Path<String>) -> Result<Response, AppError> {
    let (body, kind) = match file.as_str() {
        "htmx.min.js" => (HTMX, "text/javascript; charset=utf-8"),
        "app.css" => (CSS, "text/css; charset=utf-8"),
        _ => return Err(AppError::NotFound("文件不存在".into())),
    };
    Ok((
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
        .into_response())
}
