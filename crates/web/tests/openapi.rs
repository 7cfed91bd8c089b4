//! The OpenAPI document of `/api/v1`, as served at `/api/openapi.json`,
//! is pinned by a snapshot: an API change shows up in review.

use utoipa::OpenApi;

#[test]
fn openapi_document_is_unchanged() {
    let doc = serde_json::to_value(jineng_web::ApiDoc::openapi()).unwrap();
    insta::assert_json_snapshot!("openapi", doc);
}
