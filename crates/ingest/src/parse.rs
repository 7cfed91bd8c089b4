//! Row parsing: one template row → one validated record, or every problem
//! found in it (column and reason, in Chinese). Pure: the reference data it
//! checks against is passed in; rules that need the registry (a known
//! person, a known class) are the store's.

use crate::columns::ColumnMap;
use crate::reader::Row;
use crate::report::RowError;
use chrono::NaiveDate;
use jineng_domain::bank_account::AccountHolder;
use jineng_domain::records::*;
use jineng_domain::refdata::{RefData, vocab_kind};
use jineng_domain::{
    BankAccount, CertificateType, CompletionResult, CreditCode, Fen, NationalId, OccupationCode,
    Phone, RegionCode, RelationKind, Sex, SkillLevel, ValueError, normalize_cell, parse_date,
    parse_month, parse_yes_no, validate_person_name,
};

/// What parsing checks against.
#[derive(Debug, Clone, Copy)]
pub struct ParseCtx<'a> {
    pub refdata: &'a RefData,
    pub today: NaiveDate,
}

/// Reads the cells of one row, collecting every error instead of stopping
/// at the first, so that the user fixes a row once.
struct Fields<'a> {
    ctx: ParseCtx<'a>,
    map: &'a ColumnMap,
    row: &'a Row,
    errors: Vec<RowError>,
}

impl<'a> Fields<'a> {
    fn new(ctx: ParseCtx<'a>, map: &'a ColumnMap, row: &'a Row) -> Self {
        Fields {
            ctx,
            map,
            row,
            errors: Vec::new(),
        }
    }

    fn error(&mut self, column: &str, message: impl Into<String>) {
        self.errors.push(RowError {
            row: self.row.number,
            column: column.to_string(),
            message: message.into(),
        });
    }

    /// The normalised cell, `None` when blank.
    fn opt(&self, column: &str) -> Option<String> {
        let v = normalize_cell(self.map.get(self.row, column));
        (!v.is_empty()).then_some(v)
    }

    fn req(&mut self, column: &str) -> Option<String> {
        let v = self.opt(column);
        if v.is_none() {
            self.error(column, format!("「{column}」为必填项，不能为空"));
        }
        v
    }

    fn check<T>(&mut self, column: &str, r: Result<T, ValueError>) -> Option<T> {
        r.map_err(|e| self.error(column, e.0)).ok()
    }

    fn parsed<T>(
        &mut self,
        column: &str,
        required: bool,
        f: impl Fn(&str) -> Result<T, ValueError>,
    ) -> Option<T> {
        let raw = if required {
            self.req(column)?
        } else {
            self.opt(column)?
        };
        let r = f(&raw);
        self.check(column, r)
    }

    fn id(&mut self, column: &str) -> Option<NationalId> {
        let ctx = self.ctx;
        self.parsed(column, true, |s| {
            NationalId::parse(s, ctx.today, &|p| ctx.refdata.province_exists(p))
        })
    }

    fn date(&mut self, column: &str, required: bool) -> Option<NaiveDate> {
        self.parsed(column, required, parse_date)
    }

    fn region(&mut self, column: &str, required: bool) -> Option<RegionCode> {
        let refdata = self.ctx.refdata;
        self.parsed(column, required, |s| {
            let code = RegionCode::parse(s)?;
            match refdata.region_name(code.as_str()) {
                Some(_) => Ok(code),
                None => Err(ValueError::new(format!("行政区划代码 {code} 不存在"))),
            }
        })
    }

    fn credit(&mut self, column: &str, required: bool) -> Option<CreditCode> {
        self.parsed(column, required, CreditCode::parse)
    }

    fn term(&mut self, column: &str, kind: &str) -> Option<String> {
        let refdata = self.ctx.refdata;
        self.parsed(column, true, |s| {
            if refdata.has_term(kind, s) {
                Ok(s.to_string())
            } else {
                let known = refdata.terms(kind);
                let shown: Vec<&str> = known.iter().take(12).map(String::as_str).collect();
                let more = if known.len() > shown.len() {
                    " 等"
                } else {
                    ""
                };
                Err(ValueError::new(format!(
                    "「{s}」不是可用的{column}，可填：{}{more}",
                    shown.join("、")
                )))
            }
        })
    }

    fn occupation(&mut self, column: &str) -> Option<OccupationCode> {
        let refdata = self.ctx.refdata;
        self.parsed(column, true, |s| {
            let code = OccupationCode::parse(s)?;
            match refdata.occupation_name(code.as_str()) {
                Some(_) => Ok(code),
                None => Err(ValueError::new(format!(
                    "职业编码 {code} 不在2022年版职业分类大典中"
                ))),
            }
        })
    }

    /// A whole number of 课时 (Excel may write 40 as "40.0").
    fn hours(&mut self, column: &str, required: bool, min: i64) -> Option<i64> {
        self.parsed(column, required, |s| {
            let t = s.strip_suffix(".0").unwrap_or(s);
            match t.parse::<i64>() {
                Ok(n) if n >= min && n <= 100_000 => Ok(n),
                Ok(n) if n < min => Err(ValueError::new(format!(
                    "{column} {n} 超出范围（应不小于 {min}）"
                ))),
                Ok(n) => Err(ValueError::new(format!(
                    "{column} {n} 超出范围（应不大于 100000）"
                ))),
                Err(_) => Err(ValueError::new(format!("{column}「{s}」应为整数"))),
            }
        })
    }

    fn text(&mut self, column: &str, required: bool, max_chars: usize) -> Option<String> {
        self.parsed(column, required, |s| {
            if s.chars().count() > max_chars {
                Err(ValueError::new(format!(
                    "{column}不能超过{max_chars}个字符"
                )))
            } else {
                Ok(s.to_string())
            }
        })
    }

    /// A payee's bank account and its bank: both or neither (an account
    /// without its bank cannot be paid, a bank without an account means
    /// nothing). Messages mask the account.
    fn payee_account(
        &mut self,
        account_col: &str,
        bank_col: &str,
        holder: AccountHolder,
    ) -> Option<PayeeAccount> {
        let account = self.parsed(account_col, false, |s| BankAccount::parse(s, holder));
        let bank = self.text(bank_col, false, 50);
        match (account, bank) {
            (Some(account), Some(bank_name)) => Some(PayeeAccount { account, bank_name }),
            (Some(_), None) => {
                self.error(
                    bank_col,
                    format!("填写了{account_col}，须同时填写{bank_col}"),
                );
                None
            }
            (None, Some(_)) if self.opt(account_col).is_none() => {
                self.error(
                    account_col,
                    format!("填写了{bank_col}，须同时填写{account_col}"),
                );
                None
            }
            _ => None,
        }
    }

    fn name(&mut self, column: &str) -> Option<String> {
        self.parsed(column, true, validate_person_name)
    }

    fn finish<T>(self, value: Option<T>) -> Result<T, Vec<RowError>> {
        match value {
            Some(v) if self.errors.is_empty() => Ok(v),
            _ => Err(self.errors),
        }
    }
}

/// `end` may not be before `start`.
fn ordered(
    f: &mut Fields,
    column: &str,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
    what: &str,
) {
    if let (Some(s), Some(e)) = (start, end)
        && e < s
    {
        f.error(column, format!("{column} {e} 早于{what} {s}"));
    }
}

pub fn person(ctx: ParseCtx, map: &ColumnMap, row: &Row) -> Result<PersonRecord, Vec<RowError>> {
    let mut f = Fields::new(ctx, map, row);
    let name = f.name("姓名");
    let id = f.id("身份证号码");
    let sex = f.parsed("性别", false, Sex::parse);
    let birth = f.date("出生日期", false);
    if let (Some(id), Some(sex)) = (&id, sex)
        && id.sex() != sex
    {
        f.error(
            "性别",
            format!(
                "性别「{}」与身份证号码不符（身份证号码第17位对应「{}」）",
                sex.as_zh(),
                id.sex().as_zh()
            ),
        );
    }
    if let (Some(id), Some(b)) = (&id, birth)
        && id.birth_date() != b
    {
        f.error(
            "出生日期",
            format!(
                "出生日期 {b} 与身份证号码中的出生日期 {} 不符",
                id.birth_date()
            ),
        );
    }
    let ethnicity = f.text("民族", false, 20);
    let education = f.text("文化程度", false, 20);
    let phone = f.parsed("联系电话", false, Phone::parse);
    let hukou = f.region("户籍地", true);
    let residence = f.region("常住地", false);
    let job = f.region("求职就业地", false);
    let pension = f
        .parsed("是否领取养老金", false, parse_yes_no)
        .unwrap_or(false);
    let bank = f.payee_account("社保卡银行账号", "开户银行", AccountHolder::Person);
    let rec = (|| {
        let id = id?;
        Some(PersonRecord {
            name: name?,
            sex: id.sex(),
            birth_date: id.birth_date(),
            id,
            ethnicity,
            education,
            phone,
            hukou_region: hukou?,
            residence_region: residence,
            job_region: job,
            receives_pension: pension,
            bank,
        })
    })();
    f.finish(rec)
}

pub fn category(
    ctx: ParseCtx,
    map: &ColumnMap,
    row: &Row,
) -> Result<CategoryRecord, Vec<RowError>> {
    let mut f = Fields::new(ctx, map, row);
    let id = f.id("身份证号码");
    let category = f.term("人员类别", vocab_kind::PERSON_CATEGORY);
    let from = f.date("起始日期", true);
    let to = f.date("截止日期", false);
    ordered(&mut f, "截止日期", from, to, "起始日期");
    let evidence = f.text("证明材料", false, 100);
    let rec = (|| {
        Some(CategoryRecord {
            id: id?,
            category: category?,
            valid_from: from?,
            valid_to: to,
            evidence,
        })
    })();
    f.finish(rec)
}

pub fn relation(
    ctx: ParseCtx,
    map: &ColumnMap,
    row: &Row,
) -> Result<RelationRecord, Vec<RowError>> {
    let mut f = Fields::new(ctx, map, row);
    let id = f.id("身份证号码");
    let relative = f.id("亲属身份证号码");
    let relation = f.parsed("关系", true, RelationKind::parse);
    if let (Some(a), Some(b)) = (&id, &relative)
        && a == b
    {
        f.error("亲属身份证号码", "亲属身份证号码不能与本人相同");
    }
    let rec = (|| {
        Some(RelationRecord {
            id: id?,
            relative: relative?,
            relation: relation?,
        })
    })();
    f.finish(rec)
}

pub fn institution(
    ctx: ParseCtx,
    map: &ColumnMap,
    row: &Row,
) -> Result<InstitutionRecord, Vec<RowError>> {
    let mut f = Fields::new(ctx, map, row);
    let name = f.text("机构名称", true, 100);
    let code = f.credit("统一社会信用代码", true);
    let kind = f.term("机构类型", vocab_kind::INSTITUTION_TYPE);
    let region = f.region("所在地", true);
    let listed = f.parsed("是否目录内", false, parse_yes_no).unwrap_or(false);
    let from = f.date("目录起始日期", false);
    let to = f.date("目录截止日期", false);
    ordered(&mut f, "目录截止日期", from, to, "目录起始日期");
    if listed && from.is_none() && f.opt("目录起始日期").is_none() {
        f.error("目录起始日期", "目录内机构须填写目录起始日期");
    }
    let catalogue = if listed { from.map(|s| (s, to)) } else { None };
    let bank = f.payee_account("银行账号", "开户银行", AccountHolder::Organisation);
    let rec = (|| {
        Some(InstitutionRecord {
            name: name?,
            credit_code: code?,
            kind: kind?,
            region: region?,
            catalogue,
            bank,
        })
    })();
    f.finish(rec)
}

/// The classification's name without its 2022 green/digital mark.
pub fn bare_occupation_name(name: &str) -> &str {
    name.strip_suffix("L/S")
        .or_else(|| name.strip_suffix('L'))
        .or_else(|| name.strip_suffix('S'))
        .unwrap_or(name)
}

/// The training type of 专项职业能力, which has no skill level.
const SPECIAL_ABILITY_TRAINING: &str = "专项职业能力培训";

pub fn class(ctx: ParseCtx, map: &ColumnMap, row: &Row) -> Result<ClassRecord, Vec<RowError>> {
    let mut f = Fields::new(ctx, map, row);
    let class_no = f.text("班级编号", true, 50);
    let inst = f.credit("统一社会信用代码", true);
    let kind = f.term("培训类型", vocab_kind::TRAINING_TYPE);
    let occ = f.occupation("职业编码");
    if let (Some(code), Some(given)) = (&occ, f.opt("职业名称")) {
        let official = bare_occupation_name(
            ctx.refdata
                .occupation_name(code.as_str())
                .unwrap_or_default(),
        );
        if bare_occupation_name(&given) != official {
            f.error(
                "职业名称",
                format!("职业名称「{given}」与职业编码 {code} 的名称「{official}」不符"),
            );
        }
    }
    let level = f.parsed("等级", false, SkillLevel::parse);
    if level.is_some() && kind.as_deref() == Some(SPECIAL_ABILITY_TRAINING) {
        f.error("等级", "专项职业能力培训不分等级，「等级」应留空");
    }
    let site = f.region("培训地", true);
    let start = f.date("开班日期", true);
    let end = f.date("结业日期", true);
    ordered(&mut f, "结业日期", start, end, "开班日期");
    let hours = f.hours("计划课时", true, 1);
    let in_plan = f.parsed("是否列入培训计划", false, parse_yes_no);
    let teacher = teacher(&mut f);
    let rec = (|| {
        Some(ClassRecord {
            class_no: class_no?,
            institution: inst?,
            training_type: kind?,
            occupation: occ?,
            level,
            site: site?,
            start: start?,
            end: end?,
            planned_hours: hours?,
            in_plan,
            teacher: teacher?,
        })
    })();
    f.finish(rec)
}

/// The optional 授课教师 columns: both or neither. `None` when a cell is
/// wrong (the error is recorded), `Some(None)` when both are blank.
fn teacher(f: &mut Fields) -> Option<Option<(String, NationalId)>> {
    let (name_col, id_col) = ("授课教师姓名", "授课教师身份证号码");
    match (f.opt(name_col), f.opt(id_col)) {
        (None, None) => Some(None),
        (Some(_), None) => {
            f.error(id_col, "填写了授课教师姓名时，授课教师身份证号码也须填写");
            None
        }
        (None, Some(_)) => {
            f.error(name_col, "填写了授课教师身份证号码时，授课教师姓名也须填写");
            None
        }
        (Some(_), Some(_)) => {
            let name = f.name(name_col);
            let id = f.id(id_col);
            Some(Some((name?, id?)))
        }
    }
}

pub fn roster(ctx: ParseCtx, map: &ColumnMap, row: &Row) -> Result<RosterRecord, Vec<RowError>> {
    let mut f = Fields::new(ctx, map, row);
    let class_no = f.text("班级编号", true, 50);
    let inst = f.credit("统一社会信用代码", true);
    let name = f.name("姓名");
    let id = f.id("身份证号码");
    let offline = f.hours("线下课时", false, 0).unwrap_or(0);
    let online = f.hours("线上课时", false, 0).unwrap_or(0);
    let completion = f
        .parsed("结业结果", false, CompletionResult::parse)
        .unwrap_or(CompletionResult::NotFinished);
    let rec = (|| {
        Some(RosterRecord {
            class_no: class_no?,
            institution: inst?,
            name: name?,
            id: id?,
            offline_hours: offline,
            online_hours: online,
            completion,
        })
    })();
    f.finish(rec)
}

pub fn certificate(
    ctx: ParseCtx,
    map: &ColumnMap,
    row: &Row,
) -> Result<CertificateRecord, Vec<RowError>> {
    let mut f = Fields::new(ctx, map, row);
    let cert_no = f.text("证书编号", true, 64);
    let cert_type = f.parsed("证书类型", true, CertificateType::parse);
    let name = f.name("姓名");
    let id = f.id("身份证号码");
    let occ = f.occupation("职业编码");
    let level = f.parsed("等级", false, SkillLevel::parse);
    if level.is_none()
        && f.opt("等级").is_none()
        && matches!(
            cert_type,
            Some(CertificateType::Qualification | CertificateType::SkillLevel)
        )
    {
        f.error("等级", "职业资格证书和职业技能等级证书须填写等级");
    }
    if level.is_some() && cert_type == Some(CertificateType::SpecialAbility) {
        f.error("等级", "专项职业能力证书不分等级，「等级」应留空");
    }
    let issued = f.date("发证日期", true);
    if let Some(d) = issued
        && d > ctx.today
    {
        f.error("发证日期", format!("发证日期 {d} 晚于今天"));
    }
    let issuer = f.credit("发证机构", true);
    let class_no = f.text("班级编号", false, 50);
    let rec = (|| {
        Some(CertificateRecord {
            cert_no: cert_no?,
            cert_type: cert_type?,
            name: name?,
            id: id?,
            occupation: occ?,
            level,
            issue_date: issued?,
            issuer: issuer?,
            class_no,
        })
    })();
    f.finish(rec)
}

pub fn claim(ctx: ParseCtx, map: &ColumnMap, row: &Row) -> Result<ClaimRecord, Vec<RowError>> {
    let mut f = Fields::new(ctx, map, row);
    let claim_no = f.text("申领编号", true, 64);
    let kind = f.term("补贴类型", vocab_kind::SUBSIDY_TYPE);
    let id = f.id("身份证号码");
    let cert_no = f.text("证书编号", false, 64);
    let class_no = f.text("班级编号", false, 50);
    let inst = f.credit("统一社会信用代码", false);
    let claimant = f.credit("申领单位", false);
    let applied = f.date("申请日期", true);
    if let Some(d) = applied
        && d > ctx.today
    {
        f.error("申请日期", format!("申请日期 {d} 晚于今天"));
    }
    let months = f.hours("月数", false, 1);
    let amount = f.parsed("申请金额", false, Fen::parse_yuan);
    let period = claim_period(&mut f, months);
    if inst.is_some() && class_no.is_none() {
        f.error("班级编号", "填写了统一社会信用代码时须同时填写班级编号");
    }
    let rec = (|| {
        Some(ClaimRecord {
            claim_no: claim_no?,
            subsidy_type: kind?,
            id: id?,
            cert_no,
            class_no,
            institution: inst,
            claimant,
            applied_on: applied?,
            months,
            amount_asked: amount,
            period,
        })
    })();
    f.finish(rec)
}

/// 起始月份 and 截止月份: both or neither, in order; 月数, when given too,
/// must be the number of months they span.
fn claim_period(f: &mut Fields, months: Option<i64>) -> Option<(NaiveDate, NaiveDate)> {
    let from = f.parsed("起始月份", false, parse_month);
    let to = f.parsed("截止月份", false, parse_month);
    match (from, to, f.opt("起始月份"), f.opt("截止月份")) {
        (Some(from), Some(to), _, _) => {
            if to < from {
                f.error("截止月份", "截止月份不得早于起始月份");
                return None;
            }
            let span = jineng_domain::policy::facts::months_of(from, to).len() as i64;
            if months.is_some_and(|m| m != span) {
                f.error(
                    "月数",
                    format!(
                        "月数与起始、截止月份不符（{} 至 {} 共 {span} 个月）",
                        from.format("%Y-%m"),
                        to.format("%Y-%m")
                    ),
                );
            }
            Some((from, to))
        }
        (None, None, None, None) => None,
        (_, None, _, None) => {
            f.error("截止月份", "填写了起始月份时须同时填写截止月份");
            None
        }
        (None, _, None, _) => {
            f.error("起始月份", "填写了截止月份时须同时填写起始月份");
            None
        }
        _ => None,
    }
}

pub fn region(ctx: ParseCtx, map: &ColumnMap, row: &Row) -> Result<RegionRecord, Vec<RowError>> {
    let mut f = Fields::new(ctx, map, row);
    let code = f.parsed("区划代码", true, RegionCode::parse);
    let name = f.text("名称", true, 50);
    let parent = f.region("上级区划代码", false);
    let deep_poverty = f.parsed("是否深度贫困县", false, parse_yes_no);
    let rec = (|| {
        Some(RegionRecord {
            code: code?,
            name: name?,
            parent,
            deep_poverty,
        })
    })();
    f.finish(rec)
}

/// A 比对名单 row, validated by the domain's rules.
pub fn watchlist(
    ctx: ParseCtx,
    map: &ColumnMap,
    row: &Row,
) -> Result<jineng_domain::supervision::watchlist::WatchlistRecord, Vec<RowError>> {
    use jineng_domain::supervision::watchlist::{WatchlistCells, WatchlistRecord};
    let f = Fields::new(ctx, map, row);
    let cell = |c: &str| f.opt(c).unwrap_or_default();
    let (kind, id, name, from, to, source, employer) = (
        cell("名单类型"),
        cell("身份证号码"),
        cell("姓名"),
        cell("起始日期"),
        cell("截止日期"),
        cell("来源"),
        cell("参保单位"),
    );
    let cells = WatchlistCells {
        kind: &kind,
        id: &id,
        name: &name,
        from: &from,
        to: &to,
        source: &source,
        employer: &employer,
    };
    WatchlistRecord::parse(&cells, ctx.today, &|p| ctx.refdata.province_exists(p)).map_err(|errs| {
        errs.into_iter()
            .map(|e| RowError {
                row: row.number,
                column: e.column.to_string(),
                message: e.message,
            })
            .collect()
    })
}

#[path = "parse/sessions.rs"]
mod sessions;
pub use sessions::session;

/// A 检查人员 row.
pub fn inspector(
    ctx: ParseCtx,
    map: &ColumnMap,
    row: &Row,
) -> Result<jineng_domain::inspection::InspectorRecord, Vec<RowError>> {
    let mut f = Fields::new(ctx, map, row);
    let code = f.text("检查人员编号", true, 32);
    let name = f.name("姓名");
    let unit = f.opt("所在单位").unwrap_or_default();
    let rec = (|| {
        Some(jineng_domain::inspection::InspectorRecord {
            code: code?,
            name: name?,
            unit,
        })
    })();
    f.finish(rec)
}
