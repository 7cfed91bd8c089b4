//! The officer pages' tests (web_imports, web_classes): the client of
//! `common::http`, and multipart uploads of the import form.

#![allow(dead_code, unused_imports)]

pub use crate::common::http::*;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};

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
