//! The account (ACC-1…4, 6…8, 10, 11): home overview, balance, tariffs, services, blocking, the
//! recovery e-mail, linked numbers, top-up by card, and the package usage notices.
//!
//! Every change is one transaction that also writes its audit row; a paid action also writes a
//! `charges` row, so the spending chart and Activity agree with the balance.

use axum::extract::State;
use axum::http::StatusCode;
use mymts_proto::money::format_rub;
use mymts_proto::wire::{
    AccountKind, AccountOverview, AccountRef, Balance, BlockRequest, BlockState, ChangeTariff,
    Charged, DeviceInfo, LinkRequest, LinkedAccount, LoginMethod, LoginResponse, PackageUse,
    Packages, RecordUsage, RecoveryEmail, RecoveryEmailChange, Service, ServiceList, Tariff,
    TariffList, TariffRef, TopUpConfirm, TopUpRequest, TopUpResult, TopUpStatus, UsageKind,
    UsageNotice,
};
use mymts_proto::{ApiErrorBody, ErrorCode, PhoneNumber};
use rusqlite::{OptionalExtension, Transaction, params};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit::{self, Actor};
use crate::clock::period_of;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{Json, Path};
use crate::http::session::Authed;
use crate::ops::auth::login;
use crate::ops::auth::tokens::{open_session, revoke_session};
use crate::ops::phones::queue_sms;
use crate::secrets::{new_id, same};
use crate::seed::MAILBOX_QUOTA_BYTES;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(overview))
        .routes(routes!(balance))
        .routes(routes!(tariffs))
        .routes(routes!(change_tariff))
        .routes(routes!(services))
        .routes(routes!(connect_service, disconnect_service))
        .routes(routes!(block))
        .routes(routes!(unblock))
        .routes(routes!(set_recovery_email))
        .routes(routes!(list_links, add_link))
        .routes(routes!(remove_link))
        .routes(routes!(list_incoming_links))
        .routes(routes!(remove_incoming_link))
        .routes(routes!(link_session))
        .routes(routes!(top_up))
        .routes(routes!(confirm_top_up))
}

pub const CURRENCY: &str = "RUB";
/// The sender of usage notices (ACC-11).
pub const USAGE_SENDER: &str = "111";
/// The sender of the bank's second-step codes (ACC-10).
pub const BANK_SENDER: &str = mymts_proto::BANK_SENDER;
/// Test cards (ACC-10).
pub const CARD_SUCCEEDS: &str = "4242424242424242";
pub const CARD_DECLINED: &str = "4000000000000002";
pub const CARD_NEEDS_CODE: &str = "4000000000003220";
/// Top-ups are 1 to 100,000 ₽.
pub const TOPUP_MIN_KOP: i64 = 100;
pub const TOPUP_MAX_KOP: i64 = 10_000_000;
/// The bank's code is good for 10 minutes and 3 tries.
pub const TOPUP_CODE_TTL_MS: i64 = 10 * 60 * 1000;
pub const TOPUP_CODE_TRIES: i64 = 3;

// ---------------------------------------------------------------------------------------------
// Reading the account
// ---------------------------------------------------------------------------------------------

struct AccountRow {
    id: i64,
    login: String,
    kind: AccountKind,
    name: String,
    balance_kop: i64,
    tariff_id: Option<String>,
    blocked: bool,
    recovery_email: Option<String>,
}

impl AccountRow {
    fn reference(&self) -> AccountRef {
        AccountRef {
            login: self.login.clone(),
            kind: self.kind,
            name: self.name.clone(),
        }
    }
}

const ACCOUNT_COLUMNS: &str =
    "id, login, kind, name, balance_kop, tariff_id, blocked, recovery_email";

fn account_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AccountRow> {
    Ok(AccountRow {
        id: r.get(0)?,
        login: r.get(1)?,
        kind: AccountKind::parse(&r.get::<_, String>(2)?).unwrap_or(AccountKind::Mobile),
        name: r.get(3)?,
        balance_kop: r.get(4)?,
        tariff_id: r.get(5)?,
        blocked: r.get(6)?,
        recovery_email: r.get(7)?,
    })
}

fn load_account(tx: &Transaction<'_>, id: i64) -> ApiResult<AccountRow> {
    tx.query_row(
        &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = ?1"),
        params![id],
        account_from_row,
    )
    .optional()?
    .ok_or_else(|| ApiError::new(ErrorCode::Unauthorized, "This account no longer exists."))
}

fn find_by_login(tx: &Transaction<'_>, login: &str) -> ApiResult<Option<AccountRow>> {
    Ok(tx
        .query_row(
            &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE login = ?1"),
            params![login],
            account_from_row,
        )
        .optional()?)
}

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

fn account_tariff(tx: &Transaction<'_>, account: &AccountRow) -> ApiResult<Option<Tariff>> {
    match &account.tariff_id {
        Some(id) => load_tariff(tx, id),
        None => Ok(None),
    }
}

/// `(minutes, SMS, MB)` used in `period`.
fn usage_of(tx: &Transaction<'_>, account_id: i64, period: &str) -> ApiResult<(i64, i64, i64)> {
    Ok(tx
        .query_row(
            "SELECT minutes_used, sms_used, data_mb_used FROM usage
             WHERE account_id = ?1 AND period = ?2",
            params![account_id, period],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?
        .unwrap_or((0, 0, 0)))
}

fn packages(
    tx: &Transaction<'_>,
    account_id: i64,
    tariff: &Tariff,
    now: i64,
) -> ApiResult<Packages> {
    let period = period_of(now);
    let (minutes, sms, data) = usage_of(tx, account_id, &period)?;
    Ok(Packages {
        period,
        minutes: PackageUse {
            used: minutes,
            total: tariff.minutes,
        },
        sms: PackageUse {
            used: sms,
            total: tariff.sms,
        },
        data_mb: PackageUse {
            used: data,
            total: tariff.data_mb,
        },
    })
}

fn usage_kind_str(kind: UsageKind) -> &'static str {
    match kind {
        UsageKind::Minutes => "minutes",
        UsageKind::Sms => "sms",
        UsageKind::Data => "data",
    }
}

/// The notices sent in the month `now` is in, oldest first.
fn notices_this_period(
    tx: &Transaction<'_>,
    account_id: i64,
    now: i64,
) -> ApiResult<Vec<UsageNotice>> {
    let start = crate::ops::calls::months(now, 1)
        .first()
        .map_or(0, |m| m.start_ms);
    let mut stmt = tx.prepare_cached(
        "SELECT kind, percent, at_ms, text FROM usage_notices
         WHERE account_id = ?1 AND at_ms >= ?2 ORDER BY id",
    )?;
    let rows = stmt.query_map(params![account_id, start], |r| {
        let kind = match r.get::<_, String>(0)?.as_str() {
            "minutes" => UsageKind::Minutes,
            "sms" => UsageKind::Sms,
            _ => UsageKind::Data,
        };
        Ok(UsageNotice {
            kind,
            percent: u8::try_from(r.get::<_, i64>(1)?).unwrap_or(100),
            at_ms: r.get(2)?,
            text: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

// ---------------------------------------------------------------------------------------------
// Money
// ---------------------------------------------------------------------------------------------

/// ACC-4: a paid action needs a positive balance that covers its fee. The message says why, so the
/// app can show it as is.
fn ensure_funds(balance_kop: i64, fee_kop: i64, what: &str) -> ApiResult<()> {
    if balance_kop <= 0 {
        return Err(ApiError::new(
            ErrorCode::InsufficientFunds,
            format!(
                "Your balance is {}: {what} needs a positive balance. Top up first.",
                format_rub(balance_kop, false)
            ),
        )
        .hint("Top up the balance"));
    }
    if balance_kop < fee_kop {
        return Err(ApiError::new(
            ErrorCode::InsufficientFunds,
            format!(
                "Your balance is {}, and {what} costs {}. Top up first.",
                format_rub(balance_kop, false),
                format_rub(fee_kop, false)
            ),
        )
        .hint("Top up the balance"));
    }
    Ok(())
}

/// Takes `amount_kop` off the balance and records it; returns the new balance.
fn charge(
    tx: &Transaction<'_>,
    account_id: i64,
    now: i64,
    kind: &str,
    amount_kop: i64,
    detail: &str,
) -> ApiResult<i64> {
    if amount_kop > 0 {
        tx.execute(
            "UPDATE accounts SET balance_kop = balance_kop - ?1 WHERE id = ?2",
            params![amount_kop, account_id],
        )?;
        tx.execute(
            "INSERT INTO charges (account_id, at_ms, kind, amount_kop, detail)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![account_id, now, kind, amount_kop, detail],
        )?;
    }
    balance_of(tx, account_id)
}

fn balance_of(tx: &Transaction<'_>, account_id: i64) -> ApiResult<i64> {
    Ok(tx.query_row(
        "SELECT balance_kop FROM accounts WHERE id = ?1",
        params![account_id],
        |r| r.get(0),
    )?)
}

fn refuse_if_blocked(account: &AccountRow, what: &str) -> ApiResult<()> {
    if account.blocked {
        return Err(ApiError::new(
            ErrorCode::NumberBlocked,
            format!("The number is blocked. Unblock it to {what}."),
        ));
    }
    Ok(())
}

/// Ids of tariffs and services are short slugs; anything else cannot name one.
fn check_slug(field: &str, id: &str) -> ApiResult<()> {
    if id.is_empty()
        || id.len() > 32
        || !id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(ApiError::invalid(
            field,
            format!("There is no such {field}."),
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Overview, balance
// ---------------------------------------------------------------------------------------------

/// Everything the home screen shows (ACC-1, ACC-11).
#[utoipa::path(get, path = "/v1/account", tag = "account",
    responses((status = 200, body = AccountOverview),
              (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
async fn overview(
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
async fn balance(State(state): State<AppState>, authed: Authed) -> ApiResult<axum::Json<Balance>> {
    let now = state.now_ms();
    let balance_kop = state
        .db
        .tx(move |tx| balance_of(tx, authed.account_id))
        .await?;
    Ok(axum::Json(Balance {
        balance_kop,
        currency: CURRENCY.into(),
        as_of_ms: now,
    }))
}

// ---------------------------------------------------------------------------------------------
// Tariffs (ACC-2, ACC-4)
// ---------------------------------------------------------------------------------------------

/// The tariffs with their fees. Contracts and internet banking have none.
#[utoipa::path(get, path = "/v1/tariffs", tag = "account",
    responses((status = 200, body = TariffList),
              (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
async fn tariffs(
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
async fn change_tariff(
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
    tx.execute(
        "UPDATE accounts SET tariff_id = ?1 WHERE id = ?2",
        params![new.id, a.id],
    )?;
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

// ---------------------------------------------------------------------------------------------
// Services (ACC-3, ACC-4)
// ---------------------------------------------------------------------------------------------

/// The services with the caller's tariff's prices; which are connected.
#[utoipa::path(get, path = "/v1/services", tag = "account",
    responses((status = 200, body = ServiceList),
              (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
async fn services(
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
fn list_services(tx: &Transaction<'_>, a: &AccountRow) -> ApiResult<Vec<Service>> {
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

fn find_service(tx: &Transaction<'_>, a: &AccountRow, id: &str) -> ApiResult<Service> {
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
async fn connect_service(
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
async fn disconnect_service(
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
                balance_kop: balance_of(tx, authed.account_id)?,
            })
        })
        .await?;
    Ok(axum::Json(out))
}

// ---------------------------------------------------------------------------------------------
// Blocking (ACC-6)
// ---------------------------------------------------------------------------------------------

/// Blocks a lost or stolen number.
#[utoipa::path(post, path = "/v1/block", tag = "account", request_body = BlockRequest,
    responses((status = 200, body = BlockState),
              (status = 400, body = ApiErrorBody, description = "not a mobile account, reason too long")))]
async fn block(
    State(state): State<AppState>,
    authed: Authed,
    Json(req): Json<BlockRequest>,
) -> ApiResult<axum::Json<BlockState>> {
    let reason = req.reason.unwrap_or_default();
    let reason = reason.trim();
    if reason.chars().count() > 200 {
        return Err(ApiError::invalid(
            "reason",
            "The reason is at most 200 characters.",
        ));
    }
    let detail = if reason.is_empty() {
        "no reason given".to_string()
    } else {
        format!("reason: {reason}")
    };
    set_blocked(&state, authed, true, detail).await
}

/// Unblocks the number.
#[utoipa::path(post, path = "/v1/unblock", tag = "account",
    responses((status = 200, body = BlockState),
              (status = 400, body = ApiErrorBody, description = "not a mobile account")))]
async fn unblock(
    State(state): State<AppState>,
    authed: Authed,
) -> ApiResult<axum::Json<BlockState>> {
    set_blocked(&state, authed, false, String::new()).await
}

/// Idempotent: blocking a blocked number answers the same and writes no second audit row.
async fn set_blocked(
    state: &AppState,
    authed: Authed,
    blocked: bool,
    detail: String,
) -> ApiResult<axum::Json<BlockState>> {
    if authed.kind != AccountKind::Mobile {
        return Err(ApiError::invalid(
            "account",
            "Only a mobile number can be blocked.",
        ));
    }
    let now = state.now_ms();
    state
        .db
        .tx(move |tx| {
            let changed = tx.execute(
                "UPDATE accounts SET blocked = ?1 WHERE id = ?2 AND blocked != ?1",
                params![blocked, authed.account_id],
            )?;
            if changed > 0 {
                let action = if blocked {
                    "number_blocked"
                } else {
                    "number_unblocked"
                };
                audit::record(tx, now, &authed.actor(), action, &detail)?;
            }
            Ok(())
        })
        .await?;
    // SMS held while the number was blocked go out now, not at the next poll.
    crate::ops::phones::wake(state);
    Ok(axum::Json(BlockState { blocked }))
}

// ---------------------------------------------------------------------------------------------
// Recovery e-mail (ACC-8, INBOX-2)
// ---------------------------------------------------------------------------------------------

/// Sets the recovery e-mail; creates its simulated mailbox when there is none (ACC-8). Needs the
/// current password or a fresh SMS sign-in (SEC-4): whoever holds the recovery address can take
/// the contract.
#[utoipa::path(put, path = "/v1/recovery-email", tag = "account", request_body = RecoveryEmailChange,
    responses((status = 200, body = RecoveryEmail),
              (status = 400, body = ApiErrorBody, description = "invalid_input (no proof) or disposable_email"),
              (status = 401, body = ApiErrorBody, description = "wrong_credentials"),
              (status = 403, body = ApiErrorBody, description = "password_locked")))]
async fn set_recovery_email(
    State(state): State<AppState>,
    authed: Authed,
    Json(req): Json<RecoveryEmailChange>,
) -> ApiResult<axum::Json<RecoveryEmail>> {
    if let Some(p) = &req.current_password {
        crate::ops::auth::limit("current_password", p, 128)?;
    }
    let email = crate::ops::mail::validate_email(&req.email)?;
    crate::ops::auth::security::fresh_proof(
        &state,
        &authed,
        req.current_password,
        "current_password",
    )
    .await?;
    let now = state.now_ms();
    let stored = email.clone();
    state
        .db
        .tx(move |tx| {
            tx.execute(
                "UPDATE accounts SET recovery_email = ?1 WHERE id = ?2",
                params![stored, authed.account_id],
            )?;
            tx.execute(
                "INSERT OR IGNORE INTO mailboxes (address, quota_bytes) VALUES (?1, ?2)",
                params![stored, MAILBOX_QUOTA_BYTES],
            )?;
            audit::record(
                tx,
                now,
                &authed.actor(),
                "recovery_email_set",
                &mymts_proto::mask_email(&stored),
            )
        })
        .await?;
    Ok(axum::Json(RecoveryEmail { email }))
}

// ---------------------------------------------------------------------------------------------
// Linked numbers (ACC-7)
// ---------------------------------------------------------------------------------------------

/// A login as people type it: a phone number in any AUTH-2 form, or a contract or banking login.
fn normalize_login(input: &str) -> ApiResult<String> {
    let s = input.trim();
    if s.is_empty() || s.chars().count() > 64 {
        return Err(ApiError::invalid(
            "login",
            "Enter a phone number or a contract number.",
        ));
    }
    if let Ok(phone) = PhoneNumber::parse(s) {
        return Ok(phone.to_string());
    }
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Ok(s.to_string());
    }
    Err(ApiError::invalid(
        "login",
        "Enter a phone number or a contract number.",
    ))
}

fn linked_accounts(tx: &Transaction<'_>, owner_id: i64) -> ApiResult<Vec<LinkedAccount>> {
    let mut stmt = tx.prepare_cached(
        "SELECT a.login, a.kind, a.name, l.linked_ms FROM links l JOIN accounts a ON a.id = l.linked_id
         WHERE l.owner_id = ?1 ORDER BY l.linked_ms, a.login",
    )?;
    let rows = stmt.query_map(params![owner_id], |r| {
        Ok(LinkedAccount {
            account: AccountRef {
                login: r.get(0)?,
                kind: AccountKind::parse(&r.get::<_, String>(1)?).unwrap_or(AccountKind::Mobile),
                name: r.get(2)?,
            },
            linked_ms: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

#[utoipa::path(get, path = "/v1/links", tag = "account",
    responses((status = 200, body = [LinkedAccount]),
              (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
async fn list_links(
    State(state): State<AppState>,
    authed: Authed,
) -> ApiResult<axum::Json<Vec<LinkedAccount>>> {
    let links = state
        .db
        .tx(move |tx| linked_accounts(tx, authed.account_id))
        .await?;
    Ok(axum::Json(links))
}

/// Links another subscriber's account, proven by that subscriber's password (ACC-7). The guess
/// is counted on that account's password counter before it is judged (SEC-2), and a login
/// nobody has is refused exactly like a real one (SEC-3).
#[utoipa::path(post, path = "/v1/links", tag = "account", request_body = LinkRequest,
    responses((status = 200, body = LinkedAccount),
              (status = 400, body = ApiErrorBody, description = "invalid_input (e.g. your own account)"),
              (status = 401, body = ApiErrorBody, description = "wrong_credentials"),
              (status = 403, body = ApiErrorBody, description = "password_locked"),
              (status = 409, body = ApiErrorBody, description = "already_linked")))]
async fn add_link(
    State(state): State<AppState>,
    authed: Authed,
    Json(req): Json<LinkRequest>,
) -> ApiResult<axum::Json<LinkedAccount>> {
    let login = normalize_login(&req.login)?;
    if login == authed.login {
        return Err(ApiError::invalid(
            "login",
            "You cannot link your own account.",
        ));
    }
    crate::ops::auth::limit("password", &req.password, 128)?;
    let _gate = state
        .guess_gates
        .enter(
            crate::ops::auth::guesses::password_gate(&login),
            login::PASSWORD_PLACES,
        )
        .await;
    let owner = authed.account_id;
    let st = state.clone();
    let now = state.now_ms();
    let aimed = state
        .db
        .tx(move |tx| {
            let linked: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM links l JOIN accounts a ON a.id = l.linked_id
                                WHERE l.owner_id = ?1 AND a.login = ?2)",
                params![owner, login],
                |r| r.get(0),
            )?;
            if linked {
                return Ok(Err(already_linked()));
            }
            login::aim(tx, &st.key, now, &login)
        })
        .await??;
    let ok = state.hasher.verify(req.password, aimed.hash()).await?;
    let now = state.now_ms();
    let out = state
        .db
        .tx(move |tx| finish_link(tx, now, &authed, aimed, ok))
        .await?;
    out.map(axum::Json)
}

fn already_linked() -> ApiError {
    ApiError::new(ErrorCode::AlreadyLinked, "This account is already linked.")
}

/// Judges the guess and links on a right one; a refusal is returned as `Ok(Err)` so that the
/// transaction keeps its count.
fn finish_link(
    tx: &Transaction<'_>,
    now: i64,
    authed: &Authed,
    aimed: login::Aim,
    password_ok: bool,
) -> ApiResult<ApiResult<LinkedAccount>> {
    let target = match login::verdict(tx, now, aimed, password_ok)? {
        Ok(target) => target,
        Err((err, _, locked)) => {
            audit::record(
                tx,
                now,
                &authed.actor(),
                "link_failed",
                if locked {
                    "wrong credentials; locked"
                } else {
                    "wrong credentials"
                },
            )?;
            return Ok(Err(err));
        }
    };
    let added = tx.execute(
        "INSERT OR IGNORE INTO links (owner_id, linked_id, linked_ms) VALUES (?1, ?2, ?3)",
        params![authed.account_id, target.id, now],
    )?;
    if added == 0 {
        return Ok(Err(already_linked()));
    }
    audit::record(tx, now, &authed.actor(), "link_added", &target.login)?;
    Ok(Ok(LinkedAccount {
        account: AccountRef {
            login: target.login,
            kind: target.kind,
            name: target.name,
        },
        linked_ms: now,
    }))
}

/// Ends the sessions a link opened into the linked account (SEC-6).
fn end_linked_sessions(
    tx: &Transaction<'_>,
    owner_id: i64,
    linked_id: i64,
    now: i64,
) -> ApiResult<()> {
    let sids: Vec<String> = tx
        .prepare(
            "SELECT id FROM sessions WHERE account_id = ?1 AND linked_by = ?2 AND revoked_ms IS NULL",
        )?
        .query_map(params![linked_id, owner_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for sid in sids {
        revoke_session(tx, &sid, now, "the link was removed")?;
    }
    Ok(())
}

/// SEC-6: ends every link others made to `account_id` and the sessions they opened with them,
/// when its owner changes the password signing out other devices, or recovers it. Returns how
/// many links ended.
pub(crate) fn end_links_to(tx: &Transaction<'_>, account_id: i64, now: i64) -> ApiResult<usize> {
    let owners: Vec<i64> = tx
        .prepare("SELECT owner_id FROM links WHERE linked_id = ?1")?
        .query_map(params![account_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for owner in &owners {
        end_linked_sessions(tx, *owner, account_id, now)?;
    }
    tx.execute(
        "DELETE FROM links WHERE linked_id = ?1",
        params![account_id],
    )?;
    Ok(owners.len())
}

/// Who has linked this account (SEC-6), oldest link first.
#[utoipa::path(get, path = "/v1/links/incoming", tag = "account",
    responses((status = 200, body = [LinkedAccount]),
              (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
async fn list_incoming_links(
    State(state): State<AppState>,
    authed: Authed,
) -> ApiResult<axum::Json<Vec<LinkedAccount>>> {
    let links = state
        .db
        .tx(move |tx| {
            let mut stmt = tx.prepare_cached(
                "SELECT a.login, a.kind, a.name, l.linked_ms FROM links l JOIN accounts a ON a.id = l.owner_id
                 WHERE l.linked_id = ?1 ORDER BY l.linked_ms, a.login",
            )?;
            let rows = stmt.query_map(params![authed.account_id], |r| {
                Ok(LinkedAccount {
                    account: AccountRef {
                        login: r.get(0)?,
                        kind: AccountKind::parse(&r.get::<_, String>(1)?)
                            .unwrap_or(AccountKind::Mobile),
                        name: r.get(2)?,
                    },
                    linked_ms: r.get(3)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await?;
    Ok(axum::Json(links))
}

/// Removes the link `login` made to this account, and the sessions it opened (SEC-6).
#[utoipa::path(delete, path = "/v1/links/incoming/{login}", tag = "account",
    params(("login" = String, Path, description = "the login of the account that linked this one")),
    responses((status = 204, description = "removed"),
              (status = 400, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody, description = "not_linked")))]
async fn remove_incoming_link(
    State(state): State<AppState>,
    authed: Authed,
    Path(login): Path<String>,
) -> ApiResult<StatusCode> {
    let login = normalize_login(&login)?;
    let now = state.now_ms();
    state
        .db
        .tx(move |tx| {
            let owner: Option<i64> = tx
                .query_row(
                    "SELECT l.owner_id FROM links l JOIN accounts a ON a.id = l.owner_id
                     WHERE l.linked_id = ?1 AND a.login = ?2",
                    params![authed.account_id, login],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(owner) = owner else {
                return Err(ApiError::new(
                    ErrorCode::NotLinked,
                    "This account has not linked yours.",
                ));
            };
            tx.execute(
                "DELETE FROM links WHERE owner_id = ?1 AND linked_id = ?2",
                params![owner, authed.account_id],
            )?;
            end_linked_sessions(tx, owner, authed.account_id, now)?;
            audit::record(tx, now, &authed.actor(), "incoming_link_removed", &login)
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/v1/links/{login}", tag = "account",
    params(("login" = String, Path, description = "the linked account's login")),
    responses((status = 204, description = "removed"),
              (status = 400, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody, description = "not_linked")))]
async fn remove_link(
    State(state): State<AppState>,
    authed: Authed,
    Path(login): Path<String>,
) -> ApiResult<StatusCode> {
    let login = normalize_login(&login)?;
    let now = state.now_ms();
    state
        .db
        .tx(move |tx| {
            let linked: Option<i64> = tx
                .query_row(
                    "SELECT l.linked_id FROM links l JOIN accounts a ON a.id = l.linked_id
                     WHERE l.owner_id = ?1 AND a.login = ?2",
                    params![authed.account_id, login],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(linked) = linked else {
                return Err(not_linked());
            };
            tx.execute(
                "DELETE FROM links WHERE owner_id = ?1 AND linked_id = ?2",
                params![authed.account_id, linked],
            )?;
            end_linked_sessions(tx, authed.account_id, linked, now)?;
            audit::record(tx, now, &authed.actor(), "link_removed", &login)
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

fn not_linked() -> ApiError {
    ApiError::new(ErrorCode::NotLinked, "This account is not linked to yours.")
}

/// Switches to a linked account in one tap: a new session of that account (ACC-7).
#[utoipa::path(post, path = "/v1/links/{login}/session", tag = "account",
    params(("login" = String, Path, description = "the linked account's login")),
    responses((status = 200, body = LoginResponse),
              (status = 400, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody, description = "not_linked")))]
async fn link_session(
    State(state): State<AppState>,
    authed: Authed,
    Path(login): Path<String>,
) -> ApiResult<axum::Json<LoginResponse>> {
    let login = normalize_login(&login)?;
    let now = state.now_ms();
    let out = state
        .db
        .tx(move |tx| switch_to_linked(tx, now, &authed, &login))
        .await?;
    Ok(axum::Json(out))
}

fn switch_to_linked(
    tx: &Transaction<'_>,
    now: i64,
    authed: &Authed,
    login: &str,
) -> ApiResult<LoginResponse> {
    let (id, agreement): (i64, i64) = tx
        .query_row(
            "SELECT a.id, a.agreement_version FROM links l JOIN accounts a ON a.id = l.linked_id
             WHERE l.owner_id = ?1 AND a.login = ?2",
            params![authed.account_id, login],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .ok_or_else(not_linked)?;
    let target = load_account(tx, id)?;
    let device = DeviceInfo {
        name: authed.device.clone(),
        platform: "linked".into(),
    };
    let (tokens, session_id) = open_session(tx, now, id, LoginMethod::Linked, &device)?;
    tx.execute(
        "UPDATE sessions SET linked_by = ?1 WHERE id = ?2",
        params![authed.account_id, session_id],
    )?;
    audit::record(tx, now, &authed.actor(), "link_switched", login)?;
    let linked_actor = Actor {
        account_id: Some(id),
        login: Some(target.login.clone()),
        channel: authed.channel.to_string(),
        device: authed.device.clone(),
    };
    audit::record(
        tx,
        now,
        &linked_actor,
        "login",
        &format!("method=linked from {}", authed.login),
    )?;
    let agreement = u32::try_from(agreement).unwrap_or(0);
    Ok(LoginResponse {
        tokens,
        account: target.reference(),
        session_id,
        method: LoginMethod::Linked,
        agreement_required: agreement < crate::AGREEMENT_VERSION,
        agreement_version: crate::AGREEMENT_VERSION,
        offer_permanent_password: false,
        permanent_password_set: false,
    })
}

// ---------------------------------------------------------------------------------------------
// Top-up (ACC-10)
// ---------------------------------------------------------------------------------------------

/// The card's digits, when it is a plausible, Luhn-valid card number. People type spaces and
/// dashes between the groups.
pub fn card_digits(input: &str) -> ApiResult<String> {
    let bad = || ApiError::invalid("card_number", "This is not a valid card number.");
    if input.len() > 40 {
        return Err(bad());
    }
    let mut digits = String::with_capacity(19);
    for c in input.trim().chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' => {}
            _ => return Err(bad()),
        }
    }
    if !(12..=19).contains(&digits.len()) || !luhn(&digits) {
        return Err(bad());
    }
    Ok(digits)
}

fn luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let d2 = d * 2;
                if d2 > 9 { d2 - 9 } else { d2 }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// How a payment step ended; committed before it is answered, so a decline is recorded.
enum Payment {
    Done(TopUpResult),
    NeedsCode(TopUpResult),
    Refused(ApiError),
}

/// Tops the balance up by a simulated card: the test cards succeed, are declined, or need a code
/// the bank sends by SMS (ACC-10).
#[utoipa::path(post, path = "/v1/topup", tag = "account", request_body = TopUpRequest,
    responses((status = 200, body = TopUpResult, description = "succeeded, or action_required: confirm with the SMS code"),
              (status = 400, body = ApiErrorBody, description = "invalid amount or card number"),
              (status = 402, body = ApiErrorBody, description = "card_declined")))]
async fn top_up(
    State(state): State<AppState>,
    authed: Authed,
    Json(req): Json<TopUpRequest>,
) -> ApiResult<axum::Json<TopUpResult>> {
    if !(TOPUP_MIN_KOP..=TOPUP_MAX_KOP).contains(&req.amount_kop) {
        return Err(ApiError::invalid(
            "amount_kop",
            format!(
                "A top-up is {} to {}.",
                format_rub(TOPUP_MIN_KOP, false),
                format_rub(TOPUP_MAX_KOP, false)
            ),
        ));
    }
    let card = card_digits(&req.card_number)?;
    let now = state.now_ms();
    let st = state.clone();
    let amount = req.amount_kop;
    let out = state
        .db
        .tx(move |tx| start_payment(tx, &st, now, &authed, amount, &card))
        .await?;
    finish_payment(&state, out)
}

fn finish_payment(state: &AppState, out: Payment) -> ApiResult<axum::Json<TopUpResult>> {
    match out {
        Payment::Done(r) => Ok(axum::Json(r)),
        Payment::NeedsCode(r) => {
            crate::ops::phones::wake(state);
            Ok(axum::Json(r))
        }
        Payment::Refused(e) => Err(e),
    }
}

fn start_payment(
    tx: &Transaction<'_>,
    state: &AppState,
    now: i64,
    authed: &Authed,
    amount: i64,
    card: &str,
) -> ApiResult<Payment> {
    let last4 = &card[card.len() - 4..];
    let id = new_id();
    let what = format!("{} by card *{last4}", format_rub(amount, false));
    let insert = |status: &str, nonce: Option<&str>| -> ApiResult<()> {
        tx.execute(
            "INSERT INTO payments (id, account_id, amount_kop, card_last4, status, nonce, created_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![id, authed.account_id, amount, last4, status, nonce, now],
        )?;
        Ok(())
    };
    match card {
        CARD_DECLINED => {
            insert("declined", None)?;
            audit::record(tx, now, &authed.actor(), "topup_declined", &what)?;
            Ok(Payment::Refused(ApiError::new(
                ErrorCode::CardDeclined,
                "The bank declined the card. Nothing was charged; try another card.",
            )))
        }
        CARD_NEEDS_CODE => {
            if authed.kind != AccountKind::Mobile {
                insert("declined", None)?;
                audit::record(tx, now, &authed.actor(), "topup_declined", &what)?;
                return Ok(Payment::Refused(ApiError::new(
                    ErrorCode::CardDeclined,
                    "This card needs a code by SMS, and this account has no phone number. Try another card.",
                )));
            }
            let nonce = new_id();
            insert("action_required", Some(&nonce))?;
            let code = state.key.derive_code("topup", &nonce, b"0123456789", 6);
            let text = format!(
                "Code {code} confirms a payment of {} to MTS. Do not tell it to anyone.",
                format_rub(amount, false)
            );
            queue_sms(
                tx,
                &state.key,
                &state.faults(),
                now,
                &authed.login,
                BANK_SENDER,
                &text,
            )?;
            audit::record(tx, now, &authed.actor(), "topup_code_sent", &what)?;
            Ok(Payment::NeedsCode(TopUpResult {
                payment_id: id,
                status: TopUpStatus::ActionRequired,
                balance_kop: balance_of(tx, authed.account_id)?,
            }))
        }
        // Like a payment gateway's test mode: any other valid card goes through.
        _ => {
            insert("succeeded", None)?;
            let balance_kop = credit(tx, authed.account_id, amount)?;
            audit::record(tx, now, &authed.actor(), "topup_succeeded", &what)?;
            Ok(Payment::Done(TopUpResult {
                payment_id: id,
                status: TopUpStatus::Succeeded,
                balance_kop,
            }))
        }
    }
}

fn credit(tx: &Transaction<'_>, account_id: i64, amount: i64) -> ApiResult<i64> {
    Ok(tx.query_row(
        "UPDATE accounts SET balance_kop = balance_kop + ?1 WHERE id = ?2 RETURNING balance_kop",
        params![amount, account_id],
        |r| r.get(0),
    )?)
}

/// Completes a payment with the code the bank sent by SMS; three wrong codes fail it.
#[utoipa::path(post, path = "/v1/topup/{id}/confirm", tag = "account", request_body = TopUpConfirm,
    params(("id" = String, Path, description = "payment id")),
    responses((status = 200, body = TopUpResult),
              (status = 401, body = ApiErrorBody, description = "code_wrong (attempts_left) or code_expired"),
              (status = 402, body = ApiErrorBody, description = "card_declined: failed after 3 wrong codes"),
              (status = 404, body = ApiErrorBody, description = "no such payment"),
              (status = 409, body = ApiErrorBody, description = "payment already completed")))]
async fn confirm_top_up(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    Json(req): Json<TopUpConfirm>,
) -> ApiResult<axum::Json<TopUpResult>> {
    if id.len() > 64 {
        return Err(ApiError::not_found("There is no such payment."));
    }
    let code = req.code.trim().to_string();
    let now = state.now_ms();
    let st = state.clone();
    let out = state
        .db
        .tx(move |tx| confirm_payment(tx, &st, now, &authed, &id, &code))
        .await?;
    finish_payment(&state, out)
}

fn confirm_payment(
    tx: &Transaction<'_>,
    state: &AppState,
    now: i64,
    authed: &Authed,
    id: &str,
    code: &str,
) -> ApiResult<Payment> {
    let row: Option<(i64, String, String, Option<String>, i64, i64)> = tx
        .query_row(
            "SELECT amount_kop, card_last4, status, nonce, created_ms, wrong FROM payments
             WHERE id = ?1 AND account_id = ?2",
            params![id, authed.account_id],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            },
        )
        .optional()?;
    let Some((amount, last4, status, nonce, created, wrong)) = row else {
        return Err(ApiError::not_found("There is no such payment."));
    };
    let (Some(nonce), "action_required") = (nonce, status.as_str()) else {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!("This payment is already {}.", status.replace('_', " ")),
        ));
    };
    let what = format!("{} by card *{last4}", format_rub(amount, false));
    let set_status = |s: &str| -> ApiResult<()> {
        tx.execute(
            "UPDATE payments SET status = ?1 WHERE id = ?2",
            params![s, id],
        )?;
        Ok(())
    };
    if now - created > TOPUP_CODE_TTL_MS {
        set_status("failed")?;
        audit::record(
            tx,
            now,
            &authed.actor(),
            "topup_failed",
            &format!("{what}: code expired"),
        )?;
        return Ok(Payment::Refused(ApiError::new(
            ErrorCode::CodeExpired,
            "The bank's code expired. Start the payment again.",
        )));
    }
    let expected = state.key.derive_code("topup", &nonce, b"0123456789", 6);
    if !same(code, &expected) {
        let wrong = wrong + 1;
        tx.execute(
            "UPDATE payments SET wrong = ?1 WHERE id = ?2",
            params![wrong, id],
        )?;
        if wrong >= TOPUP_CODE_TRIES {
            set_status("failed")?;
            audit::record(
                tx,
                now,
                &authed.actor(),
                "topup_failed",
                &format!("{what}: 3 wrong codes"),
            )?;
            return Ok(Payment::Refused(ApiError::new(
                ErrorCode::CardDeclined,
                "The payment failed: the code was wrong three times. Nothing was charged.",
            )));
        }
        let left = u32::try_from(TOPUP_CODE_TRIES - wrong).unwrap_or(0);
        return Ok(Payment::Refused(
            ApiError::new(ErrorCode::CodeWrong, "The code is wrong.").attempts_left(left),
        ));
    }
    set_status("succeeded")?;
    let balance_kop = credit(tx, authed.account_id, amount)?;
    audit::record(tx, now, &authed.actor(), "topup_succeeded", &what)?;
    Ok(Payment::Done(TopUpResult {
        payment_id: id.to_string(),
        status: TopUpStatus::Succeeded,
        balance_kop,
    }))
}

// ---------------------------------------------------------------------------------------------
// Usage and its notices (ACC-11)
// ---------------------------------------------------------------------------------------------

/// Records usage on a number (QA-1) and sends the 80 %/100 % notices (ACC-11). One notice per
/// threshold and month; a jump past both sends only the 100 % one.
pub async fn record_usage(state: &AppState, req: RecordUsage) -> ApiResult<Packages> {
    let number = PhoneNumber::parse(&req.number)?.to_string();
    if !(1..=10_000_000).contains(&req.amount) {
        return Err(ApiError::invalid(
            "amount",
            "The amount is 1 to 10,000,000.",
        ));
    }
    let now = state.now_ms();
    let st = state.clone();
    let (packages, sent) = state
        .db
        .tx(move |tx| add_usage(tx, &st, now, &number, req.kind, req.amount))
        .await?;
    if sent {
        crate::ops::phones::wake(state);
    }
    Ok(packages)
}

/// `(used column, notified column)` of a kind; fixed strings, safe to put in SQL.
fn usage_columns(kind: UsageKind) -> (&'static str, &'static str) {
    match kind {
        UsageKind::Minutes => ("minutes_used", "notified_minutes"),
        UsageKind::Sms => ("sms_used", "notified_sms"),
        UsageKind::Data => ("data_mb_used", "notified_data"),
    }
}

fn add_usage(
    tx: &Transaction<'_>,
    state: &AppState,
    now: i64,
    number: &str,
    kind: UsageKind,
    amount: i64,
) -> ApiResult<(Packages, bool)> {
    let a = find_by_login(tx, number)?
        .filter(|a| a.kind == AccountKind::Mobile)
        .ok_or_else(|| {
            ApiError::new(ErrorCode::UnknownAccount, "No subscriber has this number.")
        })?;
    refuse_if_blocked(&a, "use the network")?;
    let tariff = account_tariff(tx, &a)?
        .ok_or_else(|| ApiError::internal(format!("mobile account {} has no tariff", a.id)))?;
    let period = period_of(now);
    let (used_col, notified_col) = usage_columns(kind);
    let (used, notified): (i64, i64) = tx.query_row(
        &format!(
            "INSERT INTO usage (account_id, period, {used_col}) VALUES (?1, ?2, ?3)
             ON CONFLICT (account_id, period) DO UPDATE SET {used_col} = {used_col} + excluded.{used_col}
             RETURNING {used_col}, {notified_col}"
        ),
        params![a.id, period, amount],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let total = match kind {
        UsageKind::Minutes => tariff.minutes,
        UsageKind::Sms => tariff.sms,
        UsageKind::Data => tariff.data_mb,
    };
    let level = threshold(used, total);
    let sent = level > notified;
    if sent {
        let text = notice_text(kind, level, used, total);
        queue_sms(
            tx,
            &state.key,
            &state.faults(),
            now,
            number,
            USAGE_SENDER,
            &text,
        )?;
        tx.execute(
            "INSERT INTO usage_notices (account_id, kind, percent, at_ms, text) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![a.id, usage_kind_str(kind), level, now, text],
        )?;
        tx.execute(
            &format!("UPDATE usage SET {notified_col} = ?1 WHERE account_id = ?2 AND period = ?3"),
            params![level, a.id, period],
        )?;
    }
    Ok((packages(tx, a.id, &tariff, now)?, sent))
}

/// The highest notice level reached: 0, 80 or 100.
fn threshold(used: i64, total: i64) -> i64 {
    if total <= 0 {
        return 0;
    }
    match used.saturating_mul(100) / total {
        p if p >= 100 => 100,
        p if p >= 80 => 80,
        _ => 0,
    }
}

fn notice_text(kind: UsageKind, level: i64, used: i64, total: i64) -> String {
    let left = (total - used).max(0);
    let (what, left_s, total_s) = match kind {
        UsageKind::Minutes => ("minutes", format!("{left} min"), format!("{total} min")),
        UsageKind::Sms => ("SMS", format!("{left} SMS"), format!("{total} SMS")),
        UsageKind::Data => ("internet package", gb(left), gb(total)),
    };
    if level >= 100 {
        format!(
            "You have used 100% of your monthly {what} ({total_s}). Further use is charged per your tariff. MTS"
        )
    } else {
        format!("You have used {level}% of your monthly {what}: {left_s} of {total_s} left. MTS")
    }
}

fn gb(mb: i64) -> String {
    format!("{}.{} GB", mb / 1024, mb % 1024 * 10 / 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_accepts_the_test_cards_and_refuses_typos() {
        for ok in [
            CARD_SUCCEEDS,
            CARD_DECLINED,
            CARD_NEEDS_CODE,
            "4242 4242 4242 4242",
        ] {
            assert!(card_digits(ok).is_ok(), "{ok}");
        }
        for bad in [
            "4242424242424241",
            "4242",
            "",
            "4242x4242424242424",
            &"4".repeat(100),
        ] {
            assert!(card_digits(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn acc8_emails_are_lowercased_and_disposable_domains_refused() {
        assert_eq!(
            crate::ops::mail::validate_email(" Anna.P@Mail.Example ")
                .ok()
                .as_deref(),
            Some("anna.p@mail.example")
        );
        for bad in [
            "",
            "a@b",
            "@x.com",
            "a@@x.com",
            "a b@x.com",
            "a@-x.com",
            "a@x.c0m",
        ] {
            assert_eq!(
                crate::ops::mail::validate_email(bad)
                    .map_err(|e| e.code())
                    .err(),
                Some(ErrorCode::InvalidInput),
                "{bad}"
            );
        }
        for d in ["x@mailinator.com", "x@eu.YOPMAIL.com"] {
            assert_eq!(
                crate::ops::mail::validate_email(d)
                    .map_err(|e| e.code())
                    .err(),
                Some(ErrorCode::DisposableEmail),
                "{d}"
            );
        }
        assert!(!crate::ops::mail::is_disposable("notmailinator.com"));
    }

    #[test]
    fn acc11_thresholds_and_texts() {
        assert_eq!(threshold(79, 100), 0);
        assert_eq!(threshold(80, 100), 80);
        assert_eq!(threshold(150, 100), 100);
        assert_eq!(threshold(5, 0), 0);
        assert_eq!(
            notice_text(UsageKind::Data, 80, 12_288, 15_360),
            "You have used 80% of your monthly internet package: 3.0 GB of 15.0 GB left. MTS"
        );
    }
}
