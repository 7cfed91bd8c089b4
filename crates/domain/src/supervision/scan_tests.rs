//! The chunked full scan finds what one batch of every row finds, however
//! the persons and classes are cut into chunks.

use std::collections::BTreeSet;

use super::super::run::tests::{checks, new_rows, prints, stored_rows, union};
use super::*;

/// Every row of `all` through a [`FullScan`], `per` persons and classes a
/// chunk, the way the store feeds it.
fn chunked(checks: &Checks, all: &Batch, per: usize) -> Vec<Hit> {
    let mut scan = FullScan::new(checks);
    scan.classes(all.classes.clone());
    let persons: BTreeSet<&str> = all
        .enrolments
        .iter()
        .map(|e| e.person.as_str())
        .chain(all.certificates.iter().map(|c| c.person.as_str()))
        .chain(all.claims.iter().map(|c| c.person.as_str()))
        .chain(all.watchlist.iter().map(|c| c.person.as_str()))
        .chain(all.insurance.iter().map(|c| c.person.as_str()))
        .chain(all.sessions.iter().map(|c| c.person.as_str()))
        .collect();
    let persons: Vec<&str> = persons.into_iter().collect();
    for (i, keys) in persons.chunks(per).enumerate() {
        let of = |p: &str| keys.contains(&p);
        scan.persons(Batch {
            enrolments: all
                .enrolments
                .iter()
                .filter(|r| of(&r.person))
                .cloned()
                .collect(),
            certificates: all
                .certificates
                .iter()
                .filter(|r| of(&r.person))
                .cloned()
                .collect(),
            claims: all
                .claims
                .iter()
                .filter(|r| of(&r.person))
                .cloned()
                .collect(),
            watchlist: all
                .watchlist
                .iter()
                .filter(|r| of(&r.person))
                .cloned()
                .collect(),
            insurance: all
                .insurance
                .iter()
                .filter(|r| of(&r.person))
                .cloned()
                .collect(),
            sessions: all
                .sessions
                .iter()
                .filter(|r| of(&r.person))
                .cloned()
                .collect(),
            // The class results arrive in shares; here all with the first chunk.
            outcomes: if i == 0 {
                all.outcomes.clone()
            } else {
                Vec::new()
            },
            classes: Vec::new(),
        });
    }
    let classes: BTreeSet<&str> = all.enrolments.iter().map(|e| e.class_no.as_str()).collect();
    let classes: Vec<&str> = classes.into_iter().collect();
    for keys in classes.chunks(per) {
        let rows = all
            .enrolments
            .iter()
            .filter(|e| keys.contains(&e.class_no.as_str()));
        scan.rosters(rows.cloned().collect());
    }
    let later = scan.later();
    scan.assessor_days(&all.certificates);
    let insts = later.institutions();
    let claims: Vec<ClaimIn> = all
        .claims
        .iter()
        .filter(|c| c.institution.as_ref().is_some_and(|i| insts.contains(i)))
        .cloned()
        .collect();
    scan.institution_claims(&claims);
    scan.finish()
}

#[test]
fn chunks_of_whole_keys_find_what_one_batch_finds() {
    let checks = checks();
    let all = union(&stored_rows(), &new_rows());
    let whole = prints(&checks.run(&all, &Stored::default()));
    assert_eq!(whole.len(), 12);
    for per in [1, 2, 3, 1000] {
        let hits = chunked(&checks, &all, per);
        assert_eq!(prints(&hits), whole, "{per} a chunk");
        assert_eq!(hits.len(), whole.len(), "each finding once ({per} a chunk)");
    }
}

#[test]
fn only_the_flagged_s8_keys_are_read_again() {
    let checks = checks();
    let all = union(&stored_rows(), &new_rows());
    let mut scan = FullScan::new(&checks);
    scan.persons(all.clone());
    let later = scan.later();
    // 51 certificates by one assessor on 2019-05-01; 31 claims in 2019-07
    // after 10 a month.
    assert_eq!(later.assessor_days.len(), 1);
    assert_eq!(later.institution_months.len(), 1);
    assert_eq!(later.institutions().len(), 1);
}
