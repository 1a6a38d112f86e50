//! The account (ACC-1…4, 6…8, 10, 11), one room a feature: the home overview and balance
//! (`overview`), tariffs (`tariffs`), services (`services`), blocking (`block`), the recovery
//! e-mail (`recovery_email`), linked numbers (`links`), top-up by card (`topup`), and package
//! usage with its notices (`usage`); `money` holds the charge every paid change goes through.
//!
//! Every change is one transaction that also writes its audit row; a paid action also writes a
//! `charges` row, so the spending chart and Activity agree with the balance. The account itself
//! is read and written through [`crate::db::accounts`].

mod block;
mod links;
mod money;
mod overview;
mod recovery_email;
mod services;
mod tariffs;
mod topup;
mod usage;

use mymts_proto::ErrorCode;
use rusqlite::Transaction;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::db::accounts::{self, Account};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub use topup::card_digits;
pub use usage::record_usage;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(overview::overview))
        .routes(routes!(overview::balance))
        .routes(routes!(tariffs::tariffs))
        .routes(routes!(tariffs::change_tariff))
        .routes(routes!(services::services))
        .routes(routes!(
            services::connect_service,
            services::disconnect_service
        ))
        .routes(routes!(block::block))
        .routes(routes!(block::unblock))
        .routes(routes!(recovery_email::set_recovery_email))
        .routes(routes!(links::list_links, links::add_link))
        .routes(routes!(links::remove_link))
        .routes(routes!(links::list_incoming_links))
        .routes(routes!(links::remove_incoming_link))
        .routes(routes!(links::link_session))
        .routes(routes!(topup::top_up))
        .routes(routes!(topup::confirm_top_up))
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

/// The caller's account; gone (deleted by a QA reset) is answered as a session that ended.
pub(super) fn load_account(tx: &Transaction<'_>, id: i64) -> ApiResult<Account> {
    accounts::by_id(tx, id)?
        .ok_or_else(|| ApiError::new(ErrorCode::Unauthorized, "This account no longer exists."))
}

pub(super) fn refuse_if_blocked(account: &Account, what: &str) -> ApiResult<()> {
    if account.blocked {
        return Err(ApiError::new(
            ErrorCode::NumberBlocked,
            format!("The number is blocked. Unblock it to {what}."),
        ));
    }
    Ok(())
}

/// Ids of tariffs and services are short slugs; anything else cannot name one.
pub(super) fn check_slug(field: &str, id: &str) -> ApiResult<()> {
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
