//! Auth, server side (AUTH-1 … AUTH-12): captcha, SMS passwords and the 111 command, every way
//! to log in, token rotation, contract recovery by e-mail, password change, sessions, activity,
//! the use agreement and social links.

pub mod captcha;
pub(crate) mod guesses;
pub(crate) mod login;
mod recovery;
pub(crate) mod security;
mod sms;
mod social;
pub mod tokens;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub use sms::command_hook;

/// A captcha lives 2 minutes (AUTH-4).
pub const CAPTCHA_TTL_MS: i64 = 2 * 60 * 1000;
/// An SMS password lives 5 minutes (AUTH-4).
pub const CODE_TTL_MS: i64 = 5 * 60 * 1000;
/// One SMS password request per number per minute (AUTH-4).
pub const RESEND_MS: i64 = 60 * 1000;
/// Five SMS password requests per number per hour (AUTH-4).
pub const HOURLY_LIMIT: u32 = 5;
/// Wrong entries that burn a code's challenge, or its shared tries (AUTH-4, SEC-2). There is no
/// limit per code in all: it would let a stranger's own challenges burn the owner's (issue 11);
/// the hourly limit of requests bounds the guesses at one code (5 challenges × 5 + 5 shared).
pub const CODE_MAX_WRONG: i64 = 5;
/// Wrong passwords in a row that lock password login (AUTH-3).
pub const PASSWORD_MAX_FAILURES: i64 = 3;
/// A family whose newest refresh token was issued longer ago than this is dead (AUTH-6).
pub const REFRESH_TTL_MS: i64 = 30 * 24 * 60 * 60 * 1000;
/// A recovery code e-mailed to a contract lives 15 minutes (AUTH-1).
pub const RECOVERY_TTL_MS: i64 = 15 * 60 * 1000;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(captcha::new_captcha))
        .routes(routes!(sms::request_sms_password))
        .routes(routes!(login::login))
        .routes(routes!(tokens::refresh))
        .routes(routes!(tokens::logout))
        .routes(routes!(tokens::keepalive))
        .routes(routes!(recovery::request_recovery))
        .routes(routes!(recovery::confirm_recovery))
        .routes(routes!(security::get_agreement, security::accept_agreement))
        .routes(routes!(security::change_password))
        .routes(routes!(security::list_sessions))
        .routes(routes!(security::revoke_session_route))
        .routes(routes!(security::revoke_other_sessions))
        .routes(routes!(security::activity))
        .routes(routes!(security::list_social, security::link_social))
        .routes(routes!(security::unlink_social))
}

/// Refuses an over-long field before anything is hashed or looked up.
pub(crate) fn limit(field: &str, value: &str, max: usize) -> crate::error::ApiResult<()> {
    if value.chars().count() > max {
        return Err(crate::error::ApiError::invalid(
            field,
            format!("'{field}' is at most {max} characters."),
        ));
    }
    Ok(())
}
