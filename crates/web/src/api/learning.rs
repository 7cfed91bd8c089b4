//! `/api/v1/learning-sessions`: learning platforms (role `platform`, 学习
//! 平台) report online sessions and read back their own (docs/learning.md).
//! A body that does not match the document is refused whole (400, 422);
//! a row that matches it but cannot have happened is refused alone, with
//! its index and reasons, and the others are stored.

use super::ApiError;
use super::dto::ErrorBody;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::AppError;
use axum::Json;
use axum::extract::{Query, State};
use jineng_domain::access::{Action, Scope};
use jineng_domain::learning::sessions::{Field, Refusal, stored_moment};
use jineng_store::{PlatformClient, ReportedQuery, SessionInput};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The most sessions one request may carry.
pub const MAX_SESSIONS: usize = 5000;
/// The most sessions read back at once.
const READ_LIMIT: i64 = 500;

/// One session as a platform reports it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionIn {
    /// 学员的 18 位身份证号码
    pub person: String,
    /// 班级编号
    pub class: String,
    /// 培训机构统一社会信用代码：学员在多个同编号培训班的花名册中时必填，否则可省略
    #[serde(default)]
    pub institution: Option<String>,
    /// 开始时间：带时区的 RFC 3339 时间（如 2024-03-02T08:00:00+08:00、2024-03-02T00:00:00Z），或不带时区的北京时间（如 2024-03-02 08:00:00、2024-03-02T08:00）
    pub start: String,
    /// 结束时间，格式同开始时间，须晚于开始时间，至多相隔 24 小时
    pub end: String,
    /// 学习时长（分钟）：平台记录的有效学习时间，1 至开始、结束时间相隔的分钟数（不足一分钟按一分钟计）
    #[serde(deserialize_with = "whole_number")]
    #[schema(value_type = i64)]
    pub minutes: i64,
    /// 学习平台自己的学习记录号（至多 64 个字符）：同一记录号再次报送、内容相同时不重复计入，内容不同时拒绝
    pub session_id: String,
}

/// An integer as JSON Schema counts one: `90` and `90.0` alike (serde
/// takes only the first as an `i64`); within the 64-bit range. Floats are
/// read exactly (serde_json's `float_roundtrip`), so `x.0` is whole and
/// `x.5` is not. An integer written beyond the range reaches here as the
/// nearest float, which may be ±2^63 itself, so a float must lie strictly
/// inside.
fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    const EDGE: f64 = 9_223_372_036_854_775_808.0; // 2^63
    let n = serde_json::Number::deserialize(d)?;
    n.as_i64()
        .or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && -EDGE < *f && *f < EDGE)
                .map(|f| f as i64)
        })
        .ok_or_else(|| serde::de::Error::custom(format!("minutes 应为 64 位整数，实为 {n}")))
}

/// A report of sessions.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionsBody {
    /// 学习记录，一次至多 5000 条
    #[schema(max_items = 5000)]
    pub sessions: Vec<SessionIn>,
}

/// Why a row was refused, for programs.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    /// 字段无法读取
    Invalid,
    /// 结束时间不晚于开始时间
    EndBeforeStart,
    /// 学习时长与开始、结束时间不符
    Minutes,
    /// 一天超过 24 小时（或一条记录超过 24 小时）
    DayLimit,
    /// 与本人另一条学习记录重叠
    Overlap,
    /// 人员未登记
    UnknownPerson,
    /// 培训班不存在
    UnknownClass,
    /// 培训班的培训地不在本平台账号的服务区域内
    OutsideScope,
    /// 本人不在培训班花名册中
    NotEnrolled,
    /// 本人在多个同编号培训班的花名册中，须填写 institution
    AmbiguousClass,
    /// 不在培训班的培训期内
    OutsidePeriod,
    /// 同一记录号此前报送的内容不同
    Changed,
}

/// The member of a session a reason is about.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldName {
    Person,
    Class,
    Institution,
    Start,
    End,
    Minutes,
    SessionId,
}

#[derive(Serialize, ToSchema)]
pub struct SessionReason {
    pub code: ReasonCode,
    pub field: FieldName,
    /// 原因（中文）
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct RefusedSession {
    /// 该条在 sessions 中的位置（从 0 起）
    pub index: u64,
    /// 该条的学习记录号（至多显示 64 个字符）
    pub session_id: String,
    pub reasons: Vec<SessionReason>,
}

/// What the checks that run after a write found (S10 and the others).
#[derive(Serialize, ToSchema)]
pub struct SupervisionRun {
    /// 发现的疑点条数
    pub hits: u64,
    /// 新立的监管线索数
    pub opened: u64,
}

#[derive(Serialize, ToSchema)]
pub struct SessionsResult {
    /// 收到的条数
    pub received: u64,
    /// 接受的条数：新存入的加上此前已报送、内容相同的
    pub accepted: u64,
    /// 新存入的条数
    pub stored: u64,
    /// 此前已报送、内容相同的条数（不重复计入）
    pub unchanged: u64,
    /// 被拒绝的条目及原因
    pub refused: Vec<RefusedSession>,
    pub supervision: SupervisionRun,
}

fn reason(r: &Refusal) -> SessionReason {
    let code = match r {
        Refusal::Invalid { .. } => ReasonCode::Invalid,
        Refusal::EndNotAfterStart => ReasonCode::EndBeforeStart,
        Refusal::Minutes { .. } => ReasonCode::Minutes,
        Refusal::TooLong { .. } | Refusal::DayLimit { .. } => ReasonCode::DayLimit,
        Refusal::Overlap { .. } => ReasonCode::Overlap,
        Refusal::UnknownPerson { .. } => ReasonCode::UnknownPerson,
        Refusal::UnknownClass { .. } => ReasonCode::UnknownClass,
        Refusal::OutsideScope { .. } => ReasonCode::OutsideScope,
        Refusal::NotEnrolled { .. } => ReasonCode::NotEnrolled,
        Refusal::AmbiguousClass { .. } => ReasonCode::AmbiguousClass,
        Refusal::OutsidePeriod { .. } => ReasonCode::OutsidePeriod,
        Refusal::Changed { .. } => ReasonCode::Changed,
    };
    let field = match r.field() {
        Field::Person => FieldName::Person,
        Field::Class => FieldName::Class,
        Field::Institution => FieldName::Institution,
        Field::Start => FieldName::Start,
        Field::End => FieldName::End,
        Field::Minutes => FieldName::Minutes,
        Field::SessionId => FieldName::SessionId,
    };
    SessionReason {
        code,
        field,
        message: r.message(),
    }
}

/// The platform behind the token: its account and region.
fn client(u: &crate::auth::User) -> Result<PlatformClient, AppError> {
    u.require(Action::ReportLearning)?;
    let Scope::Region(region) = u.scope() else {
        return Err(AppError::forbidden());
    };
    Ok(PlatformClient {
        account_id: u.account.account_id,
        login: u.account.login.clone(),
        name: u.account.display_name.clone(),
        region: region.clone(),
    })
}

#[utoipa::path(post, path = "/api/v1/learning-sessions", tag = "线上学习",
    request_body = SessionsBody,
    responses((status = 200, description = "逐条核对的结果：符合要求的已存入，其余逐条列出原因", body = SessionsResult),
        (status = 400, description = "一次超过 5000 条", body = ErrorBody),
        (status = 403, description = "不是学习平台账号", body = ErrorBody)))]
pub async fn report(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Json(body): Json<SessionsBody>,
) -> Result<Json<SessionsResult>, ApiError> {
    let client = client(&u)?;
    if body.sessions.len() > MAX_SESSIONS {
        return Err(AppError::BadRequest(format!(
            "一次至多报送 {MAX_SESSIONS} 条学习记录，本次 {} 条",
            body.sessions.len()
        ))
        .into());
    }
    let rows: Vec<SessionInput> = body
        .sessions
        .into_iter()
        .map(|r| SessionInput {
            person: r.person,
            class_no: r.class,
            institution: r.institution,
            start: r.start,
            end: r.end,
            minutes: r.minutes,
            session_id: r.session_id,
        })
        .collect();
    let out = s.store.report_sessions(&client, &rows, &u.actor()).await?;
    Ok(Json(SessionsResult {
        received: out.received as u64,
        accepted: out.accepted as u64,
        stored: out.stored as u64,
        unchanged: out.unchanged as u64,
        refused: out
            .refused
            .iter()
            .map(|r| RefusedSession {
                index: r.index as u64,
                session_id: r.session_id.clone(),
                reasons: r.reasons.iter().map(reason).collect(),
            })
            .collect(),
        supervision: SupervisionRun {
            hits: out.supervision.hits,
            opened: out.supervision.opened,
        },
    }))
}

/// A text a query may carry: 1 to 64 characters, no control character.
const KEY_PATTERN: &str = r"^[^\x00-\x1f\x7f]{1,64}$";

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportedParams {
    /// 只看该班级编号的记录
    #[param(pattern = r"^[^\x00-\x1f\x7f]{1,64}$")]
    class: Option<String>,
    /// 只看该学习记录号
    #[param(pattern = r"^[^\x00-\x1f\x7f]{1,64}$")]
    session_id: Option<String>,
}

/// Refuses a query text the document's pattern refuses.
fn key(what: &str, v: Option<String>) -> Result<Option<String>, AppError> {
    match v {
        Some(t)
            if t.is_empty()
                || t.chars().count() > 64
                || t.chars().any(|c| c.is_ascii_control()) =>
        {
            Err(AppError::BadRequest(format!(
                "{what}无效：应为 1 至 64 个字符，不含控制字符（{KEY_PATTERN}）"
            )))
        }
        other => Ok(other),
    }
}

/// A session as its platform reads it back.
#[derive(Serialize, ToSchema)]
pub struct ReportedSession {
    pub session_id: String,
    /// 身份证号码（脱敏）
    pub person: String,
    pub class: String,
    /// 培训机构统一社会信用代码
    pub institution: String,
    /// 开始时间（北京时间，YYYY-MM-DD HH:MM:SS）
    pub start: String,
    pub end: String,
    pub minutes: i64,
    /// 存入时间（UTC，RFC 3339）
    pub received_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct ReportedSessions {
    /// 本平台账号报送的记录，最近存入的在前，至多 500 条
    pub sessions: Vec<ReportedSession>,
}

#[utoipa::path(get, path = "/api/v1/learning-sessions", tag = "线上学习", params(ReportedParams),
    responses((status = 200, body = ReportedSessions), (status = 403, description = "不是学习平台账号", body = ErrorBody)))]
pub async fn reported(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Query(q): Query<ReportedParams>,
) -> Result<Json<ReportedSessions>, ApiError> {
    let client = client(&u)?;
    let q = ReportedQuery {
        class_no: key("班级编号", q.class)?,
        session_id: key("学习记录号", q.session_id)?,
        limit: READ_LIMIT,
    };
    let rows = s.store.reported_sessions(client.account_id, &q).await?;
    Ok(Json(ReportedSessions {
        sessions: rows
            .into_iter()
            .map(|r| ReportedSession {
                session_id: r.session_id,
                person: r.person,
                class: r.class_no,
                institution: r.institution,
                start: stored_moment(r.start),
                end: stored_moment(r.end),
                minutes: r.minutes,
                received_at: r.received_at.to_string(),
            })
            .collect(),
    }))
}
