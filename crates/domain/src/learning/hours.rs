//! A training's hours as the policy counts them (001 #10: 学员在线学习课时
//! 可按比例计入培训总课时): in-person hours from the roster (线下课时),
//! online hours from one source only, and the counted hours R1 and the
//! credit bank use.
//!
//! Online hours have two possible sources: the roster's 线上课时 column,
//! typed by the institution, and the minutes learning platforms reported
//! through the API for that enrolment. When a platform reported sessions
//! for the enrolment, its minutes are the source (whole hours, rounded
//! down) and the roster's column is not added: the same learning is never
//! counted twice. Without platform sessions the roster's column stands.

use serde::Serialize;

use crate::policy::facts::EnrolmentFacts;

/// Minutes in an hour (课时 are hours in the roster and the policies).
pub const MINUTES_PER_HOUR: i64 = 60;

/// Where an enrolment's online hours come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OnlineSource {
    /// The roster's 线上课时 column.
    Roster,
    /// The minutes learning platforms reported (API).
    Platform,
}

impl OnlineSource {
    pub fn as_zh(self) -> &'static str {
        match self {
            OnlineSource::Roster => "花名册线上课时",
            OnlineSource::Platform => "学习平台记录",
        }
    }
}

/// The online hours of one enrolment and their source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OnlineHours {
    pub hours: i64,
    pub source: OnlineSource,
}

/// The online hours that stand: the platforms' minutes in whole hours when
/// any platform reported for the enrolment, else the roster's column.
pub fn online_hours(roster_hours: i64, platform_minutes: Option<i64>) -> OnlineHours {
    match platform_minutes {
        Some(m) => OnlineHours {
            hours: m.max(0) / MINUTES_PER_HOUR,
            source: OnlineSource::Platform,
        },
        None => OnlineHours {
            hours: roster_hours.max(0),
            source: OnlineSource::Roster,
        },
    }
}

/// How a policy counts online hours (R1's `online_pct` and
/// `online_max_hours`); a policy without R1 counts none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct OnlineRule {
    pub pct: u16,
    pub max_hours: Option<i64>,
}

impl OnlineRule {
    /// The rule of a compiled policy.
    pub fn of(policy: &crate::policy::Policy) -> OnlineRule {
        policy
            .rules
            .r1
            .as_ref()
            .map_or(OnlineRule::default(), |r| OnlineRule {
                pct: r.params.online_pct,
                max_hours: r.params.online_max_hours,
            })
    }
}

/// One training's hours: in person, online (with source) and counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TrainingHours {
    pub offline: i64,
    pub online: OnlineHours,
    /// In-person hours plus the online hours at the rule's share, capped
    /// (`EnrolmentFacts::counted_hours`, as R1 counts them).
    pub counted: i64,
}

impl TrainingHours {
    pub fn new(offline: i64, online: OnlineHours, rule: OnlineRule) -> TrainingHours {
        let facts = EnrolmentFacts {
            offline_hours: offline,
            online_hours: online.hours,
            completion: crate::CompletionResult::Passed,
        };
        TrainingHours {
            offline: offline.max(0),
            online,
            counted: facts.counted_hours(rule.pct, rule.max_hours),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn platform_minutes_replace_the_roster_column() {
        assert_eq!(
            online_hours(30, Some(125)),
            OnlineHours {
                hours: 2,
                source: OnlineSource::Platform
            }
        );
        assert_eq!(online_hours(30, None).hours, 30);
        // A platform that reported sessions of a few minutes still decides.
        assert_eq!(online_hours(30, Some(20)).hours, 0);
    }

    #[test]
    fn counted_hours_take_the_share_and_the_cap() {
        let rule = OnlineRule {
            pct: 50,
            max_hours: Some(40),
        };
        let h = TrainingHours::new(50, online_hours(0, Some(60 * 60)), rule);
        assert_eq!((h.offline, h.online.hours, h.counted), (50, 60, 80));
        let h = TrainingHours::new(50, online_hours(0, Some(100 * 60)), rule);
        assert_eq!(h.counted, 90, "the online part is capped at 40");
        let none = TrainingHours::new(50, online_hours(100, None), OnlineRule::default());
        assert_eq!(none.counted, 50);
    }

    proptest! {
        /// Counted hours never exceed in-person plus online hours, never
        /// fall below in-person hours, and grow with the online hours.
        #[test]
        fn counted_lies_between_offline_and_the_sum(
            offline in 0i64..500, minutes in 0i64..50_000, pct in 0u16..=100,
            cap in proptest::option::of(0i64..300),
        ) {
            let rule = OnlineRule { pct, max_hours: cap };
            let h = TrainingHours::new(offline, online_hours(7, Some(minutes)), rule);
            prop_assert!(h.counted >= offline);
            prop_assert!(h.counted <= offline + h.online.hours);
            let more = TrainingHours::new(offline, online_hours(7, Some(minutes + 60)), rule);
            prop_assert!(more.counted >= h.counted);
        }
    }
}
