//! Why a reported online session is refused (`sessions`): the member of
//! the API's JSON it is about, a stable code for programs and the reason
//! in Chinese for people.

use chrono::NaiveDate;

/// A field of a reported session, named as in the API's JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Person,
    Class,
    Institution,
    Start,
    End,
    Minutes,
    SessionId,
}

impl Field {
    /// The JSON member.
    pub fn key(self) -> &'static str {
        match self {
            Field::Person => "person",
            Field::Class => "class",
            Field::Institution => "institution",
            Field::Start => "start",
            Field::End => "end",
            Field::Minutes => "minutes",
            Field::SessionId => "session_id",
        }
    }

    fn zh(self) -> &'static str {
        match self {
            Field::Person => "身份证号码",
            Field::Class => "班级编号",
            Field::Institution => "培训机构统一社会信用代码",
            Field::Start => "开始时间",
            Field::End => "结束时间",
            Field::Minutes => "学习时长",
            Field::SessionId => "学习记录号",
        }
    }
}

/// Why one reported session is refused. [`Refusal::code`] is stable for
/// programs, [`Refusal::message`] is the Chinese reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A field that does not read.
    Invalid {
        field: Field,
        message: String,
    },
    EndNotAfterStart,
    /// `minutes` below 1 or above what the start and end hold (`span`).
    Minutes {
        minutes: i64,
        span: i64,
    },
    /// One session longer than a day.
    TooLong {
        minutes: i64,
    },
    /// More than 24 hours of this person's sessions on `day`.
    DayLimit {
        day: NaiveDate,
        minutes: i64,
    },
    /// Overlaps another session of the same person by `minutes`.
    Overlap {
        other: String,
        minutes: i64,
    },
    UnknownPerson {
        masked: String,
    },
    UnknownClass {
        class_no: String,
    },
    /// The class's site lies outside the platform account's region.
    OutsideScope {
        class_no: String,
    },
    NotEnrolled {
        class_no: String,
    },
    /// The person is on the rosters of several classes of that number.
    AmbiguousClass {
        class_no: String,
    },
    OutsidePeriod {
        class_no: String,
        from: NaiveDate,
        to: NaiveDate,
    },
    /// The platform sent this session id before with other content.
    Changed {
        session_ref: String,
    },
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Invalid { .. } => "invalid",
            Refusal::EndNotAfterStart => "end_before_start",
            Refusal::Minutes { .. } => "minutes",
            Refusal::TooLong { .. } | Refusal::DayLimit { .. } => "day_limit",
            Refusal::Overlap { .. } => "overlap",
            Refusal::UnknownPerson { .. } => "unknown_person",
            Refusal::UnknownClass { .. } => "unknown_class",
            Refusal::OutsideScope { .. } => "outside_scope",
            Refusal::NotEnrolled { .. } => "not_enrolled",
            Refusal::AmbiguousClass { .. } => "ambiguous_class",
            Refusal::OutsidePeriod { .. } => "outside_period",
            Refusal::Changed { .. } => "changed",
        }
    }

    /// The JSON member the refusal is about.
    pub fn field(&self) -> Field {
        match self {
            Refusal::Invalid { field, .. } => *field,
            Refusal::EndNotAfterStart | Refusal::TooLong { .. } => Field::End,
            Refusal::Minutes { .. } => Field::Minutes,
            Refusal::DayLimit { .. } | Refusal::Overlap { .. } | Refusal::OutsidePeriod { .. } => {
                Field::Start
            }
            Refusal::UnknownPerson { .. } => Field::Person,
            Refusal::UnknownClass { .. }
            | Refusal::OutsideScope { .. }
            | Refusal::NotEnrolled { .. }
            | Refusal::AmbiguousClass { .. } => Field::Class,
            Refusal::Changed { .. } => Field::SessionId,
        }
    }

    pub fn message(&self) -> String {
        match self {
            Refusal::Invalid { field, message } => format!("{}：{message}", field.zh()),
            Refusal::EndNotAfterStart => "结束时间应晚于开始时间".into(),
            Refusal::Minutes { minutes, span } => format!(
                "学习时长 {minutes} 分钟与开始、结束时间不符：两者相隔 {span} 分钟，学习时长应为 1 至 {span} 分钟"
            ),
            Refusal::TooLong { minutes } => {
                format!("一条学习记录长达 {}，超过 24 小时", hours_text(*minutes))
            }
            Refusal::DayLimit { day, minutes } => format!(
                "本人 {day} 的线上学习合计 {}，超过一天的 24 小时",
                hours_text(*minutes)
            ),
            Refusal::Overlap { other, minutes } => {
                format!("与本人另一条学习记录（{other}）重叠 {minutes} 分钟，同一人不能同时学习")
            }
            Refusal::UnknownPerson { masked } => format!("身份证号码为 {masked} 的人员未登记"),
            Refusal::UnknownClass { class_no } => format!("培训班「{class_no}」不存在"),
            Refusal::OutsideScope { class_no } => {
                format!("培训班「{class_no}」的培训地不在本学习平台账号的服务区域内")
            }
            Refusal::NotEnrolled { class_no } => format!("本人不在培训班「{class_no}」的花名册中"),
            Refusal::AmbiguousClass { class_no } => format!(
                "本人在多个编号为「{class_no}」的培训班的花名册中，请填写 institution（培训机构统一社会信用代码）"
            ),
            Refusal::OutsidePeriod { class_no, from, to } => {
                format!("学习时间不在培训班「{class_no}」的培训期（{from} 至 {to}）内")
            }
            Refusal::Changed { session_ref } => {
                format!("学习记录号「{session_ref}」已报送过，内容与本次不同；已报送的记录不能修改")
            }
        }
    }
}

/// "3小时20分"
fn hours_text(minutes: i64) -> String {
    format!("{}小时{}分", minutes / 60, minutes % 60)
}
