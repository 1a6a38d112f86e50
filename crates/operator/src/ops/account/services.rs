//! Services (ACC-3, ACC-4): priced by the tariff; connecting charges its fee, disconnecting is free.

use axum::extract::State;
use mymts_proto::money::format_rub;
use mymts_proto::wire::{Charged, Service, ServiceList};
use mymts_proto::{ApiErrorBody, ErrorCode};
use rusqlite::{Transaction, params};

use super::money::{charge, ensure_funds};
use super::{check_slug, load_account, refuse_if_blocked};
use crate::audit;
use crate::db::accounts::{self, Account};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::Path;
use crate::http::session::Authed;
use crate::state::AppState;

/// The services with the caller's tariff's prices; which are connected.
#[utoipa::path(get, path = "/v1/services", tag = "account",
    responses((status = 200, body = ServiceList),
              (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
pub(super) async fn services(
    State(state): State<AppState>,
    authed: Authed,
) -> ApiResult<axum::Json<ServiceList>> {
    let list = state
        .db
        .tx(move |tx| {
            let a = load_account(tx, authed.account_id)?;
            let services = list_services(tx, &a)?;
            let monthly_total_kop = services
                .iter()
                .filter(|s| s.connected)
                .map(|s| s.monthly_fee_kop)
                .sum();
            Ok(ServiceList {
                services,
                monthly_total_kop,
            })
        })
        .await?;
    Ok(axum::Json(list))
}

/// Services priced for the account's tariff; an account without a tariff has none.
fn list_services(tx: &Transaction<'_>, a: &Account) -> ApiResult<Vec<Service>> {
    let mut stmt = tx.prepare_cached(
        "SELECT s.id, s.name, s.description, p.connect_fee_kop, p.monthly_fee_kop,
                EXISTS (SELECT 1 FROM account_services x WHERE x.account_id = ?1 AND x.service_id = s.id)
         FROM services s JOIN service_prices p ON p.service_id = s.id AND p.tariff_id = ?2
         ORDER BY s.position",
    )?;
    let rows = stmt.query_map(params![a.id, a.tariff_id], |r| {
        Ok(Service {
            id: r.get(0)?,
            name: r.get(1)?,
            description: r.get(2)?,
            connect_fee_kop: r.get(3)?,
            monthly_fee_kop: r.get(4)?,
            connected: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

fn find_service(tx: &Transaction<'_>, a: &Account, id: &str) -> ApiResult<Service> {
    list_services(tx, a)?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or_else(|| ApiError::not_found("There is no such service for your account."))
}

/// Connects a service, charging its connection fee per the tariff (ACC-3). A service that costs
/// anything is refused at a zero or negative balance or one short of the fee (ACC-4).
#[utoipa::path(post, path = "/v1/services/{id}", tag = "account",
    params(("id" = String, Path, description = "service id")),
    responses((status = 200, body = Charged),
              (status = 400, body = ApiErrorBody),
              (status = 402, body = ApiErrorBody, description = "insufficient_funds"),
              (status = 403, body = ApiErrorBody, description = "number_blocked"),
              (status = 404, body = ApiErrorBody, description = "no such service"),
              (status = 409, body = ApiErrorBody, description = "already_connected")))]
pub(super) async fn connect_service(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Charged>> {
    check_slug("service", &id)?;
    let now = state.now_ms();
    let out = state
        .db
        .tx(move |tx| {
            let a = load_account(tx, authed.account_id)?;
            let s = find_service(tx, &a, &id)?;
            if s.connected {
                return Err(ApiError::new(
                    ErrorCode::AlreadyConnected,
                    format!("{} is already connected.", s.name),
                ));
            }
            refuse_if_blocked(&a, "connect services")?;
            if s.connect_fee_kop > 0 || s.monthly_fee_kop > 0 {
                ensure_funds(
                    a.balance_kop,
                    s.connect_fee_kop,
                    &format!("connecting {}", s.name),
                )?;
            }
            tx.execute(
                "INSERT INTO account_services (account_id, service_id, connected_ms) VALUES (?1, ?2, ?3)",
                params![a.id, s.id, now],
            )?;
            let detail = format!(
                "{}, fee {}, monthly {}",
                s.id,
                format_rub(s.connect_fee_kop, false),
                format_rub(s.monthly_fee_kop, false)
            );
            let balance_kop = charge(tx, a.id, now, "service_connect", s.connect_fee_kop, &detail)?;
            audit::record(tx, now, &authed.actor(), "service_connected", &detail)?;
            Ok(Charged {
                charged_kop: s.connect_fee_kop,
                balance_kop,
            })
        })
        .await?;
    Ok(axum::Json(out))
}

/// Disconnects a service; always free (ACC-3).
#[utoipa::path(delete, path = "/v1/services/{id}", tag = "account",
    params(("id" = String, Path, description = "service id")),
    responses((status = 200, body = Charged),
              (status = 400, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody, description = "not_connected or no such service")))]
pub(super) async fn disconnect_service(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Charged>> {
    check_slug("service", &id)?;
    let now = state.now_ms();
    let out = state
        .db
        .tx(move |tx| {
            let gone = tx.execute(
                "DELETE FROM account_services WHERE account_id = ?1 AND service_id = ?2",
                params![authed.account_id, id],
            )?;
            if gone == 0 {
                return Err(ApiError::new(
                    ErrorCode::NotConnected,
                    "This service is not connected.",
                ));
            }
            audit::record(tx, now, &authed.actor(), "service_disconnected", &id)?;
            Ok(Charged {
                charged_kop: 0,
                balance_kop: accounts::balance(tx, authed.account_id)?,
            })
        })
        .await?;
    Ok(axum::Json(out))
}
