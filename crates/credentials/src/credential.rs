//! The W3C Verifiable Credential 2.0 of one certificate in the registry,
//! also an Open Badges 3.0 `OpenBadgeCredential`.
//!
//! The subject is shaped as an OB3 `AchievementSubject` where OB3 has a
//! place for a fact: the holder's name and masked ID number as
//! `identifier`s (`IdentityObject`, not hashed; the masked number under
//! the extension type `ext:maskedNationalIdentityNumber`), the certificate
//! number as `licenseNumber`, the occupation and level as the
//! `achievement` (its `humanCode` the occupation code, its `creator` the
//! issuing body). The same facts are repeated flat under `certificate`,
//! the one place Jineng and its verifiers read them back from
//! ([`CertificateView`]). The full ID number never enters a credential:
//! [`MaskedId`] is the only way to pass one in.

use chrono::NaiveDate;
use jineng_domain::national_id::mask_id;
use jineng_domain::{CertificateType, SkillLevel};
use serde::Serialize;
use serde_json::{Value, json};

pub const VC_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";
pub const OB3_CONTEXT: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";

/// An ID number as a credential may show it: masked (`3715**********1234`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MaskedId(String);

impl MaskedId {
    /// Masks a full ID number.
    pub fn of(full: &str) -> MaskedId {
        MaskedId(mask_id(full))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What the registry knows of a certificate, as the credential states it.
#[derive(Debug, Clone)]
pub struct CertificateFacts {
    pub cert_no: String,
    pub cert_type: CertificateType,
    pub occupation_code: String,
    pub occupation_name: String,
    pub skill_level: Option<SkillLevel>,
    pub issue_date: NaiveDate,
    /// The body that issued the certificate (鉴定机构, 评价机构 …).
    pub issuing_body: String,
    pub issuing_body_code: String,
    pub holder_name: String,
    pub holder_id: MaskedId,
}

/// The credential's `id`: a URN naming the certificate (type and number,
/// percent-encoded), stable across issues.
pub fn credential_id(cert_type: CertificateType, cert_no: &str) -> String {
    let mut out = format!("urn:jineng:certificate:{}:", cert_type.code());
    for b in cert_no.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn level_text(l: Option<SkillLevel>) -> &'static str {
    l.map_or("", SkillLevel::as_zh)
}

/// The unsigned credential of `f`, issued by `issuer_did`, with
/// `status` as its `credentialStatus` ([`crate::status::entry`]).
pub fn certificate_credential(f: &CertificateFacts, issuer_did: &str, status: Value) -> Value {
    let type_name = f.cert_type.as_zh();
    let level = level_text(f.skill_level);
    let title = if level.is_empty() {
        f.occupation_name.clone()
    } else {
        format!("{}（{level}）", f.occupation_name)
    };
    let date = f.issue_date.format("%Y-%m-%d").to_string();
    let achievement_id = format!(
        "urn:jineng:achievement:{}:{}:{}",
        f.cert_type.code(),
        f.occupation_code,
        f.skill_level.map_or(0, SkillLevel::grade)
    );
    json!({
        "@context": [VC_CONTEXT, OB3_CONTEXT],
        "id": credential_id(f.cert_type, &f.cert_no),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": format!("{type_name}：{title}"),
        "issuer": {"id": issuer_did, "type": ["Profile"]},
        "validFrom": format!("{date}T00:00:00+08:00"),
        "credentialStatus": status,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {"type": "IdentityObject", "identityType": "name", "hashed": false,
                 "identityHash": f.holder_name},
                {"type": "IdentityObject", "identityType": "ext:maskedNationalIdentityNumber",
                 "hashed": false, "identityHash": f.holder_id.as_str()},
            ],
            "licenseNumber": f.cert_no,
            "achievement": {
                "id": achievement_id,
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": title,
                "description": format!("{type_name}，职业（工种）{} {}{}",
                    f.occupation_code, f.occupation_name,
                    if level.is_empty() { String::new() } else { format!("，{level}") }),
                "criteria": {"narrative": format!("经{}评价合格，于 {date} 颁发", f.issuing_body)},
                "humanCode": f.occupation_code,
                "fieldOfStudy": f.occupation_name,
                "creator": {"id": format!("urn:jineng:issuing-body:{}", f.issuing_body_code),
                            "type": ["Profile"], "name": f.issuing_body},
            },
            "certificate": {
                "type": f.cert_type.code(),
                "typeName": type_name,
                "number": f.cert_no,
                "occupationCode": f.occupation_code,
                "occupationName": f.occupation_name,
                "level": f.skill_level.map(SkillLevel::grade),
                "levelName": level,
                "issuingBody": f.issuing_body,
                "issuingBodyCode": f.issuing_body_code,
                "issueDate": date,
                "holderName": f.holder_name,
                "holderIdMasked": f.holder_id.as_str(),
            },
        },
    })
}

/// The certificate facts a (verified) credential states, as text for
/// display: the `credentialSubject.certificate` block.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CertificateView {
    pub cert_type: String,
    pub type_name: String,
    pub cert_no: String,
    pub occupation_code: String,
    pub occupation_name: String,
    pub level_name: String,
    pub issuing_body: String,
    pub issue_date: String,
    pub holder_name: String,
    pub holder_id_masked: String,
}

impl CertificateView {
    /// `None` when the credential is not a Jineng certificate.
    pub fn of(credential: &Value) -> Option<CertificateView> {
        let c = credential.get("credentialSubject")?.get("certificate")?;
        let s = |k: &str| c.get(k).and_then(Value::as_str).map(str::to_string);
        Some(CertificateView {
            cert_type: s("type")?,
            type_name: s("typeName").unwrap_or_default(),
            cert_no: s("number")?,
            occupation_code: s("occupationCode").unwrap_or_default(),
            occupation_name: s("occupationName").unwrap_or_default(),
            level_name: s("levelName").unwrap_or_default(),
            issuing_body: s("issuingBody").unwrap_or_default(),
            issue_date: s("issueDate").unwrap_or_default(),
            holder_name: s("holderName").unwrap_or_default(),
            holder_id_masked: s("holderIdMasked").unwrap_or_default(),
        })
    }
}

/// The issuer's DID of a credential (`issuer` as a string or a profile).
pub fn issuer_of(credential: &Value) -> Option<&str> {
    match credential.get("issuer")? {
        Value::String(s) => Some(s),
        Value::Object(o) => o.get("id")?.as_str(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_ids_are_urns_of_type_and_number() {
        assert_eq!(
            credential_id(CertificateType::SkillLevel, "S 37/1"),
            "urn:jineng:certificate:skill_level:S%2037%2F1"
        );
    }

    #[test]
    fn only_a_masked_id_enters_the_credential() {
        let f = CertificateFacts {
            cert_no: "C1".into(),
            cert_type: CertificateType::SkillLevel,
            occupation_code: "6-31-01-03".into(),
            occupation_name: "电工".into(),
            skill_level: Some(SkillLevel::Four),
            issue_date: NaiveDate::from_ymd_opt(2019, 6, 30).unwrap(),
            issuing_body: "聊城鉴定所".into(),
            issuing_body_code: "X1".into(),
            holder_name: "张三".into(),
            holder_id: MaskedId::of("371502199001011234"),
        };
        let v = certificate_credential(&f, "did:web:x", json!({}));
        let text = v.to_string();
        assert!(!text.contains("371502199001011234"));
        assert!(text.contains("3715**********1234"));
        let view = CertificateView::of(&v).unwrap();
        assert_eq!(view.cert_no, "C1");
        assert_eq!(view.level_name, "四级/中级工");
        assert_eq!(view.issue_date, "2019-06-30");
        assert_eq!(v["validFrom"], "2019-06-30T00:00:00+08:00");
        assert_eq!(issuer_of(&v), Some("did:web:x"));
    }
}
