//! `GET /api/v1/certificates/lookup`: the public certificate check. Its
//! query is a name and exactly one key — a certificate number or an ID
//! number — which the document states as one object parameter
//! (`style: form, explode: true`, so `?name=…&cert_no=…` on the wire)
//! whose schema says "name, and cert_no or id_number, not both".

use super::ApiError;
use super::dto::{Certificate, ErrorBody};
use super::params::{blank, text};
use crate::AppState;
use crate::certificates::LookupQuery;
use crate::error::AppError;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::request::Parts;
use serde::Deserialize;
use utoipa::openapi::path::{ParameterBuilder, ParameterIn, ParameterStyle};
use utoipa::openapi::schema::{AllOfBuilder, ObjectBuilder, OneOfBuilder, Type};
use utoipa::openapi::{Required, Schema};

/// An 18-character ID number's shape; its birth date and check
/// character are checked by the server (GB 11643), not by the pattern.
const ID_SHAPE: &str = "^[0-9]{17}[0-9X]$";

#[derive(Deserialize)]
pub struct LookupParams {
    name: Option<String>,
    cert_no: Option<String>,
    id_number: Option<String>,
}

impl utoipa::IntoParams for LookupParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<utoipa::openapi::path::Parameter> {
        let fields = ObjectBuilder::new()
            .property("name", text().description(Some("姓名")))
            .property("cert_no", text().description(Some("证书编号")))
            .property(
                "id_number",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(ID_SHAPE))
                    .description(Some(
                        "身份证号码（18 位，末位可为 X；出生日期和校验位须正确）",
                    )),
            )
            .required("name");
        let key = |field: &str| Schema::from(ObjectBuilder::new().required(field));
        let either = OneOfBuilder::new()
            .item(key("cert_no"))
            .item(key("id_number"));
        let schema = AllOfBuilder::new().item(fields).item(either);
        vec![
            ParameterBuilder::new()
                .name("lookup")
                .parameter_in(ParameterIn::Query)
                .required(Required::True)
                .style(Some(ParameterStyle::Form))
                .explode(Some(true))
                .description(Some(
                    "姓名 name，以及证书编号 cert_no 或身份证号码 id_number 二者之一",
                ))
                .schema(Some(schema))
                .build(),
        ]
    }
}

/// Refuses what the document's schema refuses.
fn check(p: &LookupParams) -> Result<LookupQuery, AppError> {
    let bad = |m: &str| Err(AppError::BadRequest(m.to_string()));
    let name = match p.name.as_deref() {
        Some(n) if !blank(n) => n,
        _ => return bad("请填写姓名"),
    };
    match (p.cert_no.as_deref(), p.id_number.as_deref()) {
        (Some(_), Some(_)) => bad("证书编号和身份证号码只填一项"),
        (None, None) => bad("请填写证书编号或身份证号码"),
        (Some(c), None) if blank(c) => bad("证书编号不能为空白"),
        (None, Some(i)) if !shaped_like_an_id(i) => {
            bad("身份证号码应为 18 位：17 位数字加一位数字或 X")
        }
        (c, i) => Ok(LookupQuery {
            name: name.to_string(),
            cert_no: c.unwrap_or_default().to_string(),
            id_number: i.unwrap_or_default().to_string(),
        }),
    }
}

fn shaped_like_an_id(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 18
        && b[..17].iter().all(u8::is_ascii_digit)
        && (b[17].is_ascii_digit() || b[17] == b'X')
}

#[utoipa::path(get, path = "/api/v1/certificates/lookup", tag = "证书查询",
    params(LookupParams), security(()),
    responses((status = 200, description = "姓名与证书编号或身份证号码相符的证书（可为空）", body = Vec<Certificate>),
        (status = 400, description = "缺少姓名，证书编号和身份证号码都填或都不填，或身份证号码无效", body = ErrorBody),
        (status = 429, description = "查询过于频繁，请稍后再试", body = ErrorBody)))]
pub async fn certificate_lookup(
    State(s): State<AppState>,
    parts: Parts,
    Query(p): Query<LookupParams>,
) -> Result<Json<Vec<Certificate>>, ApiError> {
    let q = check(&p)?;
    let rows = crate::certificates::run(&s, &parts, &q)
        .await?
        .ok_or_else(|| AppError::BadRequest("请填写姓名，以及证书编号或证件号码".into()))?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_pattern_and_the_check_agree_on_blank() {
        assert_eq!(super::super::params::NOT_BLANK, r"[^\s\x1c-\x1f]");
        assert!(super::blank(" \u{3000}\u{1c}"));
        assert!(!super::blank(" 张 "));
    }
}
