//! Verifying a credential against this registry, offline: what a verifier
//! is not given is taken from here — the DID document from the local key
//! file, the status list built from the local revocations — and then
//! checked exactly as a remote verifier checks what it fetched
//! (`jineng_credentials::verify_credential`). Nothing is fetched.

use super::Credentials;
use crate::{Store, StoreError};
use jineng_credentials::presentation::{Item, verify_presentation};
use jineng_credentials::{Failure, Verdict, json, status, verify_credential};
use serde_json::Value;

impl Store {
    /// Verifies the credential `text` at `now` with `did_doc` and
    /// `status_list` when given, else with this registry's.
    pub async fn verify_credential(
        &self,
        creds: &Credentials,
        text: &str,
        did_doc: Option<Value>,
        status_list: Option<Value>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Verdict, StoreError> {
        let did_doc = given_or_ours(creds, did_doc)?;
        let status_list = match status_list {
            Some(s) => Some(s),
            // The list the credential names, if it is one of ours; a
            // credential that does not parse fails before it is needed.
            None => {
                let list = json::parse(text)
                    .ok()
                    .and_then(|v| status::read_entry(&v).ok())
                    .and_then(|e| creds.list_of_url(&e.list_url));
                match list {
                    Some(l) => self.status_list_credential(creds, l).await?,
                    None => None,
                }
            }
        };
        Ok(verify_credential(text, &did_doc, status_list.as_ref(), now))
    }

    /// Verifies the archive bundle (a presentation) `text`: each
    /// credential, with `did_doc` and `status_list` when given, else this
    /// registry's (every list a certificate names is taken from here).
    pub async fn verify_bundle(
        &self,
        creds: &Credentials,
        text: &str,
        did_doc: Option<Value>,
        status_list: Option<Value>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Result<Vec<Item>, Failure>, StoreError> {
        let did_doc = given_or_ours(creds, did_doc)?;
        let mut lists: std::collections::HashMap<String, Value> = Default::default();
        if status_list.is_none()
            && let Ok(p) = json::parse(text)
        {
            let vcs = p.get("verifiableCredential").and_then(Value::as_array);
            for vc in vcs.into_iter().flatten() {
                let Some(url) = status::read_entry(vc).ok().map(|e| e.list_url) else {
                    continue;
                };
                if lists.contains_key(&url) {
                    continue;
                }
                if let Some(l) = creds.list_of_url(&url)
                    && let Some(doc) = self.status_list_credential(creds, l).await?
                {
                    lists.insert(url, doc);
                }
            }
        }
        let lookup = |url: &str| match &status_list {
            Some(s) => Some(s.clone()),
            None => lists.get(url).cloned(),
        };
        Ok(verify_presentation(text, &did_doc, &lookup, now))
    }
}

/// The DID document a caller gave, else this registry's.
fn given_or_ours(creds: &Credentials, did_doc: Option<Value>) -> Result<Value, StoreError> {
    match did_doc {
        Some(d) => Ok(d),
        None => Ok(creds.did_document()?),
    }
}
