//! The 政策测算 page (`/policy/whatif`) and its API on the demo, on SQLite
//! and PostgreSQL, against `jineng policy whatif --json` for the same
//! draft: an overlay that changes nothing changes no claim; the 聊城 draft
//! (B-class 五级 800 → 1,000 元, `policies/drafts/`) shows the CLI's
//! changed count, amounts, flips and region rows, survives a reload, pages
//! its changed claims 50 at a time with masked ID numbers, sorts a
//! breakdown and charts it; the workbook has the sheets and the page's
//! totals; an unknown parameter path is refused naming it, the dates kept;
//! a county officer's run counts only the county; a worker and an
//! institution are refused; the API answers exactly what the CLI prints.

use crate::common;

use crate::common::http::{Resp, Site, between, on_demo, send, yuan};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use calamine::{Data, Reader, Xlsx, open_workbook, open_workbook_from_rs};
use common::TestDb;

#[path = "whatif_web/scope.rs"]
mod scope;
use scope::{api, county, refused};
use serde_json::Value;

const NOOP: &str = "[overlay]\nbase = \"liaocheng-2019\"\n";
const TYPO: &str = "[overlay]\nbase = \"liaocheng-2019\"\n\n[rules.R2]\nmax_per_yaer = 2\n";

fn b5_draft() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../policies/drafts/liaocheng-b5-1000.toml"
    ))
    .unwrap()
}

fn i(v: &Value) -> i64 {
    v.as_i64().unwrap()
}

/// `jineng policy whatif --json` for `draft`.
fn cli(db: &TestDb, draft: &str) -> Value {
    let path = db.path("cli-draft.toml");
    std::fs::write(&path, draft).unwrap();
    serde_json::from_str(&db.ok(&[
        "policy",
        "whatif",
        "--draft",
        path.to_str().unwrap(),
        "--json",
    ]))
    .unwrap()
}

/// The form posted as a browser posts it (multipart), not followed.
async fn upload(
    site: &Site,
    cookie: &str,
    fields: &[(&str, &str)],
    name: &str,
    draft: &str,
) -> Resp {
    const B: &str = "----jinengwhatifboundary";
    let mut body = String::new();
    for (k, v) in fields {
        body += &format!("--{B}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n");
    }
    body += &format!(
        "--{B}\r\nContent-Disposition: form-data; name=\"draft\"; filename=\"{name}\"\r\nContent-Type: application/toml\r\n\r\n{draft}\r\n--{B}--\r\n"
    );
    let req = Request::post("/policy/whatif")
        .header(header::COOKIE, cookie)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={B}"),
        );
    send(&site.app, req.body(Body::from(body)).unwrap()).await
}

/// Runs `draft` through the form and returns (run path, its page).
async fn run(site: &Site, cookie: &str, csrf: &str, draft: &str) -> (String, Resp) {
    let r = upload(site, cookie, &[("csrf", csrf)], "draft.toml", draft).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let to = r.headers[header::LOCATION].to_str().unwrap().to_string();
    assert!(to.starts_with("/policy/whatif/"), "{to}");
    let page = site.get(&to, cookie).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    (to, page)
}

/// The cells of the row `data-key="key"` of table `id`, tags stripped.
fn row(html: &str, id: &str, key: &str) -> Option<Vec<String>> {
    let t = &html[html.find(&format!("<table id=\"{id}\""))?..];
    let t = &t[..t.find("</table>")?];
    let r = &t[t.find(&format!("<tr data-key=\"{key}\""))?..];
    let r = &r[..r.find("</tr>")?];
    Some(
        r.split("<td")
            .skip(1)
            .map(|c| {
                let c = &c[c.find('>').unwrap() + 1..];
                let c = c.split("</td>").next().unwrap();
                let mut out = String::new();
                let mut tag = false;
                for ch in c.chars() {
                    match ch {
                        '<' => tag = true,
                        '>' => tag = false,
                        ch if !tag => out.push(ch),
                        _ => {}
                    }
                }
                out.trim().to_string()
            })
            .collect(),
    )
}

fn signed(fen: i64) -> String {
    if fen > 0 {
        format!("+{}", yuan(fen))
    } else {
        yuan(fen)
    }
}

/// The totals row as the page must show it.
fn totals(v: &Value) -> Vec<String> {
    vec![
        v["claims"].to_string(),
        v["changed"].to_string(),
        yuan(i(&v["base_fen"])),
        yuan(i(&v["draft_fen"])),
        signed(i(&v["draft_fen"]) - i(&v["base_fen"])),
    ]
}

/// The data-keys of a table's body rows, in order.
fn keys(html: &str, id: &str) -> Vec<String> {
    let t = &html[html.find(&format!("<table id=\"{id}\"")).unwrap()..];
    let t = &t[..t.find("</table>").unwrap()];
    t.split("<tr data-key=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_string())
        .collect()
}

#[test]
fn the_whatif_page_and_api_answer_what_the_cli_does() {
    on_demo("whatif_web", "300", check);
}

async fn check(db: &TestDb) {
    let b = db.backend;
    let site = Site::open(db).await;
    let (cookie, csrf) = site.login("city").await;
    let form = site.get("/policy/whatif", &cookie).await;
    assert_eq!(form.status, StatusCode::OK, "[{b}]");
    assert!(
        form.body.contains("href=\"/policy/whatif\""),
        "[{b}] in the menu"
    );
    assert!(
        form.body.contains("enctype=\"multipart/form-data\""),
        "[{b}]"
    );

    // Nothing changed.
    let (_, page) = run(&site, &cookie, &csrf, NOOP).await;
    let noop = cli(db, NOOP);
    assert_eq!(i(&noop["changed"]), 0, "[{b}]");
    assert_eq!(
        row(&page.body, "totals", "total").unwrap(),
        totals(&noop),
        "[{b}]"
    );
    assert!(page.body.contains("草案没有改变任何申领的结果"), "[{b}]");

    // The 聊城 draft: the CLI's figures.
    let want = cli(db, &b5_draft());
    assert!(
        i(&want["changed"]) > 50,
        "[{b}] more than a page: {}",
        want["changed"]
    );
    let (path, page) = run(&site, &cookie, &csrf, &b5_draft()).await;
    assert_eq!(
        row(&page.body, "totals", "total").unwrap(),
        totals(&want),
        "[{b}]"
    );
    let f = &want["flips"];
    let flips = row(&page.body, "flips", "flips").unwrap();
    let want_flips: Vec<String> = [
        "approved_to_rejected",
        "rejected_to_approved",
        "amount_up",
        "amount_down",
    ]
    .iter()
    .map(|k| f[k].to_string())
    .collect();
    assert_eq!(flips, want_flips, "[{b}]");
    for r in want["by_region"].as_array().unwrap() {
        let cells = row(&page.body, "table-region", r["region"].as_str().unwrap()).unwrap();
        assert_eq!(&cells[1..], &totals(r)[..], "[{b}] region {}", r["region"]);
    }
    assert!(
        page.body.contains("<figure class=\"chart\""),
        "[{b}] charts"
    );
    assert!(page.body.contains("<svg"), "[{b}]");
    // The changed claims: 50 a page, IDs masked, a reload shows the same.
    let pager = between(&page.body, "<span class=\"count\">", "</span>").unwrap();
    assert!(
        pager.starts_with(&format!("共 {} 条，第 1–50 条", want["changed"])),
        "[{b}] {pager}"
    );
    let listed = keys(&page.body, "changed-claims");
    assert_eq!(listed.len(), 50, "[{b}]");
    let again = site.get(&path, &cookie).await;
    assert_eq!(again.status, StatusCode::OK, "[{b}] survives a reload");
    assert_eq!(keys(&again.body, "changed-claims"), listed, "[{b}]");
    let second = site.get(&format!("{path}?page=2"), &cookie).await;
    let next = keys(&second.body, "changed-claims");
    assert!(
        !next.is_empty() && next[0] > listed[49],
        "[{b}] page 2 follows"
    );
    let ids = row(&page.body, "changed-claims", &listed[0]).unwrap();
    assert!(
        ids[2].contains('*') && ids[2].len() == 18,
        "[{b}] masked: {ids:?}"
    );
    assert!(
        !page
            .body
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| w.len() == 18 && w[..17].bytes().all(|c| c.is_ascii_digit())),
        "[{b}] no full ID number on the page"
    );
    // Sorted by difference, most first.
    let sorted = site
        .get(&format!("{path}?by=region&sort=diff&dir=desc"), &cookie)
        .await;
    let top = want["by_region"]
        .as_array()
        .unwrap()
        .iter()
        .max_by_key(|r| i(&r["draft_fen"]) - i(&r["base_fen"]))
        .unwrap();
    assert_eq!(
        keys(&sorted.body, "table-region")[0],
        top["region"].as_str().unwrap(),
        "[{b}]"
    );

    // The workbook: the sheets, and the page's totals.
    let x = site.get(&format!("{path}/report.xlsx"), &cookie).await;
    assert_eq!(x.status, StatusCode::OK, "[{b}]");
    let mut wb: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(x.bytes)).unwrap();
    let sheets = wb.sheet_names();
    for s in [
        "汇总",
        "分地区",
        "分补贴类型",
        "分职业等级",
        "分人员类别",
        "分机构",
        "分资金",
        "变化明细",
    ] {
        assert!(sheets.contains(&s.to_string()), "[{b}] {s} in {sheets:?}");
    }
    let sum = wb.worksheet_range("汇总").unwrap();
    let value = |label: &str| -> f64 {
        sum.rows()
            .find(|r| r[0] == Data::String(label.into()))
            .map(|r| match &r[1] {
                Data::Float(f) => *f,
                Data::Int(n) => *n as f64,
                d => panic!("{d:?}"),
            })
            .unwrap()
    };
    assert_eq!(value("申领件数") as i64, i(&want["claims"]), "[{b}]");
    assert_eq!(value("结果变化件数") as i64, i(&want["changed"]), "[{b}]");
    let diff = i(&want["draft_fen"]) - i(&want["base_fen"]);
    assert_eq!((value("差额（元）") * 100.0).round() as i64, diff, "[{b}]");
    let detail = wb.worksheet_range("变化明细").unwrap();
    assert_eq!(
        detail.rows().count() as i64 - 3,
        i(&want["changed"]),
        "[{b}] every changed claim"
    );
    // The command's workbook has the same sheets: one writer.
    let out = db.path("cli.xlsx");
    let draft = db.path("b5.toml");
    std::fs::write(&draft, b5_draft()).unwrap();
    db.ok(&[
        "policy",
        "whatif",
        "--draft",
        draft.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let cli_wb: Xlsx<_> = open_workbook(&out).unwrap();
    assert_eq!(cli_wb.sheet_names(), sheets, "[{b}]");

    // A path that does not exist: refused naming it, the dates kept.
    let r = upload(
        &site,
        &cookie,
        &[
            ("csrf", &csrf),
            ("from", "2019-01-01"),
            ("to", "2019-12-31"),
        ],
        "typo.toml",
        TYPO,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "[{b}] the form again");
    assert!(
        r.body.contains("未知的参数路径「rules.R2.max_per_yaer」"),
        "[{b}] {}",
        r.body
    );
    assert!(
        r.body.contains("value=\"2019-01-01\"") && r.body.contains("value=\"2019-12-31\""),
        "[{b}]"
    );

    county(db, &site, &want).await;
    refused(db, &site).await;
    api(db, &site, &want).await;
    site.store.close().await;
}
