//! `eddsa-jcs-2022` against the test vectors of W3C "Data Integrity EdDSA
//! Cryptosuites v1.0" (`tests/vectors/w3c/`, see its README): every
//! intermediate value — canonical document, canonical proof
//! configuration, both hashes, the signature in hex and as `proofValue` —
//! equals the published one byte for byte, and the published signed
//! credential verifies.

use jineng_credentials::proof::{self, ProofOptions};
use jineng_credentials::{jcs, json, multibase, multikey};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::PathBuf;

fn read(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors/w3c")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn jcs_file(name: &str) -> String {
    read(&format!("eddsa-jcs-2022/{name}"))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|b| format!("{b:02x}")).collect()
}

fn key_pair() -> (jineng_credentials::SigningKey, String) {
    let kp: Value = serde_json::from_str(&read("keyPair.json")).unwrap();
    let sk = multikey::decode_secret(kp["privateKeyMultibase"].as_str().unwrap()).unwrap();
    let pk = kp["publicKeyMultibase"].as_str().unwrap().to_string();
    assert_eq!(multikey::encode_public(&sk.verifying_key()), pk);
    (sk, pk)
}

#[test]
fn every_step_equals_the_published_vector() {
    let (sk, _) = key_pair();
    let unsigned = json::parse(&read("unsigned.json")).unwrap();
    let mut options = json::parse(&jcs_file("proofConfigJCS.json"))
        .unwrap()
        .as_object()
        .unwrap()
        .clone();

    let canon_doc = proof::transform(&unsigned, &options).unwrap();
    assert_eq!(canon_doc, jcs_file("canonDocJCS.txt"));
    assert_eq!(
        hex(&Sha256::digest(canon_doc.as_bytes())),
        jcs_file("docHashJCS.txt")
    );

    let canon_proof = proof::proof_configuration(&options).unwrap();
    assert_eq!(canon_proof, jcs_file("proofCanonJCS.txt"));
    assert_eq!(
        hex(&Sha256::digest(canon_proof.as_bytes())),
        jcs_file("proofHashJCS.txt")
    );

    let hash = proof::hash_data(&canon_doc, &canon_proof);
    assert_eq!(hex(&hash), jcs_file("combinedHashJCS.txt"));

    use ed25519_dalek::Signer;
    let sig = sk.sign(&hash).to_bytes();
    assert_eq!(hex(&sig), jcs_file("sigHexJCS.txt"));
    assert_eq!(multibase::encode_z(&sig), jcs_file("sigBTC58JCS.txt"));

    // The whole Create Proof algorithm gives the published signed document.
    let created = options.remove("created").unwrap();
    let vm = options.remove("verificationMethod").unwrap();
    let secured = proof::sign(
        &unsigned,
        &ProofOptions {
            verification_method: vm.as_str().unwrap().into(),
            created: created.as_str().unwrap().into(),
        },
        &sk,
    )
    .unwrap();
    let published = json::parse(&jcs_file("signedJCS.json")).unwrap();
    assert_eq!(secured, published);
    assert_eq!(
        jcs::canonicalize(&secured).unwrap(),
        jcs::canonicalize(&published).unwrap()
    );
}

#[test]
fn the_published_signed_credential_verifies_and_a_changed_one_does_not() {
    let (_, pk) = key_pair();
    let key = multikey::decode_public(&pk).unwrap();
    let signed = json::parse(&jcs_file("signedJCS.json")).unwrap();
    let read = proof::read(&signed).unwrap();
    assert_eq!(read.verification_method, format!("did:key:{pk}#{pk}"));
    let doc = read.verify(&key).unwrap();
    assert_eq!(doc, json::parse(&read_unsigned()).unwrap());

    let mut changed = signed.clone();
    changed["credentialSubject"]["alumniOf"] = "The School of Counterfeits".into();
    let r = proof::read(&changed).unwrap().verify(&key);
    assert_eq!(r.unwrap_err(), proof::ProofError::BadSignature);

    // The proof's @context must open the document's.
    let mut ctx = signed.clone();
    ctx["@context"] = serde_json::json!(["https://www.w3.org/ns/credentials/v2"]);
    assert_eq!(
        proof::read(&ctx).unwrap_err(),
        proof::ProofError::ContextMismatch
    );
    // The proof options are signed too.
    let mut created = signed;
    created["proof"]["created"] = "2023-02-24T23:36:39Z".into();
    assert_eq!(
        proof::read(&created).unwrap().verify(&key).unwrap_err(),
        proof::ProofError::BadSignature
    );
}

fn read_unsigned() -> String {
    read("unsigned.json")
}
