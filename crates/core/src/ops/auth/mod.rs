//! Signing in and staying signed in (AUTH-1…AUTH-10, AUTH-12), by what each part holds:
//! `login` (the ways in), `autologin` (remembered accounts at start, and the one way the shell
//! and the CLI resume them online or offline: AUTH-6, AUTH-7, AUTH-14, CACHE-2),
//! `exit` (Exit and forgetting the device), `password` (change and strength, AUTH-9),
//! `agreement` (AUTH-10). Every way in ends in [`Core::finish_login`]: a session slot (see
//! [`crate::session`]; tokens never leave it except the refresh token of a remembered account,
//! which goes to the keyring), the account's row in the cache, and an event.

mod agreement;
mod autologin;
mod exit;
mod login;
mod password;

pub use autologin::Resumed;
pub use login::CaptchaImage;
pub use password::{Strength, password_strength};

use mymts_proto::wire::LoginResponse;

use crate::Core;
use crate::domain::{Account, Session};
use crate::error::{CoreError, CoreResult};
use crate::events::CoreEvent;

/// What a login did besides signing in.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LoginOutcome {
    pub session: Session,
    /// Set when "remember this device" was asked for but the keyring could not take the token:
    /// the session works, it just will not survive a restart.
    pub keyring_error: Option<CoreError>,
}

fn nonempty(what: &str, v: &str) -> CoreResult<()> {
    if v.trim().is_empty() {
        return Err(CoreError::InvalidInput(format!("Enter the {what}.")));
    }
    if v.len() > 256 {
        return Err(CoreError::InvalidInput(format!("The {what} is too long.")));
    }
    Ok(())
}

impl Core {
    /// Where every way in ends: the refresh token in the keyring when asked to remember (bound
    /// to the operator, SEC-5), the account in the cache, the session in its slot.
    pub(crate) async fn finish_login(
        &self,
        resp: LoginResponse,
        remember: bool,
    ) -> CoreResult<LoginOutcome> {
        let account = Account::from(resp.account.clone());
        let login = account.login.clone();
        let mut keyring_error = None;
        let mut remembered = false;
        // Asked now, not taken from an earlier answer: the address may lead to another operator
        // since (SEC-5). Unknown, the session is neither remembered nor ever refreshed.
        let operator = self.operator_id_fresh().await;
        if let Err(e) = &operator {
            tracing::warn!(
                code = e.code(),
                "the operator's identity is unknown: this session will not be remembered or renewed"
            );
        }
        if remember {
            // The token is in the keyring, bound to this operator (SEC-5), before anything else
            // can use or lose it.
            let saved = match &operator {
                Ok(op) => {
                    self.inner
                        .vault
                        .save(op, &account, &resp.tokens.refresh_token)
                        .await
                }
                Err(e) => Err(e.clone()),
            };
            match saved {
                Ok(()) => remembered = true,
                Err(e) => {
                    tracing::warn!(code = e.code(), "remember me is off: keyring unavailable");
                    self.emit(CoreEvent::KeyringUnavailable {
                        message: e.to_string(),
                    });
                    keyring_error = Some(e);
                }
            }
        } else if let Ok(op) = &operator {
            // A new session that is not to be remembered replaces a remembered one.
            let _ = self.inner.vault.delete(op, &login).await;
        }
        self.inner
            .cache
            .upsert_account(&account, remembered, self.now_ms())?;
        let session = Session {
            account: account.clone(),
            session_id: resp.session_id.clone(),
            method: resp.method,
            remembered,
            agreement_required: resp.agreement_required,
            offer_permanent_password: resp.offer_permanent_password,
            permanent_password_set: resp.permanent_password_set,
        };
        self.install(
            session.clone(),
            Some(resp.tokens.access_token),
            crate::session::Tokens::new(resp.tokens.refresh_token),
            operator.ok(),
        );
        Ok(LoginOutcome {
            session,
            keyring_error,
        })
    }
}
