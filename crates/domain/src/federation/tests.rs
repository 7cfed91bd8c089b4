use md5::Md5;
use sha2::Digest;

use super::*;
use crate::hex;

/// RFC 4231 §4: the HMAC-SHA-256 test cases (key, data, expected; case 5
/// is truncated to 128 bits).
#[test]
fn hmac_matches_the_rfc_4231_test_vectors() {
    let cases: [(Vec<u8>, Vec<u8>, &str); 7] = [
        (
            vec![0x0b; 20],
            b"Hi There".to_vec(),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
        ),
        (
            b"Jefe".to_vec(),
            b"what do ya want for nothing?".to_vec(),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        ),
        (
            vec![0xaa; 20],
            vec![0xdd; 50],
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
        ),
        (
            (1..=25).collect(),
            vec![0xcd; 50],
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
        ),
        (
            vec![0x0c; 20],
            b"Test With Truncation".to_vec(),
            "a3b6167473100ee06e0c796c2955552b",
        ),
        (
            vec![0xaa; 131],
            b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
        ),
        (
            vec![0xaa; 131],
            b"This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".to_vec(),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
        ),
    ];
    for (i, (key, data, expected)) in cases.iter().enumerate() {
        let mac = hex::encode(&hmac_sha256(key, data));
        assert_eq!(
            &mac[..expected.len()],
            *expected,
            "RFC 4231 test case {}",
            i + 1
        );
    }
}

const KEY_HEX: &str = "# 联邦密钥（测试用）\n\
    00112233445566778899aabbccddeeff\n\
    00112233 44556677 8899aabb ccddeeff\n";

fn key() -> FederationKey {
    FederationKey::parse("federation.key", KEY_HEX).unwrap()
}

fn id() -> NationalId {
    NationalId::from_parts(
        "371502",
        chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
        1,
    )
}

fn record(key: &FederationKey) -> TagRecord {
    TagRecord {
        tag: key.tag(&id()),
        occupation: Some("6-01-02-01".into()),
        level: Some("五级".into()),
        subsidy_type: "职业培训补贴".into(),
        year: 2019,
        first_month: None,
        months: None,
        fund: "就业补助资金".into(),
        deployment: "371500".into(),
    }
}

#[test]
fn the_tag_is_the_keyed_hash_of_the_id_number() {
    // Computed with Python's hmac module.
    let k = key();
    assert_eq!(id().as_str(), "371502199001010012");
    assert_eq!(
        k.tag(&id()),
        "9d18d382e9ff52fb2ab8f3541bf0cccd72e05ef57167630918c9a60ba6efddf7"
    );
    assert_eq!(k.key_id(), "b4ecfdc50c41caa0");
    assert!(!format!("{k:?}").contains("0011223344"));
}

#[test]
fn short_or_malformed_keys_are_refused() {
    let e = FederationKey::parse("k", &"ab".repeat(31)).unwrap_err();
    assert!(
        e.to_string().contains("只有 31 字节，至少需要 32 字节"),
        "{e}"
    );
    let e = FederationKey::parse("k", &"zz".repeat(32)).unwrap_err();
    assert!(e.message.contains("十六进制"), "{e}");
    assert!(FederationKey::parse("k", "# nothing\n").is_err());
}

#[test]
fn a_tag_file_holds_neither_the_id_nor_its_unkeyed_hashes() {
    let k = key();
    let text = format!(
        "{}\n{}\n",
        Header::new("371500", &k).to_line(),
        record(&k).to_line()
    );
    let id = id();
    let sha = hex::encode(&sha2::Sha256::digest(id.as_str().as_bytes()));
    let md5 = hex::encode(&Md5::digest(id.as_str().as_bytes()));
    let lower = text.to_lowercase();
    for needle in [
        id.as_str().to_lowercase(),
        sha,
        md5,
        id.as_str()[6..14].to_string(),
    ] {
        assert!(!lower.contains(&needle), "the tag file reveals {needle}");
    }
    let f = parse_tag_file("tianshui.tags", &text, &k, "620500").unwrap();
    assert_eq!(f.header.deployment, "371500");
    assert_eq!(f.records, vec![(2, record(&k))]);
    let c = f.records[0].1.as_claim("local-person", 2);
    assert_eq!(c.deployment.as_deref(), Some("371500"));
}

#[test]
fn tag_files_from_another_key_from_here_or_malformed_are_refused_by_line() {
    let k = key();
    let other = FederationKey::parse("k2", &"cd".repeat(32)).unwrap();
    let text = format!(
        "{}\n{}\n",
        Header::new("371500", &other).to_line(),
        record(&other).to_line()
    );
    let e = parse_tag_file("t", &text, &k, "620500").unwrap_err();
    assert!(
        e.to_string()
            .contains("第 1 行：标签文件用的联邦密钥与本地密钥不同"),
        "{e}"
    );
    let good = Header::new("371500", &k).to_line();
    let e = parse_tag_file("t", &format!("{good}\n"), &k, "371500").unwrap_err();
    assert!(e.message.contains("本部署"), "{e}");
    let mut bad = record(&k);
    bad.tag = id().as_str().to_string();
    let e =
        parse_tag_file("t", &format!("{good}\n\n{}\n", bad.to_line()), &k, "620500").unwrap_err();
    assert_eq!(e.line, Some(3));
    assert!(e.message.contains("64 位"), "{e}");
    let mut bad = record(&k);
    bad.first_month = Some("2019-3".into());
    bad.months = Some(2);
    let e = parse_tag_file("t", &format!("{good}\n{}\n", bad.to_line()), &k, "620500").unwrap_err();
    assert!(e.message.contains("YYYY-MM"), "{e}");
    let e = parse_tag_file(
        "t",
        &format!("{good}\n{{\"tag\":1,\"name\":\"张三\"}}\n"),
        &k,
        "620500",
    )
    .unwrap_err();
    assert_eq!(e.line, Some(2));
}

#[test]
fn paid_months_become_runs_of_consecutive_months() {
    let m = |s: &str| chrono::NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").unwrap();
    let paid = [
        m("2020-03"),
        m("2020-01"),
        m("2020-02"),
        m("2020-06"),
        m("2020-12"),
        m("2021-01"),
    ];
    assert_eq!(
        month_runs(&paid),
        [
            ("2020-01".to_string(), 3),
            ("2020-06".to_string(), 1),
            ("2020-12".to_string(), 2)
        ]
    );
    assert!(month_runs(&[]).is_empty());
    // A run read back as an award covers the same months.
    let award = TagRecord {
        first_month: Some("2020-12".into()),
        months: Some(2),
        ..record(&key())
    }
    .as_award();
    assert_eq!(award.months, [m("2020-12"), m("2021-01")]);
}
