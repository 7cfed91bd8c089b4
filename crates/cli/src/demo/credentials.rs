//! The demo's verifiable certificates (issue 15): every certificate gets
//! its status entry (its verify code, so `/verify` and the printed QR work
//! at once), and one certificate is revoked with a reason, so `/verify`
//! and the archive show both states: the lowest-numbered certificate of
//! someone other than the sample worker that no claim names. A claim's
//! certificate is left alone: revoked after the claims were decided, it
//! would make the record differ from the decision (R1 now refuses it), and
//! the what-if replay of the demo would no longer reproduce the store's
//! decisions. Idempotent: a second run allocates nothing and revokes
//! nothing.

use jineng_store::{Actor, Store, StoreError};

/// The revocation reason the demo records.
const REASON: &str = "演示：证书登记信息与评价记录不符，经核查撤销";

pub(crate) async fn load(store: &Store, actor: &Actor) -> anyhow::Result<()> {
    let given = store.allocate_status_entries(actor).await?;
    if given > 0 {
        println!("  可验证证书：{given} 本证书已分配状态序号（核验码）");
    }
    let name = super::sample_name(store).await?;
    let Some(hit) = store.find_persons(&name, 1, actor, false).await?.pop() else {
        return Ok(());
    };
    let Some(no) = store.certificate_of_another(hit.person_id).await? else {
        return Ok(());
    };
    let status = store.certificate_status(&no).await?;
    if status.iter().any(|s| s.revocation.is_some()) {
        return Ok(());
    }
    match store.revoke_certificate(&no, REASON, actor).await {
        Ok(_) => println!("  已撤销演示证书 {no}"),
        Err(StoreError::Refused(m)) => println!("  未撤销演示证书：{m}"),
        Err(e) => return Err(e.into()),
    }
    Ok(())
}
