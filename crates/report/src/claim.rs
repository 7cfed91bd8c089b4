//! A claim's decision in Chinese, as an officer reads it: the CLI's
//! `claims show` and the web's claim page print the same text.

use jineng_domain::policy::trace::{
    ClauseRow, RenderCtx, clause_row, render_line, render_unpoliced, unpoliced_row,
};
use jineng_domain::policy::{DecisionOutcome, PayeeKind, Policy};
use jineng_domain::{CertificateType, Fen, SkillLevel, Yuan};
use jineng_store::{ClaimDetail, PolicySet, version_label};

fn level_name(l: Option<i64>) -> Option<SkillLevel> {
    l.and_then(|g| u8::try_from(g).ok())
        .and_then(SkillLevel::from_grade)
}

/// A claim's decision rendered for an officer: the header, one line per
/// rule evaluated with its clause, and the conclusion.
#[derive(Debug, Clone)]
pub struct RenderedClaim {
    pub header: String,
    pub lines: Vec<String>,
    /// The same lines as a table's rows (rule, clause, outcome, detail).
    pub rows: Vec<ClauseRow>,
    pub conclusion: String,
}

/// The decision as an officer reads it (see docs/spec/POLICY.md).
pub fn render_claim(d: &ClaimDetail, policies: &PolicySet) -> RenderedClaim {
    let level = level_name(d.skill_level);
    let cert = d.cert_type.as_deref().and_then(CertificateType::from_code);
    let mut out = format!(
        "申领 #{}  {} ({})  {}",
        d.claim_no, d.person_name, d.id_number, d.subsidy_type
    );
    if !d.occupation_name.is_empty() {
        out.push_str(&format!("  {}", d.occupation_name));
    }
    if let Some(l) = level {
        out.push_str(&format!(" {}", l.as_zh()));
    }
    if let Some(c) = cert {
        out.push_str(&format!("  {}", c.as_zh()));
    }
    // The version the decision used; a claim decided before versions, by
    // its policy's current version.
    let policy: Option<&Policy> = match d.policy_version {
        Some(v) => policies.version(v).map(|c| c.policy),
        None => d.policy_id.and_then(|id| policies.get(id)),
    };
    let Some(policy) = policy else {
        if d.outcome.is_some() && d.policy_id.is_none() {
            // Held because no policy applies (无适用政策).
            return RenderedClaim {
                header: out,
                lines: d.trace.iter().map(render_unpoliced).collect(),
                rows: d.trace.iter().map(unpoliced_row).collect(),
                conclusion: format!("结论：需人工复核（无适用政策）\n状态：{}", d.status.as_zh()),
            };
        }
        return RenderedClaim {
            header: out,
            lines: vec![],
            rows: vec![],
            conclusion: format!("状态：{}（尚未决定）", d.status.as_zh()),
        };
    };
    let ctx = RenderCtx {
        subsidy_type: &d.subsidy_type,
        occupation: &d.occupation_name,
        level,
        cert_type: cert,
    };
    RenderedClaim {
        header: out,
        lines: d
            .trace
            .iter()
            .map(|line| render_line(line, policy, &ctx))
            .collect(),
        rows: d
            .trace
            .iter()
            .map(|line| clause_row(line, policy, &ctx))
            .collect(),
        conclusion: conclusion(d),
    }
}

fn conclusion(d: &ClaimDetail) -> String {
    let outcome = d.outcome.as_deref().and_then(|o| match o {
        "approved" => Some(DecisionOutcome::Approved),
        "rejected" => Some(DecisionOutcome::Rejected),
        "review" => Some(DecisionOutcome::Review),
        _ => None,
    });
    let amount = Yuan(Fen(d.amount_fen.unwrap_or(0)));
    let payee = d
        .payee_kind
        .as_deref()
        .and_then(PayeeKind::parse)
        .map(|k| match k {
            PayeeKind::Person => format!("{}（本人）", d.person_name),
            _ => format!(
                "{}（{}）",
                d.payee_name
                    .clone()
                    .or_else(|| d.payee_code.clone())
                    .unwrap_or_default(),
                k.as_zh()
            ),
        });
    let mut s = match outcome {
        Some(DecisionOutcome::Approved) => {
            format!("结论：核准 {amount}，支付给 {}", payee.unwrap_or_default())
        }
        Some(DecisionOutcome::Review) => format!(
            "结论：需人工复核；如核准为 {amount}，支付给 {}",
            payee.unwrap_or_default()
        ),
        Some(DecisionOutcome::Rejected) | None => "结论：不予核准".to_string(),
    };
    if d.advance_pct.is_some_and(|p| p > 0) {
        s.push_str(&format!("（可预拨 {}%）", d.advance_pct.unwrap_or(0)));
    }
    s.push_str(&format!("\n状态：{}", d.status.as_zh()));
    match (&d.fund_name, &d.fund_code) {
        (Some(name), Some(code)) => s.push_str(&format!("，资金来源 {name}（{code}）")),
        (None, Some(code)) => s.push_str(&format!("，资金来源 {code}")),
        _ => {}
    }
    if let Some(n) = &d.officer_note {
        s.push_str(&format!("，意见：{n}"));
    }
    if let (Some(key), Some(no), Some(sha)) = (&d.policy_key, d.policy_version_no, &d.policy_sha256)
    {
        s.push_str(&format!("\n依据政策：{}", version_label(key, no, sha)));
    }
    s
}
