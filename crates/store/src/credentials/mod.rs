//! Verifiable certificates on the registry (issue 15, docs/credentials.md):
//! the issuer's configuration and keys ([`Credentials`]), the status list
//! entries and lists (`status`), revocation (`revoke`), issuing a
//! certificate's credential (`issue`) and verifying one against the local
//! registry (`verify`). The documents themselves are built, signed and
//! checked by the pure crate `jineng-credentials`.
//!
//! The API a caller needs (the CLI, the web, a later PDF or verify page):
//! [`Credentials::new`] / [`Credentials::for_store`], then
//! [`Store::issue_credential`], [`Store::issue_credentials`],
//! [`Store::status_list_credential`], [`Store::revoke_certificate`],
//! [`Store::certificate_status`], [`Store::verify_credential`] and
//! [`Credentials::did_document`]. For print, `/verify` and the worker's
//! archive (`record`, `bundle`): [`Store::printable_certificate`],
//! [`Store::verify_lookup`], [`Store::worker_record`],
//! [`Store::archive_bundle`], [`Store::record_archive_export`].

mod bundle;
mod issue;
mod keyfile;
mod record;
mod revoke;
mod status;
mod verify;

pub use bundle::archive_subject;
pub use issue::{IssueReport, Selection};
pub use keyfile::default_key_path;
pub use record::{
    PrintableCertificate, RecordCertificate, Subsidy, VerifyHit, VerifyKey, WorkerRecord,
    mask_name, revocation_category, verify_url,
};
pub(crate) use revoke::revoke_case_certificates;
pub use revoke::{CertificateStatus, Revocation};

use crate::{Store, StoreError};
use jineng_credentials::{Issuer, KeyRing};
use jineng_domain::audit::{Action, Entity};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The bureau as an issuer: its public address (and so its `did:web`)
/// and where its signing keys are kept.
#[derive(Debug, Clone)]
pub struct Credentials {
    issuer: Issuer,
    /// `None`: a ring of this process only (an in-memory database).
    key_file: Option<PathBuf>,
}

impl Credentials {
    /// The issuer at `public_url` with its keys in `key_file`.
    pub fn new(public_url: &str, key_file: Option<PathBuf>) -> Result<Credentials, StoreError> {
        let issuer = Issuer::new(public_url).map_err(|e| StoreError::Config(e.to_string()))?;
        Ok(Credentials { issuer, key_file })
    }

    /// The issuer at `public_url` with its keys in `key_file` when given,
    /// else where the store's database puts them ([`default_key_path`]).
    pub fn for_store(
        store: &Store,
        public_url: &str,
        key_file: Option<PathBuf>,
    ) -> Result<Credentials, StoreError> {
        let file = key_file.or_else(|| store.signing_key_path.clone());
        Credentials::new(public_url, file)
    }

    pub fn issuer(&self) -> &Issuer {
        &self.issuer
    }

    /// The key file (`None`: in memory).
    pub fn key_file(&self) -> Option<&Path> {
        self.key_file.as_deref()
    }

    /// The key ring, the file created with a first key when missing.
    pub fn keys(&self) -> Result<KeyRing, StoreError> {
        keyfile::load_or_create(self.key_file())
    }

    /// Makes a new signing key; the old public keys stay in the DID
    /// document. Returns the new ring.
    pub fn rotate(&self) -> Result<KeyRing, StoreError> {
        keyfile::rotate(self.key_file())
    }

    /// The DID document from the key file as it is, without creating a
    /// key (a verifier's view: no file, no keys).
    pub fn did_document_if_any(&self) -> Result<Value, StoreError> {
        match keyfile::load_existing(self.key_file())? {
            Some(keys) => Ok(self.issuer.did_document(&keys)),
            None => Ok(jineng_credentials::did::document(self.issuer.did(), &[])),
        }
    }

    /// The DID document (`/.well-known/did.json`) with every key.
    pub fn did_document(&self) -> Result<Value, StoreError> {
        Ok(self.issuer.did_document(&self.keys()?))
    }

    /// The status list id of a status list address of this issuer.
    pub fn list_of_url(&self, url: &str) -> Option<i64> {
        let prefix = format!(
            "{}{}",
            self.issuer.public_url(),
            jineng_credentials::STATUS_PATH
        );
        let rest = url.strip_prefix(&prefix)?;
        rest.parse::<i64>()
            .ok()
            .filter(|n| *n > 0 && n.to_string() == rest)
    }
}

impl Store {
    /// Records a key rotation in the audit trail (the keys' public ids).
    pub async fn record_key_rotation(
        &self,
        old_key: &str,
        new_key: &str,
        actor: &crate::Actor,
    ) -> Result<(), StoreError> {
        let entry = crate::audit::AuditEntry::change(
            Action::RotateSigningKey,
            Entity::SigningKey,
            new_key.to_string(),
            Some(&serde_json::json!({ "current": old_key })),
            Some(&serde_json::json!({ "current": new_key, "retired": old_key })),
        );
        self.audit_alone(actor, &[entry]).await
    }
}
