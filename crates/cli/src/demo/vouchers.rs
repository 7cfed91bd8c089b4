//! The demo's training vouchers (职业培训券, docs/vouchers.md), under the
//! [vouchers] table of 聊城's policy: the registered unemployed of every
//! county but one receive theirs on 1 March 2019 and redeem them as they
//! enrol in a fitting class, whose claim then settles at face value;
//! 阳谷县's receive theirs on 1 November 2019; and the books close at the
//! year's end (lapse as of 31 December 2019), so that the feature shows
//! vouchers redeemed with a settled claim, lapsed and still open.
//! Re-running changes nothing: issuing is once per person, kind and year,
//! and a redeemed or lapsed voucher is not redeemable.

use chrono::NaiveDate;
use jineng_domain::RegionCode;
use jineng_domain::access::Scope;
use jineng_store::{Actor, PolicySet, Store, StoreError};

/// The county whose vouchers are issued late and stay open.
const LATE: &str = "371521";

/// When the early and the late vouchers are issued.
const EARLY_ON: (i32, u32, u32) = (2019, 3, 1);
const LATE_ON: (i32, u32, u32) = (2019, 11, 1);

/// The demo's books close at the end of its year.
const YEAR_END: (i32, u32, u32) = (2019, 12, 31);

fn day((y, m, d): (i32, u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid demo date")
}

/// Issues the early and the late vouchers and redeems the early ones
/// whose holder enrolled in a fitting class. Before the claims are
/// decided, so that their decisions see the vouchers.
pub(crate) async fn issue_and_redeem(
    store: &Store,
    actor: &Actor,
    policies: &PolicySet,
) -> anyhow::Result<()> {
    // Once: a later load finds the persons the first one imported after
    // the vouchers (the planted fraud), and issues nothing to them.
    let city = Scope::Region(RegionCode::parse("371500")?);
    if store.voucher_totals(&city).await?.issued > 0 {
        return Ok(());
    }
    let (mut issued, mut face) = (0, 0);
    let mut early: Vec<String> = super::jurisdictions::liaocheng()
        .place
        .areas
        .into_iter()
        .map(|(code, _)| code)
        .filter(|c| c != "371500" && c != LATE)
        .collect();
    early.sort();
    early.dedup();
    let batches = early
        .iter()
        .map(|c| (c.as_str(), EARLY_ON))
        .chain([(LATE, LATE_ON)]);
    for (county, on) in batches {
        let scope = RegionCode::parse(county)?;
        // Refused when the fund is short (a test may allocate little).
        let s = match store
            .issue_vouchers(policies, &scope, 2019, day(on), actor)
            .await
        {
            Ok(s) => s,
            Err(StoreError::Refused(why)) => {
                println!("  职业培训券：{county} 未发放（{why}）");
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        issued += s.issued;
        face += s.face_fen;
    }
    // Every early voucher whose holder enrolled in a fitting class within
    // its validity is redeemed at that class's start; the late ones stay
    // open. Those whose training a claim names settle when it is paid.
    let (mut redeemed, mut claimed) = (0, 0);
    for county in &early {
        for r in store.redeemable_vouchers(county).await? {
            store
                .redeem_voucher(
                    &Scope::Institution(r.institution_id),
                    r.class_id,
                    &r.voucher_no,
                    &r.id_number,
                    r.start_date,
                    actor,
                )
                .await?;
            redeemed += 1;
            claimed += usize::from(r.claimed);
        }
    }
    if issued > 0 || redeemed > 0 {
        println!(
            "  职业培训券：发放 {issued} 张（面值 {}），报名时核验使用 {redeemed} 张，其中已申领补贴 {claimed} 张",
            jineng_domain::Yuan(jineng_domain::Fen(face))
        );
    }
    Ok(())
}

/// Lapses the vouchers unused at the demo year's end.
pub(crate) async fn lapse(store: &Store, actor: &Actor) -> anyhow::Result<()> {
    let s = store.lapse_vouchers(day(YEAR_END), actor).await?;
    if s.lapsed > 0 {
        println!(
            "  职业培训券：{} 年末过期作废 {} 张，释放承诺 {}",
            YEAR_END.0,
            s.lapsed,
            jineng_domain::Yuan(jineng_domain::Fen(s.released_fen))
        );
    }
    Ok(())
}
