//! Forms on the web, on SQLite and PostgreSQL (demo loaded by the real
//! binary, the real router in-process): post/redirect/get (a saved form
//! answers 303 to a page that shows the outcome once; reloading it is a
//! plain GET), refused forms keeping what was typed with the field in
//! error marked, and the institution clerk's rules: no results before a
//! class is approved and started, the roster's real status, a class's
//! claims page with that class's claims only, no second claim for a
//! trainee, 冒名 on enrolment, pickers; the enterprise's home and menu and
//! the refusal style of a claim outside the policy's validity.

#[path = "web_forms/clerk.rs"]
mod clerk;
use crate::common;
#[path = "web_forms/others.rs"]
mod others;

use crate::common::http::*;
use common::TestDb;
use jineng_domain::access::{Role, Scope};
use jineng_store::Actor;

#[test]
fn forms_redirect_after_post_and_keep_their_input() {
    on_demo("web_forms", "200", async |db| {
        forms(db).await;
        db.ok(&["audit", "verify"]);
    });
}

/// The router, the demo's accounts and an enterprise clerk.
pub struct Ctx {
    pub b: &'static str,
    pub site: Site,
    pub firm: jineng_web::DemoAccount,
}

async fn forms(db: &TestDb) {
    let site = Site::open(db).await;
    let firm = jineng_web::create_account(
        &site.store,
        "firm",
        "聊城测试机械有限公司",
        Role::Enterprise,
        Scope::Enterprise(
            jineng_domain::CreditCode::parse(&common::credit(COUNTY, "778")).unwrap(),
        ),
        &Actor("test:setup".into()),
    )
    .await
    .unwrap();
    let ctx = Ctx {
        b: db.backend,
        site,
        firm,
    };
    let mut sql = Sql::open(db).await;
    clerk::roster(&ctx, &mut sql).await;
    // The class filed here is the school's second: class_claims uses it.
    clerk::returned_class(&ctx, &mut sql).await;
    clerk::class_claims(&ctx, &mut sql).await;
    others::enterprise(&ctx, &mut sql).await;
    others::accounts(&ctx, &mut sql).await;
    ctx.site.store.close().await;
}

/// A POST answered 303 (post/redirect/get): where it went.
pub fn see_other(r: &Resp, b: &str) -> String {
    assert_eq!(
        r.status,
        axum::http::StatusCode::SEE_OTHER,
        "[{b}] {}",
        r.body
    );
    r.headers[axum::http::header::LOCATION]
        .to_str()
        .unwrap()
        .to_string()
}
