//! Top-up by a simulated card (ACC-10): the test cards succeed, are declined, or need a code the
//! bank sends by SMS.

use axum::extract::State;
use mymts_proto::money::format_rub;
use mymts_proto::wire::{AccountKind, TopUpConfirm, TopUpRequest, TopUpResult, TopUpStatus};
use mymts_proto::{ApiErrorBody, ErrorCode};
use rusqlite::{OptionalExtension, Transaction, params};

use super::{
    BANK_SENDER, CARD_DECLINED, CARD_NEEDS_CODE, TOPUP_CODE_TRIES, TOPUP_CODE_TTL_MS,
    TOPUP_MAX_KOP, TOPUP_MIN_KOP,
};
use crate::audit;
use crate::db::accounts;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{Json, Path};
use crate::http::session::Authed;
use crate::ops::sms_centre::queue_sms;
use crate::secrets::{new_id, same};
use crate::state::AppState;

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
pub(super) async fn top_up(
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
            crate::ops::sms_centre::wake(state);
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
                balance_kop: accounts::balance(tx, authed.account_id)?,
            }))
        }
        // Like a payment gateway's test mode: any other valid card goes through.
        _ => {
            insert("succeeded", None)?;
            let balance_kop = accounts::credit(tx, authed.account_id, amount)?;
            audit::record(tx, now, &authed.actor(), "topup_succeeded", &what)?;
            Ok(Payment::Done(TopUpResult {
                payment_id: id,
                status: TopUpStatus::Succeeded,
                balance_kop,
            }))
        }
    }
}

/// Completes a payment with the code the bank sent by SMS; three wrong codes fail it.
#[utoipa::path(post, path = "/v1/topup/{id}/confirm", tag = "account", request_body = TopUpConfirm,
    params(("id" = String, Path, description = "payment id")),
    responses((status = 200, body = TopUpResult),
              (status = 401, body = ApiErrorBody, description = "code_wrong (attempts_left) or code_expired"),
              (status = 402, body = ApiErrorBody, description = "card_declined: failed after 3 wrong codes"),
              (status = 404, body = ApiErrorBody, description = "no such payment"),
              (status = 409, body = ApiErrorBody, description = "payment already completed")))]
pub(super) async fn confirm_top_up(
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
    let balance_kop = accounts::credit(tx, authed.account_id, amount)?;
    audit::record(tx, now, &authed.actor(), "topup_succeeded", &what)?;
    Ok(Payment::Done(TopUpResult {
        payment_id: id.to_string(),
        status: TopUpStatus::Succeeded,
        balance_kop,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::account::CARD_SUCCEEDS;

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
}
