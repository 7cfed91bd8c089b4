//! Property tests of the standards evaluation: for any counts the shares of
//! the fund add up to at most the whole and the averages round down; for
//! any row the published amount found matches it, no matching amount names
//! more of grade, level and certificate type, and the difference follows
//! the figure's kind.

use crate::common;

use std::collections::HashMap;

use common::refdata;
use jineng_domain::standards::published::Item;
use jineng_domain::standards::{Counts, Figure, Published, Tally, Unit, evaluate};
use jineng_domain::{CertificateType, Fen, SkillLevel};
use proptest::prelude::*;

/// The shipped file, read once.
fn published() -> Published {
    static ONCE: std::sync::OnceLock<Published> = std::sync::OnceLock::new();
    ONCE.get_or_init(|| Published::builtin(&refdata()).unwrap_or_else(|e| panic!("{e}")))
        .clone()
}

fn counts() -> impl Strategy<Value = Counts> {
    (
        0i64..1_000,
        0i64..1_000_000_000,
        0i64..1_000_000_000,
        0i64..50,
    )
        .prop_map(|(claims, approved_fen, paid_fen, certificates)| Counts {
            claims,
            approved: claims / 2,
            approved_fen,
            paid_fen,
            certificates,
            ..Counts::default()
        })
}

proptest! {
    #[test]
    fn shares_add_up_to_at_most_the_whole_and_averages_round_down(rows in prop::collection::vec(counts(), 1..30)) {
        let tallies: Vec<Tally> = rows.iter().enumerate().map(|(i, c)| Tally {
            subsidy_type: format!("t{i:03}"),
            counts: *c,
            ..Tally::default()
        }).collect();
        let e = evaluate(("371500", "聊城市", 2019), tallies, &HashMap::new(), &published());
        let paid: i64 = rows.iter().map(|c| c.paid_fen).sum();
        let shares: i64 = e.rows.iter().map(|r| r.fund_share_bp).sum();
        if paid > 0 {
            prop_assert!(shares <= 10_000 && shares > 10_000 - e.rows.len() as i64, "{shares}");
        } else {
            prop_assert_eq!(shares, 0);
        }
        for r in &e.rows {
            let c = r.counts;
            match r.avg_fen_per_certificate {
                None => prop_assert_eq!(c.certificates, 0),
                Some(a) => prop_assert!(a * c.certificates <= c.approved_fen && c.approved_fen < (a + 1) * c.certificates),
            }
        }
        prop_assert_eq!(e.totals.counts.claims, rows.iter().map(|c| c.claims).sum::<i64>());
        prop_assert_eq!(e.totals.counts.paid_fen, paid);
    }

    #[test]
    fn the_amount_found_matches_and_none_matching_names_more(
        subsidy in prop::sample::select(vec!["职业培训补贴", "技能提升补贴", "创业培训补贴", "生活费补贴", "以工代训补贴"]),
        grade in prop::sample::select(vec![None, Some("A"), Some("B"), Some("C"), Some("UP")]),
        level in prop::option::of(prop::sample::select(SkillLevel::ALL.to_vec())),
        cert in prop::option::of(prop::sample::select(CertificateType::ALL.to_vec())),
        unit in prop::sample::select(vec![Unit::PerClaim, Unit::PerDay, Unit::PerMonth]),
        standard in 0i64..1_000_000,
    ) {
        let pb = published();
        let item = Item { subsidy, grade, level, cert, unit };
        let names = |a: &jineng_domain::standards::published::Amount| {
            usize::from(a.grade.is_some()) + usize::from(a.level.is_some()) + usize::from(!a.cert.is_empty())
        };
        let fits = |a: &jineng_domain::standards::published::Amount| {
            a.subsidy == subsidy && a.unit == unit
                && a.grade.as_deref().is_none_or(|g| grade == Some(g))
                && a.level.is_none_or(|l| l == level)
                && (a.cert.is_empty() || cert.is_some_and(|c| a.cert.contains(&c)))
        };
        match pb.find(&item) {
            None => prop_assert!(!pb.amounts.iter().any(fits)),
            Some(a) => {
                prop_assert!(fits(a));
                prop_assert!(pb.amounts.iter().filter(|o| fits(o)).all(|o| names(o) <= names(a)));
                let diff = a.figure.difference(Fen(standard)).0;
                match a.figure {
                    Figure::Range { min, max } if (min.0..=max.0).contains(&standard) => prop_assert_eq!(diff, 0),
                    Figure::Range { min, .. } if standard < min.0 => prop_assert_eq!(diff, standard - min.0),
                    f => prop_assert_eq!(diff, standard - f.top().0),
                }
            }
        }
    }
}
