//! What a paid change goes through (ACC-4): the balance must cover the fee, and the charge is
//! recorded so the spending chart and Activity agree with the balance.

use mymts_proto::ErrorCode;
use mymts_proto::money::format_rub;
use rusqlite::{Transaction, params};

use crate::db::accounts;
use crate::error::{ApiError, ApiResult};

/// ACC-4: a paid action needs a positive balance that covers its fee. The message says why, so the
/// app can show it as is.
pub(super) fn ensure_funds(balance_kop: i64, fee_kop: i64, what: &str) -> ApiResult<()> {
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
pub(super) fn charge(
    tx: &Transaction<'_>,
    account_id: i64,
    now: i64,
    kind: &str,
    amount_kop: i64,
    detail: &str,
) -> ApiResult<i64> {
    if amount_kop > 0 {
        accounts::debit(tx, account_id, amount_kop)?;
        tx.execute(
            "INSERT INTO charges (account_id, at_ms, kind, amount_kop, detail)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![account_id, now, kind, amount_kop, detail],
        )?;
    }
    accounts::balance(tx, account_id)
}
