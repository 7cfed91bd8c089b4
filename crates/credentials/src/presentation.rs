//! The worker's archive bundle (issue 15 item 5): a W3C Verifiable
//! Presentation holding the bureau-signed archive credential (type
//! `JinengArchiveCredential`, no status entry: it is a dated extract, not
//! a standing grant) and each certificate's credential. The presentation
//! itself has no proof: the worker holds no key. Each credential inside
//! is verified on its own; the wrapper is checked to be exactly a bare
//! presentation, so nothing unsigned rides along.

use crate::credential::VC_CONTEXT;
use crate::json;
use crate::verify::{Failure, Verdict, verify_credential, verify_document};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// The archive credential's own type.
pub const ARCHIVE_TYPE: &str = "JinengArchiveCredential";

/// The presentation of `archive` and `certificates` (all signed).
pub fn presentation(archive: Value, certificates: Vec<Value>) -> Value {
    let mut all = vec![archive];
    all.extend(certificates);
    json!({
        "@context": [VC_CONTEXT],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": all,
    })
}

/// Whether `v` is a presentation (as opposed to a single credential).
pub fn is_presentation(v: &Value) -> bool {
    v.get("type")
        .and_then(Value::as_array)
        .is_some_and(|t| t.iter().any(|x| x == "VerifiablePresentation"))
}

/// One credential of a bundle and what its check found.
#[derive(Debug, Clone)]
pub enum Item {
    /// The archive credential: its unsecured document, or why not.
    Archive(Result<Value, Failure>),
    /// A certificate's credential.
    Certificate(Box<Verdict>),
}

impl Item {
    pub fn is_valid(&self) -> bool {
        match self {
            Item::Archive(r) => r.is_ok(),
            Item::Certificate(v) => v.is_valid(),
        }
    }
}

fn shape(p: &Value) -> Result<&Vec<Value>, Failure> {
    let bad = Failure::NotCredential;
    let obj = p.as_object().ok_or(bad("凭证包不是 JSON 对象"))?;
    if obj
        .keys()
        .any(|k| !matches!(k.as_str(), "@context" | "type" | "verifiableCredential"))
    {
        return Err(bad("凭证包含有未签名的附加内容"));
    }
    if obj.get("@context") != Some(&json!([VC_CONTEXT])) {
        return Err(bad("凭证包的 @context 应为 VC 2.0 上下文"));
    }
    if obj.get("type") != Some(&json!(["VerifiablePresentation"])) {
        return Err(bad("凭证包的 type 应为 VerifiablePresentation"));
    }
    let list = obj
        .get("verifiableCredential")
        .and_then(Value::as_array)
        .filter(|l| !l.is_empty())
        .ok_or(bad("凭证包中没有凭证"))?;
    Ok(list)
}

fn is_archive(v: &Value) -> bool {
    v.get("type")
        .and_then(Value::as_array)
        .is_some_and(|t| t.iter().any(|x| x == ARCHIVE_TYPE))
}

/// Verifies every credential of the presentation `text` under `did_doc`;
/// `status_list(url)` gives the status list credential a certificate
/// names (`None`: not to be had, which fails that certificate). The
/// archive credential must be there, first.
pub fn verify_presentation(
    text: &str,
    did_doc: &Value,
    status_list: &dyn Fn(&str) -> Option<Value>,
    now: DateTime<Utc>,
) -> Result<Vec<Item>, Failure> {
    let p = json::parse(text).map_err(Failure::Json)?;
    let list = shape(&p)?;
    if !list.first().is_some_and(is_archive) {
        return Err(Failure::NotCredential("凭证包的第一项应为档案凭证"));
    }
    let mut out = vec![];
    for vc in list {
        if is_archive(vc) {
            let r = verify_document(vc, did_doc).and_then(|(doc, _, _)| {
                crate::verify::check_period(&doc, now)?;
                Ok(doc)
            });
            out.push(Item::Archive(r));
        } else {
            let url = crate::status::read_entry(vc).ok().map(|e| e.list_url);
            let list = url.as_deref().and_then(status_list);
            let text = serde_json::to_string(vc).unwrap_or_default();
            out.push(Item::Certificate(Box::new(verify_credential(
                &text,
                did_doc,
                list.as_ref(),
                now,
            ))));
        }
    }
    Ok(out)
}
