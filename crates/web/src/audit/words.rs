//! The audit trail's codes in Chinese, in one table: what was done
//! (`action`), to what (`entity`), the fields of a change, and where a
//! record's own page is.

/// (code, 名称) of every action the platform writes.
const ACTIONS: &[(&str, &str)] = &[
    ("insert", "新增"),
    ("update", "修改"),
    ("upsert", "新增或修改"),
    ("delete", "删除"),
    ("create", "创建"),
    ("import", "导入数据"),
    ("reveal", "查看完整证件号码"),
    ("credit_statement", "查看学分账户"),
    ("login", "登录"),
    ("token", "创建访问令牌"),
    ("revoke_token", "吊销访问令牌"),
    ("reset_password", "重置密码"),
    ("change_password", "修改密码"),
    ("enable", "启用账号"),
    ("disable", "停用账号"),
    ("decide", "自动审核"),
    ("approve", "核准"),
    ("reject", "不予核准"),
    ("claim_status", "变更申领状态"),
    ("post", "记账"),
    ("reconcile", "银行对账"),
    ("pay_batch", "代发批次"),
    ("enrol", "报名"),
    ("approve_class", "培训班备案通过"),
    ("return_class", "培训班退回修改"),
    ("request_close_class", "申请培训班结业"),
    ("close_class", "培训班结业"),
    ("refile_class", "培训班重新报备"),
    ("load_policy", "载入政策"),
    ("whatif", "政策测算"),
    ("load_supervision", "载入监管规则"),
    ("open_case", "立案核查"),
    ("close_case", "线索结案"),
    ("revoke_certificate", "撤销证书"),
    ("issue_credential", "首次签发可验证证书"),
    ("rotate_signing_key", "轮换证书签名密钥"),
    ("draw", "双随机抽取"),
    ("inspection_result", "录入抽查结果"),
    ("report", "报送进度"),
    ("issue", "发放培训券"),
    ("redeem", "核验使用培训券"),
    ("lapse", "培训券过期作废"),
    ("settle", "培训券兑付"),
];

/// (code, 名称) of every kind of record the trail names.
const ENTITIES: &[(&str, &str)] = &[
    ("account", "账号"),
    ("person", "人员"),
    ("person_category", "人员类别"),
    ("person_bank_account", "个人银行账户"),
    ("family_relation", "家庭关系"),
    ("institution", "培训机构"),
    ("institution_catalogue", "机构目录"),
    ("institution_bank_account", "机构银行账户"),
    ("class", "培训班"),
    ("enrolment", "花名册"),
    ("certificate", "证书"),
    ("claim", "补贴申领"),
    ("claims", "补贴申领（批量）"),
    ("ledger_tx", "专账凭证"),
    ("pay_batch", "代发批次"),
    ("fund_source", "资金来源"),
    ("region", "行政区划"),
    ("import_batch", "导入批次"),
    ("policy", "补贴政策"),
    ("supervision_case", "监管线索"),
    ("supervision_file", "监管规则"),
    ("inspection_draw", "双随机抽查"),
    ("inspection_result", "抽查结果"),
    ("target", "目标任务"),
    ("task", "重点任务"),
    ("indicator", "指标"),
    ("statistic", "统计数据"),
    ("statistic_def", "统计口径"),
    ("token", "访问令牌"),
    ("signing_key", "证书签名密钥"),
    ("voucher", "职业培训券"),
];

/// (field, 名称) of the fields changes carry.
const FIELDS: &[(&str, &str)] = &[
    ("status", "状态"),
    ("amount_fen", "金额"),
    ("fund", "资金来源"),
    ("fund_code", "资金来源"),
    ("note", "意见"),
    ("reason", "理由"),
    ("name", "姓名"),
    ("class_no", "班级编号"),
    ("claim_no", "申领编号"),
    ("kind", "类型"),
    ("memo", "摘要"),
    ("entries", "分录"),
    ("active", "启用"),
    ("label", "名称"),
    ("paid", "已支付"),
    ("failed", "失败"),
    ("unmatched", "未匹配"),
    ("finding", "发现问题"),
    ("result", "结果"),
    ("severity", "严重程度"),
    ("revoked_on", "撤销日期"),
    ("value", "数值"),
    ("check", "检查项"),
    ("handle", "处理"),
    ("inserted", "新增"),
    ("updated", "更新"),
    ("unchanged", "未变"),
    ("rejected", "拒绝"),
    ("completion", "结业结果"),
    ("offline_hours", "线下课时"),
    ("online_hours", "线上课时"),
    ("display_name", "名称"),
    ("login", "登录名"),
    ("role", "角色"),
    ("region_code", "区划"),
    ("person_id", "人员"),
    ("institution_id", "机构"),
    ("expires_at", "到期时间"),
    ("issue_date", "发证日期"),
    ("recovered", "已追回"),
    ("recovered_fen", "追回金额"),
    ("released", "已放行"),
    ("revoked_certs", "撤销证书"),
    ("evidence", "证据"),
    ("title", "标题"),
    ("doc_no", "文号"),
    ("region", "区划"),
    ("sha256", "摘要"),
    ("year", "年度"),
    ("seed", "随机种子"),
    ("cert_type", "证书类型"),
    ("case_no", "线索编号"),
    ("status_list", "状态列表"),
    ("status_index", "状态序号"),
    ("current", "当前密钥"),
    ("retired", "已轮换密钥"),
    ("face_fen", "面值"),
    ("valid_until", "有效期至"),
    ("issued_on", "发放日期"),
    ("redeemed_on", "核验日期"),
    ("lapsed_on", "作废日期"),
    ("class_id", "培训班"),
];

/// A value of a field whose values are codes, in words; others as they are.
pub fn coded(key: &str, v: &str) -> Option<&'static str> {
    match (key, v) {
        ("completion", "passed") => Some("合格"),
        ("completion", "failed") => Some("不合格"),
        ("completion", "not_finished") => Some("未结业"),
        ("role", r) => jineng_domain::access::Role::from_code(r).map(|r| r.as_zh()),
        ("cert_type", t) => jineng_domain::CertificateType::from_code(t).map(|t| t.as_zh()),
        _ => None,
    }
}

fn look(table: &[(&str, &'static str)], code: &str) -> Option<&'static str> {
    table.iter().find(|(c, _)| *c == code).map(|(_, zh)| *zh)
}

/// An action's name; an unknown code as it is.
pub fn action(code: &str) -> String {
    look(ACTIONS, code).map_or_else(|| code.to_string(), str::to_string)
}

/// A kind of record's name; an unknown code as it is.
pub fn entity(code: &str) -> String {
    look(ENTITIES, code).map_or_else(|| code.to_string(), str::to_string)
}

/// A field's name; an unknown field as it is.
pub fn field(code: &str) -> String {
    look(FIELDS, code).map_or_else(|| code.to_string(), str::to_string)
}

/// The filter's choices: (code, 名称) for the codes present, by name.
pub fn choices(codes: &[String], name: fn(&str) -> String) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = codes.iter().map(|c| (c.clone(), name(c))).collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    out
}

/// The page of the record a row names, when it has one.
pub fn link(entity: &str, key: &str) -> Option<String> {
    let numeric = !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit());
    let safe = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    match entity {
        "person" if numeric => Some(format!("/persons/{key}")),
        "class" | "enrolment" if numeric => Some(format!("/classes/{key}")),
        "institution" if numeric => Some(format!("/institutions/{key}")),
        "claim" if safe => Some(format!("/claims/{key}")),
        "supervision_case" if safe => Some(format!("/supervision/cases/{key}")),
        "inspection_draw" if safe => Some(format!("/supervision/draws/{key}")),
        _ => None,
    }
}

/// Who acted: the channel of an actor code (`web:`, `cli:`, `api:`).
pub fn channel(actor: &str) -> (&'static str, &str) {
    match actor.split_once(':') {
        Some(("web", login)) => ("网页", login),
        Some(("api", login)) => ("接口", login),
        Some(("cli", login)) => ("命令行", login),
        Some(("system", login)) => ("系统", login),
        _ => ("", actor),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_in_chinese_and_unknown_ones_stay() {
        assert_eq!(action("login"), "登录");
        assert_eq!(action("claim_status"), "变更申领状态");
        assert_eq!(entity("ledger_tx"), "专账凭证");
        assert_eq!(action("new_thing"), "new_thing");
        assert_eq!(link("person", "431").as_deref(), Some("/persons/431"));
        assert_eq!(link("person", "../x"), None);
        assert_eq!(channel("web:city"), ("网页", "city"));
        assert_eq!(field("inserted"), "新增");
        assert_eq!(coded("completion", "not_finished"), Some("未结业"));
        assert_eq!(coded("completion", "other"), None);
    }
}
