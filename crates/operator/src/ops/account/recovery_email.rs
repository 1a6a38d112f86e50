//! The recovery e-mail (ACC-8, INBOX-2), which needs proof of the phone or the password (SEC-4).

use axum::extract::State;
use mymts_proto::ApiErrorBody;
use mymts_proto::wire::{RecoveryEmail, RecoveryEmailChange};
use rusqlite::params;

use crate::audit;
use crate::db::accounts;
use crate::error::ApiResult;
use crate::http::extract::Json;
use crate::http::session::Authed;
use crate::seed::MAILBOX_QUOTA_BYTES;
use crate::state::AppState;

/// Sets the recovery e-mail; creates its simulated mailbox when there is none (ACC-8). Needs the
/// current password or a fresh SMS sign-in (SEC-4): whoever holds the recovery address can take
/// the contract.
#[utoipa::path(put, path = "/v1/recovery-email", tag = "account", request_body = RecoveryEmailChange,
    responses((status = 200, body = RecoveryEmail),
              (status = 400, body = ApiErrorBody, description = "invalid_input (no proof) or disposable_email"),
              (status = 401, body = ApiErrorBody, description = "wrong_credentials"),
              (status = 403, body = ApiErrorBody, description = "password_locked")))]
pub(super) async fn set_recovery_email(
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
            accounts::set_recovery_email(tx, authed.account_id, &stored)?;
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

#[cfg(test)]
mod tests {
    use mymts_proto::ErrorCode;

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
}
