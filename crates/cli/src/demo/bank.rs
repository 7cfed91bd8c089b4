//! Part of the demo's 2019 claims paid through the bank (004 十九), as a
//! bureau would: a disbursement batch (代发文件) written for the bank, the
//! bank's return file (回盘文件) with a few lines refused, booked; one
//! refused claim corrected (its person's new card imported) and paid in a
//! second batch, the other refused claims left awaiting correction for an
//! officer. The return file is made up here, deterministically: a card
//! line fails at fixed positions with a reason a bank gives.

use std::collections::HashMap;
use std::path::Path;

use jineng_domain::Fen;
use jineng_ingest::bank_file;
use jineng_store::{Actor, PolicySet, Store};

/// Reasons the demo's bank refuses a payment, in turn.
const REFUSALS: [&str; 3] = ["账户已销户", "户名不符", "账户已冻结"];
/// One card line in this many fails (at two positions in each run).
const FAIL_EVERY: usize = 23;

/// Pays `claims` through the bank and books the return; then corrects the
/// first refused claim with its person's new card (`new_cards`: claim →
/// persons-file row) and pays it in a second batch.
pub(crate) async fn pay(
    store: &Store,
    actor: &Actor,
    policies: &PolicySet,
    claims: &[String],
    new_cards: &HashMap<String, String>,
    dir: &Path,
) -> anyhow::Result<()> {
    let Some(failed) = batch(store, actor, policies, claims, dir, true).await? else {
        return Ok(());
    };
    let Some((claim, row)) = failed
        .iter()
        .find_map(|(c, _)| new_cards.get(c).map(|r| (c, r)))
    else {
        return Ok(());
    };
    let persons = format!("{}{row}", super::world::PERSONS_HEADER);
    let opts = crate::import::options(actor, false, None, 5000);
    super::import_demo_file(store, "更正", "persons", &persons, dir, &opts).await?;
    batch(
        store,
        actor,
        policies,
        std::slice::from_ref(claim),
        dir,
        false,
    )
    .await?;
    println!(
        "  账号更正：{claim} 的收款人换卡后重新代发并支付成功；其余 {} 件支付失败待更正",
        failed.len() - 1
    );
    Ok(())
}

/// One batch of `claims`: the disbursement file written, the bank's return
/// file made (with refused lines when `refuse`) and booked. Returns the
/// refused claims with the bank's reasons, or `None` when nothing was sent.
async fn batch(
    store: &Store,
    actor: &Actor,
    policies: &PolicySet,
    claims: &[String],
    dir: &Path,
    refuse: bool,
) -> anyhow::Result<Option<Vec<(String, String)>>> {
    let d = store.pay_batch(policies, Some(claims), actor).await?;
    let Some(id) = d.batch_id else {
        return Ok(None);
    };
    let out = dir.join(format!("代发批次{id}.xlsx"));
    bank_file::write_disbursement(&out, &d).map_err(anyhow::Error::msg)?;
    let mut text = String::from("批次行号,申领编号,银行账号,金额（元）,处理结果,失败原因\n");
    let mut cards = 0;
    for l in &d.lines {
        // Only a card (a person's) is refused: the correction is the
        // person's new card, imported with the persons file.
        let card = l.account.len() == 19;
        cards += usize::from(card);
        let (result, reason) = match cards % FAIL_EVERY {
            7 if refuse && card => ("失败", REFUSALS[(cards / FAIL_EVERY) % REFUSALS.len()]),
            16 if refuse && card => ("失败", REFUSALS[(cards / FAIL_EVERY + 1) % REFUSALS.len()]),
            _ => ("成功", ""),
        };
        let amount = l.amount.yuan_string();
        text.push_str(&format!(
            "{},{},{},{amount},{result},{reason}\n",
            l.line_id, l.claim_no, l.account
        ));
    }
    let returned = dir.join(format!("回盘B{id}.csv"));
    std::fs::write(&returned, text)?;
    let (lines, errors) = bank_file::read_return(&returned)?;
    let r = store.reconcile(&lines, actor).await?;
    if !errors.is_empty() || !r.unmatched.is_empty() {
        anyhow::bail!("演示回盘文件有未入账的行：{errors:?} {:?}", r.unmatched);
    }
    let left_out = if d.left_out.is_empty() {
        String::new()
    } else {
        format!(
            "；未列入 {} 件（如：{}）",
            d.left_out.len(),
            d.left_out[0].1
        )
    };
    println!(
        "  代发批次 B{id}：{} 笔 {} 元{left_out}；回盘：成功 {} 笔 {} 元，失败 {} 笔 {} 元",
        d.lines.len(),
        d.total,
        r.paid.len(),
        Fen(r.paid_fen),
        r.failed.len(),
        Fen(r.failed_fen)
    );
    Ok(Some(r.failed))
}
