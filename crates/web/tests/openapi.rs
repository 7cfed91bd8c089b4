//! The OpenAPI document of `/api/v1`, as served at `/api/openapi.json`,
//! is pinned by a snapshot: an API change shows up in review.

use utoipa::OpenApi;

#[test]
fn openapi_document_is_unchanged() {
    let doc = serde_json::to_value(jineng_web::ApiDoc::openapi()).unwrap();
    insta::assert_json_snapshot!("openapi", doc);
}

/// What a validator (openapi-spec-validator) and a client generator
/// need beside the snapshot: unique operation ids, and every error an
/// operation answers with in the one error shape.
#[test]
fn operations_are_unique_and_errors_declared() {
    let doc = serde_json::to_value(jineng_web::ApiDoc::openapi()).unwrap();
    let mut ids = std::collections::BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap();
            assert!(ids.insert(id.to_string()), "{method} {path}: {id} twice");
            let responses = op["responses"].as_object().unwrap();
            let public = op["security"] == serde_json::json!([{}]);
            if !public {
                assert!(responses.contains_key("401"), "{method} {path}: no 401");
            }
            for (status, r) in responses {
                assert!(
                    !r["description"].as_str().unwrap().is_empty(),
                    "{method} {path} {status}"
                );
                if status.starts_with('4') {
                    assert_eq!(
                        r.pointer("/content/application~1json/schema/$ref"),
                        Some(&serde_json::json!("#/components/schemas/ErrorBody")),
                        "{method} {path} {status}"
                    );
                }
            }
        }
    }
}
