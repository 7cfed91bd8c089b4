//! Properties of issued certificate credentials: whatever the facts and
//! the key, a credential signed and serialised verifies; with any one bit
//! of its serialised bytes flipped it does not (it no longer parses, or the
//! proof fails); revoked in its status list it reads revoked; and after a
//! key rotation it still verifies under the new DID document.

use chrono::{NaiveDate, TimeZone, Utc};
use jineng_credentials::{
    Bitstring, CertificateFacts, Issuer, KeyRing, MaskedId, Verdict, verify_credential,
};
use jineng_domain::{CertificateType, SkillLevel};
use proptest::prelude::*;
use proptest::strategy::ValueTree;

fn facts() -> impl Strategy<Value = CertificateFacts> {
    (
        "[A-Z0-9]{4,20}",
        0..CertificateType::ALL.len(),
        "[\\u{4e00}-\\u{9fa5}]{2,4}",
        proptest::option::of(1u8..=5),
        (2000i32..2030, 1u32..=12, 1u32..=28),
        "[\\u{4e00}-\\u{9fa5}a-z ]{1,12}",
        "[0-9]{17}",
    )
        .prop_map(
            |(no, t, name, level, (y, m, d), body, id)| CertificateFacts {
                cert_no: no,
                cert_type: CertificateType::ALL[t],
                occupation_code: "6-31-01-03".into(),
                occupation_name: "电工".into(),
                skill_level: level.and_then(SkillLevel::from_grade),
                issue_date: NaiveDate::from_ymd_opt(y, m, d).unwrap(),
                issuing_body: body,
                issuing_body_code: "12371500MB28535923".into(),
                holder_name: name,
                holder_id: MaskedId::of(&format!("{id}X")),
            },
        )
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2031, 1, 1, 0, 0, 0).unwrap()
}

/// A credential, its issuer's DID document and status list.
fn issue(
    f: &CertificateFacts,
    seed: [u8; 32],
    index: u64,
    revoked: bool,
) -> (
    String,
    serde_json::Value,
    serde_json::Value,
    Issuer,
    KeyRing,
) {
    let issuer = Issuer::new("https://rsj.example.gov.cn").unwrap();
    let keys = KeyRing::new(seed, "2026-01-01T00:00:00Z");
    let vc = issuer.certificate(f, 1, index, &keys, now()).unwrap();
    let mut bits = Bitstring::new(0);
    if revoked {
        bits.set(index as usize).unwrap();
    }
    let list = issuer.status_list(1, &bits, now(), &keys).unwrap();
    let text = serde_json::to_string_pretty(&vc).unwrap();
    (text, issuer.did_document(&keys), list, issuer, keys)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn a_signed_credential_verifies(f in facts(), seed in any::<[u8; 32]>(), index in 0u64..131_072) {
        let (text, did, list, _, _) = issue(&f, seed, index, false);
        let v = verify_credential(&text, &did, Some(&list), now());
        let Verdict::Valid(c) = v else { panic!("{v:?}") };
        let view = c.view.unwrap();
        prop_assert_eq!(view.cert_no, f.cert_no);
        prop_assert_eq!(view.holder_name, f.holder_name);
        prop_assert_eq!(c.status.index, index);
    }

    #[test]
    fn any_flipped_bit_fails(f in facts(), seed in any::<[u8; 32]>(), pos in any::<prop::sample::Index>(), bit in 0u8..8) {
        let (text, did, list, _, _) = issue(&f, seed, 7, false);
        let mut bytes = text.into_bytes();
        let i = pos.index(bytes.len());
        bytes[i] ^= 1 << bit;
        if let Ok(changed) = String::from_utf8(bytes) {
            let v = verify_credential(&changed, &did, Some(&list), now());
            prop_assert!(matches!(v, Verdict::Invalid(_)), "byte {} bit {}: {:?}", i, bit, v);
        }
    }

    #[test]
    fn revoked_reads_revoked_and_rotation_keeps_old_credentials(f in facts(), seed in any::<[u8; 32]>(), index in 0u64..131_072) {
        let (text, _, _, issuer, mut keys) = issue(&f, seed, index, true);
        let mut bits = Bitstring::new(0);
        bits.set(index as usize).unwrap();
        keys.rotate([seed[0].wrapping_add(1); 32], "2026-06-01T00:00:00Z");
        // The list is signed by the new key; the credential by the old one.
        let list = issuer.status_list(1, &bits, now(), &keys).unwrap();
        let did = issuer.did_document(&keys);
        let v = verify_credential(&text, &did, Some(&list), now());
        prop_assert!(matches!(v, Verdict::Revoked(_)), "{:?}", v);
        let clean = issuer.status_list(1, &Bitstring::new(0), now(), &keys).unwrap();
        prop_assert!(verify_credential(&text, &did, Some(&clean), now()).is_valid());
    }
}

#[test]
fn another_issuers_key_or_list_is_refused() {
    let f = facts()
        .new_tree(&mut proptest::test_runner::TestRunner::deterministic())
        .unwrap()
        .current();
    let (text, did, list, _, _) = issue(&f, [1; 32], 3, false);
    let (_, other_did, other_list, _, _) = issue(&f, [2; 32], 3, false);
    for (d, l, needle) in [
        (&other_did, &list, "没有签名密钥"),
        (&did, &other_list, "状态列表"),
    ] {
        let v = verify_credential(&text, d, Some(l), now());
        let Verdict::Invalid(e) = v else {
            panic!("{v:?}")
        };
        assert!(e.to_string().contains(needle), "{e}");
    }
    let early = Utc.with_ymd_and_hms(1999, 1, 1, 0, 0, 0).unwrap();
    let v = verify_credential(&text, &did, Some(&list), early);
    assert!(matches!(
        v,
        Verdict::Invalid(jineng_credentials::Failure::NotYetValid(_))
    ));
}
