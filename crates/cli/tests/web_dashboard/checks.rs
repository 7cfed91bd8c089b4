//! The checks of `web_dashboard.rs`, one function per page.

use super::*;
use calamine::{Data, Reader, Xlsx, open_workbook};

/// The rows of the progress xlsx (from row 4).
fn xlsx_rows(path: &std::path::Path) -> Vec<Vec<Data>> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let range = wb.worksheet_range("目标进度").unwrap();
    range.rows().skip(3).map(|r| r.to_vec()).collect()
}

fn scaled(d: &Data, decimals: u32) -> Option<i64> {
    let f = match d {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        Data::Empty => return None,
        other => panic!("not a number: {other:?}"),
    };
    Some((f * 10f64.powi(decimals as i32)).round() as i64)
}

fn shown(v: &Value, decimals: u32) -> String {
    v.as_i64()
        .map(|v| format_value(v, decimals))
        .unwrap_or_else(|| "—".into())
}

/// The dashboard, the API and the xlsx agree for the city and a county,
/// and the training figures are the records'.
pub async fn figures_agree(db: &TestDb, w: &mut World) {
    let b = db.backend;
    for region in [CITY, COUNTY] {
        let q = format!("region={region}&year=2019&as_of={AS_OF}");
        let page = get(&w.app, &format!("/dashboard?{q}"), &w.city.0).await;
        assert_eq!(page.status, StatusCode::OK, "[{b}] {}", page.body);
        let rows = page_rows(&page.body);
        let (s, v) = api(
            &w.app,
            "GET",
            &format!("/api/v1/progress?{q}"),
            &w.city_token,
        )
        .await;
        assert_eq!(s, StatusCode::OK, "[{b}] {v}");
        let args = [
            "report", "progress", "--region", region, "--year", "2019", "--as-of", AS_OF,
        ];
        let mut json = args.to_vec();
        json.extend(["--format", "json"]);
        let cli: Value = serde_json::from_str(&db.ok(&json)).unwrap();
        assert_eq!(
            v["entries"], cli,
            "[{b}] {region}: the API's entries are the CLI's"
        );
        let xlsx = db.path(&format!("progress-{region}.xlsx"));
        let mut out = args.to_vec();
        out.extend(["--format", "xlsx", "--out", xlsx.to_str().unwrap()]);
        db.ok(&out);
        let sheet = xlsx_rows(&xlsx);
        let totals = v["totals"].as_array().unwrap();
        assert!(!totals.is_empty(), "[{b}] {region} has totals");
        let entries = v["entries"].as_array().unwrap();
        for (e, total) in entries
            .iter()
            .map(|e| (e, false))
            .chain(totals.iter().map(|e| (e, true)))
        {
            let d = e["decimals"].as_u64().unwrap() as u32;
            let (code, name) = (e["region"].as_str().unwrap(), e["name"].as_str().unwrap());
            let key = format!(
                "{}:{}-{}|{}",
                e["indicator"].as_str().unwrap(),
                e["year_from"],
                e["year_to"],
                if total { "total" } else { code }
            );
            let cells = rows
                .get(&key)
                .unwrap_or_else(|| panic!("[{b}] {region}: no row {key} on the page"));
            // A total row labels itself in <th> cells.
            let at = if total { 0 } else { 2 };
            assert_eq!(cells[at], shown(&e["target"], d), "[{b}] {key} target");
            assert_eq!(cells[at + 1], shown(&e["actual"], d), "[{b}] {key} actual");
            assert_eq!(
                cells[at + 2],
                shown(&e["expected"], d),
                "[{b}] {key} expected"
            );
            assert_eq!(
                cells[at + 4].as_str(),
                e["status"].as_str().unwrap(),
                "[{b}] {key}"
            );
            let label = if total {
                format!("{name}（合计）")
            } else {
                name.to_string()
            };
            let x = sheet
                .iter()
                .find(|r| {
                    r[0] == code
                        && r[1] == label.as_str()
                        && r[2] == e["indicator_name"].as_str().unwrap()
                        && r[3] == e["period"].as_str().unwrap()
                })
                .unwrap_or_else(|| panic!("[{b}] {key}: no xlsx row"));
            assert_eq!(
                scaled(&x[5], d),
                e["target"].as_i64(),
                "[{b}] {key} xlsx target"
            );
            assert_eq!(
                scaled(&x[6], d),
                e["actual"].as_i64(),
                "[{b}] {key} xlsx actual"
            );
        }
        // The training total is the completed enrolments of 2019 in SQL.
        let like = format!("{}%", jineng_domain::planning::prefix(region));
        let trained = w
            .sql
            .int(&format!(
                "SELECT COUNT(*) FROM enrolments e JOIN classes c ON c.class_id = e.class_id
                 WHERE e.completion <> 'not_finished' AND c.site_region LIKE '{like}'
                   AND c.end_date >= '2019-01-01' AND c.end_date <= '2019-12-31'"
            ))
            .await;
        let t = totals
            .iter()
            .find(|e| e["indicator"] == "training" && e["year_to"] == 2019)
            .unwrap_or_else(|| panic!("[{b}] {region}: a 2019 training total"));
        assert_eq!(t["actual"].as_i64(), Some(trained), "[{b}] {region}");
        assert!(
            trained > 0,
            "[{b}] the demo trains people in {region} in 2019"
        );
    }
    // The annex-1 breakdown: 40,100 over 12 units, on the city's page.
    let page = get(
        &w.app,
        &format!("/dashboard?region={CITY}&year=2019&as_of={AS_OF}"),
        &w.city.0,
    )
    .await;
    let rows = page_rows(&page.body);
    let mut parts = 0;
    for line in ANNEX1.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f[0] != "training" || f[5] != CITY {
            continue;
        }
        parts += 1;
        let cells = &rows[&format!("training:2019-2019|{}", f[3])];
        assert_eq!(cells[1], f[4], "[{b}] the annex names the unit");
        assert_eq!(
            cells[2],
            format_value(f[6].parse().unwrap(), 0),
            "[{b}] {line}"
        );
    }
    assert_eq!(parts, 12, "[{b}] 12 units in annex 1");
    assert_eq!(rows["training:2019-2019|total"][0], "40,100", "[{b}]");
    // The 14th FYP national indicators show above the city's 2021 figures.
    let r = get(
        &w.app,
        &format!("/dashboard?region={CITY}&year=2021"),
        &w.city.0,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "[{b}]");
    assert!(
        r.body.contains("上级下达的目标")
            && r.body.contains("75,000,000")
            && r.body.contains("全国"),
        "[{b}] national targets on the city's dashboard"
    );
}

/// Scope: own region and below only; charts are images under the CSP.
pub async fn scope_and_charts(db: &TestDb, w: &World) {
    let b = db.backend;
    for region in [CITY, SIBLING, "000000", "371599", "abc"] {
        let r = get(
            &w.app,
            &format!("/dashboard?region={region}&year=2019"),
            &w.county.0,
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "[{b}] county officer → {region}"
        );
        assert!(r.body.contains("不在您的管理范围内"), "[{b}] {}", r.body);
        let (s, _) = api(
            &w.app,
            "GET",
            &format!("/api/v1/progress?region={region}&year=2019"),
            &w.county_token,
        )
        .await;
        // The API refuses what is not a region code before the scope (the
        // document's pattern, 400); a code outside the scope is 403.
        let expected = if region == "abc" {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(s, expected, "[{b}] API county → {region}");
        let chart = format!(
            "/dashboard/chart.svg?region={region}&year=2019&indicator=training&from=2019&to=2019"
        );
        assert_eq!(
            get(&w.app, &chart, &w.county.0).await.status,
            StatusCode::FORBIDDEN
        );
    }
    let own = get(&w.app, "/dashboard", &w.county.0).await;
    assert_eq!(own.status, StatusCode::OK, "[{b}] {}", own.body);
    assert!(
        own.body.contains("东昌府区2019年目标任务完成进度"),
        "[{b}] defaults: own region, 2019"
    );
    assert!(get(&w.app, "/dashboard", &w.finance.0).await.status == StatusCode::OK);
    assert_eq!(
        get(&w.app, "/dashboard", "").await.status,
        StatusCode::SEE_OTHER
    );

    let page = get(
        &w.app,
        &format!("/dashboard?region={CITY}&year=2019&as_of={AS_OF}"),
        &w.city.0,
    )
    .await;
    let csp = page.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(csp.contains("img-src 'self' data:"), "[{b}] {csp}");
    assert!(
        !page.body.contains("style=") && page.body.matches("<script").count() == 1,
        "[{b}] no inline style or script"
    );
    assert!(
        page.body
            .contains(&format!("href=\"/dashboard?region={COUNTY}&#38;year=2019")),
        "[{b}] drill-down to the county"
    );
    assert!(
        page.body.contains("<span>全国</span>"),
        "[{b}] 全国 above, not a link"
    );
    // The charts are drawn inline, each with its SVG to download.
    assert!(
        page.body.matches("<figure class=\"chart\"").count() >= 2,
        "[{b}] bars and line charts"
    );
    let srcs: Vec<String> = page
        .body
        .split("<figcaption><a href=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].replace("&#38;", "&"))
        .collect();
    assert!(srcs.len() >= 2, "[{b}] bars and line charts to download");
    for src in &srcs {
        let r = get(&w.app, src, &w.city.0).await;
        assert_eq!(r.status, StatusCode::OK, "[{b}] {src}");
        assert!(
            r.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("image/svg+xml")
        );
        assert!(
            r.body.starts_with("<svg") && r.body.contains("聊城市"),
            "[{b}] {src}"
        );
        // The annex-1 bars have one bar per unit.
        if src.contains("indicator=training&from=2019&to=2019&kind=bars") {
            assert!(
                r.body.contains("东昌府区") && r.body.contains("市本级"),
                "[{b}] {src}"
            );
        }
    }
}

/// The public page: no personal data; its totals are the ledger's.
pub async fn public_funds(db: &TestDb, w: &mut World) {
    let b = db.backend;
    let ledger: Value = serde_json::from_str(&db.ok(&["ledger", "report", "--json"])).unwrap();
    let years = w
        .sql
        .texts("SELECT DISTINCT substr(applied_on, 1, 4) FROM claims ORDER BY 1")
        .await;
    let mut paid: HashMap<String, i64> = HashMap::new();
    let names = w.sql.texts("SELECT name FROM persons").await;
    let ids = w.sql.texts("SELECT id_number FROM persons").await;
    let claims = w.sql.texts("SELECT claim_no FROM claims").await;
    for year in &years {
        let r = get(&w.app, &format!("/funds?region={CITY}&year={year}"), "").await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "[{b}] public, no login: {}",
            r.body
        );
        assert!(r.body.contains("资金使用情况"), "[{b}]");
        for n in names.iter().filter(|n| n.chars().count() >= 2) {
            assert!(
                !r.body.contains(n.as_str()),
                "[{b}] a name on the public page: {n}"
            );
        }
        for x in ids
            .iter()
            .map(|i| &i[i.len() - 4..])
            .chain(claims.iter().map(String::as_str))
        {
            assert!(
                !r.body.contains(&format!("**{x}")) && !r.body.contains(&format!(">{x}<")),
                "[{b}] {x}"
            );
        }
        assert!(
            !ids.iter().any(|i| r.body.contains(i.as_str())),
            "[{b}] an ID number"
        );
        assert!(
            !claims.iter().any(|c| r.body.contains(c.as_str())),
            "[{b}] a claim number"
        );
        // The first table: by fund source, the total in the last column.
        let money = &r.body[..r.body.find("</table>").unwrap()];
        for row in money
            .split("<tr><th scope=\"row\" class=\"nowrap\">")
            .skip(1)
        {
            let label = &row[..row.find("</th>").unwrap()];
            // 「就业补助资金（ES）」 (or 「ES 就业补助资金」): the fund's code.
            let code = match label.rsplit_once('（') {
                Some((_, c)) => c.trim_end_matches('）'),
                None => match label.split_once(' ') {
                    Some((c, _)) => c,
                    None => continue,
                },
            };
            let last = row.rsplit("<td class=\"num\">").next().unwrap();
            let yuan = &last[..last.find("</td>").unwrap()];
            let fen: i64 = yuan.replace([',', '.'], "").parse().unwrap();
            *paid.entry(code.to_string()).or_default() += fen;
        }
    }
    // Over the years, every fund's money out of the bank account for claims
    // is the ledger's: allocated less what the account still holds.
    let funds = ledger.as_array().unwrap();
    assert!(!funds.is_empty());
    for f in funds {
        let code = f["code"].as_str().unwrap();
        let out = f["allocated"].as_i64().unwrap() - f["bank"].as_i64().unwrap();
        assert_eq!(
            paid.get(code).copied().unwrap_or(0),
            out,
            "[{b}] fund {code}: {f}"
        );
    }
    assert!(
        paid.values().any(|v| *v > 0),
        "[{b}] the demo paid something"
    );
    let nav = get(&w.app, "/certificates/lookup", "").await;
    assert!(
        nav.body.contains("<a href=\"/funds\">资金公开</a>"),
        "[{b}] public nav"
    );
}
