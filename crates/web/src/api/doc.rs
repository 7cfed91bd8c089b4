//! Touches to the OpenAPI document that hold for every operation: the
//! bearer scheme, and each error status the server can answer with, in
//! the one error shape — so a client generated from the document knows
//! every answer it may get.

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};

pub struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        if let Some(c) = doc.components.as_mut() {
            c.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

/// What each error status means, in the API's words.
fn meaning(status: &str) -> &'static str {
    match status {
        "400" => "请求参数或请求体不符合接口说明",
        "401" => "访问令牌无效或缺失",
        "403" => "账号无权进行此操作，或记录不存在、不在管理范围内",
        "404" => "记录或接口不存在",
        "409" => "记录当前的状态不允许该操作",
        "413" => "请求体超过上限",
        "415" => "请求体类型不符",
        "422" => "请求体的字段或类型不符合接口说明",
        "429" => "请求过于频繁，请稍后再试",
        _ => "",
    }
}

/// Adds the error statuses the server answers with to every operation,
/// each with `ErrorBody`, and a description to any response without one.
pub struct ErrorResponses;

impl utoipa::Modify for ErrorResponses {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let global_security = doc.security.as_ref().is_some_and(|s| !s.is_empty());
        for (path, item) in doc.paths.paths.iter_mut() {
            let has_path_params = path.contains('{');
            for op in [&mut item.get, &mut item.post].into_iter().flatten() {
                complete(op, has_path_params, global_security);
            }
        }
    }
}

fn complete(op: &mut Operation, has_path_params: bool, global_security: bool) {
    let secured = match &op.security {
        // `security(())`: a public operation.
        Some(reqs) => !reqs.iter().all(|r| {
            serde_json::to_value(r).is_ok_and(|v| v.as_object().is_some_and(|o| o.is_empty()))
        }),
        None => global_security,
    };
    let has_query = op
        .parameters
        .iter()
        .flatten()
        .any(|p| matches!(p.parameter_in, ParameterIn::Query));
    let body_types: Vec<String> = op
        .request_body
        .iter()
        .flat_map(|b| b.content.keys().cloned())
        .collect();
    let json_body = body_types.iter().any(|t| t == "application/json");
    let mut wanted: Vec<&str> = Vec::new();
    if has_path_params || has_query || !body_types.is_empty() {
        wanted.push("400");
    }
    if secured {
        wanted.extend(["401", "403"]);
    }
    if has_path_params {
        wanted.push("404");
    }
    if !body_types.is_empty() {
        wanted.extend(["413", "415"]);
    }
    if json_body {
        wanted.push("422");
    }
    let error_body = || {
        ContentBuilder::new()
            .schema(Some(RefOr::Ref(Ref::from_schema_name("ErrorBody"))))
            .build()
    };
    for status in wanted {
        op.responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| {
                ResponseBuilder::new()
                    .description(meaning(status))
                    .content("application/json", error_body())
                    .into()
            });
    }
    for (status, r) in op.responses.responses.iter_mut() {
        if let RefOr::T(r) = r
            && r.description.is_empty()
        {
            r.description = match meaning(status) {
                "" => "成功".to_string(),
                m => m.to_string(),
            };
        }
    }
}
