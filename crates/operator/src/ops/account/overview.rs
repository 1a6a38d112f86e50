//! The home screen (ACC-1, ACC-11) and the balance.

use axum::extract::State;
use mymts_proto::ApiErrorBody;
use mymts_proto::wire::{AccountKind, AccountOverview, Balance, TariffRef};

use super::tariffs::account_tariff;
use super::usage::{notices_this_period, packages};
use super::{CURRENCY, load_account};
use crate::db::accounts;
use crate::error::ApiResult;
use crate::http::session::Authed;
use crate::state::AppState;

/// Everything the home screen shows (ACC-1, ACC-11).
#[utoipa::path(get, path = "/v1/account", tag = "account",
    responses((status = 200, body = AccountOverview),
              (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
pub(super) async fn overview(
    State(state): State<AppState>,
    authed: Authed,
) -> ApiResult<axum::Json<AccountOverview>> {
    let now = state.now_ms();
    let out = state
        .db
        .tx(move |tx| {
            let a = load_account(tx, authed.account_id)?;
            let tariff = account_tariff(tx, &a)?;
            let packages = match (&tariff, a.kind) {
                (Some(t), AccountKind::Mobile) => Some(packages(tx, a.id, t, now)?),
                _ => None,
            };
            Ok(AccountOverview {
                account: a.reference(),
                balance_kop: a.balance_kop,
                currency: CURRENCY.into(),
                tariff: tariff.map(|t| TariffRef {
                    id: t.id,
                    name: t.name,
                    monthly_fee_kop: t.monthly_fee_kop,
                }),
                packages,
                blocked: a.blocked,
                recovery_email: a.recovery_email,
                notices: notices_this_period(tx, a.id, now)?,
                as_of_ms: now,
            })
        })
        .await?;
    Ok(axum::Json(out))
}

#[utoipa::path(get, path = "/v1/balance", tag = "account",
    responses((status = 200, body = Balance),
              (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
pub(super) async fn balance(
    State(state): State<AppState>,
    authed: Authed,
) -> ApiResult<axum::Json<Balance>> {
    let now = state.now_ms();
    let balance_kop = state
        .db
        .tx(move |tx| accounts::balance(tx, authed.account_id))
        .await?;
    Ok(axum::Json(Balance {
        balance_kop,
        currency: CURRENCY.into(),
        as_of_ms: now,
    }))
}
