//! Verifiable certificates (issue 15), pure: no I/O, no database.
//!
//! - [`jcs`]: RFC 8785 JSON canonicalisation; [`json`]: the strict (I-JSON)
//!   reader a verifier parses with;
//! - [`multibase`], [`multikey`]: base58-btc / base64url, Ed25519 keys as
//!   multikeys;
//! - [`proof`]: the Data Integrity proof, cryptosuite `eddsa-jcs-2022`;
//! - [`credential`]: the VC 2.0 / Open Badges 3.0 document of a certificate;
//! - [`status`]: the Bitstring Status List (revocation);
//! - [`did`]: `did:web` and the DID document; [`keys`]: the key ring of the
//!   key file;
//! - [`verify`]: the whole check a verifier makes; [`presentation`]: the
//!   worker's archive bundle (a presentation of signed credentials).
//!
//! [`Issuer`] ties them together for the store and the web: build and sign
//! a certificate's credential, sign the status list, publish the DID
//! document. See `docs/credentials.md`.

pub mod credential;
pub mod did;
pub mod jcs;
pub mod json;
pub mod keys;
pub mod multibase;
pub mod multikey;
pub mod presentation;
pub mod proof;
pub mod status;
pub mod verify;

pub use credential::{CertificateFacts, CertificateView, MaskedId};
pub use did::DidError;
pub use ed25519_dalek::{SigningKey, VerifyingKey};
pub use keys::{KeyFileError, KeyRing};
pub use proof::ProofError;
pub use status::Bitstring;
pub use verify::{Checked, Failure, Verdict, verify_credential};

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;

/// The public address a deployment uses when none is configured.
pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8080";

/// Where status lists are published, below the public address.
pub const STATUS_PATH: &str = "/credentials/status/";

/// The bureau as an issuer: its public address and the `did:web` made of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issuer {
    public_url: String,
    did: String,
}

impl Issuer {
    /// The issuer at `public_url` (`https://rsj.example.gov.cn`).
    pub fn new(public_url: &str) -> Result<Issuer, DidError> {
        let did = did::did_web(public_url)?;
        Ok(Issuer {
            public_url: public_url.trim_end_matches('/').to_string(),
            did,
        })
    }

    pub fn did(&self) -> &str {
        &self.did
    }

    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// The stable address of status list `list`.
    pub fn status_list_url(&self, list: i64) -> String {
        format!("{}{STATUS_PATH}{list}", self.public_url)
    }

    /// The signed credential of a certificate at `index` of list `list`.
    pub fn certificate(
        &self,
        facts: &CertificateFacts,
        list: i64,
        index: u64,
        keys: &KeyRing,
        now: DateTime<Utc>,
    ) -> Result<Value, ProofError> {
        let entry = status::entry(&self.status_list_url(list), index);
        let doc = credential::certificate_credential(facts, &self.did, entry);
        self.sign(&doc, keys, now)
    }

    /// The signed status list credential of list `list`, valid from
    /// `valid_from` (its last change: the same bits and keys give the same
    /// bytes, so caches and ETags hold).
    pub fn status_list(
        &self,
        list: i64,
        bits: &Bitstring,
        valid_from: DateTime<Utc>,
        keys: &KeyRing,
    ) -> Result<Value, ProofError> {
        let doc = status::list_credential(
            &self.status_list_url(list),
            &self.did,
            &xsd(valid_from),
            bits,
        );
        self.sign(&doc, keys, valid_from)
    }

    /// `doc` with a proof by the current key, created `now`.
    pub fn sign(
        &self,
        doc: &Value,
        keys: &KeyRing,
        now: DateTime<Utc>,
    ) -> Result<Value, ProofError> {
        let options = proof::ProofOptions {
            verification_method: keys.key_id(&self.did),
            created: xsd(now),
        };
        proof::sign(doc, &options, keys.signing_key())
    }

    /// The DID document listing every key of `keys`.
    pub fn did_document(&self, keys: &KeyRing) -> Value {
        keys.did_document(&self.did)
    }
}

/// A time as the proofs and lists write it: UTC, whole seconds.
pub fn xsd(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}
