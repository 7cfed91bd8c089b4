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
use jineng_domain::{Fen, SkillLevel};

/// The top bar: who is signed in and the links their role may follow.
#[derive(Debug, Clone)]
pub struct Nav {
    pub name: String,
    pub role: String,
    pub csrf: String,
    pub links: Vec<(&'static str, &'static str)>,
    /// What the last form POST did (post/redirect/get, `crate::flash`).
    pub flash: Option<crate::flash::Flash>,
}

impl Nav {
    pub fn of(user: &User) -> Nav {
        let role = user.role();
        let mut links = Vec::new();
        if role == Role::Worker {
            links.push(("/me", "我的档案"));
        } else {
            links.push(("/", "首页"));
        }
        for (action, href, label) in [
            (Action::ViewPersons, "/persons", "人员查询"),
            (Action::ViewClasses, "/classes", "培训班"),
            (Action::ViewClaims, "/claims", "补贴申领"),
            (Action::ViewLedger, "/ledger", "专账"),
            (Action::ViewProgress, "/dashboard", "工作进度"),
            (Action::ViewProgress, "/tasks", "重点任务"),
            (Action::ViewAudit, "/audit", "审计日志"),
            (Action::ViewSupervision, "/supervision/cases", "监管"),
            (Action::ManageAccounts, "/accounts", "账号管理"),
            (Action::Import, "/imports", "数据导入"),
            (Action::ViewInstitutions, "/institutions", "培训机构"),
            (Action::ViewCatalogue, "/catalogue", "补贴目录"),
        ] {
            if role.may(action) {
                links.push((href, label));
            }
        }
        // Claimants file from their own page; institutions from a class's roster.
        match role {
            // The enterprise's claims page is its queue and its form: one entry.
            Role::Enterprise => {
                links.retain(|(href, _)| *href != "/claims");
                links.push(("/enterprise/claims", "企业申领"));
            }
            Role::Worker => links.push(("/me/claims", "申领补贴")),
            _ => {}
        }
        links.push(("/certificates/lookup", "证书查询"));
        links.push(("/funds", "资金公开"));
        links.push(("/public/credit", "信用公示"));
        links.push(("/account", "我的账号"));
        Nav {
            name: user.account.display_name.clone(),
            role: role.as_zh().to_string(),
            csrf: user.csrf.clone(),
            links,
            flash: user.flash.clone(),
        }
    }
}

/// Renders a template as an HTML response.
pub fn page<T: Template>(t: &T) -> Result<Response, AppError> {
    Ok(Html(t.render()?).into_response())
}

/// 1234567 fen → "12345.67" (元).
pub fn yuan(fen: i64) -> String {
    Fen(fen).to_string()
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
