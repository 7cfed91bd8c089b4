//! `jineng bench credentials`: signing and verifying certificate
//! credentials per second on one core, beside a bare Ed25519 sign and
//! verify loop in the same run.
//!
//! Each credential is a real document: generated certificate facts built by
//! the same builder `jineng cert issue` uses, signed (JCS, SHA-256,
//! Ed25519) and serialised; then verified from its text as `jineng cert
//! verify` does it (strict parse, proof under the DID document's key,
//! then the signed status list: its proof, GZIP and the bit). The two
//! phases are timed apart per credential, so memory stays flat at any N.

use chrono::{Duration, NaiveDate, Utc};
use ed25519_dalek::{Signer, SigningKey};
use jineng_credentials::{
    Bitstring, CertificateFacts, Issuer, KeyRing, MaskedId, Verdict, verify_credential,
};
use jineng_domain::{CertificateType, NationalId, SkillLevel};
use serde_json::json;
use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

const NAMES: [&str; 6] = ["张伟", "王芳", "李娜", "刘洋", "陈静", "欧阳建国"];
const OCCUPATIONS: [(&str, &str); 4] = [
    ("6-31-01-03", "电工"),
    ("4-10-01-06", "育婴员"),
    ("4-03-02-01", "中式烹调师"),
    ("6-18-02-04", "焊工"),
];

/// Certificate `i`: varied holder, occupation, level and date.
fn facts(i: usize) -> CertificateFacts {
    let birth = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + Duration::days((i % 12_000) as i64);
    let id = NationalId::from_parts("371502", birth, (i % 1000) as u16);
    let (code, name) = OCCUPATIONS[i % OCCUPATIONS.len()];
    CertificateFacts {
        cert_no: format!("S{:012}", 371_500_000_000usize + i),
        cert_type: CertificateType::SkillLevel,
        occupation_code: code.into(),
        occupation_name: name.into(),
        skill_level: SkillLevel::from_grade(5 - (i % 3) as u8),
        issue_date: NaiveDate::from_ymd_opt(2019, 1, 1).unwrap() + Duration::days((i % 700) as i64),
        issuing_body: "聊城市职业技能鉴定所".into(),
        issuing_body_code: "12371500MB28535923".into(),
        holder_name: NAMES[i % NAMES.len()].into(),
        holder_id: MaskedId::of(id.as_str()),
    }
}

fn per_second(n: usize, secs: f64) -> f64 {
    n as f64 / secs.max(1e-9)
}

/// The baseline: Ed25519 alone over a 64-byte message, as the proof's
/// hash data is: seconds to sign `count` messages, and to verify them.
fn bare_ed25519(count: usize) -> (f64, f64) {
    let key = SigningKey::from_bytes(&[7; 32]);
    let public = key.verifying_key();
    let mut msg = [0u8; 64];
    let t = Instant::now();
    let mut sigs = Vec::with_capacity(count.min(1 << 20));
    for i in 0..count {
        msg[..8].copy_from_slice(&(i as u64).to_le_bytes());
        let s = key.sign(&msg);
        if sigs.len() < sigs.capacity() {
            sigs.push(s);
        }
        black_box(&s);
    }
    let bare_sign = t.elapsed().as_secs_f64();
    let t = Instant::now();
    for i in 0..count {
        msg[..8].copy_from_slice(&(i as u64).to_le_bytes());
        let s = &sigs[i % sigs.len()];
        let ok = public.verify_strict(&msg, s).is_ok();
        black_box(ok);
    }
    let bare_verify = t.elapsed().as_secs_f64();

    (bare_sign, bare_verify)
}

pub fn run(public_url: &str, count: usize, json_out: bool) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(count > 0, "--count 须为正整数");
    let issuer = Issuer::new(public_url)?;
    let keys = KeyRing::new([42; 32], "2026-01-01T00:00:00Z");
    let did = issuer.did_document(&keys);
    let mut bits = Bitstring::new(0);
    for i in (0..131_072).step_by(97) {
        bits.set(i)?;
    }
    let now = Utc::now();
    let list = issuer.status_list(1, &bits, now, &keys)?;

    let (mut sign_secs, mut verify_secs, mut bytes) = (0.0, 0.0, 0usize);
    let mut revoked = 0usize;
    for i in 0..count {
        let f = facts(i);
        let index = (i * 7919 % 131_072) as u64;
        let t0 = Instant::now();
        let vc = issuer.certificate(&f, 1, index, &keys, now)?;
        let text = serde_json::to_string_pretty(&vc)?;
        let t1 = Instant::now();
        let verdict = verify_credential(&text, &did, Some(&list), now);
        let t2 = Instant::now();
        sign_secs += (t1 - t0).as_secs_f64();
        verify_secs += (t2 - t1).as_secs_f64();
        bytes += text.len();
        match verdict {
            Verdict::Valid(_) => {}
            Verdict::Revoked(_) => revoked += 1,
            Verdict::Invalid(e) => anyhow::bail!("第 {i} 本证书验证失败：{e}"),
        }
    }

    let (bare_sign, bare_verify) = bare_ed25519(count);
    let r = json!({
        "count": count,
        "threads": 1,
        "mean_credential_bytes": bytes / count,
        "revoked_seen": revoked,
        "sign_per_s": per_second(count, sign_secs),
        "verify_per_s": per_second(count, verify_secs),
        "bare_sign_per_s": per_second(count, bare_sign),
        "bare_verify_per_s": per_second(count, bare_verify),
        "sign_seconds": sign_secs,
        "verify_seconds": verify_secs,
    });
    if json_out {
        println!("{r}");
        return Ok(ExitCode::SUCCESS);
    }
    let f = |k: &str| r[k].as_f64().unwrap_or(0.0);
    println!(
        "可验证证书基准：{count} 本（单线程，平均每本 {} 字节；其中状态位为已撤销 {revoked} 本）",
        bytes / count
    );
    println!(
        "  签发（构建文档、JCS、SHA-256、Ed25519 签名、序列化）：{:.0} 本/秒（共 {:.2} 秒）",
        f("sign_per_s"),
        sign_secs
    );
    println!(
        "  验证（严格解析、JCS、验签，再验证状态列表凭证并查位）：{:.0} 本/秒（共 {:.2} 秒）",
        f("verify_per_s"),
        verify_secs
    );
    println!(
        "  对照：裸 Ed25519 签名 {:.0} 次/秒，验证 {:.0} 次/秒",
        f("bare_sign_per_s"),
        f("bare_verify_per_s")
    );
    println!(
        "  签发为裸签名的 {:.0}%，验证为裸验证的 {:.0}%",
        100.0 * f("sign_per_s") / f("bare_sign_per_s"),
        100.0 * f("verify_per_s") / f("bare_verify_per_s")
    );
    Ok(ExitCode::SUCCESS)
}
