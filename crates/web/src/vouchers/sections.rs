//! The vouchers' sections of other pages, each its own template so that
//! the pages they sit in change by one line: a person's vouchers on the
//! e-archive (`/me` for the worker), and on a class's roster the vouchers
//! redeemed there with the form an institution clerk redeems one by
//! (`POST /classes/{id}/vouchers`: voucher number and the trainee's ID
//! number, checked by the store; a refusal shows the roster again with
//! the input kept and the reason beside the field).

use super::Line;
use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use crate::flash::{FieldErrors, Flash, see_other};
use crate::roster::Typed;
use crate::views::yuan;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use jineng_domain::access::Action;
use jineng_store::StoreError;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "_vouchers_me.html")]
struct MeSection {
    lines: Vec<Line>,
}

/// The person's vouchers as a section of the e-archive.
pub async fn me_section(state: &AppState, person_id: i64) -> Result<String, AppError> {
    let lines = state
        .store
        .person_vouchers(person_id)
        .await?
        .into_iter()
        .map(Line::from)
        .collect();
    Ok(MeSection { lines }.render()?)
}

/// The redemption form as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct VoucherForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub voucher_no: String,
    #[serde(default)]
    pub id_number: String,
}

/// What the roster page shows of vouchers.
#[derive(Template)]
#[template(path = "_vouchers_roster.html")]
pub struct RosterVouchers {
    class_id: i64,
    lines: Vec<Line>,
    can_redeem: bool,
    csrf: String,
    form: VoucherForm,
    errors: FieldErrors,
}

/// The roster's vouchers section: the vouchers redeemed at the class and,
/// for its institution's clerk while the class is open, the form.
pub async fn roster_section(
    state: &AppState,
    user: &User,
    class_id: i64,
    open: bool,
    form: VoucherForm,
    errors: FieldErrors,
) -> Result<String, AppError> {
    let lines = state
        .store
        .class_vouchers(user.scope(), class_id)
        .await?
        .into_iter()
        .map(Line::from)
        .collect();
    Ok(RosterVouchers {
        class_id,
        lines,
        can_redeem: open && user.role().may(Action::RedeemVouchers),
        csrf: user.csrf.clone(),
        form,
        errors,
    }
    .render()?)
}

/// `POST /classes/{id}/vouchers`: redeems a trainee's voucher at the class.
pub async fn redeem(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<VoucherForm>,
) -> Result<Response, AppError> {
    user.check_csrf(&f.csrf)?;
    user.require(Action::RedeemVouchers)?;
    let mut errors = FieldErrors::default();
    if f.voucher_no.trim().is_empty() {
        errors.add("voucher_no", "请填写培训券编号");
    }
    if f.id_number.trim().is_empty() {
        errors.add("voucher_id", "请填写学员的身份证号码");
    }
    if errors.is_empty() {
        let today = crate::claims::today();
        match state
            .store
            .redeem_voucher(
                user.scope(),
                id,
                &f.voucher_no,
                &f.id_number,
                today,
                &user.actor(),
            )
            .await
        {
            Ok(r) => {
                let m = format!(
                    "已核验培训券 {}（{}，面值 {}）：{} 在本班使用，本班为其申领职业培训补贴时按面值结算",
                    r.voucher_no,
                    r.kind_name,
                    yuan(r.face_fen),
                    r.person_name
                );
                let to = format!("/classes/{id}/roster");
                return Ok(see_other(&state, &user, &to, Flash::done(m)));
            }
            Err(StoreError::Refused(why)) => {
                let field = if why.contains("身份证号码") || why.contains("不属于该学员")
                {
                    "voucher_id"
                } else {
                    "voucher_no"
                };
                errors.add(field, why);
            }
            Err(e) => return Err(e.into()),
        }
    }
    let typed = Typed {
        error: Some(errors.messages().join("；")),
        voucher: f,
        voucher_errors: errors,
        ..Typed::default()
    };
    crate::roster::roster_page(&state, &user, id, typed).await
}
