//! The online-sessions template `sessions` (线上学习记录): a learning
//! platform's log of when each trainee studied a class online, read by
//! check S10 (simultaneous sessions, more hours in a day than it holds).
//! Here: the validated row and the session as S10 reads it. (Whether the
//! person and class exist is the store's to check.)

use chrono::NaiveDateTime;

use super::inputs::OnlineSession;
use crate::{CreditCode, NationalId, ValueError};

/// A validated 线上学习记录 row. A session is one person's learning in one
/// class on one platform from one start time: the same row again changes
/// nothing, a new 结束时间 updates it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub id: NationalId,
    pub name: String,
    pub class_no: String,
    pub institution: CreditCode,
    pub platform: String,
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
}

/// The end of a session must come after its start.
pub fn check_span(start: NaiveDateTime, end: NaiveDateTime) -> Result<(), ValueError> {
    if end <= start {
        return Err(ValueError::new(format!(
            "结束时间 {end} 应晚于开始时间 {start}"
        )));
    }
    Ok(())
}

/// How a session is named in evidence: its platform and start.
pub fn session_id(platform: &str, start: NaiveDateTime) -> String {
    format!("{platform} {}", start.format("%Y-%m-%d %H:%M"))
}

impl SessionRecord {
    /// The session as S10 reads it.
    pub fn as_session(&self) -> OnlineSession {
        OnlineSession {
            session_id: session_id(&self.platform, self.start),
            person: self.id.as_str().to_string(),
            class_no: self.class_no.clone(),
            start: self.start,
            end: self.end,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_ends_after_it_starts() {
        let at = |s: &str| crate::parse_datetime(s).unwrap();
        assert!(check_span(at("2024-03-02 08:00"), at("2024-03-02 08:01")).is_ok());
        let e = check_span(at("2024-03-02 08:00"), at("2024-03-02 08:00")).unwrap_err();
        assert!(e.message().contains("应晚于开始时间"), "{}", e.message());
        assert_eq!(
            session_id("学习通", at("2024-03-02 08:00:30")),
            "学习通 2024-03-02 08:00"
        );
    }
}
