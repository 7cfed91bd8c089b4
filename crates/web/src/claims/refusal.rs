//! A refusal in plain words for the worker who filed the claim: which
//! requirement was not met, what was found, and what would be needed.

use jineng_domain::policy::RuleId;
use jineng_domain::policy::trace::{ClauseRow, TraceLine, Verdict};

/// What a claimant would need for each rule that can refuse a claim.
fn needed(rule: Option<RuleId>) -> &'static str {
    match rule {
        Some(RuleId::R1) => {
            "所持证书的职业和等级须在当地补贴目录内，并在政策有效期内取得；如证书信息有误，请先向发证机构申请更正"
        }
        Some(RuleId::R2) => "每人每年享受补贴的次数有上限，可在下一年度再申请",
        Some(RuleId::R3) => "同一职业同一等级只补贴一次；取得更高等级的证书后可以再申请",
        Some(RuleId::R4) => "须在当地补贴目录内的培训机构参加培训",
        Some(RuleId::R5) => "已按月领取养老金的人员不属于补贴对象",
        Some(RuleId::R6) | Some(RuleId::R7) | Some(RuleId::R14) => {
            "须本人（或直系亲属）在培训时属于政策规定的人员类别；如类别登记有误，请向当地人社部门申请更正"
        }
        Some(RuleId::R8) => "须属于生活费补贴的对象，并参加培训、结业合格",
        Some(RuleId::R9) | Some(RuleId::R10) => "此项补贴由企业为职工申请",
        Some(RuleId::R11) => "须参加列入当地培训计划的项目制培训",
        Some(RuleId::R12) => "须参加失业保险缴费满规定月数，并在取得证书后的规定时限内提出申请",
        Some(RuleId::R13) => "退役军人免费培训只能享受一次",
        Some(RuleId::R15) | Some(RuleId::R16) => "请向当地人社部门咨询",
        Some(RuleId::R17) => "同一证书、同一培训或同一月份只能申领一次",
        None => "申领时所在地区须有有效的补贴政策；请在政策有效期内申请，或向当地人社部门咨询",
    }
}

/// One unmet requirement: (要求, 审核发现, 需要).
pub struct Reason {
    pub rule: String,
    pub found: String,
    pub needed: &'static str,
}

/// The failed lines of a decision, as reasons (the trace and its rendered
/// rows are in the same order).
pub fn reasons(trace: &[TraceLine], rows: &[ClauseRow]) -> Vec<Reason> {
    trace
        .iter()
        .zip(rows)
        .filter(|(t, _)| t.verdict == Verdict::Fail)
        .map(|(t, r)| Reason {
            rule: t
                .rule
                .map_or_else(|| "补贴政策".to_string(), |id| id.title_zh().to_string()),
            found: r.detail.clone(),
            needed: needed(t.rule),
        })
        .collect()
}
