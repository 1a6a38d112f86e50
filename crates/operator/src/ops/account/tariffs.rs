//! Tariffs (ACC-2, ACC-4): the list with their fees, and switching, which charges the change fee.

use axum::extract::State;
use mymts_proto::money::format_rub;
use mymts_proto::wire::{AccountKind, ChangeTariff, Charged, Tariff, TariffList};
use mymts_proto::{ApiErrorBody, ErrorCode};
use rusqlite::{OptionalExtension, Transaction, params};

use super::money::{charge, ensure_funds};
use super::{check_slug, load_account, refuse_if_blocked};
use crate::audit;
use crate::db::accounts::{self, Account};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::Json;
use crate::http::session::Authed;
use crate::state::AppState;

fn tariff_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Tariff> {
    Ok(Tariff {
        id: r.get(0)?,
        name: r.get(1)?,
        description: r.get(2)?,
        monthly_fee_kop: r.get(3)?,
        change_fee_kop: r.get(4)?,
        minutes: r.get(5)?,
        sms: r.get(6)?,
        data_mb: r.get(7)?,
    })
}

const TARIFF_COLUMNS: &str =
    "id, name, description, monthly_fee_kop, change_fee_kop, minutes, sms, data_mb";

fn load_tariff(tx: &Transaction<'_>, id: &str) -> ApiResult<Option<Tariff>> {
    Ok(tx
        .query_row(
            &format!("SELECT {TARIFF_COLUMNS} FROM tariffs WHERE id = ?1"),
            params![id],
            tariff_from_row,
        )
        .optional()?)
}

pub(super) fn account_tariff(tx: &Transaction<'_>, account: &Account) -> ApiResult<Option<Tariff>> {
    match &account.tariff_id {
        Some(id) => load_tariff(tx, id),
        None => Ok(None),
    }
}

/// The tariffs with their fees. Contracts and internet banking have none.
#[utoipa::path(get, path = "/v1/tariffs", tag = "account",
    responses((status = 200, body = TariffList),
              (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
pub(super) async fn tariffs(
    State(state): State<AppState>,
    authed: Authed,
) -> ApiResult<axum::Json<TariffList>> {
    let list = state
        .db
        .tx(move |tx| {
            let a = load_account(tx, authed.account_id)?;
            if a.kind != AccountKind::Mobile {
                return Ok(TariffList {
                    current_id: None,
                    tariffs: Vec::new(),
                });
            }
            let mut stmt = tx.prepare_cached(&format!(
                "SELECT {TARIFF_COLUMNS} FROM tariffs ORDER BY position"
            ))?;
            let tariffs = stmt
                .query_map([], tariff_from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(TariffList {
                current_id: a.tariff_id,
                tariffs,
            })
        })
        .await?;
    Ok(axum::Json(list))
}

/// Switches the tariff, charging its change fee (ACC-2); refused at a zero or negative balance or
/// one short of the fee (ACC-4).
#[utoipa::path(post, path = "/v1/tariff", tag = "account", request_body = ChangeTariff,
    responses((status = 200, body = Charged),
              (status = 400, body = ApiErrorBody, description = "invalid_input"),
              (status = 402, body = ApiErrorBody, description = "insufficient_funds"),
              (status = 403, body = ApiErrorBody, description = "number_blocked"),
              (status = 404, body = ApiErrorBody, description = "no such tariff"),
              (status = 409, body = ApiErrorBody, description = "already on this tariff")))]
pub(super) async fn change_tariff(
    State(state): State<AppState>,
    authed: Authed,
    Json(req): Json<ChangeTariff>,
) -> ApiResult<axum::Json<Charged>> {
    check_slug("tariff_id", &req.tariff_id)?;
    let now = state.now_ms();
    let out = state
        .db
        .tx(move |tx| switch_tariff(tx, now, &authed, &req.tariff_id))
        .await?;
    Ok(axum::Json(out))
}

fn switch_tariff(
    tx: &Transaction<'_>,
    now: i64,
    authed: &Authed,
    tariff_id: &str,
) -> ApiResult<Charged> {
    let a = load_account(tx, authed.account_id)?;
    if a.kind != AccountKind::Mobile {
        return Err(ApiError::invalid(
            "tariff_id",
            "This account has no mobile tariff to change.",
        ));
    }
    let new = load_tariff(tx, tariff_id)?
        .ok_or_else(|| ApiError::not_found("There is no such tariff.").field("tariff_id"))?;
    if a.tariff_id.as_deref() == Some(new.id.as_str()) {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!("You are already on {}.", new.name),
        ));
    }
    refuse_if_blocked(&a, "change the tariff")?;
    ensure_funds(
        a.balance_kop,
        new.change_fee_kop,
        &format!("switching to {}", new.name),
    )?;
    accounts::set_tariff(tx, a.id, &new.id)?;
    let detail = format!(
        "{} -> {}, fee {}",
        a.tariff_id.as_deref().unwrap_or("-"),
        new.id,
        format_rub(new.change_fee_kop, false)
    );
    let balance_kop = charge(tx, a.id, now, "tariff_change", new.change_fee_kop, &detail)?;
    audit::record(tx, now, &authed.actor(), "tariff_changed", &detail)?;
    Ok(Charged {
        charged_kop: new.change_fee_kop,
        balance_kop,
    })
}
